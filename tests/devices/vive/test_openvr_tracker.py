"""The ``openvr`` tracker backend against the fake pyopenvr: one shared session, trackers by
serial, poses in the standing universe, every error with its fix, and the doctor's checks."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from devices.registry import BuildContext, build_device
from devices.trackers import TRACKING_RUNNING_OK
from devices.vive.openvr_tracker import OpenVRTracker
from tests.devices.vive.conftest import LEFT, RIGHT, Collector, pose, wait_until

FLOAT32_M = 1e-6
"""OpenVR's poses are float32: agreement expected to about a micrometre."""


def tracker(side: str, serial: str, **options) -> OpenVRTracker:
    options = {"side": side, "serial": serial, "retry_s": 0.02, **options}
    device = build_device("tracker", "openvr", f"tracker_{side}", options, BuildContext())
    assert isinstance(device, OpenVRTracker)
    return device


def message_of(device: OpenVRTracker, text: str) -> str:
    wait_until(lambda: text in device.status().message)
    return device.status().message


def test_both_trackers_stream_their_poses_through_one_session(runtime, fake_openvr):
    left, right = tracker("left", LEFT), tracker("right", RIGHT)
    got_left, got_right = Collector(), Collector()
    left.start(got_left)
    right.start(got_right)
    try:
        wait_until(lambda: len(got_left) >= 5 and len(got_right) >= 5)
        assert left.status().connected and right.status().connected
        assert left.info() == {
            "backend": "openvr",
            "family": "tracker",
            "serial": LEFT,
            "battery": "battery 80 %",
            "model": "VIVE Tracker Pro MV",
        }
        assert right.info()["battery"] == "battery 55 %"
    finally:
        left.stop()
        assert runtime.initialized, "the right tracker still uses the session"
        right.stop()
    assert runtime.init_calls == 1 and runtime.shutdown_calls == 1
    assert runtime.application_types == [fake_openvr.VRApplication_Background]
    assert runtime.origins == {fake_openvr.TrackingUniverseStanding}
    assert left.streams()[0].name == "tracker_left" and left.streams()[0].rate_hz == 120.0
    for device, got, expected in (
        (left, got_left, pose(0.3, 1.1, -0.4, 0.5)),
        (right, got_right, pose(-0.3, 1.0, -0.45, -0.25)),
    ):
        samples = got.since(0)
        assert [s.seq for s in samples] == list(range(len(samples)))
        for s in samples:
            device.streams()[0].check(s.data)
            assert s.valid and s.t_device_ns is None
            assert s.t_capture_ns <= s.t_arrival_ns
            np.testing.assert_allclose(s.data["pose"], expected, atol=FLOAT32_M)
            assert s.data["pose"].dtype == np.float64
            assert np.array_equal(s.data["pose"][3], [0.0, 0.0, 0.0, 1.0])
            assert s.data["tracking_result"] == TRACKING_RUNNING_OK
        assert all(a.t_capture_ns < b.t_capture_ns for a, b in itertools.pairwise(samples))


def test_a_tracker_that_comes_back_at_another_index_is_found_by_its_serial(runtime):
    device = tracker("left", LEFT)
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        runtime.move(LEFT, 0)  # the slot before its old one: the stale slot must not win
        runtime.set_pose(LEFT, pose(0.1, 1.5, -0.2))
        moved = got.wait_for(lambda s: abs(s.data["pose"][1, 3] - 1.5) < 1e-6)
        assert moved.valid
        runtime.move(LEFT, 40)
        runtime.set_pose(LEFT, pose(0.2, 1.6, -0.2))
        assert got.wait_for(lambda s: abs(s.data["pose"][1, 3] - 1.6) < 1e-6).valid
        assert device.status().connected and runtime.init_calls == 1
    finally:
        device.stop()


