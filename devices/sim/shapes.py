"""Rigid shapes of the simulated scene and the penetration of small spheres into them.

A shape is described in its own frame (origin at its centre) and placed by a 4x4 pose (m) in
the robot base frame passed to each call. Normals are unit vectors in the base frame pointing
out of the shape. Queries are vectorised over N spheres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_UP = np.array([0.0, 0.0, 1.0])


def _to_local(pose: np.ndarray, points: np.ndarray) -> np.ndarray:
    return (points - pose[:3, 3]) @ pose[:3, :3]


@dataclass(frozen=True)
class Sphere:
    """A sphere of ``radius`` (m) centred on its frame's origin."""

    radius: float

    @property
    def bounding_radius(self) -> float:
        """Radius (m) of a sphere about the origin enclosing the shape."""
        return self.radius

    @property
    def half_height(self) -> float:
        """Half the shape's extent (m) along its frame's z axis."""
        return self.radius

    def penetration(
        self, pose: np.ndarray, centers: np.ndarray, radius: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Depth (N,) m (negative: separated) of spheres at ``centers`` (N, 3) into this one,
        and the surface normals (N, 3) at the closest points."""
        offset = centers - pose[:3, 3]
        dist = np.linalg.norm(offset, axis=1)
        safe = np.where(dist > 1e-12, dist, 1.0)[:, None]
        normal = np.where(dist[:, None] > 1e-12, offset / safe, _UP)
        return self.radius + radius - dist, normal


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in its own frame with ``half_extents`` (m) along x, y, z."""

    half_extents: tuple[float, float, float]

    @property
    def bounding_radius(self) -> float:
        """Radius (m) of a sphere about the origin enclosing the shape."""
        return float(np.linalg.norm(self.half_extents))

    @property
    def half_height(self) -> float:
        """Half the shape's extent (m) along its frame's z axis."""
        return self.half_extents[2]

    def penetration(
        self, pose: np.ndarray, centers: np.ndarray, radius: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Depth (N,) m (negative: separated) of spheres at ``centers`` (N, 3) into the box,
        and the surface normals (N, 3) at the closest points."""
        half = np.asarray(self.half_extents)
        local = _to_local(pose, centers)
        diff = local - np.clip(local, -half, half)
        dist = np.linalg.norm(diff, axis=1)
        inside = dist <= 1e-12
        face_gap = half - np.abs(local)
        axis = np.argmin(face_gap, axis=1)
        rows = np.arange(len(local))
        normal = diff / np.where(inside, 1.0, dist)[:, None]
        normal[inside] = 0.0
        normal[rows[inside], axis[inside]] = np.where(local[rows, axis] >= 0.0, 1.0, -1.0)[inside]
        depth = np.where(inside, radius + face_gap[rows, axis], radius - dist)
        return depth, normal @ pose[:3, :3].T


Shape = Sphere | Box
