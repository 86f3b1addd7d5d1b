"""Tare refused during contact; drift injected into F6 or DEFORM is detected, not in contact."""

import numpy as np

from calibration.tactile import (
    DRIFT_WARN_N,
    DriftMonitor,
    tare_refusal,
    touching,
)
from devices.hands import DEFORM_SHAPE, Tactile
from devices.sample import Sample

UNIT_MM = Tactile.deform_mm_per_unit


def tactile(t_s: float, force=(0.0, 0.0, 0.0), press_mm=0.0, background_mm=0.0, valid=True):
    deform = np.full(DEFORM_SHAPE, background_mm / UNIT_MM)
    if press_mm:
        deform[100:140, 100:140] += press_mm / UNIT_MM
    data = {
        "deform": np.clip(deform, 0, 255).astype(np.uint8),
        "f6": np.array([*force, 0.0, 0.0, 0.0], np.float32),
    }
    t = int(t_s * 1e9)
    return Sample("tactile_left_index", 0, t, t, None, valid, data)


def test_tare_is_refused_during_contact_and_allowed_without():
    assert tare_refusal([tactile(0)]) is None
    assert touching(tactile(0, press_mm=1.0))
    reason = tare_refusal([tactile(0), tactile(0, force=(0, 0, 1.5), press_mm=1.0)])
    assert "tactile_left_index is in contact" in reason
    assert "more than a tare may remove" in tare_refusal([tactile(0, force=(0, 0, 5.0))])
    assert "no valid reading" in tare_refusal([tactile(0, valid=False)])


def test_injected_f6_drift_is_detected_but_contact_is_not_drift():
    monitor = DriftMonitor()
    for k in range(300):  # 10 s at 30 Hz, offset growing 0.1 N/s
        monitor.observe(tactile(k / 30, force=(0.0, 0.0, 0.1 * k / 30)))
        if k == 90:
            assert monitor.warnings() == []
    (warning,) = monitor.warnings()
    assert warning.startswith("tactile_left_index: F6 offset") and "re-tare" in warning
    assert monitor.history["tactile_left_index"][-1].offset_n > DRIFT_WARN_N
    monitor.reset()
    for k in range(60):  # pressing hard: not drift, and nothing learnt from it
        monitor.observe(tactile(20 + k / 30, force=(0.0, 0.0, 4.0), press_mm=1.5))
    monitor.observe(tactile(23, force=(0.0, 0.0, 0.01)))
    assert monitor.warnings() == []


def test_deform_background_drift_is_detected():
    monitor = DriftMonitor()
    for k in range(100):
        monitor.observe(tactile(k / 30, background_mm=0.1))
    assert "DEFORM background" in monitor.warnings()[0]
