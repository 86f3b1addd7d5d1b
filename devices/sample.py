"""The one record type every device emits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass(slots=True)
class Sample:
    """One observation of one stream.

    Times are integer nanoseconds. ``t_capture_ns`` and ``t_arrival_ns`` are on the station's
    monotonic clock (``time.monotonic_ns()``, shared by every process of the station);
    ``t_device_ns`` is the device's own clock, raw, or None when the device has no clock.
    ``seq`` counts samples the device produced, so a gap in ``seq`` is a dropped sample.
    ``valid`` is the device's own verdict; invalid samples keep their data as received.
    ``data`` holds the typed arrays declared by the stream's :class:`StreamSpec`.
    """

    stream: str
    seq: int
    t_capture_ns: int
    t_arrival_ns: int
    t_device_ns: int | None = None
    valid: bool = True
    data: dict[str, np.ndarray] = field(default_factory=dict)

    def is_finite(self, fields: Iterable[str] | None = None) -> bool:
        """True when the named fields (default: every float field) hold only finite values."""
        names = self.data if fields is None else fields
        return all(
            np.isfinite(v).all() for v in (self.data[n] for n in names) if v.dtype.kind == "f"
        )
