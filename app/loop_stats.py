"""Control-loop timing from the ``control`` stream: period error, lateness, input age."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from devices.sample import Sample


@dataclass(frozen=True)
class LoopTiming:
    """Timing over the last WINDOW_S seconds of ticks; periods in ms, as deviation from nominal."""

    ticks: int
    missed_ticks: int
    rate_hz: float
    period_p50_ms: float
    period_p99_ms: float
    period_max_ms: float
    lateness_p99_ms: float
    max_input_age_ms: float
    compute_p50_us: float


WINDOW_S = 900.0
"""Ticks older than this are forgotten, so memory stays bounded on long sessions."""


class LoopStats:
    """Collects the control stream's tick times (subscribe :meth:`observe` to the bus)."""

    def __init__(self, rate_hz: float) -> None:
        self.nominal_ns = 1e9 / rate_hz
        self._lock = threading.Lock()
        window = int(WINDOW_S * rate_hz)
        self._t: deque[int] = deque(maxlen=window)
        self._seq: deque[int] = deque(maxlen=window)
        self._late: deque[float] = deque(maxlen=window)
        self._age: deque[float] = deque(maxlen=window)
        self._compute: deque[float] = deque(maxlen=window)

    def observe(self, sample: Sample) -> None:
        if sample.stream != "control":
            return
        with self._lock:
            self._t.append(sample.t_capture_ns)
            self._seq.append(sample.seq)
            self._late.append(float(sample.data["lateness_us"]))
            self._age.append(float(sample.data["input_age_ms"]))
            self._compute.append(float(sample.data["compute_us"]))

    def reset(self) -> None:
        with self._lock:
            for values in (self._t, self._seq, self._late, self._age, self._compute):
                values.clear()

    def timing(self) -> LoopTiming:
        with self._lock:
            t = np.asarray(self._t, dtype=np.int64)
            seq = np.asarray(self._seq)
            late = np.asarray(self._late)
            age = np.asarray(self._age)
            compute = np.asarray(self._compute)
        consecutive = np.diff(seq) == 1
        periods = np.diff(t)[consecutive]
        error = np.abs(periods - self.nominal_ns) * 1e-6
        missed = int(np.maximum(np.rint(periods / self.nominal_ns) - 1, 0).sum())
        span = (t[-1] - t[0]) * 1e-9 if len(t) > 1 else 0.0

        def pct(values: np.ndarray, q: float) -> float:
            return float(np.percentile(values, q)) if len(values) else float("nan")

        return LoopTiming(
            ticks=len(t),
            missed_ticks=missed,
            rate_hz=(len(t) - 1) / span if span else float("nan"),
            period_p50_ms=pct(error, 50),
            period_p99_ms=pct(error, 99),
            period_max_ms=float(error.max()) if len(error) else float("nan"),
            lateness_p99_ms=pct(late, 99) * 1e-3,
            max_input_age_ms=float(age.max()) if len(age) else float("nan"),
            compute_p50_us=pct(compute, 50),
        )
