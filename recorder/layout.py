"""Names and attributes of the episode layout, shared by the writer and the reader.

An episode is the zarr v3 group ``<root>/<episode_id>/``; each stream is the subgroup
``streams/<stream>/`` holding the per-sample arrays of :data:`TIMING_FIELDS` and one array per
field (or two for JPEG fields, see :func:`jpeg_bytes_name`). docs/dataset.md describes it for
people reading episodes without this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devices.streams import FieldSpec, StreamSpec

STREAMS_GROUP = "streams"

WRITER_LOCK = "writer.lock"
"""File in the episode folder that the recording process holds an exclusive ``flock`` on while
it records; the OS releases it when that process ends, however it ends. Removed at a clean
stop, so only an interrupted episode keeps it. Not part of the zarr hierarchy."""

NO_DEVICE_TIME = -1
"""Value of ``t_device_ns`` in rows whose sample had no device time (``has_t_device`` false)."""

TIMING_FIELDS: dict[str, FieldSpec] = {
    "seq": FieldSpec((), "int64", "1", "device sample counter; a gap is a sample never written"),
    "t_capture_ns": FieldSpec(
        (), "int64", "ns", "best estimate of the capture time, station monotonic clock"
    ),
    "t_arrival_ns": FieldSpec((), "int64", "ns", "arrival in the station, monotonic clock"),
    "t_device_ns": FieldSpec(
        (), "int64", "ns", "device clock, raw; -1 where has_t_device is false"
    ),
    "has_t_device": FieldSpec((), "bool", "1", "the sample carried a device time"),
    "valid": FieldSpec(
        (), "bool", "1", "the device's verdict; invalid rows keep their data as received"
    ),
}
"""Arrays every stream has, one row per written sample, in arrival order."""

JPEG_BYTES_SUFFIX = ".jpeg_bytes"
JPEG_OFFSETS_SUFFIX = ".jpeg_offsets"


def jpeg_bytes_name(field: str) -> str:
    """The 1-D uint8 array holding the concatenated JPEG files of a JPEG field."""
    return field + JPEG_BYTES_SUFFIX


def jpeg_offsets_name(field: str) -> str:
    """The (N, 2) int64 array of (start, length) in bytes of each frame's JPEG file."""
    return field + JPEG_OFFSETS_SUFFIX


def check_field_names(spec: StreamSpec) -> None:
    """Raise ValueError when a field name cannot be an array name beside the timing arrays."""
    for name in spec.fields:
        if name in TIMING_FIELDS or not name or "/" in name or "." in name or name[:2] == "__":
            raise ValueError(f"stream {spec.name!r}: field name {name!r} is reserved or not a name")


def stream_attrs(spec: StreamSpec) -> dict[str, Any]:
    """The stream group's attributes: family, nominal rate (Hz) and every field's declaration."""
    return {
        "family": spec.family,
        "rate_hz": spec.rate_hz,
        "fields": {
            name: {
                "shape": list(f.shape),
                "dtype": f.dtype,
                "unit": f.unit,
                "doc": f.doc,
                "encoding": f.encoding,
                "nan_means_absent": f.nan_means_absent,
            }
            for name, f in spec.fields.items()
        },
    }


def spec_from_attrs(name: str, attrs: Mapping[str, Any]) -> StreamSpec:
    """Rebuild the :class:`StreamSpec` a stream was recorded with from its group attributes."""
    fields = {
        key: FieldSpec(
            tuple(f["shape"]),
            f["dtype"],
            f["unit"],
            f["doc"],
            f["encoding"],
            bool(f.get("nan_means_absent", False)),
        )
        for key, f in attrs["fields"].items()
    }
    return StreamSpec(name, attrs["family"], float(attrs["rate_hz"]), fields)


def field_attrs(spec: FieldSpec) -> dict[str, Any]:
    """Attributes of a field's array: unit and doc (and how to decode JPEG bytes)."""
    attrs: dict[str, Any] = {"unit": spec.unit, "doc": spec.doc}
    if spec.encoding == "jpeg":
        attrs |= {"encoding": "jpeg", "frame_shape": list(spec.shape)}
    return attrs
