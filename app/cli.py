"""The ``dexstation`` command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from app import calibrate_cli, coverage_cli, doctor_cli, episodes_cli, export_cli
from app.config import ConfigError, StationConfig, load_config, parse_config, simulated
from app.replay import replayed
from app.state_machine import State
from app.station import Station, StationError
from app.summary import run_summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dexstation", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    calibrate_cli.add_parser(sub)
    coverage_cli.add_parser(sub)
    doctor_cli.add_parser(sub)
    episodes_cli.add_parser(sub)
    export_cli.add_parser(sub)
    run = sub.add_parser("run", help="run the station (GUI unless --headless)")
    run.add_argument("--config", type=Path, help="station TOML (default: simulated station)")
    run.add_argument("--sim", action="store_true", help="simulate every device")
    run.add_argument("--headless", action="store_true", help="no window; print a summary")
    run.add_argument("--duration", type=float, default=10.0, help="headless run time (s)")
    run.add_argument("--record", action="store_true", help="record one episode (headless)")
    run.add_argument("--primitive", default="", help="motor primitive of the episode")
    run.add_argument("--object", dest="object_name", default="", help="object of the episode")
    run.add_argument("--instruction", default="", help="instruction text")
    run.add_argument("--operator", default="", help="operator name (the window loads their layout)")
    run.add_argument(
        "--dataset", help="dataset root: a folder or s3://bucket/prefix (default: dataset.root)"
    )
    run.add_argument("--json", action="store_true", help="headless summary as JSON")
    run.add_argument(
        "--replay",
        type=Path,
        metavar="EPISODE",
        help="drive the station from a recorded episode's gloves, trackers, cameras, tactile",
    )
    return parser


def _with_dataset(config: StationConfig, root: str) -> StationConfig:
    """The same station recording into ``root`` (a folder or an s3:// URL)."""
    data = config.model_dump()
    data["dataset"]["root"] = root
    return parse_config(data, "--dataset")


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so a headless run ends its episode cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _run_headless(station: Station, args: argparse.Namespace, stop: threading.Event) -> dict:
    if not station.wait_for(lambda: station.inputs_ready() or stop.is_set(), 10.0):
        raise StationError("inputs did not become ready within 10 s: see device health")
    station.engage()
    meta = path = None
    if args.record:
        station.start_recording(args.primitive, args.object_name, args.instruction, args.operator)
    station.loop_stats.reset()
    end = time.monotonic() + args.duration
    while time.monotonic() < end and station.state is not State.ESTOP and not stop.is_set():
        time.sleep(0.05)
    if station.recording is not None:
        path = station.recording.path
        meta = station.stop_recording(notes="stopped by signal" if stop.is_set() else "")
    return run_summary(station, meta, path)


def _run(args: argparse.Namespace) -> int:
    if args.record and not (args.primitive and args.object_name):
        raise StationError("--record needs --primitive and --object")
    config = load_config(args.config)
    if args.sim:
        config = simulated(config)
    if args.dataset:
        config = _with_dataset(config, args.dataset)
    if args.replay:
        config = replayed(config, args.replay)
    if not args.headless:
        from ui.app import run_gui

        return run_gui(config, args.operator or None)
    stop = _stop_on_signals()
    with Station(config) as station:
        summary = _run_headless(station, args, stop)
    if args.json:
        print(json.dumps(summary))
    else:
        print_summary(summary)
    return 130 if stop.is_set() else 0


def print_summary(summary: dict) -> None:
    """Human-readable run summary: per-stream table and loop timing."""
    header = ("stream", "count", "rate Hz", "gaps", "drops", "invalid")
    print("{:28s} {:>7s} {:>8s} {:>6s} {:>6s} {:>7s}".format(*header))
    for name, s in summary["streams"].items():
        print(
            f"{name:28s} {s['count']:7d} {s['rate_hz']:8.1f} {s['gaps']:6d} "
            f"{s['dropped']:6d} {s['invalid']:7d}"
        )
    loop = summary["loop"]
    print(
        f"control loop: {loop['rate_hz']:.1f} Hz, period error p50 {loop['period_p50_ms']:.3f} ms, "
        f"p99 {loop['period_p99_ms']:.3f} ms, max {loop['period_max_ms']:.3f} ms, "
        f"missed ticks {loop['missed_ticks']}, scheduling: {loop['realtime']}, "
        f"{loop['huge_pages']}"
    )
    if summary.get("episode"):
        ep = summary["episode"]
        print(f"episode {ep['episode_id']} -> {ep['path']} ({ep['status']}, drops {ep['drops']})")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        args = _parser().parse_args(["run", *(argv or [])])
    if args.command == "calibrate":
        return calibrate_cli.run(args)
    if args.command == "coverage":
        return coverage_cli.run(args)
    if args.command == "doctor":
        return doctor_cli.run(args)
    if args.command in ("episodes", "recover"):
        return episodes_cli.run(args)
    if args.command == "export":
        return export_cli.run(args)
    try:
        return _run(args)
    except (ConfigError, StationError) as exc:
        print(f"dexstation: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
