"""``dexstation run --replay EPISODE``: a recorded episode drives the station again."""

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from app.config import load_config
from app.replay import replayed
from app.station import StationError
from devices.gloves import glove_stream
from recorder.episode_id import new_episode_id
from recorder.episode_reader import list_episodes, open_episode
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.app.test_cli import dexstation, small_config


def run_headless(*args: str) -> dict:
    proc = dexstation("run", "--headless", "--duration", "3", "--record", "--json", *args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_replayed_episode_drives_retargeting_and_is_recorded_again(tmp_path):
    config = str(small_config(tmp_path))
    tags = ("--primitive", "pour", "--object", "mug", "--config", config)
    run_headless(*tags, "--sim", "--dataset", str(tmp_path / "source"))
    ((source_id, _),) = list_episodes(tmp_path / "source")
    source = open_episode(tmp_path / "source" / source_id)
    summary = run_headless(
        *tags, "--replay", str(source.path), "--dataset", str(tmp_path / "again")
    )
    assert summary["streams"]["control"]["count"] > 300
    ((again_id, meta),) = list_episodes(tmp_path / "again")
    assert meta.devices["replay_glove"]["episode"] == source_id
    again = open_episode(tmp_path / "again" / again_id)
    recorded, replayed_glove = source.stream("glove_left"), again.stream("glove_left")
    common, here, there = np.intersect1d(
        replayed_glove.seq, recorded.seq, assume_unique=True, return_indices=True
    )
    assert len(common) > 100
    np.testing.assert_array_equal(
        replayed_glove.field("ergonomics")[here], recorded.field("ergonomics")[there]
    )
    commands = again.stream("control").field("arm_command")
    assert np.isfinite(commands[-50:]).all()  # the replayed operator is retargeted


def test_gloves_without_skeleton_cannot_drive_keypoint_retargeting(tmp_path):
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, [glove_stream("left", 90.0, skeleton=False)], meta)
    writer.start()
    writer.stop()
    with pytest.raises(StationError, match=r'no skeleton.*fix: hand_input = "ergonomics"'):
        replayed(load_config(), tmp_path / meta.episode_id)
    with pytest.raises(StationError, match="cannot replay"):
        replayed(load_config(), tmp_path / "missing")
