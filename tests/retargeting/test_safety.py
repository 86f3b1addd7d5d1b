import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from retargeting.collision import CapsuleModel
from retargeting.safety import ArmSafetyFilter, Clamp, JointSafetyFilter
from retargeting.vega1 import READY_POSE, Vega1Arms
from retargeting.workspace import WorkspaceBox

LOWER, UPPER, VEL = np.full(3, -1.0), np.full(3, 1.0), np.full(3, 2.0)


def make(max_step=0.27):
    return JointSafetyFilter(LOWER, UPPER, VEL, margin_rad=0.05, max_step_rad=max_step)


def test_nan_never_passes():
    prev = np.array([0.1, 0.2, 0.3])
    q, flags = make().apply(np.array([np.nan, np.inf, 0.3]), prev, prev, 0.005)
    assert np.isfinite(q).all()
    np.testing.assert_allclose(q, prev)
    assert flags & Clamp.NONFINITE


def test_limits_with_margin():
    prev = np.array([0.94, 0.0, 0.0])
    q, flags = make().apply(np.array([5.0, 0.0, 0.0]), prev, prev, 1.0)
    assert q[0] == 0.95 and flags & Clamp.LIMIT


def test_velocity_limit_per_tick():
    prev = np.zeros(3)
    q, flags = make(max_step=None).apply(np.array([0.5, -0.5, 0.001]), prev, prev, 0.005)
    np.testing.assert_allclose(q, [0.01, -0.01, 0.001])
    assert flags == Clamp.VELOCITY


def test_step_from_measured_is_bounded():
    prev = np.array([0.5, 0.0, 0.0])
    measured = np.zeros(3)
    q, flags = make().apply(np.array([0.6, 0.0, 0.0]), prev, measured, 1.0)
    assert abs(q[0] - measured[0]) <= 0.27 + 1e-12
    assert flags & Clamp.STEP


def test_unchanged_command_reports_nothing():
    prev = np.zeros(3)
    q, flags = make().apply(np.array([0.001, 0.0, -0.001]), prev, prev, 0.005)
    np.testing.assert_allclose(q, [0.001, 0.0, -0.001])
    assert flags == Clamp.NONE


ARMS = Vega1Arms()
MARGIN, MAX_STEP = 0.02, 0.27
READY = np.array(READY_POSE)
CROSSED = READY.copy()
CROSSED[[2, 9]] = 1.2, -1.2  # upper arms rolled inwards: the forearms cross in front of the chest


def arm_filter():
    limits = ARMS.limits
    joints = JointSafetyFilter(limits.lower, limits.upper, limits.velocity, MARGIN, MAX_STEP)
    return ArmSafetyFilter(joints, CapsuleModel(ARMS), WorkspaceBox())


def drive(f, target, q, ticks, dt=0.005):
    flags = Clamp.NONE
    for _ in range(ticks):
        q, step_flags = f.apply(target, q, q, dt)
        flags |= step_flags
    return q, flags


def test_new_flags_fit_the_recorded_byte():
    assert Clamp.COLLISION == 16 and Clamp.WORKSPACE == 32
    assert int(Clamp.NONFINITE | Clamp.STEP | Clamp.COLLISION | Clamp.WORKSPACE) < 256


def test_free_command_passes_with_one_evaluation():
    f = arm_filter()
    calls = []
    evaluate = f.capsules.evaluate
    f.capsules.evaluate = lambda q: calls.append(q) or evaluate(q)
    target = READY + 0.001
    q, flags = f.apply(target, READY, READY, 0.005)
    np.testing.assert_array_equal(q, target)
    assert flags == Clamp.NONE and len(calls) == 1


def test_crossing_the_arms_stops_short_of_the_collision():
    f = arm_filter()
    q, flags = drive(f, CROSSED, READY, 400)
    assert flags == Clamp.COLLISION | Clamp.VELOCITY
    assert f.violations(q) == (0.0, 0.0)
    assert f.capsules.min_clearance(q)[0] < 0.005  # it got close, then held
    assert np.abs(q - READY).max() > 0.3


def test_inside_a_collision_moves_out_are_allowed_and_moves_in_are_not():
    f = arm_filter()
    left_across = READY.copy()
    left_across[[2, 8]] = 1.2, 0.3  # the left forearm sweeps across in front of the right one
    q_in = READY + 0.7 * (left_across - READY)
    depth = f.violations(q_in)[0]
    assert depth > 0.02
    q, flags = f.apply(READY, q_in, q_in, 0.01)
    assert flags == Clamp.VELOCITY and f.violations(q)[0] < depth
    q, flags = f.apply(left_across, q_in, q_in, 0.05)
    assert flags == Clamp.COLLISION | Clamp.VELOCITY
    assert f.violations(q)[0] <= depth


def test_reaching_below_the_table_stops_at_the_workspace_floor():
    f = arm_filter()
    low = READY.copy()
    low[[0, 7]] = 1.6, -1.6  # shoulders pitch the arms down towards the table
    q, flags = drive(f, low, READY, 400)
    assert flags == Clamp.WORKSPACE | Clamp.VELOCITY
    assert f.violations(q) == (0.0, 0.0)
    _, hand_points = f.capsules.evaluate(q)
    assert hand_points[:, 2].min() - f.workspace.lower[2] < 0.01


ARM_LOWER, ARM_UPPER = ARMS.limits.lower + MARGIN, ARMS.limits.upper - MARGIN


def joints(low, high):
    return st.lists(st.floats(low, high), min_size=14, max_size=14).map(np.array)


@st.composite
def arm_states(draw):
    """A previous command inside the limits (anywhere, or near READY_POSE, where it is mostly
    free of violations), a measurement within MAX_STEP of it, a tick, and a command: arbitrary
    floats, or a jump of up to 1 rad per joint."""
    anywhere = joints(0.0, 1.0).map(lambda u: ARM_LOWER + u * (ARM_UPPER - ARM_LOWER))
    near_ready = joints(-0.6, 0.6).map(lambda d: np.clip(READY + d, ARM_LOWER, ARM_UPPER))
    q_previous = draw(st.one_of(anywhere, near_ready))
    q_measured = q_previous + draw(joints(-MAX_STEP, MAX_STEP))
    jump = joints(-1.0, 1.0).map(lambda d: q_previous + d)
    floats = st.lists(st.floats(), min_size=14, max_size=14).map(np.array)
    return draw(st.one_of(jump, floats)), q_previous, q_measured, draw(st.floats(0.001, 0.1))


@settings(max_examples=150, derandomize=True, deadline=None)
@given(arm_states())
def test_arm_filter_output_obeys_every_rule(state):
    q, q_previous, q_measured, dt = state
    f = arm_filter()
    out, _ = f.apply(q, q_previous, q_measured, dt)
    assert np.isfinite(out).all()
    assert (out >= ARM_LOWER - 1e-12).all() and (out <= ARM_UPPER + 1e-12).all()
    assert (np.abs(out - q_previous) <= ARMS.limits.velocity * dt + 1e-12).all()
    assert (np.abs(out - q_measured) <= MAX_STEP + 1e-12).all()
    penetration, outside = f.violations(out)
    allowed_penetration, allowed_outside = f.violations(q_previous)
    assert penetration <= allowed_penetration
    assert outside <= allowed_outside
