"""Simulated fingertip sensors: contact response, tare, rates and declared streams."""

import time
from collections import defaultdict

import numpy as np
import pydantic
import pytest

from devices.gloves import FINGERS
from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.sim.tactile import NOISE_STD, fingertip_load
from devices.sim.tactile_images import RAW_COL_OFFSET, map_pixel
from devices.sim.world import Contact
from tests.devices.sim.world_inputs import PINKY, pressing_scene

UP = np.array([0.0, 0.0, 1.0])
DEPTH_M = 0.002


def _tactile(context: BuildContext, **options):
    return build_device("tactile", "sim", "tactile", {"side": "left", **options}, context)


def _collect(device, seconds: float) -> dict[str, list[Sample]]:
    samples: list[Sample] = []
    device.start(samples.append)
    time.sleep(seconds)
    device.stop()
    by_stream = defaultdict(list)
    for sample in samples:
        by_stream[sample.stream].append(sample)
    return by_stream


@pytest.fixture(scope="module")
def pressed():
    """A short run with the left pinky pad DEPTH_M into the object: (device, world, samples)."""
    context = BuildContext(scene=pressing_scene("left", DEPTH_M))
    device = _tactile(context, rate_hz=180.0)
    return device, context, _collect(device, 0.1)


def test_a_pressed_pad_feels_the_stiffness_times_the_depth(pressed):
    _, context, samples = pressed
    frame = context.shared["world"].fingertip_frames()[0, PINKY]
    normal = frame[:3, :3].T @ UP
    expected = context.scene.stiffness_n_per_m * DEPTH_M
    force = samples["tactile_left_pinky"][-1].data["f6"][:3]
    assert np.linalg.norm(force - expected * normal) < 1.5  # untared offsets: ~0.3 N each
    assert force @ normal > 0.8 * expected


def test_a_pressed_pad_shows_a_deform_blob_where_it_is_touched(pressed):
    device, context, samples = pressed
    frame = context.shared["world"].fingertip_frames()[0, PINKY]
    data = samples["tactile_left_pinky"][-1].data
    deform = data["deform"]
    assert abs(int(deform.max()) - DEPTH_M * 1e3 / device.deform_mm_per_unit) <= 4
    row, col = np.unravel_index(np.argmax(deform), deform.shape)
    expected_row, expected_col = map_pixel(-(frame[:3, :3].T @ UP))
    assert abs(row - expected_row) <= 2 and abs(col - expected_col) <= 2
    assert (deform > 50).sum() > 50  # a blob, not a dot
    offset = context.shared["world"].contacts("left")[PINKY].point_base - frame[:3, 3]
    np.testing.assert_allclose(data["contact_points"][0], frame[:3, :3].T @ offset, atol=1e-6)
    assert np.isnan(data["contact_points"][1:]).all()


def test_untouched_pads_show_only_noise(pressed):
    _, _, samples = pressed
    for finger in FINGERS[:PINKY]:
        data = samples[f"tactile_left_{finger}"][-1].data
        assert data["deform"].max() <= 3
        assert np.isnan(data["contact_points"]).all()


def test_the_raw_image_darkens_under_the_contact(pressed):
    _, _, samples = pressed
    touched = samples["tactile_left_pinky"][-1].data
    row, col = np.unravel_index(np.argmax(touched["deform"]), touched["deform"].shape)
    window = np.s_[row - 5 : row + 6, col + RAW_COL_OFFSET - 5 : col + RAW_COL_OFFSET + 6]
    free = _collect(_tactile(BuildContext(), rate_hz=180.0), 0.03)["tactile_left_pinky"][-1]
    assert touched["raw"][window].mean() < 0.8 * free.data["raw"][window].mean()
    assert free.data["raw"].std() > 10.0  # lit gel with markers, not a flat image


def test_tare_zeroes_the_offsets_without_contact():
    device = _tactile(BuildContext(), rate_hz=180.0)
    samples: list[Sample] = []
    device.start(samples.append)
    time.sleep(0.05)
    device.tare()
    t_tare = time.monotonic_ns()
    time.sleep(0.1)
    device.stop()
    before = np.array([s.data["f6"] for s in samples if s.t_capture_ns < t_tare])
    after = [s.data for s in samples if s.t_capture_ns > t_tare + 10_000_000]
    assert np.abs(before[:, :3]).max() > 10 * NOISE_STD[0]  # power-on offsets
    assert len(after) > 50
    for data in after:
        assert np.all(np.abs(data["f6"]) < 6 * NOISE_STD)
        assert data["deform"].max() <= 3


@pytest.mark.parametrize("rate_hz", [30.0, 180.0])
def test_emits_five_declared_streams_per_tick_at_the_rate(rate_hz):
    device = _tactile(BuildContext(), rate_hz=rate_hz)
    assert [s.name for s in device.streams()] == [f"tactile_left_{f}" for f in FINGERS]
    assert {s.rate_hz for s in device.streams()} == {rate_hz}
    samples = _collect(device, 0.5)
    specs = {s.name: s for s in device.streams()}
    ids = [[int(s.data["frame_id"]) for s in samples[name]] for name in specs]
    assert all(i == ids[0] for i in ids)
    assert ids[0] == list(range(len(ids[0])))
    assert 0.6 * 0.5 * rate_hz <= len(ids[0]) <= 0.5 * rate_hz + 2
    for name, spec in specs.items():
        for sample in samples[name]:
            spec.check(sample.data)
            assert sample.t_device_ns is not None


def test_friction_opposes_sliding_up_to_the_coulomb_limit():
    contact = Contact(
        depth_m=0.001,
        point_base=np.array([0.0, 0.0, -0.009]),
        normal_base=UP,
        velocity_base=np.array([0.05, 0.0, -0.01]),
    )
    load = fingertip_load(contact, np.eye(4), stiffness=3000.0, friction=0.8)
    assert load.pressing_n == pytest.approx(3.0)
    assert load.friction[0] < 0 and load.friction[1:] == pytest.approx([0.0, 0.0])
    assert 0.95 * 0.8 * 3.0 < np.linalg.norm(load.friction) <= 0.8 * 3.0
    force = 3.0 * UP + load.friction
    expected = np.concatenate([force, np.cross(contact.point_base, force)])
    np.testing.assert_allclose(load.wrench, expected)


@pytest.mark.parametrize("options", [{"rate_hz": 0.0}, {"gain": 2.0}, {"side": "middle"}])
def test_rejects_bad_options(options):
    with pytest.raises(pydantic.ValidationError):
        _tactile(BuildContext(), **options)
