"""Recovery of interrupted episodes: every array of a stream cut to the rows all of them hold
readably, never a zero-filled row, idempotent, and nothing else touched."""

import json
import shutil
import time
from datetime import datetime, timedelta

import numpy as np
import pytest
import zarr

from recorder import recovery
from recorder.catalog import Catalog
from recorder.dataset_store import DatasetStore
from recorder.episode_reader import EpisodeFormatError, open_episode
from recorder.recovery import RECOVERED_NOTE, RecoveryReport, recover_dataset, recover_episode
from tests.recorder.files import digest
from tests.recorder.recording_child import spawn
from tests.recorder.samples import (
    CAMERA,
    EPISODE_SAMPLES,
    JOINTS,
    SMALL_SPECS,
    TACTILE,
    record_episode,
)

N = EPISODE_SAMPLES


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """An interrupted episode: N samples of each stream on disk, then the process exited."""
    root = tmp_path_factory.mktemp("interrupted")
    child = spawn("exit-when-written", root)
    kind, episode_id = child.stdout.readline().split()
    assert kind == "recording" and child.wait() == 0
    return root / episode_id


@pytest.fixture
def interrupted(written, tmp_path):
    """A copy of ``written`` in a dataset beside one complete episode; (store, folder, other)."""
    folder = tmp_path / written.name
    shutil.copytree(written, folder)
    return DatasetStore.open(tmp_path), folder, record_episode(tmp_path, "lab")


def set_rows(array_folder, rows: int) -> None:
    """Change an array's shape as a publish that did not happen (or did) would have left it."""
    document = json.loads((array_folder / "zarr.json").read_text())
    document["shape"][0] = rows
    (array_folder / "zarr.json").write_text(json.dumps(document))


def shapes(stream_folder) -> dict[str, int]:
    group = zarr.open_group(stream_folder, mode="r")
    return {name: array.shape[0] for name, array in group.arrays()}


def test_an_interrupted_episode_is_finalised_with_all_it_wrote(interrupted):
    store, folder, other = interrupted
    before = digest(store.local_path, other)
    assert open_episode(folder).metadata.status == "recording"
    assert (folder / "writer.lock").exists()
    report = recover_dataset(store)
    assert [r.metadata.episode_id for r in report.recovered] == [folder.name]
    (result,) = report.recovered
    assert result.cut_rows == 0
    assert result.duration_s == pytest.approx((N - 1) / CAMERA.rate_hz)  # make_sample's times
    episode = open_episode(folder)
    meta = episode.metadata
    assert meta.status == "recovered" and meta.notes == RECOVERED_NOTE
    assert {n: i.count for n, i in meta.streams.items()} == {s.name: N for s in SMALL_SPECS}
    last = max(int(episode.stream(s.name).t_capture_ns.max()) for s in SMALL_SPECS)
    end = datetime.fromisoformat(meta.start_utc) + timedelta(
        microseconds=(last - meta.start_monotonic_ns) / 1e3
    )
    assert datetime.fromisoformat(meta.end_utc) == end
    assert not (folder / "writer.lock").exists()
    for spec in SMALL_SPECS:
        np.testing.assert_array_equal(episode.stream(spec.name).seq, np.arange(N))
    catalog = Catalog(store, store.local_path / "cache.json")
    catalog.refresh()
    assert {row.episode_id: row.status for row in catalog.rows()} == {
        other: "complete",
        folder.name: "recovered",
    }
    assert digest(store.local_path, other) == before


def test_rows_some_arrays_lack_are_cut_from_every_array(interrupted):
    _, folder, _ = interrupted
    stream = folder / "streams" / TACTILE.name
    set_rows(stream / "valid", N - 3)  # its last publish did not happen
    (stream / "deform" / "c.99.0.0").write_bytes(b"never published")
    (stream / "f6" / "c.0.0.partial").write_bytes(b"a replace cut short")
    result = recover_episode(folder)
    assert result.cut_rows == 3
    assert set(shapes(stream).values()) == {N - 3}
    assert not (stream / "deform" / "c.99.0.0").exists()
    assert not list(folder.rglob("*.partial"))
    tactile = open_episode(folder).stream(TACTILE.name)
    np.testing.assert_array_equal(tactile.seq, np.arange(N - 3))
    assert tactile.field("deform").any(axis=(1, 2)).all()  # no zero-filled row
    assert result.metadata.streams[TACTILE.name].count == N - 3
    assert result.metadata.streams[JOINTS.name].count == N


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_last_chunk_that_does_not_decode_is_cut_not_zero_filled(interrupted, damage):
    _, folder, _ = interrupted
    array = folder / "streams" / TACTILE.name / "deform"
    chunk_rows = zarr.open_array(array, mode="r").chunks[0]
    last = (N - 1) // chunk_rows
    chunk = array / f"c.{last}.0.0"
    if damage == "truncated":
        chunk.write_bytes(chunk.read_bytes()[:50])
    else:
        chunk.unlink()
    with pytest.raises(EpisodeFormatError, match="deform: damaged"):
        open_episode(folder).stream(TACTILE.name).field("deform")
    recover_episode(folder)
    tactile = open_episode(folder).stream(TACTILE.name)
    assert len(tactile) == last * chunk_rows
    assert tactile.field("deform").any(axis=(1, 2)).all()


