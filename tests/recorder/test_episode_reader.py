import json
import logging
import shutil
from datetime import UTC, datetime

import numpy as np
import pytest
import zarr

from recorder.episode_id import new_episode_id
from recorder.episode_reader import EpisodeFormatError, list_episodes, open_episode, read_metadata
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import CAMERA, JOINTS, SMALL_SPECS, TACTILE, record_episode


def test_streams_fields_and_spec_round_trip(record):
    writer, sent = record(SMALL_SPECS, n=10)
    episode = open_episode(writer.path)
    assert episode.path == writer.path
    assert episode.streams == tuple(sorted(s.name for s in SMALL_SPECS))
    data = episode.stream(TACTILE.name)
    assert data.spec == TACTILE and data.fields == ("deform", "f6") and len(data) == 10
    for name in ("seq", "t_capture_ns", "t_arrival_ns", "t_device_ns"):
        assert getattr(data, name).dtype == np.int64
    assert data.valid.dtype == bool and data.has_t_device.dtype == bool
    np.testing.assert_array_equal(data.t_capture_ns, [s.t_capture_ns for s in sent[TACTILE.name]])
    np.testing.assert_array_equal(data.frame("f6", -1), sent[TACTILE.name][-1].data["f6"])


def test_jpeg_frames_decode_lazily_and_all_at_once(record):
    writer, _ = record([CAMERA], n=6)
    data = open_episode(writer.path).stream(CAMERA.name)
    frames = data.field("image")
    assert frames.shape == (6, 48, 64, 3)
    for i in (0, 3, -1):
        np.testing.assert_array_equal(data.frame("image", i), frames[i])
    with pytest.raises(IndexError):
        data.frame("image", 6)
    np.testing.assert_array_equal(data.field("frame_id"), np.arange(6))


def test_unknown_stream_or_field_names_the_alternatives(record):
    writer, _ = record([JOINTS], n=2)
    episode = open_episode(writer.path)
    with pytest.raises(KeyError, match=JOINTS.name):
        episode.stream("nope")
    with pytest.raises(KeyError, match="'q'"):
        episode.stream(JOINTS.name).field("nope")


def test_stream_length_is_its_shortest_array(record):
    writer, _ = record([JOINTS], n=8)
    zarr.open_array(writer.path / "streams" / JOINTS.name / "q", mode="r+").resize((5, 7))
    data = open_episode(writer.path).stream(JOINTS.name)
    assert len(data) == 5 and len(data.seq) == 5 and data.field("q").shape == (5, 7)


def test_list_episodes_sorted_skipping_broken_ones(tmp_path, caplog):
    ids = []
    for t in ("2026-11-22T05:12:00+00:00", "2026-11-21T05:12:00+00:00"):
        meta = EpisodeMetadata(
            episode_id=new_episode_id("s", datetime.fromisoformat(t)),
            primitive="pinch",
            object="coin",
            operator="bo",
            station="s",
        )
        writer = EpisodeWriter(tmp_path, [JOINTS], meta, flush_interval_s=0.2)
        writer.start()
        writer.stop()
        ids.append(meta.episode_id)
    broken = tmp_path / new_episode_id("s", datetime.now(UTC))
    for folder in (broken, tmp_path / "broken", tmp_path / ".trash"):
        folder.mkdir()
        (folder / "zarr.json").write_text("{not json")
    (tmp_path / "notes").mkdir()
    (tmp_path / "README.txt").write_text("hello")
    with caplog.at_level(logging.WARNING):
        found = list_episodes(tmp_path)
    assert [episode_id for episode_id, _ in found] == sorted(ids)
    assert all(meta.status == "complete" for _, meta in found)
    assert f"{broken}/zarr.json: not a zarr v3 group" in caplog.text
    assert "episodes delete" in caplog.text  # the fix
    assert "/broken" not in caplog.text and ".trash" not in caplog.text  # not episodes


def write_group(path, attributes):
    zarr.open_group(path, mode="w", zarr_format=3, attributes=attributes)


def valid_attributes(episode_id):
    return EpisodeMetadata(
        episode_id=episode_id, primitive="p", object="o", operator="op", station="s"
    ).model_dump(mode="json")


@pytest.fixture
def episode_path(tmp_path):
    return tmp_path / new_episode_id("s", datetime.now(UTC))


def test_missing_folder_is_named(episode_path):
    with pytest.raises(EpisodeFormatError, match=str(episode_path)):
        open_episode(episode_path)


def test_folder_that_is_not_zarr_is_named(episode_path):
    episode_path.mkdir()
    with pytest.raises(EpisodeFormatError, match="not a zarr v3 group"):
        read_metadata(episode_path)


def test_group_without_metadata(episode_path):
    write_group(episode_path, {})
    with pytest.raises(EpisodeFormatError, match="no episode metadata"):
        open_episode(episode_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.pop("primitive"), "primitive"),
        (lambda a: a.update(schema_version=2), "schema_version"),
        (lambda a: a.update(status="lost"), "status"),
        (lambda a: a.update(surprise=1), "surprise"),
    ],
)
def test_invalid_metadata_names_path_and_field(episode_path, change, message):
    attributes = valid_attributes(episode_path.name)
    change(attributes)
    write_group(episode_path, attributes)
    with pytest.raises(EpisodeFormatError, match=message) as info:
        open_episode(episode_path)
    assert str(episode_path) in str(info.value)


def test_metadata_of_another_episode_is_refused(episode_path):
    write_group(episode_path, valid_attributes(new_episode_id("other", datetime.now(UTC))))
    with pytest.raises(EpisodeFormatError, match="not the folder's name"):
        open_episode(episode_path)


def test_stream_without_its_declaration(record):
    writer, _ = record([JOINTS], n=2)
    zarr_json = writer.path / "streams" / JOINTS.name / "zarr.json"
    document = json.loads(zarr_json.read_text())
    document["attributes"] = {}
    zarr_json.write_text(json.dumps(document))
    with pytest.raises(EpisodeFormatError, match="no valid spec"):
        open_episode(writer.path).stream(JOINTS.name)


def test_stream_missing_an_array(record):
    writer, _ = record([JOINTS], n=2)
    shutil.rmtree(writer.path / "streams" / JOINTS.name / "valid")
    with pytest.raises(EpisodeFormatError, match="lacks array"):
        open_episode(writer.path).stream(JOINTS.name)


def test_a_truncated_chunk_names_the_damaged_array_and_the_rest_stays_readable(tmp_path):
    damaged, other = record_episode(tmp_path, "lab-a"), record_episode(tmp_path, "lab-b")
    chunk = tmp_path / damaged / "streams" / "tactile_test" / "deform" / "c.0.0.0"
    chunk.write_bytes(chunk.read_bytes()[:100])
    episode = open_episode(tmp_path / damaged)
    tactile = episode.stream("tactile_test")
    with pytest.raises(EpisodeFormatError, match=r"tactile_test/deform: damaged .*trim"):
        tactile.field("deform")
    assert tactile.field("f6").shape == (60, 6)
    assert episode.stream("camera_test").field("image").shape[0] == 60
    assert open_episode(tmp_path / other).stream("tactile_test").field("deform").shape[0] == 60
