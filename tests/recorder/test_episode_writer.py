import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts
import zarr

from devices.sample import Sample
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter, RecordingFailed
from recorder.layout import NO_DEVICE_TIME
from recorder.stream_queue import StreamQueue
from recorder.stream_writer import StreamWriter
from tests.recorder.samples import CAMERA, JOINTS, SMALL_SPECS, TACTILE, device_specs, make_sample


def test_every_stream_recorded_with_complete_metadata(record):
    specs = [*SMALL_SPECS, *device_specs()]
    writer, sent = record(specs, n=50)
    episode = open_episode(writer.path)
    meta = episode.metadata
    assert set(episode.streams) == {s.name for s in specs}
    assert meta.status == "complete" and meta.outcome == "success"
    start, end = datetime.fromisoformat(meta.start_utc), datetime.fromisoformat(meta.end_utc)
    assert start <= end and start.utcoffset().total_seconds() == 0
    assert meta.start_monotonic_ns is not None
    assert meta.drops == {s.name: 0 for s in specs}
    for spec in specs:
        data = episode.stream(spec.name)
        assert meta.streams[spec.name].count == len(data) == 50
        assert meta.streams[spec.name].rate_hz == spec.rate_hz
        assert meta.streams[spec.name].family == spec.family
        np.testing.assert_array_equal(data.seq, np.arange(50))
        assert np.all(np.diff(data.t_capture_ns) > 0) and np.all(np.diff(data.t_arrival_ns) > 0)
        for name, f in spec.fields.items():
            if f.encoding == "raw":
                expected = np.stack([s.data[name] for s in sent[spec.name]])
                np.testing.assert_array_equal(data.field(name), expected)


def test_attributes_carry_units_docs_and_the_stream_declaration(record):
    writer, _ = record([TACTILE], n=5)
    group = zarr.open_group(writer.path / "streams" / TACTILE.name, mode="r")
    assert group.attrs["family"] == "tactile" and group.attrs["rate_hz"] == 30.0
    assert group.attrs["fields"]["deform"]["shape"] == [60, 80]
    assert group["f6"].attrs["unit"] == "N, N*m"
    assert group["f6"].attrs["doc"] == "wrench in the elastomer frame"
    assert group["t_capture_ns"].attrs["unit"] == "ns"
    assert zarr.open_group(writer.path, mode="r").attrs["episode_id"] == writer.path.name


def test_jpeg_round_trip_is_close(record):
    writer, sent = record([CAMERA], n=12)
    data = open_episode(writer.path).stream(CAMERA.name)
    frames = data.field("image")
    original = np.stack([s.data["image"] for s in sent[CAMERA.name]])
    assert frames.shape == original.shape and frames.dtype == np.uint8
    assert np.abs(frames.astype(int) - original).mean() < 3.0
    group = zarr.open_group(writer.path / "streams" / CAMERA.name, mode="r")
    offsets = group["image.jpeg_offsets"][:]
    files = group["image.jpeg_bytes"][:]
    assert offsets.shape == (12, 2) and offsets[-1].sum() == len(files)
    for start, length in offsets:  # each frame is a whole JPEG file
        assert bytes(files[start : start + 2]) == b"\xff\xd8"
        assert bytes(files[start + length - 2 : start + length]) == b"\xff\xd9"


def test_tensorstore_reads_what_zarr_reads(record):
    writer, sent = record([TACTILE, JOINTS, *device_specs()[1:2]], n=40)
    for stream, array in [
        (TACTILE.name, "deform"),
        (TACTILE.name, "f6"),
        (TACTILE.name, "t_capture_ns"),
        (TACTILE.name, "valid"),
        (JOINTS.name, "q"),
        ("tactile_left_index", "raw"),
        ("tactile_left_index", "contact_points"),
    ]:
        path = writer.path / "streams" / stream / array
        by_zarr = zarr.open_array(path, mode="r")[:]
        spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)}}
        by_tensorstore = ts.open(spec).result().read().result()
        np.testing.assert_array_equal(by_tensorstore, by_zarr)
    expected = np.stack([s.data["deform"] for s in sent[TACTILE.name]])
    np.testing.assert_array_equal(
        zarr.open_array(writer.path / "streams/tactile_test/deform")[:], expected
    )


def test_dropped_input_frames_are_gaps_not_rows(tmp_path, metadata):
    rng = np.random.default_rng(1)
    writer = EpisodeWriter(tmp_path, [JOINTS, CAMERA], metadata, flush_interval_s=0.2)
    writer.start()
    kept = [0, 1, 2, 5, 6, 9, 10, 14]
    for seq in kept:
        writer.put(make_sample(JOINTS, seq, rng))
        writer.put(make_sample(CAMERA, seq, rng))
    writer.stop()
    episode = open_episode(writer.path)
    for spec in (JOINTS, CAMERA):
        data = episode.stream(spec.name)
        np.testing.assert_array_equal(data.seq, kept)
        assert len(data) == len(kept)
    q = episode.stream(JOINTS.name).field("q")
    assert not np.any(np.all(q == 0, axis=1))


