"""Sharpa Wave hands: 22 joints each, and their five fingertip tactile sensors."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from devices.device import Device
from devices.gloves import FINGERS
from devices.streams import FieldSpec, StreamSpec
from retargeting.sharpa_wave import SHARPA_JOINTS as SHARPA_JOINTS  # SDK order, re-exported

N_HAND_JOINTS = len(SHARPA_JOINTS)
DEFORM_SHAPE = (240, 240)
RAW_SHAPE = (240, 320)
MAX_CONTACT_POINTS = 16


def hand_stream(side: str, rate_hz: float) -> StreamSpec:
    """Stream ``hand_{side}``: measured joints and the command in force, SHARPA_JOINTS order."""
    joint = (N_HAND_JOINTS,)
    return StreamSpec(
        f"hand_{side}",
        "hand",
        rate_hz,
        {
            "position": FieldSpec(joint, "float32", "rad", "measured joint positions"),
            "velocity": FieldSpec(joint, "float32", "rad/s", "measured joint velocities"),
            "torque": FieldSpec(joint, "float32", "N*m", "measured joint torques"),
            "command": FieldSpec(joint, "float32", "rad", "position command in force"),
        },
    )


def tactile_stream(side: str, finger: str, rate_hz: float) -> StreamSpec:
    """Stream ``tactile_{side}_{finger}``: one fingertip sensor.

    F6 is (Fx, Fy, Fz, Mx, My, Mz) in N and N*m in the ``{side}_{finger}_elastomer`` frame;
    DEFORM is the sensor's uint8 penetration map (``deform_mm_per_unit`` converts to mm);
    RAW is the sensor camera image; contact points are in the elastomer frame (m), NaN-padded.
    """
    return StreamSpec(
        f"tactile_{side}_{finger}",
        "tactile",
        rate_hz,
        {
            "f6": FieldSpec((6,), "float32", "N, N*m", "wrench in the elastomer frame"),
            "deform": FieldSpec(DEFORM_SHAPE, "uint8", "u8", "penetration map"),
            "raw": FieldSpec(RAW_SHAPE, "uint8", "u8", "sensor camera image, grey"),
            "contact_points": FieldSpec(
                (MAX_CONTACT_POINTS, 3),
                "float32",
                "m",
                "contacts, elastomer frame, NaN-padded",
                nan_means_absent=True,
            ),
            "frame_id": FieldSpec((), "int64", "1", "sensor frame counter"),
        },
    )


class Hand(Device):
    """One Sharpa Wave hand's joints. Emits ``hand_{side}``; accepts position commands."""

    family = "hand"

    def __init__(self, name: str, side: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.side = side

    @abstractmethod
    def command(self, q: np.ndarray) -> None:
        """Set 22 target joint positions (rad, SHARPA_JOINTS order).

        Raises CommandRejected (outside limits, non-finite) or DeviceError (not connected).
        """


class Tactile(Device):
    """The five fingertip sensors of one hand. Emits ``tactile_{side}_{finger}`` for FINGERS."""

    family = "tactile"
    deform_mm_per_unit: float = 0.01
    """Millimetres of penetration per DEFORM unit (the SDK's ``deform_map_value``)."""

    def __init__(self, name: str, side: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.side = side

    @abstractmethod
    def tare(self) -> None:
        """Zero the sensors (SDK ``calib_tactile``). Call only with no contact."""


__all__ = ["FINGERS", "SHARPA_JOINTS", "Hand", "Tactile", "hand_stream", "tactile_stream"]
