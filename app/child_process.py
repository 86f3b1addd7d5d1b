"""What the station's child processes (control loop, sensors) share: spawning, the start-up
and shutdown conventions, and how a device's status crosses.

A child is spawned (a fresh interpreter, none of the station's threads or Qt state) with one
end of a pipe for its start-up handshake; it is ended by a ``SHUTDOWN`` record on its command
ring, and terminated if it has not exited within ``JOIN_TIMEOUT_S``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from devices.device import Device

STARTUP_TIMEOUT_S = 60.0
"""How long a child may take to build its devices and answer the handshake (s)."""
JOIN_TIMEOUT_S = 5.0
"""How long a child may take to stop its devices after ``SHUTDOWN`` (s)."""
TERMINATE_TIMEOUT_S = 2.0
"""How long a terminated child may take to exit (s)."""
SHUTDOWN = 0
"""Command-ring code that ends a child process (every other command code is positive).

A ring record, not a multiprocessing.Event: polling that Event takes a lock shared with the
station process, whose threads run at normal priority and could hold it while descheduled."""


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Environment for spawning a child: BLAS/OpenMP without helper threads.

    The children's linear algebra is small; pool threads would only compete with it.
    """
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def spawn_child(
    target: Callable[..., None], args: tuple[Any, ...], name: str
) -> tuple[BaseProcess, Connection]:
    """Start ``target(*args, conn)`` in a spawned daemon process with single-threaded BLAS;
    returns the process and the station's end of the pipe whose other end is ``conn``."""
    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(*args, child), name=name, daemon=True)
    with single_threaded_blas():
        process.start()
    child.close()  # the child holds its own copy; the station's end then sees the child die
    return process, conn


def receive_startup(conn: Connection, what: str) -> Any:
    """The child's start-up message; RuntimeError naming ``what`` when none comes within
    ``STARTUP_TIMEOUT_S`` or the child exits first."""
    if not conn.poll(STARTUP_TIMEOUT_S):
        raise RuntimeError(f"{what} did not start within {STARTUP_TIMEOUT_S:.0f} s")
    try:
        return conn.recv()
    except (EOFError, OSError):  # the pipe closed (or was reset) by the child's exit
        raise RuntimeError(f"{what} exited while starting") from None


def end_child(process: BaseProcess) -> None:
    """Wait for ``process`` (told to shut down) to exit; terminate it after ``JOIN_TIMEOUT_S``."""
    process.join(timeout=JOIN_TIMEOUT_S)
    if process.is_alive():
        process.terminate()
        process.join(timeout=TERMINATE_TIMEOUT_S)


def parent_alive() -> bool:
    """In a child: True while the process that spawned it runs (a station killed outright
    leaves no one to send ``SHUTDOWN``)."""
    parent = mp.parent_process()
    return parent is None or parent.is_alive()


def status_dict(device: Device) -> dict[str, Any]:
    """``device.status()`` as JSON-ready fields of :class:`devices.device.DeviceStatus`."""
    status = device.status()
    return {"connected": status.connected, "message": status.message, "info": status.info}
