"""Coverage of 10,000 episodes: catalog rebuild and coverage query times.

Writes the metadata of ``--episodes`` synthetic episodes (each ``<id>/zarr.json`` group, as the
recorder leaves it, and its catalog entry) into a temporary local dataset, then measures:

- ``rebuild_s``: recreate every catalog entry from the episodes' own metadata, and read them;
- ``cold_query_s``: coverage with no local catalog cache (reads every catalog entry);
- ``query_s``: coverage as a station or data lead asks it again: list the catalog, read what
  changed (one relabelled episode), tally the curriculum and rank the next combinations.

    python benchmarks/coverage.py --episodes 10000
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.config import load_config
from recorder.catalog import Catalog
from recorder.coverage import compute_coverage, next_up
from recorder.curriculum import load_curriculum
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.metadata import EpisodeMetadata

OPERATORS = ("ana", "ben", "chen", "dara", "eli", "fatima")
STATIONS = ("lab-a", "lab-b", "lab-c")
OUTCOMES = ("success",) * 14 + ("failure",) * 4 + ("discarded", None)


def synthetic(count: int, seed: int) -> list[EpisodeMetadata]:
    """Episodes over 60 days, mostly on curriculum combinations, some outside it."""
    rng = random.Random(seed)
    curriculum = load_curriculum()
    config = load_config().model_dump(mode="json")  # as large as a real episode's
    targets = curriculum.targets
    start = datetime(2026, 9, 1, tzinfo=UTC)
    episodes = []
    for _ in range(count):
        t0 = start + timedelta(seconds=rng.uniform(0, 60 * 86400))
        target = rng.choice(targets)
        primitive, obj = (
            (target.primitive, target.object)
            if rng.random() < 0.95
            else (rng.choice(curriculum.primitives).name, "unlisted object")
        )
        station = rng.choice(STATIONS)
        episodes.append(
            EpisodeMetadata(
                episode_id=new_episode_id(station, t0),
                primitive=primitive,
                object=obj,
                operator=rng.choice(OPERATORS),
                station=station,
                outcome=rng.choice(OUTCOMES),
                start_utc=t0.isoformat(),
                end_utc=(t0 + timedelta(seconds=rng.uniform(20, 120))).isoformat(),
                status="complete",
                config=config,
            )
        )
    return episodes


def write_dataset(root: Path, episodes: list[EpisodeMetadata], store: DatasetStore) -> None:
    """Each episode's group ``zarr.json`` (metadata as attributes) and its catalog entry."""
    for metadata in episodes:
        folder = root / metadata.episode_id
        folder.mkdir()
        group = {
            "zarr_format": 3,
            "node_type": "group",
            "attributes": metadata.model_dump(mode="json"),
        }
        (folder / "zarr.json").write_text(json.dumps(group))
        store.write_catalog_entry(metadata)


def query(catalog: Catalog) -> tuple[float, int]:
    """Refresh, tally and rank; returns (seconds, successes counted)."""
    curriculum = load_curriculum()
    start = time.perf_counter()
    catalog.refresh()
    coverage = compute_coverage(catalog.rows(), curriculum)
    next_up(coverage)
    return time.perf_counter() - start, coverage.total.successes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp) / "dataset", Path(tmp) / "cache.json"
        root.mkdir()
        store = DatasetStore.open(root)
        episodes = synthetic(args.episodes, args.seed)
        start = time.perf_counter()
        write_dataset(root, episodes, store)
        write_s = time.perf_counter() - start

        start = time.perf_counter()
        Catalog(store, cache).rebuild()
        rebuild_s = time.perf_counter() - start

        cache.unlink()
        cold_query_s, _ = query(Catalog(store, cache))
        store.update_metadata(episodes[0].episode_id, {"outcome": "failure"})
        query_s, successes = query(Catalog(store, cache))
    result = {
        "episodes": args.episodes,
        "write_s": round(write_s, 3),
        "rebuild_s": round(rebuild_s, 3),
        "cold_query_s": round(cold_query_s, 3),
        "query_s": round(query_s, 3),
        "successes": successes,
    }
    for key, value in result.items():
        print(f"{key:14s} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
