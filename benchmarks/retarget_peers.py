"""Thin adapters around the peer retargeting libraries measured by ``benchmarks/retarget.py``.

Benchmark-only: importing this module needs the ``bench`` extra (pink, daqp, dex-retargeting,
torch). Units: m, rad, s.

- :class:`PinkArmPeer`: one differential-IK step of ``pin-pink`` (QP solved by daqp) per call,
  on any Pinocchio model; targets are 4x4 poses of a frame in the model's world frame.
- :class:`DexRetargetingPeer`: dex-retargeting's vector or DexPilot optimiser on a hand URDF
  (e.g. one written by ``retargeting.urdf_export``); inputs are the wrist and fingertip target
  positions in the hand's root frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pinocchio as pin
import torch
from dex_retargeting.optimizer import DexPilotOptimizer
from dex_retargeting.retargeting_config import RetargetingConfig
from pink import Configuration, solve_ik
from pink.tasks import FrameTask, PostureTask

PINK_POSITION_COST = 1.0
"""Frame task position cost ([cost]/m)."""
PINK_ORIENTATION_COST = 0.3
"""Frame task orientation cost ([cost]/rad): 1 rad weighs as much as 0.3 m, the weighting of
our ``ArmIK`` (``rotation_weight_m``)."""
PINK_LM_DAMPING = 1.0
"""Frame task Levenberg-Marquardt damping: ``PINK_LM_DAMPING * |weighted error|^2`` is added
to the QP Hessian (Sugihara's rule, the same as ``ArmIK``'s ``error_damping``), so far or
unreachable targets give small steps instead of jumps. Pink's own arm examples use 1.0."""
PINK_POSTURE_COST = 1e-3
"""Posture task cost ([cost]/rad): 1 rad away from the posture weighs as much as 1 mm of
position error, a regulariser that only decides the arm's redundant (elbow) motion."""
PINK_SOLVER = "daqp"

torch.set_num_threads(1)
"""dex-retargeting evaluates its loss with torch. Single-threaded it is 10-20 % faster on small
problems, and its idle worker threads no longer spin on the cores the other solvers use."""


