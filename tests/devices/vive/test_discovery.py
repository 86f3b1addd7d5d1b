"""Tracker discovery for the wrist-role assignment: every generic tracker with battery, state
and pose, through the process's shared OpenVR session."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from devices.errors import DeviceError
from devices.registry import BuildContext, build_device
from devices.trackers import TrackerInfo
from devices.vive.discovery import discover_trackers
from tests.devices.vive.conftest import LEFT, RIGHT, Collector, pose, wait_until


def test_lists_generic_trackers_sorted_with_battery_and_pose(runtime, fake_openvr):
    runtime.add_device("LHR-0000CAFE", battery=None)
    runtime.set_pose("LHR-0000CAFE", pose(0.0, 0.9, 0.0), valid=False)
    runtime.add_device("LHR-CAFE0001", fake_openvr.TrackedDeviceClass_Controller)
    runtime.add_device("LHR-0FF00000", battery=0.1)
    runtime.switch_off("LHR-0FF00000")
    found = discover_trackers(timeout_s=0.05, openvr=fake_openvr)
    assert [(t.serial, t.battery, t.connected) for t in found] == [
        ("LHR-0000CAFE", None, True),
        ("LHR-0FF00000", None, False),
        (LEFT, pytest.approx(0.8), True),
        (RIGHT, pytest.approx(0.55), True),
    ]
    assert found[0].pose is None and found[1].pose is None
    np.testing.assert_allclose(found[2].pose, pose(0.3, 1.1, -0.4, 0.5), atol=1e-6)
    np.testing.assert_allclose(found[3].pose, pose(-0.3, 1.0, -0.45, -0.25), atol=1e-6)
    assert [t.state for t in found] == [
        "connected, no battery reading, not tracked",
        "off",
        "connected, battery 80 %",
        "connected, battery 55 %",
    ]
    assert runtime.init_calls == 1 and not runtime.initialized


def test_shares_the_session_of_streaming_trackers(runtime, fake_openvr):
    device = build_device(
        "tracker", "openvr", "tracker_left", {"side": "left", "serial": LEFT}, BuildContext()
    )
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        assert [t.serial for t in discover_trackers(0.05, fake_openvr)] == [LEFT, RIGHT]
        assert runtime.initialized and runtime.init_calls == 1
        count = len(got)
        wait_until(lambda: len(got) > count)
    finally:
        device.stop()


def test_no_steamvr_raises_with_the_fix(runtime, fake_openvr, monkeypatch):
    runtime.init_error = fake_openvr.error_code.InitError_Init_NoServerForBackgroundApp
    with pytest.raises(DeviceError, match=r"SteamVR is not running.*fix: start SteamVR"):
        discover_trackers(0.05, fake_openvr)
    monkeypatch.setitem(sys.modules, "openvr", None)
    with pytest.raises(DeviceError, match=r"openvr is not importable.*dexstation\[vive\]"):
        discover_trackers(0.05)


def test_info_state_of_an_untracked_tracker():
    info = TrackerInfo("LHR-00000001", 0.333, True, None)
    assert info.state == "connected, battery 33 %, not tracked"
