"""Quick re-alignment between episodes: the operator holds the robot's reset pose for a moment
and the registration is corrected in heading and position, keeping its up axis.

Between episodes the operator may have stepped or turned, or the trackers' base stations
been nudged; the full registration (:mod:`calibration.registration`) stays right about which
way is up (gravity), so only a rotation about the robot base's vertical axis (z) and a
translation are refit. With ``P_ij`` the operator's wrist j-th frame of side i in the base
frame under the current registration ``X`` (``X @ U_ij @ Y_i``) and ``W_i`` the robot's wrist
pose, the correction ``C = [Rz(yaw) | t]`` minimises a robust (soft-L1) sum of position and
orientation errors of ``C @ P_ij`` against ``W_i`` over both wrists; the new registration
is ``C @ X``. All poses are 4x4 homogeneous matrices in metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.spatial.transform import Rotation

MIN_FRAMES = 10
"""Tracker frames needed per wrist."""
MAX_RESIDUAL_MM = 25.0
"""Above this RMS position error (mm) the operator was not holding the reset pose."""
MAX_RESIDUAL_DEG = 10.0
"""Above this RMS orientation error (deg) likewise."""
ROTATION_WEIGHT_M = 0.1
"""Metres of position error one radian of orientation error counts as."""


class RealignError(ValueError):
    """The frames cannot give a re-alignment; the message says what to do."""


@dataclass(frozen=True)
class Realignment:
    """The corrected ``robot_from_universe`` (4x4), the fit's RMS residuals (mm, deg) and how
    far the correction moved and turned the registration (mm, deg about the vertical)."""

    robot_from_universe: np.ndarray
    residual_mm: float
    residual_deg: float
    moved_mm: float
    turned_deg: float


def _yaw(yaw_rad: float) -> np.ndarray:
    return Rotation.from_euler("z", yaw_rad).as_matrix()


def realign(
    robot_from_universe: np.ndarray,
    tracker_poses: Sequence[np.ndarray],
    tracker_to_wrist: Sequence[np.ndarray],
    robot_wrists: Sequence[np.ndarray],
) -> Realignment:
    """Correct ``robot_from_universe`` so the held wrists land on the robot's.

    Per wrist: ``tracker_poses[i]`` (N, 4, 4) in the universe, its mount
    ``tracker_to_wrist[i]`` (T_tracker_wrist) and the robot's wrist ``robot_wrists[i]`` (base
    frame). RealignError when frames are missing or non-finite, or the residual says the
    operator was not holding the pose.
    """
    held, targets = [], []
    for poses, mount, wrist in zip(tracker_poses, tracker_to_wrist, robot_wrists, strict=True):
        poses = np.asarray(poses, float)
        poses = poses[np.isfinite(poses).all(axis=(1, 2))] if poses.ndim == 3 else poses[:0]
        if len(poses) < MIN_FRAMES:
            raise RealignError(
                f"{len(poses)} valid tracker frame(s) of a wrist, {MIN_FRAMES} needed: keep "
                "both trackers in view and hold still"
            )
        held.append(robot_from_universe @ poses @ mount)
        targets.append(np.broadcast_to(wrist, poses.shape))
    current = np.concatenate(held)
    target = np.concatenate(targets)
    target_rot = Rotation.from_matrix(target[:, :3, :3])

    def errors(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rz = _yaw(p[0])
        position = current[:, :3, 3] @ rz.T + p[1:] - target[:, :3, 3]
        rotation = (target_rot.inv() * Rotation.from_matrix(rz @ current[:, :3, :3])).as_rotvec()
        return position, rotation

    def cost(p: np.ndarray) -> np.ndarray:
        position, rotation = errors(p)
        return np.concatenate([position, ROTATION_WEIGHT_M * rotation], axis=1).ravel()

    heading = target_rot * Rotation.from_matrix(current[:, :3, :3]).inv()
    sin, cos = _sin_cos(heading).mean(axis=0)
    yaw0 = float(np.arctan2(sin, cos))
    t0 = np.mean(target[:, :3, 3] - current[:, :3, 3] @ _yaw(yaw0).T, axis=0)
    fit = least_squares(cost, np.r_[yaw0, t0], loss="soft_l1", f_scale=0.01)
    position, rotation = errors(fit.x)
    residual_mm = float(np.sqrt(np.mean(np.sum(position**2, axis=1)))) * 1e3
    residual_deg = float(np.degrees(np.sqrt(np.mean(np.sum(rotation**2, axis=1)))))
    if residual_mm > MAX_RESIDUAL_MM or residual_deg > MAX_RESIDUAL_DEG:
        raise RealignError(
            f"the wrists do not match the robot's reset pose (residual {residual_mm:.0f} mm, "
            f"{residual_deg:.1f} deg): hold both wrists still where the robot's are, then again"
        )
    correction = np.eye(4)
    correction[:3, :3], correction[:3, 3] = _yaw(fit.x[0]), fit.x[1:]
    return Realignment(
        correction @ robot_from_universe,
        residual_mm,
        residual_deg,
        float(np.linalg.norm(fit.x[1:])) * 1e3,
        float(np.degrees(abs(np.angle(np.exp(1j * fit.x[0]))))),
    )


def _sin_cos(heading: Rotation) -> np.ndarray:
    """(sin, cos) of each rotation's heading about z, for a circular mean."""
    x_axis = heading.apply([1.0, 0.0, 0.0])
    return np.stack([x_axis[:, 1], x_axis[:, 0]], axis=1)
