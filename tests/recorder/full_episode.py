"""A one-second episode with every stream the T-Rex schema needs, small images, and values
that say what they are, with a gap, invalid rows and different rates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from app.control_loop import control_stream
from devices.body import body_stream
from devices.cameras import camera_stream
from devices.gloves import FINGERS
from devices.hands import hand_stream
from devices.sample import Sample
from devices.streams import FieldSpec, StreamSpec
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import sample_data

T0_NS = 1_000_000_000
SECONDS = 1.0
LOST_BODY = range(100, 140)
"""Body samples 100..139 (0.5 s to 0.695 s at 200 Hz) never reached the recorder."""
INVALID_TACTILE = range(18, 24)
"""Rows of tactile_left_index (0.6 s to 0.767 s at 30 Hz) the sensor marked invalid."""
PRESS_S = 0.5
"""Fingertips press from this time (s after T0) on."""
DEFORM_SHAPE = (16, 16)
RAW_SHAPE = (16, 24)
CALM_RAW, PRESSED_RAW = 40, 100


def tactile_spec(side: str, finger: str) -> StreamSpec:
    """A fingertip stream like ``devices.hands.tactile_stream`` with small images."""
    return StreamSpec(
        f"tactile_{side}_{finger}",
        "tactile",
        30.0,
        {
            "f6": FieldSpec((6,), "float32", "N, N*m", "wrench in the elastomer frame"),
            "deform": FieldSpec(DEFORM_SHAPE, "uint8", "u8", "penetration map"),
            "raw": FieldSpec(RAW_SHAPE, "uint8", "u8", "sensor camera image, grey"),
            "frame_id": FieldSpec((), "int64", "1", "sensor frame counter"),
        },
    )


def specs() -> list[StreamSpec]:
    return [
        body_stream(200.0),
        hand_stream("left", 100.0),
        hand_stream("right", 100.0),
        control_stream(200.0),
        *(tactile_spec(side, finger) for side in ("left", "right") for finger in FINGERS),
        camera_stream("head", 64, 48, 30.0),
        camera_stream("left_wrist", 64, 48, 15.0),
        camera_stream("right_wrist", 64, 48, 30.0),
    ]


def values(spec: StreamSpec, seq: int, t_ns: int, rng: np.random.Generator) -> dict:
    """Arm joint j = j + t (s after T0); hand joint j of side s = 100 s + j + 2 t; arm and hand
    commands = the same plus 0.5 (hands without the 2 t); F6 Fz and RAW say whether the
    fingertip presses (t > PRESS_S), DEFORM is the row index."""
    data = sample_data(spec, seq, rng)
    t = (t_ns - T0_NS) * 1e-9
    side = 1 if spec.name.endswith("right") else 0
    if spec.name == "body":
        data["arm_position"] = (np.arange(14) + t).astype(np.float32)
    elif spec.family == "hand":
        data["position"] = (100 * side + np.arange(22) + 2 * t).astype(np.float32)
    elif spec.name == "control":
        data["arm_command"] = (np.arange(14) + t + 0.5).astype(np.float32)
        hands = 100 * np.arange(2)[:, None] + np.arange(22)[None, :] + 0.5
        data["hand_command"] = hands.astype(np.float32)
    elif spec.family == "tactile":
        pressing = t > PRESS_S
        data["f6"] = np.array([0, 0, 2.0 if pressing else 0.05, 0, 0, 0], np.float32)
        data["raw"] = np.full(RAW_SHAPE, PRESSED_RAW if pressing else CALM_RAW, np.uint8)
        data["deform"] = np.full(DEFORM_SHAPE, seq % 256, np.uint8)
    return data


def record_full_episode(
    root: Path,
    primitive: str = "pour",
    outcome: str | None = "success",
    skip: str = "",
    started: datetime | None = None,
) -> Path:
    """Record the episode into dataset ``root`` (catalogued), without stream ``skip``;
    ``started`` (default: now) is the time its id names, which orders episodes."""
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", started or datetime.now(UTC)),
        primitive=primitive,
        object="mug",
        instruction=f"{primitive} the mug",
        operator="ada",
        station="lab",
    )
    recorded = [spec for spec in specs() if spec.name != skip]
    writer = EpisodeWriter(root, recorded, meta, flush_interval_s=0.1)
    writer.start()
    rng = np.random.default_rng(3)
    for spec in recorded:
        for seq in range(int(SECONDS * spec.rate_hz)):
            if spec.name == "body" and seq in LOST_BODY:
                continue
            valid = not (spec.name == "tactile_left_index" and seq in INVALID_TACTILE)
            t = T0_NS + round(seq * 1e9 / spec.rate_hz)
            data = values(spec, seq, t, rng)
            writer.put(Sample(spec.name, seq, t, t, None, valid, data))
    final = writer.stop({"outcome": outcome})
    DatasetStore.open(root).write_catalog_entry(final)
    return writer.path
