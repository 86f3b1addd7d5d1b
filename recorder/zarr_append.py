"""Zarr v3 arrays on a local folder that grow along axis 0 by appending batches of rows.

zarr-python creates each array (chunk grid, codecs, attributes). Appending then bypasses
zarr-python's write path and writes exactly what it would store for these codecs (``bytes``,
little endian, C order, optionally followed by ``zstd``) straight into the chunk files, then
the grown shape into ``zarr.json``. Reason, measured on a 2-core machine with the recorder's
full load (about 200 arrays, a batch per array per second): zarr-python's ``resize`` +
``__setitem__`` cost about 0.9 CPU-seconds per second of data (per-call overhead,
read-modify-write of partial chunks, and files created and renamed over old ones for every
chunk and every ``zarr.json``, which ext4 makes slow under a heavy write load). Every chunk file
is full size, the edge chunk padded, as the zarr v3 regular grid requires; chunk keys use the
spec's ``.`` separator (``c.12.0.0``) so chunks need no new folders. The tests read episodes
back with zarr-python and tensorstore.

Durability: rows become visible when :meth:`Appender.publish` writes the new shape, after their
bytes; a killed process never leaves a shape covering unwritten rows, and published rows are
never damaged:

- the shape is a fixed-width (space-padded) number in ``zarr.json`` overwritten in place by one
  small write, which a kill cannot split;
- uncompressed chunk files are created at full size and rows are written in place; bytes of
  published rows are never written again;
- zstd chunks are written once full, or padded when a flush must publish a partial last chunk;
  such a chunk is kept in memory and replaced (temporary file renamed over it) when more rows
  arrive. Writers size batches to whole chunks so this is rare.

A reader racing a publish may, in principle, see a torn shape number; readers of live episodes
should treat arrays as growing and re-read. Recovery finalises the arrays of an interrupted
episode with :func:`truncate`.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np
import zarr
from numcodecs import Zstd
from zarr.codecs import ZstdCodec
from zarr.core.buffer import default_buffer_prototype
from zarr.storage import LocalStore, MemoryStore

ZSTD_LEVEL = 1
"""zstd level of compressed arrays. On noisy 240x320 uint8 tactile images level 1 encodes at
~740 MB/s against ~125 MB/s for level 3 (and blosc-zstd 3) for the same 1.5x ratio; on sparse
DEFORM maps it gives 22x instead of 32x."""

CHUNK_KEY_ENCODING = {"name": "default", "separator": "."}
_ROWS_WIDTH = 19
"""Digits of the largest int64: the shape's first number always takes this many characters."""
_ROWS_PLACEHOLDER = 10 ** (_ROWS_WIDTH - 1)


def create_appendable(
    group: zarr.Group,
    name: str,
    row_shape: tuple[int, ...],
    dtype: str,
    chunk_rows: int,
    compressed: bool,
    attributes: dict,
) -> Appender:
    """Create the empty array ``name`` of rows ``row_shape`` in ``group`` and its appender.

    ``compressed`` selects the codecs ``bytes`` + ``zstd`` (else ``bytes`` alone). The group
    must live in a local folder (zarr ``LocalStore``). zarr-python builds the metadata in
    memory (creating it on disk costs ~6 ms per array, mostly waiting on its event loop).
    """
    store = group.store_path.store
    if not isinstance(store, LocalStore):
        raise TypeError(f"appending needs a local folder, got a {type(store).__name__}")
    array = zarr.create_array(
        MemoryStore(),
        shape=(0, *row_shape),
        chunks=(chunk_rows, *row_shape),
        dtype=dtype,
        compressors=ZstdCodec(level=ZSTD_LEVEL) if compressed else None,
        chunk_key_encoding=CHUNK_KEY_ENCODING,
        attributes=attributes,
    )
    directory = Path(store.root, group.path, name)
    directory.mkdir()
    return ZstdAppender(array, directory) if compressed else RawAppender(array, directory)


class Appender(ABC):
    """Stores the empty zarr v3 array ``array`` (its metadata) in ``directory``, appends rows."""

    def __init__(self, array: zarr.Array, directory: Path) -> None:
        if array.shape[0] != 0:
            raise ValueError(f"{directory}: appending starts from an empty array")
        metadata = array.metadata
        self._directory = directory
        self._chunk_key = metadata.encode_chunk_key
        self._row_shape = tuple(array.shape[1:])
        self._dtype = np.dtype(array.dtype).newbyteorder("<")
        self.chunk_rows = int(array.chunks[0])
        self.rows = 0
        """Rows appended, published or not."""
        self.published_rows = 0
        """Rows that readers see (the shape in ``zarr.json``)."""
        self._zarr_json = directory / "zarr.json"
        document = json.loads(
            metadata.to_buffer_dict(default_buffer_prototype())["zarr.json"].to_bytes()
        )
        document["shape"][0] = _ROWS_PLACEHOLDER
        text = json.dumps(document).encode()
        self._rows_offset = text.index(str(_ROWS_PLACEHOLDER).encode())
        _replace_file(self._zarr_json, text.replace(str(_ROWS_PLACEHOLDER).encode(), _rows_text(0)))

    def append(self, batch: np.ndarray) -> None:
        """Write the rows of ``batch`` (shape (n, *row_shape)) after the existing rows."""
        data = np.ascontiguousarray(batch, dtype=self._dtype)
        if data.shape[1:] != self._row_shape:
            raise ValueError(
                f"{self._directory}: rows of shape {data.shape[1:]}, expected {self._row_shape}"
            )
        if len(data):
            self._write(data)
            self.rows += len(data)

    def publish(self) -> None:
        """Make every appended row visible to readers by writing the new shape in place."""
        if self.rows == self.published_rows:
            return
        fd = os.open(self._zarr_json, os.O_WRONLY)
        try:
            _write_all(fd, _rows_text(self.rows), self._rows_offset)
        finally:
            os.close(fd)
        self.published_rows = self.rows

    @abstractmethod
    def _write(self, data: np.ndarray) -> None:
        """Store ``data`` as rows ``self.rows`` onwards (not yet counted in ``self.rows``)."""

    def _chunk_path(self, index: int) -> Path:
        return self._directory / self._chunk_key((index, *(0 for _ in self._row_shape)))


