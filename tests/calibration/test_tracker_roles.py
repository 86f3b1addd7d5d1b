"""Raise-your-left-hand role assignment."""

import numpy as np
import pytest

from calibration.tracker_roles import RoleError, suggest_roles


def at(height_m: float) -> np.ndarray:
    pose = np.eye(4)
    pose[1, 3] = height_m
    return pose


def test_the_tracker_that_rose_is_the_left_wrist():
    down = {"LHR-0000000A": at(1.0), "LHR-0000000B": at(1.0)}
    raised = {"LHR-0000000A": at(1.02), "LHR-0000000B": at(1.6)}
    roles = suggest_roles(down, raised)
    assert [(r.serial, r.role) for r in roles] == [
        ("LHR-0000000B", "left_wrist"),
        ("LHR-0000000A", "right_wrist"),
    ]


@pytest.mark.parametrize(
    ("down", "raised", "message"),
    [
        ({"LHR-0000000A": at(1.0)}, {"LHR-0000000A": at(1.6)}, "1 tracker"),
        (
            {"LHR-0000000A": at(1.0), "LHR-0000000B": at(1.0)},
            {"LHR-0000000A": at(1.05), "LHR-0000000B": at(1.05)},
            "raise the left hand higher",
        ),
        (
            {"LHR-0000000A": at(1.0), "LHR-0000000B": at(1.0)},
            {"LHR-0000000A": at(1.6), "LHR-0000000B": at(1.5)},
            "keep the right hand down",
        ),
    ],
)
def test_ambiguous_movements_say_what_to_do(down, raised, message):
    with pytest.raises(RoleError, match=message):
        suggest_roles(down, raised)
