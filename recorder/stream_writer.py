"""Storage of one stream: its group ``streams/<stream>/`` and the appending of sample batches.

Chunking (axis 0 is the sample index):

- fields whose row is at least COMPRESS_MIN_ROW_BYTES (tactile maps, raw images) are zstd
  compressed in chunks of a quarter of the flush interval at the nominal rate (at most
  MAX_CHUNK_BYTES), so a flush normally writes whole chunks, each once;
- smaller rows (timing, joints, poses, wrenches) are stored uncompressed, written in place, in
  chunks of about RAW_CHUNK_BYTES: together they are about 1 % of an episode's bytes, and
  compressing them would mean rewriting their partial chunk at every flush;
- a JPEG field is two uncompressed arrays, the concatenated JPEG files and their (start,
  length) offsets (see recorder.layout).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import numpy as np
import zarr

from devices.sample import Sample
from devices.streams import FieldSpec, StreamSpec
from recorder.jpeg import encode_jpeg
from recorder.layout import (
    NO_DEVICE_TIME,
    TIMING_FIELDS,
    check_field_names,
    field_attrs,
    jpeg_bytes_name,
    jpeg_offsets_name,
    stream_attrs,
)
from recorder.zarr_append import Appender, create_appendable

log = logging.getLogger(__name__)

COMPRESS_MIN_ROW_BYTES = 4096
MAX_CHUNK_BYTES = 4 << 20
RAW_CHUNK_BYTES = 256 << 10
JPEG_CHUNK_BYTES = 4 << 20

_TIMING_VALUES: dict[str, Callable[[Sample], int | bool]] = {
    "seq": lambda s: s.seq,
    "t_capture_ns": lambda s: s.t_capture_ns,
    "t_arrival_ns": lambda s: s.t_arrival_ns,
    "t_device_ns": lambda s: NO_DEVICE_TIME if s.t_device_ns is None else s.t_device_ns,
    "has_t_device": lambda s: s.t_device_ns is not None,
    "valid": lambda s: s.valid,
}
"""How each array of TIMING_FIELDS is read off a sample."""


def _row_bytes(spec: FieldSpec) -> int:
    return math.prod(spec.shape) * np.dtype(spec.dtype).itemsize


def _is_compressed(spec: FieldSpec) -> bool:
    return spec.encoding == "raw" and _row_bytes(spec) >= COMPRESS_MIN_ROW_BYTES


def compressed_chunk_rows(spec: StreamSpec, flush_interval_s: float) -> int | None:
    """Rows per chunk of the stream's compressed fields, or None when it has none.

    A quarter of the flush interval at the nominal rate: the writer writes a stream once its
    oldest sample has waited half the interval, so whole chunks fill before that even when the
    stream runs at half its nominal rate. At most MAX_CHUNK_BYTES per chunk.
    """
    sizes = [_row_bytes(f) for f in spec.fields.values() if _is_compressed(f)]
    if not sizes:
        return None
    return max(1, min(int(spec.rate_hz * flush_interval_s / 4), MAX_CHUNK_BYTES // max(sizes)))


class StreamWriter:
    """Creates a stream's group and arrays, then appends batches of its samples as rows."""

    def __init__(self, streams: zarr.Group, spec: StreamSpec, flush_interval_s: float) -> None:
        check_field_names(spec)
        self.spec = spec
        self.chunk_rows = compressed_chunk_rows(spec, flush_interval_s)
        """Rows per compressed chunk: flush in multiples of it when possible (None: any)."""
        self.rows = 0
        self._warned = False
        group = streams.create_group(spec.name, attributes=stream_attrs(spec))
        self._arrays: dict[str, Appender] = {
            name: self._create_raw(group, name, f) for name, f in TIMING_FIELDS.items()
        }
        self._jpeg: dict[str, tuple[Appender, Appender]] = {}
        for name, f in spec.fields.items():
            if f.encoding == "jpeg":
                self._jpeg[name] = self._create_jpeg(group, name, f)
            else:
                self._arrays[name] = self._create_raw(group, name, f)

    def _create_raw(self, group: zarr.Group, name: str, f: FieldSpec) -> Appender:
        compressed = _is_compressed(f)
        rows = self.chunk_rows if compressed else max(1, RAW_CHUNK_BYTES // _row_bytes(f))
        return create_appendable(group, name, f.shape, f.dtype, rows, compressed, field_attrs(f))

    @staticmethod
    def _create_jpeg(group: zarr.Group, name: str, f: FieldSpec) -> tuple[Appender, Appender]:
        files = create_appendable(
            group, jpeg_bytes_name(name), (), "uint8", JPEG_CHUNK_BYTES, False, field_attrs(f)
        )
        offsets = create_appendable(
            group,
            jpeg_offsets_name(name),
            (2,),
            "int64",
            RAW_CHUNK_BYTES // 16,
            False,
            {"unit": "byte", "doc": f"(start, length) of each frame in {jpeg_bytes_name(name)}"},
        )
        return files, offsets

    def write(self, batch: Sequence[Sample]) -> int:
        """Append the samples of ``batch`` as rows, in order, and publish them.

        Samples whose data does not match the spec are left out (logged once per stream).
        Returns how many were left out.
        """
        good = [s for s in batch if self._conforms(s)]
        n = len(good)
        if n:
            for name, array in self._arrays.items():
                array.append(self._column(good, name))
            for name, (files, offsets) in self._jpeg.items():
                encoded = [encode_jpeg(s.data[name]) for s in good]
                lengths = np.fromiter(map(len, encoded), np.int64, n)
                starts = files.rows + np.cumsum(lengths) - lengths
                files.append(np.frombuffer(b"".join(encoded), np.uint8))
                offsets.append(np.stack([starts, lengths], axis=1))
            for array in self._appenders():
                array.publish()
            self.rows += n
        return len(batch) - n

    def _conforms(self, sample: Sample) -> bool:
        try:
            self.spec.check(sample.data)
        except ValueError as exc:
            if not self._warned:
                log.warning("recorder drops malformed samples of %s: %s", self.spec.name, exc)
                self._warned = True
            return False
        return True

    @staticmethod
    def _column(batch: Sequence[Sample], name: str) -> np.ndarray:
        if name in _TIMING_VALUES:
            dtype = TIMING_FIELDS[name].dtype
            return np.fromiter(map(_TIMING_VALUES[name], batch), dtype, len(batch))
        return np.stack([s.data[name] for s in batch])

    def _appenders(self) -> list[Appender]:
        return [*self._arrays.values(), *(a for pair in self._jpeg.values() for a in pair)]
