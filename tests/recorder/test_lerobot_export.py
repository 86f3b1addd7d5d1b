"""The LeRobot v3 export, read back with pyarrow and PyAV against the v3 layout and the
T-Rex schema."""

import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from devices.hands import SHARPA_JOINTS
from recorder import lerobot_writer
from recorder.episode_filter import EpisodeFilter
from recorder.episode_reader import open_episode
from recorder.lerobot_export import ExportError, export_lerobot
from recorder.trex_schema import TACTILE_KINDS, VIDEO_KEYS
from tests.recorder.full_episode import CALM_RAW, PRESSED_RAW, record_full_episode
from tests.recorder.videos import decode_video

FPS = 30
FRAMES = 29
"""Frames per episode: 0 to 933 ms, where the 15 Hz wrist camera's last frame is."""
BODY_GAP = range(15, 21)
"""Frames 500 to 667 ms, inside the body's gap: its two neighbours are 205 ms apart."""
STALE_LEFT_INDEX = range(21, 24)
"""Frames 700 to 767 ms: tactile_left_index's newest valid row is over 100 ms old."""
TACTILE = "observation.images.tactile"
DATA = "data/chunk-000/file-000.parquet"
EPISODES = "meta/episodes/chunk-000/file-000.parquet"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    for second, (primitive, outcome, skip) in enumerate(
        [
            ("pour", "success", ""),
            ("wipe", "failure", ""),
            ("pour", "discarded", ""),
            ("pour", "success", "camera_right_wrist"),
        ]
    ):
        started = datetime(2026, 11, 22, 5, 12, second, tzinfo=UTC)
        record_full_episode(root, primitive, outcome, skip, started)
    return root


