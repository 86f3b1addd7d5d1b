"""ZedCamera against the fake pyzed: frames (size, RGB order, orientation), frame ids and SDK
drops, exposure times on the station clock, corrupted frames, every open and grab failure,
loss and reconnection, the missing SDK, options and the doctor."""

from __future__ import annotations

import sys
import time

import numpy as np
import pydantic
import pytest

from devices.zed.zed_camera import ZedCamera
from tests.devices.manus.helpers import wait_for


def red(serial: int) -> int:
    """The red value of the fake camera with ``serial`` (see pyzed._rig.RigCamera.image)."""
    return 200 + serial % 50


def test_streams_the_stereo_cameras_left_eye_as_rgb(rig, started):
    rig.plug(1234, stereo=True)
    device, samples = started("zed", model="stereo", fps=60, width=320, height=180)
    assert wait_for(lambda: len(samples) >= 5)
    assert device.status().connected
    info = device.info()
    assert info["serial"] == "1234" and info["video_mode"] == "HD1080@60"
    stream = device.streams()[0]
    assert stream.name == "camera_head"
    for sample in samples:
        stream.check(sample.data)
        image = sample.data["image"]
        assert image[0].min() == 255 and image[-1].max() < 255  # the white band stays on top
        np.testing.assert_array_equal(image[100, 100], [red(1234), image[100, 100, 1], 10])
        assert sample.valid
    assert [int(s.data["frame_id"]) for s in samples[:5]] == [0, 1, 2, 3, 4]
    assert [s.seq for s in samples[:5]] == [0, 1, 2, 3, 4]
    greens = [int(s.data["image"][100, 100, 1]) for s in samples[:5]]
    assert greens == [20, 21, 22, 23, 24]  # each sample is the frame its id says


def test_exposure_time_is_the_device_stamp_on_the_station_clock(rig, started):
    latency_ns = sys.modules["pyzed._rig"].CAPTURE_LATENCY_NS
    rig.plug(1, stereo=True)
    _, samples = started("zed", model="stereo", fps=60)
    assert wait_for(lambda: len(samples) >= 3)
    unix_minus_station = time.time_ns() - time.monotonic_ns()
    for sample in samples:
        # the same instant on both clocks, to within how much the clocks were slewed meanwhile
        assert abs(sample.t_device_ns - unix_minus_station - sample.t_capture_ns) < 5_000_000
        # exposed before the grab returned: capture precedes arrival by the exposure latency
        assert sample.t_arrival_ns - sample.t_capture_ns >= latency_ns - 5_000_000


def test_mono_camera_is_picked_by_serial(rig, started):
    rig.plug(10, stereo=False)
    rig.plug(21, stereo=False)
    rig.plug(33, stereo=True)
    device, samples = started("zed", name="left_wrist", model="mono", serial=21, fps=60)
    assert wait_for(lambda: len(samples) >= 2)
    assert device.info()["serial"] == "21"
    assert samples[0].data["image"][-1, 5, 0] == red(21)
    assert samples[0].stream == "camera_left_wrist"


def test_frames_the_sdk_dropped_are_gaps_in_ids_and_seqs(rig, started):
    rig.plug(1, stereo=True, drop_every=3)
    device, samples = started("zed", model="stereo", fps=60)
    assert wait_for(lambda: len(samples) >= 6)
    ids = [int(s.data["frame_id"]) for s in samples[:6]]
    assert ids == [0, 1, 3, 4, 6, 7]
    assert [s.seq for s in samples[:6]] == ids
    assert int(device.info()["frames_dropped"]) >= 2


def test_a_corrupted_frame_is_kept_as_an_invalid_sample(rig, started):
    rig.plug(1, stereo=True, grab_results=["SUCCESS", "CORRUPTED_FRAME"])
    device, samples = started("zed", model="stereo", fps=60)
    assert wait_for(lambda: len(samples) >= 3)
    assert [s.valid for s in samples[:3]] == [True, False, True]
    assert device.status().connected


def test_no_camera_says_so_and_a_plugged_camera_is_found_on_retry(rig, started):
    device, samples = started("zed", model="stereo", fps=60, retry_s=0.05)
    assert wait_for(lambda: "CAMERA_NOT_DETECTED" in device.status().message)
    message = device.status().message
    assert "cannot open the ZED X Mini (stereo)" in message
    assert "fix: check the GMSL2 cable" in message
    rig.plug(1, stereo=True)
    assert wait_for(lambda: len(samples) >= 2)
    assert device.status().connected


