"""Per-stream health: rate, age, drops, latency, computed from the samples themselves."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from devices.sample import Sample

_RATE_WINDOW_S = 2.0


@dataclass(frozen=True, slots=True)
class StreamHealth:
    """A stream's health at one moment.

    ``rate_hz`` over the last two seconds; ``age_ms`` since the newest sample's capture;
    ``latency_ms`` arrival minus capture of the newest sample; ``gaps`` samples missing by seq
    (lost at the device or link); ``dropped`` samples the station itself could not keep
    (recording queue overflow, filled in by the station while recording); ``invalid`` samples
    the device flagged invalid or that hold non-finite values where they must be finite.
    """

    stream: str
    count: int
    rate_hz: float
    age_ms: float
    latency_ms: float
    gaps: int
    dropped: int
    invalid: int


class HealthTracker:
    """Accumulates samples of one stream. Not thread-safe: the bus serialises calls."""

    def __init__(self, stream: str, finite_fields: tuple[str, ...] | None = None) -> None:
        """``finite_fields``: fields that must be finite (default: every float field)."""
        self.stream = stream
        self.finite_fields = finite_fields
        self.count = 0
        self.gaps = 0
        self.invalid = 0
        self._last_seq: int | None = None
        self._last: Sample | None = None
        self._times: deque[int] = deque()

    def observe(self, sample: Sample) -> None:
        """Account for one arrived sample."""
        self.count += 1
        if self._last_seq is not None and sample.seq > self._last_seq + 1:
            self.gaps += sample.seq - self._last_seq - 1
        self._last_seq = sample.seq
        if not sample.valid or not sample.is_finite(self.finite_fields):
            self.invalid += 1
        self._last = sample
        self._times.append(sample.t_arrival_ns)
        horizon = sample.t_arrival_ns - int(_RATE_WINDOW_S * 1e9)
        while self._times and self._times[0] < horizon:
            self._times.popleft()

    def snapshot(self, now_ns: int) -> StreamHealth:
        """Health as of ``now_ns`` (monotonic)."""
        last = self._last
        horizon = now_ns - int(_RATE_WINDOW_S * 1e9)
        recent = sum(1 for t in self._times if t >= horizon)
        return StreamHealth(
            stream=self.stream,
            count=self.count,
            rate_hz=recent / _RATE_WINDOW_S,
            age_ms=float("inf") if last is None else (now_ns - last.t_capture_ns) * 1e-6,
            latency_ms=float("nan")
            if last is None
            else (last.t_arrival_ns - last.t_capture_ns) * 1e-6,
            gaps=self.gaps,
            dropped=0,
            invalid=self.invalid,
        )
