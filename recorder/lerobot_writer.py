"""A LeRobot v3 dataset folder in the T-Rex schema (:mod:`recorder.trex_schema`), written
an episode at a time in bounded memory.

Layout (``codebase_version`` "v3.0"): episodes follow one another in each data and video
file; a file is closed once it exceeds its size limit (DATA_FILE_MB, VIDEO_FILE_MB) and the
next episode starts the next one, CHUNKS_SIZE files per chunk folder::

    meta/info.json          fps, features (dtype, shape, names, video info), totals, paths
    meta/stats.json         per feature: min, max, mean, std, q01, q99, count
                            (recorder.feature_stats)
    meta/tasks.parquet      task_index, and task (the pandas index, as LeRobot reads it)
    meta/episodes/chunk-000/file-000.parquet
        one row per episode: episode_index, tasks, length, data and video file indices,
        dataset_from_index / dataset_to_index (rows of the whole dataset), per video key
        from_timestamp / to_timestamp (s in its file), motor_primitive, object, target,
        caption; then the source episode's id, operator, station, outcome and status
    data/chunk-CCC/file-FFF.parquet
        one row per frame: the schema's vectors, images_valid, timestamp (s in the episode),
        frame_index, episode_index, index (in the dataset), task_index
    videos/<key>/chunk-CCC/file-FFF.mp4    (recorder.video_file)

An episode's frames are at ``fps`` over the span where all its schema streams have samples
(:func:`recorder.alignment.episode_timeline`); each stream is resampled from its own capture
times as :mod:`recorder.loader` does: vectors are NaN where a stream had no value. A video
frame whose stream has no sample within its age limit (a gap, invalid rows) is black (zeros)
and ``images_valid`` (a bool per video key, in VIDEO_KEYS order) is False there; T-Rex readers
ignore that column, which is not an ``observation``. ``target`` is empty: episodes carry no
separate target. ``caption``, which is also the task, is the instruction given to the
operator, or "<primitive> the <object>" when there was none.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recorder.alignment import episode_timeline, stream_resampling
from recorder.episode_reader import Episode, StreamData
from recorder.feature_stats import PixelStats, VectorStats
from recorder.jpeg import decode_jpeg
from recorder.layout import jpeg_bytes_name, jpeg_offsets_name
from recorder.loader import action, state, tactile_force
from recorder.metadata import EpisodeMetadata
from recorder.trex_schema import (
    ACTION,
    CAMERA_VIDEOS,
    FORCE_NAMES,
    JOINT_NAMES,
    SCHEMA_STREAMS,
    STATE,
    TACTILE_FORCE,
    TACTILE_VIDEOS,
    VIDEO_KEYS,
)
from recorder.video_file import CAMERA_PIX_FMT, LOSSLESS_PIX_FMT, VideoFile

CODEBASE_VERSION = "v3.0"
ROBOT_TYPE = "dexmate_vega_1_sharpa_wave"
CHUNKS_SIZE = 1000
DATA_FILE_MB = 100
VIDEO_FILE_MB = 500
MIB = 1 << 20
DATA_PATH = "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet"
VIDEO_PATH = "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4"
EPISODES_PATH = "meta/episodes/chunk-000/file-000.parquet"
IMAGES_VALID = "images_valid"
INDEX_COLUMNS = ("timestamp", "frame_index", "episode_index", "index", "task_index")
STATS_EVERY = 10
"""Every 10th video frame goes into the image statistics (every other pixel of every other
row)."""
MAX_WORKERS = 8
"""Videos of an episode encoded at once (each on its own thread)."""


class EpisodeSkipped(Exception):
    """An episode the schema cannot be made from; nothing of it was written."""


@dataclass
class FilePosition:
    """The chunk and file index of the file being written."""

    chunk: int = 0
    file: int = 0

    def path(self, template: str, **keys: str) -> str:
        return template.format(chunk_index=self.chunk, file_index=self.file, **keys)

    def advance(self) -> None:
        self.chunk, self.file = divmod(self.chunk * CHUNKS_SIZE + self.file + 1, CHUNKS_SIZE)


@dataclass
class _Video:
    """One video key: its source, the file being written, its shape, its statistics."""

    key: str
    stream: str
    field: str
    lossless: bool
    stats: PixelStats
    position: FilePosition = field(default_factory=FilePosition)
    file: VideoFile | None = None
    shape: tuple[int, int] | None = None
    """(height, width) of every frame of this key."""


def _arrow(values: np.ndarray) -> Any:
    import pyarrow as pa

    if values.ndim == 1:
        return pa.array(values)
    return pa.FixedSizeListArray.from_arrays(pa.array(values.reshape(-1)), values.shape[1])


def _frame_reader(
    stream: StreamData, field: str, at_least: tuple[int, int]
) -> Callable[[int], np.ndarray]:
    """Row -> image of ``field``; JPEG frames are decoded at the smallest scale at least
    ``at_least`` (width, height) large, which is faster than decoding in full to shrink."""
    if stream.spec.fields[field].encoding != "jpeg":
        return lambda row: stream.frame(field, row)
    offsets = stream.stored(jpeg_offsets_name(field), 0, len(stream))

    def read(row: int) -> np.ndarray:
        start, length = (int(v) for v in offsets[row])
        jpeg = stream.stored(jpeg_bytes_name(field), start, start + length)
        return decode_jpeg(jpeg, at_least)

    return read


def _trex_columns(meta: EpisodeMetadata, caption: str) -> dict[str, str]:
    """The T-Rex episode columns, then where the episode comes from."""
    return {
        "motor_primitive": meta.primitive,
        "object": meta.object,
        "target": "",
        "caption": caption,
        "source_episode_id": meta.episode_id,
        "operator": meta.operator,
        "station": meta.station,
        "outcome": meta.outcome or "",
        "status": meta.status,
    }


class LeRobotWriter:
    """Writes episodes into the empty folder ``root``; camera videos at ``camera_size``
    (width, height; None: each camera's own), tactile videos at the sensors' size."""

    def __init__(self, root: Path, fps: int, camera_size: tuple[int, int] | None) -> None:
        self.root, self.fps, self.camera_size = root, fps, camera_size
        self._videos = {
            key: _Video(key, stream, "image", False, PixelStats(3))
            for key, stream in CAMERA_VIDEOS.items()
        }
        self._videos.update(
            (key, _Video(key, stream, kind, True, PixelStats(1)))
            for key, (stream, kind) in TACTILE_VIDEOS.items()
        )
        self._data_position = FilePosition()
        self._data_writer: Any = None
        self._data_bytes = 0
        self._episodes: list[dict[str, Any]] = []
        self._tasks: dict[str, int] = {}
        self._frames = 0
        self._stats: dict[str, VectorStats] = {}
        self._pool = ThreadPoolExecutor(min(MAX_WORKERS, os.cpu_count() or 1))

    def add(self, episode: Episode) -> int:
        """Append ``episode``; returns its frame count. EpisodeSkipped (nothing written) when
        it lacks a schema stream, its streams never overlap, or a tactile image size differs
        from the earlier episodes'."""
        missing = [name for name in SCHEMA_STREAMS if name not in episode.streams]
        if missing:
            raise EpisodeSkipped(f"lacks {', '.join(missing)}, which the T-Rex schema needs")
        times = episode_timeline(episode, SCHEMA_STREAMS, self.fps)
        if not len(times):
            raise EpisodeSkipped("its streams never all have samples at the same time")
        sources = {key: episode.stream(video.stream) for key, video in self._videos.items()}
        for video in self._videos.values():
            self._check_shape(video, sources[video.key])
        files = {key: self._file(video, sources[key]) for key, video in self._videos.items()}
        meta = episode.metadata
        caption = meta.instruction or f"{meta.primitive} the {meta.object}"
        task_index = self._tasks.setdefault(caption, len(self._tasks))
        index, n = len(self._episodes), len(times)
        vectors = {
            STATE: state(episode, times),
            ACTION: action(episode, times),
            TACTILE_FORCE: tactile_force(episode, times),
        }
        encoded = self._pool.map(
            lambda v: self._encode(v, files[v.key], sources[v.key], times), self._videos.values()
        )
        row: dict[str, Any] = {"episode_index": index, "tasks": [caption], "length": n}
        valid = []
        for video, (fresh, frames_before) in zip(self._videos.values(), encoded, strict=True):
            valid.append(fresh)
            row.update(self._video_columns(video, frames_before, n))
        columns = {
            **vectors,
            IMAGES_VALID: np.stack(valid, axis=1),
            "timestamp": (np.arange(n) / self.fps).astype(np.float32),
            "frame_index": np.arange(n, dtype=np.int64),
            "episode_index": np.full(n, index, np.int64),
            "index": np.arange(self._frames, self._frames + n, dtype=np.int64),
            "task_index": np.full(n, task_index, np.int64),
        }
        data = self._write_data(columns)
        row.update(
            {
                "data/chunk_index": data.chunk,
                "data/file_index": data.file,
                "dataset_from_index": self._frames,
                "dataset_to_index": self._frames + n,
                "meta/episodes/chunk_index": 0,
                "meta/episodes/file_index": 0,
            }
        )
        self._episodes.append({**row, **_trex_columns(meta, caption)})
        self._frames += n
        self._roll_videos()
        return n

    def _check_shape(self, video: _Video, stream: StreamData) -> None:
        """EpisodeSkipped when a tactile image size differs from the earlier episodes'."""
        height, width = stream.spec.fields[video.field].shape[:2]
        if video.lossless and video.shape not in (None, (height, width)):
            raise EpisodeSkipped(
                f"{stream.name} images are {height}x{width}, earlier episodes' "
                f"{video.shape[0]}x{video.shape[1]}: export them separately"
            )

    def _file(self, video: _Video, stream: StreamData) -> VideoFile:
        """The key's open file; the first episode with the key sets its frame size."""
        if video.shape is None:
            height, width = stream.spec.fields[video.field].shape[:2]
            if not video.lossless and self.camera_size is not None:
                width, height = self.camera_size
            video.shape = (height, width)
        if video.file is None:
            path = self.root / video.position.path(VIDEO_PATH, video_key=video.key)
            height, width = video.shape
            video.file = VideoFile(path, self.fps, width, height, video.lossless)
        return video.file

    def _encode(
        self, video: _Video, file: VideoFile, stream: StreamData, times: np.ndarray
    ) -> tuple[np.ndarray, int]:
        """Write the frames of ``video`` at ``times`` into ``file``; returns where they were
        fresh and the frames the file held before."""
        before = file.frames
        at = stream_resampling(stream, times, interpolate=False)
        read = _frame_reader(stream, video.field, (file.width, file.height))
        blank = np.zeros((file.height, file.width, *([] if video.lossless else [3])), np.uint8)
        shown, image = -1, blank
        for k, (row, fresh) in enumerate(zip(at.before.tolist(), at.fresh.tolist(), strict=True)):
            if not fresh:
                file.write(blank)
                continue
            if row != shown:
                shown, image = row, read(row)
            file.write(image)
            if k % STATS_EVERY == 0:
                video.stats.update(image[::2, ::2])
        return at.fresh, before

    def _video_columns(self, video: _Video, frames_before: int, n: int) -> dict[str, Any]:
        prefix = f"videos/{video.key}"
        return {
            f"{prefix}/chunk_index": video.position.chunk,
            f"{prefix}/file_index": video.position.file,
            f"{prefix}/from_timestamp": frames_before / self.fps,
            f"{prefix}/to_timestamp": (frames_before + n) / self.fps,
        }

    def _roll_videos(self) -> None:
        """Close the video files past their size limit; the next episode starts new ones."""
        for video in self._videos.values():
            if video.file is not None and video.file.bytes >= VIDEO_FILE_MB * MIB:
                video.file.close()
                video.file = None
                video.position.advance()

    def _write_data(self, columns: dict[str, np.ndarray]) -> FilePosition:
        """Append an episode's rows to the data file; returns that file's position."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for name, values in columns.items():
            dims = values.reshape(len(values), -1).shape[1]
            self._stats.setdefault(name, VectorStats(dims)).update(values)
        table = pa.table({name: _arrow(values) for name, values in columns.items()})
        position = FilePosition(self._data_position.chunk, self._data_position.file)
        if self._data_writer is None:
            path = self.root / position.path(DATA_PATH)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._data_writer = pq.ParquetWriter(path, table.schema)
        self._data_writer.write_table(table)
        self._data_bytes += table.nbytes
        if self._data_bytes >= DATA_FILE_MB * MIB:
            self._close_data()
        return position

    def _close_data(self) -> None:
        if self._data_writer is not None:
            self._data_writer.close()
            self._data_writer = None
            self._data_bytes = 0
            self._data_position.advance()

    def finish(self) -> dict[str, Any]:
        """Close every file and write the metadata; returns info.json's content."""
        self._close_files()
        self._write_tables()
        stats: dict[str, Any] = {name: s.result() for name, s in self._stats.items()}
        stats.update((key, video.stats.result()) for key, video in self._videos.items())
        meta = self.root / "meta"
        (meta / "stats.json").write_text(json.dumps(stats, indent=1))
        info = self._info()
        (meta / "info.json").write_text(json.dumps(info, indent=2))
        return info

    def abort(self) -> None:
        """Stop the worker threads and close the open files (the folder is to be removed)."""
        self._pool.shutdown(cancel_futures=True)
        self._close_files()

    def _close_files(self) -> None:
        self._pool.shutdown()
        self._close_data()
        for video in self._videos.values():
            if video.file is not None:
                video.file.close()
                video.file = None

    def _write_tables(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        episodes = self.root / EPISODES_PATH
        episodes.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(self._episodes), episodes)
        tasks = pa.table(
            {"task_index": list(self._tasks.values()), "task": list(self._tasks)}
        ).replace_schema_metadata({"pandas": json.dumps(_PANDAS_TASK_INDEX)})
        pq.write_table(tasks, self.root / "meta" / "tasks.parquet")

    def _info(self) -> dict[str, Any]:
        def vector(dtype: str, names: tuple[str, ...]) -> dict[str, Any]:
            return {"dtype": dtype, "shape": [len(names)], "names": list(names)}

        index_dtypes = ["float32", *("int64",) * (len(INDEX_COLUMNS) - 1)]
        features = {
            STATE: vector("float32", JOINT_NAMES),
            ACTION: vector("float32", JOINT_NAMES),
            TACTILE_FORCE: vector("float32", FORCE_NAMES),
            **{key: self._video_feature(video) for key, video in self._videos.items()},
            IMAGES_VALID: vector("bool", VIDEO_KEYS),
            **{
                name: {"dtype": dtype, "shape": [1], "names": None}
                for name, dtype in zip(INDEX_COLUMNS, index_dtypes, strict=True)
            },
        }
        return {
            "codebase_version": CODEBASE_VERSION,
            "robot_type": ROBOT_TYPE,
            "total_episodes": len(self._episodes),
            "total_frames": self._frames,
            "total_tasks": len(self._tasks),
            "chunks_size": CHUNKS_SIZE,
            "data_files_size_in_mb": DATA_FILE_MB,
            "video_files_size_in_mb": VIDEO_FILE_MB,
            "fps": self.fps,
            "splits": {"train": f"0:{len(self._episodes)}"},
            "data_path": DATA_PATH,
            "video_path": VIDEO_PATH,
            "features": features,
        }

    def _video_feature(self, video: _Video) -> dict[str, Any]:
        height, width = video.shape or (0, 0)
        channels = 1 if video.lossless else 3
        return {
            "dtype": "video",
            "shape": [height, width, channels],
            "names": ["height", "width", "channels"],
            "info": {
                "video.height": height,
                "video.width": width,
                "video.codec": "h264",
                "video.pix_fmt": LOSSLESS_PIX_FMT if video.lossless else CAMERA_PIX_FMT,
                "video.is_depth_map": False,
                "video.fps": self.fps,
                "video.channels": channels,
                "video.lossless": video.lossless,
                "has_audio": False,
            },
        }


_PANDAS_TASK_INDEX = {
    "index_columns": ["task"],
    "column_indexes": [
        {
            "name": None,
            "field_name": None,
            "pandas_type": "unicode",
            "numpy_type": "object",
            "metadata": {"encoding": "UTF-8"},
        }
    ],
    "columns": [
        {
            "name": "task_index",
            "field_name": "task_index",
            "pandas_type": "int64",
            "numpy_type": "int64",
            "metadata": None,
        },
        {
            "name": "task",
            "field_name": "task",
            "pandas_type": "unicode",
            "numpy_type": "object",
            "metadata": None,
        },
    ],
    "creator": {"library": "dexstation", "version": "1"},
    "pandas_version": "2.2.0",
}
"""Tells pandas (LeRobot reads tasks.parquet with it) that ``task`` is the table's index."""
