"""ZmqGlove over real ZMQ sockets on loopback: data, times, seq, side filter, invalid samples,
malformed messages, loss and reconnection, missing pyzmq, bad endpoint, doctor."""

from __future__ import annotations

import itertools
import sys
import time

import numpy as np
import pytest
import zmq

from devices.manus import glove_wire
from devices.manus.glove_wire import GloveMessage
from devices.manus.zmq_glove import ZmqGlove
from devices.sim import human_hand
from tests.devices.manus.helpers import Repeating, wait_for

POSTURE = human_hand.POSTURES["power"].astype(np.float32)
POSITIONS, QUATERNIONS = human_hand.skeleton(POSTURE, "left")


@pytest.fixture
def bridge():
    """A PUB socket on an OS-chosen loopback port, and its endpoint."""
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.bind("tcp://127.0.0.1:*")
    yield socket, socket.getsockopt_string(zmq.LAST_ENDPOINT)
    socket.close()
    context.term()


def sending(socket, side="left", ergonomics=POSTURE, skeleton=True, frames=None, start=0):
    """Publish ``side``'s glove updates (or fixed ``frames``) every 5 ms, sequence counting up
    from ``start``."""
    counter = itertools.count(start)
    body = np.concatenate([POSITIONS, QUATERNIONS], axis=1) if skeleton else None

    def send():
        sequence = next(counter)
        msg = GloveMessage(
            side, 4 if side == "left" else 5, sequence, time.time_ns(), ergonomics, body
        )
        socket.send_multipart(frames or glove_wire.encode(msg))

    return Repeating(send)


def test_streams_the_left_glove_with_publish_times_and_sequence(bridge, started):
    socket, endpoint = bridge
    device, samples = started("zmq", side="left", endpoint=endpoint)
    with sending(socket, side="right"), sending(socket, start=1000):
        assert wait_for(lambda: len(samples) >= 5)
    assert device.status().connected
    assert device.info()["glove_id"] == "4"
    for sample in samples:
        assert sample.stream == "glove_left"
        assert sample.valid
        device.streams()[0].check(sample.data)
        np.testing.assert_array_equal(sample.data["ergonomics"], POSTURE)
        np.testing.assert_allclose(sample.data["skeleton_position"], POSITIONS, rtol=1e-6)
        np.testing.assert_allclose(sample.data["skeleton_orientation"], QUATERNIONS, rtol=1e-6)
        assert sample.t_device_ns is not None
        assert sample.t_capture_ns <= sample.t_arrival_ns
    seqs = np.array([s.seq for s in samples])
    device_ns = np.array([s.t_device_ns for s in samples])
    assert seqs[0] == 0
    assert (np.diff(seqs) >= 1).all()
    assert (np.diff(device_ns) > 0).all()


def test_capture_times_are_publish_times_on_the_station_clock(bridge, started):
    socket, endpoint = bridge
    _, samples = started("zmq", side="left", endpoint=endpoint)
    with sending(socket):
        assert wait_for(lambda: len(samples) >= 10)
    offsets = np.array([s.t_capture_ns - s.t_device_ns for s in samples])
    # one offset (station - bridge clock), only ever refined down toward the least latency
    assert (np.diff(offsets) <= 0).all()
    assert all(s.t_capture_ns <= s.t_arrival_ns for s in samples)


@pytest.mark.parametrize("bad", [np.nan, -200.0])
def test_nan_or_impossible_angles_make_the_sample_invalid(bridge, started, bad):
    socket, endpoint = bridge
    angles = POSTURE.copy()
    angles[0] = bad
    _, samples = started("zmq", side="left", endpoint=endpoint)
    with sending(socket, ergonomics=angles):
        assert wait_for(lambda: len(samples) >= 2)
    assert not any(s.valid for s in samples)


def test_a_bridge_without_skeleton_gives_invalid_samples_unless_skeleton_is_off(bridge, started):
    socket, endpoint = bridge
    _, with_skeleton = started("zmq", side="left", endpoint=endpoint)
    _, without = started("zmq", side="left", endpoint=endpoint, skeleton=False)
    with sending(socket, skeleton=False):
        assert wait_for(lambda: len(with_skeleton) >= 2 and len(without) >= 2)
    assert not with_skeleton[0].valid
    assert np.isnan(with_skeleton[0].data["skeleton_position"]).all()
    assert without[0].valid
    assert set(without[0].data) == {"ergonomics"}


def test_malformed_messages_are_dropped_and_shown(bridge, started):
    socket, endpoint = bridge
    topic, payload = glove_wire.encode(GloveMessage("left", 4, 0, 0, POSTURE))
    version_2 = [topic, payload[:4] + b"\x02\x00" + payload[6:]]
    device, samples = started("zmq", side="left", endpoint=endpoint, timeout_s=0.3, retry_s=60.0)
    with sending(socket), sending(socket, frames=version_2):
        assert wait_for(lambda: "dropping malformed" in device.status().message)
        assert device.status().connected
    with sending(socket, frames=version_2):
        assert wait_for(lambda: not device.status().connected)
    message = device.status().message
    assert "no glove_left update from tcp://127.0.0.1" in message
    assert "schema version 2" in message
    assert all(s.valid for s in samples)


def test_silence_loses_the_glove_and_the_bridge_coming_back_restores_it(bridge, started):
    socket, endpoint = bridge
    device, samples = started("zmq", side="left", endpoint=endpoint, timeout_s=0.2, retry_s=0.05)
    with sending(socket, start=500):
        assert wait_for(lambda: len(samples) >= 3)
    assert wait_for(lambda: not device.status().connected)
    assert "fix: start the Manus bridge" in device.status().message
    before = len(samples)
    with sending(socket, start=0):  # a restarted bridge counts from 0 again
        assert wait_for(lambda: len(samples) >= before + 3)
        assert device.status().connected
    seqs = [s.seq for s in samples]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_missing_pyzmq_names_the_extra(started, monkeypatch):
    monkeypatch.setitem(sys.modules, "zmq", None)
    device, _ = started("zmq", side="left", retry_s=60.0)
    assert wait_for(lambda: "not importable" in device.status().message)
    assert "pip install 'dexstation[manus]'" in device.status().message


def test_a_bad_endpoint_is_reported(started):
    device, _ = started("zmq", side="left", endpoint="tcp://nowhere", retry_s=60.0)
    assert wait_for(lambda: "cannot connect" in device.status().message)
    assert "fix: set endpoint" in device.status().message


def test_diagnose_finds_the_bridge_or_says_what_to_start(bridge, monkeypatch):
    socket, endpoint = bridge
    options = ZmqGlove.Options(side="left", endpoint=endpoint)
    findings = ZmqGlove.diagnose(options, timeout_s=0.2)
    assert [f.ok for f in findings] == [True, False]
    assert "start the Manus bridge" in findings[1].fix
    with sending(socket):
        findings = ZmqGlove.diagnose(options, timeout_s=3.0)
    assert findings[1].ok, findings[1]
    with sending(socket, ergonomics=np.full(20, np.nan, np.float32)):
        findings = ZmqGlove.diagnose(options, timeout_s=3.0)
    assert not findings[1].ok
    assert "invalid data" in findings[1].detail
    monkeypatch.setitem(sys.modules, "zmq", None)
    assert [f.ok for f in ZmqGlove.diagnose(options, timeout_s=0.2)] == [False]
