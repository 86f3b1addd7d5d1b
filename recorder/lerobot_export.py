"""Export episodes to a LeRobot v3 dataset in the public T-Rex schema.

Layout written (``codebase_version`` "v3.0", one chunk, one file per kind, episodes
concatenated as v3 does)::

    meta/info.json                      fps, features (dtype, shape, names, video info), totals
    meta/stats.json                     per feature: min, max, mean, std, count, q01, q99
    meta/tasks.parquet                  task (the instruction), task_index
    meta/episodes/chunk-000/file-000.parquet
                                        one row per episode: length, index ranges, video
                                        timestamps, motor_primitive, object, target, caption
    data/chunk-000/file-000.parquet     one row per frame: features, timestamp, indices
    videos/<key>/chunk-000/file-000.mp4 one video per camera and per tactile image

Frames are at ``fps`` on each episode's own timeline (:func:`recorder.loader.timeline` over
the streams the schema needs); every stream is resampled from its own capture times by
zero-order hold, numeric values NaN in gaps (:mod:`recorder.loader`). Cameras are encoded
H.264 (yuv420p) at ``video_size`` (T-Rex: 640x360); tactile DEFORM and RAW images losslessly
(H.264 ``qp=0``, full-range luma, see GRAY_PIX_FMT), so they decode to exactly the recorded
values. ``target`` is
left empty: our episodes carry no separate target. The dataset is built in a hidden folder
beside ``out`` and renamed into place at the end, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recorder.episode_reader import Episode, open_episode
from recorder.loader import (
    ACTION_STREAM,
    FINGERS,
    SIDES,
    STATE_STREAMS,
    align,
    state_action,
    tactile_force,
    timeline,
)
from retargeting.sharpa_wave import SHARPA_JOINTS

CODEBASE_VERSION = "v3.0"
CAMERAS = {
    "observation.images.head_left": "camera_head",
    "observation.images.left_wrist": "camera_left_wrist",
    "observation.images.right_wrist": "camera_right_wrist",
}
"""T-Rex video key -> our stream."""
TACTILE_KINDS = ("raw", "deform")
GRAY_PIX_FMT = "yuvj420p"
"""Tactile images go in the luma plane at full range with neutral chroma: decoded to gray
or RGB by any decoder they come back exactly."""
FULL_RANGE = 2
"""AVCOL_RANGE_JPEG: 0..255 luma, no studio-range scaling."""
STATS_FRAMES = 50
"""Video frames per episode sampled for image statistics."""
JOINTS = [
    *(f"L_arm_j{i}" for i in range(1, 8)),
    *(f"L_{j}" for j in SHARPA_JOINTS),
    *(f"R_arm_j{i}" for i in range(1, 8)),
    *(f"R_{j}" for j in SHARPA_JOINTS),
]
FORCES = [
    f"{s}_{f}_{a}" for s in SIDES for f in FINGERS for a in ("Fx", "Fy", "Fz", "Mx", "My", "Mz")
]


def tactile_keys() -> dict[str, tuple[str, str]]:
    """T-Rex tactile video key -> (our stream, field)."""
    return {
        f"observation.images.tactile_{side}_{kind}_{finger}": (f"tactile_{side}_{finger}", kind)
        for side in SIDES
        for kind in TACTILE_KINDS
        for finger in FINGERS
    }


class ExportError(ValueError):
    """The export cannot be made; the message says why and what to do."""


@dataclass
class _Video:
    """One video file being written: container, stream, frames so far, sampled frames."""

    container: Any
    stream: Any
    source: str
    """The images' own format: "rgb24" (cameras) or "gray" (tactile, stored losslessly)."""
    frames: int = 0
    samples: list[np.ndarray] = field(default_factory=list)


