"""Sharpa Wave hand retargeting from fingertip targets (DexPilot-style), Gauss-Newton.

Each frame minimises, over the 22 joints q (rad) within their limits,

    w_tip^2 * sum_f |p_f(q) - t_f|^2                    fingertip positions (m)
  + sum_j w_j^2 * |(p_j(q) - p_thumb(q)) - v_j|^2       thumb-to-finger pinch vectors (m)
  + w_smooth^2 * |q - q_previous|^2                     smoothness across frames (m/rad)^2

where p_f are the ``{side}_{finger}_fingertip`` frames in the flange frame and t_f the
targets (:mod:`retargeting.hand_keypoints`); each fingertip term is Huber-robust (quadratic
up to ``huber_m``, linear beyond). A pinch vector's target v_j is the target
fingertips' difference with a small weight, except while the human pinches (thumb-to-finger
tip distance under ``pinch_threshold_m``): then v_j = 0 with a large weight, and both tips
aim at their midpoint, so the robot's fingertips meet. Starting from the previous solution
(warm start), a few Gauss-Newton iterations per frame track the operator (iteratively
reweighted for the Huber terms); joint limits are kept by an active set: joints a step would
push through their limit are held there and the others re-solved, then the result clipped.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from retargeting.hand_keypoints import N_FINGERS, HandTargets
from retargeting.linalg import solve_spd
from retargeting.sharpa_wave import Side, build_hand_model

PINCH_THRESHOLD_M = 0.015
"""The human pinches a finger when its tip is this close to the thumb tip (m)."""


def _selection() -> np.ndarray:
    """(27, 15): stacked fingertips (thumb..pinky, xyz) -> tips, then finger-minus-thumb."""
    tips = np.eye(3 * N_FINGERS)
    vectors = tips[3:] - np.tile(tips[:3], (N_FINGERS - 1, 1))
    return np.vstack((tips, vectors))


_SELECTION = _selection()


class HandRetargeter:
    """Fingertip-target retargeting for one hand (arrays in, arrays out; own model data)."""

    def __init__(
        self,
        side: Side,
        iterations: int = 2,
        tip_weight: float = 1.0,
        pinch_weight: float = 0.5,
        pinch_active_weight: float = 6.0,
        smooth_weight_m: float = 0.008,
        pinch_threshold_m: float = PINCH_THRESHOLD_M,
        max_iteration_step_rad: float = 0.5,
        margin_rad: float = 0.0,
        huber_m: float = 0.002,
    ) -> None:
        """``smooth_weight_m``: metres of fingertip error worth one radian of change from
        the previous frame. ``max_iteration_step_rad``: no joint moves more per iteration.
        ``margin_rad``: solutions stay this far inside the joint limits. ``huber_m``:
        fingertip errors beyond this (m) weigh linearly rather than quadratically, so the
        fit minimises distances, the way the error is judged, and one unreachable finger
        does not pull the others off their targets."""
        hand = build_hand_model(side)
        self.side = side
        self.model = hand.model
        self.data = self.model.createData()
        self.tip_ids = hand.frame_ids["fingertip"]
        self.lower = self.model.lowerPositionLimit + margin_rad
        self.upper = self.model.upperPositionLimit - margin_rad
        self.iterations = iterations
        self.tip_weight = tip_weight
        self.pinch_weight = pinch_weight
        self.pinch_active_weight = pinch_active_weight
        self.smooth = smooth_weight_m**2
        self.pinch_threshold_m = pinch_threshold_m
        self.max_step = max_iteration_step_rad
        self.huber_m = huber_m
        self._tips = np.zeros((N_FINGERS, 3))
        self._tip_jacobians = np.zeros((N_FINGERS, 3, self.model.nv))
        self._weightings: dict[tuple[bool, ...], np.ndarray] = {}

    def fingertips(self, q: np.ndarray) -> np.ndarray:
        """(5, 3) fingertip positions (m, flange frame) at joints ``q`` (22,) rad."""
        pin.framesForwardKinematics(self.model, self.data, np.asarray(q, dtype=float))
        return np.stack([self.data.oMf[i].translation for i in self.tip_ids])

    def solve(self, targets: HandTargets, q_previous: np.ndarray) -> np.ndarray:
        """Joints (22,) rad for ``targets``, warm-started from ``q_previous`` (finite, rad).

        Raises ValueError for non-finite targets; the caller keeps its previous output.
        """
        tips, pinch = np.asarray(targets.tips, float), np.asarray(targets.pinch_m, float)
        if not (np.isfinite(tips).all() and np.isfinite(pinch).all()):
            raise ValueError("hand targets contain NaN or Inf")
        weighting, tip_targets = self._objective(tips, pinch)
        q_previous = np.minimum(np.maximum(q_previous, self.lower), self.upper)
        q = q_previous.copy()
        stacked_jacobians = self._tip_jacobians.reshape(3 * N_FINGERS, -1)
        stacked_tips = self._tips.reshape(-1)
        for _ in range(self.iterations):
            self._kinematics(q)
            difference = stacked_tips - tip_targets
            rows = self._robust_weights(difference)
            jac = weighting @ (stacked_jacobians * rows[:, None])
            residual = weighting @ (difference * rows)
            hessian = jac.T @ jac
            hessian.flat[:: self.model.nv + 1] += self.smooth
            gradient = jac.T @ residual + self.smooth * (q - q_previous)
            step = solve_spd(hessian, -gradient)
            # Joints held at a limit by this step drop out, and the others re-solve.
            blocked = ((q <= self.lower) & (step < 0.0)) | ((q >= self.upper) & (step > 0.0))
            if blocked.any():
                free = ~blocked
                step[blocked] = 0.0
                step[free] = solve_spd(hessian[np.ix_(free, free)], -gradient[free])
            scale = float(np.abs(step).max()) / self.max_step
            if scale > 1.0:
                step /= scale
            q = np.minimum(np.maximum(q + step, self.lower), self.upper)
        return q

    def _robust_weights(self, difference: np.ndarray) -> np.ndarray:
        """Row weights (15,) of the stacked tip errors: the square root of Huber's weight,
        1 for a fingertip error under ``huber_m`` and ``huber_m / error`` above it."""
        per_tip = difference.reshape(N_FINGERS, 3)
        error = np.sqrt(np.einsum("ij,ij->i", per_tip, per_tip))
        weights = np.sqrt(self.huber_m / np.maximum(error, self.huber_m))
        return np.repeat(weights, 3)

    def _objective(self, tips: np.ndarray, pinch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The residuals as a linear map of the stacked fingertip errors: r = A (p - t).

        A (27, 15) weights the five tip errors, then the four finger-minus-thumb vector
        errors; t (15,) are the tip targets. While a finger pinches, it and the thumb aim at
        their common midpoint, which makes its pinch vector target zero.
        """
        pinching = pinch < self.pinch_threshold_m
        key = tuple(pinching.tolist())
        weighting = self._weightings.get(key)
        if weighting is None:
            weights = np.where(pinching, self.pinch_active_weight, self.pinch_weight)
            row_weights = np.concatenate(
                (np.full(3 * N_FINGERS, self.tip_weight), np.repeat(weights, 3))
            )
            weighting = self._weightings[key] = row_weights[:, None] * _SELECTION
        if not pinching.any():
            return weighting, tips.reshape(-1)
        tip_targets = tips.copy()
        fingers = 1 + np.flatnonzero(pinching)
        meeting = (tips[0] + tips[fingers].sum(axis=0)) / (1 + len(fingers))
        tip_targets[0] = meeting
        tip_targets[fingers] = meeting
        return weighting, tip_targets.reshape(-1)

    def _kinematics(self, q: np.ndarray) -> None:
        pin.computeJointJacobians(self.model, self.data, q)
        for k, frame in enumerate(self.tip_ids):
            self._tips[k] = pin.updateFramePlacement(self.model, self.data, frame).translation
            self._tip_jacobians[k] = pin.getFrameJacobian(
                self.model, self.data, frame, pin.LOCAL_WORLD_ALIGNED
            )[:3]
