"""The static part of a simulated camera's view: the room and the table, ray-cast.

The room is an axis-aligned box in the base frame (tiled floor at z = 0, plaster walls and
ceiling); the table is its textured top and front edge. Rays are given as three arrays of
direction components (any common scale); colours come from a shaded texture atlas.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from devices.sim.scene import SceneSpec
from devices.sim.seeding import seeded_rng
from devices.sim.textures import plaster, tiles, wood

ROOM_LO_M = (-2.0, -3.0, 0.0)
ROOM_HI_M = (2.2, 3.0, 2.8)
"""The room's walls, floor (z = 0) and ceiling: an axis-aligned box in the base frame (m)."""
TABLE_EDGE_M = 0.04
"""Height (m) of the table top's front edge."""
LIGHT = np.array([-0.4, 0.3, 1.0]) / np.linalg.norm([-0.4, 0.3, 1.0])
"""Unit direction (base frame) towards the room's main light."""
AMBIENT, DIFFUSE = 0.45, 0.6
"""Brightness of a surface: AMBIENT + DIFFUSE * cos(angle to LIGHT), cosine clipped at 0."""
TEXELS = 512
"""Side of every square texture in the atlas (a power of two)."""
TEXEL_M = 0.002
"""Size (m) of a texel on every surface: each texture repeats every 1.024 m."""
FLOOR, CEILING, TABLE_TOP, WALL_X, TABLE_EDGE, WALL_Y = range(6)
"""Surfaces, grouped by orientation: textured by (x, y) when horizontal (ids < WALL_X), by
(z, y) when facing x, and by (z, x) when facing y."""
_SURFACE_OF_AXIS = (WALL_X, WALL_Y, FLOOR)


@cache
def _atlas(seed: int, lo: int) -> np.ndarray:
    """Shaded surface textures packed as RGBX uint32, one per surface, flattened. Channel
    values lie in [lo, 255 - lo]."""
    rng = seeded_rng(seed, "textures")
    board, floor, wall = (
        wood(rng, TEXELS, TEXEL_M),
        tiles(rng, TEXELS, TEXEL_M),
        plaster(rng, TEXELS),
    )
    facing_x = AMBIENT - DIFFUSE * LIGHT[0]
    surfaces = (  # in FLOOR .. WALL_Y order: texture, brightness
        (floor, AMBIENT + DIFFUSE * LIGHT[2]),
        (wall, AMBIENT),
        (board, AMBIENT + DIFFUSE * LIGHT[2]),
        (wall, facing_x),
        (board, 0.5 * facing_x),
        (wall, AMBIENT + 0.5 * DIFFUSE * abs(LIGHT[1])),
    )
    rgbx = np.zeros((len(surfaces), TEXELS, TEXELS, 4), np.uint8)
    for k, (texture, brightness) in enumerate(surfaces):
        rgbx[k, ..., :3] = np.clip(texture * brightness, lo, 255 - lo)
    return rgbx.view(np.uint32).ravel()


def cast_backdrop(
    scene: SceneSpec, lo: int, origin: np.ndarray, d: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Colours and distances of the room and table along rays from ``origin`` (3,) (base
    frame, m, inside the room) with direction components ``d`` (3 arrays of one shape).

    Returns RGBX colours (uint32, channels in [lo, 255 - lo], X unused) and distances in units
    of the direction vectors, each of the rays' shape.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        t, surface = _room_exit(origin, d)
        _table_top(scene, origin, d, t, surface)
        _table_edge(scene, origin, d, t, surface)
    hit = [o + t * dk for o, dk in zip(origin, d, strict=True)]
    a = np.where(surface < WALL_X, hit[0], hit[2])
    b = np.where(surface == WALL_Y, hit[0], hit[1])
    per_m, positive, mask = np.float32(1 / TEXEL_M), np.float32(TEXELS * 128), TEXELS - 1
    rows = (a * per_m + positive).astype(np.int32) & mask  # positive: no negative indices
    cols = (b * per_m + positive).astype(np.int32) & mask
    return np.take(_atlas(scene.seed, lo), (surface * TEXELS + rows) * TEXELS + cols), t


def _room_exit(origin: np.ndarray, d: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distance (in units of ``d``) to the room's inner surface along rays ``d`` from
    ``origin`` inside the room, and which surface it is."""
    t = surface = None
    for k in range(3):
        inverse = 1.0 / d[k]
        t_k = np.maximum((ROOM_HI_M[k] - origin[k]) * inverse, (ROOM_LO_M[k] - origin[k]) * inverse)
        if t is None:
            t, surface = t_k, np.full(t_k.shape, _SURFACE_OF_AXIS[k], np.int32)
        else:
            surface[t_k < t] = _SURFACE_OF_AXIS[k]
            np.minimum(t, t_k, out=t)
    surface[(surface == FLOOR) & (d[2] > 0)] = CEILING
    return t, surface


def _table_top(
    scene: SceneSpec, origin: np.ndarray, d: list[np.ndarray], t: np.ndarray, surface: np.ndarray
) -> None:
    """Where rays ``d`` from above meet the table top before ``t``: update ``t`` and
    ``surface`` in place."""
    top = scene.table_height_m
    if origin[2] <= top:
        return
    t_top = (np.float32(top) - origin[2]) / d[2]
    x, y = origin[0] + t_top * d[0], origin[1] + t_top * d[1]
    (x0, x1), (y0, y1) = scene.table_x_m, scene.table_y_m
    on = (t_top > 0) & (t_top < t) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    t[on] = t_top[on]
    surface[on] = TABLE_TOP


def _table_edge(
    scene: SceneSpec, origin: np.ndarray, d: list[np.ndarray], t: np.ndarray, surface: np.ndarray
) -> None:
    """Where rays ``d`` from the robot's side meet the table's front edge (the face
    x = table_x_m[0]) before ``t``: update ``t`` and ``surface`` in place."""
    x0, top = scene.table_x_m[0], scene.table_height_m
    if origin[0] >= x0:
        return
    t_edge = (np.float32(x0) - origin[0]) / d[0]
    y, z = origin[1] + t_edge * d[1], origin[2] + t_edge * d[2]
    y0, y1 = scene.table_y_m
    on = (t_edge > 0) & (t_edge < t) & (y >= y0) & (y <= y1)
    on &= (z <= top) & (z >= top - TABLE_EDGE_M)
    t[on] = t_edge[on]
    surface[on] = TABLE_EDGE