class RawAppender(Appender):
    """Uncompressed chunks: full-size files created once, rows written in place."""

    def _write(self, data: np.ndarray) -> None:
        start, stop = self.rows, self.rows + len(data)
        row_bytes = data[0].nbytes
        for index in range(start // self.chunk_rows, (stop - 1) // self.chunk_rows + 1):
            chunk_start = index * self.chunk_rows
            lo, hi = max(start, chunk_start), min(stop, chunk_start + self.chunk_rows)
            new = lo == chunk_start
            flags = os.O_WRONLY | (os.O_CREAT | os.O_EXCL if new else 0)
            fd = os.open(self._chunk_path(index), flags, 0o644)
            try:
                if new:
                    os.ftruncate(fd, self.chunk_rows * row_bytes)
                _write_all(fd, data[lo - start : hi - start], (lo - chunk_start) * row_bytes)
            finally:
                os.close(fd)


class ZstdAppender(Appender):
    """zstd chunks written whole; a partial last chunk is kept in memory until it fills."""

    def __init__(self, array: zarr.Array, directory: Path) -> None:
        super().__init__(array, directory)
        (zstd,) = (c for c in array.metadata.codecs if isinstance(c, ZstdCodec))
        self._codec = Zstd(level=zstd.level, checksum=zstd.checksum)
        self._tail = np.empty((0, *self._row_shape), self._dtype)

    def _write(self, data: np.ndarray) -> None:
        first = (self.rows - len(self._tail)) // self.chunk_rows
        if len(self._tail):
            data = np.concatenate([self._tail, data])
        for k, lo in enumerate(range(0, len(data), self.chunk_rows)):
            block = data[lo : lo + self.chunk_rows]
            if len(block) < self.chunk_rows:
                padded = np.zeros((self.chunk_rows, *self._row_shape), self._dtype)
                padded[: len(block)] = block
                block = padded
            index = first + k
            path, payload = self._chunk_path(index), self._codec.encode(block)
            if index * self.chunk_rows < self.published_rows:
                _replace_file(path, payload)
            else:
                _create_file(path, payload)
        self._tail = data[len(data) - len(data) % self.chunk_rows :].copy()


def truncate(directory: Path, rows: int) -> None:
    """Shrink the array stored in folder ``directory`` to its first ``rows`` rows: the new
    shape is written into its ``zarr.json`` atomically, then chunk files wholly past it are
    removed. The kept rows are not rewritten. ValueError when the array has fewer rows."""
    zarr_json = directory / "zarr.json"
    document = json.loads(zarr_json.read_bytes())
    if not 0 <= rows <= document["shape"][0]:
        raise ValueError(f"{directory}: cannot cut {document['shape'][0]} rows to {rows}")
    document["shape"][0] = rows
    _replace_file(zarr_json, json.dumps(document).encode())
    chunk_rows = document["chunk_grid"]["configuration"]["chunk_shape"][0]
    kept_chunks = -(-rows // chunk_rows)
    separator = CHUNK_KEY_ENCODING["separator"]
    for path in directory.glob(f"c{separator}*"):
        if int(path.name.split(separator)[1]) >= kept_chunks:
            path.unlink()


def _rows_text(rows: int) -> bytes:
    return str(rows).rjust(_ROWS_WIDTH).encode()


WRITE_PIECE_BYTES = 64 * 1024
"""Largest single write. Kernels built without preemption (PREEMPT_NONE, common on servers)
do not preempt a thread inside a system call: one 3 MB ``pwrite`` was measured (ftrace)
holding a CPU for 11.7 ms and delaying the real-time control loop's wake-up by 4.7 ms, and
256 KiB writes still took up to 3 ms under load. Smaller writes return to user space, where
the loop can preempt, more often."""


def _write_all(fd: int, data: np.ndarray | bytes, offset: int) -> None:
    view = memoryview(data).cast("B")
    while view:
        written = os.pwrite(fd, view[:WRITE_PIECE_BYTES], offset)
        view, offset = view[written:], offset + written


def _create_file(path: Path, payload: bytes) -> None:
    """Write ``payload`` to the new file ``path`` (an unpublished chunk: no reader needs it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _write_all(fd, payload, 0)
    finally:
        os.close(fd)


def _replace_file(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically: a temporary file renamed over it."""
    tmp = path.with_name(path.name + ".partial")
    _create_file(tmp, payload)
    os.replace(tmp, path)
