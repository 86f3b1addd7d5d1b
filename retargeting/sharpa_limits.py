"""Sharpa Wave joint limits (both sides), SHARPA_JOINTS order, from the official kinematics.

Position limits in rad, velocity limits in rad/s, effort limits in N*m.
"""

from __future__ import annotations

import numpy as np

_TABLE = (
    # name, lower, upper, velocity, effort
    ("thumb_CMC_FE", -0.1745, 1.9199, 11.84076833, 3.3),
    ("thumb_CMC_AA", -0.3491, 0.3491, 11.84076833, 3.3),
    ("thumb_MCP_FE", -0.5236, 1.3963, 16.07692878, 1.864),
    ("thumb_MCP_AA", -0.3491, 0.3491, 16.07692878, 1.864),
    ("thumb_IP", 0.0, 1.7453, 11.61831603, 0.638),
    *(
        row
        for finger in ("index", "middle", "ring")
        for row in (
            (f"{finger}_MCP_FE", -0.17453293, 1.5708, 16.07692878, 1.864),
            (f"{finger}_MCP_AA", -0.3491, 0.3491, 16.07692878, 1.864),
            (f"{finger}_PIP", 0.0, 1.7453, 11.61831603, 0.638),
            (f"{finger}_DIP", 0.0, 1.3963, 14.66594768, 0.189369),
        )
    ),
    ("pinky_CMC", 0.0, 0.2618, 35.07416159, 0.5285),
    ("pinky_MCP_FE", -0.17453293, 1.5708, 16.07692878, 1.864),
    ("pinky_MCP_AA", -0.3491, 0.3491, 16.07692878, 1.864),
    ("pinky_PIP", 0.0, 1.7453, 11.61831603, 0.638),
    ("pinky_DIP", 0.0, 1.3963, 14.66594768, 0.189369),
)

JOINT_NAMES = tuple(row[0] for row in _TABLE)
LOWER = np.array([row[1] for row in _TABLE])
UPPER = np.array([row[2] for row in _TABLE])
VELOCITY = np.array([row[3] for row in _TABLE])
EFFORT = np.array([row[4] for row in _TABLE])
