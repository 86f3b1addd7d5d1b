"""The LeRobot v3 export read back with pyarrow and PyAV against the v3 layout."""

import json

import av
import numpy as np
import pyarrow.parquet as pq
import pytest

from recorder.episode_reader import open_episode
from recorder.lerobot_export import ExportError, export_lerobot, tactile_keys
from tests.recorder.full_episode import record_full_episode

FPS = 30


@pytest.fixture
def exported(tmp_path):
    episodes = [record_full_episode(tmp_path / "ds", p) for p in ("pour", "wipe")]
    out = tmp_path / "lerobot"
    seen = []
    info = export_lerobot(
        episodes, out, fps=FPS, video_size=None, progress=lambda *a: seen.append(a)
    )
    assert [a[:2] for a in seen] == [(1, 2), (2, 2)]
    return out, info, episodes


def test_info_features_and_tables_follow_the_v3_layout(exported):
    out, info, _ = exported
    assert info == json.loads((out / "meta" / "info.json").read_text())
    assert info["codebase_version"] == "v3.0" and info["fps"] == FPS
    features = info["features"]
    assert features["observation.state"]["shape"] == [58]
    assert features["observation.state"]["names"][7] == "L_thumb_CMC_FE"
    assert features["action"]["shape"] == [58]
    assert features["observation.tactile_force"]["shape"] == [60]
    assert features["observation.images.head_left"]["dtype"] == "video"
    assert features["observation.images.tactile_left_deform_index"]["shape"] == [240, 240, 1]
    data = pq.read_table(out / "data" / "chunk-000" / "file-000.parquet")
    assert data.num_rows == info["total_frames"]
    for column in (
        "observation.state",
        "action",
        "timestamp",
        "frame_index",
        "episode_index",
        "index",
        "task_index",
    ):
        assert column in data.column_names
    state = np.array(data.column("observation.state").to_pylist(), np.float32)
    np.testing.assert_array_equal(state[0, 36:], 100 + np.arange(22))
    assert np.isnan(state[np.array(data.column("frame_index")) == 18]).any()  # the body gap
    episodes = pq.read_table(out / "meta" / "episodes" / "chunk-000" / "file-000.parquet")
    rows = episodes.to_pylist()
    assert [r["motor_primitive"] for r in rows] == ["pour", "wipe"]
    assert [r["caption"] for r in rows] == ["pour the mug", "wipe the mug"]
    assert rows[1]["dataset_from_index"] == rows[0]["dataset_to_index"] == rows[0]["length"]
    timestamps = np.array(data.column("timestamp"))[: rows[0]["length"]]
    np.testing.assert_allclose(np.diff(timestamps), 1 / FPS, atol=1e-6)
    tasks = pq.read_table(out / "meta" / "tasks.parquet").to_pylist()
    assert tasks == [
        {"task": "pour the mug", "task_index": 0},
        {"task": "wipe the mug", "task_index": 1},
    ]
    stats = json.loads((out / "meta" / "stats.json").read_text())
    assert len(stats["observation.state"]["q01"]) == 58
    assert stats["observation.tactile_force"]["q99"][2] is None  # a fingertip never recorded


def test_videos_decode_frame_for_frame_and_tactile_is_lossless(exported):
    out, info, episodes = exported
    total = info["total_frames"]
    with av.open(
        str(out / "videos" / "observation.images.head_left" / "chunk-000" / "file-000.mp4")
    ) as video:
        frames = list(video.decode(video=0))
    assert len(frames) == total and frames[0].width == 64
    key = "observation.images.tactile_left_raw_index"
    assert key in tactile_keys()
    with av.open(str(out / "videos" / key / "chunk-000" / "file-000.mp4")) as video:
        raw = [f.to_ndarray(format="gray") for f in video.decode(video=0)]
    recorded = open_episode(episodes[0]).stream("tactile_left_index").field("raw")
    assert len(raw) == total
    np.testing.assert_array_equal(raw[0], recorded[0])  # exact: lossless
    assert {int(r[0, 0]) for r in raw} == {40, 100}
    assert not (out / "videos" / "observation.images.tactile_left_raw_thumb").exists()


def test_a_non_empty_folder_is_never_overwritten_without_force(exported, tmp_path):
    out, _, episodes = exported
    with pytest.raises(ExportError, match="not empty"):
        export_lerobot(episodes[:1], out, fps=FPS, video_size=None)
    info = export_lerobot(episodes[:1], out, fps=FPS, video_size=None, force=True)
    assert info["total_episodes"] == 1
    assert not any(p.name.startswith(".") for p in out.parent.iterdir())