class LeRobotWriter:
    """Accumulates episodes into a LeRobot v3 dataset folder ``root``."""

    def __init__(self, root: Path, fps: int, video_size: tuple[int, int] | None) -> None:
        import av  # the ``export`` extra

        self._av = av
        self.root, self.fps, self.video_size = root, fps, video_size
        self._videos: dict[str, _Video] = {}
        self._video_shapes: dict[str, list[int]] = {}
        self._columns: dict[str, list[np.ndarray]] = {}
        self._episodes: list[dict[str, Any]] = []
        self._tasks: dict[str, int] = {}
        self._frames = 0

    def add(self, episode: Episode) -> int:
        """Append one episode; returns its frame count (0: skipped, nothing overlaps)."""
        needed = (*STATE_STREAMS, ACTION_STREAM)
        missing = [s for s in needed if s not in episode.streams]
        if missing:
            raise ExportError(f"{episode.path}: lacks {missing}, which the T-Rex schema needs")
        times = timeline(episode, needed, self.fps)
        if not len(times):
            return 0
        meta = episode.metadata
        state, action = state_action(episode, times)
        task = meta.instruction or f"{meta.primitive} the {meta.object}"
        task_index = self._tasks.setdefault(task, len(self._tasks))
        n, index = len(times), len(self._episodes)
        row: dict[str, Any] = {
            "episode_index": index,
            "tasks": [task],
            "length": n,
            "data/chunk_index": 0,
            "data/file_index": 0,
            "dataset_from_index": self._frames,
            "dataset_to_index": self._frames + n,
            "meta/episodes/chunk_index": 0,
            "meta/episodes/file_index": 0,
            "motor_primitive": meta.primitive,
            "object": meta.object,
            "target": "",
            "caption": task,
            "source_episode_id": meta.episode_id,
            "operator": meta.operator,
            "outcome": meta.outcome or "",
        }
        for key, stream in CAMERAS.items():
            self._add_video(row, key, episode, stream, "image", times, "rgb24")
        for key, (stream, kind) in tactile_keys().items():
            self._add_video(row, key, episode, stream, kind, times, "gray")
        columns = {
            "observation.state": state,
            "action": action,
            "observation.tactile_force": tactile_force(episode, times),
            "timestamp": (np.arange(n) / self.fps).astype(np.float32),
            "frame_index": np.arange(n, dtype=np.int64),
            "episode_index": np.full(n, index, np.int64),
            "index": np.arange(self._frames, self._frames + n, dtype=np.int64),
            "task_index": np.full(n, task_index, np.int64),
        }
        for name, values in columns.items():
            self._columns.setdefault(name, []).append(values)
        self._episodes.append(row)
        self._frames += n
        return n

    def _add_video(
        self,
        row: dict[str, Any],
        key: str,
        episode: Episode,
        stream: str,
        kind: str,
        times: np.ndarray,
        source: str,
    ) -> None:
        if stream not in episode.streams:
            return
        data = episode.stream(stream)
        if not len(data):
            return
        held = align(data, times, max_age_s=float("inf"))
        video = self._video(key, data.spec.fields[kind].shape, source)
        row[f"videos/{key}/chunk_index"] = 0
        row[f"videos/{key}/file_index"] = 0
        row[f"videos/{key}/from_timestamp"] = video.frames / self.fps
        every = max(len(times) // STATS_FRAMES, 1)
        rows = np.clip(held.rows, 0, None)
        cache: tuple[int, np.ndarray] | None = None
        for k, r in enumerate(rows.tolist()):
            if cache is None or cache[0] != r:
                cache = (r, data.frame(kind, r))
            image = cache[1]
            if k % every == 0:
                video.samples.append(image[::4, ::4])
            self._encode(video, image)
        row[f"videos/{key}/to_timestamp"] = video.frames / self.fps

    def _video(self, key: str, shape: tuple[int, ...], source: str) -> _Video:
        if key in self._videos:
            return self._videos[key]
        lossless = source == "gray"
        height, width = shape[0], shape[1]
        if not lossless and self.video_size is not None:
            width, height = self.video_size
        path = self.root / "videos" / key / "chunk-000" / "file-000.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        container = self._av.open(str(path), "w")
        options = (
            {"qp": "0", "preset": "ultrafast"} if lossless else {"crf": "23", "preset": "veryfast"}
        )
        stream = container.add_stream("libx264", rate=self.fps, options=options)
        stream.width, stream.height = width, height
        stream.pix_fmt = GRAY_PIX_FMT if lossless else "yuv420p"
        if lossless:
            stream.codec_context.color_range = FULL_RANGE
        self._video_shapes[key] = [height, width, 1 if lossless else 3]
        self._videos[key] = _Video(container, stream, source)
        return self._videos[key]

    def _encode(self, video: _Video, image: np.ndarray) -> None:
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format=video.source)
        stream = video.stream
        frame = frame.reformat(stream.width, stream.height, stream.pix_fmt)
        frame.pts = video.frames
        for packet in stream.encode(frame):
            video.container.mux(packet)
        video.frames += 1

    def close(self) -> dict[str, Any]:
        """Finish the videos, write data, episodes, tasks, stats and info; return info."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for video in self._videos.values():
            for packet in video.stream.encode():
                video.container.mux(packet)
            video.container.close()
        data = {name: np.concatenate(parts) for name, parts in self._columns.items()}
        table = pa.table({name: _arrow(values) for name, values in data.items()})
        (self.root / "data" / "chunk-000").mkdir(parents=True)
        pq.write_table(table, self.root / "data" / "chunk-000" / "file-000.parquet")
        meta = self.root / "meta"
        (meta / "episodes" / "chunk-000").mkdir(parents=True)
        pq.write_table(
            pa.Table.from_pylist(self._episodes),
            meta / "episodes" / "chunk-000" / "file-000.parquet",
        )
        tasks = sorted(self._tasks.items(), key=lambda item: item[1])
        pq.write_table(
            pa.table({"task": [t for t, _ in tasks], "task_index": [i for _, i in tasks]}),
            meta / "tasks.parquet",
        )
        stats = {name: _stats(values) for name, values in data.items()}
        for key, video in self._videos.items():
            stats[key] = _image_stats(np.stack(video.samples))
        (meta / "stats.json").write_text(json.dumps(stats, indent=1))
        info = self._info(data)
        (meta / "info.json").write_text(json.dumps(info, indent=2))
        return info

    def _info(self, data: dict[str, np.ndarray]) -> dict[str, Any]:
        names = {"observation.state": JOINTS, "action": JOINTS, "observation.tactile_force": FORCES}
        features: dict[str, Any] = {}
        for name, values in data.items():
            shape = list(values.shape[1:]) or [1]
            features[name] = {"dtype": str(values.dtype), "shape": shape, "names": names.get(name)}
        for key, video in self._videos.items():
            height, width, channels = self._video_shapes[key]
            features[key] = {
                "dtype": "video",
                "shape": [height, width, channels],
                "names": ["height", "width", "channels"],
                "info": {
                    "video.height": height,
                    "video.width": width,
                    "video.codec": "h264",
                    "video.pix_fmt": video.stream.pix_fmt,
                    "video.is_depth_map": False,
                    "video.fps": self.fps,
                    "video.channels": channels,
                    "video.lossless": video.source == "gray",
                    "has_audio": False,
                },
            }
        return {
            "codebase_version": CODEBASE_VERSION,
            "robot_type": "dexmate_vega_1_sharpa_wave",
            "total_episodes": len(self._episodes),
            "total_frames": self._frames,
            "total_tasks": len(self._tasks),
            "chunks_size": 1000,
            "data_files_size_in_mb": 100,
            "video_files_size_in_mb": 500,
            "fps": self.fps,
            "splits": {"train": f"0:{len(self._episodes)}"},
            "data_path": "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
            "video_path": "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4",
            "features": features,
        }


def _arrow(values: np.ndarray) -> Any:
    import pyarrow as pa

    if values.ndim == 1:
        return pa.array(values)
    flat = pa.array(values.reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, values.shape[1])


def _stats(values: np.ndarray) -> dict[str, Any]:
    """Per-dimension statistics, NaN (gap) values left out."""
    x = values.astype(np.float64).reshape(len(values), -1)
    with warnings.catch_warnings():  # all-NaN dimensions (never recorded) give None below
        warnings.simplefilter("ignore", RuntimeWarning)
        q01, q99 = np.nanquantile(x, [0.01, 0.99], axis=0) if len(x) else (x[:0], x[:0])
        result = {
            "min": np.nanmin(x, axis=0),
            "max": np.nanmax(x, axis=0),
            "mean": np.nanmean(x, axis=0),
            "std": np.nanstd(x, axis=0),
            "q01": q01,
            "q99": q99,
        }
    out = {k: [None if not np.isfinite(v) else float(v) for v in arr] for k, arr in result.items()}
    return {**out, "count": [len(x)]}


def _image_stats(frames: np.ndarray) -> dict[str, Any]:
    """Per-channel statistics of sampled frames scaled to 0..1, shaped (C, 1, 1)."""
    x = frames.astype(np.float64) / 255.0
    x = x.reshape(-1, 1) if x.ndim == 3 else x.reshape(-1, x.shape[-1])
    quantiles = np.quantile(x, [0.01, 0.99], axis=0)
    values = {
        "min": x.min(axis=0),
        "max": x.max(axis=0),
        "mean": x.mean(axis=0),
        "std": x.std(axis=0),
        "q01": quantiles[0],
        "q99": quantiles[1],
    }
    out = {k: [[[float(c)]] for c in v] for k, v in values.items()}
    return {**out, "count": [len(frames)]}


def export_lerobot(
    episodes: Iterable[Path],
    out: Path,
    fps: int = 30,
    video_size: tuple[int, int] | None = (640, 360),
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Export the episode folders ``episodes`` into a new LeRobot v3 dataset at ``out``;
    returns its info.json. ``progress(done, total, episode_id)`` follows the episodes."""
    folders = list(episodes)
    if not folders:
        raise ExportError("no episode matches: nothing to export")
    if out.exists() and any(out.iterdir()) and not force:
        raise ExportError(f"{out} exists and is not empty: choose another folder or --force")
    building = out.parent / f".{out.name}.partial"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        writer = LeRobotWriter(building, fps, video_size)
        for done, folder in enumerate(folders, 1):
            writer.add(open_episode(folder))
            if progress is not None:
                progress(done, len(folders), folder.name)
        info = writer.close()
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    building.rename(out)
    return info


def text_progress(done: int, total: int, episode_id: str) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = int(width * done / total)
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if done == total else ""
    print(f"\r[{bar}] {done}/{total} {episode_id}", end=end, file=sys.stderr, flush=True)