def test_frames_whose_bytes_are_not_all_there_are_cut(interrupted):
    _, folder, _ = interrupted
    stream = folder / "streams" / CAMERA.name
    offsets = zarr.open_array(stream / "image.jpeg_offsets", mode="r")[:]
    set_rows(stream / "image.jpeg_bytes", int(offsets[-2].sum()) + 10)  # the last frame is cut
    recover_episode(folder)
    assert shapes(stream)["image.jpeg_bytes"] == int(offsets[-2].sum())
    camera = open_episode(folder).stream(CAMERA.name)
    assert len(camera) == N - 1 and camera.field("image").shape[0] == N - 1


def test_recovery_is_idempotent_even_when_interrupted_itself(interrupted, monkeypatch):
    _, folder, _ = interrupted
    set_rows(folder / "streams" / JOINTS.name / "q", N - 5)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as a kill after cutting the arrays, before the metadata

    monkeypatch.setattr(recovery, "_recovered_metadata", killed)
    with pytest.raises(KeyboardInterrupt):
        recover_episode(folder)
    monkeypatch.undo()
    assert open_episode(folder).metadata.status == "recording"
    first = recover_episode(folder)
    assert first.metadata.streams[JOINTS.name].count == N - 5
    after = digest(folder)
    assert recover_episode(folder) is None
    assert digest(folder) == after


def test_a_live_recording_is_never_recovered(tmp_path):
    child = spawn("until-killed", tmp_path)
    child.stdout.readline()
    live = tmp_path / child.stdout.readline().split()[1]
    try:
        time.sleep(0.3)
        assert recover_episode(live) is None
        assert recover_dataset(tmp_path).live == [live.name]
        assert open_episode(live).metadata.status == "recording"
    finally:
        child.kill()
        child.wait()
    assert recover_episode(live).metadata.status == "recovered"


def test_a_recording_killed_while_starting_leaves_nothing(tmp_path):
    child = spawn("exit-while-starting", tmp_path)
    assert child.stdout.readline().startswith("starting") and child.wait() == 0
    (folder,) = tmp_path.iterdir()
    assert not (folder / "zarr.json").exists()  # not an episode for any reader
    assert DatasetStore.open(tmp_path).episode_ids() == []
    assert recover_dataset(tmp_path) == RecoveryReport(removed=[folder.name])
    assert list(tmp_path.iterdir()) == []


def test_unreadable_episodes_are_reported_by_name_and_the_rest_recovered(interrupted):
    store, folder, other = interrupted
    broken = store.local_path / "20261122T000000Z-lab-0badc0de"
    broken.mkdir()
    (broken / "zarr.json").write_text("{ not json")
    report = recover_dataset(store)
    assert [r.metadata.episode_id for r in report.recovered] == [folder.name]
    (problem,) = report.problems
    assert f"{broken}/zarr.json" in problem and "episodes delete" in problem
    assert open_episode(store.local_path / other).metadata.status == "complete"


def test_finished_episodes_are_left_alone(tmp_path):
    kept = record_episode(tmp_path, "lab")
    before = digest(tmp_path)
    assert recover_episode(tmp_path / kept) is None
    assert recover_dataset(tmp_path) == RecoveryReport()
    assert digest(tmp_path) == before


def test_an_object_store_is_refused_with_the_fix(tmp_path):
    store = DatasetStore.open(tmp_path)
    store.local_path, store.url = None, "s3://bucket/ds"
    with pytest.raises(ValueError, match="s3://bucket/ds: recover runs where episodes are"):
        recover_dataset(store)