def test_a_desktop_without_the_jetson_is_told_to_use_the_publisher(rig, started):
    rig.plug(1, stereo=True)
    rig.rig.gpu = False
    device, _ = started("zed", model="stereo", retry_s=60.0)
    assert wait_for(lambda: "NO_GPU_COMPATIBLE" in device.status().message)
    message = device.status().message
    assert "Jetson with a ZED Link card" in message
    assert "python -m devices.zed.publisher" in message and 'backend = "zmq"' in message


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("DRIVER_FAILURE", "zed_x_daemon"),
        ("CAMERA_EXCEEDS_BANDWIDTH", "lower the resolution"),
        ("INVALID_FIRMWARE", "ZED_Diagnostic"),
    ],
)
def test_other_open_errors_name_their_fix(rig, started, error, fix):
    rig.plug(1, stereo=True, open_error=error)
    device, _ = started("zed", model="stereo", retry_s=60.0)
    assert wait_for(lambda: error in device.status().message)
    assert fix in device.status().message


def test_a_camera_lost_mid_stream_reconnects_when_it_comes_back(rig, started):
    camera = rig.plug(1, stereo=True)
    device, samples = started("zed", model="stereo", fps=60, retry_s=0.05)
    assert wait_for(lambda: len(samples) >= 3)
    camera.unplugged = True
    assert wait_for(lambda: not device.status().connected)
    message = device.status().message
    assert "stopped delivering frames: CAMERA_NOT_DETECTED" in message
    assert not camera.opened.is_set()  # closed so that it can be reopened
    before = len(samples)
    camera.unplugged = False
    assert wait_for(lambda: len(samples) >= before + 3)
    assert device.status().connected
    seqs = [s.seq for s in samples]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert int(samples[-1].data["frame_id"]) < samples[-1].seq  # ids restarted, seqs did not


def test_a_camera_rebooting_for_longer_than_the_timeout_is_lost(rig, started):
    rig.plug(1, stereo=True, grab_results=["CAMERA_REBOOTING"] * 1000)
    device, samples = started("zed", model="stereo", fps=60, timeout_s=0.2, retry_s=60.0)
    assert wait_for(lambda: "rebooting for more than 0.2 s" in device.status().message)
    assert not samples


def test_missing_sdk_names_the_zed_sdk_installer(rig, started, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyzed", None)
    monkeypatch.setitem(sys.modules, "pyzed.sl", None)
    device, _ = started("zed", model="stereo", retry_s=60.0)
    assert wait_for(lambda: "not importable" in device.status().message)
    message = device.status().message
    assert "pyzed.sl is not importable" in message
    assert "get_python_api.py" in message and "'pyzed' is unrelated" in message
    assert not device.status().connected


def test_options_are_checked():
    ZedCamera.Options(model="mono", serial=5, resolution="SVGA", fps=120)
    for bad in (
        {"model": "triple"},
        {"model": "mono", "resolution": "HD720"},
        {"model": "mono", "fps": 0},
        {"model": "mono", "exposure": 3},
    ):
        with pytest.raises(pydantic.ValidationError):
            ZedCamera.Options(**bad)


def test_diagnose(rig, monkeypatch):
    options = ZedCamera.Options(model="mono", serial=7)
    findings = ZedCamera.diagnose(options, timeout_s=2.0)
    assert [f.ok for f in findings] == [True, False, False]
    assert findings[1].detail == "listed mono cameras: none"
    assert "CAMERA_NOT_DETECTED" in findings[2].detail
    rig.plug(7, stereo=False)
    findings = ZedCamera.diagnose(options, timeout_s=2.0)
    assert [f.ok for f in findings] == [True, True, True], findings
    assert findings[2].detail == "1920x1080 BGRA from serial 7"
    rig.rig.gpu = False
    findings = ZedCamera.diagnose(options, timeout_s=2.0)
    assert [f.ok for f in findings] == [True, True, False]
    assert "Jetson" in findings[2].fix
    monkeypatch.setitem(sys.modules, "pyzed.sl", None)
    findings = ZedCamera.diagnose(options, timeout_s=2.0)
    assert [f.ok for f in findings] == [False]
    assert "get_python_api.py" in findings[0].fix
