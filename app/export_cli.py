"""``dexstation export lerobot``: a dataset's episodes as a LeRobot v3 dataset (T-Rex schema).

Needs the ``export`` extra (pyarrow, PyAV): ``pip install 'dexstation[export]'``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from recorder.episode_filter import OUTCOMES, STATUSES, EpisodeFilter
from recorder.episode_reader import EpisodeFormatError
from recorder.lerobot_export import (
    T_REX_CAMERA_SIZE,
    ExportError,
    Progress,
    export_lerobot,
)

NAME_FILTERS = ("primitive", "object", "operator", "station")
BAR_WIDTH = 30


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``export`` and its format ``lerobot``."""
    export = sub.add_parser("export", help="export episodes for training")
    formats = export.add_subparsers(dest="format", required=True)
    lerobot = formats.add_parser(
        "lerobot", help="LeRobot v3 in the public T-Rex schema (state, action, force, videos)"
    )
    lerobot.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    lerobot.add_argument("--out", required=True, type=Path, help="folder of the new dataset")
    lerobot.add_argument("--fps", type=int, default=30, help="frames per second (default 30)")
    lerobot.add_argument(
        "--native-video",
        action="store_true",
        help="keep the cameras' resolution (default: 640x360, as T-Rex)",
    )
    lerobot.add_argument("--force", action="store_true", help="replace a non-empty --out")
    for name in NAME_FILTERS:
        lerobot.add_argument(
            f"--{name}",
            action="append",
            default=[],
            help=f"only episodes of this {name} (any case; repeat for several)",
        )
    lerobot.add_argument(
        "--outcome",
        action="append",
        default=[],
        choices=OUTCOMES,
        help="only episodes with this outcome (default: all but discarded; repeatable)",
    )
    lerobot.add_argument(
        "--status",
        action="append",
        default=[],
        choices=STATUSES,
        help="only episodes with this status (default: complete and recovered; repeatable)",
    )


def _progress(started: float) -> Progress:
    """A one-line progress bar on stderr, redrawn after each episode."""

    def show(done: int, total: int, episode_id: str) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        elapsed = time.monotonic() - started
        end = "\n" if done == total else ""
        print(
            f"\rexporting [{bar}] {done}/{total} {elapsed:6.1f} s {episode_id}",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def run(args: argparse.Namespace) -> int:
    """Run ``export lerobot``; errors are printed as ``dexstation: ...``, exit status 2."""
    started = time.monotonic()
    chosen = EpisodeFilter(
        **{name: tuple(getattr(args, name)) for name in (*NAME_FILTERS, "outcome", "status")}
    )
    try:
        report = export_lerobot(
            args.dataset,
            args.out,
            chosen,
            fps=args.fps,
            camera_size=None if args.native_video else T_REX_CAMERA_SIZE,
            force=args.force,
            progress=_progress(started),
        )
    except (ExportError, EpisodeFormatError, OSError) as exc:
        print(f"dexstation: {exc}", file=sys.stderr)
        return 2
    for episode_id, reason in report.skipped.items():
        print(f"dexstation: skipped {episode_id}: {reason}", file=sys.stderr)
    info, elapsed = report.info, time.monotonic() - started
    seconds = info["total_frames"] / info["fps"]
    print(
        f"wrote {info['total_episodes']} episode(s), {info['total_frames']} frames "
        f"({seconds:.1f} s at {info['fps']} fps) to {args.out} in {elapsed:.1f} s"
    )
    return 0