def test_untracked_and_non_finite_poses_are_invalid_samples_kept_as_received(runtime):
    device = tracker("left", LEFT)
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        runtime.set_pose(LEFT, pose(0.3, 1.1, -0.4), valid=False, tracking_result=101)
        lost = got.wait_for(lambda s: not s.valid)
        assert lost.data["tracking_result"] == 101
        np.testing.assert_allclose(lost.data["pose"], pose(0.3, 1.1, -0.4), atol=FLOAT32_M)
        bad = pose(0.3, 1.1, -0.4)
        bad[0, 3] = np.nan
        runtime.set_pose(LEFT, bad)
        count = len(got)
        nan = got.wait_for(lambda s: np.isnan(s.data["pose"][0, 3]), after=count)
        assert not nan.valid and nan.data["tracking_result"] == TRACKING_RUNNING_OK
        assert device.status().connected
    finally:
        device.stop()


def test_switched_off_mid_stream_reconnects_when_it_comes_back(runtime):
    device = tracker("left", LEFT)
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        runtime.switch_off(LEFT)
        message = message_of(device, "not connected")
        assert not device.status().connected
        assert f"tracker {LEFT} not connected" in message
        assert f"{LEFT} (off), {RIGHT} (connected)" in message
        assert "fix: switch the tracker on and pair it in SteamVR" in message
        assert "battery" not in device.info()
        count = len(got)
        runtime.switch_on(LEFT)
        got.wait_for(lambda s: s.valid, after=count)
        wait_until(lambda: device.status().connected)
        assert device.info()["battery"] == "battery 80 %"
    finally:
        device.stop()


def test_pose_reported_disconnected_gives_an_invalid_sample_then_a_reconnect(runtime):
    device = tracker("left", LEFT)
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        with runtime._lock:  # the pose says disconnected before OpenVR posts the event
            runtime.devices[runtime._index(LEFT)].connected = False
        assert not got.wait_for(lambda s: not s.valid).valid
        assert "disconnected (switched off" in message_of(device, "disconnected")
    finally:
        device.stop()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (
            lambda rt, ovr: setattr(rt, "installed", False),
            "the OpenVR runtime (SteamVR) is not installed; fix: install SteamVR",
        ),
        (
            lambda rt, ovr: setattr(
                rt, "init_error", ovr.error_code.InitError_Init_PathRegistryNotFound
            ),
            "(InitError_Init_PathRegistryNotFound: no openvrpaths.vrpath); fix: install SteamVR",
        ),
        (
            lambda rt, ovr: setattr(
                rt, "init_error", ovr.error_code.InitError_Init_NoServerForBackgroundApp
            ),
            "SteamVR is not running (InitError_Init_NoServerForBackgroundApp); fix: start SteamVR; "
            'without a headset, set in steamvr.vrsettings "steamvr": {"requireHmd": false, '
            '"forcedDriver": "null", "activateMultipleDrivers": true}',
        ),
        (
            lambda rt, ovr: setattr(rt, "init_error", ovr.error_code.InitError_Init_HmdNotFound),
            "OpenVR init failed (InitError_Init_HmdNotFound); fix: restart SteamVR",
        ),
    ],
)
def test_openvr_that_cannot_start_is_reported_with_the_fix_and_retried(
    runtime, fake_openvr, setup, expected
):
    setup(runtime, fake_openvr)
    device = tracker("left", LEFT)
    got = Collector()
    device.start(got)
    try:
        message_of(device, expected)
        assert not device.status().connected and len(got) == 0
        runtime.installed, runtime.init_error = True, None
        wait_until(lambda: len(got) > 0)
        assert device.status().connected
    finally:
        device.stop()


def test_missing_sdk_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "openvr", None)
    device = tracker("left", LEFT)
    device.start(Collector())
    try:
        message = message_of(device, "not importable")
        assert message.startswith("openvr is not importable")
        assert message.endswith("fix: pip install 'dexstation[vive]'")
    finally:
        device.stop()


def test_unknown_or_missing_serial_lists_the_trackers_seen(runtime):
    unknown, unset = tracker("left", "LHR-DEADBEEF"), tracker("right", "")
    unknown.start(Collector())
    unset.start(Collector())
    try:
        message = message_of(unknown, "not connected")
        assert message.startswith("tracker LHR-DEADBEEF not connected (trackers in SteamVR: ")
        assert f"{LEFT} (connected), {RIGHT} (connected)" in message
        assert "or correct the serial" in message
        message = message_of(unset, "no serial")
        assert message.startswith("no serial set for the right tracker")
        assert "dexstation calibrate roles" in message
    finally:
        unknown.stop()
        unset.stop()