def test_out_of_order_samples_are_written_as_they_arrived(tmp_path, metadata):
    rng = np.random.default_rng(2)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.start()
    order = [0, 2, 1, 3, 5, 4]
    for seq in order:
        writer.put(make_sample(JOINTS, seq, rng))
    writer.stop()
    np.testing.assert_array_equal(open_episode(writer.path).stream(JOINTS.name).seq, order)


def test_invalid_samples_keep_their_data_and_nan(tmp_path, metadata):
    rng = np.random.default_rng(3)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.start()
    good = make_sample(JOINTS, 0, rng)
    bad = make_sample(JOINTS, 1, rng, valid=False)
    bad.data["q"][2:4] = np.nan
    writer.put(good)
    writer.put(bad)
    writer.stop()
    data = open_episode(writer.path).stream(JOINTS.name)
    np.testing.assert_array_equal(data.valid, [True, False])
    q = data.field("q")
    assert np.isnan(q[1, 2:4]).all() and np.isfinite(q[0]).all()
    np.testing.assert_array_equal(q[1], bad.data["q"])


def test_device_time_absent_is_flagged(tmp_path, metadata):
    rng = np.random.default_rng(4)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.start()
    writer.put(make_sample(JOINTS, 0, rng, t_device_ns=123_456))
    writer.put(make_sample(JOINTS, 1, rng, t_device_ns=None))
    writer.stop()
    data = open_episode(writer.path).stream(JOINTS.name)
    np.testing.assert_array_equal(data.has_t_device, [True, False])
    np.testing.assert_array_equal(data.t_device_ns, [123_456, NO_DEVICE_TIME])


def test_put_never_blocks_and_counts_drops_exactly(tmp_path, metadata, monkeypatch):
    release = threading.Event()
    take = StreamQueue.take

    def paused_take(self, n):
        release.wait()
        return take(self, n)

    monkeypatch.setattr(StreamQueue, "take", paused_take)
    rng = np.random.default_rng(5)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, queue_capacity_s=0.5)
    capacity = 100  # 0.5 s at 200 Hz
    samples = [make_sample(JOINTS, i, rng) for i in range(10 * capacity)]
    writer.start()
    time.sleep(0.1)  # the writer thread is running
    slowest = 0.0
    t0 = time.perf_counter()
    for sample in samples:
        t = time.perf_counter()
        writer.put(sample)
        slowest = max(slowest, time.perf_counter() - t)
    total = time.perf_counter() - t0
    stats = writer.stats().streams[JOINTS.name]
    assert stats.capacity == capacity
    assert (stats.queued, stats.dropped, stats.written) == (capacity, 9 * capacity, 0)
    assert slowest < 0.05 and total < 0.5  # the paused writer would hold a blocking put forever
    release.set()
    final = writer.stop()
    assert final.drops[JOINTS.name] == 9 * capacity
    assert final.streams[JOINTS.name].count == capacity
    np.testing.assert_array_equal(
        open_episode(writer.path).stream(JOINTS.name).seq, range(capacity)
    )


def test_undeclared_and_malformed_samples_are_dropped_and_counted(tmp_path, metadata):
    rng = np.random.default_rng(6)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.start()
    writer.put(make_sample(JOINTS, 0, rng))
    writer.put(Sample("ghost", 0, 1, 1, data={"x": np.zeros(3)}))
    writer.put(Sample("ghost", 1, 2, 2, data={"x": np.zeros(3)}))
    writer.put(Sample(JOINTS.name, 1, 3, 3, data={"q": np.zeros(6, np.float32)}))
    writer.put(Sample(JOINTS.name, 2, 4, 4, data={"q": np.zeros(7, np.float64)}))
    writer.put(make_sample(JOINTS, 3, rng))
    final = writer.stop()
    assert final.drops == {JOINTS.name: 2, "ghost": 2}
    np.testing.assert_array_equal(open_episode(writer.path).stream(JOINTS.name).seq, [0, 3])


def test_samples_outside_start_and_stop_are_ignored(tmp_path, metadata):
    rng = np.random.default_rng(7)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.put(make_sample(JOINTS, 0, rng))
    writer.start()
    writer.put(make_sample(JOINTS, 1, rng))
    final = writer.stop()
    writer.put(make_sample(JOINTS, 2, rng))
    assert final.streams[JOINTS.name].count == 1 and final.drops[JOINTS.name] == 0
    assert writer.stats().streams[JOINTS.name].queued == 0


