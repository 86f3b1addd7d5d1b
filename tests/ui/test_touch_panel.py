"""The touch panel's mosaic, baseline, contact and slip flags, and RAW toggle."""

import numpy as np
import pyqtgraph as pg
import pytest

from devices.hands import DEFORM_SHAPE, FINGERS, RAW_SHAPE
from devices.sample import Sample
from ui.touch_panel import (
    CONTACT_N,
    DOWNSAMPLE,
    FRICTION_MU,
    SIDES,
    SLIP_WARNING_FRACTION,
    TouchPanel,
    tile_origin,
)

pg.setConfigOptions(imageAxisOrder="row-major")
KEYS = [(side, finger) for side in SIDES for finger in FINGERS]
TILE = (DEFORM_SHAPE[0] // DOWNSAMPLE, DEFORM_SHAPE[1] // DOWNSAMPLE)


def tactile(key, seq, deform, f6=(0.0,) * 6, raw=None, t_ns=0) -> Sample:
    data = {
        "deform": deform,
        "f6": np.asarray(f6, dtype=np.float32),
        "raw": np.zeros(RAW_SHAPE, np.uint8) if raw is None else raw,
    }
    return Sample(f"tactile_{key[0]}_{key[1]}", seq, t_ns, t_ns, None, True, data)


def background(key) -> np.ndarray:
    """A fingertip's own uneven no-contact DEFORM."""
    rng = np.random.default_rng(KEYS.index(key))
    return rng.integers(10, 40, DEFORM_SHAPE, dtype=np.uint8)


@pytest.fixture
def hands(qtbot):
    samples = {f"tactile_{s}_{f}": tactile((s, f), 0, background((s, f))) for s, f in KEYS}
    panel = TouchPanel(samples.get)
    qtbot.addWidget(panel)
    panel.refresh(0)
    return panel, samples


def tile(panel: TouchPanel, key, shape=TILE) -> np.ndarray:
    row, col = tile_origin(*key, shape)
    return panel.mosaic[row : row + shape[0], col : col + shape[1]]


def test_hands_are_laid_out_left_and_right_with_thumbs_inside():
    cols = {key: tile_origin(*key, TILE)[1] for key in KEYS}
    assert max(cols["left", f] for f in FINGERS) < min(cols["right", f] for f in FINGERS)
    assert cols["left", "thumb"] == max(cols["left", f] for f in FINGERS)
    assert cols["right", "thumb"] == min(cols["right", f] for f in FINGERS)


def test_first_frames_are_the_zero_and_a_blob_shows_on_its_tile(hands):
    panel, samples = hands
    assert not panel.mosaic.any()
    key = ("right", "index")
    pressed = background(key).copy()
    pressed[100:120, 60:80] += 150  # pressed near the pad's centre, 1.5 mm
    samples["tactile_right_index"] = tactile(key, 1, pressed)
    panel.refresh(1)
    assert (tile(panel, key)[50:60, 30:40] == 150).all()
    assert tile(panel, key).sum() == 150 * 10 * 10
    assert panel.mosaic.sum() == 150 * 10 * 10
    np.testing.assert_array_equal(panel._image.image, panel.mosaic)


def test_capture_baseline_takes_the_latest_deform_as_zero(hands):
    panel, samples = hands
    key = ("left", "thumb")
    worn = background(key) + 5
    samples["tactile_left_thumb"] = tactile(key, 1, worn)
    panel.refresh(1)
    assert (tile(panel, key) == 5).all()
    panel.capture_baseline()
    panel.refresh(2)
    assert not panel.mosaic.any()


def test_contact_and_slip_follow_f6_above_its_baseline(hands):
    panel, samples = hands
    offset = np.array([0.2, -0.1, 0.6, 0.0, 0.0, 0.0])  # an untared sensor at rest
    for key in KEYS:
        samples[f"tactile_{key[0]}_{key[1]}"] = tactile(key, 1, background(key), offset)
    panel.refresh(0)
    assert all(panel.contact.values())  # measured from the first frames' zero
    panel.capture_baseline()
    panel.refresh(0)
    assert not any(panel.contact.values())
    normal = 2.0
    cases = {
        ("left", "index"): (0.0, 0.0, CONTACT_N / 2),  # a touch below the threshold
        ("left", "middle"): (0.3, 0.4, normal),  # held: shear 0.5 N
        ("right", "ring"): (0.0, SLIP_WARNING_FRACTION * FRICTION_MU * normal + 0.01, normal),
    }
    for seq, (key, force) in enumerate(cases.items(), 2):
        f6 = np.array((*force, 0.0, 0.0, 0.0)) + offset
        samples[f"tactile_{key[0]}_{key[1]}"] = tactile(key, seq, background(key), f6)
    panel.refresh(1)
    assert panel.contact == {k: k in (("left", "middle"), ("right", "ring")) for k in KEYS}
    assert panel.slip == {k: k == ("right", "ring") for k in KEYS}
    assert panel.normal_n["left", "middle"] == pytest.approx(normal)
    assert panel.shear_n["left", "middle"] == pytest.approx(0.5)
    assert "SLIP" in panel._labels["right", "ring"].textItem.toPlainText()


def test_stale_fingertip_drops_its_contact(hands):
    panel, samples = hands
    key = ("right", "thumb")
    samples["tactile_right_thumb"] = tactile(key, 1, background(key), (0, 0, 3.0, 0, 0, 0))
    panel.refresh(1)
    assert panel.contact[key]
    panel.refresh(600_000_000)
    assert not panel.contact[key]
    assert panel._labels[key].textItem.toPlainText() == "no signal"


def test_raw_toggle_swaps_the_mosaic(hands):
    panel, samples = hands
    deform_shape = panel.mosaic.shape
    key = ("left", "pinky")
    raw = np.full(RAW_SHAPE, 90, np.uint8)
    samples["tactile_left_pinky"] = tactile(key, 1, background(key), raw=raw)
    panel.show_raw(True)
    panel.refresh(1)
    raw_tile = (RAW_SHAPE[0] // DOWNSAMPLE, RAW_SHAPE[1] // DOWNSAMPLE)
    assert panel.mosaic.shape != deform_shape
    assert (tile(panel, key, raw_tile) == 90).all()
    assert panel._image.image.shape == panel.mosaic.shape
    panel.show_raw(False)
    panel.refresh(2)
    assert panel.mosaic.shape == deform_shape
    assert not panel.mosaic.any()
