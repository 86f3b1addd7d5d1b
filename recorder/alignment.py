"""Resampling recorded streams onto a common timeline, from each stream's own capture times.

Times are int64 nanoseconds on the station's monotonic clock: a stream's ``t_capture_ns`` and
the timeline's times alike (docs/dataset.md). Rows are taken in capture order, whatever their
arrival order. Invalid rows (the device's verdict) are treated like samples never received.

Two ways to give a stream a value at time t, both from real samples only:

- zero-order hold: the newest valid sample captured at or before t, provided it is at most
  ``max_age_ns`` old; otherwise (before the first sample, or in a gap) there is no value;
- linear interpolation: between the newest valid sample at or before t and the oldest one
  after it, provided these two are at most ``max_age_ns`` apart (a sample exactly at t is
  taken as it is); a longer gap is never bridged, and past the last sample there is no value.

So every value rests on samples within ``max_age_ns`` of it. Where there is no value,
:attr:`Resampling.fresh` is False and float values are NaN (other dtypes: zero).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from recorder.episode_reader import Episode, StreamData

GAP_PERIODS = 3.0
"""By default a stream's samples more than this many nominal periods apart leave a gap
(15 ms for a 200 Hz stream, 100 ms at 30 Hz)."""
NS_PER_S = 1_000_000_000


def default_max_age_ns(rate_hz: float) -> int:
    """The default age limit (ns) of a stream of nominal rate ``rate_hz`` (Hz): GAP_PERIODS
    periods."""
    return round(GAP_PERIODS * NS_PER_S / rate_hz)


def _gather(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]``, any row for -1 (masked later); zeros if there are no values."""
    if not len(values):
        return np.zeros((len(rows), *values.shape[1:]), values.dtype)
    return values[np.clip(rows, 0, None)]


@dataclass(frozen=True)
class Resampling:
    """Where each time of a timeline (T times) takes a stream's value from.

    ``before``: row of the newest valid sample captured at or before the time (-1: none);
    ``after``: row of the oldest valid sample captured after it (-1: none); ``weight``: where
    the time lies between the two, 0 at ``before`` and towards 1 at ``after`` (float64);
    ``fresh``: whether the stream has a value there (see the module docstring).
    """

    before: np.ndarray
    after: np.ndarray
    weight: np.ndarray
    fresh: np.ndarray

    def held(self, values: np.ndarray) -> np.ndarray:
        """(T, *shape) values of the ``before`` rows of per-row ``values`` (N, *shape);
        NaN (floats) or zero where not fresh."""
        return self._masked(_gather(np.asarray(values), self.before))

    def interpolated(self, values: np.ndarray) -> np.ndarray:
        """(T, *shape) float values linearly interpolated between the ``before`` and ``after``
        rows of per-row float ``values`` (N, *shape), in float64 then back to their dtype; NaN
        where not fresh."""
        values = np.asarray(values)
        if not np.issubdtype(values.dtype, np.floating):
            raise TypeError(f"linear interpolation needs float values, not {values.dtype}")
        a = _gather(values, self.before).astype(np.float64)
        b = _gather(values, self.after).astype(np.float64)
        w = self.weight.reshape(-1, *(1,) * (values.ndim - 1))
        mixed = np.where(w > 0, a + (b - a) * w, a)
        return self._masked(mixed.astype(values.dtype))

    def _masked(self, out: np.ndarray) -> np.ndarray:
        out = np.array(out, copy=True)
        out[~self.fresh] = np.nan if np.issubdtype(out.dtype, np.floating) else 0
        return out


@dataclass(frozen=True)
class _Neighbours:
    """Rows (-1: none) and capture times (ns, 0 where there is no row) of the valid samples
    just at or before, and just after, each time."""

    before: np.ndarray
    after: np.ndarray
    t_before: np.ndarray
    t_after: np.ndarray


