"""The network tracker source: the pose sender on the SteamVR side (fake pyopenvr) and the
``zmq`` tracker backend on the station, over real loopback sockets."""

from __future__ import annotations

import struct
import sys
import threading

import numpy as np
import pytest
import zmq

from devices.errors import DeviceError
from devices.registry import BuildContext, build_device
from devices.trackers import TRACKING_RUNNING_OK
from devices.vive import pose_wire
from devices.vive.pose_sender import PoseSender, main
from devices.vive.zmq_tracker import ZmqTracker
from tests.devices.vive.conftest import LEFT, RIGHT, Collector, pose, wait_until


@pytest.fixture
def publisher():
    """A PUB socket bound to an OS-chosen loopback port, and its endpoint."""
    socket = zmq.Context.instance().socket(zmq.PUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.bind("tcp://127.0.0.1:*")
    yield socket, socket.getsockopt_string(zmq.LAST_ENDPOINT)
    socket.close()


class Sender:
    """The pose sender running in a thread on ``publisher``."""

    def __init__(self, openvr, socket) -> None:
        self.pose_sender = PoseSender(openvr, socket, rate_hz=200.0, retry_s=0.02)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.stop.clear()
        self.thread = threading.Thread(target=self.pose_sender.run, args=(self.stop,))
        self.thread.start()

    def halt(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(5)


@pytest.fixture
def sender(runtime, fake_openvr, publisher):
    running = Sender(fake_openvr, publisher[0])
    running.start()
    yield running
    running.halt()


def tracker(endpoint: str, serial: str = LEFT, side: str = "left", **options) -> ZmqTracker:
    options = {"side": side, "serial": serial, "endpoint": endpoint, "retry_s": 0.02, **options}
    device = build_device(
        "tracker", "zmq", f"tracker_{side}", {"timeout_s": 0.3, **options}, BuildContext()
    )
    assert isinstance(device, ZmqTracker)
    return device


def message_of(device: ZmqTracker, text: str) -> str:
    wait_until(lambda: text in device.status().message)
    return device.status().message


def test_poses_arrive_with_the_senders_time_and_sequence(sender, publisher):
    left, right = tracker(publisher[1]), tracker(publisher[1], RIGHT, "right")
    got_left, got_right = Collector(), Collector()
    left.start(got_left)
    right.start(got_right)
    try:
        wait_until(lambda: len(got_left) >= 10 and len(got_right) >= 10)
        assert left.status().connected and right.status().connected
        assert left.info()["endpoint"] == publisher[1] and left.info()["serial"] == LEFT
    finally:
        left.stop()
        right.stop()
    for device, got, expected in (
        (left, got_left, pose(0.3, 1.1, -0.4, 0.5)),
        (right, got_right, pose(-0.3, 1.0, -0.45, -0.25)),
    ):
        samples = got.since(0)
        assert samples[0].stream == device.streams()[0].name
        for s in samples:
            device.streams()[0].check(s.data)
            assert s.valid and s.data["tracking_result"] == TRACKING_RUNNING_OK
            np.testing.assert_allclose(s.data["pose"], expected, atol=1e-6)
            assert s.t_capture_ns <= s.t_arrival_ns
        seqs = [s.seq for s in samples]
        assert seqs == sorted(set(seqs)), "the sender's poll counter, rising"
        device_times = [s.t_device_ns for s in samples]
        assert device_times == sorted(device_times)
        capture_after_first = [s.t_capture_ns - samples[0].t_capture_ns for s in samples]
        device_after_first = [t - device_times[0] for t in device_times]
        # one offset estimate refines over the first samples: never later than the first mapping
        assert all(c <= d for c, d in zip(capture_after_first, device_after_first, strict=True))


def test_untracked_and_non_finite_poses_arrive_as_invalid_samples(sender, runtime, publisher):
    device = tracker(publisher[1])
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        runtime.set_pose(LEFT, pose(0.3, 1.1, -0.4), valid=False, tracking_result=101)
        assert got.wait_for(lambda s: not s.valid).data["tracking_result"] == 101
        bad = pose(0.3, 1.1, -0.4)
        bad[2, 3] = np.inf
        runtime.set_pose(LEFT, bad)
        count = len(got)
        inf = got.wait_for(lambda s: np.isinf(s.data["pose"][2, 3]), after=count)
        assert not inf.valid and inf.data["tracking_result"] == TRACKING_RUNNING_OK
    finally:
        device.stop()


def test_silent_sender_marks_the_tracker_lost_and_it_reconnects(sender, publisher):
    device = tracker(publisher[1])
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        sender.halt()
        message = message_of(device, "no tracker poses")
        assert message.startswith(f"no tracker poses from {publisher[1]} for 0.3 s")
        assert "python -m devices.vive.pose_sender --bind tcp://*:5560" in message
        assert not device.status().connected
        count = len(got)
        sender.start()
        got.wait_for(lambda s: s.valid, after=count)
        wait_until(lambda: device.status().connected)
    finally:
        device.stop()


def test_tracker_absent_from_the_messages_lists_those_sent(sender, runtime, publisher):
    device = tracker(publisher[1])
    got = Collector()
    device.start(got)
    try:
        wait_until(lambda: len(got) > 0)
        runtime.switch_off(LEFT)
        message = message_of(device, "not connected")
        assert message.startswith(f"tracker {LEFT} not connected (trackers sent by {publisher[1]}")
        assert f"{RIGHT} (tracked))" in message
        count = len(got)
        runtime.switch_on(LEFT)
        got.wait_for(lambda s: s.valid, after=count)
    finally:
        device.stop()


def test_sender_waits_for_steamvr_then_publishes(runtime, fake_openvr, publisher):
    runtime.init_error = fake_openvr.error_code.InitError_Init_NoServerForBackgroundApp
    running = Sender(fake_openvr, publisher[0])
    running.start()
    device = tracker(publisher[1])
    got = Collector()
    device.start(got)
    try:
        message_of(device, "no tracker poses")
        runtime.init_error = None
        wait_until(lambda: len(got) > 0)
        runtime.post_event(fake_openvr.VREvent_Quit)  # SteamVR quits: the sender reopens
        count = len(got)
        wait_until(lambda: len(got) > count and runtime.init_calls >= 3)
    finally:
        device.stop()
        running.halt()


def test_malformed_messages_are_reported_with_the_schema(publisher):
    socket, endpoint = publisher
    device = tracker(endpoint)
    device.start(Collector())
    stop = threading.Event()

    def publish_version_2() -> None:
        while not stop.wait(0.01):
            socket.send_multipart([pose_wire.TOPIC, struct.pack("<HHqQ", 2, 0, 0, 0), b""])

    thread = threading.Thread(target=publish_version_2)
    thread.start()
    try:
        message = message_of(device, "malformed")
        assert f"malformed message from {endpoint}: schema version 2" in message
        assert message.endswith("fix: run a pose sender speaking schema version 1")
    finally:
        stop.set()
        thread.join(5)
        device.stop()


@pytest.mark.parametrize(
    ("clock", "expected_ns"),
    [
        # sender 1 s ahead of this station's Unix clock; station Unix = monotonic + 100 s
        ({"clock": "unix", "clock_offset_ms": 1000.0}, 150_000_000_000 - 100_000_000_000 - 10**9),
        ({"clock": "estimate", "latency_ms": 2.0}, 60_000_000_000 - 2_000_000),
    ],
)
def test_sender_time_maps_onto_the_station_clock(monkeypatch, clock, expected_ns):
    device = tracker("tcp://127.0.0.1:1", **clock)
    monkeypatch.setattr("time.time_ns", lambda: 160_000_000_000)
    monkeypatch.setattr("time.monotonic_ns", lambda: 60_000_000_000)
    assert device._capture_time(150_000_000_000, 60_000_000_000) == expected_ns


def test_unix_clock_never_puts_capture_after_arrival(monkeypatch):
    device = tracker("tcp://127.0.0.1:1", clock="unix", clock_offset_ms=-5000.0)
    monkeypatch.setattr("time.time_ns", lambda: 160_000_000_000)
    monkeypatch.setattr("time.monotonic_ns", lambda: 60_000_000_000)
    assert device._capture_time(159_000_000_000, 60_000_000_000) == 60_000_000_000


def test_missing_zmq_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "zmq", None)
    device = tracker("tcp://127.0.0.1:1")
    device.start(Collector())
    try:
        message = message_of(device, "not importable")
        assert message.startswith("zmq is not importable")
        assert message.endswith("fix: pip install 'dexstation[vive]'")
    finally:
        device.stop()
    assert [(f.check, f.ok) for f in ZmqTracker.diagnose(device.options, 0.1)] == [
        ("zmq importable", False)
    ]


def test_bad_endpoint_is_reported():
    device = tracker("tcp://no-port")
    device.start(Collector())
    try:
        assert "bad endpoint 'tcp://no-port'" in message_of(device, "bad endpoint")
    finally:
        device.stop()
    findings = ZmqTracker.diagnose(device.options, 0.1)
    assert not findings[-1].ok and findings[-1].fix.startswith("e.g. tcp://")


def test_diagnose_checks_the_sender_and_lists_its_trackers(sender, publisher):
    options = ZmqTracker.Options(side="left", serial=LEFT, endpoint=publisher[1])
    findings = ZmqTracker.diagnose(options, 2.0)
    assert [(f.check, f.ok) for f in findings] == [
        ("zmq importable", True),
        (f"pose sender at {publisher[1]}", True),
        (f"left tracker {LEFT} connected", True),
    ]
    unknown = ZmqTracker.diagnose(options.model_copy(update={"serial": "LHR-DEADBEEF"}), 2.0)
    assert unknown[-1].detail == (
        f"tracker LHR-DEADBEEF not connected (trackers sent: {LEFT} (tracked), {RIGHT} (tracked))"
    )
    sender.halt()
    silent = ZmqTracker.diagnose(options, 0.1)
    assert (silent[-1].check, silent[-1].ok, silent[-1].detail) == (
        f"pose sender at {publisher[1]}",
        False,
        "nothing in 0.1 s",
    )
    assert silent[-1].fix.startswith("start `python -m devices.vive.pose_sender")


def test_sender_command_line(runtime, fake_openvr, monkeypatch):
    stopped = threading.Event()
    stopped.set()
    assert main(["--bind", "tcp://127.0.0.1:*", "--rate", "50"], stop=stopped) == 0
    assert main(["--bind", "tcp://no-port"], stop=stopped) == 1
    with pytest.raises(SystemExit):
        main(["--rate", "0"], stop=stopped)
    monkeypatch.setitem(sys.modules, "openvr", None)
    assert main(["--bind", "tcp://127.0.0.1:*"], stop=stopped) == 1


def test_census_lists_every_tracker_the_sender_sends(sender, publisher, runtime):
    runtime.set_pose(RIGHT, pose(-0.3, 1.0, -0.45), valid=False)
    options = ZmqTracker.Options(side="left", endpoint=publisher[1])
    found = ZmqTracker.census(options, 2.0)
    assert [(t.serial, t.battery, t.connected) for t in found] == [
        (LEFT, None, True),
        (RIGHT, None, True),
    ]
    np.testing.assert_allclose(found[0].pose, pose(0.3, 1.1, -0.4, 0.5), atol=1e-6)
    assert found[1].pose is None
    sender.halt()
    with pytest.raises(DeviceError, match=r"no tracker poses from .* in 0.1 s; fix: "):
        ZmqTracker.census(options, 0.1)
