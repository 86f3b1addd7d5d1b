"""Per-process singletons of the simulated station, kept in ``BuildContext.shared``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from devices.registry import BuildContext

T = TypeVar("T")

_lock = threading.Lock()


def shared_instance(context: BuildContext, key: str, create: Callable[[], T]) -> T:
    """``context.shared[key]``, created by ``create()`` on first use (thread-safe)."""
    with _lock:
        if key not in context.shared:
            context.shared[key] = create()
        return context.shared[key]