def test_data_reaches_disk_within_a_second_while_recording(tmp_path, metadata):
    rng = np.random.default_rng(8)
    writer = EpisodeWriter(tmp_path, [JOINTS, TACTILE], metadata)
    writer.start()
    early = {s.name: [make_sample(s, i, rng) for i in range(20)] for s in (JOINTS, TACTILE)}
    for samples in early.values():
        for sample in samples:
            writer.put(sample)
    time.sleep(1.0)
    try:
        for spec, field in ((JOINTS, "q"), (TACTILE, "deform")):
            group = zarr.open_group(writer.path / "streams" / spec.name, mode="r")
            assert group["seq"].shape[0] >= 20
            np.testing.assert_array_equal(group["seq"][:20], np.arange(20))
            expected = np.stack([s.data[field] for s in early[spec.name]])
            np.testing.assert_array_equal(group[field][:20], expected)
        assert open_episode(writer.path).metadata.status == "recording"
    finally:
        writer.stop()
    assert max(s.max_wait_s for s in writer.stats().streams.values()) < 1.0


def test_stop_checks_metadata_updates_before_stopping(tmp_path, metadata):
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.start()
    for updates in ({"outcome": "great"}, {"colour": "red"}, {"status": "complete"}):
        with pytest.raises(ValueError):
            writer.stop(updates)
    writer.put(make_sample(JOINTS, 0, np.random.default_rng(9)))
    final = writer.stop({"outcome": "discarded", "notes": "dropped the sponge"})
    assert (final.outcome, final.notes, final.status) == (
        "discarded",
        "dropped the sponge",
        "complete",
    )
    assert final.streams[JOINTS.name].count == 1
    assert open_episode(writer.path).metadata == final
    with pytest.raises(RuntimeError):
        writer.stop()


def test_existing_episode_is_never_overwritten(tmp_path, metadata):
    (tmp_path / metadata.episode_id).mkdir()
    with pytest.raises(FileExistsError):
        EpisodeWriter(tmp_path, [JOINTS], metadata).start()


def test_reserved_field_names_are_refused(tmp_path, metadata):
    spec = JOINTS.__class__("x", "body", 10.0, {"seq": JOINTS.fields["q"]})
    with pytest.raises(ValueError, match="reserved"):
        EpisodeWriter(tmp_path, [spec], metadata)


def test_write_failure_is_reported(tmp_path, metadata, monkeypatch):
    def failing_write(self, batch):
        raise OSError("disk full")

    monkeypatch.setattr(StreamWriter, "write", failing_write)
    writer = EpisodeWriter(tmp_path, [JOINTS], metadata, flush_interval_s=0.2)
    writer.start()
    writer.put(make_sample(JOINTS, 0, np.random.default_rng(10)))
    deadline = time.monotonic() + 2.0
    while writer.stats().error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.stats().error == "disk full"
    with pytest.raises(RecordingFailed, match="disk full"):
        writer.stop()
    assert open_episode(writer.path).metadata.status == "recording"


def test_long_recording_crosses_many_chunks(record):
    writer, sent = record([TACTILE, JOINTS], n=600, queue_capacity_s=100.0)
    episode = open_episode(writer.path)
    for spec, field in ((TACTILE, "deform"), (JOINTS, "q")):
        expected = np.stack([s.data[field] for s in sent[spec.name]])
        np.testing.assert_array_equal(episode.stream(spec.name).field(field), expected)


RECORD_UNTIL_KILLED = """
import sys, time
import numpy as np
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import SMALL_SPECS, make_sample

meta = EpisodeMetadata.model_validate_json(sys.argv[2])
writer = EpisodeWriter(sys.argv[1], SMALL_SPECS, meta)
writer.start()
rng = np.random.default_rng(0)
t0 = time.monotonic()
for i in range(100_000):
    for spec in SMALL_SPECS:
        if i % round(200 / spec.rate_hz) == 0:
            writer.put(make_sample(spec, i // round(200 / spec.rate_hz), rng))
    if i % 20 == 0:
        print(i // 20, flush=True)
    time.sleep(max(0.0, t0 + (i + 1) / 200 - time.monotonic()))
"""


def test_killed_recording_keeps_all_but_the_last_second(tmp_path, metadata):
    repo = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", RECORD_UNTIL_KILLED, str(tmp_path), metadata.model_dump_json()],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        stdout=subprocess.PIPE,
        text=True,
    )
    progress: list[tuple[float, int]] = []  # (arrival time, tenths of a second recorded)
    reader = threading.Thread(
        target=lambda: progress.extend((time.monotonic(), int(line)) for line in child.stdout)
    )
    reader.start()
    deadline = time.monotonic() + 30.0
    while not progress and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(2.5)
    t_kill = time.monotonic()
    child.send_signal(signal.SIGKILL)
    child.wait()
    reader.join()
    assert progress, "the recording child printed nothing"
    safe_tenths = max((tenths for t, tenths in progress if t < t_kill - 1.0), default=0)
    assert safe_tenths >= 10
    episode = open_episode(tmp_path / metadata.episode_id)
    assert episode.metadata.status == "recording"
    for spec in SMALL_SPECS:
        data = episode.stream(spec.name)
        assert len(data) >= safe_tenths * spec.rate_hz / 10
        np.testing.assert_array_equal(data.seq, np.arange(len(data)))
        for field in spec.fields:
            assert len(data.field(field)) == len(data)
