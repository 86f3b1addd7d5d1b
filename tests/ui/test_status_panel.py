"""The status panel: state colour, drift warnings, tables, disk and episode lines."""

import math
from pathlib import Path

from app.control_process import ControlStatus
from app.health import StreamHealth
from app.loop_stats import LoopTiming
from app.state_machine import State
from app.station import Snapshot
from devices.device import DeviceStatus
from ui.status_panel import BAD, WARN, StatusPanel, stream_brush

TIMING = LoopTiming(10, 0, 200.0, 0.0, 0.02, 0.1, 0.01, 5.0, 900.0)


def health(name, age_ms=5.0, gaps=0):
    return StreamHealth(name, 10, 30.0, age_ms, 1.0, gaps, 0, 0)


def snap(**changes):
    base = dict(
        t_ns=10**12,
        state=State.HOLD,
        reason="glove_left stale",
        health={"glove_left": health("glove_left", age_ms=900.0), "body": health("body")},
        devices={"glove_left": DeviceStatus(False, "disconnected")},
        control=ControlStatus(realtime="SCHED_FIFO priority 50"),
        recording=None,
        recording_s=0.0,
        tactile_drift=["tactile_left_index: F6 offset 0.42 N without contact: re-tare"],
    )
    return Snapshot(**{**base, **changes})


def test_panel_shows_state_health_drift_and_disk(qtbot, tmp_path):
    panel = StatusPanel(lambda: TIMING, lambda: Path(tmp_path))
    qtbot.addWidget(panel)
    panel.refresh(snap(), None)
    assert panel.state_label.text() == "HOLD"
    assert "re-tare" in panel.drift_label.text()
    assert panel.streams.text(1, 0) == "glove_left" and panel.streams.text(1, 2) == "900"
    assert panel.devices.text(0, 1) == "NO"
    assert panel.disk_label.text().startswith("disk:") and "GB free" in panel.disk_label.text()
    assert "SCHED_FIFO" in panel.loop_label.text()
    panel.refresh(snap(t_ns=2 * 10**12, recording="ep", recording_s=12.0, tactile_drift=[]), None)
    assert panel.episode_label.text().startswith("● REC ep   12 s")
    assert panel.drift_label.text() == ""


def test_stale_streams_are_red_and_lossy_ones_amber():
    assert stream_brush(health("x", age_ms=math.inf)) is BAD
    assert stream_brush(health("x", gaps=3)) is WARN
    assert stream_brush(health("x")) is None
