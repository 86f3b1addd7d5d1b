"""Alignment by zero-order hold from each stream's own times, T-Rex vectors, Sparsh pairs."""

import numpy as np
import pytest

from recorder.episode_reader import open_episode
from recorder.loader import (
    align,
    no_contact_frame,
    sparsh_pairs,
    state_action,
    tactile_force,
    timeline,
)
from tests.recorder.full_episode import T0_NS, record_full_episode


@pytest.fixture
def episode(tmp_path):
    return open_episode(record_full_episode(tmp_path))


def test_timeline_covers_the_overlap_at_the_rate(episode):
    times = timeline(episode, ("body", "hand_left", "control"), 30.0)
    assert times[0] == T0_NS
    np.testing.assert_allclose(np.diff(times), 1e9 / 30, atol=1)
    assert times[-1] <= T0_NS + 0.995e9  # the 200 Hz body's last sample


def test_hold_takes_the_newest_sample_at_or_before_and_gaps_become_nan(episode):
    times = T0_NS + np.array([0, 2_500_000, 5_000_000, 600_000_000, 800_000_000])
    body = align(episode.stream("body"), times, max_age_s=0.05)
    np.testing.assert_array_equal(episode.stream("body").seq[body.rows], [0, 0, 1, 99, 160])
    assert list(body.fresh) == [True, True, True, False, True]  # 0.6 s: 105 ms old
    q = body.field("arm_position")
    np.testing.assert_allclose(q[1], np.arange(14) + 0.0)
    np.testing.assert_allclose(q[2], np.arange(14) + 0.005)
    assert np.isnan(q[3]).all()
    before = align(episode.stream("body"), np.array([T0_NS - 1]))
    assert before.rows[0] == -1 and np.isnan(before.field("arm_position")).all()


def test_state_and_action_follow_the_trex_order(episode):
    times = T0_NS + np.array([100_000_000])
    state, action = state_action(episode, times)
    assert state.shape == action.shape == (1, 58)
    np.testing.assert_allclose(state[0, :7], np.arange(7) + 0.1, atol=1e-6)
    np.testing.assert_array_equal(state[0, 7:29], np.arange(22))
    np.testing.assert_allclose(state[0, 29:36], np.arange(7, 14) + 0.1, atol=1e-6)
    np.testing.assert_array_equal(state[0, 36:], 100 + np.arange(22))
    np.testing.assert_allclose(action - state, 0.5, atol=1e-5)


def test_tactile_force_places_each_fingertip_and_leaves_the_rest_nan(episode):
    force = tactile_force(episode, T0_NS + np.array([700_000_000])).reshape(2, 5, 6)
    assert force[0, 1, 2] == pytest.approx(2.0)  # left index pressing
    assert force[1, 0, 2] == pytest.approx(2.0)  # right thumb
    assert np.isnan(force[0, 0]).all() and np.isnan(force[1, 4]).all()


def test_sparsh_pairs_subtract_the_no_contact_frame(episode):
    stream = episode.stream("tactile_left_index")
    assert (no_contact_frame(stream, "raw") == 40).all()
    pairs = sparsh_pairs(stream, "raw", stride=5)
    assert pairs.shape == (len(stream) - 5, 2, 240, 320)
    np.testing.assert_allclose(pairs[0], 0.5)  # no contact in either frame
    np.testing.assert_allclose(pairs[-1, 1], 0.5 + 60 / 255, atol=1e-6)
