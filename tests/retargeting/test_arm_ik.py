import numpy as np

from retargeting.arm_ik import ArmIK
from retargeting.vega1 import READY_POSE, Vega1Arms


def test_tracks_a_reachable_target_from_warm_start():
    arms = Vega1Arms()
    ik = ArmIK(arms)
    q = np.array(READY_POSE)
    targets = arms.wrist_poses(q)
    targets[:, :3, 3] += [0.05, 0.0, -0.1]
    for _ in range(200):
        q = ik.solve(targets, q)
    error = np.linalg.norm(arms.wrist_poses(q)[:, :3, 3] - targets[:, :3, 3], axis=1)
    assert (error < 0.02).all()


def test_unreachable_target_never_jumps():
    arms = Vega1Arms()
    ik = ArmIK(arms)
    q = np.array(READY_POSE)
    targets = arms.wrist_poses(q)
    targets[:, :3, 3] += [3.0, 0.0, 0.0]
    for _ in range(50):
        q_next = ik.solve(targets, q)
        assert np.abs(q_next - q).max() <= ik.iterations * ik.max_step_rad + 1e-9
        assert np.isfinite(q_next).all()
        assert (q_next >= arms.limits.lower).all() and (q_next <= arms.limits.upper).all()
        q = q_next
