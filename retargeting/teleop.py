"""One control tick of teleoperation retargeting: operator arrays in, safe robot commands out.

Per side, every tick:

    wrist pose (base frame) -> One-Euro -> scaling / clutch -> arm IK (one step)
    glove keypoints -> fingertip targets -> One-Euro -> hand retargeting   (or: ergonomics
    angles -> per-operator range -> joint map)
    -> blend from the measured pose while engaging -> safety filter -> commands

Poses are 4x4 (m) in the robot ``base`` frame, arm joints (14,) rad in ARM_JOINTS order, hand
joints (2, 22) rad in SHARPA_JOINTS order, left first. Times are s on the station clock: the
filters take each input sample's own capture time, so a sample seen on several ticks is
filtered once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from retargeting import sharpa_limits
from retargeting.arm_ik import BimanualIK
from retargeting.collision import DEFAULT_MARGIN_M, CapsuleModel
from retargeting.hand_keypoints import (
    MANUS_SKELETON,
    OPENXR,
    HandTargets,
    KeypointMapping,
    targets_from_keypoints,
)
from retargeting.hand_map import NOMINAL_RANGE, ErgonomicsRange, ergonomics_to_joints
from retargeting.hand_retarget import HandRetargeter
from retargeting.one_euro import (
    FINGERTIPS,
    WRIST_POSITION,
    WRIST_ROTATION,
    OneEuroFilter,
    OneEuroParams,
    OneEuroPoseFilter,
)
from retargeting.safety import ArmSafetyFilter, Clamp, JointSafetyFilter
from retargeting.sharpa_wave import SIDES
from retargeting.vega1 import DEFAULT_HEAD, DEFAULT_TORSO, Vega1Arms
from retargeting.workspace import DEFAULT_LOWER, DEFAULT_UPPER, WorkspaceBox
from retargeting.wrist_mapping import WristMapping

LAYOUTS = {"manus": MANUS_SKELETON, "openxr": OPENXR}


@dataclass(frozen=True)
class TeleopOptions:
    """Everything the retargeting chain needs to know about the station and the operator."""

    position_scale: float = 1.0
    hand_input: Literal["keypoints", "ergonomics"] = "keypoints"
    keypoint_layout: Literal["manus", "openxr"] = "manus"
    keypoint_mapping: tuple[KeypointMapping, KeypointMapping] = (
        KeypointMapping(),
        KeypointMapping(),
    )
    ergonomics_range: tuple[ErgonomicsRange, ErgonomicsRange] = (NOMINAL_RANGE, NOMINAL_RANGE)
    flange: np.ndarray = field(default_factory=lambda: np.eye(4))
    """Pose (4x4, m) of each hand's mounting flange in its ``L_ee`` / ``R_ee`` frame."""
    torso: tuple[float, float, float] = DEFAULT_TORSO
    head: tuple[float, float, float] = DEFAULT_HEAD
    joint_margin_rad: float = 0.02
    arm_max_step_rad: float = 0.27
    """Largest distance of an arm command from the measured joints (rad)."""
    collision_margin_m: float = DEFAULT_MARGIN_M
    workspace_lower: tuple[float, float, float] = DEFAULT_LOWER
    workspace_upper: tuple[float, float, float] = DEFAULT_UPPER
    wrist_position_filter: OneEuroParams | None = WRIST_POSITION
    wrist_rotation_filter: OneEuroParams | None = WRIST_ROTATION
    fingertip_filter: OneEuroParams | None = FINGERTIPS
    """None turns a filter off."""


@dataclass(frozen=True)
class OperatorInput:
    """One tick's operator input.

    ``wrists``: (2, 4, 4) operator wrist poses in the robot base frame (m), captured at
    ``wrist_times_s``. ``hands``: (2, N, 3) glove keypoints (m, any glove-fixed frame) when
    the hand input is keypoints, else (2, 20) Manus ergonomics angles (deg), captured at
    ``hand_times_s``. Non-finite input is rejected whole: the previous commands stand.
    """

    wrists: np.ndarray
    wrist_times_s: tuple[float, float]
    hands: np.ndarray
    hand_times_s: tuple[float, float]


@dataclass(frozen=True)
class TeleopCommand:
    """The safe commands of one tick, what they were computed from, and what was clamped."""

    wrist_targets: np.ndarray
    arm_target: np.ndarray
    arm: np.ndarray
    hands: np.ndarray
    arm_clamp: Clamp
    hand_clamp: Clamp


