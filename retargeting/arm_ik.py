"""Both arms' inverse kinematics: damped least squares with a posture term, warm-started.

Targets are L_ee/R_ee poses (4x4, m) in the robot base frame; joints are rad in ARM_JOINTS
order. A few iterations per control tick from the previous solution track a moving target;
unreachable targets converge to the closest reachable pose without jumps because each
iteration's step is bounded.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from retargeting.vega1 import READY_POSE, Vega1Arms


class ArmIK:
    """Damped-least-squares IK for the two 7-DoF arms (arrays in, arrays out)."""

    def __init__(
        self,
        arms: Vega1Arms,
        iterations: int = 3,
        damping: float = 0.05,
        posture_gain: float = 0.05,
        max_step_rad: float = 0.1,
        rotation_weight: float = 0.3,
    ) -> None:
        self.arms = arms
        self.iterations = iterations
        self.damping = damping
        self.posture_gain = posture_gain
        self.max_step_rad = max_step_rad
        self.rotation_weight = rotation_weight
        self.posture = np.array(READY_POSE)

    def solve(self, targets: np.ndarray, q_seed: np.ndarray) -> np.ndarray:
        """Arm joints (14,) rad moving ``q_seed`` toward ``targets`` (2, 4, 4) base frame."""
        q = np.array(q_seed, dtype=float)
        lower, upper = self.arms.limits.lower, self.arms.limits.upper
        w = np.array([1, 1, 1, self.rotation_weight, self.rotation_weight, self.rotation_weight])
        for _ in range(self.iterations):
            poses = self.arms.wrist_poses(q)
            jac = self.arms.jacobians(q)
            dq = np.zeros(14)
            for arm in range(2):
                cols = slice(7 * arm, 7 * arm + 7)
                err = np.concatenate(
                    [
                        targets[arm, :3, 3] - poses[arm, :3, 3],
                        poses[arm, :3, :3] @ pin.log3(poses[arm, :3, :3].T @ targets[arm, :3, :3]),
                    ]
                )
                j = jac[arm][:, cols] * w[:, None]
                jjt = j @ j.T + self.damping**2 * np.eye(6)
                posture = self.posture_gain * (self.posture[cols] - q[cols])
                # One solve gives both the task step and the null-space projection of posture.
                x = np.linalg.solve(jjt, np.column_stack([w * err, j @ posture]))
                dq[cols] = j.T @ x[:, 0] + posture - j.T @ x[:, 1]
            scale = np.max(np.abs(dq)) / self.max_step_rad
            q = np.clip(q + (dq / scale if scale > 1 else dq), lower, upper)
        return q
