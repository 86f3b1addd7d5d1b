"""Mapping a device's clock onto the station's monotonic clock.

A device stamps samples on its own clock (``t_device_ns``); we receive them at
``t_arrival_ns`` = device time + offset + transport latency, where latency >= 0 varies.
The smallest ``arrival - device`` seen over a sliding window is the best offset estimate
(latency at its minimum), and ``device + offset`` is then the capture time on our clock.
The window lets the estimate follow slow drift between the two oscillators.
"""

from __future__ import annotations

from collections import deque


class ClockOffsetEstimator:
    """Sliding-window minimum of (arrival - device) over ``window_s`` seconds of arrivals."""

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_ns = int(window_s * 1e9)
        self._candidates: deque[tuple[int, int]] = deque()  # (arrival, offset), offsets rising

    def capture_time(self, t_device_ns: int, t_arrival_ns: int) -> int:
        """Best estimate (station monotonic ns) of when the sample was captured.

        Never later than the arrival time.
        """
        offset = t_arrival_ns - t_device_ns
        while self._candidates and self._candidates[-1][1] >= offset:
            self._candidates.pop()
        self._candidates.append((t_arrival_ns, offset))
        while self._candidates[0][0] < t_arrival_ns - self.window_ns:
            self._candidates.popleft()
        return min(t_device_ns + self._candidates[0][1], t_arrival_ns)

    @property
    def offset_ns(self) -> int | None:
        """Current offset estimate (station - device), or None before the first sample."""
        return self._candidates[0][1] if self._candidates else None
