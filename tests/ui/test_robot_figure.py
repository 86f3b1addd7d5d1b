"""The robot figure: arm chains, wrist targets and hands placed on the measured wrists."""

import numpy as np

from devices.sample import Sample
from retargeting.sharpa_wave import HandKinematics
from retargeting.vega1 import READY_POSE, Vega1Arms
from ui.robot_figure import CHAIN, RobotFigureSource

FLANGE = np.array([[0, -1, 0, 0.01], [1, 0, 0, 0.0], [0, 0, 1, 0.02], [0, 0, 0, 1.0]])


def sample(stream, seq, valid=True, **data):
    return Sample(stream, seq, 0, 0, None, valid, {k: np.asarray(v) for k, v in data.items()})


def test_hands_end_at_their_fingertips_on_the_measured_wrists():
    ready = np.array(READY_POSE)
    q_hand = np.linspace(0.0, 0.6, 22)
    streams = {
        "body": sample("body", 1, arm_position=ready),
        "hand_left": sample("hand_left", 1, position=q_hand),
        "hand_right": sample("hand_right", 1, position=np.zeros(22)),
    }
    figure = RobotFigureSource(streams.get, FLANGE).update()
    wrists = Vega1Arms().wrist_poses(ready)
    assert figure.measured.shape == (2, len(CHAIN), 3)
    np.testing.assert_allclose(figure.measured[:, -1], wrists[:, :3, 3], atol=1e-9)
    for side, q in (("left", q_hand), ("right", np.zeros(22))):
        i = ("left", "right").index(side)
        placed = wrists[i] @ FLANGE
        tips = HandKinematics(side).fingertips(q) @ placed[:3, :3].T + placed[:3, 3]
        points = figure.hands[i]
        ends = np.flatnonzero(np.isnan(points[:, 0])) - 1  # the point before each separator
        np.testing.assert_allclose(points[ends], tips, atol=1e-9)
        starts = np.r_[0, ends[:-1] + 2]
        np.testing.assert_allclose(points[starts], np.tile(placed[:3, 3], (5, 1)), atol=1e-9)
    assert figure.commanded is None and figure.targets is None


def test_nothing_new_gives_none_and_bad_samples_are_not_drawn():
    streams = {
        "body": sample("body", 1, arm_position=np.array(READY_POSE)),
        "hand_left": sample("hand_left", 1, valid=False, position=np.zeros(22)),
        "hand_right": sample("hand_right", 1, position=np.full(22, np.nan)),
    }
    source = RobotFigureSource(streams.get, np.eye(4))
    figure = source.update()
    assert figure.hands == (None, None)
    assert source.update() is None
    streams["body"] = sample("body", 2, arm_position=np.full(14, np.nan))
    assert source.update().measured is None
