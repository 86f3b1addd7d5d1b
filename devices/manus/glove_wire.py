"""The Manus bridge wire schema, version 1: one two-frame ZMQ message per glove update.

Any bridge around the Manus C SDK can feed the station by publishing these messages on a ZMQ
PUB socket (docs/manus_bridge.md describes it byte for byte):

- frame 0, the topic: ASCII ``manus/glove/left`` or ``manus/glove/right``, so that a SUB
  socket keeps only its side with a prefix subscription;
- frame 1, the payload, little-endian: a 24-byte header (magic ``MNSG``, uint16 version,
  uint8 side, uint8 flags, uint32 glove id, uint32 sequence, int64 publish time in Unix ns),
  then 20 float32 ergonomics angles (deg, MANUS_ERGONOMICS order) and, when flag bit 0 is
  set, the raw skeleton as 25 x 7 float32 (x, y, z in m, then the quaternion w, x, y, z) in
  the wrist-node frame, right-handed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from devices.gloves import MANUS_ERGONOMICS, SKELETON_NODES

MAGIC = b"MNSG"
VERSION = 1
HEADER = struct.Struct("<4sHBBIIq")
"""magic, version, side, flags, glove id, sequence, publish time (Unix ns): 24 bytes."""
SIDES = ("left", "right")
"""Side codes on the wire: 0 left, 1 right."""
FLAG_SKELETON = 0x01
"""Flag bit 0: the raw skeleton follows the ergonomics. Other bits are reserved (zero)."""
SKELETON_COLUMNS = 7
"""Per node: position x, y, z (m) and orientation w, x, y, z."""
ERGONOMICS_BYTES = len(MANUS_ERGONOMICS) * 4
SKELETON_BYTES = SKELETON_NODES * SKELETON_COLUMNS * 4
_FLOAT32 = np.dtype("<f4")


class WireError(ValueError):
    """A message does not follow the schema; the text says which part."""


@dataclass(frozen=True)
class GloveMessage:
    """One glove update as carried on the wire.

    ``ergonomics`` (20,) float32 in deg, MANUS_ERGONOMICS order; ``skeleton`` (25, 7) float32
    (position m, quaternion w, x, y, z) in the wrist-node frame, or None. ``sequence`` counts
    the bridge's messages for this glove (uint32, wraps); ``publish_time_ns`` is the bridge's
    Unix time when the SDK delivered the data.
    """

    side: str
    glove_id: int
    sequence: int
    publish_time_ns: int
    ergonomics: np.ndarray
    skeleton: np.ndarray | None = None


def topic(side: str) -> bytes:
    """Frame 0 of ``side``'s messages, also the SUB socket's subscription prefix."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    return f"manus/glove/{side}".encode("ascii")


def encode(message: GloveMessage) -> list[bytes]:
    """The two frames (topic, payload) of ``message``."""
    flags = FLAG_SKELETON if message.skeleton is not None else 0
    header = HEADER.pack(
        MAGIC,
        VERSION,
        SIDES.index(message.side),
        flags,
        message.glove_id,
        message.sequence & 0xFFFFFFFF,
        message.publish_time_ns,
    )
    parts = [header, _floats(message.ergonomics, (len(MANUS_ERGONOMICS),), "ergonomics")]
    if message.skeleton is not None:
        shape = (SKELETON_NODES, SKELETON_COLUMNS)
        parts.append(_floats(message.skeleton, shape, "skeleton"))
    return [topic(message.side), b"".join(parts)]


def decode(frames: list[bytes]) -> GloveMessage:
    """The message carried by ``frames``; raises WireError naming what is wrong."""
    if len(frames) != 2:
        raise WireError(f"expected 2 frames (topic, payload), got {len(frames)}")
    frame_topic, payload = frames
    if len(payload) < HEADER.size:
        raise WireError(f"payload of {len(payload)} bytes is shorter than the header")
    magic, version, side_code, flags, glove_id, sequence, publish_ns = HEADER.unpack_from(payload)
    if magic != MAGIC:
        raise WireError(f"bad magic {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise WireError(f"schema version {version}, this receiver reads version {VERSION}")
    if side_code >= len(SIDES):
        raise WireError(f"side code {side_code} is neither 0 (left) nor 1 (right)")
    if flags & ~FLAG_SKELETON:
        raise WireError(f"reserved flag bits set: {flags:#04x}")
    side = SIDES[side_code]
    if frame_topic != topic(side):
        raise WireError(f"topic {frame_topic!r} does not match the payload's side {side!r}")
    skeleton_bytes = SKELETON_BYTES if flags & FLAG_SKELETON else 0
    expected = HEADER.size + ERGONOMICS_BYTES + skeleton_bytes
    if len(payload) != expected:
        raise WireError(f"payload of {len(payload)} bytes, expected {expected} for flags {flags}")
    body = np.frombuffer(payload, dtype=_FLOAT32, offset=HEADER.size).astype(np.float32)
    count = len(MANUS_ERGONOMICS)
    skeleton = body[count:].reshape(-1, SKELETON_COLUMNS) if skeleton_bytes else None
    ergonomics = body[:count]
    return GloveMessage(side, glove_id, sequence, publish_ns, ergonomics, skeleton)


def _floats(values: np.ndarray, shape: tuple[int, ...], what: str) -> bytes:
    array = np.asarray(values)
    if array.shape != shape:
        raise ValueError(f"{what} must have shape {shape}, got {array.shape}")
    return array.astype(_FLOAT32).tobytes()
