"""Recorder under the full station load: drops, writer CPU, stop -> readable, disk rate.

One producer thread emits synthetic but realistic samples at each stream's nominal rate:
3 cameras 1280x720 RGB at 30 fps (textured, noisy frames, a fresh buffer per frame as an SDK
delivers), 10 fingertip tactile streams at 30 Hz (noisy RAW 240x320 marker image, DEFORM
240x240 contact blob, F6, contact points), body 200 Hz, hands 2x100 Hz, gloves 2x90 Hz (with
raw skeleton), trackers 2x120 Hz and a 200 Hz control stream. The recorder's CPU is the
process CPU time minus the producer thread's, over the recording (start to end of stop).

Prints human-readable lines, then one JSON object on the last line.
Usage: python benchmarks/record.py [--seconds 10] [--root DIR]
"""

from __future__ import annotations

import argparse
import heapq
import json
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path

import numpy as np

from devices.body import body_stream
from devices.cameras import camera_stream
from devices.gloves import FINGERS, glove_stream
from devices.hands import hand_stream, tactile_stream
from devices.sample import Sample
from devices.streams import FieldSpec, StreamSpec
from devices.trackers import tracker_stream
from recorder.episode_id import new_episode_id
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter
from recorder.jpeg import encode_jpeg
from recorder.metadata import EpisodeMetadata

CAMERA_NAMES = ("head_left", "wrist_left", "wrist_right")
SIDES = ("left", "right")
POOL = 8
"""Distinct precomputed payloads per stream, cycled."""

CONTROL = StreamSpec(
    "control",
    "control",
    200.0,
    {"target": FieldSpec((58,), "float32", "rad", "arm (14) then hand (2x22) joint targets")},
)


def station_specs() -> list[StreamSpec]:
    """The streams of a full station."""
    return [
        *(camera_stream(name, 1280, 720, 30.0) for name in CAMERA_NAMES),
        *(tactile_stream(side, finger, 30.0) for side in SIDES for finger in FINGERS),
        body_stream(200.0),
        *(hand_stream(side, 100.0) for side in SIDES),
        *(glove_stream(side, 90.0, skeleton=True) for side in SIDES),
        *(tracker_stream(side, 120.0) for side in SIDES),
        CONTROL,
    ]


def camera_frame(rng: np.random.Generator, k: int, h: int = 720, w: int = 1280) -> np.ndarray:
    """A textured RGB scene (gradients, stripes, a bright object) with sensor noise."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    scene = np.stack(
        [
            90 + 60 * np.sin(x / 37 + k) * np.cos(y / 53),
            110 + 0.05 * x + 40 * np.sin((x + y) / 29),
            70 + 0.08 * y + 30 * np.cos(x / 11 - k),
        ],
        axis=-1,
    )
    cx, cy = 400 + 40 * k, 360
    scene[(x - cx) ** 2 + (y - cy) ** 2 < 90**2] = (200, 60, 40)
    return np.clip(scene + rng.normal(0, 3, scene.shape), 0, 255).astype(np.uint8)


def tactile_maps(rng: np.random.Generator, k: int) -> dict[str, np.ndarray]:
    """RAW: marker-dot elastomer image with noise; DEFORM: one contact blob, zero elsewhere."""
    y, x = np.mgrid[0:240, 0:320].astype(np.float32)
    dots = 60 + 40 * ((np.sin(x / 3 + k) * np.sin(y / 3)) > 0.7)
    bump = 50 * np.exp(-((x - 160 - 5 * k) ** 2 + (y - 120) ** 2) / (2 * 40**2))
    raw = np.clip(dots + bump + rng.normal(0, 3, dots.shape), 0, 255).astype(np.uint8)
    yd, xd = np.mgrid[0:240, 0:240].astype(np.float32)
    deform = 200 * np.exp(-((xd - 120 - 6 * k) ** 2 + (yd - 120) ** 2) / (2 * 25**2))
    deform[deform < 2] = 0
    points = np.full((16, 3), np.nan, np.float32)
    points[:3] = rng.normal(0, 0.004, (3, 3))
    return {
        "raw": raw,
        "deform": deform.astype(np.uint8),
        "f6": rng.normal(0, 0.5, 6).astype(np.float32),
        "contact_points": points,
    }


def payloads(spec: StreamSpec, rng: np.random.Generator) -> list[dict[str, np.ndarray]]:
    """POOL data dicts for ``spec``; ``frame_id`` is filled in per sample."""
    pool = []
    for k in range(POOL):
        data = {
            name: rng.normal(0, 1, f.shape).astype(f.dtype)
            for name, f in spec.fields.items()
            if name != "frame_id"
        }
        if spec.family == "camera":
            data["image"] = camera_frame(rng, k)
        elif spec.family == "tactile":
            data |= tactile_maps(rng, k)
        pool.append(data)
    return pool


class Producer(threading.Thread):
    """Emits every stream at its nominal rate on absolute deadlines, from one thread."""

    def __init__(self, specs: list[StreamSpec], sink: Callable[[Sample], None]) -> None:
        super().__init__(name="producer", daemon=True)
        rng = np.random.default_rng(0)
        self._specs = specs
        self._pools = {s.name: cycle(payloads(s, rng)) for s in specs}
        self._sink = sink
        self._halt = threading.Event()
        self.cpu_s = 0.0
        self.emitted = 0

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def run(self) -> None:
        t0 = time.monotonic_ns()
        due = [(t0, i, 0) for i in range(len(self._specs))]
        while not self._halt.is_set():
            t_ns, i, seq = due[0]
            wait_ns = t_ns - time.monotonic_ns()
            if wait_ns > 0:
                self._halt.wait(wait_ns * 1e-9)
                continue
            spec = self._specs[i]
            self._sink(self._sample(spec, seq))
            heapq.heapreplace(due, (t0 + int((seq + 1) * 1e9 / spec.rate_hz), i, seq + 1))
            self.emitted += 1
        self.cpu_s = time.thread_time()

    def _sample(self, spec: StreamSpec, seq: int) -> Sample:
        data = dict(next(self._pools[spec.name]))
        if "image" in data:
            data["image"] = data["image"].copy()
        if "frame_id" in spec.fields:
            data["frame_id"] = np.array(seq, np.int64)
        now = time.monotonic_ns()
        t_device = now if spec.family == "camera" else None
        return Sample(spec.name, seq, now, now, t_device, True, data)


def disk_bytes(path: Path) -> tuple[int, int]:
    """(allocated, apparent) bytes of every file under ``path``."""
    stats = [p.stat() for p in path.rglob("*") if p.is_file()]
    return sum(s.st_blocks * 512 for s in stats), sum(s.st_size for s in stats)


def jpeg_ms_per_frame(rng: np.random.Generator, n: int = 30) -> float:
    """Encode time of one 1280x720 benchmark frame with the recorder's settings (ms)."""
    frames = [camera_frame(rng, k) for k in range(3)]
    t0 = time.perf_counter()
    for k in range(n):
        encode_jpeg(frames[k % 3])
    return (time.perf_counter() - t0) / n * 1e3


