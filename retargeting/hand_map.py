"""Manus ergonomics angles (deg) to Sharpa Wave joint targets (rad), joint by joint.

Each Sharpa joint follows one Manus angle (or none), converted to rad and clipped to the
hand's limits. The per-operator range calibration refines this mapping.
"""

from __future__ import annotations

import numpy as np

from retargeting import sharpa_limits

_SOURCES = (
    ("thumb_CMC_FE", "thumb_mcp_stretch"),
    ("thumb_CMC_AA", "thumb_mcp_spread"),
    ("thumb_MCP_FE", "thumb_pip_stretch"),
    ("thumb_MCP_AA", None),
    ("thumb_IP", "thumb_dip_stretch"),
    *(
        row
        for finger in ("index", "middle", "ring")
        for row in (
            (f"{finger}_MCP_FE", f"{finger}_mcp_stretch"),
            (f"{finger}_MCP_AA", f"{finger}_mcp_spread"),
            (f"{finger}_PIP", f"{finger}_pip_stretch"),
            (f"{finger}_DIP", f"{finger}_dip_stretch"),
        )
    ),
    ("pinky_CMC", None),
    ("pinky_MCP_FE", "pinky_mcp_stretch"),
    ("pinky_MCP_AA", "pinky_mcp_spread"),
    ("pinky_PIP", "pinky_pip_stretch"),
    ("pinky_DIP", "pinky_dip_stretch"),
)

_ERGONOMICS = tuple(
    f"{finger}_{joint}"
    for finger in ("thumb", "index", "middle", "ring", "pinky")
    for joint in ("mcp_spread", "mcp_stretch", "pip_stretch", "dip_stretch")
)


def _selection() -> tuple[np.ndarray, np.ndarray]:
    index = np.array([_ERGONOMICS.index(src) if src else 0 for _, src in _SOURCES])
    gain = np.array([np.pi / 180.0 if src else 0.0 for _, src in _SOURCES])
    return index, gain


_INDEX, _GAIN = _selection()


def ergonomics_to_joints(ergonomics_deg: np.ndarray) -> np.ndarray:
    """Sharpa joint targets (22,) rad, SHARPA_JOINTS order, from 20 Manus angles in deg."""
    q = np.asarray(ergonomics_deg, dtype=float)[_INDEX] * _GAIN
    return np.clip(q, sharpa_limits.LOWER, sharpa_limits.UPPER)