class PinkArmPeer:
    """Pink differential IK: a frame task plus a posture task, one QP step per call.

    The QP (``pink.solve_ik``) minimises the weighted task errors after one step of length
    ``dt_s`` subject to pink's default limits, read from the model: the configuration limit
    (``lowerPositionLimit``/``upperPositionLimit``, approached with pink's gain 0.5 per step)
    and the velocity limit (``velocityLimit * dt_s`` per step). Tikhonov damping is pink's
    default (1e-12); task gains are 1 (dead-beat). ``solve_ik`` keeps its default
    ``safety_break=True``: a ``q`` outside the joint limits (by more than 1e-6 rad) raises
    ``pink.exceptions.NotWithinConfigurationLimits`` instead of being solved from.

    Pink stores its limit objects on ``model`` (as Python attributes): pass a model (or a
    copy) that nothing else configures differently.
    """

    def __init__(self, model: pin.Model, frame: str, posture: np.ndarray, dt_s: float) -> None:
        """``frame``: the controlled frame; ``posture``: the regularisation target (rad, model
        configuration order); ``dt_s``: the control period (s)."""
        if not model.existFrame(frame):
            raise ValueError(f"frame {frame!r} is not in the model")
        self.model = model
        self.dt_s = float(dt_s)
        posture = np.asarray(posture, dtype=float)
        # One Configuration (and its data copy) for all steps; step() only updates q.
        self.configuration = Configuration(model, model.createData(), posture)
        self.frame_task = FrameTask(
            frame,
            position_cost=PINK_POSITION_COST,
            orientation_cost=PINK_ORIENTATION_COST,
            lm_damping=PINK_LM_DAMPING,
        )
        self.posture_task = PostureTask(cost=PINK_POSTURE_COST)
        self.posture_task.set_target(posture)
        self.tasks = (self.frame_task, self.posture_task)

    def step(self, target: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Configuration one IK step from ``q`` (rad) toward the 4x4 ``target`` pose (m, model
        world frame) of the frame."""
        q = np.asarray(q, dtype=float)
        self.configuration.update(q)
        self.frame_task.set_target(pin.SE3(np.asarray(target, dtype=float)))
        velocity = solve_ik(self.configuration, self.tasks, self.dt_s, solver=PINK_SOLVER)
        return pin.integrate(self.model, q, velocity * self.dt_s)


class DexRetargetingPeer:
    """dex-retargeting's ``SeqRetargeting`` on a hand URDF, vector or DexPilot optimiser.

    Settings: ``scaling_factor`` 1 (inputs come already scaled), no low-pass filter, no dummy
    free joint, joint limits on (SLSQP bounds, which dex-retargeting widens by 1e-3 rad, so
    results can exceed the URDF limits by that much), every other option at its default
    (Huber delta 2 cm for vector and 3 cm for DexPilot, regularisation 4e-3 toward the previous
    result, DexPilot projection below 3 cm and release above 5 cm). All the hand's joints are
    optimised. The retargeter is stateful: each call warm-starts from the previous result,
    the first from the middle of the joint ranges.
    """

    def __init__(
        self,
        urdf_path: str,
        wrist_link: str,
        fingertip_links: Sequence[str],
        joint_names: Sequence[str],
        kind: Literal["vector", "dexpilot"],
    ) -> None:
        """``wrist_link``: the URDF link the wrist input stands for (the hand root frame);
        ``fingertip_links``: the fingertip links, thumb first (DexPilot treats the first as the
        thumb); ``joint_names``: the order of :meth:`retarget`'s output."""
        tips = list(fingertip_links)
        # An absolute path: RetargetingConfig joins relative ones to its class-wide default
        # directory (set_default_urdf_dir), which other users of the library may change.
        path = str(Path(urdf_path).resolve())
        common = {
            "urdf_path": path,
            "add_dummy_free_joint": False,
            "scaling_factor": 1.0,
            # Any value outside [0, 1] disables the filter (None would fail its range check).
            "low_pass_alpha": -1.0,
        }
        if kind == "vector":
            config = RetargetingConfig(
                type="vector",
                target_origin_link_names=[wrist_link] * len(tips),
                target_task_link_names=tips,
                target_link_human_indices=np.array(
                    [[0] * len(tips), list(range(1, len(tips) + 1))]
                ),
                **common,
            )
        elif kind == "dexpilot":
            config = RetargetingConfig(
                type="dexpilot", wrist_link_name=wrist_link, finger_tip_link_names=tips, **common
            )
        else:
            raise ValueError(f"kind must be 'vector' or 'dexpilot', got {kind!r}")
        self.kind = kind
        self.retargeting = config.build()
        optimizer = self.retargeting.optimizer
        if kind == "vector":
            origin, task = optimizer.target_link_human_indices
        else:
            # The optimiser's vectors, in its order: fingertip i minus fingertip j for every
            # pair i < j (thumb first), then each fingertip minus the wrist. Rows of
            # ``positions`` are [wrist, *tips], the indexing these pairs use.
            origin, task = DexPilotOptimizer.generate_link_indices(len(tips))
        self._origin = np.asarray(origin, dtype=int)
        self._task = np.asarray(task, dtype=int)
        robot_joints = list(self.retargeting.joint_names)
        missing = [name for name in joint_names if name not in robot_joints]
        if missing or len(joint_names) != len(robot_joints):
            raise ValueError(
                f"joint_names must list the URDF's {len(robot_joints)} joints; unknown: {missing}"
            )
        self._order = np.array([robot_joints.index(name) for name in joint_names])

    def retarget(self, positions: np.ndarray) -> np.ndarray:
        """Joint positions (rad, ``joint_names`` order) for ``positions`` (6, 3) m: the wrist
        (row 0, the hand root frame's origin) and the fingertip targets in
        ``fingertip_links`` order, in the hand root frame, already scaled to the robot hand."""
        positions = np.asarray(positions, dtype=float)
        ref_value = positions[self._task] - positions[self._origin]
        return np.asarray(self.retargeting.retarget(ref_value), dtype=float)[self._order]

    @property
    def last_evaluations(self) -> int:
        """Objective (and gradient) evaluations of the last optimisation (nlopt SLSQP)."""
        return int(self.retargeting.optimizer.opt.get_numevals())
