"""Tracker-to-robot registration from many pose pairs, robust to outliers.

Each pair is a tracker pose ``U_i`` in the tracking universe and the robot wrist pose ``W_i``
in the robot base frame while the operator's wrist matches the robot's (holding the reset pose,
or following it through poses). With ``X`` = T_base_universe and ``Y`` = T_tracker_wrist (the
tracker's mount on the wrist)::

    W_i = X @ U_i @ Y

:func:`register` estimates ``X`` (and ``Y`` unless given) by RANSAC over minimal sets of
three pairs, each solved in closed form (rotations from the axes of relative motions, then
translations by linear least squares), then refines on the inliers with a robust (soft-L1)
nonlinear least squares, and reports the residual in mm and degrees. All poses are 4x4
homogeneous matrices in metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.spatial.transform import Rotation

INLIER_MM = 8.0
"""A pair whose position residual exceeds this (mm) is an outlier."""
INLIER_DEG = 3.0
"""A pair whose rotation residual exceeds this (deg) is an outlier."""
MIN_PAIRS = 6
RANSAC_ITERATIONS = 300
MIN_MOTION_DEG = 10.0
"""Relative rotations smaller than this carry no usable axis."""


class RegistrationError(ValueError):
    """The pose pairs cannot give a registration; the message says what to capture."""


@dataclass(frozen=True)
class Registration:
    """``robot_from_universe`` (X) and ``tracker_to_wrist`` (Y) with the fit's quality:
    RMS residuals over the inliers (mm, deg) and which pairs were inliers."""

    robot_from_universe: np.ndarray
    tracker_to_wrist: np.ndarray
    residual_mm: float
    residual_deg: float
    inliers: np.ndarray

    @property
    def outliers(self) -> int:
        return int((~self.inliers).sum())


def _pose(rotation: np.ndarray, translation: np.ndarray) -> np.ndarray:
    pose = np.eye(4)
    pose[:3, :3], pose[:3, 3] = rotation, translation
    return pose


def residuals(
    x: np.ndarray, y: np.ndarray, trackers: np.ndarray, wrists: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: position error (mm) and rotation error (deg) of ``x @ U_i @ y`` against W_i."""
    predicted = x @ trackers @ y
    position = np.linalg.norm(predicted[:, :3, 3] - wrists[:, :3, 3], axis=1) * 1e3
    relative = np.einsum("nji,njk->nik", predicted[:, :3, :3], wrists[:, :3, :3])
    angle = np.degrees(Rotation.from_matrix(relative).magnitude())
    return position, angle


def _rotation_x(trackers: np.ndarray, wrists: np.ndarray) -> np.ndarray | None:
    """R_X from relative motions: W_i W_j^T = R_X (U_i U_j^T) R_X^T, so their axes are related
    by R_X (Kabsch on the axes, weighted by angle). None when the motions are degenerate."""
    a_axes, b_axes = [], []
    for i in range(len(trackers)):
        for j in range(i + 1, len(trackers)):
            a = Rotation.from_matrix(wrists[i, :3, :3] @ wrists[j, :3, :3].T).as_rotvec()
            b = Rotation.from_matrix(trackers[i, :3, :3] @ trackers[j, :3, :3].T).as_rotvec()
            if np.degrees(np.linalg.norm(b)) >= MIN_MOTION_DEG:
                a_axes.append(a)
                b_axes.append(b)
    if len(a_axes) < 2:
        return None
    a, b = np.array(a_axes), np.array(b_axes)
    if np.linalg.matrix_rank(b, tol=np.radians(MIN_MOTION_DEG) / 4) < 2:
        return None
    rotation, _ = Rotation.align_vectors(a, b)
    return rotation.as_matrix()