@pytest.fixture(scope="module")
def exported(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "lerobot"
    seen = []
    report = export_lerobot(
        dataset, out, fps=FPS, camera_size=(32, 24), progress=lambda *a: seen.append(a[:2])
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]  # the discarded episode is not even read
    return out, report


def test_info_lists_the_trex_features_in_order(exported):
    out, report = exported
    info = json.loads((out / "meta" / "info.json").read_text())
    assert info == report.info
    assert info["codebase_version"] == "v3.0" and info["fps"] == FPS
    assert (info["total_episodes"], info["total_frames"], info["total_tasks"]) == (2, 58, 2)
    assert info["data_path"] == "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet"
    features = info["features"]
    assert list(features) == [
        "observation.state",
        "action",
        "observation.tactile_force",
        *VIDEO_KEYS,
        "images_valid",
        "timestamp",
        "frame_index",
        "episode_index",
        "index",
        "task_index",
    ]
    assert VIDEO_KEYS[:4] == (
        "observation.images.head_left",
        "observation.images.left_wrist",
        "observation.images.right_wrist",
        "observation.images.tactile_left_raw_thumb",
    )
    state = features["observation.state"]
    assert state["shape"] == [58] and state["names"][7] == f"L_{SHARPA_JOINTS[0]}"
    assert state["names"][29] == "R_arm_j1"
    assert features["observation.tactile_force"]["names"][2] == "left_thumb_Fz"
    assert features["observation.images.head_left"]["shape"] == [24, 32, 3]
    raw = features["observation.images.tactile_right_raw_pinky"]
    assert raw["shape"] == [16, 24, 1] and raw["info"]["video.lossless"] is True
    assert features["timestamp"] == {"dtype": "float32", "shape": [1], "names": None}


def test_a_stream_missing_skips_the_episode_and_says_why(exported):
    _, report = exported
    assert len(report.skipped) == 1
    assert "camera_right_wrist" in next(iter(report.skipped.values()))


def test_data_rows_hold_the_vectors_on_a_regular_timeline(exported):
    out, _ = exported
    table = pq.read_table(out / DATA)
    assert table.column_names == [
        "observation.state",
        "action",
        "observation.tactile_force",
        "images_valid",
        "timestamp",
        "frame_index",
        "episode_index",
        "index",
        "task_index",
    ]
    assert table.schema.field("observation.state").type == pa.list_(pa.float32(), 58)
    assert table.schema.field("observation.tactile_force").type == pa.list_(pa.float32(), 60)
    column = {name: np.array(table.column(name).to_pylist()) for name in table.column_names}
    np.testing.assert_array_equal(column["index"], np.arange(2 * FRAMES))
    np.testing.assert_array_equal(column["episode_index"], np.repeat([0, 1], FRAMES))
    np.testing.assert_array_equal(column["frame_index"], np.tile(np.arange(FRAMES), 2))
    np.testing.assert_array_equal(column["task_index"], np.repeat([0, 1], FRAMES))
    assert table.schema.field("timestamp").type == pa.float32()
    np.testing.assert_allclose(np.diff(column["timestamp"][:FRAMES]), 1 / FPS, atol=1e-6)
    state = column["observation.state"][:FRAMES]
    assert np.flatnonzero(np.isnan(state[:, 0])).tolist() == list(BODY_GAP)
    assert np.isfinite(state[:, 7:29]).all()  # the hands had no gap
    np.testing.assert_allclose(state[0, 36:], 100 + np.arange(22), atol=1e-5)
    assert np.isfinite(column["action"]).all()
    force = column["observation.tactile_force"][:FRAMES].reshape(FRAMES, 2, 5, 6)
    assert np.flatnonzero(np.isnan(force[:, 0, 1, 2])).tolist() == list(STALE_LEFT_INDEX)
    valid = column["images_valid"][:FRAMES]
    stale = [VIDEO_KEYS.index(f"{TACTILE}_left_{kind}_index") for kind in TACTILE_KINDS]
    assert set(zip(*np.nonzero(~valid), strict=True)) == {
        (f, k) for f in STALE_LEFT_INDEX for k in stale
    }


def test_episodes_and_tasks_tables(exported):
    out, _ = exported
    rows = pq.read_table(out / EPISODES).to_pylist()
    assert [r["motor_primitive"] for r in rows] == ["pour", "wipe"]
    assert [r["caption"] for r in rows] == ["pour the mug", "wipe the mug"]
    assert [r["tasks"] for r in rows] == [["pour the mug"], ["wipe the mug"]]
    assert [r["object"] for r in rows] == ["mug", "mug"] and rows[0]["target"] == ""
    assert [r["outcome"] for r in rows] == ["success", "failure"]
    assert [(r["dataset_from_index"], r["dataset_to_index"]) for r in rows] == [
        (0, FRAMES),
        (FRAMES, 2 * FRAMES),
    ]
    head = "videos/observation.images.head_left"
    assert rows[1][f"{head}/from_timestamp"] == pytest.approx(FRAMES / FPS)
    assert rows[1][f"{head}/to_timestamp"] == pytest.approx(2 * FRAMES / FPS)
    assert rows[1][f"{head}/file_index"] == 0 and rows[0]["data/chunk_index"] == 0
    tasks = pq.read_table(out / "meta" / "tasks.parquet")
    assert tasks.to_pylist() == [
        {"task_index": 0, "task": "pour the mug"},
        {"task_index": 1, "task": "wipe the mug"},
    ]
    assert json.loads(tasks.schema.metadata[b"pandas"])["index_columns"] == ["task"]


def test_stats_give_quantiles_per_dimension_and_channel(exported):
    out, _ = exported
    stats = json.loads((out / "meta" / "stats.json").read_text())
    assert set(stats) == set(json.loads((out / "meta" / "info.json").read_text())["features"])
    state = stats["observation.state"]
    assert len(state["q01"]) == len(state["q99"]) == 58 and state["count"] == [58]
    assert state["q01"][7] <= state["mean"][7] <= state["q99"][7]
    assert np.array(stats["observation.images.head_left"]["q99"]).shape == (3, 1, 1)
    raw = stats["observation.images.tactile_right_raw_thumb"]
    assert raw["min"] == [[[CALM_RAW / 255]]] and raw["max"] == [[[PRESSED_RAW / 255]]]


def test_videos_decode_frame_for_frame_and_tactile_is_lossless(exported, dataset):
    out, _ = exported
    video = out / "videos" / "{}" / "chunk-000" / "file-000.mp4"
    deform, times = decode_video(str(video).format(f"{TACTILE}_left_deform_index"), "gray")
    assert len(deform) == 2 * FRAMES
    np.testing.assert_allclose(times, np.arange(2 * FRAMES) / FPS, atol=1e-6)
    held = {18: 17, 19: 17, 20: 17}  # rows 18.. are invalid: row 17 is held up to 100 ms
    for k, image in enumerate(deform):
        frame = k % FRAMES  # at 30 Hz the sensor's row k is the frame k, DEFORM = k
        expected = 0 if frame in STALE_LEFT_INDEX else held.get(frame, frame)
        assert image.shape == (16, 16) and (image == expected).all(), k
    raw, _ = decode_video(str(video).format(f"{TACTILE}_right_raw_thumb"), "rgb24")
    assert {int(image[0, 0, 0]) for image in raw} == {CALM_RAW, PRESSED_RAW}
    head, _ = decode_video(str(video).format("observation.images.head_left"), "rgb24")
    assert len(head) == 2 * FRAMES and head[0].shape == (24, 32, 3)
    first = sorted(p for p in dataset.iterdir() if p.name[0].isdigit())[0]
    source = open_episode(first).stream("camera_head").frame("image", 3).astype(float)
    shrunk = source.reshape(24, 2, 32, 2, 3).mean(axis=(1, 3))
    assert np.abs(head[3] - shrunk).mean() < 6


def test_filters_choose_episodes_and_fps_sets_the_timeline(dataset, tmp_path):
    out = tmp_path / "discarded"
    chosen = EpisodeFilter(primitive=(" POUR",), outcome=("discarded",))
    report = export_lerobot(dataset, out, chosen, fps=10, camera_size=None)
    assert report.info["total_episodes"] == 1 and report.info["total_frames"] == 10
    assert report.info["features"]["observation.images.left_wrist"]["shape"] == [48, 64, 3]
    rows = pq.read_table(out / EPISODES).to_pylist()
    assert rows[0]["outcome"] == "discarded"
    timestamps = pq.read_table(out / DATA).column("timestamp").to_pylist()
    np.testing.assert_allclose(timestamps, np.arange(10) / 10, atol=1e-6)
    with pytest.raises(ExportError, match="nothing to export"):
        export_lerobot(dataset, tmp_path / "none", EpisodeFilter(object=("spoon",)))
    assert not (tmp_path / "none").exists()


def test_files_roll_over_at_their_size_limit(dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(lerobot_writer, "DATA_FILE_MB", 0)
    monkeypatch.setattr(lerobot_writer, "VIDEO_FILE_MB", 0)
    out = tmp_path / "rolled"
    report = export_lerobot(dataset, out, fps=10, camera_size=None)
    rows = pq.read_table(out / EPISODES).to_pylist()
    head = "videos/observation.images.head_left"
    assert [r["data/file_index"] for r in rows] == [0, 1]
    assert [r[f"{head}/file_index"] for r in rows] == [0, 1]
    assert [r[f"{head}/from_timestamp"] for r in rows] == [0.0, 0.0]
    for file_index, row in enumerate(rows):
        name = f"file-{file_index:03d}"
        data = pq.read_table(out / "data" / "chunk-000" / f"{name}.parquet")
        assert data.column("index").to_pylist() == list(
            range(row["dataset_from_index"], row["dataset_to_index"])
        )
        video = out / "videos" / "observation.images.head_left" / "chunk-000" / f"{name}.mp4"
        assert len(decode_video(video, "rgb24")[0]) == row["length"]
    assert report.info["total_frames"] == sum(r["length"] for r in rows)
    position = lerobot_writer.FilePosition(0, lerobot_writer.CHUNKS_SIZE - 1)
    position.advance()
    assert (position.chunk, position.file) == (1, 0)


def test_an_existing_dataset_is_replaced_only_with_force_and_only_when_complete(dataset, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    wipe = EpisodeFilter(primitive=("wipe",))
    with pytest.raises(ExportError, match="not empty"):
        export_lerobot(dataset, out, wipe, camera_size=None)

    def interrupt(*_):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_lerobot(dataset, out, wipe, camera_size=None, force=True, progress=interrupt)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing half-written left
    assert (out / "keep.txt").read_text() == "mine"
    export_lerobot(dataset, out, wipe, camera_size=None, force=True)
    assert not (out / "keep.txt").exists() and (out / "meta" / "info.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
