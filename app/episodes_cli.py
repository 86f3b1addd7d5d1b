"""``dexstation episodes list|show|trim|relabel|delete|restore`` and ``dexstation recover``.

Episodes are named by id only; filters and labels are matched or stored as text, never used
as paths. Delete moves to the dataset's trash; restore brings back.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np

from recorder import episode_admin
from recorder.catalog import Catalog, CatalogRow
from recorder.dataset_store import DatasetStore, DatasetStoreError
from recorder.episode_reader import EpisodeFormatError, open_episode
from recorder.recovery import recover_dataset

FILTERS = ("primitive", "object", "operator", "outcome", "station")
LABELS = ("primitive", "object", "instruction", "operator", "outcome", "notes")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``episodes`` and ``recover`` subcommands."""
    episodes = sub.add_parser("episodes", help="list, inspect and edit a dataset's episodes")
    actions = episodes.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="episodes matching every filter given")
    for name in FILTERS:
        listing.add_argument(f"--{name}", help=f"{name} contains this text (any case)")
    listing.add_argument("--since", type=date.fromisoformat, help="started on/after YYYY-MM-DD")
    show = actions.add_parser("show", help="metadata and per-stream counts, rates and gaps")
    trim = actions.add_parser("trim", help="keep only START..END s (the original goes to trash)")
    relabel = actions.add_parser("relabel", help="change an episode's labels")
    delete = actions.add_parser("delete", help="move an episode to the dataset's trash")
    restore = actions.add_parser("restore", help="bring an episode back from the trash")
    for parser in (show, trim, relabel, delete, restore):
        parser.add_argument("episode", help="episode id")
    trim.add_argument("start_s", type=float, help="s after the episode's first sample")
    trim.add_argument("end_s", type=float, help="s after the episode's first sample")
    for name in LABELS:
        relabel.add_argument(f"--{name}")
    for parser in (listing, show, trim, relabel, delete, restore):
        parser.add_argument("--dataset", required=True, help="dataset folder")
    recover = sub.add_parser("recover", help="finalise episodes interrupted by a crash")
    recover.add_argument("--dataset", required=True, help="dataset folder")


def run(args: argparse.Namespace) -> int:
    """Run ``episodes`` or ``recover``; errors are printed, exit code 2."""
    try:
        store = DatasetStore.open(args.dataset)
        if args.command == "recover":
            return _recover(store)
        return {
            "list": _list,
            "show": _show,
            "trim": _trim,
            "relabel": _relabel,
            "delete": _delete,
            "restore": _restore,
        }[args.action](store, args)
    except (DatasetStoreError, EpisodeFormatError, ValueError, OSError) as exc:
        print(f"dexstation: {exc}", file=sys.stderr)
        return 2


def _matches(row: CatalogRow, args: argparse.Namespace) -> bool:
    for name in FILTERS:
        wanted = getattr(args, name)
        if wanted and wanted.casefold() not in str(getattr(row, name) or "").casefold():
            return False
    return not args.since or (bool(row.day) and date.fromisoformat(row.day) >= args.since)


def _list(store: DatasetStore, args: argparse.Namespace) -> int:
    catalog = Catalog(store)
    catalog.refresh()
    rows = [row for row in catalog.rows() if _matches(row, args)]
    for row in rows:
        print(
            f"{row.episode_id}  {row.primitive:<16} {row.object:<16} {row.operator:<10} "
            f"{row.outcome or '-':<9} {row.status:<9} {row.duration_s:7.1f} s"
        )
    print(f"{len(rows)} episode(s)")
    return 0


def _show(store: DatasetStore, args: argparse.Namespace) -> int:
    episode = open_episode(_local(store) / args.episode)
    for key, value in episode.metadata.model_dump(exclude={"config", "streams"}).items():
        print(f"{key:<18} {value}")
    print(f"{'stream':<24} {'rows':>7} {'rate Hz':>8} {'gaps':>6} {'invalid':>8}")
    for name in episode.streams:
        stream = episode.stream(name)
        seconds = (stream.t_capture_ns[-1] - stream.t_capture_ns[0]) * 1e-9 if len(stream) else 0
        rate = (len(stream) - 1) / seconds if seconds > 0 else 0.0
        gaps = int(np.clip(np.diff(stream.seq) - 1, 0, None).sum()) if len(stream) else 0
        invalid = int((~stream.valid).sum())
        print(f"{name:<24} {len(stream):>7} {rate:>8.1f} {gaps:>6} {invalid:>8}")
    return 0


def _trim(store: DatasetStore, args: argparse.Namespace) -> int:
    meta = episode_admin.trim(store, args.episode, args.start_s, args.end_s)
    kept = sum(info.count for info in meta.streams.values())
    print(f"{args.episode}: kept {kept} samples; the original is in the trash")
    return 0


def _relabel(store: DatasetStore, args: argparse.Namespace) -> int:
    updates = {name: getattr(args, name) for name in LABELS if getattr(args, name) is not None}
    if not updates:
        raise ValueError("nothing to change: give at least one of --" + ", --".join(LABELS))
    store.update_metadata(args.episode, updates)
    print(f"{args.episode}: " + ", ".join(f"{k} = {v!r}" for k, v in updates.items()))
    return 0


def _delete(store: DatasetStore, args: argparse.Namespace) -> int:
    place = episode_admin.delete(store, args.episode)
    print(f"{args.episode} moved to {place} (dexstation episodes restore brings it back)")
    return 0


def _restore(store: DatasetStore, args: argparse.Namespace) -> int:
    episode_admin.restore(store, args.episode)
    print(f"{args.episode} restored")
    return 0


def _recover(store: DatasetStore) -> int:
    recovered, problems = recover_dataset(store)
    for item in recovered:
        print(f"recovered {item.metadata.episode_id} ({item.duration_s:.1f} s of data)")
    for problem in problems:
        print(f"unreadable, left as it is: {problem}", file=sys.stderr)
    print(f"{len(recovered)} episode(s) recovered")
    return 0


def _local(store: DatasetStore) -> Path:
    if store.local_path is None:
        raise ValueError(f"{store.url}: give the dataset folder")
    return store.local_path
