"""What the robot view draws, computed from the latest samples: arms, hands and wrist targets.

Shared by the 3D view and its 2D fallback. Everything is in the robot ``base`` frame (m, x
forward, y left, z up). Arms are polylines through CHAIN frames (measured from ``body``,
commanded from ``control``); hands are polylines through each finger's joints (measured from
``hand_left``/``hand_right``, placed on the measured wrists through the hand flange).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pinocchio as pin

from devices.sample import Sample
from retargeting.sharpa_wave import SIDES, HandKinematics
from retargeting.vega1 import Vega1Arms

CHAIN = ("arm_j1", "arm_j2", "arm_j4", "arm_j6", "arm_j8", "ee")
"""Frames drawn along each arm: shoulder, upper arm, elbow, wrist, flange, hand mount."""
STREAMS = ("body", "control", "hand_left", "hand_right")


@dataclass(frozen=True)
class RobotFigure:
    """Points to draw (m, base frame); None where the stream has nothing usable.

    ``measured``/``commanded``: (2, len(CHAIN), 3) per arm, left first; ``targets``: (2, 3)
    wrist targets; ``hands``: per side (K, 3) polylines separated by NaN rows.
    """

    measured: np.ndarray | None
    commanded: np.ndarray | None
    targets: np.ndarray | None
    hands: tuple[np.ndarray | None, np.ndarray | None]


def _finite(sample: Sample | None, field: str) -> np.ndarray | None:
    if sample is None or not sample.valid:
        return None
    value = np.asarray(sample.data[field], dtype=float)
    return value if np.isfinite(value).all() else None


class RobotFigureSource:
    """Computes a :class:`RobotFigure` when any of its streams has a new sample.

    ``flange`` is the hand flange pose (4, 4) in each arm's ``L_ee``/``R_ee`` frame (m).
    """

    def __init__(self, latest: Callable[[str], Sample | None], flange: np.ndarray) -> None:
        self._latest = latest
        self._flange = np.asarray(flange, dtype=float)
        self._arms = Vega1Arms()
        model = self._arms.model
        self._frames = [[model.getFrameId(f"{side}_{name}") for name in CHAIN] for side in "LR"]
        self._hands = tuple(HandKinematics(side) for side in SIDES)
        self._seqs: tuple[int | None, ...] = ()

    def update(self) -> RobotFigure | None:
        """The figure now, or None when no stream changed since the last call."""
        samples = [self._latest(stream) for stream in STREAMS]
        seqs = tuple(None if s is None else s.seq for s in samples)
        if seqs == self._seqs:
            return None
        self._seqs = seqs
        body, control, *hands = samples
        q_measured = _finite(body, "arm_position")
        q_commanded = _finite(control, "arm_command")
        measured = None if q_measured is None else self._chains(q_measured)
        targets = _finite(control, "wrist_target")
        drawn_hands: list[np.ndarray | None] = [None, None]
        if q_measured is not None:
            wrists = self._arms.wrist_poses(q_measured)
            for i, (kin, hand) in enumerate(zip(self._hands, hands, strict=True)):
                q_hand = _finite(hand, "position")
                if q_hand is not None:
                    placed = wrists[i] @ self._flange
                    drawn_hands[i] = kin.skeleton(q_hand) @ placed[:3, :3].T + placed[:3, 3]
        return RobotFigure(
            measured=measured,
            commanded=None if q_commanded is None else self._chains(q_commanded),
            targets=None if targets is None else targets[:, :3, 3],
            hands=(drawn_hands[0], drawn_hands[1]),
        )

    def _chains(self, q: np.ndarray) -> np.ndarray:
        """(2, len(CHAIN), 3) frame positions (m, base frame) per arm for joints ``q`` (14,)."""
        model, data = self._arms.model, self._arms.data
        pin.framesForwardKinematics(model, data, q)
        return np.array([[data.oMf[f].translation for f in frames] for frames in self._frames])
