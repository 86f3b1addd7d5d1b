"""The camera bridge wire schema, version 1: one three-frame ZMQ message per camera frame.

A publisher on the camera's machine (the robot's Jetson) sends every frame it grabs on a ZMQ
PUB socket; docs/camera_bridge.md describes it byte for byte:

- frame 0, the topic: ASCII ``camera/<name>/``, so that a SUB socket keeps only its camera
  with a prefix subscription (the trailing slash keeps ``camera/left/`` from matching
  ``camera/left_wrist/``);
- frame 1, the header, 36 bytes little-endian: magic ``ZCAM``, uint16 version, uint8
  encoding (1: JPEG), uint8 flags (bit 0: the SDK flagged the image as corrupted), uint16
  width, uint16 height (pixels), uint64 frame id, int64 device time (Unix ns at exposure,
  publisher's clock), int64 publish time (Unix ns, publisher's clock, when the frame was
  sent);
- frame 2, the image: one baseline JPEG (JFIF) file of ``width`` x ``height``, colour.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import simplejpeg

MAGIC = b"ZCAM"
VERSION = 1
HEADER = struct.Struct("<4sHBBHHQqq")
"""magic, version, encoding, flags, width, height, frame id, device ns, publish ns: 36 bytes."""
ENCODINGS = {1: "jpeg"}
"""Encoding codes on the wire."""
CAMERA_PREFIX = b"camera/"
"""The start of every topic: subscribing to it receives every camera of a publisher."""
FLAG_CORRUPTED = 0x01
"""Flag bit 0: the camera SDK flagged the image as corrupted (wrong colours); the station keeps
it as an invalid sample. Other bits are reserved (zero)."""
NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
"""What a camera name may be: letters, digits and underscores, at most 64."""


class WireError(ValueError):
    """A message does not follow the schema; the text says which part."""


@dataclass(frozen=True)
class FrameMessage:
    """One camera frame as carried on the wire.

    ``jpeg`` is a JPEG file of ``width`` x ``height`` pixels; ``frame_id`` counts the camera's
    frames since it was opened (a gap is a dropped frame); ``device_time_ns`` is the exposure
    and ``publish_time_ns`` the send time, both Unix ns on the publisher's clock;
    ``corrupted`` when the camera SDK flagged the image.
    """

    camera: str
    frame_id: int
    device_time_ns: int
    publish_time_ns: int
    width: int
    height: int
    jpeg: bytes
    encoding: str = "jpeg"
    corrupted: bool = False


def topic(camera: str) -> bytes:
    """Frame 0 of ``camera``'s messages, also the SUB socket's subscription prefix."""
    if not NAME.fullmatch(camera):
        raise ValueError(f"camera name {camera!r} must be 1-64 letters, digits or underscores")
    return f"camera/{camera}/".encode("ascii")


def encode(message: FrameMessage) -> list[bytes]:
    """The three frames (topic, header, image) of ``message``."""
    code = next(code for code, name in ENCODINGS.items() if name == message.encoding)
    header = HEADER.pack(
        MAGIC,
        VERSION,
        code,
        FLAG_CORRUPTED if message.corrupted else 0,
        message.width,
        message.height,
        message.frame_id,
        message.device_time_ns,
        message.publish_time_ns,
    )
    return [topic(message.camera), header, message.jpeg]


def decode(frames: list[bytes]) -> FrameMessage:
    """The message carried by ``frames``; raises WireError naming what is wrong."""
    if len(frames) != 3:
        raise WireError(f"expected 3 frames (topic, header, image), got {len(frames)}")
    frame_topic, header, image = (bytes(frame) for frame in frames)
    match = re.fullmatch(rb"camera/([A-Za-z0-9_]{1,64})/", frame_topic)
    if match is None:
        raise WireError(f"topic {frame_topic[:80]!r} is not camera/<name>/")
    if len(header) != HEADER.size:
        raise WireError(f"header of {len(header)} bytes, expected {HEADER.size}")
    magic, version, code, flags, width, height, frame_id, device_ns, publish_ns = HEADER.unpack(
        header
    )
    if magic != MAGIC:
        raise WireError(f"bad magic {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise WireError(f"schema version {version}, this receiver reads version {VERSION}")
    if code not in ENCODINGS:
        raise WireError(f"encoding code {code} is unknown (1: jpeg)")
    if flags & ~FLAG_CORRUPTED:
        raise WireError(f"reserved flag bits set: {flags:#04x}")
    try:
        jpeg_height, jpeg_width, _, _ = simplejpeg.decode_jpeg_header(image)
    except ValueError as exc:
        raise WireError(f"the image is not a JPEG file ({exc})") from exc
    if (jpeg_width, jpeg_height) != (width, height):
        raise WireError(f"the JPEG is {jpeg_width}x{jpeg_height}, the header says {width}x{height}")
    camera = match.group(1).decode("ascii")
    corrupted = bool(flags & FLAG_CORRUPTED)
    return FrameMessage(
        camera, frame_id, device_ns, publish_ns, width, height, image, ENCODINGS[code], corrupted
    )
