"""``dexstation coverage``: how far a dataset covers a curriculum, and what to record next."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from recorder.catalog import Catalog
from recorder.coverage import compute_coverage, next_up
from recorder.coverage_report import to_csv, to_html, to_json, to_text
from recorder.curriculum import CurriculumError, load_curriculum
from recorder.dataset_store import DatasetStore


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``coverage`` subcommand."""
    parser = sub.add_parser("coverage", help="curriculum coverage of a dataset")
    parser.add_argument("--dataset", required=True, help="dataset root: a folder or s3:// URL")
    parser.add_argument("--endpoint-url", default=None, help="S3-compatible endpoint")
    parser.add_argument(
        "--curriculum", type=Path, default=None, help="curriculum TOML (default: T-Rex)"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", action="store_true", help="print one CSV line per combination")
    output.add_argument("--html", type=Path, metavar="REPORT", help="write an HTML report")
    parser.add_argument("--next", type=int, default=5, help="how many suggestions to list")
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the catalog from the episodes first"
    )


def run(args: argparse.Namespace) -> int:
    """Print or write the coverage report; returns the exit status."""
    try:
        curriculum = load_curriculum(args.curriculum)
    except CurriculumError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        store = DatasetStore.open(args.dataset, endpoint_url=args.endpoint_url)
        if store.local_path is not None and not store.local_path.is_dir():
            raise FileNotFoundError("no such dataset folder (check --dataset)")
        catalog = Catalog(store)
        if args.rebuild:
            catalog.rebuild(_progress)
        else:
            catalog.refresh()
    except (OSError, ValueError) as exc:
        print(f"{args.dataset}: {exc}", file=sys.stderr)
        return 2
    coverage = compute_coverage(catalog.rows(), curriculum)
    upcoming = next_up(coverage, count=args.next)
    if args.json:
        print(json.dumps(to_json(coverage, upcoming), indent=1))
    elif args.csv:
        sys.stdout.write(to_csv(coverage))
    elif args.html:
        title = f"{curriculum.name}: coverage of {store.url}"
        args.html.write_text(to_html(coverage, upcoming, title))
        print(f"wrote {args.html}")
    else:
        sys.stdout.write(to_text(coverage, upcoming))
    return 0


def _progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr for long catalog rebuilds."""
    width = 40
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    print(f"\rrebuilding catalog [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
          end=end, file=sys.stderr, flush=True)  # fmt: skip
