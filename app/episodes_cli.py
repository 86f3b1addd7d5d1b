"""``dexstation episodes list|show|trim|relabel|delete|restore|purge`` and ``dexstation recover``.

Episodes are named by id only; filters and labels are matched or stored as text, never used
as paths. Delete moves to the dataset's trash, restore brings back, purge empties the trash of
one episode for good. Listing reports, after the episodes, every one that needs attention
(:mod:`recorder.dataset_check`): an interrupted recording, an unreadable or uncatalogued
episode.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np

from recorder import episode_admin
from recorder.catalog import Catalog, CatalogRow
from recorder.dataset_check import attention
from recorder.dataset_store import DatasetStore, DatasetStoreError
from recorder.episode_id import is_episode_id
from recorder.episode_reader import EpisodeFormatError, StreamData, open_episode
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
    listing.add_argument("--trash", action="store_true", help="list the trash instead")
    listing.add_argument(
        "--check", action="store_true", help="also read every episode's metadata and timing"
    )
    show = actions.add_parser("show", help="metadata and per-stream counts, rates and gaps")
    trim = actions.add_parser("trim", help="keep only START..END s (the original goes to trash)")
    relabel = actions.add_parser("relabel", help="change an episode's labels")
    delete = actions.add_parser("delete", help="move an episode to the dataset's trash")
    restore = actions.add_parser("restore", help="bring an episode back from the trash")
    purge = actions.add_parser("purge", help="remove an episode from the trash for good")
    for parser in (show, trim, relabel, delete, restore, purge):
        parser.add_argument("episode", help="episode id")
    trim.add_argument("start_s", type=float, help="s after the episode's first sample")
    trim.add_argument("end_s", type=float, help="s after the episode's first sample")
    for name in LABELS:
        relabel.add_argument(f"--{name}")
    for parser in (listing, show, trim, relabel, delete, restore, purge):
        parser.add_argument("--dataset", required=True, help="dataset folder (or s3:// URL)")
        parser.add_argument("--endpoint-url", default=None, help="S3-compatible endpoint")
    recover = sub.add_parser("recover", help="finalise episodes interrupted by a crash")
    recover.add_argument("--dataset", required=True, help="dataset (or spool) folder")


def run(args: argparse.Namespace) -> int:
    """Run ``episodes`` or ``recover``; errors are printed as ``dexstation: ...``, exit 2."""
    try:
        store = DatasetStore.open(args.dataset, endpoint_url=getattr(args, "endpoint_url", None))
        if store.local_path is not None and not store.local_path.is_dir():
            raise FileNotFoundError(f"{store.local_path}: no such dataset folder (check --dataset)")
        if args.command == "recover":
            return _recover(store)
        return {
            "list": _list,
            "show": _show,
            "trim": _trim,
            "relabel": _relabel,
            "delete": _delete,
            "restore": _restore,
            "purge": _purge,
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
    if args.trash:
        trashed = episode_admin.list_trash(store)
        print("\n".join([*trashed, f"{len(trashed)} episode(s) in the trash"]))
        return 0
    catalog = Catalog(store)
    catalog.refresh()
    rows = [row for row in catalog.rows() if _matches(row, args)]
    for row in rows:
        print(
            f"{row.episode_id}  {row.primitive:<16} {row.object:<16} {row.operator:<10} "
            f"{row.outcome or '-':<9} {row.status:<9} {row.duration_s:7.1f} s"
        )
    print(f"{len(rows)} episode(s)")
    if store.local_path is not None:
        listed = [row.episode_id for row in catalog.rows()]
        for problem in attention(store.local_path, listed, check=args.check):
            print(f"attention: {problem}", file=sys.stderr)
    return 0


def _show(store: DatasetStore, args: argparse.Namespace) -> int:
    episode = open_episode(_episode_folder(store, args.episode))
    for key, value in episode.metadata.model_dump(exclude={"config", "streams"}).items():
        print(f"{key:<18} {value}")
    print(
        f"{'stream':<24} {'rows':>7} {'nominal Hz':>10} {'measured Hz':>11} {'missing':>8} "
        f"{'longest gap s':>13} {'invalid':>8}"
    )
    damaged = []
    for name in episode.streams:
        try:
            stream = episode.stream(name)
        except EpisodeFormatError as exc:
            damaged.append(str(exc))
            print(f"{name:<24} damaged")
            continue
        print(_stream_line(stream))
    for problem in damaged:
        print(f"dexstation: {problem}", file=sys.stderr)
    return 2 if damaged else 0


def _stream_line(stream: StreamData) -> str:
    """One row of ``show``: rows, nominal and measured rates (Hz), samples missing from the
    device's sequence, the longest time between captures (s), invalid rows."""
    t = np.sort(stream.t_capture_ns) * 1e-9
    span = t[-1] - t[0] if len(t) else 0.0
    measured = (len(t) - 1) / span if span > 0 else 0.0
    missing = int(np.clip(np.diff(stream.seq) - 1, 0, None).sum()) if len(t) else 0
    longest = float(np.diff(t).max()) if len(t) > 1 else 0.0
    invalid = int((~stream.valid).sum())
    return (
        f"{stream.name:<24} {len(stream):>7} {stream.spec.rate_hz:>10.1f} {measured:>11.1f} "
        f"{missing:>8} {longest:>13.3f} {invalid:>8}"
    )


