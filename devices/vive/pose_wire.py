"""The tracker pose wire (schema version 1): one multipart ZMQ message per poll of SteamVR,
carrying every connected tracker. Specified byte for byte in docs/tracker_bridge.md.

Frames: ``[TOPIC, header, records]``. The header is ``<HHqQ`` (20 bytes): schema version,
tracker count N, the sender's Unix time (ns) just before the poses were read, and the poll's
sequence number. ``records`` holds N records of :data:`RECORD` (136 bytes each): serial
(ASCII, NUL-padded to 32 bytes), valid (uint8), tracking_result (int32 ETrackingResult) and the
pose, T_universe_tracker as a 3x4 row-major [R|t] of float64 (m) in OpenVR's standing universe.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from devices.vive.readings import TrackerReading, pose_from_3x4

TOPIC = b"vive.poses"
SCHEMA_VERSION = 1
HEADER = struct.Struct("<HHqQ")
RECORD = np.dtype(
    {
        "names": ["serial", "valid", "tracking_result", "pose"],
        "formats": ["S32", "u1", "<i4", ("<f8", (3, 4))],
        "offsets": [0, 32, 36, 40],
        "itemsize": 136,
    }
)


class WireError(ValueError):
    """A message that does not follow the schema; the message says what is wrong."""


@dataclass(frozen=True)
class PoseMessage:
    """One poll of the sender: its Unix time (ns), its sequence number, the trackers' readings."""

    t_unix_ns: int
    sequence: int
    readings: tuple[TrackerReading, ...]

    def reading(self, serial: str) -> TrackerReading | None:
        return next((r for r in self.readings if r.serial == serial), None)


def encode(message: PoseMessage) -> list[bytes]:
    """The frames of ``message``. Raises WireError for a serial longer than 32 ASCII bytes."""
    records = np.zeros(len(message.readings), dtype=RECORD)
    for record, reading in zip(records, message.readings, strict=True):
        serial = reading.serial.encode("ascii")
        if len(serial) > RECORD["serial"].itemsize:
            raise WireError(f"serial {reading.serial!r} longer than 32 bytes")
        record["serial"] = serial
        record["valid"] = reading.valid
        record["tracking_result"] = reading.tracking_result
        record["pose"] = reading.pose[:3, :4]
    header = HEADER.pack(SCHEMA_VERSION, len(records), message.t_unix_ns, message.sequence)
    return [TOPIC, header, records.tobytes()]


def decode(frames: Sequence[bytes]) -> PoseMessage:
    """The message in ``frames``; raises WireError naming what does not follow schema 1."""
    if len(frames) != 3 or frames[0] != TOPIC:
        raise WireError(f"expected 3 frames starting with topic {TOPIC!r}")
    if len(frames[1]) != HEADER.size:
        raise WireError(f"header of {len(frames[1])} bytes, expected {HEADER.size}")
    version, count, t_unix_ns, sequence = HEADER.unpack(frames[1])
    if version != SCHEMA_VERSION:
        raise WireError(f"schema version {version}, this station reads {SCHEMA_VERSION}")
    if len(frames[2]) != count * RECORD.itemsize:
        raise WireError(
            f"{len(frames[2])} bytes of records for {count} trackers of {RECORD.itemsize} bytes"
        )
    records = np.frombuffer(frames[2], dtype=RECORD)
    try:
        readings = tuple(
            TrackerReading(
                r["serial"].decode("ascii"),
                pose_from_3x4(r["pose"]),
                bool(r["valid"]),
                int(r["tracking_result"]),
            )
            for r in records
        )
    except UnicodeDecodeError as exc:
        raise WireError(f"serial is not ASCII ({exc})") from exc
    return PoseMessage(t_unix_ns, sequence, readings)
