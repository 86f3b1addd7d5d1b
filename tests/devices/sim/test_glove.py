import time

import numpy as np
import pytest
from pydantic import ValidationError

from devices.registry import build_device
from devices.sim.operator import operator_of


def test_samples_follow_the_operator_at_their_capture_time(started, context):
    glove, samples = started("glove", side="right", rate_hz=200.0, jitter=0.5)
    time.sleep(0.2)
    glove.stop()
    operator = operator_of(context)
    assert len(samples) > 20
    for sample in samples:
        assert sample.stream == "glove_right"
        assert np.array_equal(
            sample.data["ergonomics"], operator.ergonomics("right", sample.t_capture_ns)
        )
        position, orientation = operator.skeleton("right", sample.t_capture_ns)
        assert np.array_equal(sample.data["skeleton_position"], position)
        assert np.array_equal(sample.data["skeleton_orientation"], orientation)
        glove.streams()[0].check(sample.data)


def test_capture_times_jitter_within_a_fraction_of_a_period(started):
    glove, samples = started("glove", side="left", rate_hz=100.0, jitter=0.3)
    time.sleep(0.3)
    glove.stop()
    steps = np.diff([s.t_capture_ns for s in samples]) * 1e-9
    assert steps.min() >= 0.01 * (1 - 0.3) - 1e-6
    assert steps.std() > 1e-4  # not a perfect grid


def test_device_clock_is_offset_and_monotonic(started):
    glove, samples = started("glove", side="left")
    time.sleep(0.1)
    glove.stop()
    device = np.array([s.t_device_ns for s in samples])
    capture = np.array([s.t_capture_ns for s in samples])
    assert (np.diff(device) > 0).all()
    offsets = device - capture
    assert abs(offsets[0]) > 1e11  # a different clock
    assert np.ptp(offsets) < 10_000  # drift of tens of ppm: microseconds over 0.1 s


def test_skeleton_can_be_turned_off(started):
    glove, samples = started("glove", side="left", skeleton=False)
    time.sleep(0.05)
    glove.stop()
    assert samples and set(samples[0].data) == {"ergonomics"}
    assert set(glove.streams()[0].fields) == {"ergonomics"}


def test_options_are_validated(context):
    for bad in ({"side": "up"}, {"side": "left", "rate": 90}, {"side": "left", "jitter": 1.0}):
        with pytest.raises(ValidationError):
            build_device("glove", "sim", "glove", bad, context)
