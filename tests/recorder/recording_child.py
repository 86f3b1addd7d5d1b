"""Recording processes that die, for the recovery tests:
``python -m tests.recorder.recording_child MODE ROOT`` records into dataset ROOT and

- ``until-killed``: records one short complete episode and prints ``complete <id>``, then starts
  another, prints ``recording <id>`` and feeds it in real time (camera and tactile at 30 Hz,
  joints at 200 Hz, stamped with the monotonic clock) until it is killed;
- ``exit-when-written``: puts EPISODE_SAMPLES samples of each stream (``make_sample``), waits
  until every one is on disk, prints ``recording <id>`` and exits without stopping the writer;
- ``exit-while-starting``: exits while the writer creates its second stream.
"""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from devices.sample import Sample
from recorder import stream_writer
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import EPISODE_SAMPLES, SMALL_SPECS, make_sample, sample_data

REPO = Path(__file__).resolve().parents[2]


def spawn(mode: str, root: Path) -> subprocess.Popen:
    """Start ``python -m tests.recorder.recording_child MODE ROOT`` (stdout piped, text)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.recorder.recording_child", mode, str(root)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )


def feed(writer: EpisodeWriter, seconds: float) -> None:
    """Put samples of every spec at its rate, stamped now, for ``seconds`` (forever if inf)."""
    rng = np.random.default_rng(0)
    start = time.monotonic_ns()
    seqs = dict.fromkeys((s.name for s in SMALL_SPECS), 0)
    while (time.monotonic_ns() - start) * 1e-9 < seconds:
        now = time.monotonic_ns()
        for spec in SMALL_SPECS:
            due = start + int(seqs[spec.name] * 1e9 / spec.rate_hz)
            if due <= now:
                data = sample_data(spec, seqs[spec.name], rng)
                writer.put(Sample(spec.name, seqs[spec.name], now, now, None, True, data))
                seqs[spec.name] += 1
        time.sleep(0.001)


def episode(root: Path, flush_interval_s: float = 1.0) -> EpisodeWriter:
    meta = EpisodeMetadata(
        episode_id=new_episode_id("kill test", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="kill test",
    )
    writer = EpisodeWriter(root, SMALL_SPECS, meta, flush_interval_s)
    writer.start()
    return writer


def until_killed(root: Path) -> None:
    writer = episode(root)
    feed(writer, 0.3)
    DatasetStore.open(root).write_catalog_entry(writer.stop({"outcome": "success"}))
    print("complete", writer.path.name, flush=True)
    writer = episode(root)
    print("recording", writer.path.name, flush=True)
    feed(writer, float("inf"))


def exit_when_written(root: Path) -> None:
    writer = episode(root, flush_interval_s=0.1)
    rng = np.random.default_rng(1)
    for seq in range(EPISODE_SAMPLES):
        for spec in SMALL_SPECS:
            writer.put(make_sample(spec, seq, rng))
    while any(s.written < EPISODE_SAMPLES for s in writer.stats().streams.values()):
        time.sleep(0.01)
    print("recording", writer.path.name, flush=True)
    os._exit(0)


def exit_while_starting(root: Path) -> None:
    real_init = stream_writer.StreamWriter.__init__
    created = []

    def init(self, *args, **kwargs):
        if created:
            print("starting", root, flush=True)
            os._exit(0)
        created.append(self)
        real_init(self, *args, **kwargs)

    stream_writer.StreamWriter.__init__ = init
    episode(root)


if __name__ == "__main__":
    modes = {
        "until-killed": until_killed,
        "exit-when-written": exit_when_written,
        "exit-while-starting": exit_while_starting,
    }
    modes[sys.argv[1]](Path(sys.argv[2]))
