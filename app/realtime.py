"""Real-time scheduling for the control process, with an honest report when it is refused."""

from __future__ import annotations

import ctypes
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


PR_SET_THP_DISABLE = 41


def disable_transparent_huge_pages() -> str:
    """Opt this process and its children out of transparent huge pages; returns what happened.

    numpy asks for huge pages on large arrays (camera frames, recorder batches); the kernel's
    ``khugepaged`` thread then collapses them, and on kernels without preemption it held a CPU
    for 3-4 ms at a time (ftrace), delaying the real-time control loop's wake-up as long.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
            return f"transparent huge pages left on (prctl errno {ctypes.get_errno()})"
    except (OSError, AttributeError) as exc:
        return f"transparent huge pages left on ({exc})"
    return "transparent huge pages off"


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