class TeleopRetargeter:
    """The retargeting chain for both arms and both hands (arrays in, arrays out)."""

    def __init__(self, dt_s: float, options: TeleopOptions | None = None) -> None:
        self.dt_s = dt_s
        self.options = options = options or TeleopOptions()
        self.ik = BimanualIK(dt_s, torso=options.torso, head=options.head)
        arms = Vega1Arms(options.torso, options.head)
        limits = arms.limits
        self.arm_filter = ArmSafetyFilter(
            JointSafetyFilter(
                limits.lower, limits.upper, limits.velocity,
                options.joint_margin_rad, options.arm_max_step_rad,
            ),
            CapsuleModel(arms, options.flange, options.collision_margin_m),
            WorkspaceBox(options.workspace_lower, options.workspace_upper),
        )  # fmt: skip
        self.hand_filter = JointSafetyFilter(
            sharpa_limits.LOWER, sharpa_limits.UPPER, sharpa_limits.VELOCITY,
            options.joint_margin_rad, None,
        )  # fmt: skip
        self.hand_retargeters = tuple(
            HandRetargeter(side, margin_rad=options.joint_margin_rad) for side in SIDES
        )
        self.mappings = tuple(WristMapping(options.position_scale) for _ in SIDES)
        self._layout = LAYOUTS[options.keypoint_layout]
        self._wrist_filters = tuple(
            _pose_filter(options.wrist_position_filter, options.wrist_rotation_filter)
            for _ in SIDES
        )
        self._tip_filters = tuple(
            None if options.fingertip_filter is None
            else OneEuroFilter.from_params(options.fingertip_filter)
            for _ in SIDES
        )  # fmt: skip
        self._from: tuple[np.ndarray, np.ndarray] | None = None
        self._ik_q = np.zeros(14)
        self._hand_q = np.zeros((2, 22))
        self._hand_times_s: list[float | None] = [None, None]
        self._arm_cmd = np.zeros(14)
        self._hand_cmd = np.zeros((2, 22))

    def engage(self, arm_measured: np.ndarray, hands_measured: np.ndarray) -> None:
        """Start from the robot's measured joints (14,) and (2, 22) rad: blends start here."""
        arm = np.array(arm_measured, dtype=float)
        hands = np.array(hands_measured, dtype=float)
        self._from = (arm.copy(), hands.copy())
        self._ik_q, self._arm_cmd = arm.copy(), arm.copy()
        self._hand_q, self._hand_cmd = hands.copy(), hands.copy()
        self._hand_times_s = [None, None]
        for mapping in self.mappings:
            mapping.reset()
        for f in (*self._wrist_filters, *self._tip_filters):
            if f is not None:
                f.reset()

    def step(
        self, inputs: OperatorInput, arm_measured: np.ndarray, blend: float = 1.0
    ) -> TeleopCommand:
        """Safe commands for this tick. ``blend`` in [0, 1]: 0 holds the engage pose, 1 is
        the retargeted pose (the state machine's smoothed ENGAGING fraction)."""
        if self._from is None:
            raise RuntimeError("call engage() with the measured joints before step()")
        if not math.isfinite(float(inputs.wrists.sum()) + float(inputs.hands.sum())):
            # Rejected whole: the previous safe commands stand.
            return TeleopCommand(
                np.full((2, 4, 4), np.nan), self._ik_q.copy(), self._arm_cmd.copy(),
                self._hand_cmd.copy(), Clamp.NONFINITE, Clamp.NONFINITE,
            )  # fmt: skip
        targets = np.stack(
            [self._wrist_target(i, inputs.wrists[i], inputs.wrist_times_s[i]) for i in range(2)]
        )
        # Once engaged the IK continues from the command actually sent, so it never runs
        # ahead of what the safety filter let through.
        seed = self._arm_cmd if blend >= 1.0 else self._ik_q
        self._ik_q = self.ik.solve(targets, seed)
        hand_clamp = Clamp.NONE
        for i in range(2):
            # The glove (90 Hz) is slower than the loop: a frame already retargeted is not
            # retargeted again.
            if inputs.hand_times_s[i] == self._hand_times_s[i]:
                continue
            self._hand_times_s[i] = inputs.hand_times_s[i]
            try:
                self._hand_q[i] = self._hand_target(i, inputs.hands[i], inputs.hand_times_s[i])
            except ValueError:  # degenerate keypoints: keep the previous hand target
                hand_clamp |= Clamp.NONFINITE
        arm_from, hands_from = self._from
        arm = (1.0 - blend) * arm_from + blend * self._ik_q
        self._arm_cmd, arm_clamp = self.arm_filter.apply(
            arm, self._arm_cmd, arm_measured, self.dt_s
        )
        for i in range(2):
            hand = (1.0 - blend) * hands_from[i] + blend * self._hand_q[i]
            self._hand_cmd[i], clamp = self.hand_filter.apply(
                hand, self._hand_cmd[i], hand, self.dt_s
            )
            hand_clamp |= clamp
        return TeleopCommand(
            targets, self._ik_q.copy(), self._arm_cmd.copy(), self._hand_cmd.copy(),
            arm_clamp, hand_clamp,
        )  # fmt: skip

    def set_operator_mapping(
        self,
        keypoint_mapping: tuple[KeypointMapping, KeypointMapping],
        ergonomics_range: tuple[ErgonomicsRange, ErgonomicsRange],
    ) -> None:
        """Map another operator's gloves (or a new calibration of theirs) from now on."""
        self.options = replace(
            self.options, keypoint_mapping=keypoint_mapping, ergonomics_range=ergonomics_range
        )

    def press_clutch(self) -> None:
        """Freeze both wrist targets (the operator re-centres)."""
        for mapping in self.mappings:
            mapping.press_clutch()

    def release_clutch(self) -> None:
        """Resume from the frozen targets, re-anchored at the operator's current wrists."""
        for mapping in self.mappings:
            mapping.release_clutch()

    def _wrist_target(self, i: int, pose: np.ndarray, t_s: float) -> np.ndarray:
        wrist_filter = self._wrist_filters[i]
        if wrist_filter is not None:
            pose = wrist_filter.filter(pose, t_s)
        return self.mappings[i].target(pose)

    def _hand_target(self, i: int, glove: np.ndarray, t_s: float) -> np.ndarray:
        options = self.options
        if options.hand_input == "ergonomics":
            return ergonomics_to_joints(glove, options.ergonomics_range[i])
        targets = targets_from_keypoints(glove, self._layout, SIDES[i], options.keypoint_mapping[i])
        tip_filter = self._tip_filters[i]
        if tip_filter is not None:
            targets = HandTargets(tip_filter.filter(targets.tips, t_s), targets.pinch_m)
        return self.hand_retargeters[i].solve(targets, self._hand_q[i])


def _pose_filter(
    position: OneEuroParams | None, rotation: OneEuroParams | None
) -> OneEuroPoseFilter | None:
    if position is None or rotation is None:
        return None
    return OneEuroPoseFilter(position, rotation)
