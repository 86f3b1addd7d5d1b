"""Recorder under the full station load, beside the incumbent's way, and the raw disk rate.

One producer thread emits synthetic but realistic samples at each stream's nominal rate:
3 cameras 1280x720 RGB at 30 fps (textured, noisy frames, a fresh buffer per frame as an SDK
delivers), 10 fingertip tactile streams (noisy RAW 240x320 marker image, DEFORM 240x240
contact blob, F6, contact points) at 30 Hz and, in a second run, 180 Hz, body 200 Hz, hands
2x100 Hz, gloves 2x90 Hz (with raw skeleton), trackers 2x120 Hz and a 200 Hz control stream.
A writer's CPU is the process CPU time minus the producer thread's, over the recording
(start to end of stop, so finalising counts).

The same producer then feeds the incumbent's way: the latest sample of every stream taken at
a 30 Hz tick into one HDF5 row (timestamps, poses, arm and hand joints, F6), each camera
resized to 640x360 into an MP4 (libx264rgb, crf 18), and each hand's five DEFORM and five RAW
maps tiled into lossless grayscale videos (libx264, qp 0). Last, the disk's own sequential
write rate (512 MiB, fsync'd) in the same folder.

Prints human-readable lines, then one JSON object on the last line.
Usage: python benchmarks/record.py [--seconds 10] [--root DIR]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path
from typing import Protocol

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


def station_specs(tactile_hz: float) -> list[StreamSpec]:
    """The streams of a full station, tactile at ``tactile_hz``."""
    return [
        *(camera_stream(name, 1280, 720, 30.0) for name in CAMERA_NAMES),
        *(tactile_stream(side, finger, tactile_hz) for side in SIDES for finger in FINGERS),
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


INCUMBENT_HZ = 30.0
INCUMBENT_VIDEO = (640, 360)
"""The incumbent resized every camera to this (width, height) before encoding."""
ROW_FIELDS = {
    "tracker": ("pose",),
    "body": ("arm_position", "arm_command"),
    "hand": ("position", "command"),
    "tactile": ("f6",),
}
"""Fields the incumbent's HDF5 row kept of each family (plus each stream's host time)."""


class IncumbentWriter:
    """The T-Rex scripts' recording: latest of every stream at a 30 Hz tick into one HDF5 row,
    an MP4 per camera (640x360, libx264rgb crf 18), and per hand the five DEFORM and the five
    RAW maps tiled into lossless gray videos (libx264 qp 0), all on the tick thread."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.path = root
        self._latest: dict[str, Sample] = {}
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, name="incumbent", daemon=True)
        self.missed_ticks = 0

    def put(self, sample: Sample) -> None:
        self._latest[sample.stream] = sample

    def queue_fill(self) -> float:
        return 0.0

    def start(self) -> None:
        import av
        import h5py

        self._h5 = h5py.File(self.path / "episode.hdf5", "w")
        self._rows = 0
        self._videos: dict[str, tuple[object, object]] = {}
        width, height = INCUMBENT_VIDEO
        for name in CAMERA_NAMES:
            self._videos[f"camera_{name}"] = self._video(
                av, name, "libx264rgb", "rgb24", {"crf": "18"}, width, height
            )
        for side in SIDES:
            self._videos[f"{side}_deform"] = self._video(
                av, f"{side}_deform", "libx264", "gray", {"qp": "0"}, 240 * 5, 240
            )
            self._videos[f"{side}_raw"] = self._video(
                av, f"{side}_raw", "libx264", "gray", {"qp": "0"}, 320 * 5, 240
            )
        self._av = av
        self._thread.start()

    def _video(self, av, name, codec, pix_fmt, options, width, height):
        container = av.open(str(self.path / f"{name}.mp4"), "w")
        stream = container.add_stream(codec, rate=int(INCUMBENT_HZ), options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        return container, stream

    def _run(self) -> None:
        period = 1.0 / INCUMBENT_HZ
        deadline = time.perf_counter()
        while not self._halt.is_set():
            self._tick()
            deadline += period
            late = time.perf_counter() - deadline
            if late > 0:
                skipped = int(late // period) + 1
                self.missed_ticks += skipped
                deadline += skipped * period
            self._halt.wait(max(deadline - time.perf_counter(), 0.0))

    def _tick(self) -> None:
        latest = dict(self._latest)
        row: dict[str, np.ndarray] = {}
        for name, sample in latest.items():
            family = name.split("_")[0]
            for field in ROW_FIELDS.get(family, ()):
                row[f"{name}/{field}"] = sample.data[field]
            row[f"{name}/host_time_ns"] = np.array(sample.t_arrival_ns)
        self._append(row)
        for name in CAMERA_NAMES:
            sample = latest.get(f"camera_{name}")
            if sample is not None:
                self._encode(f"camera_{name}", sample.data["image"][::2, ::2], "rgb24")
        for side in SIDES:
            tips = [latest.get(f"tactile_{side}_{finger}") for finger in FINGERS]
            if all(tip is not None for tip in tips):
                for kind in ("deform", "raw"):
                    tiled = np.hstack([tip.data[kind] for tip in tips])
                    self._encode(f"{side}_{kind}", tiled, "gray")

    def _append(self, row: dict[str, np.ndarray]) -> None:
        for key, value in row.items():
            if key not in self._h5:
                self._h5.create_dataset(
                    key,
                    shape=(0, *value.shape),
                    maxshape=(None, *value.shape),
                    dtype=value.dtype,
                    chunks=(64, *value.shape),
                )
            data = self._h5[key]
            data.resize(self._rows + 1, axis=0)
            data[self._rows] = value
        self._rows += 1

    def _encode(self, key: str, image: np.ndarray, pix_fmt: str) -> None:
        container, stream = self._videos[key]
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format=pix_fmt)
        for packet in stream.encode(frame):
            container.mux(packet)

    def stop(self) -> None:
        self._halt.set()
        self._thread.join()
        for container, stream in self._videos.values():
            for packet in stream.encode():
                container.mux(packet)
            container.close()
        self._h5.close()


def record(seconds: float, specs: list[StreamSpec], writer: Writer) -> dict:
    """Feed ``writer`` from a producer of ``specs`` for ``seconds``; returns CPU and timing."""
    producer = Producer(specs, writer.put)
    t_start = time.perf_counter()
    writer.start()
    start_s = time.perf_counter() - t_start
    cpu0, wall0 = time.process_time(), time.perf_counter()
    producer.start()
    peak_fill = 0.0
    while time.perf_counter() - wall0 < seconds:
        time.sleep(0.25)
        peak_fill = max(peak_fill, writer.queue_fill())
    producer.stop()
    t_stop = time.perf_counter()
    writer.stop()
    finalize_s = time.perf_counter() - t_stop
    cpu1, wall1 = time.process_time(), time.perf_counter()
    record_s = wall1 - wall0
    allocated, apparent = disk_bytes(writer.path)
    return {
        "seconds": round(record_s, 3),
        "samples": producer.emitted,
        "writer_cpu_pct": round(100 * ((cpu1 - cpu0) - producer.cpu_s) / record_s, 1),
        "producer_cpu_pct": round(100 * producer.cpu_s / record_s, 1),
        "peak_queue_fill_pct": round(100 * peak_fill, 1),
        "start_s": round(start_s, 3),
        "finalize_s": round(finalize_s, 3),
        "mb_per_min": round(allocated / record_s * 60 / 1e6, 1),
        "apparent_mb_per_min": round(apparent / record_s * 60 / 1e6, 1),
    }


class Writer(Protocol):
    path: Path

    def start(self) -> None: ...
    def put(self, sample: Sample) -> None: ...
    def stop(self) -> object: ...
    def queue_fill(self) -> float: ...


class OurWriter:
    """The station's EpisodeWriter, with its queue fill exposed."""

    def __init__(self, root: Path, specs: list[StreamSpec]) -> None:
        metadata = EpisodeMetadata(
            episode_id=new_episode_id("bench", datetime.now(UTC)),
            primitive="benchmark",
            object="none",
            operator="benchmark",
            station="bench",
        )
        self.writer = EpisodeWriter(root, specs, metadata)
        self.path = self.writer.path
        self.put = self.writer.put
        self.start = self.writer.start
        self.final: EpisodeMetadata | None = None

    def stop(self) -> EpisodeMetadata:
        self.final = self.writer.stop()
        return self.final

    def queue_fill(self) -> float:
        return max(st.queued / st.capacity for st in self.writer.stats().streams.values())


def run_ours(seconds: float, root: Path, tactile_hz: float) -> dict:
    """Our recorder at full load with tactile at ``tactile_hz``; checks the episode reads back."""
    specs = station_specs(tactile_hz)
    ours = OurWriter(root, specs)
    result = record(seconds, specs, ours)
    episode = open_episode(ours.path)
    assert ours.final is not None and episode.metadata.status == "complete"
    counts_ok = all(len(episode.stream(s.name)) == ours.final.streams[s.name].count for s in specs)
    return {**result, "drops": sum(ours.final.drops.values()), "counts_match": counts_ok}


def disk_mb_s(root: Path, mib: int = 512) -> float:
    """Sequential write rate of the disk under ``root`` (MB/s), 8 MiB blocks, fsync'd."""
    block = np.random.default_rng(3).integers(0, 256, 8 << 20, dtype=np.uint8).tobytes()
    path = root / "disk-rate.bin"
    t0 = time.perf_counter()
    with path.open("wb") as f:
        for _ in range(mib // 8):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())
    rate = mib * (1 << 20) / (time.perf_counter() - t0) / 1e6
    path.unlink()
    return rate


def run(seconds: float, root: Path) -> dict:
    jpeg_ms = jpeg_ms_per_frame(np.random.default_rng(1))
    ours = run_ours(seconds, root / "ours-30hz", 30.0)
    fast = run_ours(seconds, root / "ours-180hz", 180.0)
    incumbent_writer = IncumbentWriter(root / "incumbent")
    incumbent = record(seconds, station_specs(30.0), incumbent_writer)
    incumbent["missed_ticks"] = incumbent_writer.missed_ticks
    return {
        "seconds": ours["seconds"],
        "drops": ours["drops"],
        "writer_cpu_pct": ours["writer_cpu_pct"],
        "finalize_s": ours["finalize_s"],
        "mb_per_min": ours["mb_per_min"],
        "incumbent_mb_per_min": incumbent["mb_per_min"],
        "incumbent_writer_cpu_pct": incumbent["writer_cpu_pct"],
        "incumbent_finalize_s": incumbent["finalize_s"],
        "mb_per_min_vs_incumbent": round(ours["mb_per_min"] / incumbent["mb_per_min"], 2),
        "cpu_vs_incumbent": round(ours["writer_cpu_pct"] / incumbent["writer_cpu_pct"], 2),
        "disk_mb_s": round(disk_mb_s(root), 1),
        "tactile_180hz": {
            k: fast[k] for k in ("drops", "writer_cpu_pct", "finalize_s", "mb_per_min")
        },
        "ours_30hz": ours,
        "incumbent": incumbent,
        "jpeg_ms_per_frame": round(jpeg_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--root", type=Path, help="folder for the recordings (default: temporary)")
    args = parser.parse_args()
    if args.root is None:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(args.seconds, Path(tmp))
    else:
        args.root.mkdir(parents=True, exist_ok=True)
        result = run(args.seconds, args.root)
    fast = result["tactile_180hz"]
    print(
        f"ours, tactile 30 Hz: drops {result['drops']}, writer CPU {result['writer_cpu_pct']} % "
        f"of a core, finalize {result['finalize_s']} s, {result['mb_per_min']} MB/min"
    )
    print(
        f"ours, tactile 180 Hz: drops {fast['drops']}, writer CPU {fast['writer_cpu_pct']} %, "
        f"finalize {fast['finalize_s']} s, {fast['mb_per_min']} MB/min"
    )
    print(
        f"incumbent (HDF5 rows at 30 Hz + MP4s): writer CPU {result['incumbent_writer_cpu_pct']}"
        f" %, finalize {result['incumbent_finalize_s']} s, {result['incumbent_mb_per_min']} "
        f"MB/min; disk {result['disk_mb_s']} MB/s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