def run(seconds: float, root: Path) -> dict:
    specs = station_specs()
    metadata = EpisodeMetadata(
        episode_id=new_episode_id("bench", datetime.now(UTC)),
        primitive="benchmark",
        object="none",
        operator="benchmark",
        station="bench",
    )
    jpeg_ms = jpeg_ms_per_frame(np.random.default_rng(1))
    writer = EpisodeWriter(root, specs, metadata)
    producer = Producer(specs, writer.put)

    t_start = time.perf_counter()
    writer.start()
    start_s = time.perf_counter() - t_start
    cpu0, wall0 = time.process_time(), time.perf_counter()
    producer.start()
    peak_fill = 0.0
    while time.perf_counter() - wall0 < seconds:
        time.sleep(0.25)
        for st in writer.stats().streams.values():
            peak_fill = max(peak_fill, st.queued / st.capacity)
    producer.stop()
    t_stop = time.perf_counter()
    final = writer.stop()
    stop_s = time.perf_counter() - t_stop
    cpu1, wall1 = time.process_time(), time.perf_counter()
    episode = open_episode(writer.path)
    assert episode.metadata.status == "complete"
    stop_to_readable_s = time.perf_counter() - t_stop

    stats = writer.stats()
    counts_ok = all(len(episode.stream(s.name)) == final.streams[s.name].count for s in specs)
    allocated, apparent = disk_bytes(writer.path)
    record_s = wall1 - wall0
    writer_cpu_s = (cpu1 - cpu0) - producer.cpu_s
    return {
        "seconds": round(record_s, 3),
        "samples": producer.emitted,
        "drops": sum(final.drops.values()),
        "counts_match": counts_ok,
        "writer_cpu_pct_of_core": round(100 * writer_cpu_s / record_s, 1),
        "writer_thread_cpu_pct_of_core": round(100 * stats.cpu_s / record_s, 1),
        "producer_cpu_pct_of_core": round(100 * producer.cpu_s / record_s, 1),
        "peak_queue_fill_pct": round(100 * peak_fill, 1),
        "max_wait_s": round(max(st.max_wait_s for st in stats.streams.values()), 3),
        "start_s": round(start_s, 3),
        "stop_s": round(stop_s, 3),
        "stop_to_readable_s": round(stop_to_readable_s, 3),
        "mb_per_s": round(allocated / record_s / 1e6, 2),
        "apparent_mb_per_s": round(apparent / record_s / 1e6, 2),
        "jpeg_ms_per_frame": round(jpeg_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--root", type=Path, help="dataset folder (default: a temporary one)")
    args = parser.parse_args()
    if args.root is None:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(args.seconds, Path(tmp))
    else:
        result = run(args.seconds, args.root)
    print(f"recorded {result['seconds']} s, {result['samples']} samples, drops {result['drops']}")
    print(
        f"recorder CPU {result['writer_cpu_pct_of_core']} % of a core "
        f"(writer thread {result['writer_thread_cpu_pct_of_core']} %), "
        f"JPEG {result['jpeg_ms_per_frame']} ms/frame"
    )
    print(
        f"peak queue {result['peak_queue_fill_pct']} % of capacity, "
        f"longest put -> on disk {result['max_wait_s']} s"
    )
    print(
        f"start {result['start_s']} s, stop {result['stop_s']} s, "
        f"stop -> readable {result['stop_to_readable_s']} s, disk {result['mb_per_s']} MB/s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
