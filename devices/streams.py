"""Stream declarations: what a stream carries, its dtype, shape, unit and frame."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Encoding = Literal["raw", "jpeg"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One typed array field of a stream.

    ``shape`` is per sample; ``unit`` is SI unless stated ("deg" for Manus angles, "u8" for
    sensor maps); ``doc`` names the frame for poses and positions. ``encoding`` tells the
    recorder how to store it: ``raw`` (lossless chunks) or ``jpeg`` (HxWx3 uint8 images).
    ``nan_means_absent`` marks float fields where NaN is meaningful (padding rows, no command
    sent) rather than a fault.
    """

    shape: tuple[int, ...]
    dtype: str
    unit: str
    doc: str
    encoding: Encoding = "raw"
    nan_means_absent: bool = False

    def empty(self) -> np.ndarray:
        """An array of this field's shape and dtype filled with NaN (floats) or zeros."""
        arr = np.zeros(self.shape, dtype=self.dtype)
        if np.issubdtype(arr.dtype, np.floating):
            arr.fill(np.nan)
        return arr


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """A named stream: its family, nominal rate (Hz) and fields."""

    name: str
    family: str
    rate_hz: float
    fields: Mapping[str, FieldSpec] = field(default_factory=dict)

    def checked_finite(self) -> tuple[str, ...]:
        """Float fields that must be finite in a healthy sample."""
        return tuple(
            name
            for name, f in self.fields.items()
            if np.dtype(f.dtype).kind == "f" and not f.nan_means_absent
        )

    def check(self, data: Mapping[str, np.ndarray]) -> None:
        """Raise ValueError when ``data`` does not match the declared fields."""
        if set(data) != set(self.fields):
            raise ValueError(
                f"stream {self.name!r}: fields {sorted(data)} != declared {sorted(self.fields)}"
            )
        for key, spec in self.fields.items():
            arr = data[key]
            if arr.shape != spec.shape or arr.dtype != np.dtype(spec.dtype):
                raise ValueError(
                    f"stream {self.name!r} field {key!r}: got {arr.dtype}{arr.shape}, "
                    f"declared {spec.dtype}{spec.shape}"
                )
