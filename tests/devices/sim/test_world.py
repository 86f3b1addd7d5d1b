"""The simulated world: hands on the measured robot, fingertip contacts, the object."""

import threading

import numpy as np
import pytest

from devices.hands import SHARPA_JOINTS
from devices.registry import BuildContext
from devices.sim.hand_geometry import PAD_RADIUS_M
from devices.sim.scene import SceneSpec
from devices.sim.world import SimWorld, world_of
from retargeting.sharpa_wave import HandKinematics
from retargeting.vega1 import READY_POSE, Vega1Arms
from tests.devices.sim.world_inputs import (
    PINKY,
    body_sample,
    hand_sample,
    pressing_scene,
    ready_pads,
)

UP = np.array([0.0, 0.0, 1.0])


@pytest.fixture(scope="module")
def arms() -> Vega1Arms:
    return Vega1Arms()


def test_starts_in_the_ready_pose_with_open_hands_and_the_object_on_the_table(arms):
    scene = SceneSpec()
    world = SimWorld(scene, lambda _: None)
    wrists = arms.wrist_poses(np.array(READY_POSE))
    np.testing.assert_allclose(world.wrist_poses(), wrists)
    for i, side in enumerate(("left", "right")):
        tips = HandKinematics(side).frames(np.zeros(len(SHARPA_JOINTS)))[:, :3, 3]
        np.testing.assert_allclose(
            world.fingertips()[i], tips @ wrists[i, :3, :3].T + wrists[i, :3, 3]
        )
    expected = [*scene.object_xy_m, scene.table_height_m + scene.object_radius_m]
    np.testing.assert_allclose(world.object_pose()[:3, 3], expected)
    assert not any(c.touching for side in ("left", "right") for c in world.contacts(side))


def test_follows_measured_joints_through_the_flange(arms):
    q_arm = np.array(READY_POSE) + 0.1
    q_hand = np.full(len(SHARPA_JOINTS), 0.3)
    flange = np.eye(4)
    flange[:3, :3] = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    flange[:3, 3] = (0.0, 0.0, 0.02)
    inputs = {"body": body_sample(q_arm), "hand_right": hand_sample("right", q_hand)}
    world = SimWorld(SceneSpec(), inputs.get, flange=flange)
    hand = arms.wrist_poses(q_arm)[1] @ flange
    frames = hand @ HandKinematics("right").frames(q_hand)
    np.testing.assert_allclose(world.hand_poses()[1], hand, atol=1e-6)
    np.testing.assert_allclose(world.fingertip_frames()[1], frames, atol=1e-6)
    np.testing.assert_allclose(world.fingertips()[1], frames[:, :3, 3], atol=1e-6)


def test_ignores_samples_with_nan():
    inputs = {"body": body_sample(np.full(14, np.nan))}
    world = SimWorld(SceneSpec(), inputs.get)
    assert np.isfinite(world.fingertips()).all()


def test_a_pad_pushed_into_the_object_reports_depth_normal_and_point():
    depth = 0.003
    world = SimWorld(pressing_scene("left", depth), lambda _: None)
    contacts = world.contacts("left")
    pad = world.pad_centers()[0, PINKY]
    assert contacts[PINKY].depth_m == pytest.approx(depth, abs=1e-6)
    np.testing.assert_allclose(contacts[PINKY].normal_base, UP, atol=1e-6)
    np.testing.assert_allclose(contacts[PINKY].point_base, pad - PAD_RADIUS_M * UP, atol=1e-9)
    assert [c.touching for c in contacts] == [False, False, False, False, True]
    assert not any(c.touching for c in world.contacts("right"))


def test_pads_touch_the_table_top():
    pads = ready_pads()
    scene = SceneSpec(table_height_m=float(pads[1, PINKY, 2]) - PAD_RADIUS_M + 0.002)
    world = SimWorld(scene, lambda _: None)
    for side in ("left", "right"):
        contact = world.contacts(side)[PINKY]
        assert contact.depth_m == pytest.approx(0.002, abs=1e-3)
        np.testing.assert_allclose(contact.normal_base, UP)


def test_contact_velocity_comes_from_measured_joint_rates():
    velocity = np.zeros(14)
    velocity[0] = 0.5  # left shoulder, rad/s
    inputs = {"body": body_sample(np.array(READY_POSE), velocity=velocity)}
    world = SimWorld(pressing_scene("left", 0.002), inputs.get)
    moved = SimWorld(SceneSpec(), {"body": body_sample(np.array(READY_POSE) + 1e-4 * velocity)}.get)
    expected = (moved.pad_centers()[0, PINKY] - world.pad_centers()[0, PINKY]) / 1e-4
    np.testing.assert_allclose(world.contacts("left")[PINKY].velocity_base, expected, rtol=0.02)
    assert np.linalg.norm(expected) > 0.1


def test_a_pinch_carries_the_object_and_letting_go_drops_it(arms):
    pads = ready_pads()[0]
    middle = (pads[0] + pads[1]) / 2  # between thumb and index pads, 6.2 cm from each
    radius = 0.07
    scene = SceneSpec(
        object_radius_m=radius,
        object_xy_m=(float(middle[0]), float(middle[1])),
        table_height_m=float(middle[2]) - radius,
    )
    inputs = {}
    world = SimWorld(scene, inputs.get, max_age_s=0.0)
    held = world.object_pose().copy()
    assert world.contacts("left")[0].touching and world.contacts("left")[1].touching

    q_arm = np.array(READY_POSE)
    q_arm[0] += 0.2
    inputs["body"] = body_sample(q_arm, seq=1)
    hand_before = arms.wrist_poses(np.array(READY_POSE))[0]
    hand_after = arms.wrist_poses(q_arm)[0]
    carried = hand_after @ np.linalg.inv(hand_before) @ held
    np.testing.assert_allclose(world.object_pose(), carried, atol=1e-6)

    open_thumb = np.zeros(len(SHARPA_JOINTS))
    open_thumb[SHARPA_JOINTS.index("thumb_CMC_FE")] = -0.17
    open_thumb[SHARPA_JOINTS.index("thumb_MCP_FE")] = -0.5
    inputs["hand_left"] = hand_sample("left", open_thumb, seq=1)
    dropped = world.object_pose()
    np.testing.assert_allclose(dropped[:3, :3], np.eye(3))
    assert dropped[2, 3] == pytest.approx(scene.table_height_m + radius)
    np.testing.assert_allclose(dropped[:2, 3], carried[:2, 3])


def test_results_are_cached_for_a_few_milliseconds():
    calls = []

    def latest(stream):
        calls.append(stream)

    world = SimWorld(SceneSpec(), latest, max_age_s=60.0)
    for _ in range(10):
        world.contacts("left")
        world.fingertips()
    assert calls == ["body", "hand_left", "hand_right"]


def test_concurrent_readers_see_consistent_results():
    inputs = {}
    world = SimWorld(SceneSpec(), inputs.get, max_age_s=0.0)
    errors = []

    def read():
        try:
            for _ in range(100):
                assert len(world.contacts("right")) == 5
                assert np.isfinite(world.fingertips()).all()
                assert world.object_pose().shape == (4, 4)
        except Exception as error:  # reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for seq in range(100):
        q = np.array(READY_POSE) + 0.001 * seq
        inputs["body"] = body_sample(q, seq=seq)
    for thread in threads:
        thread.join()
    assert errors == []


def test_one_world_per_context():
    context = BuildContext()
    world = world_of(context)
    assert world_of(context) is world is context.shared["world"]
    assert world_of(BuildContext()) is not world
