"""Resampling math: zero-order hold, linear interpolation, age limits, timelines."""

from types import SimpleNamespace

import numpy as np
import pytest

from recorder.alignment import default_max_age_ns, hold, linear, overlap, timeline

MS = 1_000_000
T = np.array([0, 10, 20, 30, 80]) * MS
"""Capture times of a stream's five rows: a gap between 30 and 80 ms."""
VALUES = np.array([0.0, 1.0, 2.0, 3.0, 8.0], np.float32)
ALL_VALID = np.ones(len(T), bool)


def test_hold_shows_the_newest_sample_at_or_before_each_time_within_its_age():
    times = np.array([-5, 0, 5, 10, 35, 45, 46, 79, 80, 95, 96]) * MS
    at = hold(T, ALL_VALID, times, max_age_ns=15 * MS)
    np.testing.assert_array_equal(at.before, [-1, 0, 0, 1, 3, 3, 3, 3, 4, 4, 4])
    assert at.fresh.tolist() == [False, True, True, True, True, True, False, False, True, True,
                                 False]  # fmt: skip
    held = at.held(VALUES)
    np.testing.assert_array_equal(held[at.fresh], [0, 0, 1, 3, 3, 8, 8])
    assert np.isnan(held[~at.fresh]).all()


def test_hold_never_fills_in_a_missing_value_with_another_dtype():
    at = hold(T, ALL_VALID, np.array([-1, 0]) * MS, max_age_ns=15 * MS)
    np.testing.assert_array_equal(at.held(np.arange(5) + 7), [0, 7])
    np.testing.assert_array_equal(at.held(np.ones((5, 2, 2), bool))[0], False)


def test_invalid_rows_are_like_samples_never_received():
    valid = ALL_VALID.copy()
    valid[2] = False  # the 20 ms row
    at = hold(T, valid, np.array([20, 25, 26]) * MS, max_age_ns=15 * MS)
    np.testing.assert_array_equal(at.before, [1, 1, 1])
    assert at.fresh.tolist() == [True, True, False]  # 26 ms: the 10 ms sample is 16 ms old


def test_rows_in_arrival_order_are_taken_in_capture_order():
    t = np.array([0, 20, 10, 30]) * MS  # the 10 ms sample arrived after the 20 ms one
    at = hold(t, np.ones(4, bool), np.array([5, 15, 25]) * MS, max_age_ns=15 * MS)
    np.testing.assert_array_equal(at.before, [0, 2, 1])
    np.testing.assert_array_equal(at.after, [2, 1, 3])


def test_an_empty_stream_has_no_value_anywhere():
    empty = np.zeros(0, np.int64)
    for method in (hold, linear):
        at = method(empty, np.zeros(0, bool), np.array([0, 5]), 10)
        assert not at.fresh.any()
        assert np.isnan(at.held(np.zeros((0, 3), np.float32))).all()


def test_linear_interpolates_between_samples_at_most_the_age_apart():
    times = np.array([-1, 0, 5, 12, 25, 30, 40, 80, 81]) * MS
    at = linear(T, ALL_VALID, times, max_age_ns=15 * MS)
    out = at.interpolated(VALUES)
    np.testing.assert_allclose(out[1:4], [0.0, 0.5, 1.2], rtol=0, atol=1e-7)
    assert out.dtype == np.float32
    assert out[5] == 3.0 and out[7] == 8.0  # samples exactly at the time, gap or not
    assert at.fresh.tolist() == [False, True, True, True, True, True, False, True, False]
    assert np.isnan(out[[0, 6, 8]]).all()  # before the first, across the gap, past the last


def test_linear_does_not_bridge_an_invalid_row_beyond_the_age():
    valid = ALL_VALID.copy()
    valid[1] = False
    at = linear(T, valid, np.array([5, 15]) * MS, max_age_ns=15 * MS)
    assert not at.fresh.any()  # 0 and 20 ms are 20 ms apart
    at = linear(T, valid, np.array([5, 15]) * MS, max_age_ns=20 * MS)
    np.testing.assert_allclose(at.interpolated(VALUES), [0.5, 1.5])


def test_interpolation_needs_floats_and_keeps_each_dimension():
    at = linear(T, ALL_VALID, np.array([15]) * MS, max_age_ns=15 * MS)
    with pytest.raises(TypeError):
        at.interpolated(np.arange(5))
    rows = np.stack([VALUES, -VALUES], axis=1)
    np.testing.assert_allclose(at.interpolated(rows), [[1.5, -1.5]])


def test_default_age_is_three_periods():
    assert default_max_age_ns(200.0) == 15 * MS
    assert default_max_age_ns(30.0) == 100 * MS


def test_timeline_steps_at_the_rate_and_stays_inside():
    times = timeline(5, 5 + 1_000_000_000, 30)
    assert len(times) == 31 and times[0] == 5 and times[-1] == 5 + 1_000_000_000
    assert set(np.diff(times).tolist()) == {33_333_333, 33_333_334}
    assert len(timeline(0, 99 * MS, 10)) == 1
    assert len(timeline(0, 100 * MS, 10)) == 2
    assert len(timeline(10, 9, 30)) == 0
    assert timeline(0, 933_333_333, 30)[-1] == 933_333_333  # 28 / 30 s, rounded down


def test_overlap_is_where_every_stream_has_valid_samples():
    a = SimpleNamespace(t_capture_ns=np.array([0, 10, 50]), valid=np.array([False, True, True]))
    b = SimpleNamespace(t_capture_ns=np.array([30, 5, 40]), valid=np.ones(3, bool))
    assert overlap([a, b]) == (10, 40)
    late = SimpleNamespace(t_capture_ns=np.array([60]), valid=np.ones(1, bool))
    assert overlap([a, late]) is None
    dead = SimpleNamespace(t_capture_ns=np.array([1]), valid=np.zeros(1, bool))
    assert overlap([a, dead]) is None
