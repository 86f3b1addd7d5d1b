import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pinocchio as pin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retargeting.collision import PALM_LENGTH_M, CapsuleModel, segment_distances
from retargeting.vega1 import READY_POSE, Vega1Arms, urdf_path

READY = np.array(READY_POSE)
CROSSED = READY.copy()
CROSSED[[2, 9]] = 1.2, -1.2  # upper arms rolled inwards: the forearms cross in front of the chest


@pytest.fixture(scope="module")
def arms():
    return Vega1Arms()


@pytest.fixture(scope="module")
def model(arms):
    return CapsuleModel(arms)


def sampled_distances(a0, a1, b0, b1, n=201):
    """Smallest distance over an n x n grid of points on each pair of segments, and its error
    bound: the true distance lies in [grid - bound, grid]."""
    u = np.linspace(0.0, 1.0, n)
    pa = a0[:, None, :] + u[None, :, None] * (a1 - a0)[:, None, :]
    pb = b0[:, None, :] + u[None, :, None] * (b1 - b0)[:, None, :]
    grid = np.linalg.norm(pa[:, :, None] - pb[:, None, :], axis=-1).min(axis=(1, 2))
    bound = 0.5 * (np.linalg.norm(a1 - a0, axis=1) + np.linalg.norm(b1 - b0, axis=1)) / (n - 1)
    return grid, bound


def assert_matches_sampling(a0, a1, b0, b1):
    got = segment_distances(a0, a1, b0, b1)
    grid, bound = sampled_distances(a0, a1, b0, b1)
    assert (got <= grid + 1e-12).all()
    assert (got >= grid - bound - 1e-12).all()


def test_segment_distance_matches_sampling_for_random_segments():
    rng = np.random.default_rng(0)
    assert_matches_sampling(*rng.normal(size=(4, 150, 3)))


def test_segment_distance_matches_sampling_for_parallel_and_degenerate_segments():
    rng = np.random.default_rng(1)
    n = 40
    a0, a1, b0 = rng.normal(size=(3, n, 3))
    direction = a1 - a0
    scale = rng.uniform(-2.0, 2.0, size=(n, 1))
    near_parallel = direction + 1e-9 * rng.normal(size=(n, 3))
    cases = [
        (a0, a1, b0, b0 + scale * direction),  # parallel, overlapping or not
        (a0, a1, a0 + 0.3 * direction, a0 + 1.7 * direction),  # collinear, overlapping
        (a0, a1, b0, b0 + scale * near_parallel),  # nearly parallel
        (a0, a1, b0, b0),  # a point against a segment
        (b0, b0, a0, a1),  # a segment against a point
        (a0, a0, b0, b0),  # two points
        (a0, a1, a0, a1),  # the same segment twice
        (a0, a1, a1, b0),  # segments sharing an end
    ]
    for case in cases:
        assert_matches_sampling(*case)


finite = st.floats(-10.0, 10.0, allow_nan=False)
point = st.tuples(finite, finite, finite)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(point, point, point, point)
def test_segment_distance_is_symmetric_and_bounded_by_the_endpoints(a0, a1, b0, b1):
    a0, a1, b0, b1 = (np.array([p]) for p in (a0, a1, b0, b1))
    d = segment_distances(a0, a1, b0, b1)[0]
    assert d == pytest.approx(segment_distances(b1, b0, a1, a0)[0], abs=1e-9)
    corners = min(np.linalg.norm(p - r) for p in (a0, a1) for r in (b0, b1))
    assert 0.0 <= d <= corners + 1e-12
    assert_matches_sampling(a0, a1, b0, b1)


def test_ready_pose_is_collision_free(model):
    clearance, _ = model.min_clearance(READY)
    assert clearance > 0.05


def test_arms_crossed_in_front_of_the_chest_collide(model, arms):
    wrists = arms.wrist_poses(CROSSED)[:, :3, 3]
    assert wrists[0, 1] < 0.0 < wrists[1, 1]  # the left hand is on the right and vice versa
    clearance, pair = model.min_clearance(CROSSED)
    assert clearance < -0.05
    assert pair.startswith("L_") and "/R_" in pair


def test_hands_may_come_close_for_a_handover(model, arms):
    q = READY.copy()
    q[[2, 9]] = 0.35, -0.35
    _, hand_points = model.evaluate(q)
    assert np.linalg.norm(hand_points[1] - hand_points[3]) < 0.16  # palm ends
    assert model.min_clearance(q)[0] > 0.0


