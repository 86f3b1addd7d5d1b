"""An ideal pinhole camera model and camera placement helpers.

Camera frames are optical (x right, y down, z forward); poses are 4x4 (m) in the robot base
frame; pixel coordinates are (u right, v down) with (0, 0) at the centre of the top-left pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pinhole:
    """An ideal pinhole camera of ``width`` x ``height`` pixels and focal length (pixels)."""

    width: int
    height: int
    focal_px: float

    @classmethod
    def with_hfov(cls, width: int, height: int, hfov_deg: float) -> Pinhole:
        """A camera whose horizontal field of view is ``hfov_deg`` degrees."""
        return cls(width, height, width / 2 / np.tan(np.radians(hfov_deg) / 2))

    @property
    def center(self) -> tuple[float, float]:
        """Principal point (u, v) in pixels, at the image centre."""
        return (self.width - 1) / 2, (self.height - 1) / 2

    def project(self, pose: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (N, 2) and depths (N,) m along the optical axis of base-frame
        ``points`` (N, 3) seen by a camera at ``pose``. Points behind the camera have z <= 0."""
        local = (np.atleast_2d(points) - pose[:3, 3]) @ pose[:3, :3]
        z = local[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            uv = self.focal_px * local[:, :2] / z[:, None] + self.center
        return uv, z


def look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pose (4, 4) of an optical camera at ``eye`` looking at ``target``, image up along +z."""
    eye = np.asarray(eye, dtype=float)
    forward = np.asarray(target, dtype=float) - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, :3] = np.column_stack([right, np.cross(forward, right), forward])
    pose[:3, 3] = eye
    return pose