def _trim(store: DatasetStore, args: argparse.Namespace) -> int:
    meta = episode_admin.trim(store, args.episode, args.start_s, args.end_s)
    kept = sum(info.count for info in meta.streams.values())
    print(f"{args.episode}: kept {kept} samples; the original is in the trash")
    return 0


def _relabel(store: DatasetStore, args: argparse.Namespace) -> int:
    updates = {name: getattr(args, name) for name in LABELS if getattr(args, name) is not None}
    if not updates:
        raise ValueError("nothing to change: give at least one of --" + ", --".join(LABELS))
    episode_admin.relabel(store, args.episode, updates)
    print(f"{args.episode}: " + ", ".join(f"{k} = {v!r}" for k, v in updates.items()))
    return 0


def _delete(store: DatasetStore, args: argparse.Namespace) -> int:
    place = episode_admin.delete(store, args.episode)
    print(f"{args.episode} moved to {place} (dexstation episodes restore brings it back)")
    return 0


def _restore(store: DatasetStore, args: argparse.Namespace) -> int:
    if episode_admin.restore(store, args.episode) is None:
        print(f"{args.episode} restored, but not catalogued: it is unreadable or unfinished")
    else:
        print(f"{args.episode} restored")
    return 0


def _purge(store: DatasetStore, args: argparse.Namespace) -> int:
    episode_admin.purge(store, args.episode)
    print(f"{args.episode} removed from the trash for good")
    return 0


def _recover(store: DatasetStore) -> int:
    report = recover_dataset(store)
    for item in report.recovered:
        print(
            f"recovered {item.metadata.episode_id}: {item.duration_s:.1f} s of samples kept, "
            f"{item.cut_rows} row(s) not every array held cut"
        )
    for episode_id in report.removed:
        print(f"removed {episode_id}: killed while starting, it held no sample")
    for episode_id in report.live:
        print(f"left alone {episode_id}: still recording")
    print(f"{len(report.recovered)} episode(s) recovered")
    for problem in report.problems:
        print(f"dexstation: left as it is: {problem}", file=sys.stderr)
    return 2 if report.problems else 0


def _episode_folder(store: DatasetStore, episode_id: str) -> Path:
    """``<root>/<episode_id>`` of a local dataset; ValueError for a bad id or an object store."""
    if not is_episode_id(episode_id):
        raise ValueError(f"{episode_id!r} is not an episode id")
    if store.local_path is None:
        raise ValueError(f"{store.url}: show reads a local dataset folder; give the folder")
    return store.local_path / episode_id
