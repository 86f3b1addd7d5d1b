import time

import numpy as np
import pinocchio as pin

from devices.registry import BuildContext, build_device
from devices.sim.operator import operator_of
from devices.trackers import TRACKING_RUNNING_OK

ROBOT_FROM_UNIVERSE = np.array(
    [[0.0, 0.0, -1.0, 0.1], [-1.0, 0.0, 0.0, 0.2], [0.0, 1.0, 0.0, -0.3], [0.0, 0.0, 0.0, 1.0]]
)


def test_pose_is_the_operator_wrist_in_the_universe_frame():
    context = BuildContext(robot_from_universe=ROBOT_FROM_UNIVERSE)
    tracker = build_device("tracker", "sim", "tracker", {"side": "left"}, context)
    samples = []
    tracker.start(samples.append)
    time.sleep(0.2)
    tracker.stop()
    operator = operator_of(context)
    position_errors, angle_errors = [], []
    for sample in samples:
        assert sample.valid and sample.t_device_ns is None
        assert sample.data["tracking_result"] == TRACKING_RUNNING_OK
        tracker.streams()[0].check(sample.data)
        pose = ROBOT_FROM_UNIVERSE @ sample.data["pose"]
        wrist = operator.wrist_pose("left", sample.t_capture_ns)
        position_errors.append(np.linalg.norm(pose[:3, 3] - wrist[:3, 3]))
        angle_errors.append(np.linalg.norm(pin.log3(wrist[:3, :3].T @ pose[:3, :3])))
    assert len(samples) > 15
    assert 0.0 < np.mean(position_errors) < 1e-3  # ~0.3 mm per axis
    assert 0.0 < np.mean(angle_errors) < np.deg2rad(0.3)  # ~0.1 deg per axis
    height_in_universe = samples[0].data["pose"][1, 3]  # OpenVR: +y up
    assert height_in_universe > 1.0


def test_serial_defaults_per_side_and_is_reported(context):
    left = build_device("tracker", "sim", "tl", {"side": "left"}, context)
    right = build_device("tracker", "sim", "tr", {"side": "right"}, context)
    named = build_device("tracker", "sim", "tn", {"side": "right", "serial": "LHR-1234"}, context)
    assert (left.serial, right.serial, named.serial) == ("LHR-SIM0001L", "LHR-SIM0001R", "LHR-1234")
    assert named.info()["serial"] == "LHR-1234"
