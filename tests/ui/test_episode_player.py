"""The episode player shows every stream's newest sample at the scrubbed time, gaps as gaps."""

from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from devices.body import body_stream
from devices.cameras import camera_stream
from devices.hands import tactile_stream
from recorder.episode_id import new_episode_id
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import make_sample
from ui.episode_player import EpisodePlayer

pg.setConfigOptions(imageAxisOrder="row-major")
HEAD = camera_stream("head", 64, 48, 30.0)
TOUCH = tactile_stream("left", "index", 30.0)
BODY = body_stream(200.0)
LOST = range(30, 60)
"""Head-camera samples 30..59 (1 s to 2 s) never reached the recorder."""


@pytest.fixture
def player(qtbot, tmp_path):
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, [HEAD, TOUCH, BODY], meta, flush_interval_s=0.1)
    writer.start()
    rng = np.random.default_rng(2)
    for spec, n in ((HEAD, 90), (TOUCH, 90), (BODY, 600)):
        for seq in range(n):
            if spec is HEAD and seq in LOST:
                continue
            writer.put(make_sample(spec, seq, rng))
    writer.stop()
    widget = EpisodePlayer(open_episode(tmp_path / meta.episode_id))
    qtbot.addWidget(widget)
    return widget


def test_timeline_spans_every_stream(player):
    assert player.duration_s == pytest.approx(599 / 200.0)
    assert player.position_s == 0.0


def test_seeking_shows_the_newest_sample_at_or_before_the_time(player):
    player.seek(0.5)
    assert player.latest("camera_head").seq == 15
    assert player.latest("body").seq == 100
    assert player.latest("tactile_left_index").seq == 15
    view = player.cameras.views["camera_head"]
    assert view.image_item.image.shape == (48, 64, 3) and not view.no_signal
    player.seek(1.9)  # inside the lost second: the last frame before it, stale
    assert player.latest("camera_head").seq == 29
    assert view.no_signal
    player.seek(2.1)
    assert player.latest("camera_head").seq == 63 and not view.no_signal


def test_keys_step_and_mark_trim_points(qtbot, player):
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert player.position_s == pytest.approx(1.0)
    qtbot.keyClick(player, Qt.Key.Key_I)
    qtbot.keyClick(player, Qt.Key.Key_End)
    qtbot.keyClick(player, Qt.Key.Key_Left)
    qtbot.keyClick(player, Qt.Key.Key_O)
    assert player.marks == pytest.approx([1.0, player.duration_s - 1 / 30])
    qtbot.keyClick(player, Qt.Key.Key_Home)
    assert player.position_s == 0.0


def test_playing_advances_and_stops_at_the_end(qtbot, player):
    player.seek(player.duration_s - 0.3)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.position_s == player.duration_s, timeout=3_000)
    qtbot.waitUntil(lambda: not player._timer.isActive(), timeout=1_000)
