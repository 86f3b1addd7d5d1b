"""Tactile tare guard and drift monitor, from the fingertip sensors' own samples.

Contact is judged from the DEFORM map (penetration, which a drifting F6 offset does not
fake): a fingertip touches when its DEFORM peak stands CONTACT_DEFORM_MM above the map's
median. A tare (the SDK's ``calib_tactile``) is refused while any fingertip touches, or when
an F6 force is larger than a tare may remove (then something presses, or the sensor is
faulty). While a fingertip does not touch, :class:`DriftMonitor` follows its F6 offset
(N, the force part, smoothed) and its DEFORM background (mm), warns when either leaves its
band, and keeps a bounded history per sensor for the drift plot.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from devices.hands import Tactile
from devices.sample import Sample

CONTACT_DEFORM_MM = 0.2
"""DEFORM peak above the map's median (mm) that counts as contact."""
TARE_MAX_FORCE_N = 2.0
"""Largest F6 force (N) a tare may remove; above it something presses on the sensor."""
DRIFT_WARN_N = 0.3
"""F6 force offset (N) that calls for a re-tare."""
DRIFT_WARN_DEFORM_MM = 0.05
"""DEFORM background mean (mm) that calls for a re-tare."""
BACKGROUND_STRIDE = 4
"""The DEFORM background (median) is taken on every 4th pixel of every 4th row."""
OBSERVE_PERIOD_NS = 200_000_000
"""The drift monitor looks at each sensor at most this often (ns): drift is slow."""
SMOOTHING = 0.05
"""Weight of each observation in the offset estimate (about 20 observations, 4 s)."""
HISTORY = 3600
"""Drift points kept per sensor."""


def deform_mm(sample: Sample) -> np.ndarray:
    """The DEFORM map in mm."""
    return np.asarray(sample.data["deform"], dtype=np.float32) * Tactile.deform_mm_per_unit


def touching(sample: Sample) -> bool:
    """True when the fingertip's DEFORM peak stands out of its background (contact)."""
    deform = deform_mm(sample)
    background = np.median(deform[::BACKGROUND_STRIDE, ::BACKGROUND_STRIDE])
    return float(deform.max() - background) > CONTACT_DEFORM_MM


def tare_refusal(samples: Iterable[Sample]) -> str | None:
    """Why a tare must not happen now (naming the fingertip), or None when it may."""
    for sample in samples:
        if not sample.valid:
            return f"{sample.stream} has no valid reading: check the hand's connection"
        if touching(sample):
            return f"{sample.stream} is in contact: take the hand off every object, then tare"
        force = float(np.linalg.norm(sample.data["f6"][:3]))
        if force > TARE_MAX_FORCE_N:
            return (
                f"{sample.stream} reads {force:.1f} N, more than a tare may remove "
                f"({TARE_MAX_FORCE_N} N): nothing may press on it; if nothing does, the "
                "sensor needs service"
            )
    return None


@dataclass(frozen=True)
class DriftPoint:
    """One sensor's drift estimate at ``t_ns``: F6 force offset (N) and DEFORM background
    mean (mm), measured without contact."""

    t_ns: int
    offset_n: float
    background_mm: float


class DriftMonitor:
    """Follows each fingertip's drift while it does not touch; call :meth:`observe` with
    every tactile sample, :meth:`warnings` for the operator, :meth:`reset` after a tare."""

    def __init__(self) -> None:
        self._offset: dict[str, np.ndarray] = {}
        self._background: dict[str, float] = {}
        self.history: dict[str, deque[DriftPoint]] = {}

    def observe(self, sample: Sample) -> None:
        """Take a tactile sample into account (at most every OBSERVE_PERIOD_NS per sensor)."""
        last = self.history.get(sample.stream)
        if last and sample.t_capture_ns - last[-1].t_ns < OBSERVE_PERIOD_NS:
            return
        if not sample.valid or touching(sample):
            return
        force = np.asarray(sample.data["f6"][:3], dtype=float)
        background = float(deform_mm(sample).mean())
        name = sample.stream
        if name not in self._offset:
            self._offset[name], self._background[name] = force, background
        else:
            self._offset[name] += SMOOTHING * (force - self._offset[name])
            self._background[name] += SMOOTHING * (background - self._background[name])
        point = DriftPoint(
            sample.t_capture_ns, float(np.linalg.norm(self._offset[name])), self._background[name]
        )
        self.history.setdefault(name, deque(maxlen=HISTORY)).append(point)

    def warnings(self) -> list[str]:
        """One line per drifted sensor, with the figure and the fix."""
        out = []
        for name, points in sorted(self.history.items()):
            last = points[-1]
            if last.offset_n > DRIFT_WARN_N:
                out.append(f"{name}: F6 offset {last.offset_n:.2f} N without contact: re-tare")
            elif last.background_mm > DRIFT_WARN_DEFORM_MM:
                out.append(
                    f"{name}: DEFORM background {last.background_mm:.2f} mm without contact: "
                    "re-tare"
                )
        return out

    def reset(self, stream: str | None = None) -> None:
        """Forget the offsets (all, or one sensor's) after a tare; the history stays."""
        for table in (self._offset, self._background):
            if stream is None:
                table.clear()
            else:
                table.pop(stream, None)
