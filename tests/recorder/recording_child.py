"""A recording process for the kill tests: ``python -m tests.recorder.recording_child ROOT``.

Records one short complete episode into dataset ROOT and prints ``complete <id>``, then starts
another, prints ``recording <id>`` and feeds it in real time (camera and tactile at 30 Hz,
joints at 200 Hz) until it is killed.
"""

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from devices.sample import Sample
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import CAMERA, JOINTS, TACTILE, sample_data

SPECS = (CAMERA, TACTILE, JOINTS)


def feed(writer: EpisodeWriter, seconds: float) -> None:
    """Put samples of every spec at its rate, stamped now, for ``seconds`` (forever if inf)."""
    rng = np.random.default_rng(0)
    start = time.monotonic_ns()
    seqs = dict.fromkeys((s.name for s in SPECS), 0)
    while (time.monotonic_ns() - start) * 1e-9 < seconds:
        now = time.monotonic_ns()
        for spec in SPECS:
            due = start + int(seqs[spec.name] * 1e9 / spec.rate_hz)
            if due <= now:
                data = sample_data(spec, seqs[spec.name], rng)
                writer.put(Sample(spec.name, seqs[spec.name], now, now, None, True, data))
                seqs[spec.name] += 1
        time.sleep(0.001)


def episode(root: Path) -> EpisodeWriter:
    meta = EpisodeMetadata(
        episode_id=new_episode_id("kill test", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="kill test",
    )
    writer = EpisodeWriter(root, SPECS, meta)
    writer.start()
    return writer


def main() -> None:
    root = Path(sys.argv[1])
    writer = episode(root)
    feed(writer, 0.3)
    DatasetStore.open(root).write_catalog_entry(writer.stop({"outcome": "success"}))
    print("complete", writer.path.name, flush=True)
    writer = episode(root)
    print("recording", writer.path.name, flush=True)
    feed(writer, float("inf"))


if __name__ == "__main__":
    main()
