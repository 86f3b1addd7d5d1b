"""A disk that fills up: recording stops with a clear message, what was written reads back as
consistent rows equal to the samples sent (never zero-filled), and recovery finalises it."""

import errno
import os
import time

import numpy as np
import pytest
import zarr

from recorder import zarr_append
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter, RecordingFailed
from recorder.recovery import recover_episode
from tests.recorder.files import digest
from tests.recorder.samples import SMALL_SPECS, make_sample, record_episode

ROUNDS, PER_ROUND = 6, 10


@pytest.fixture
def disk(monkeypatch):
    """``disk(free)``: from then on writes of the recorder fail with ENOSPC once ``free`` bytes
    are written, the write that crosses it written in part, as a full filesystem does."""
    real_pwrite = os.pwrite

    def fill(free: int) -> None:
        left = [free]

        def pwrite(fd, data, offset):
            if left[0] <= 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            written = real_pwrite(fd, memoryview(data)[: left[0]], offset)
            left[0] -= written
            return written

        monkeypatch.setattr(zarr_append.os, "pwrite", pwrite)

    return fill


@pytest.mark.parametrize("free", [0, 30_000, 120_000, 250_000])
def test_a_full_disk_stops_cleanly_and_leaves_a_consistent_partial_episode(
    tmp_path, metadata, disk, free
):
    other = record_episode(tmp_path, "lab")
    before = digest(tmp_path, other)
    writer = EpisodeWriter(tmp_path, SMALL_SPECS, metadata, flush_interval_s=0.2)
    writer.start()
    disk(free)
    rng = np.random.default_rng(3)
    sent = {
        s.name: [make_sample(s, i, rng) for i in range(ROUNDS * PER_ROUND)] for s in SMALL_SPECS
    }
    for k in range(ROUNDS):
        for spec in SMALL_SPECS:
            for sample in sent[spec.name][k * PER_ROUND : (k + 1) * PER_ROUND]:
                writer.put(sample)
        time.sleep(0.15)
    deadline = time.monotonic() + 5.0
    while writer.stats().error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(RecordingFailed, match=r"No space left on device.*dexstation recover"):
        writer.stop()
    episode = open_episode(writer.path)
    assert episode.metadata.status == "recording"
    for recovered in (False, True):
        for spec in SMALL_SPECS:
            stream = episode.stream(spec.name)
            rows = len(stream)
            np.testing.assert_array_equal(stream.seq, np.arange(rows))  # gaps never filled
            for field, f in spec.fields.items():
                expected = np.array([s.data[field] for s in sent[spec.name][:rows]])
                expected = expected.reshape(rows, *f.shape)
                if f.encoding == "jpeg":
                    assert stream.field(field).shape == expected.shape
                else:
                    np.testing.assert_array_equal(stream.field(field), expected)
            if recovered:
                group = zarr.open_group(stream.path, mode="r")
                per_row = {a.shape[0] for n, a in group.arrays() if "jpeg_bytes" not in n}
                assert per_row == {rows}
        if not recovered:
            with pytest.raises(OSError, match="No space left"):  # still full: nothing changes
                recover_episode(writer.path)
            assert open_episode(writer.path).metadata.status == "recording"
            disk(10**9)  # space freed
            assert recover_episode(writer.path).metadata.status == "recovered"
            episode = open_episode(writer.path)
    assert digest(tmp_path, other) == before


def test_a_disk_full_at_start_leaves_nothing_behind(tmp_path, metadata, disk):
    disk(0)
    with pytest.raises(OSError, match="No space left on device"):
        EpisodeWriter(tmp_path, SMALL_SPECS, metadata).start()
    assert list(tmp_path.iterdir()) == []
