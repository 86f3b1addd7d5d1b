"""Manus ergonomics angles (deg) to Sharpa Wave joint targets (rad), joint by joint.

Each Sharpa joint follows one Manus angle (or none), converted to rad and clipped to the
hand's limits. A per-operator range calibration (:class:`ErgonomicsRange`, measured by the
glove calibration) first stretches the operator's own range of each angle onto the nominal
adult range, so an operator who cannot flex a finger fully still closes the robot's.
"""

from __future__ import annotations

from dataclasses import dataclass

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


_FINGER_RANGE_DEG = ((-15.0, 15.0), (0.0, 90.0), (0.0, 100.0), (0.0, 80.0))
_THUMB_RANGE_DEG = ((-15.0, 30.0), (0.0, 60.0), (0.0, 80.0), (0.0, 90.0))
NOMINAL_LOWER_DEG = np.array([lo for lo, _ in _THUMB_RANGE_DEG + _FINGER_RANGE_DEG * 4])
NOMINAL_UPPER_DEG = np.array([hi for _, hi in _THUMB_RANGE_DEG + _FINGER_RANGE_DEG * 4])
"""Nominal adult range of each ergonomics angle (deg, Manus order): spread, then the three
flexions. For the thumb: CMC spread, CMC flexion, MCP flexion, IP flexion."""
MIN_SPAN_DEG = 5.0
"""A calibrated range narrower than this is rejected (the angle was not exercised)."""


@dataclass(frozen=True)
class ErgonomicsRange:
    """One operator's measured range of the 20 ergonomics angles (deg, Manus order)."""

    lower_deg: np.ndarray
    upper_deg: np.ndarray

    def __post_init__(self) -> None:
        lower = np.asarray(self.lower_deg, dtype=float)
        upper = np.asarray(self.upper_deg, dtype=float)
        if lower.shape != (20,) or upper.shape != (20,):
            raise ValueError(f"ranges must have 20 angles, got {lower.shape} and {upper.shape}")
        if not (np.isfinite(lower).all() and np.isfinite(upper).all()):
            raise ValueError("ranges contain NaN or Inf")
        narrow = np.flatnonzero(upper - lower < MIN_SPAN_DEG)
        if narrow.size:
            names = ", ".join(_ERGONOMICS[i] for i in narrow)
            raise ValueError(
                f"range narrower than {MIN_SPAN_DEG} deg for {names}: repeat the calibration "
                "moving those joints through their full range"
            )
        object.__setattr__(self, "lower_deg", lower)
        object.__setattr__(self, "upper_deg", upper)

    def to_nominal(self, ergonomics_deg: np.ndarray) -> np.ndarray:
        """The operator's angles (20,) deg stretched linearly onto the nominal range."""
        u = (np.asarray(ergonomics_deg, dtype=float) - self.lower_deg) / (
            self.upper_deg - self.lower_deg
        )
        return NOMINAL_LOWER_DEG + u * (NOMINAL_UPPER_DEG - NOMINAL_LOWER_DEG)


NOMINAL_RANGE = ErgonomicsRange(NOMINAL_LOWER_DEG, NOMINAL_UPPER_DEG)
"""The calibration that changes nothing."""


def _selection() -> tuple[np.ndarray, np.ndarray]:
    index = np.array([_ERGONOMICS.index(src) if src else 0 for _, src in _SOURCES])
    gain = np.array([np.pi / 180.0 if src else 0.0 for _, src in _SOURCES])
    return index, gain


_INDEX, _GAIN = _selection()


def ergonomics_to_joints(
    ergonomics_deg: np.ndarray, calibration: ErgonomicsRange = NOMINAL_RANGE
) -> np.ndarray:
    """Sharpa joint targets (22,) rad, SHARPA_JOINTS order, from 20 Manus angles in deg
    measured on the operator whose range is ``calibration``."""
    q = calibration.to_nominal(ergonomics_deg)[_INDEX] * _GAIN
    return np.clip(q, sharpa_limits.LOWER, sharpa_limits.UPPER)
