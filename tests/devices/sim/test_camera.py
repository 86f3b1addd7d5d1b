"""Simulated cameras: frames as declared, sensor noise, where things appear, faults."""

import time

import numpy as np
import pydantic
import pytest
import simplejpeg

from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.sim.camera import WRIST_MOUNT
from devices.sim.render import FINGER_RGB, NOISE_SIGMA_DN
from devices.sim.scene import SceneSpec
from retargeting.vega1 import READY_POSE
from tests.devices.sim.world_inputs import body_sample


def _camera(context: BuildContext, **options):
    return build_device("camera", "sim", "cam", options, context)


def _run(camera, count: int, timeout_s: float = 5.0) -> list[Sample]:
    samples: list[Sample] = []
    camera.start(samples.append)
    deadline = time.monotonic() + timeout_s
    try:
        while len(samples) < count and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        camera.stop()
    return samples


def _patch(image: np.ndarray, uv: np.ndarray, half: int = 2) -> np.ndarray:
    """Mean colour of the (2 half + 1)^2 pixels around pixel ``uv``."""
    u, v = np.rint(uv).astype(int)
    return image[v - half : v + half + 1, u - half : u + half + 1].reshape(-1, 3).mean(axis=0)


@pytest.mark.parametrize("view", ["head", "left_wrist"])
def test_frames_are_as_declared_noisy_and_counted(view):
    camera = _camera(BuildContext(), view=view, width=320, height=180, fps=100.0)
    samples = _run(camera, 6)
    assert len(samples) >= 6
    (spec,) = camera.streams()
    assert spec.name == "camera_cam"
    for sample in samples:
        spec.check(sample.data)
    assert [int(s.data["frame_id"]) for s in samples] == list(range(len(samples)))
    assert [s.seq for s in samples] == list(range(len(samples)))
    device_times = np.array([s.t_device_ns for s in samples])
    capture_times = np.array([s.t_capture_ns for s in samples])
    assert (np.diff(device_times) > 0).all()
    assert not np.array_equal(device_times, capture_times)
    first, second = (s.data["image"].astype(float) for s in samples[:2])
    assert 0.5 * NOISE_SIGMA_DN < np.std(first - second) / np.sqrt(2) < 2 * NOISE_SIGMA_DN


def test_a_full_frame_compresses_like_a_camera_image():
    camera = _camera(BuildContext(), view="head")
    image = camera.renderer.render(camera.pose())
    assert image.shape == (720, 1280, 3)
    jpeg = simplejpeg.encode_jpeg(image, quality=90, colorsubsampling="420")
    assert len(jpeg) > 100_000  # textured and noisy: a flat-coloured frame takes ~16 kB
    assert image.std() > 20.0


@pytest.mark.parametrize("shape", ["sphere", "box"])
def test_the_object_appears_where_it_projects(shape):
    context = BuildContext(scene=SceneSpec(object_shape=shape))
    camera = _camera(context, view="head")
    world = context.shared["world"]
    image = camera.renderer.render(camera.pose())
    uv, depth = camera.renderer.camera.project(camera.pose(), world.object_pose()[:3, 3])
    red, green, blue = _patch(image, uv[0])
    assert depth[0] > 0.3
    assert red > green + 60 and red > blue + 60  # the red object, not the wood (~R - G = 45)
    elsewhere = BuildContext(scene=SceneSpec(object_shape=shape, object_xy_m=(0.7, 0.4)))
    empty = _camera(elsewhere, view="head").renderer.render(camera.pose())
    red, green, _ = _patch(empty, uv[0])
    assert red - green < 60


def test_a_wrist_camera_sees_its_own_fingertips():
    context = BuildContext()
    camera = _camera(context, view="left_wrist")
    pads = context.shared["world"].pad_centers()[0]
    image = camera.renderer.render(camera.pose())
    uv, depth = camera.renderer.camera.project(camera.pose(), pads)
    for finger in range(1, 5):  # the thumb's pad is at the edge of the view
        assert 0.05 < depth[finger] < 0.5
        colour = _patch(image, uv[finger])
        expected = np.asarray(FINGER_RGB[finger], float)
        assert np.corrcoef(colour, expected)[0, 1] > 0.9


def test_a_wrist_camera_rides_on_its_hand():
    inputs = {}
    context = BuildContext(latest=inputs.get)
    camera = _camera(context, view="right_wrist", width=320, height=180)
    world = context.shared["world"]
    before = camera.pose().copy()
    np.testing.assert_allclose(before, world.hand_poses()[1] @ WRIST_MOUNT)
    q = np.array(READY_POSE)
    q[7] -= 0.3  # right shoulder
    inputs["body"] = body_sample(q, seq=1)
    time.sleep(0.01)  # past the world's result cache
    after = camera.pose()
    np.testing.assert_allclose(after, world.hand_poses()[1] @ WRIST_MOUNT)
    assert np.linalg.norm(after[:3, 3] - before[:3, 3]) > 0.05


def test_dropped_frames_leave_gaps_in_seq_and_frame_id():
    faults = {"drop_rate": 0.5, "seed": 1}
    camera = _camera(BuildContext(), view="head", width=160, height=90, fps=200.0, faults=faults)
    samples = _run(camera, 20)
    seqs = [s.seq for s in samples]
    assert len(seqs) >= 20
    assert np.diff(seqs).max() > 1
    assert [int(s.data["frame_id"]) for s in samples] == seqs


@pytest.mark.parametrize(
    "options",
    [{"view": "ceiling"}, {"view": "head", "exposure": 1.0}, {"view": "head", "fps": 0.0}],
)
def test_rejects_bad_options(options):
    with pytest.raises(pydantic.ValidationError):
        _camera(BuildContext(), **options)
