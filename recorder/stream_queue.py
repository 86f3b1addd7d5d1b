"""A bounded, never-blocking queue of one stream's samples between producers and the writer."""

from __future__ import annotations

import threading
import time
from collections import deque

from devices.sample import Sample


class StreamQueue:
    """FIFO of at most ``capacity`` samples; a sample offered to a full queue is dropped.

    :meth:`offer` never waits for the consumer: its lock is shared only by producers of the
    same stream and held for a length check and an append, so that ``dropped`` is exact even
    with several producers. :meth:`take` (one consumer) relies on the deque's atomic popleft.
    Each sample is kept with the time it was queued (monotonic ns, the queue's own clock: the
    sample's stamps may come from a replayed recording).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.dropped = 0
        self._items: deque[tuple[int, Sample]] = deque()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def offer(self, sample: Sample) -> bool:
        """Append ``sample``, or count it as dropped when the queue is full. True if queued."""
        with self._lock:
            if len(self._items) >= self.capacity:
                self.dropped += 1
                return False
            self._items.append((time.monotonic_ns(), sample))
            return True

    def oldest_ns(self) -> int | None:
        """When the oldest queued sample was queued (monotonic ns), None when empty."""
        try:
            return self._items[0][0]
        except IndexError:
            return None

    def take(self, n: int) -> list[Sample]:
        """Remove and return the ``n`` oldest samples (fewer if fewer are queued)."""
        items = self._items
        return [items.popleft()[1] for _ in range(min(n, len(items)))]

    def discard(self) -> int:
        """Drop everything queued, counting it in ``dropped``; returns how many were queued."""
        with self._lock:
            n = len(self._items)
            self._items.clear()
            self.dropped += n
            return n
