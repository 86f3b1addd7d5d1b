"""The 3D robot view, its segments, and the choice between it and the 2D fallback."""

import numpy as np
import pytest

from devices.sample import Sample
from retargeting.vega1 import READY_POSE
from ui.robot_view_3d import RobotView3D, choose_robot_view, opengl_renderer, polyline_segments


@pytest.mark.parametrize(
    ("setting", "renderer", "view", "why"),
    [
        ("auto", "NVIDIA GeForce RTX 4070/PCIe/SSE2", "3d", "3D robot view on NVIDIA"),
        ("auto", "llvmpipe (LLVM 15.0.6, 256 bits)", "2d", "software-only (llvmpipe"),
        ("3d", "llvmpipe (LLVM 15.0.6, 256 bits)", "3d", "3D robot view on llvmpipe"),
        ("auto", None, "2d", "no OpenGL"),
        ("3d", None, "2d", "no OpenGL"),
        ("2d", "NVIDIA GeForce RTX 4070/PCIe/SSE2", "2d", "chosen in [ui] robot_view"),
    ],
)
def test_choice_of_view_says_why(setting, renderer, view, why):
    chosen, reason = choose_robot_view(setting, renderer)
    assert chosen == view and why in reason


def test_offscreen_platform_has_no_opengl(qapp):
    assert opengl_renderer() is None  # the tests run on the offscreen platform


def test_polylines_become_segment_pairs_without_crossing_separators():
    nan = [np.nan] * 3
    points = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], nan, [5, 5, 5], [6, 5, 5], nan], float)
    segments = polyline_segments(points)
    expected = [[0, 0, 0], [1, 0, 0], [1, 0, 0], [1, 1, 0], [5, 5, 5], [6, 5, 5]]
    np.testing.assert_array_equal(segments, expected)


def test_items_follow_the_figure(qtbot):
    ready = np.array(READY_POSE, dtype=np.float32)
    streams = {
        "body": Sample("body", 1, 0, 0, None, True, {"arm_position": ready}),
        "hand_right": Sample("hand_right", 1, 0, 0, None, True, {"position": np.zeros(22)}),
    }
    view = RobotView3D(streams.get, np.eye(4), ((0.25, 0.95), (-0.6, 0.6), 0.85))
    qtbot.addWidget(view)
    view.refresh()
    left, right = view.items
    assert left["measured"].visible() and left["measured"].pos.shape == (6, 3)
    assert not left["hand"].visible() and not left["target"].visible()
    segments = 6 + 5 + 5 + 5 + 6  # per finger: its joints plus flange and fingertip, minus one
    assert right["hand"].visible() and right["hand"].pos.shape == (2 * segments, 3)