def test_steamvr_quitting_ends_the_session_and_a_new_one_starts_later(runtime, fake_openvr):
    left, right = tracker("left", LEFT), tracker("right", RIGHT)
    got = Collector()
    left.start(got)
    right.start(Collector())
    try:
        wait_until(lambda: len(got) > 0 and right.status().connected)
        runtime.init_error = fake_openvr.error_code.InitError_Init_NoServerForBackgroundApp
        runtime.post_event(fake_openvr.VREvent_Quit)
        message_of(left, "SteamVR is not running")
        message_of(right, "SteamVR is not running")
        assert runtime.shutdown_calls == 1 and not runtime.initialized
        count = len(got)
        runtime.init_error = None
        got.wait_for(lambda s: s.valid, after=count)
        wait_until(lambda: right.status().connected)
        assert runtime.init_calls >= 2
    finally:
        left.stop()
        right.stop()


def test_diagnose_lists_every_tracker_with_its_battery(runtime, fake_openvr):
    runtime.add_device("LHR-0BADBA77", battery=None)
    runtime.switch_off(RIGHT)
    runtime.add_device("LHR-CAFE0001", fake_openvr.TrackedDeviceClass_Controller)
    options = OpenVRTracker.Options(side="left", serial=LEFT)
    findings = OpenVRTracker.diagnose(options, timeout_s=0.2)
    assert [(f.check, f.ok) for f in findings] == [
        ("openvr importable", True),
        ("OpenVR runtime installed", True),
        ("SteamVR running", True),
        (f"left tracker {LEFT} connected", True),
    ]
    assert findings[-1].detail == "yes (connected, battery 80 %)"
    missing = OpenVRTracker.diagnose(options.model_copy(update={"serial": RIGHT}), 0.2)[-1]
    assert not missing.ok
    assert missing.detail == (
        f"tracker {RIGHT} not connected (trackers in SteamVR: LHR-0BADBA77 (connected, no "
        f"battery reading), {LEFT} (connected, battery 80 %), {RIGHT} (off))"
    )
    assert missing.fix.startswith("switch the tracker on")
    assert not runtime.initialized


def test_diagnose_stops_at_the_first_failed_check(monkeypatch, runtime, fake_openvr):
    options = OpenVRTracker.Options(side="left", serial=LEFT)
    runtime.init_error = fake_openvr.error_code.InitError_Init_NoServerForBackgroundApp
    findings = OpenVRTracker.diagnose(options, 0.2)
    assert [(f.check, f.ok) for f in findings][-1] == ("SteamVR running", False)
    assert findings[-1].detail.startswith("SteamVR is not running")
    assert findings[-1].fix.startswith("start SteamVR")
    runtime.installed = False
    findings = OpenVRTracker.diagnose(options, 0.2)
    assert [(f.check, f.ok) for f in findings][-1] == ("OpenVR runtime installed", False)
    assert findings[-1].fix.startswith("install SteamVR")
    monkeypatch.setitem(sys.modules, "openvr", None)
    findings = OpenVRTracker.diagnose(options, 0.2)
    assert [(f.check, f.ok) for f in findings] == [("openvr importable", False)]
    assert findings[0].fix == "pip install 'dexstation[vive]'"


def test_census_lists_every_tracker_steamvr_knows_with_its_battery(runtime, fake_openvr):
    runtime.add_device("LHR-0000CAFE", battery=0.2)
    runtime.set_pose("LHR-0000CAFE", pose(0.0, 0.9, 0.0), valid=False)
    found = OpenVRTracker.census(OpenVRTracker.Options(side="left"), 0.05)
    assert [(t.serial, t.state) for t in found] == [
        ("LHR-0000CAFE", "connected, battery 20 %, not tracked"),
        (LEFT, "connected, battery 80 %"),
        (RIGHT, "connected, battery 55 %"),
    ]
