from app.state_machine import Command, State, StateMachine

MS = 1_000_000


def engaged_machine():
    sm = StateMachine(engage_s=0.1, resume_after_s=0.05)
    sm.step(0, [Command.ENGAGE], inputs_ok=True)
    sm.step(200 * MS, [], inputs_ok=True)
    assert sm.state is State.ENGAGED
    return sm


def test_engage_blends_then_engages():
    sm = StateMachine(engage_s=0.1, resume_after_s=0.05)
    first = sm.step(0, [Command.ENGAGE], inputs_ok=True)
    assert first.state is State.ENGAGING and first.blend_started
    assert sm.blend(50 * MS) == 0.5
    assert sm.step(100 * MS, [], inputs_ok=True).state is State.ENGAGED


def test_engage_refused_with_stale_inputs():
    sm = StateMachine(engage_s=0.1, resume_after_s=0.05)
    step = sm.step(0, [Command.ENGAGE], inputs_ok=False, stale_reason="glove_left stale")
    assert step.state is State.IDLE
    assert "glove_left stale" in step.reason


def test_stale_input_holds_on_the_same_tick():
    sm = engaged_machine()
    step = sm.step(205 * MS, [], inputs_ok=False, stale_reason="tracker_right stale 120 ms")
    assert step.state is State.HOLD
    assert "tracker_right" in step.reason


def test_hold_resumes_through_engaging_after_fresh_period():
    sm = engaged_machine()
    sm.step(205 * MS, [], inputs_ok=False)
    assert sm.step(210 * MS, [], inputs_ok=True).state is State.HOLD
    assert sm.step(250 * MS, [], inputs_ok=True).state is State.HOLD
    resumed = sm.step(261 * MS, [], inputs_ok=True)
    assert resumed.state is State.ENGAGING and resumed.blend_started


def test_estop_latches_until_reset():
    sm = engaged_machine()
    assert sm.step(300 * MS, [Command.ESTOP], inputs_ok=True).state is State.ESTOP
    for command in (Command.ENGAGE, Command.DISENGAGE):
        assert sm.step(310 * MS, [command], inputs_ok=True).state is State.ESTOP
    assert sm.step(320 * MS, [Command.RESET], inputs_ok=True).state is State.IDLE


def test_robot_estop_forces_estop():
    sm = engaged_machine()
    step = sm.step(300 * MS, [], inputs_ok=True, robot_estop=True)
    assert step.state is State.ESTOP and "robot" in step.reason


def test_reset_outside_estop_does_nothing():
    sm = engaged_machine()
    assert sm.step(300 * MS, [Command.RESET], inputs_ok=True).state is State.ENGAGED
