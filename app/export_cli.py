"""``dexstation export lerobot``: a dataset's episodes as a LeRobot v3 dataset (T-Rex schema)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recorder.catalog import Catalog, CatalogRow
from recorder.coverage import COUNTED_STATUSES
from recorder.dataset_store import DatasetStore, DatasetStoreError
from recorder.episode_reader import EpisodeFormatError

FILTERS = ("primitive", "object", "operator", "outcome", "station")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``export lerobot``."""
    export = sub.add_parser("export", help="export episodes for training")
    formats = export.add_subparsers(dest="format", required=True)
    lerobot = formats.add_parser("lerobot", help="LeRobot v3, the public T-Rex schema")
    lerobot.add_argument("--dataset", required=True, help="dataset folder")
    lerobot.add_argument("--out", required=True, type=Path, help="new LeRobot dataset folder")
    lerobot.add_argument("--fps", type=int, default=30, help="frame rate of the export")
    lerobot.add_argument(
        "--native-video", action="store_true", help="keep camera resolution (default 640x360)"
    )
    lerobot.add_argument("--force", action="store_true", help="replace a non-empty --out")
    for name in FILTERS:
        lerobot.add_argument(f"--{name}", help=f"only episodes whose {name} is this (any case)")
    lerobot.add_argument(
        "--include-discarded", action="store_true", help="also episodes labelled discarded"
    )


def selected(rows: list[CatalogRow], args: argparse.Namespace) -> list[CatalogRow]:
    """Finished episodes matching every filter given (discarded ones only when asked)."""
    chosen = []
    for row in rows:
        if row.status not in COUNTED_STATUSES:
            continue
        if row.outcome == "discarded" and not args.include_discarded:
            continue
        wanted = {name: getattr(args, name) for name in FILTERS if getattr(args, name)}
        if all(str(getattr(row, k) or "").casefold() == v.casefold() for k, v in wanted.items()):
            chosen.append(row)
    return chosen


def run(args: argparse.Namespace) -> int:
    """Run the export; errors are printed, exit code 2."""
    from recorder.lerobot_export import ExportError, export_lerobot, text_progress

    try:
        store = DatasetStore.open(args.dataset)
        if store.local_path is None:
            raise ExportError(f"{store.url}: export reads a local dataset folder")
        catalog = Catalog(store)
        catalog.refresh()
        rows = selected(catalog.rows(), args)
        folders = [store.local_path / row.episode_id for row in rows]
        info = export_lerobot(
            folders,
            args.out,
            fps=args.fps,
            video_size=None if args.native_video else (640, 360),
            force=args.force,
            progress=text_progress,
        )
    except (ExportError, DatasetStoreError, EpisodeFormatError, OSError) as exc:
        print(f"dexstation: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {info['total_episodes']} episode(s), {info['total_frames']} frames at "
        f"{info['fps']} fps to {args.out}"
    )
    return 0
