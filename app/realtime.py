"""Real-time scheduling for the control process, with an honest report when it is refused."""

from __future__ import annotations

import gc
import os
import sys
import time

SWITCH_INTERVAL_S = 0.0002
"""GIL switch interval in the control process: other threads yield within 0.2 ms."""


def make_realtime(enabled: bool, priority: int) -> str:
    """Ask for SCHED_FIFO at ``priority`` for the calling thread; return what was granted."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if not enabled:
        return "normal scheduling (realtime disabled in config)"
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
    except (PermissionError, OSError, AttributeError) as exc:
        return (
            f"normal scheduling: SCHED_FIFO refused ({exc}); grant rtprio (limits.conf "
            f"'@group - rtprio {priority}') for precise timing"
        )
    return f"SCHED_FIFO priority {priority}"


def quiet_gc() -> None:
    """Move everything allocated so far out of the collector's way (fewer, shorter pauses)."""
    gc.collect()
    gc.freeze()


def sleep_until(deadline_ns: int, spin_ns: int) -> int:
    """Sleep, then busy-wait the last ``spin_ns``, until ``deadline_ns``; returns now (ns)."""
    now = time.monotonic_ns()
    coarse = deadline_ns - spin_ns - now
    if coarse > 0:
        time.sleep(coarse * 1e-9)
    now = time.monotonic_ns()
    while now < deadline_ns:
        now = time.monotonic_ns()
    return now
