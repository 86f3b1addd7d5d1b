"""The tracker pose wire, schema 1, byte for byte as docs/tracker_bridge.md specifies."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from devices.vive import pose_wire
from devices.vive.pose_wire import PoseMessage, WireError, decode, encode
from devices.vive.readings import TrackerReading
from tests.devices.vive.conftest import LEFT, RIGHT, pose

MESSAGE = PoseMessage(
    1_790_000_000_123_456_789,
    42,
    (
        TrackerReading(LEFT, pose(0.3, 1.1, -0.4, 0.5), True, 200),
        TrackerReading(RIGHT, pose(-0.3, 1.0, -0.45), False, 101),
    ),
)


def test_round_trip_is_exact():
    back = decode(encode(MESSAGE))
    assert (back.t_unix_ns, back.sequence) == (MESSAGE.t_unix_ns, MESSAGE.sequence)
    for got, sent in zip(back.readings, MESSAGE.readings, strict=True):
        assert (got.serial, got.valid, got.tracking_result) == (
            sent.serial,
            sent.valid,
            sent.tracking_result,
        )
        assert np.array_equal(got.pose, sent.pose)
    assert back.reading(RIGHT).tracking_result == 101 and back.reading("LHR-NONE") is None


def test_layout_matches_the_documented_bytes():
    topic, header, records = encode(MESSAGE)
    assert topic == b"vive.poses"
    assert header == struct.pack("<HHqQ", 1, 2, MESSAGE.t_unix_ns, 42)
    assert len(records) == 2 * 136
    second = records[136:]
    assert second[:32] == RIGHT.encode() + b"\0" * (32 - len(RIGHT))
    assert second[32:36] == b"\0\0\0\0"  # valid = 0, then three zero pad bytes
    assert struct.unpack("<i", second[36:40]) == (101,)
    rows = struct.unpack("<12d", second[40:136])
    assert rows == tuple(pose(-0.3, 1.0, -0.45)[:3].ravel())
    assert records[32] == 1


def test_no_trackers_is_a_valid_message():
    back = decode(encode(PoseMessage(5, 0, ())))
    assert back == PoseMessage(5, 0, ())


def _with(index: int, frame: bytes) -> list[bytes]:
    frames = encode(MESSAGE)
    frames[index] = frame
    return frames


@pytest.mark.parametrize(
    ("frames", "match"),
    [
        (encode(MESSAGE)[:2], "expected 3 frames"),
        (_with(0, b"glove"), "expected 3 frames starting with topic"),
        (_with(1, b"\x01\x00"), "header of 2 bytes, expected 20"),
        (_with(1, struct.pack("<HHqQ", 2, 2, 0, 0)), "schema version 2, this station reads 1"),
        (_with(1, struct.pack("<HHqQ", 1, 3, 0, 0)), "272 bytes of records for 3 trackers"),
        (_with(2, b"\xff" * 272), "serial is not ASCII"),
    ],
)
def test_malformed_messages_say_what_is_wrong(frames, match):
    with pytest.raises(WireError, match=match):
        decode(frames)


def test_an_overlong_serial_cannot_be_sent():
    reading = TrackerReading("LHR-" + "0" * 40, np.eye(4), True, 200)
    with pytest.raises(WireError, match="longer than 32 bytes"):
        encode(PoseMessage(0, 0, (reading,)))
    assert pose_wire.RECORD.itemsize == 136
