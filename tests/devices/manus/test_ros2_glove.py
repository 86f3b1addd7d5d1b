"""Ros2Glove against the fake rclpy and manus_ros2_msgs: data in the stream's order, units and
frame, capture times, invalid samples, wrong side, loss and reconnection, missing SDK, doctor."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from devices.manus.raw_skeleton import NODE_KEYS
from devices.manus.ros2_glove import ERGONOMICS_TYPES, Ros2Glove
from devices.sim import human_hand
from tests.devices.manus.helpers import Repeating, wait_for

TOPIC = "/manus_glove_1"
POSTURE = human_hand.POSTURES["pinch"]
WORLD = Rotation.from_euler("xyz", [0.3, -1.1, 2.0])
"""The glove's wrist node in the SDK's coordinate system: some rotation and offset (m)."""
WORLD_OFFSET = np.array([0.2, -0.1, 1.3])


def glove_message(
    side: str = "left",
    ergonomics: np.ndarray = POSTURE,
    left_handed: bool = True,
    skip_types: tuple[str, ...] = (),
    skip_nodes: int = 0,
):
    """A ManusGlove message as the MANUS node sends it for the simulated hand in ``POSTURE``:
    ergonomics by type name (shuffled), raw nodes in the SDK's coordinate system."""
    from geometry_msgs.msg import Point, Pose, Quaternion
    from manus_ros2_msgs.msg import ManusErgonomics, ManusGlove, ManusRawNode

    positions, quaternions = human_hand.skeleton(POSTURE, side)
    world_p = WORLD.apply(positions) + WORLD_OFFSET
    world_q = (WORLD * Rotation.from_quat(quaternions[:, [1, 2, 3, 0]])).as_quat()
    if left_handed:  # mirror z: the SDK's left-handed system
        world_p[:, 2] *= -1
        world_q[:, :2] *= -1
    nodes = [
        ManusRawNode(
            node_id=k,
            parent_node_id=max(k - 1, 0),
            joint_type="Invalid" if chain == "Hand" else joint,
            chain_type=chain,
            pose=Pose(
                position=Point(x=p[0], y=p[1], z=p[2]),
                orientation=Quaternion(x=q[0], y=q[1], z=q[2], w=q[3]),
            ),
        )
        for k, ((chain, joint), p, q) in enumerate(zip(NODE_KEYS, world_p, world_q, strict=True))
    ][skip_nodes:]
    entries = [
        ManusErgonomics(type=name, value=float(value))
        for name, value in zip(ERGONOMICS_TYPES, ergonomics, strict=True)
        if name not in skip_types
    ]
    entries = [entries[k] for k in np.random.default_rng(0).permutation(len(entries))]
    return ManusGlove(
        glove_id=7,
        side=side.capitalize(),
        raw_node_count=len(nodes),
        raw_nodes=nodes,
        ergonomics_count=len(entries),
        ergonomics=entries,
    )


def publishing(graph, message):
    return Repeating(lambda: graph.publish(TOPIC, message))


def streamed(started, graph, message, count=3, **options):
    device, samples = started("ros2", side="left", topic=TOPIC, **options)
    with publishing(graph, message):
        assert wait_for(lambda: len(samples) >= count)
    return device, samples


@pytest.mark.parametrize("left_handed", [True, False])
def test_ergonomics_in_manus_order_and_skeleton_in_the_wrist_node_frame(
    ros_graph, started, left_handed
):
    handedness = "left" if left_handed else "right"
    device, samples = streamed(
        started, ros_graph, glove_message(left_handed=left_handed), skeleton_handedness=handedness
    )
    assert device.status().connected
    assert device.info()["glove_id"] == "7"
    sample = samples[0]
    assert sample.stream == "glove_left"
    assert sample.valid
    device.streams()[0].check(sample.data)
    np.testing.assert_allclose(sample.data["ergonomics"], POSTURE.astype(np.float32))
    positions, quaternions = human_hand.skeleton(POSTURE, "left")
    np.testing.assert_allclose(sample.data["skeleton_position"], positions, atol=1e-5)
    got = Rotation.from_quat(sample.data["skeleton_orientation"][:, [1, 2, 3, 0]])
    want = Rotation.from_quat(quaternions[:, [1, 2, 3, 0]])
    np.testing.assert_allclose((got.inv() * want).magnitude(), 0.0, atol=1e-5)


def test_capture_time_is_arrival_minus_latency_without_a_publish_time(ros_graph, started):
    _, samples = streamed(started, ros_graph, glove_message(), latency_s=0.02)
    for sample in samples:
        assert sample.t_device_ns is None
        assert sample.t_arrival_ns - sample.t_capture_ns >= 20_000_000
    assert [s.seq for s in samples[:3]] == [0, 1, 2]


def test_a_header_stamp_becomes_the_device_time(ros_graph, started):
    message = glove_message()
    stamp_ns = 1_700_000_000_123_456_789
    message.header = SimpleNamespace(stamp=SimpleNamespace(sec=1_700_000_000, nanosec=123_456_789))
    _, samples = streamed(started, ros_graph, message)
    assert samples[0].t_device_ns == stamp_ns
    assert all(s.t_capture_ns <= s.t_arrival_ns for s in samples)