def _neighbours(t_capture_ns: np.ndarray, valid: np.ndarray, times_ns: np.ndarray) -> _Neighbours:
    rows = np.flatnonzero(valid)
    rows = rows[np.argsort(t_capture_ns[rows], kind="stable")]
    index = np.searchsorted(t_capture_ns[rows], times_ns, side="right")
    padded_rows = np.concatenate([[-1], rows, [-1]]).astype(np.int64)
    padded_t = np.concatenate([[0], t_capture_ns[rows], [0]]).astype(np.int64)
    return _Neighbours(
        padded_rows[index], padded_rows[index + 1], padded_t[index], padded_t[index + 1]
    )


def hold(
    t_capture_ns: np.ndarray, valid: np.ndarray, times_ns: np.ndarray, max_age_ns: int
) -> Resampling:
    """Zero-order hold of a stream whose rows were captured at ``t_capture_ns`` (ns, any
    order) with the device's ``valid`` verdicts, at ``times_ns`` (ns)."""
    times_ns = np.asarray(times_ns, np.int64)
    n = _neighbours(t_capture_ns, valid, times_ns)
    fresh = (n.before >= 0) & (times_ns - n.t_before <= max_age_ns)
    return Resampling(n.before, n.after, np.zeros(len(times_ns)), fresh)


def linear(
    t_capture_ns: np.ndarray, valid: np.ndarray, times_ns: np.ndarray, max_age_ns: int
) -> Resampling:
    """Linear interpolation of a stream (arguments as :func:`hold`): between two valid
    samples at most ``max_age_ns`` apart, or a sample exactly at the time."""
    times_ns = np.asarray(times_ns, np.int64)
    n = _neighbours(t_capture_ns, valid, times_ns)
    exact = (n.before >= 0) & (n.t_before == times_ns)
    between = (n.before >= 0) & (n.after >= 0) & (n.t_after - n.t_before <= max_age_ns) & ~exact
    span = np.where(between, n.t_after - n.t_before, 1)
    weight = np.where(between, (times_ns - n.t_before) / span, 0.0)
    return Resampling(n.before, n.after, weight, exact | between)


def stream_resampling(
    stream: StreamData, times_ns: np.ndarray, interpolate: bool, max_age_s: float | None = None
) -> Resampling:
    """:func:`linear` (``interpolate``) or :func:`hold` of a recorded stream at ``times_ns``;
    ``max_age_s`` (s) defaults to GAP_PERIODS periods of the stream's nominal rate."""
    max_age_ns = (
        default_max_age_ns(stream.spec.rate_hz) if max_age_s is None else round(max_age_s * 1e9)
    )
    method = linear if interpolate else hold
    return method(stream.t_capture_ns, stream.valid, times_ns, max_age_ns)


def timeline(start_ns: int, stop_ns: int, fps: float) -> np.ndarray:
    """Times (int64 ns) from ``start_ns`` every 1/``fps`` s, rounded to the nanosecond, up to
    ``stop_ns`` included; empty when ``stop_ns < start_ns``."""
    if stop_ns < start_ns:
        return np.zeros(0, np.int64)
    count = int((stop_ns - start_ns) * fps // NS_PER_S) + 2  # one more: rounding may fit it
    times = start_ns + np.round(np.arange(count) * (NS_PER_S / fps)).astype(np.int64)
    return times[times <= stop_ns]


def overlap(streams: Iterable[StreamData]) -> tuple[int, int] | None:
    """(start, stop) ns of the span where every one of ``streams`` has valid samples: from the
    latest first valid capture to the earliest last one; None if a stream has none, or if
    they never overlap."""
    starts, stops = [], []
    for stream in streams:
        captured = stream.t_capture_ns[stream.valid]
        if not len(captured):
            return None
        starts.append(int(captured.min()))
        stops.append(int(captured.max()))
    if not starts or min(stops) < max(starts):
        return None
    return max(starts), min(stops)


def episode_timeline(episode: Episode, streams: Iterable[str], fps: float) -> np.ndarray:
    """Times (int64 ns) at ``fps`` over the overlap of the episode's ``streams``; empty when
    they do not overlap."""
    span = overlap(episode.stream(name) for name in streams)
    return np.zeros(0, np.int64) if span is None else timeline(*span, fps)
