"""``dexstation calibrate``: the calibration procedures of the wizards, from a terminal.

``show`` and ``check`` read the profiles only; ``align``, ``tare``, ``roles`` and ``glove``
start the station (the configured devices, or the simulated ones with ``--sim``), guide the
operator with prompts (Enter to go on; ``--yes`` skips them), and save into the profiles,
printing what changed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.config import ConfigError, StationConfig, load_config, simulated
from app.station import Station, StationError
from calibration.glove import FRAMES_PER_POSE, POSES, PROMPTS, GloveCalibrationError, GloveCapture
from calibration.profiles import (
    OperatorProfile,
    ProfileError,
    StationProfile,
    load_profile,
    profile_path,
)
from calibration.tracker_roles import RoleError, suggest_roles

READY_TIMEOUT_S = 15.0
"""How long the station's inputs may take to become fresh (s)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``calibrate`` subcommand and its procedures."""
    parser = sub.add_parser("calibrate", help="calibrate trackers, gloves and tactile sensors")
    parser.add_argument("--config", type=Path, help="station TOML (default: simulated station)")
    parser.add_argument("--sim", action="store_true", help="simulate every device")
    parser.add_argument("--yes", action="store_true", help="do not wait for Enter at prompts")
    steps = parser.add_subparsers(dest="step", required=True)
    show = steps.add_parser("show", help="print this station's (or an operator's) profile")
    show.add_argument("--operator", default="", help="print this operator's profile instead")
    steps.add_parser("check", help="validate every profile in [calibration] profiles_dir")
    align = steps.add_parser("align", help="quick re-alignment: hold the robot's reset pose")
    align.add_argument("--seconds", type=float, default=1.0, help="how long to hold (s)")
    steps.add_parser("tare", help="zero every fingertip sensor (nothing may touch them)")
    steps.add_parser("roles", help="which tracker is on which wrist (raise the left hand)")
    glove = steps.add_parser("glove", help="one hand's glove range of motion")
    glove.add_argument("--operator", required=True, help="whose gloves")
    glove.add_argument("--side", choices=("left", "right"), required=True)


def run(args: argparse.Namespace) -> int:
    """Run one step; returns the exit status (2 with the reason on stderr when it fails)."""
    try:
        config = load_config(args.config)
        if args.sim:
            config = simulated(config)
        if args.step == "show":
            return _show(config, args.operator)
        if args.step == "check":
            return _check(config)
        with Station(config) as station:
            if not station.wait_for(station.inputs_ready, READY_TIMEOUT_S):
                raise StationError("inputs did not become ready: see `dexstation doctor`")
            return STEPS[args.step](station, args, _prompter(args.yes))
    except (ConfigError, StationError, ProfileError, OSError) as exc:
        print(f"dexstation calibrate {args.step}: {exc}", file=sys.stderr)
        return 2


def _prompter(skip: bool) -> Callable[[str], None]:
    def prompt(text: str) -> None:
        print(text, flush=True)
        if not skip:
            input("press Enter when ready ")

    return prompt


def _show(config: StationConfig, operator: str) -> int:
    kind, name = (OperatorProfile, operator) if operator else (StationProfile, config.station.name)
    path = profile_path(config.calibration.profiles_dir, kind, name)
    if not path.exists():
        print(f"{path}: no profile yet (calibrate first)", file=sys.stderr)
        return 1
    print(f"# {path}")
    print(json.dumps(load_profile(path, kind).model_dump(mode="json"), indent=1))
    return 0


def _check(config: StationConfig) -> int:
    folder = Path(config.calibration.profiles_dir)
    paths = sorted(folder.glob("station-*.json")) + sorted(folder.glob("operator-*.json"))
    bad = 0
    for path in paths:
        kind = StationProfile if path.name.startswith("station-") else OperatorProfile
        try:
            load_profile(path, kind)
        except ProfileError as exc:
            bad += 1
            print(f"BAD {exc}")
        else:
            print(f"ok  {path}")
    print(f"{len(paths)} profile(s) in {folder}, {bad} bad")
    return 2 if bad else 0


def _print_changes(changes: list[str]) -> None:
    print("\n".join(f"  {line}" for line in changes) or "  (no change)")


def _align(station: Station, args: argparse.Namespace, prompt: Callable[[str], None]) -> int:
    prompt(f"Hold both wrists where the robot's are (its reset pose) for {args.seconds:g} s.")
    fit, changes = station.quick_align(args.seconds)
    print(
        f"re-aligned: moved {fit.moved_mm:.1f} mm, turned {fit.turned_deg:.2f} deg; "
        f"residual {fit.residual_mm:.1f} mm, {fit.residual_deg:.2f} deg"
    )
    _print_changes(changes)
    return 0


def _tare(station: Station, args: argparse.Namespace, prompt: Callable[[str], None]) -> int:
    prompt("Make sure no fingertip touches anything.")
    tactile = [s.name for s in station.specs if s.family == "tactile"]
    station.wait_for(lambda: all(station.bus.latest(s) for s in tactile), READY_TIMEOUT_S)
    streams = station.tare_tactile()
    print(f"tared {len(streams)} fingertip sensors: {', '.join(streams)}")
    return 0


def _roles(station: Station, args: argparse.Namespace, prompt: Callable[[str], None]) -> int:
    prompt("Let both hands hang down.")
    census = station.tracker_census()
    print(f"trackers seen:\n{census.describe()}")
    prompt("Raise your LEFT hand high; keep the right one down.")
    try:
        roles = suggest_roles(census.poses(), station.tracker_census().poses())
    except RoleError as exc:
        raise StationError(str(exc)) from exc
    profile = station.station_profile_or_blank()
    mounts = {t.role: t.tracker_to_wrist for t in profile.trackers}
    roles = [
        r.model_copy(update={"tracker_to_wrist": mounts[r.role]}) if r.role in mounts else r
        for r in roles
    ]
    changes = station.save_station_profile(profile.model_copy(update={"trackers": roles}))
    print(", ".join(f"{r.serial}: {r.role}" for r in roles) + " (used from the next start)")
    _print_changes(changes)
    return 0


def _glove(station: Station, args: argparse.Namespace, prompt: Callable[[str], None]) -> int:
    capture = GloveCapture(args.side)
    stream = f"glove_{args.side}"
    for pose in POSES:
        prompt(f"{args.side} hand: {PROMPTS[pose]}")
        _collect(station, stream, lambda sample, p=pose: capture.add(p, sample))
    try:
        calibration = capture.result()
    except GloveCalibrationError as exc:
        raise StationError(str(exc)) from exc
    changes = station.save_glove_calibration(args.operator, args.side, calibration)
    print(
        f"{args.operator}'s {args.side} glove: keypoint scale {calibration.keypoint_scale:.3f}, "
        f"offset {calibration.keypoint_offset_m * 1000:.0f} mm"
    )
    _print_changes(changes)
    return 0


def _collect(station: Station, stream: str, take: Callable) -> None:
    """Feed new samples of ``stream`` to ``take`` until it has accepted FRAMES_PER_POSE."""
    accepted, last_seq = 0, None
    deadline = time.monotonic() + max(5.0, FRAMES_PER_POSE / 10.0)
    while accepted < FRAMES_PER_POSE:
        if time.monotonic() > deadline:
            raise StationError(f"{stream}: too few valid frames; check the glove and repeat")
        sample = station.bus.latest(stream)
        if sample is not None and sample.seq != last_seq:
            last_seq = sample.seq
            accepted += bool(take(sample))
        time.sleep(0.002)


STEPS = {"align": _align, "tare": _tare, "roles": _roles, "glove": _glove}
