"""Retargeting speed and accuracy, ours against the peers on identical inputs, in one run.

Inputs are the simulated station's scripted operator (reach, grasp, lift, pour, place,
release, pinch cycles with noise): wrist poses in the robot base frame at the control rate
(200 Hz) and Manus raw skeletons at the glove rate (90 Hz).

- Arms: our ``ArmIK`` against pink (``pin-pink`` with daqp) on the same 7-DoF Vega-1 arm
  model, one differential-IK step per control tick each, both warm-started from the ready
  pose. Error: wrist position error (mm) after each step, mean over ticks and arms.
- Hands: our ``HandRetargeter`` (keypoint conversion included in its time) against
  dex-retargeting configured for the same Sharpa Wave model (a URDF exported from our model)
  and fingertip frames, on the same fingertip targets: DexPilot, the same method family as
  ours (fingertip and thumb-to-finger vectors, pinches closed), is the ``peer``; the vector
  optimiser on wrist-to-fingertip vectors, which never closes a pinch, is reported as
  ``vector``. Error: fingertip position error (mm) from the targets, mean over frames,
  fingers and hands; ``_open`` over the frames without a human pinch only. Pinch gap:
  thumb-to-index fingertip distance (mm, 95th percentile) while the human pinches.
- Tick: one control tick of retargeting for both arms and both hands, filters and safety
  filter included (``retargeting.teleop.TeleopRetargeter.step``), fed like the control loop
  (trackers at 120 Hz, gloves at 90 Hz, ticks at 200 Hz).
- Filters: steady-state lag of the One-Euro presets on a 0.5 m/s ramp with 1 mm noise.

Each solver runs its own pass over the same inputs, so one library's caches and threads do
not slow the other down.

Needs the ``bench`` extra (pink, daqp, dex-retargeting, CPU torch):

    pip install -e '.[bench]'
    python benchmarks/retarget.py --seconds 10
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from retarget_peers import DexRetargetingPeer, PinkArmPeer  # beside this script

from devices.sim.operator import ScriptedOperator
from devices.sim.scene import SceneSpec
from retargeting.arm_ik import SIDES, ArmIK
from retargeting.hand_keypoints import (
    MANUS_SKELETON,
    KeypointMapping,
    targets_from_keypoints,
)
from retargeting.hand_retarget import PINCH_THRESHOLD_M, HandRetargeter
from retargeting.one_euro import FINGERTIPS, WRIST_POSITION, ramp_lag_s
from retargeting.sharpa_wave import FINGERS, SHARPA_JOINTS, build_hand_model
from retargeting.teleop import OperatorInput, TeleopRetargeter
from retargeting.urdf_export import model_to_urdf
from retargeting.vega1 import EE_FRAMES, READY_POSE

CONTROL_HZ = 200.0
GLOVE_HZ = 90.0
TRACKER_HZ = 120.0


def timed(call: Callable[..., np.ndarray], *args: object) -> tuple[np.ndarray, float]:
    """Result of ``call(*args)`` and its duration (µs)."""
    start = time.perf_counter_ns()
    result = call(*args)
    return result, (time.perf_counter_ns() - start) * 1e-3


def arms(operator: ScriptedOperator, seconds: float) -> dict[str, float]:
    """Per-step time (µs, median) and wrist position error (mm) of ours and pink.

    Each solver runs its own pass over the same targets, one step per control tick.
    """
    ticks_ns = (np.arange(int(seconds * CONTROL_HZ)) * 1e9 / CONTROL_HZ).astype(np.int64)
    times: dict[str, list[float]] = {"ours": [], "pink": []}
    errors: dict[str, list[float]] = {"ours": [], "pink": []}
    for i, side in enumerate(SIDES):
        targets = [operator.wrist_pose(side, int(t)) for t in ticks_ns]
        ours = ArmIK(side, dt_s=1.0 / CONTROL_HZ)
        pink = PinkArmPeer(ours.model.copy(), EE_FRAMES[i], ours.posture, 1.0 / CONTROL_HZ)
        for name, solve in (("ours", ours.step), ("pink", pink.step)):
            q = np.array(READY_POSE[7 * i : 7 * i + 7])
            path = []
            for target in targets:
                q, elapsed = timed(solve, target, q)
                times[name].append(elapsed)
                path.append(q)
            for q, target in zip(path, targets, strict=True):
                reached = ours.pose(q)[:3, 3]
                errors[name].append(float(np.linalg.norm(reached - target[:3, 3])) * 1e3)
    return {
        "arm_ours_us": float(np.median(times["ours"])),
        "arm_pink_us": float(np.median(times["pink"])),
        "arm_err_ours_mm": float(np.mean(errors["ours"])),
        "arm_err_pink_mm": float(np.mean(errors["pink"])),
        "arm_err_ours_p99_mm": float(np.percentile(errors["ours"], 99)),
        "arm_err_pink_p99_mm": float(np.percentile(errors["pink"], 99)),
    }


def ours_frame(
    retargeter: HandRetargeter,
    points: np.ndarray,
    side: str,
    mapping: KeypointMapping,
    q_previous: np.ndarray,
) -> np.ndarray:
    """Our whole per-frame hand path: skeleton -> fingertip targets -> joints."""
    targets = targets_from_keypoints(points, MANUS_SKELETON, side, mapping)
    return retargeter.solve(targets, q_previous)


def hands(operator: ScriptedOperator, seconds: float, urdf_dir: Path) -> dict[str, float]:
    """Per-frame time (µs, median), fingertip error (mm, mean) and pinch gap (mm) of ours,
    dex-retargeting DexPilot (the peer) and dex-retargeting vector, each in its own pass."""
    frames_ns = (np.arange(int(seconds * GLOVE_HZ)) * 1e9 / GLOVE_HZ).astype(np.int64)
    mapping = KeypointMapping()
    names = ("ours", "dexpilot", "vector")
    times: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, list[float]] = {n: [] for n in names}
    gaps: dict[str, list[float]] = {n: [] for n in names}
    pinching: list[bool] = []
    for side in SIDES:
        skeletons = [operator.skeleton(side, int(t))[0] for t in frames_ns]
        targets = [targets_from_keypoints(p, MANUS_SKELETON, side, mapping) for p in skeletons]
        pinching += [bool(t.pinch_m[0] < PINCH_THRESHOLD_M) for t in targets]
        urdf = urdf_dir / f"{side}_sharpa_wave.urdf"
        urdf.write_text(model_to_urdf(build_hand_model(side).model, f"{side}_sharpa_wave"))
        ours = HandRetargeter(side)
        solutions: dict[str, list[np.ndarray]] = {n: [] for n in names}
        q = np.zeros(len(SHARPA_JOINTS))
        for points in skeletons:
            q, elapsed = timed(ours_frame, ours, points, side, mapping, q)
            times["ours"].append(elapsed)
            solutions["ours"].append(q)
        for kind in ("dexpilot", "vector"):
            peer = DexRetargetingPeer(
                str(urdf),
                f"{side}_hand_flange",
                [f"{side}_{f}_fingertip" for f in FINGERS],
                [f"{side}_{j}" for j in SHARPA_JOINTS],
                kind,
            )
            for target in targets:
                q, elapsed = timed(peer.retarget, np.vstack([np.zeros(3), target.tips]))
                times[kind].append(elapsed)
                solutions[kind].append(q)
        for name in names:
            for q, target in zip(solutions[name], targets, strict=True):
                tips = ours.fingertips(q)
                errors[name].append(float(np.linalg.norm(tips - target.tips, axis=1).mean()))
                gaps[name].append(float(np.linalg.norm(tips[1] - tips[0])))
    pinch = np.array(pinching)
    result: dict[str, float] = {"pinch_frames": int(pinch.sum()), "frames": len(pinch)}
    for name, key in (("ours", "ours"), ("dexpilot", "peer"), ("vector", "vector")):
        error_mm, gap_mm = np.array(errors[name]) * 1e3, np.array(gaps[name]) * 1e3
        result[f"hand_{key}_us"] = float(np.median(times[name]))
        result[f"hand_tip_err_{key}_mm"] = float(error_mm.mean())
        result[f"hand_tip_err_{key}_open_mm"] = float(error_mm[~pinch].mean())
        result[f"hand_pinch_gap_{key}_p95_mm"] = float(np.percentile(gap_mm[pinch], 95))
    return result


def tick(operator: ScriptedOperator, seconds: float) -> dict[str, float]:
    """Time (ms) of one control tick of retargeting: both arms, both hands, filters, safety."""
    teleop = TeleopRetargeter(1.0 / CONTROL_HZ)
    arm = np.array(READY_POSE)
    teleop.engage(arm, np.zeros((2, len(SHARPA_JOINTS))))
    times = []
    for k in range(int(seconds * CONTROL_HZ)):
        t_s = k / CONTROL_HZ
        glove_s = np.floor(t_s * GLOVE_HZ) / GLOVE_HZ  # the latest glove frame
        tracker_s = np.floor(t_s * TRACKER_HZ) / TRACKER_HZ
        inputs = OperatorInput(
            np.stack([operator.wrist_pose(s, int(tracker_s * 1e9)) for s in SIDES]),
            (tracker_s, tracker_s),
            np.stack([operator.skeleton(s, int(glove_s * 1e9))[0] for s in SIDES]),
            (glove_s, glove_s),
        )
        command, elapsed = timed(teleop.step, inputs, arm)
        arm = command.arm
        times.append(elapsed * 1e-3)
    return {
        "tick_median_ms": float(np.median(times)),
        "tick_p99_ms": float(np.percentile(times, 99)),
    }


def filters() -> dict[str, float]:
    """Steady-state lag (ms) of the One-Euro presets at 0.5 m/s with 1 mm noise."""
    return {
        "filter_wrist_lag_ms": ramp_lag_s(WRIST_POSITION, 0.5, TRACKER_HZ, 0.001) * 1e3,
        "filter_fingertip_lag_ms": ramp_lag_s(FINGERTIPS, 0.5, GLOVE_HZ, 0.001) * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="operator time simulated")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scene = SceneSpec()
    result: dict[str, float] = {"seconds": args.seconds}
    result.update(arms(ScriptedOperator(scene, args.seed, 0), args.seconds))
    with tempfile.TemporaryDirectory() as urdf_dir:
        result.update(hands(ScriptedOperator(scene, args.seed, 0), args.seconds, Path(urdf_dir)))
    result.update(tick(ScriptedOperator(scene, args.seed, 0), args.seconds))
    result.update(filters())
    result["arm_speedup"] = result["arm_pink_us"] / result["arm_ours_us"]
    result["hand_speedup"] = result["hand_peer_us"] / result["hand_ours_us"]
    result["hand_speedup_vector"] = result["hand_vector_us"] / result["hand_ours_us"]
    for key, value in result.items():
        print(f"{key:28s} {value:10.3f}")
    print(json.dumps({k: round(v, 4) for k, v in result.items()}))


if __name__ == "__main__":
    main()
