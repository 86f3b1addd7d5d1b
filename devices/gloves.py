"""Manus gloves: 20 ergonomics angles per hand and the optional 25-node raw skeleton."""

from __future__ import annotations

from devices.device import Device
from devices.streams import FieldSpec, StreamSpec
from retargeting.sharpa_wave import FINGERS as FINGERS  # thumb first, re-exported

MANUS_ERGONOMICS = tuple(
    f"{finger}_{joint}"
    for finger in FINGERS
    for joint in ("mcp_spread", "mcp_stretch", "pip_stretch", "dip_stretch")
)
"""The vendor's order of the 20 ergonomics angles per hand (deg). For the thumb, MCP is the
CMC joint (spread and flexion), PIP the MCP flexion and DIP the IP flexion."""

SKELETON_NODES = 25
"""Raw skeleton: wrist; thumb metacarpal, proximal, distal, tip; then per other finger
metacarpal, proximal, intermediate, distal, tip (1 + 4 + 4 x 5 = 25)."""


def glove_stream(side: str, rate_hz: float, skeleton: bool) -> StreamSpec:
    """Stream ``glove_{side}``: ergonomics in deg, optional raw skeleton in the glove frame."""
    fields = {
        "ergonomics": FieldSpec((20,), "float32", "deg", "MANUS_ERGONOMICS order"),
    }
    if skeleton:
        fields["skeleton_position"] = FieldSpec(
            (SKELETON_NODES, 3), "float32", "m", "raw skeleton node positions, wrist-node frame"
        )
        fields["skeleton_orientation"] = FieldSpec(
            (SKELETON_NODES, 4), "float32", "1", "raw skeleton node quaternions (w, x, y, z)"
        )
    return StreamSpec(f"glove_{side}", "glove", rate_hz, fields)


class Glove(Device):
    """One Manus glove. Emits stream ``glove_{side}``."""

    family = "glove"

    def __init__(self, name: str, side: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.side = side
