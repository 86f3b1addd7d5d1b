"""The camera panel shows new frames once, their rate and age, and NO SIGNAL when stale."""

import numpy as np
import pyqtgraph as pg
import pytest

from devices.sample import Sample
from ui.camera_panel import STREAMS, CameraPanel

pg.setConfigOptions(imageAxisOrder="row-major")
MS = 1_000_000


def frame(stream: str, seq: int, t_ns: int, shape=(72, 128, 3)) -> Sample:
    image = np.full(shape, seq % 256, dtype=np.uint8)
    return Sample(stream, seq, t_ns, t_ns, None, True, {"image": image})


@pytest.fixture
def make_panel(qtbot):
    def make(samples: dict[str, Sample]) -> CameraPanel:
        panel = CameraPanel(samples.get)
        qtbot.addWidget(panel)
        return panel

    return make


def test_new_frames_show_with_rate_and_age(make_panel):
    samples: dict[str, Sample] = {}
    panel = make_panel(samples)
    t0 = 10_000 * MS
    for i in range(31):  # 30 fps for one second, refreshed 5 ms after each capture
        t = t0 + i * 1_000_000_000 // 30
        for stream in STREAMS:
            samples[stream] = frame(stream, i, t)
        panel.refresh(t + 5 * MS)
    for view in panel.views.values():
        assert not view.no_signal
        assert not view.banner.isVisible()
        assert view.image_item.image[0, 0, 0] == 30
        assert view.overlay.textItem.toPlainText() == "30 fps · age 5 ms"


def test_rate_counts_frames_missed_between_refreshes(make_panel):
    samples: dict[str, Sample] = {}
    panel = make_panel(samples)
    for i in range(0, 121, 2):  # 60 fps camera, every second frame seen
        t = i * 1_000_000_000 // 60
        samples["camera_head"] = frame("camera_head", i, t)
        panel.refresh(t)
    assert panel.views["camera_head"].fps == pytest.approx(60.0)


def test_no_sample_or_stale_sample_shows_no_signal(make_panel):
    samples: dict[str, Sample] = {}
    panel = make_panel(samples)
    panel.refresh(1_000 * MS)
    assert all(view.no_signal and view.banner.isVisible() for view in panel.views.values())
    samples["camera_head"] = frame("camera_head", 1, 1_000 * MS)
    panel.refresh(1_100 * MS)
    head = panel.views["camera_head"]
    assert not head.no_signal and not head.banner.isVisible()
    assert head.image_item.opacity() == 1.0
    panel.refresh(1_600 * MS)  # 600 ms old
    assert head.no_signal and head.banner.isVisible()
    assert head.image_item.opacity() < 0.5
    assert "age 600 ms" in head.overlay.textItem.toPlainText()
    samples["camera_head"] = frame("camera_head", 2, 1_650 * MS)
    panel.refresh(1_660 * MS)
    assert not head.no_signal


def test_same_seq_is_not_uploaded_again(make_panel, monkeypatch):
    samples = {"camera_head": frame("camera_head", 7, 0)}
    panel = make_panel(samples)
    calls = []
    item = panel.views["camera_head"].image_item
    upload = item.setImage
    monkeypatch.setattr(item, "setImage", lambda *a, **k: (calls.append(1), upload(*a, **k)))
    for t in range(10):
        panel.refresh(t * MS)
    assert len(calls) == 1
    samples["camera_head"] = frame("camera_head", 8, 33 * MS)
    panel.refresh(40 * MS)
    assert len(calls) == 2


def test_rate_restarts_when_the_device_restarts(make_panel):
    samples: dict[str, Sample] = {}
    panel = make_panel(samples)
    for i, seq in enumerate((500, 501, 502, 0, 1)):  # a reconnect resets seq
        samples["camera_head"] = frame("camera_head", seq, i * 100 * MS)
        panel.refresh(i * 100 * MS)
    assert panel.views["camera_head"].fps == pytest.approx(10.0)
