"""A short episode with every stream the T-Rex schema needs, with recognisable values."""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from app.control_loop import control_stream
from devices.body import body_stream
from devices.cameras import camera_stream
from devices.hands import hand_stream, tactile_stream
from devices.sample import Sample
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import sample_data

T0_NS = 1_000_000_000
SECONDS = 1.0
LOST_BODY = range(100, 140)
"""Body samples 100..139 (0.5 s to 0.7 s at 200 Hz) never reached the recorder."""


def specs():
    return [
        body_stream(200.0),
        hand_stream("left", 100.0),
        hand_stream("right", 100.0),
        control_stream(200.0),
        tactile_stream("left", "index", 30.0),
        tactile_stream("right", "thumb", 30.0),
        camera_stream("head", 64, 48, 30.0),
    ]


def values(stream: str, seq: int, t_ns: int, rng) -> dict[str, np.ndarray]:
    """Data whose numbers say what they are: arm joint j of body = j + t (s); hand joint j of
    side s = 100 s + j; commands the same plus 0.5; F6 = finger index, contact blob."""
    spec = {s.name: s for s in specs()}[stream]
    data = sample_data(spec, seq, rng)
    t = (t_ns - T0_NS) * 1e-9
    if stream == "body":
        data["arm_position"] = (np.arange(14) + t).astype(np.float32)
    elif stream.startswith("hand_"):
        side = 0 if stream.endswith("left") else 1
        data["position"] = (100 * side + np.arange(22)).astype(np.float32)
    elif stream == "control":
        data["arm_command"] = (np.arange(14) + t + 0.5).astype(np.float32)
        hands = 100 * np.arange(2)[:, None] + np.arange(22)[None, :] + 0.5
        data["hand_command"] = hands.astype(np.float32)
    elif stream.startswith("tactile_"):
        pressing = t > 0.5
        data["f6"] = np.array([0, 0, 2.0 if pressing else 0.05, 0, 0, 0], np.float32)
        data["raw"] = np.full(data["raw"].shape, 40 + (60 if pressing else 0), np.uint8)
    return data


def record_full_episode(root: Path, primitive: str = "pour", outcome: str = "success") -> Path:
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive=primitive,
        object="mug",
        instruction=f"{primitive} the mug",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(root, specs(), meta, flush_interval_s=0.1)
    writer.start()
    rng = np.random.default_rng(3)
    for spec in specs():
        for seq in range(int(SECONDS * spec.rate_hz)):
            if spec.name == "body" and seq in LOST_BODY:
                continue
            t = T0_NS + round(seq * 1e9 / spec.rate_hz)
            writer.put(Sample(spec.name, seq, t, t, None, True, values(spec.name, seq, t, rng)))
    writer.stop({"outcome": outcome})
    return writer.path
