"""The 2D robot view follows the body, control and hand streams."""

import numpy as np
import pyqtgraph as pg

from devices.sample import Sample
from retargeting.vega1 import READY_POSE, Vega1Arms
from ui.robot_view import RobotView

pg.setConfigOptions(imageAxisOrder="row-major")


def sample(stream, seq, **data):
    return Sample(stream, seq, 0, 0, None, True, {k: np.asarray(v) for k, v in data.items()})


def test_draws_measured_commanded_and_targets(qtbot):
    ready = np.array(READY_POSE, dtype=np.float32)
    wrists = Vega1Arms().wrist_poses(ready)
    streams = {
        "body": sample("body", 1, arm_position=ready),
        "control": sample("control", 1, arm_command=ready, wrist_target=wrists),
        "hand_left": sample("hand_left", 1, position=np.zeros(22)),
    }
    view = RobotView(streams.get)
    qtbot.addWidget(view)
    view.refresh()
    front = view._curves["front"]
    x, y = front[0].getData()  # left arm, measured: y and z of each frame
    assert len(x) == 6
    np.testing.assert_allclose((x[-1], y[-1]), wrists[0, [1, 2], 3], atol=1e-6)
    tx, ty = front[2].getData()  # a cross of two segments around the target
    assert len(tx) == 4
    np.testing.assert_allclose((tx.mean(), ty.mean()), wrists[0, [1, 2], 3], atol=1e-6)
    hx, hy = front[3].getData()  # the left hand, from its flange at the wrist
    np.testing.assert_allclose((hx[0], hy[0]), wrists[0, [1, 2], 3], atol=1e-6)
    assert np.isnan(hx).sum() == 5  # one polyline per finger
    assert front[7].getData()[0] is None or len(front[7].getData()[0]) == 0  # no right hand


def test_no_command_clears_the_dashed_arms(qtbot):
    ready = np.array(READY_POSE, dtype=np.float32)
    streams = {
        "body": sample("body", 1, arm_position=ready),
        "control": sample(
            "control", 1, arm_command=np.full(14, np.nan), wrist_target=np.full((2, 4, 4), np.nan)
        ),
    }
    view = RobotView(streams.get)
    qtbot.addWidget(view)
    view.refresh()
    x, _ = view._curves["top"][1].getData()
    assert x is None or len(x) == 0
