"""Schematic rendering of the simulated world for the sim cameras.

A frame is computed on a grid of one cell per ``scale`` x ``scale`` pixel block. The room
and the table (see ``backdrop``) are ray-cast per cell, and cached while the camera does not
move. The object, both palms and the ten fingertip pads are then painted far to near inside
their projected extents only: spheres as shaded discs, boxes as flat-shaded faces. Finally
the grid is upsampled and given per-pixel sensor noise from a shared noise bank, so a
frame's JPEG size and encoding cost are those of a real camera image.

Camera poses are 4x4 (m) in the base frame, optical convention (see ``pinhole``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache, partial

import numpy as np

from devices.sim.backdrop import AMBIENT, DIFFUSE, LIGHT, cast_backdrop
from devices.sim.hand_geometry import PAD_RADIUS_M
from devices.sim.noise_bank import noise_bank
from devices.sim.pinhole import Pinhole
from devices.sim.shapes import Box, Sphere
from devices.sim.world import SimWorld
from retargeting.sharpa_wave import PALM_FROM_FLANGE_Z_M

NOISE_SIGMA_DN = 2.5
"""Temporal sensor noise (DN, standard deviation) of every simulated camera pixel."""
NEAR_M = 0.02
"""Nearest distance (m) from a camera at which things are drawn."""
CAMERA_LIGHT = np.array([-0.4, -0.6, -0.7]) / np.linalg.norm([-0.4, -0.6, -0.7])
"""Unit direction (camera frame) towards the light used to shade spheres: upper left, behind."""
SPECULAR = 70.0
"""Peak highlight (DN) on the spheres."""
OBJECT_RGB = (205, 72, 48)
PALM_RGB = (150, 152, 160)
FINGER_RGB = ((225, 60, 60), (240, 150, 40), (230, 210, 60), (70, 185, 95), (65, 120, 225))
"""Pad colours in FINGERS order."""
PALM = Box((0.015, 0.042, 0.045))
"""The palm as a box in the hand flange frame, centred PALM_IN_FLANGE; the palm faces +x."""
PALM_IN_FLANGE = np.eye(4)
PALM_IN_FLANGE[2, 3] = PALM_FROM_FLANGE_Z_M + 0.045
MAX_SPRITE_CELLS = 120
"""Largest sphere radius drawn, in grid cells; nearer spheres are drawn at this size."""
_CORNER_SIGNS = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)]) * 2.0 - 1.0
"""Box corners as signs of the half extents; corner i has bits (x, y, z) of i."""


def _face(axis: int, side: int) -> list[int]:
    """Corner indices, in order around the face, of a box face normal to ``axis``."""
    u, v = (a for a in range(3) if a != axis)
    corners = []
    for bu, bv in ((0, 0), (0, 1), (1, 1), (1, 0)):
        bits = [0, 0, 0]
        bits[axis], bits[u], bits[v] = side, bu, bv
        corners.append(bits[0] * 4 + bits[1] * 2 + bits[2])
    return corners


_FACE_AXES = np.repeat(np.arange(3), 2)
_FACE_SIGNS = np.tile([-1.0, 1.0], 3)
_FACE_CORNERS = np.array([_face(axis, side) for axis in range(3) for side in (0, 1)])
"""The six box faces: the axis each is normal to, the outward sign, its corner indices."""
_NEXT_CORNER = [1, 2, 3, 0]


@lru_cache(maxsize=256)
def _sphere_sprite(
    radius: int, rgb: tuple[int, int, int], brightness: float, lo: int
) -> tuple[np.ndarray, np.ndarray]:
    """A sphere of ``radius`` cells and colour ``rgb`` seen from the front, lit by
    CAMERA_LIGHT and scaled by ``brightness``: its disc mask and its RGB colours (uint8 in
    [lo, 255 - lo]), each (2 radius + 1) square."""
    r = np.arange(-radius, radius + 1, dtype=np.float32) / (radius + 0.5)
    x, y = r[None, :], r[:, None]
    rr = x * x + y * y
    nz = -np.sqrt(np.clip(1.0 - rr, 0.0, 1.0))  # the visible half faces the camera (-z)
    half = CAMERA_LIGHT - np.array([0.0, 0.0, 1.0])
    half /= np.linalg.norm(half)

    def cosine(direction: np.ndarray) -> np.ndarray:
        return np.clip(x * direction[0] + y * direction[1] + nz * direction[2], 0.0, None)

    lit = np.asarray(rgb) * (AMBIENT + DIFFUSE * cosine(CAMERA_LIGHT))[..., None]
    lit += SPECULAR * cosine(half)[..., None] ** 24
    return rr < 1.0, np.clip(lit * brightness, lo, 255 - lo).astype(np.uint8)


def _clip_span(start: int, length: int, limit: int) -> tuple[slice, slice] | None:
    """Part of [start, start + length) inside [0, limit): as a slice of the grid and of the
    span itself; None when empty."""
    lo, hi = max(start, 0), min(start + length, limit)
    if lo >= hi:
        return None
    return slice(lo, hi), slice(lo - start, hi - start)


class SceneRenderer:
    """Draws what a camera at a given pose sees of ``world``. Not thread-safe: one per camera.

    ``scale`` (dividing both image sides) trades detail for speed: 1 for a fixed camera whose
    background is cached, 4 for a moving one that re-casts it every frame. ``rng`` picks each
    frame's noise.
    """

    def __init__(
        self, world: SimWorld, camera: Pinhole, scale: int, rng: np.random.Generator
    ) -> None:
        if camera.width % scale or camera.height % scale:
            raise ValueError(f"scale {scale} must divide {camera.width}x{camera.height}")
        self.world = world
        self.camera = camera
        self.scale = scale
        cu, cv = camera.center
        offset = (scale - 1) / 2  # from a cell's index to its centre pixel
        self._columns = np.arange(camera.width // scale, dtype=np.float32)
        self._rows = np.arange(camera.height // scale, dtype=np.float32)
        self._x = (self._columns * scale + (offset - cu)) / np.float32(camera.focal_px)
        self._y = (self._rows * scale + (offset - cv)) / np.float32(camera.focal_px)
        self._norm = np.sqrt(self._x[None, :] ** 2 + self._y[:, None] ** 2 + 1.0)
        self._vignette = 0.35 + 0.65 / self._norm**3  # cos^3 of the angle off the axis
        self._noise = noise_bank(camera.width * camera.height * 3, NOISE_SIGMA_DN)
        self._lo = self._noise.margin
        columns = np.arange(camera.width) // scale
        self._byte_index = (columns[:, None] * 3 + np.arange(3)).ravel()
        self._rng = rng
        self._bg_pose: np.ndarray | None = None
        self._bg = self._bg_depth = np.empty(0)

    def render(self, pose: np.ndarray) -> np.ndarray:
        """A new (H, W, 3) uint8 RGB frame seen from camera ``pose`` (4, 4) in the base frame."""
        if self._bg_pose is None or not np.array_equal(pose, self._bg_pose):
            self._bg, self._bg_depth = self._background(pose)
            self._bg_pose = pose.copy()
        low = self._bg.copy()
        for _, paint in sorted(self._items(pose), key=lambda item: -item[0]):
            paint(low)
        return self._finish(low)

    def _items(self, pose: np.ndarray) -> list[tuple[float, Callable[[np.ndarray], None]]]:
        """(distance from the camera in m, painter) of the object, each palm and each pad."""
        world = self.world
        shape, shape_pose = world.object_shape, world.object_pose()
        boxes = [(PALM, hand @ PALM_IN_FLANGE, PALM_RGB) for hand in world.hand_poses()]
        centres = [*world.pad_centers().reshape(-1, 3)]
        spheres = [(PAD_RADIUS_M, rgb) for _ in range(2) for rgb in FINGER_RGB]
        if isinstance(shape, Sphere):
            centres.append(shape_pose[:3, 3])
            spheres.append((shape.radius, OBJECT_RGB))
        else:
            boxes.append((shape, shape_pose, OBJECT_RGB))
        eye = pose[:3, 3]
        uv, depth = self.camera.project(pose, np.array(centres))
        items = [
            (float(np.linalg.norm(c - eye)), partial(self._paint_sphere, *p, z, *sphere))
            for c, p, z, sphere in zip(centres, uv, depth, spheres, strict=True)
        ]
        items += [
            (float(np.linalg.norm(box[1][:3, 3] - eye)), partial(self._paint_box, pose, *box))
            for box in boxes
        ]
        return items

    def _background(self, pose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Room and table seen from ``pose``: RGB colours (h, w, 3) uint8 and the distances (m)
        along each cell's ray (h, w)."""
        x, y = self._x[None, :], self._y[:, None]
        d = [r[0] * x + (r[1] * y + r[2]) for r in pose[:3, :3].astype(np.float32)]
        origin = pose[:3, 3].astype(np.float32)
        colour, t = cast_backdrop(self.world.scene, self._lo, origin, d)
        rgb = colour.view(np.uint8).reshape(*colour.shape, 4)[..., :3].astype(np.float32)
        rgb -= self._lo  # darken towards lo, not 0, to leave room for the noise
        rgb *= self._vignette[..., None]
        rgb += self._lo
        return rgb.astype(np.uint8), t * self._norm

    def _paint_sphere(
        self,
        u: float,
        v: float,
        z: float,
        radius: float,
        rgb: tuple[int, int, int],
        grid: np.ndarray,
    ) -> None:
        """Paint a shaded sphere of ``radius`` (m) whose centre projects to pixel (u, v) at
        depth ``z`` (m), where it is in front of the background."""
        if z - radius <= NEAR_M:
            return
        s = self.scale
        size = min(max(round(self.camera.focal_px * radius / z / s), 1), MAX_SPRITE_CELLS)
        h, w = self._norm.shape
        row, col = round((v - (s - 1) / 2) / s), round((u - (s - 1) / 2) / s)
        rows = _clip_span(row - size, 2 * size + 1, h)
        cols = _clip_span(col - size, 2 * size + 1, w)
        if rows is None or cols is None:
            return
        brightness = round(self._vignette_at(row, col) * 16) / 16  # few cached sprites
        mask, colours = _sphere_sprite(size, rgb, brightness, self._lo)
        sprite = rows[1], cols[1]
        visible = mask[sprite] & (self._bg_depth[rows[0], cols[0]] > z - radius)
        block = grid[rows[0], cols[0]]
        block[visible] = colours[sprite][visible]

    def _paint_box(
        self,
        pose: np.ndarray,
        box: Box,
        box_pose: np.ndarray,
        rgb: tuple[int, int, int],
        grid: np.ndarray,
    ) -> None:
        """Paint the faces of a box (base frame, m) turned towards the camera, flat-shaded."""
        rotation, centre = box_pose[:3, :3], box_pose[:3, 3]
        half = np.asarray(box.half_extents)
        uv, z = self.camera.project(pose, centre + (_CORNER_SIGNS * half) @ rotation.T)
        if (z <= NEAR_M).any():
            return
        corners = (uv - (self.scale - 1) / 2) / self.scale
        normals = rotation.T[_FACE_AXES] * _FACE_SIGNS[:, None]
        towards = centre + normals * half[_FACE_AXES, None] - pose[:3, 3]
        shades = AMBIENT + DIFFUSE * np.clip(normals @ LIGHT, 0.0, None)
        for i in np.flatnonzero(np.sum(towards * normals, axis=1) < 0):
            face = corners[_FACE_CORNERS[i]]
            col, row = face.mean(axis=0)
            shade = shades[i] * self._vignette_at(round(row), round(col))
            colour = np.clip(np.asarray(rgb) * shade, self._lo, 255 - self._lo).astype(np.uint8)
            self._paint_polygon(grid, face, colour)

    def _paint_polygon(self, grid: np.ndarray, corners: np.ndarray, colour: np.ndarray) -> None:
        """Fill the convex polygon with ``corners`` (K, 2) (grid column, row) with ``colour``."""
        h, w = self._norm.shape
        (left, top), (right, bottom) = corners.min(axis=0).tolist(), corners.max(axis=0).tolist()
        c0, c1 = max(math.floor(left), 0), min(math.ceil(right) + 1, w)
        r0, r1 = max(math.floor(top), 0), min(math.ceil(bottom) + 1, h)
        if c0 >= c1 or r0 >= r1:
            return
        edges = corners[_NEXT_CORNER] - corners
        (ax, ay), (bx, by) = edges[-1].tolist(), edges[0].tolist()
        if ax * by - ay * bx < 0:  # clockwise: flip the edges' inner side
            edges = -edges
        px, py = corners.T.astype(np.float32)[..., None, None]
        ex, ey = edges.T.astype(np.float32)[..., None, None]
        x = self._columns[c0:c1][None, :]
        y = self._rows[r0:r1][:, None]
        inside = ((y - py) * ex >= (x - px) * ey).all(axis=0)
        block = grid[r0:r1, c0:c1]
        block[inside] = colour

    def _vignette_at(self, row: int, col: int) -> float:
        """Vignetting factor at grid cell (row, col), clamped to the grid."""
        h, w = self._vignette.shape
        return float(self._vignette[min(max(row, 0), h - 1), min(max(col, 0), w - 1)])

    def _finish(self, low: np.ndarray) -> np.ndarray:
        """Upsample the RGB grid to the full frame and add this frame's sensor noise."""
        cam, s = self.camera, self.scale
        out = np.empty((cam.height, cam.width, 3), np.uint8)
        rows = low.reshape(len(low), -1)
        if s > 1:
            rows = np.take(rows, self._byte_index, axis=1)
        noise = self._noise.draw(self._rng).reshape(len(low), s, cam.width * 3)
        np.add(rows[:, None, :], noise, out=out.reshape(len(low), s, cam.width * 3))
        return out
