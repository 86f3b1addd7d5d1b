"""The poses the robot shows the operator during tracker registration.

Registration (:mod:`calibration.registration`) needs wrist poses that differ in rotation
by well over ``MIN_MOTION_DEG`` about more than one axis, and some translation. Each pose
here is the ready pose with the elbows and wrists turned (rad, ARM_JOINTS order); the arms
stay clear of the torso and of each other, and every pose is inside the joint limits
(tests check both). The robot moves to each in turn while IDLE
(:meth:`app.control_loop.ControlLoop.move_to`); the operator mirrors it and a pair is
captured.
"""

from __future__ import annotations

import numpy as np

from retargeting.vega1 import READY_POSE

_TURNS = (
    (0.0, 0.0, 0.0, 0.0),
    (0.0, 0.0, 0.4, 0.0),
    (0.0, 0.0, -0.4, 0.0),
    (0.0, 0.0, 0.0, 0.4),
    (0.0, 0.0, 0.0, -0.4),
    (0.15, 0.0, 0.3, 0.3),
    (-0.25, 0.0, -0.3, -0.3),
    (0.0, 0.35, 0.3, -0.3),
)
"""Per pose: (elbow j4, wrist j5, wrist j6, wrist j7) offsets from the ready pose (rad),
the same on both arms."""


def registration_poses() -> list[np.ndarray]:
    """The arm poses (14,) rad to capture, in order; the first is the ready pose."""
    ready = np.array(READY_POSE, dtype=float)
    poses = []
    for elbow, *wrist in _TURNS:
        pose = ready.copy()
        turns = np.array([elbow, *wrist])
        pose[3:7] += turns
        pose[10:14] += turns
        poses.append(pose)
    return poses
