"""Fingertip pads of the Sharpa Wave hands, for contact and tactile simulation.

The kinematics are the project's Sharpa Wave model (``retargeting.sharpa_wave``). Each
elastomer frame has its origin on the distal joint's axis; its -y axis points to the
fingertip. The soft pad the sensor covers is modelled as a sphere of PAD_RADIUS_M centred on
that axis, PAD_RADIUS_M short of the fingertip point. Positions in m.
"""

from __future__ import annotations

import numpy as np

from retargeting.sharpa_wave import FINGERS, TIP_OFFSET_M

PAD_RADIUS_M = 0.009
"""Radius (m) of the sphere standing for a fingertip's soft pad."""
PAD_CENTERS = np.array([(0.0, PAD_RADIUS_M - TIP_OFFSET_M[f], 0.0) for f in FINGERS])
"""(5, 3) pad sphere centres in each finger's elastomer frame (m), FINGERS order."""
PALMAR_AXIS = np.array([0.0, 0.0, -1.0])
"""Unit vector (elastomer frame, both sides) from a pad centre to the palm side: the sensing
face. Flexing a finger moves its pad this way."""


def pad_centres(frames: np.ndarray) -> np.ndarray:
    """Centres (..., 5, 3) of the pad spheres given elastomer frames (..., 5, 4, 4), same frame."""
    return np.einsum("...fij,fj->...fi", frames[..., :3, :3], PAD_CENTERS) + frames[..., :3, 3]
