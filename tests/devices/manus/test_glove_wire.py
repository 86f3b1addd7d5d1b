"""The bridge wire schema v1: byte layout, round trip, and every malformed message refused."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from devices.manus import glove_wire
from devices.manus.glove_wire import GloveMessage, WireError

ERGONOMICS = np.linspace(-20.0, 90.0, 20, dtype=np.float32)
SKELETON = np.arange(25 * 7, dtype=np.float32).reshape(25, 7) / 100


def message(skeleton: np.ndarray | None = SKELETON, side: str = "right") -> GloveMessage:
    return GloveMessage(side, 3, 41, 1_700_000_000_000_000_123, ERGONOMICS, skeleton)


def test_layout_is_the_documented_one():
    topic, payload = glove_wire.encode(message())
    assert topic == b"manus/glove/right"
    assert len(payload) == 24 + 80 + 700
    assert payload[:4] == b"MNSG"
    assert payload[4:6] == b"\x01\x00"  # version 1, little-endian
    assert payload[6] == 1  # right
    assert payload[7] == 0x01  # skeleton follows
    assert struct.unpack_from("<IIq", payload, 8) == (3, 41, 1_700_000_000_000_000_123)
    np.testing.assert_array_equal(np.frombuffer(payload, "<f4", 20, 24), ERGONOMICS)
    node_1 = np.frombuffer(payload, "<f4", 7, 24 + 80 + 7 * 4)
    np.testing.assert_array_equal(node_1, SKELETON[1])
    _, short = glove_wire.encode(message(skeleton=None, side="left"))
    assert len(short) == 104
    assert short[6:8] == b"\x00\x00"


@pytest.mark.parametrize("skeleton", [SKELETON, None])
def test_round_trip(skeleton):
    decoded = glove_wire.decode(glove_wire.encode(message(skeleton)))
    assert (decoded.side, decoded.glove_id, decoded.sequence) == ("right", 3, 41)
    assert decoded.publish_time_ns == 1_700_000_000_000_000_123
    np.testing.assert_array_equal(decoded.ergonomics, ERGONOMICS)
    assert decoded.ergonomics.dtype == np.float32
    if skeleton is None:
        assert decoded.skeleton is None
    else:
        np.testing.assert_array_equal(decoded.skeleton, SKELETON)


def corrupt(offset: int, value: bytes) -> list[bytes]:
    topic, payload = glove_wire.encode(message())
    return [topic, payload[:offset] + value + payload[offset + len(value) :]]


@pytest.mark.parametrize(
    ("frames", "error"),
    [
        ([b"manus/glove/right"], "expected 2 frames"),
        ([b"manus/glove/right", b"MNSG"], "shorter than the header"),
        (corrupt(0, b"XXXX"), "bad magic"),
        (corrupt(4, b"\x02\x00"), "schema version 2"),
        (corrupt(6, b"\x02"), "side code 2"),
        (corrupt(7, b"\x03"), "reserved flag bits"),
        (corrupt(7, b"\x00"), "expected 104"),
        ([b"manus/glove/left", glove_wire.encode(message())[1]], "does not match"),
    ],
)
def test_malformed_messages_are_refused(frames, error):
    with pytest.raises(WireError, match=error):
        glove_wire.decode(frames)


def test_encode_checks_shapes_and_side():
    with pytest.raises(ValueError, match="ergonomics must have shape"):
        glove_wire.encode(GloveMessage("left", 0, 0, 0, np.zeros(19)))
    with pytest.raises(ValueError, match="side must be"):
        glove_wire.topic("both")