def _closed_form(
    trackers: np.ndarray, wrists: np.ndarray, offset: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(X, Y) solving the pairs exactly when noise-free; None when degenerate."""
    if offset is None:
        r_x = _rotation_x(trackers, wrists)
        if r_x is None:
            return None
        r_y_each = np.einsum("nji,jk,nkl->nil", trackers[:, :3, :3], r_x.T, wrists[:, :3, :3])
        r_y = Rotation.from_matrix(r_y_each).mean().as_matrix()
        # W_p = R_X R_U t_Y + R_X t_U + t_X, linear in (t_X, t_Y)
        identity = np.repeat(np.eye(3)[None], len(trackers), 0)
        a = np.concatenate([identity, np.einsum("ij,njk->nik", r_x, trackers[:, :3, :3])], axis=2)
        b = wrists[:, :3, 3] - trackers[:, :3, 3] @ r_x.T
        solution, *_ = np.linalg.lstsq(a.reshape(-1, 6), b.reshape(-1), rcond=None)
        return _pose(r_x, solution[:3]), _pose(r_y, solution[3:])
    through = trackers @ offset  # X @ through_i = W_i
    each = wrists @ np.linalg.inv(through)
    r_x = Rotation.from_matrix(each[:, :3, :3]).mean().as_matrix()
    t_x = np.mean(wrists[:, :3, 3] - through[:, :3, 3] @ r_x.T, axis=0)
    return _pose(r_x, t_x), offset


def _refine(
    x: np.ndarray, y: np.ndarray, trackers: np.ndarray, wrists: np.ndarray, fixed_y: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Soft-L1 least squares on positions (mm) and rotations (deg) of the inlier pairs."""

    def unpack(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        new_x = _pose(Rotation.from_rotvec(p[:3]).as_matrix() @ x[:3, :3], x[:3, 3] + p[3:6])
        if fixed_y:
            return new_x, y
        return new_x, _pose(Rotation.from_rotvec(p[6:9]).as_matrix() @ y[:3, :3], y[:3, 3] + p[9:])

    def cost(p: np.ndarray) -> np.ndarray:
        px, py = unpack(p)
        predicted = px @ trackers @ py
        position = (predicted[:, :3, 3] - wrists[:, :3, 3]).ravel() * 1e3
        relative = np.einsum("nji,njk->nik", predicted[:, :3, :3], wrists[:, :3, :3])
        rotation = np.degrees(Rotation.from_matrix(relative).as_rotvec()).ravel()
        return np.concatenate([position, rotation])

    start = np.zeros(6 if fixed_y else 12)
    result = least_squares(cost, start, loss="soft_l1", f_scale=1.0)
    return unpack(result.x)


def register(
    trackers: np.ndarray,
    wrists: np.ndarray,
    tracker_to_wrist: np.ndarray | None = None,
    seed: int = 0,
) -> Registration:
    """Estimate T_base_universe (and T_tracker_wrist unless given) from pose pairs.

    ``trackers`` (N, 4, 4) in the universe, ``wrists`` (N, 4, 4) in the base frame (m).
    RegistrationError when there are too few pairs, non-finite poses, or motions too small
    to tell the rotations apart.
    """
    trackers, wrists = np.asarray(trackers, float), np.asarray(wrists, float)
    if trackers.shape != wrists.shape or trackers.shape[1:] != (4, 4):
        raise RegistrationError(
            f"need matching (N, 4, 4) poses, got {trackers.shape}, {wrists.shape}"
        )
    if not (np.isfinite(trackers).all() and np.isfinite(wrists).all()):
        raise RegistrationError("a pose holds NaN or Inf: capture again with the trackers in view")
    if len(trackers) < MIN_PAIRS:
        raise RegistrationError(f"{len(trackers)} pairs: capture at least {MIN_PAIRS}")
    rng = np.random.default_rng(seed)
    best: tuple[int, float, np.ndarray, np.ndarray] | None = None
    for _ in range(RANSAC_ITERATIONS):
        pick = rng.choice(len(trackers), 3, replace=False)
        guess = _closed_form(trackers[pick], wrists[pick], tracker_to_wrist)
        if guess is None:
            continue
        position, angle = residuals(*guess, trackers, wrists)
        inliers = (position < INLIER_MM) & (angle < INLIER_DEG)
        score = (int(inliers.sum()), -float(np.median(position)))
        if best is None or score > best[:2]:
            best = (*score, *guess)
    if best is None:
        raise RegistrationError(
            "the poses do not rotate enough to register: turn the wrist through poses at "
            f"least {MIN_MOTION_DEG:.0f} deg apart about different axes"
        )
    _, _, x, y = best
    position, angle = residuals(x, y, trackers, wrists)
    inliers = (position < INLIER_MM) & (angle < INLIER_DEG)
    if inliers.sum() < MIN_PAIRS:
        raise RegistrationError(
            f"only {int(inliers.sum())} of {len(trackers)} pairs agree: check the trackers' "
            "mounting and capture again"
        )
    x, y = _refine(x, y, trackers[inliers], wrists[inliers], tracker_to_wrist is not None)
    position, angle = residuals(x, y, trackers, wrists)
    inliers = (position < INLIER_MM) & (angle < INLIER_DEG)
    return Registration(
        robot_from_universe=x,
        tracker_to_wrist=y,
        residual_mm=float(np.sqrt(np.mean(position[inliers] ** 2))),
        residual_deg=float(np.sqrt(np.mean(angle[inliers] ** 2))),
        inliers=inliers,
    )