def test_a_missing_ergonomics_type_makes_the_sample_invalid_not_zero(ros_graph, started):
    _, samples = streamed(started, ros_graph, glove_message(skip_types=("IndexSpread",)))
    sample = samples[0]
    assert not sample.valid
    index = ERGONOMICS_TYPES.index("IndexSpread")
    assert np.isnan(sample.data["ergonomics"][index])
    others = np.delete(np.arange(20), index)
    np.testing.assert_allclose(sample.data["ergonomics"][others], POSTURE[others], rtol=1e-6)


@pytest.mark.parametrize("bad", [np.nan, 400.0])
def test_nan_or_impossible_angles_make_the_sample_invalid(ros_graph, started, bad):
    angles = POSTURE.copy()
    angles[9] = bad
    _, samples = streamed(started, ros_graph, glove_message(ergonomics=angles))
    assert not samples[0].valid


def test_a_missing_wrist_node_invalidates_the_skeleton_but_not_without_one(ros_graph, started):
    message = glove_message(skip_nodes=1)
    _, samples = streamed(started, ros_graph, message)
    assert not samples[0].valid
    assert np.isnan(samples[0].data["skeleton_position"]).all()
    _, samples = streamed(started, ros_graph, message, skeleton=False)
    assert samples[0].valid
    assert set(samples[0].data) == {"ergonomics"}


def test_the_other_glove_on_the_topic_is_refused_naming_the_fix(ros_graph, started):
    device, samples = started("ros2", side="left", topic=TOPIC, retry_s=60.0)
    with publishing(ros_graph, glove_message(side="right")):
        assert wait_for(lambda: "not the left one" in device.status().message)
    status = device.status()
    assert not status.connected
    assert "'Right' glove (id 7)" in status.message
    assert "fix: set topic" in status.message
    assert samples == []


def test_silence_loses_the_glove_and_a_new_publisher_brings_it_back(ros_graph, started):
    device, samples = started("ros2", side="left", topic=TOPIC, timeout_s=0.2, retry_s=0.05)
    message = glove_message()
    with publishing(ros_graph, message):
        assert wait_for(lambda: len(samples) >= 3)
    assert wait_for(lambda: not device.status().connected)
    assert "no glove_left update from /manus_glove_1 for 0.2 s" in device.status().message
    assert "fix: start the MANUS node" in device.status().message
    before = len(samples)
    with publishing(ros_graph, message):
        assert wait_for(lambda: len(samples) >= before + 3)
        assert device.status().connected
    seqs = [s.seq for s in samples]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_an_external_ros_shutdown_reconnects(ros_graph, started):
    device, samples = started("ros2", side="left", topic=TOPIC, retry_s=0.05)
    with publishing(ros_graph, glove_message()):
        assert wait_for(lambda: len(samples) >= 1)
        ros_graph.shutdown_subscribers(TOPIC)
        count = len(samples)
        assert wait_for(lambda: len(samples) >= count + 3)
        assert device.status().connected
    assert ros_graph.subscriber_count(TOPIC) == 1


def test_stop_releases_the_private_context(ros_graph, started):
    device, _ = streamed(started, ros_graph, glove_message())
    assert ros_graph.subscriber_count(TOPIC) == 1
    device.stop()
    assert ros_graph.subscriber_count(TOPIC) == 0
    assert not device.status().connected


@pytest.mark.parametrize(
    ("modules", "said"),
    [
        (("rclpy",), "source /opt/ros/<distro>/setup.bash"),
        (("manus_ros2_msgs", "manus_ros2_msgs.msg"), "colcon"),
    ],
)
def test_missing_ros_packages_name_the_fix(ros_graph, started, monkeypatch, modules, said):
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)
    device, _ = started("ros2", side="left", topic=TOPIC, retry_s=60.0)
    assert wait_for(lambda: "not importable" in device.status().message)
    assert said in device.status().message
    assert not device.status().connected


def test_a_broken_ros_setup_is_reported(ros_graph, started):
    ros_graph.init_error = "rmw_fastrtps_cpp: failed to create participant"
    device, _ = started("ros2", side="left", topic=TOPIC, retry_s=60.0)
    assert wait_for(lambda: "ROS 2 failed to start" in device.status().message)
    assert "failed to create participant" in device.status().message


def test_diagnose_checks_packages_and_the_topic(ros_graph, monkeypatch):
    options = Ros2Glove.Options(side="left", topic=TOPIC)
    findings = Ros2Glove.diagnose(options, timeout_s=0.2)
    assert [f.ok for f in findings] == [True, True, False]
    assert "nothing within 0.2 s" in findings[2].detail
    assert "manus_data_publisher" in findings[2].fix
    with publishing(ros_graph, glove_message()):
        findings = Ros2Glove.diagnose(options, timeout_s=2.0)
    assert findings[2].ok, findings[2]
    assert "glove 7" in findings[2].detail
    with publishing(ros_graph, glove_message(side="right")):
        findings = Ros2Glove.diagnose(options, timeout_s=2.0)
    assert not findings[2].ok
    assert findings[2].fix.startswith("set topic")
    monkeypatch.setitem(sys.modules, "rclpy", None)
    findings = Ros2Glove.diagnose(options, timeout_s=0.2)
    assert [f.ok for f in findings] == [False, True]
    assert "source /opt/ros" in findings[0].fix
