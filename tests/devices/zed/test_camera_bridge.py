"""The Jetson publisher (on the fake pyzed) feeding ZmqCamera over real ZMQ sockets on
loopback: the right camera's frames, frame ids and drops, times on the station clock,
corrupted frames, loss and reconnection, malformed messages, missing pyzmq, bad endpoint,
the doctor, and the publisher's command line."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest
import zmq

from devices.errors import DeviceError
from devices.zed import frame_wire, publisher
from devices.zed.zmq_camera import ZmqCamera
from tests.devices.manus.helpers import Repeating, wait_for

SERIAL = 21
RED = 200 + SERIAL % 50
"""The red value of the fake mono camera with serial 21 (see pyzed._rig.RigCamera.image)."""


def test_the_receiver_gets_its_camera_at_its_size(rig, publishing, started):
    rig.plug(1234, stereo=True)
    rig.plug(SERIAL, stereo=False)
    source = publishing("head=stereo", f"left_wrist=mono:{SERIAL}", width=640, height=360)
    device, samples = started(
        "zmq", name="left_wrist", endpoint=source.endpoint, width=320, height=180
    )
    assert wait_for(lambda: len(samples) >= 5)
    assert source.sent["head"] > 0
    assert device.status().connected
    stream = device.streams()[0]
    assert stream.name == "camera_left_wrist"
    for sample in samples:
        stream.check(sample.data)
        image = sample.data["image"].astype(int)
        assert image[0].min() > 240 and abs(image[-1, 5, 0] - RED) <= 3  # RGB, top band on top
        assert abs(image[-1, 5, 2] - 10) <= 3
        assert sample.valid
        assert sample.t_device_ns is not None
    ids = [int(s.data["frame_id"]) for s in samples]
    assert [s.seq for s in samples] == [k - ids[0] for k in ids]
    assert ids == sorted(set(ids))


def test_capture_times_use_one_refining_clock_offset(rig, publishing, started):
    rig.plug(SERIAL, stereo=False)
    source = publishing(f"left_wrist=mono:{SERIAL}")
    _, samples = started("zmq", name="left_wrist", endpoint=source.endpoint)
    assert wait_for(lambda: len(samples) >= 10)
    offsets = np.array([s.t_capture_ns - s.t_device_ns for s in samples])
    # station clock minus publisher clock, only ever refined down toward the least latency
    assert (np.diff(offsets) <= 0).all()
    assert all(s.t_capture_ns <= s.t_arrival_ns for s in samples)


def test_a_known_clock_offset_is_used_as_given(rig, publishing, started):
    latency_ns = rig.CAPTURE_LATENCY_NS
    rig.plug(SERIAL, stereo=False)
    source = publishing(f"left_wrist=mono:{SERIAL}")
    _, same_clock = started("zmq", name="left_wrist", endpoint=source.endpoint, clock_offset_s=0.0)
    _, ahead = started("zmq", name="left_wrist", endpoint=source.endpoint, clock_offset_s=100.0)
    assert wait_for(lambda: len(same_clock) >= 3 and len(ahead) >= 3)
    unix_minus_station = time.time_ns() - time.monotonic_ns()
    for sample in same_clock:
        assert abs(sample.t_device_ns - unix_minus_station - sample.t_capture_ns) < 5_000_000
        assert sample.t_arrival_ns - sample.t_capture_ns >= latency_ns - 5_000_000
    for sample in ahead:  # the publisher's clock is 100 s ahead: exposures were 100 s earlier
        assert sample.t_arrival_ns - sample.t_capture_ns > 99_000_000_000


def test_a_slow_station_skips_to_the_newest_frame_and_counts_the_gaps(rig, publishing, started):
    rig.plug(SERIAL, stereo=False)
    source = publishing(f"left_wrist=mono:{SERIAL}", fps=60)
    samples = []

    def slow_sink(sample):
        samples.append(sample)
        time.sleep(0.1)

    device, _ = started("zmq", name="left_wrist", endpoint=source.endpoint, sink=slow_sink)
    assert wait_for(lambda: len(samples) >= 5)
    ids = [int(s.data["frame_id"]) for s in samples]
    assert max(np.diff(ids)) > 1
    assert [s.seq - samples[0].seq for s in samples] == [i - ids[0] for i in ids]
    assert int(device.info()["frames_dropped"]) >= max(np.diff(ids)) - 1


def test_a_corrupted_frame_arrives_as_an_invalid_sample(rig, publishing, started):
    rig.plug(SERIAL, stereo=False, grab_results=["SUCCESS"] * 3 + ["CORRUPTED_FRAME"])
    source = publishing(f"left_wrist=mono:{SERIAL}")
    _, samples = started("zmq", name="left_wrist", endpoint=source.endpoint)
    assert wait_for(lambda: any(not s.valid for s in samples))
    bad = next(s for s in samples if not s.valid)
    assert int(bad.data["frame_id"]) == 3


def test_a_camera_lost_on_the_jetson_is_lost_here_and_comes_back(rig, publishing, started):
    camera = rig.plug(SERIAL, stereo=False)
    source = publishing(f"left_wrist=mono:{SERIAL}")
    device, samples = started(
        "zmq", name="left_wrist", endpoint=source.endpoint, timeout_s=0.3, retry_s=0.05
    )
    assert wait_for(lambda: len(samples) >= 3)
    camera.unplugged = True
    assert wait_for(lambda: not device.status().connected)
    message = device.status().message
    assert "no camera_left_wrist frame from tcp://127.0.0.1" in message
    assert "fix: start the camera publisher" in message
    before = len(samples)
    camera.unplugged = False
    assert wait_for(lambda: len(samples) >= before + 3)
    assert device.status().connected
    seqs = [s.seq for s in samples]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


@pytest.fixture
def bridge():
    """A bare PUB socket on an OS-chosen loopback port, and its endpoint."""
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.bind("tcp://127.0.0.1:*")
    yield socket, socket.getsockopt_string(zmq.LAST_ENDPOINT)
    socket.close()
    context.term()


def sending(socket, frames):
    return Repeating(lambda: socket.send_multipart(frames), period_s=0.01)


def test_malformed_messages_are_dropped_and_shown(bridge, started):
    socket, endpoint = bridge
    jpeg = publisher.encode_bgra(np.zeros((8, 8, 4), np.uint8), 90)
    good = frame_wire.encode(frame_wire.FrameMessage("head", 0, 1, 2, 8, 8, jpeg))
    version_2 = [good[0], good[1][:4] + b"\x02\x00" + good[1][6:], good[2]]
    device, samples = started("zmq", endpoint=endpoint, timeout_s=0.3, retry_s=60.0)
    with sending(socket, good), sending(socket, version_2):
        assert wait_for(lambda: "dropping malformed" in device.status().message)
        assert device.status().connected
    with sending(socket, version_2):
        assert wait_for(lambda: not device.status().connected)
    message = device.status().message
    assert "schema version 2, this receiver reads version 1" in message
    assert all(s.valid for s in samples)


def test_broken_jpeg_data_is_dropped_and_shown(bridge, started):
    socket, endpoint = bridge
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 4), dtype=np.uint8)
    jpeg = publisher.encode_bgra(noise, 90)
    truncated = jpeg[: len(jpeg) // 2]  # the header is whole, the scan data is cut
    broken = frame_wire.encode(frame_wire.FrameMessage("head", 0, 1, 2, 64, 64, truncated))
    device, samples = started("zmq", endpoint=endpoint, timeout_s=0.3, retry_s=60.0)
    with sending(socket, broken):
        assert wait_for(lambda: not device.status().connected)
    assert "broken JPEG data" in device.status().message
    assert not samples


def test_missing_pyzmq_names_the_extra(started, monkeypatch):
    monkeypatch.setitem(sys.modules, "zmq", None)
    device, _ = started("zmq", retry_s=60.0)
    assert wait_for(lambda: "not importable" in device.status().message)
    assert "pip install 'dexstation[zed]'" in device.status().message


def test_a_bad_endpoint_is_reported(started):
    device, _ = started("zmq", endpoint="tcp://nowhere", retry_s=60.0)
    assert wait_for(lambda: "cannot connect" in device.status().message)
    assert "fix: set endpoint" in device.status().message


def test_diagnose_lists_the_publishers_cameras(rig, publishing, bridge, monkeypatch):
    rig.plug(1234, stereo=True)
    rig.plug(SERIAL, stereo=False)
    _, silent = bridge
    findings = ZmqCamera.diagnose(ZmqCamera.Options(endpoint=silent), timeout_s=0.2)
    assert [f.ok for f in findings] == [True, False]
    assert "cameras sent: none" in findings[1].detail
    assert "start the camera publisher" in findings[1].fix
    source = publishing("head=stereo", f"left_wrist=mono:{SERIAL}")
    options = ZmqCamera.Options(endpoint=source.endpoint, camera="left_wrist")
    findings = ZmqCamera.diagnose(options, timeout_s=3.0)
    assert findings[1].ok, findings[1]
    assert "1280x720 JPEG frames" in findings[1].detail
    options = ZmqCamera.Options(endpoint=source.endpoint, camera="right_wrist")
    findings = ZmqCamera.diagnose(options, timeout_s=0.5)
    assert not findings[1].ok
    assert "cameras sent: head, left_wrist" in findings[1].detail
    monkeypatch.setitem(sys.modules, "zmq", None)
    assert [f.ok for f in ZmqCamera.diagnose(options, timeout_s=0.2)] == [False]


def test_camera_arguments():
    spec = publisher.parse_camera("left_wrist=mono:123", "SVGA", 120)
    assert spec.name == "left_wrist"
    assert spec.source.model_dump() == {
        "model": "mono",
        "serial": 123,
        "resolution": "SVGA",
        "fps": 120,
    }
    assert publisher.parse_camera("head=stereo", "HD1080", 30).source.serial is None
    for bad in ("head", "head=triple", "head=mono:abc", "a/b=mono"):
        with pytest.raises(ValueError):
            publisher.parse_camera(bad, "HD1080", 30)


def test_the_command_line_refuses_bad_cameras_and_a_missing_sdk(rig, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        publisher.main(["--camera", "head=triple"])
    assert exit_info.value.code == 2
    assert "expected NAME=stereo|mono[:SERIAL]" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "pyzed.sl", None)
    with pytest.raises(SystemExit) as exit_info:
        publisher.main(["--camera", "head=stereo", "--bind", "tcp://127.0.0.1:*"])
    assert exit_info.value.code == 1
    assert "get_python_api.py" in capsys.readouterr().err
    with pytest.raises(DeviceError, match=r"pyzed\.sl is not importable"):
        publisher.Publisher([publisher.parse_camera("head=stereo", "HD1080", 30)])


def test_a_taken_port_is_reported(rig, publishing):
    taken = publishing("head=stereo").endpoint
    with pytest.raises(DeviceError, match=r"cannot bind .*fix: choose a free port"):
        publisher.Publisher([publisher.parse_camera("head=stereo", "HD1080", 30)], taken)
