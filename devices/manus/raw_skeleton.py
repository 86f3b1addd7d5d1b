"""The MANUS raw skeleton as the ROS 2 node publishes it, in the stream's order and frame.

The node sends one ``ManusRawNode`` per skeleton node with its chain type (``Hand``,
``Thumb``, ``Index``, ...), its joint type (``MCP`` metacarpal, ``PIP`` proximal, ``IP``
intermediate, ``DIP`` distal, ``TIP``) and its pose in the SDK's coordinate system. The
stream wants the 25 nodes in SKELETON_NODES order (wrist; thumb metacarpal, proximal, distal,
tip; then index..pinky metacarpal, proximal, intermediate, distal, tip) in the wrist-node
frame, right-handed: positions in m, orientations as quaternions (w, x, y, z).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from devices.gloves import FINGERS, SKELETON_NODES

WRIST_CHAIN = "Hand"
NODE_KEYS: tuple[tuple[str, str], ...] = (
    (WRIST_CHAIN, ""),
    *(("Thumb", joint) for joint in ("MCP", "PIP", "DIP", "TIP")),
    *(
        (finger.capitalize(), joint)
        for finger in FINGERS[1:]
        for joint in ("MCP", "PIP", "IP", "DIP", "TIP")
    ),
)
"""(chain type, joint type) of each node in SKELETON_NODES order; the wrist is the one node
of the ``Hand`` chain, whatever its joint type."""


def arrays_from_nodes(raw_nodes: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Positions (25, 3) and quaternions (25, 4) (w, x, y, z) of ``ManusRawNode`` messages
    in SKELETON_NODES order, as published (SDK frame); NaN rows for nodes not sent."""
    positions = np.full((SKELETON_NODES, 3), np.nan)
    quaternions = np.full((SKELETON_NODES, 4), np.nan)
    row_of = {key: row for row, key in enumerate(NODE_KEYS)}
    for node in raw_nodes:
        chain = node.chain_type
        row = row_of.get((chain, "" if chain == WRIST_CHAIN else node.joint_type))
        if row is None:
            continue
        p, q = node.pose.position, node.pose.orientation
        positions[row] = (p.x, p.y, p.z)
        quaternions[row] = (q.w, q.x, q.y, q.z)
    return positions, quaternions


def in_wrist_frame(
    positions: np.ndarray, quaternions: np.ndarray, left_handed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (m; w, x, y, z) given in one coordinate system re-expressed in the wrist node's
    frame (row 0). A left-handed system is first mirrored across its xy plane (z -> -z) into
    a right-handed one. Rows that are not finite, and every row when the wrist is not, are
    NaN."""
    p = np.array(positions, dtype=float)
    q = np.array(quaternions, dtype=float)
    if left_handed:
        p[:, 2] *= -1.0
        q[:, 1:3] *= -1.0  # S R S for S = diag(1, 1, -1): the axis (x, y, z) -> (-x, -y, z)
    norms = np.linalg.norm(q, axis=1)
    usable = np.isfinite(p).all(axis=1) & np.isfinite(q).all(axis=1) & (norms > 0.0)
    out_p = np.full_like(p, np.nan)
    out_q = np.full_like(q, np.nan)
    if not usable[0]:
        return out_p, out_q
    wrist_inv = Rotation.from_quat(q[0, [1, 2, 3, 0]]).inv()
    out_p[usable] = wrist_inv.apply(p[usable] - p[0])
    out_q[usable] = (wrist_inv * Rotation.from_quat(q[usable][:, [1, 2, 3, 0]])).as_quat()[
        :, [3, 0, 1, 2]
    ]
    return out_p, out_q
