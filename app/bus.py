"""The station bus: the latest sample per stream, health, and fan-out to subscribers.

Every device sink and the control-process reader publish here. Subscribers (the recorder,
the control-input forwarder) are called in the publisher's thread and must never block.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from app.health import HealthTracker, StreamHealth
from devices.sample import Sample
from devices.streams import StreamSpec

Subscriber = Callable[[Sample], None]


class Bus:
    """Latest slot per stream plus health; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Sample] = {}
        self._health: dict[str, HealthTracker] = {}
        self._subscribers: list[Subscriber] = []

    def declare(self, specs: Iterable[StreamSpec]) -> None:
        """Register streams so health knows which fields must be finite."""
        with self._lock:
            for spec in specs:
                self._health[spec.name] = HealthTracker(spec.name, spec.checked_finite())

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers = [*self._subscribers, subscriber]

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers = [s for s in self._subscribers if s != subscriber]

    def publish(self, sample: Sample) -> None:
        """Store ``sample`` as the latest of its stream and hand it to every subscriber."""
        with self._lock:
            self._latest[sample.stream] = sample
            tracker = self._health.get(sample.stream)
            if tracker is None:
                tracker = self._health[sample.stream] = HealthTracker(sample.stream)
            tracker.observe(sample)
            subscribers = self._subscribers
        for subscriber in subscribers:
            subscriber(sample)

    def latest(self, stream: str) -> Sample | None:
        """The newest sample of ``stream``, or None before the first."""
        return self._latest.get(stream)

    def health(self, now_ns: int | None = None) -> dict[str, StreamHealth]:
        """Health of every stream seen so far."""
        now = time.monotonic_ns() if now_ns is None else now_ns
        with self._lock:
            return {name: t.snapshot(now) for name, t in sorted(self._health.items())}