def test_pairs_are_across_the_arms_or_against_the_body(model):
    names = model.pair_names
    assert len(set(names)) == len(names) == model.clearances(READY).shape[0]
    for name in names:
        first, second = name.split("/")
        assert first[:2] != second[:2]  # never an arm against itself
    assert "L_hand/R_hand" in names and "R_hand/chest" in names and "L_forearm/head" in names
    assert "L_upper_arm/chest" not in names  # mounted on it


def world_segments(model, arms, q):
    data = arms.model.createData()
    pin.framesForwardKinematics(arms.model, data, q)
    segments = {}
    for c in model.capsules:
        placement = data.oMf[arms.model.getFrameId(c.link)]
        segments[c.name] = np.array([placement.act(np.array(p, dtype=float)) for p in (c.p0, c.p1)])
    return data, segments


def test_clearances_match_a_direct_computation(model, arms):
    rng = np.random.default_rng(2)
    radius = {c.name: c.radius for c in model.capsules}
    for q in rng.uniform(arms.limits.lower, arms.limits.upper, size=(20, 14)):
        _, segments = world_segments(model, arms, q)
        first, second = zip(*(name.split("/") for name in model.pair_names), strict=True)
        a = np.array([segments[n] for n in first])
        b = np.array([segments[n] for n in second])
        expected = segment_distances(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        expected -= [
            radius[x] + radius[y] + model.margin_m for x, y in zip(first, second, strict=True)
        ]
        np.testing.assert_allclose(model.clearances(q), expected, atol=1e-12)


def test_hand_points_follow_the_flange(arms):
    flange = np.eye(4)
    flange[:3, :3] = pin.rpy.rpyToMatrix(0.3, -0.2, 0.5)
    flange[:3, 3] = (0.01, -0.02, 0.03)
    model = CapsuleModel(arms, flange=flange)
    _, hand_points = model.evaluate(READY)
    hands = arms.wrist_poses(READY) @ flange
    wrist = arms.wrist_poses(READY)[:, :3, 3]
    palm_end = hands[:, :3, 3] + PALM_LENGTH_M * hands[:, :3, 2]
    np.testing.assert_allclose(hand_points, [wrist[0], palm_end[0], wrist[1], palm_end[1]])
    with pytest.raises(ValueError, match="4x4"):
        CapsuleModel(arms, flange=np.eye(3))


COVERED_LINKS = {"upper_arm": (2, 3), "forearm": (4, 5), "wrist": (6,), "flange": (7, 8)}


def collision_meshes():
    """Per link: the URDF collision mesh's vertices in the link frame (m)."""
    root = ET.parse(urdf_path()).getroot()
    meshes = {}
    for link in root.iter("link"):
        collision = link.find("collision")
        if collision is None:
            continue
        origin = collision.find("origin")
        rpy = [float(v) for v in origin.get("rpy", "0 0 0").split()]
        xyz = [float(v) for v in origin.get("xyz", "0 0 0").split()]
        path = Path(urdf_path()).parent / collision.find("geometry/mesh").get("filename")
        with path.open() as f:
            vertices = np.array([line.split()[1:4] for line in f if line.startswith("v ")], float)
        meshes[link.get("name")] = vertices @ pin.rpy.rpyToMatrix(*rpy).T + xyz
    return meshes


def mesh_outside(meshes, link, data, model, segments, capsules):
    """How far (m) the vertex of ``link``'s mesh furthest outside ``capsules`` is from them."""
    placement = data.oMf[model.model.getFrameId(link)]
    v = meshes[link] @ placement.rotation.T + placement.translation
    radius = {c.name: c.radius for c in model.capsules}
    gaps = [
        segment_distances(v, v, *np.broadcast_to(segments[c][:, None], (2, *v.shape))) - radius[c]
        for c in capsules
    ]
    return np.min(gaps, axis=0).max()


def test_capsules_cover_the_collision_meshes(model, arms):
    meshes = collision_meshes()
    covers = [("torso_l3", ["chest", "trunk"]), ("torso_l2", ["thigh"]), ("head_l3", ["head"])]
    covers += [
        (f"{side}_arm_l{link}", [f"{side}_{part}"])
        for side in ("L", "R")
        for part, links in COVERED_LINKS.items()
        for link in links
    ]
    rng = np.random.default_rng(3)
    for q in rng.uniform(arms.limits.lower, arms.limits.upper, size=(6, 14)):
        data, segments = world_segments(model, arms, q)
        for link, capsules in covers:
            assert mesh_outside(meshes, link, data, model, segments, capsules) <= 0.0, link
