"""Fixed-layout binary encoding of samples, for crossing the process boundary.

Each stream's samples pack into one numpy structured record: the header (stream index, seq,
the three timestamps, valid) and the stream's fields with their declared dtypes and shapes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from devices.sample import Sample
from devices.streams import StreamSpec

NO_DEVICE_TIME = np.iinfo(np.int64).min
_HEADER = [
    ("stream", "<i4"),
    ("valid", "?"),
    ("seq", "<i8"),
    ("t_capture_ns", "<i8"),
    ("t_arrival_ns", "<i8"),
    ("t_device_ns", "<i8"),
]


class SampleCodec:
    """Packs and unpacks samples of a fixed set of streams."""

    def __init__(self, specs: Sequence[StreamSpec]) -> None:
        self.specs = tuple(specs)
        self._index = {spec.name: i for i, spec in enumerate(self.specs)}
        self._dtypes = [
            np.dtype(_HEADER + [(k, f.dtype, f.shape) for k, f in spec.fields.items()])
            for spec in self.specs
        ]

    @property
    def max_size(self) -> int:
        """Bytes of the largest record."""
        return max((d.itemsize for d in self._dtypes), default=0)

    def knows(self, stream: str) -> bool:
        return stream in self._index

    def pack(self, sample: Sample) -> bytes:
        """Encode ``sample``; KeyError for a stream this codec was not built with."""
        i = self._index[sample.stream]
        rec = np.zeros((), dtype=self._dtypes[i])
        rec["stream"] = i
        rec["valid"] = sample.valid
        rec["seq"] = sample.seq
        rec["t_capture_ns"] = sample.t_capture_ns
        rec["t_arrival_ns"] = sample.t_arrival_ns
        rec["t_device_ns"] = NO_DEVICE_TIME if sample.t_device_ns is None else sample.t_device_ns
        for key, value in sample.data.items():
            rec[key] = value
        return rec.tobytes()

    def unpack(self, payload: bytes) -> Sample:
        """Decode one record produced by :meth:`pack`. The arrays are read-only views of
        ``payload`` (no copy: a camera frame is megabytes)."""
        i = int(np.frombuffer(payload, dtype="<i4", count=1)[0])
        dtype = self._dtypes[i]
        rec = np.frombuffer(payload, dtype=dtype, count=1)
        t_device = int(rec["t_device_ns"][0])
        return Sample(
            stream=self.specs[i].name,
            seq=int(rec["seq"][0]),
            t_capture_ns=int(rec["t_capture_ns"][0]),
            t_arrival_ns=int(rec["t_arrival_ns"][0]),
            t_device_ns=None if t_device == NO_DEVICE_TIME else t_device,
            valid=bool(rec["valid"][0]),
            data={k: rec[k].reshape(f.shape) for k, f in self.specs[i].fields.items()},
        )
