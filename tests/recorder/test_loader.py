"""Episodes as arrays: streams on a timeline, T-Rex vectors, Sparsh tactile pairs."""

import numpy as np
import pytest

from recorder.episode_reader import open_episode
from recorder.loader import (
    action,
    load_streams,
    no_contact_row,
    sparsh_pairs,
    state,
    tactile_force,
)
from tests.recorder.full_episode import CALM_RAW, PRESSED_RAW, T0_NS, record_full_episode

MS = 1_000_000
J14, J22 = np.arange(14), np.arange(22)


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    return open_episode(record_full_episode(tmp_path_factory.mktemp("ds")))


def test_streams_come_on_the_timeline_with_their_freshness(episode):
    times = T0_NS + np.array([2.5, 250, 600, 700, 997]) * MS
    out = load_streams(episode, times.astype(np.int64))
    assert {"body/arm_position", "body/fresh", "control/hand_command"} <= set(out)
    assert "camera_head/image" not in out and "tactile_left_index/raw" not in out
    assert out["body/fresh"].tolist() == [True, True, False, True, False]  # gap, past the end
    np.testing.assert_allclose(out["body/arm_position"][0], J14 + 0.0025, atol=1e-6)
    np.testing.assert_allclose(out["body/arm_position"][3], J14 + 0.7, atol=1e-6)
    assert np.isnan(out["body/arm_position"][[2, 4]]).all()
    np.testing.assert_allclose(out["hand_right/position"][1], 100 + J22 + 0.5, atol=1e-5)
    np.testing.assert_allclose(out["control/arm_command"][0], J14 + 0.5)  # held, not mixed
    assert out["tactile_left_index/fresh"].tolist() == [True, True, True, False, True]
    assert out["tactile_left_index/frame_id"].tolist() == [0, 7, 17, 0, 29]  # ints: 0 if stale


def test_images_come_decoded_when_asked(episode):
    times = (T0_NS + np.array([0, 40, 2000]) * MS).astype(np.int64)
    out = load_streams(episode, times, ["camera_head", "tactile_right_thumb"], images=True)
    camera = episode.stream("camera_head")
    assert out["camera_head/image"].shape == (3, 48, 64, 3)
    np.testing.assert_array_equal(out["camera_head/image"][1], camera.frame("image", 1))
    assert not out["camera_head/image"][2].any()  # long after the last frame
    assert (out["tactile_right_thumb/raw"][0] == CALM_RAW).all()


def test_state_and_action_follow_the_trex_order(episode):
    times = (T0_NS + np.array([2.5, 600]) * MS).astype(np.int64)
    s, a = state(episode, times), action(episode, times)
    assert s.shape == a.shape == (2, 58) and s.dtype == np.float32
    np.testing.assert_allclose(s[0, :7], J14[:7] + 0.0025, atol=1e-6)
    np.testing.assert_allclose(s[0, 7:29], J22 + 0.005, atol=1e-5)
    np.testing.assert_allclose(s[0, 29:36], J14[7:] + 0.0025, atol=1e-6)
    np.testing.assert_allclose(s[0, 36:], 100 + J22 + 0.005, atol=1e-5)
    assert np.isnan(s[1, :7]).all() and np.isnan(s[1, 29:36]).all()  # the body gap only
    assert np.isfinite(s[1, 7:29]).all()
    np.testing.assert_allclose(a[0], np.concatenate([J14[:7], J22, J14[7:], 100 + J22]) + 0.5)


def test_tactile_force_holds_each_fingertip_and_invalid_rows_leave_gaps(episode):
    times = (T0_NS + np.array([100, 650, 700]) * MS).astype(np.int64)
    force = tactile_force(episode, times).reshape(3, 2, 5, 6)
    np.testing.assert_allclose(force[0, :, :, 2], 0.05)
    np.testing.assert_allclose(force[1, :, :, 2], 2.0)  # left index: a 83 ms old sample
    assert np.isnan(force[2, 0, 1]).all()  # left index: invalid since 600 ms, 133 ms old
    np.testing.assert_allclose(force[2, 1, 4], [0, 0, 2, 0, 0, 0])  # right pinky


def test_sparsh_pairs_subtract_the_no_contact_frame_and_skip_missing_partners(episode):
    stream = episode.stream("tactile_left_index")
    assert no_contact_row(stream) == 0
    pairs, rows = sparsh_pairs(stream, "raw", stride=2)
    later = stream.seq[rows[:, 1]]
    assert later.tolist() == [*range(2, 18), *range(26, 30)]  # rows 18..23 are invalid
    np.testing.assert_array_equal(stream.seq[rows[:, 0]], later - 2)
    assert pairs.shape == (20, 2, 16, 24) and pairs.dtype == np.float32
    np.testing.assert_allclose(pairs[0], 0.5)  # no contact in either frame
    pressed = 0.5 + (PRESSED_RAW - CALM_RAW) / 255
    np.testing.assert_allclose(pairs[list(later).index(26)][:, 0, 0], [pressed, pressed])
    np.testing.assert_allclose(pairs[list(later).index(16)][:, 0, 0], [0.5, pressed])
    deform, _ = sparsh_pairs(stream, "deform", stride=2)
    np.testing.assert_allclose(deform[0, :, 0, 0], [0.5, 0.5 + 2 / 255])


def test_no_frame_without_contact_is_an_error(episode):
    stream = episode.stream("tactile_left_index")
    assert no_contact_row(stream, threshold_n=0.01) is None
    with pytest.raises(ValueError, match="no-contact baseline"):
        sparsh_pairs(stream, threshold_n=0.01)
