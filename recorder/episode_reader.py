"""Reading recorded episodes: metadata, streams, timing arrays, fields and JPEG frames."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

import numpy as np
import zarr
import zarr.errors
from pydantic import ValidationError

from devices.streams import StreamSpec
from recorder.jpeg import decode_jpeg
from recorder.layout import (
    STREAMS_GROUP,
    TIMING_FIELDS,
    jpeg_bytes_name,
    jpeg_offsets_name,
    spec_from_attrs,
)
from recorder.metadata import EpisodeMetadata

log = logging.getLogger(__name__)


BLOCK_ROWS = 64
"""Rows of a raw field :meth:`StreamData.frame` reads at once: walking a stream row by row
decodes each chunk once, not once per row."""


class EpisodeFormatError(ValueError):
    """A folder is not a readable episode; the message names the path and the problem."""


def _open(path: Path) -> tuple[zarr.Group, EpisodeMetadata]:
    try:
        group = zarr.open_group(path, mode="r", zarr_format=3)
    except (OSError, ValueError, zarr.errors.BaseZarrError) as exc:
        raise EpisodeFormatError(f"{path}: not a zarr v3 group ({exc})") from exc
    attrs = group.attrs.asdict()
    if not attrs:
        raise EpisodeFormatError(f"{path}: no episode metadata (the group has no attributes)")
    try:
        metadata = EpisodeMetadata.model_validate(attrs)
    except ValidationError as exc:
        raise EpisodeFormatError(f"{path}: invalid episode metadata: {exc}") from exc
    if metadata.episode_id != path.name:
        raise EpisodeFormatError(
            f"{path}: metadata names episode {metadata.episode_id!r}, not the folder's name"
        )
    return group, metadata


def read_metadata(path: Path | str) -> EpisodeMetadata:
    """The metadata of the episode in folder ``path``; EpisodeFormatError if unreadable."""
    return _open(Path(path))[1]


def open_episode(path: Path | str) -> Episode:
    """Open the episode in folder ``path``; EpisodeFormatError if it is not one."""
    path = Path(path)
    group, metadata = _open(path)
    return Episode(path, group, metadata)


def list_episodes(root: Path | str) -> list[tuple[str, EpisodeMetadata]]:
    """(episode id, metadata) of every readable episode directly under ``root``, by id.

    Folders that are not readable episodes are skipped with a warning naming the problem.
    """
    found = []
    for path in sorted(p for p in Path(root).iterdir() if (p / "zarr.json").is_file()):
        try:
            found.append((path.name, read_metadata(path)))
        except EpisodeFormatError as exc:
            log.warning("skipping %s", exc)
    return found


class Episode:
    """One recorded episode: its metadata and streams."""

    def __init__(self, path: Path, group: zarr.Group, metadata: EpisodeMetadata) -> None:
        self.path = path
        self.metadata = metadata
        self._group = group

    @cached_property
    def streams(self) -> tuple[str, ...]:
        """Names of the recorded streams, sorted."""
        if STREAMS_GROUP not in self._group:
            return ()
        return tuple(sorted(self._group[STREAMS_GROUP].group_keys()))

    def stream(self, name: str) -> StreamData:
        """The arrays of stream ``name``; KeyError naming the known streams if absent."""
        if name not in self.streams:
            raise KeyError(f"{self.path}: no stream {name!r}; streams: {', '.join(self.streams)}")
        group = self._group[f"{STREAMS_GROUP}/{name}"]
        try:
            spec = spec_from_attrs(name, group.attrs.asdict())
        except (KeyError, TypeError, ValueError) as exc:
            raise EpisodeFormatError(
                f"{self.path}: stream {name!r} has no valid spec ({exc})"
            ) from exc
        try:
            return StreamData(spec, group, self.path / STREAMS_GROUP / name)
        except KeyError as exc:
            raise EpisodeFormatError(f"{self.path}: stream {name!r} lacks array {exc}") from exc


class StreamData:
    """One stream of an episode: timing arrays (loaded), fields (read on demand).

    Rows are samples in arrival order. ``t_device_ns`` holds -1 where ``has_t_device`` is
    false. The stream has as many rows as its shortest array: while an episode is being
    written, or after a crash, its arrays can differ by one flush.
    """

    def __init__(self, spec: StreamSpec, group: zarr.Group, path: Path) -> None:
        """``path``: the stream group's folder, named in errors."""
        self.spec = spec
        self.path = path
        self._group = group
        self._offsets: dict[str, np.ndarray] = {}
        self._blocks: dict[str, tuple[int, np.ndarray]] = {}  # field -> (first row, rows)
        stored = [*TIMING_FIELDS, *(self._array_name(f) for f in spec.fields)]
        self._rows = min(group[name].shape[0] for name in stored)
        self.seq = self._read("seq")
        self.t_capture_ns = self._read("t_capture_ns")
        self.t_arrival_ns = self._read("t_arrival_ns")
        self.t_device_ns = self._read("t_device_ns")
        self.has_t_device = self._read("has_t_device")
        self.valid = self._read("valid")

    def __len__(self) -> int:
        return self._rows

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def fields(self) -> tuple[str, ...]:
        """The stream's field names, as declared when it was recorded."""
        return tuple(self.spec.fields)

    def field(self, name: str) -> np.ndarray:
        """All rows of field ``name``, shape (N, *field shape); JPEG fields decoded (RGB)."""
        if not self._is_jpeg(name):
            return self._read(name)
        offsets = self._jpeg_offsets(name)
        frames = np.empty((self._rows, *self.spec.fields[name].shape), np.uint8)
        if self._rows:
            first = int(offsets[0, 0])
            files = self._slice(jpeg_bytes_name(name), first, int(offsets[-1].sum()))
            for i, (start, length) in enumerate(offsets - [first, 0]):
                frames[i] = decode_jpeg(files[start : start + length])
        return frames

    def frame(self, name: str, index: int) -> np.ndarray:
        """Row ``index`` of field ``name`` (negative counts from the end); JPEG decoded.
        Raw fields are read BLOCK_ROWS rows at a time and the block kept."""
        i = range(self._rows)[index]
        if not self._is_jpeg(name):
            first, block = self._blocks.get(name, (-1, np.empty(0)))
            if not first <= i < first + len(block):
                first = i - i % BLOCK_ROWS
                block = self._slice(name, first, min(first + BLOCK_ROWS, self._rows))
                self._blocks[name] = (first, block)
            return block[i - first]
        start, length = (int(v) for v in self._jpeg_offsets(name)[i])
        return decode_jpeg(self._slice(jpeg_bytes_name(name), start, start + length))

    def rows(self, name: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` (clipped to the stream) of raw field ``name``, one read."""
        if self._is_jpeg(name):
            raise ValueError(f"{name!r} is a JPEG field: read it frame by frame with frame()")
        return self._slice(name, start, min(stop, self._rows))

    def _is_jpeg(self, name: str) -> bool:
        if name not in self.spec.fields:
            raise KeyError(f"stream {self.name!r} has no field {name!r}; fields: {self.fields}")
        return self.spec.fields[name].encoding == "jpeg"

    def _array_name(self, field: str) -> str:
        return jpeg_offsets_name(field) if self._is_jpeg(field) else field

    def _read(self, array: str) -> np.ndarray:
        return self._slice(array, 0, self._rows)

    def _slice(self, array: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of ``array``; EpisodeFormatError naming it if it is damaged."""
        try:
            return self._group[array][start:stop]
        except (RuntimeError, ValueError, OSError, zarr.errors.BaseZarrError) as exc:
            raise EpisodeFormatError(
                f"{self.path / array}: damaged ({exc}); the rest of the episode and every other "
                "episode stay readable: trim the damaged part off, or restore this episode "
                "from a copy"
            ) from exc

    def _jpeg_offsets(self, name: str) -> np.ndarray:
        if name not in self._offsets:
            self._offsets[name] = self._read(jpeg_offsets_name(name))
        return self._offsets[name]
