"""The scripted operator, retargeted like the control loop does, really touches the object."""

import numpy as np

from devices.sample import Sample
from devices.sim.operator import CYCLE_S, ScriptedOperator
from devices.sim.scene import SceneSpec
from devices.sim.world import SimWorld
from retargeting.arm_ik import BimanualIK
from retargeting.hand_keypoints import MANUS_SKELETON, KeypointMapping, targets_from_keypoints
from retargeting.hand_retarget import HandRetargeter
from retargeting.vega1 import READY_POSE

SIDES = ("left", "right")


def test_right_hand_pads_press_into_the_object_during_the_grasp():
    scene = SceneSpec()
    operator = ScriptedOperator(scene, seed=0, t0_ns=0)
    ik = BimanualIK()
    retargeters = {side: HandRetargeter(side) for side in SIDES}
    hands = {side: np.zeros(22) for side in SIDES}
    latest = {}
    world = SimWorld(scene, latest.get)
    q = np.array(READY_POSE)
    touching = []
    for t_s in np.arange(0.0, CYCLE_S, 0.25):
        t_ns = int(t_s * 1e9)
        targets = np.stack([operator.wrist_pose(side, t_ns) for side in SIDES])
        for _ in range(30):
            q = ik.solve(targets, q)
        latest["body"] = Sample(
            "body", 0, t_ns, t_ns, None, True, {"arm_position": q.astype(np.float32)}
        )
        for side in SIDES:
            points = operator.skeleton(side, t_ns)[0]
            targets = targets_from_keypoints(points, MANUS_SKELETON, side, KeypointMapping())
            for _ in range(10):
                hands[side] = retargeters[side].solve(targets, hands[side])
            position = hands[side].astype(np.float32)
            latest[f"hand_{side}"] = Sample(
                f"hand_{side}", 0, t_ns, t_ns, None, True, {"position": position}
            )
        contacts = world.contacts("right")
        touching.append((operator.phase(t_ns), sum(c.touching for c in contacts)))
    in_grasp = [n for phase, n in touching if phase in ("grasp", "lift")]
    elsewhere = [n for phase, n in touching if phase in ("reach", "pour", "retract")]
    assert max(in_grasp) >= 3
    assert max(elsewhere) == 0
