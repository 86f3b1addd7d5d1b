"""Small streams and samples shared by the recorder tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from devices.body import body_stream
from devices.cameras import camera_stream
from devices.gloves import glove_stream
from devices.hands import hand_stream, tactile_stream
from devices.sample import Sample
from devices.streams import FieldSpec, StreamSpec
from devices.trackers import tracker_stream
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata

CAMERA = StreamSpec(
    "camera_test",
    "camera",
    30.0,
    {
        "image": FieldSpec((48, 64, 3), "uint8", "u8", "RGB, row 0 at top", "jpeg"),
        "frame_id": FieldSpec((), "int64", "1", "device frame counter"),
    },
)
TACTILE = StreamSpec(
    "tactile_test",
    "tactile",
    30.0,
    {
        "deform": FieldSpec((60, 80), "uint8", "u8", "penetration map"),
        "f6": FieldSpec((6,), "float32", "N, N*m", "wrench in the elastomer frame"),
    },
)
JOINTS = StreamSpec(
    "joints_test",
    "body",
    200.0,
    {"q": FieldSpec((7,), "float32", "rad", "joint positions")},
)
SMALL_SPECS = (CAMERA, TACTILE, JOINTS)


def device_specs() -> list[StreamSpec]:
    """The device families' own stream declarations (cameras kept small)."""
    return [
        camera_stream("head", 64, 48, 30.0),
        tactile_stream("left", "index", 30.0),
        body_stream(200.0),
        hand_stream("left", 100.0),
        glove_stream("left", 90.0, skeleton=True),
        tracker_stream("left", 120.0),
    ]


def smooth_image(shape: tuple[int, ...], k: int) -> np.ndarray:
    """A camera-like RGB image: gradients and soft stripes, which JPEG keeps well."""
    h, w, _ = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack(
        [2 * x + 40 * np.sin(y / 7 + k), 3 * y + 20, 128 + 60 * np.cos((x + y) / 11)], axis=-1
    )
    return np.clip(rgb, 0, 255).astype(np.uint8)


def sample_data(spec: StreamSpec, seq: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Data for one sample of ``spec``: smooth images, random maps and floats, seq counters."""
    data = {}
    for name, f in spec.fields.items():
        if f.encoding == "jpeg":
            data[name] = smooth_image(f.shape, seq)
        elif name == "frame_id":
            data[name] = np.array(seq, np.int64)
        elif np.dtype(f.dtype) == np.uint8:
            data[name] = rng.integers(0, 256, f.shape, dtype=np.uint8)
        else:
            data[name] = rng.normal(0, 1, f.shape).astype(f.dtype)
    return data


def make_sample(
    spec: StreamSpec,
    seq: int,
    rng: np.random.Generator,
    t_device_ns: int | None = None,
    valid: bool = True,
) -> Sample:
    """A sample of ``spec`` captured at ``seq`` periods from time 1 s (station clock, ns)."""
    t_capture = 1_000_000_000 + int(seq * 1e9 / spec.rate_hz)
    return Sample(
        spec.name, seq, t_capture, t_capture + 1000, t_device_ns, valid, sample_data(spec, seq, rng)
    )


EPISODE_SAMPLES = 60
"""Samples per stream of :func:`record_episode`: 2 s of camera and tactile at 30 Hz, 0.3 s of
joints at 200 Hz."""


def record_episode(root: Path, station: str) -> str:
    """Record a small complete, catalogued episode (CAMERA, TACTILE, JOINTS) into dataset
    ``root``; returns its id."""
    meta = EpisodeMetadata(
        episode_id=new_episode_id(station, datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station=station,
    )
    writer = EpisodeWriter(root, [CAMERA, TACTILE, JOINTS], meta, flush_interval_s=0.1)
    writer.start()
    rng = np.random.default_rng(len(station))
    for seq in range(EPISODE_SAMPLES):
        for spec in (CAMERA, TACTILE, JOINTS):
            writer.put(make_sample(spec, seq, rng))
    final = writer.stop({"outcome": "success"})
    DatasetStore.open(root).write_catalog_entry(final)
    return meta.episode_id
