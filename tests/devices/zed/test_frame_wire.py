"""The camera bridge wire schema: layout as documented, round trip, and every refusal."""

import struct

import numpy as np
import pytest

from devices.zed import frame_wire
from devices.zed.frame_wire import FrameMessage, WireError
from recorder.jpeg import encode_jpeg

JPEG = encode_jpeg(np.full((24, 32, 3), 90, dtype=np.uint8))
MESSAGE = FrameMessage(
    "left_wrist", 2**40 + 3, 1_700_000_000_123_456_789, 1_700_000_000_2, 32, 24, JPEG
)


def test_layout_is_the_documented_one():
    topic, header, image = frame_wire.encode(MESSAGE)
    assert topic == b"camera/left_wrist/"
    assert len(header) == 36
    assert header[0:4] == b"ZCAM"
    assert struct.unpack_from("<HBBHH", header, 4) == (1, 1, 0, 32, 24)
    assert struct.unpack_from("<Q", header, 12) == (2**40 + 3,)
    assert struct.unpack_from("<qq", header, 20) == (1_700_000_000_123_456_789, 1_700_000_000_2)
    assert image == JPEG


@pytest.mark.parametrize("corrupted", [False, True])
def test_round_trip(corrupted):
    message = FrameMessage(**{**MESSAGE.__dict__, "corrupted": corrupted})
    frames = frame_wire.encode(message)
    assert frames[1][7] == int(corrupted)
    assert frame_wire.decode(frames) == message


def test_a_camera_topic_does_not_prefix_another():
    assert not frame_wire.topic("left_wrist").startswith(frame_wire.topic("left"))
    assert frame_wire.topic("head").startswith(frame_wire.CAMERA_PREFIX)
    with pytest.raises(ValueError, match="letters, digits or underscores"):
        frame_wire.topic("left/wrist")


def edited(offset: int, value: bytes) -> list[bytes]:
    topic, header, image = frame_wire.encode(MESSAGE)
    return [topic, header[:offset] + value + header[offset + len(value) :], image]


@pytest.mark.parametrize(
    ("frames", "reason"),
    [
        (frame_wire.encode(MESSAGE)[:2], "expected 3 frames"),
        ([b"camera/a b/", *frame_wire.encode(MESSAGE)[1:]], "is not camera/<name>/"),
        ([b"cam/head/", *frame_wire.encode(MESSAGE)[1:]], "is not camera/<name>/"),
        (edited(0, b"ZCAX"), "bad magic"),
        (edited(4, b"\x02\x00"), "schema version 2, this receiver reads version 1"),
        (edited(6, b"\x02"), "encoding code 2 is unknown"),
        (edited(7, b"\x02"), "reserved flag bits set: 0x02"),
        (edited(8, b"\x40\x00"), "the JPEG is 32x24, the header says 64x24"),
        ([*frame_wire.encode(MESSAGE)[:2], b"not a jpeg"], "not a JPEG file"),
    ],
)
def test_malformed_messages_are_refused_with_the_reason(frames, reason):
    with pytest.raises(WireError, match=reason):
        frame_wire.decode(frames)


def test_a_short_header_is_refused():
    topic, header, image = frame_wire.encode(MESSAGE)
    with pytest.raises(WireError, match="header of 35 bytes, expected 36"):
        frame_wire.decode([topic, header[:-1], image])
