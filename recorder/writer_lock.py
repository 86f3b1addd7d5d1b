"""The writer lock: how a live recording is told apart from an interrupted one.

The recording process holds an exclusive ``flock`` on ``<episode>/writer.lock``
(:data:`~recorder.layout.WRITER_LOCK`) from before the episode's group ``zarr.json`` exists
until its final metadata is written, then removes the file. The kernel releases the lock when
the process ends, however it ends, so an episode still ``recording`` whose lock nobody holds
was interrupted. Recovery takes the same lock before finalising an episode, so it never runs
under a live writer nor beside another recovery.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from recorder.layout import WRITER_LOCK


class WriterLock:
    """An exclusive hold on one episode folder's writer lock; build with :meth:`try_acquire`."""

    def __init__(self, path: Path, file: IO[str]) -> None:
        self.path = path
        self._file: IO[str] | None = file

    @classmethod
    def try_acquire(cls, folder: Path) -> WriterLock | None:
        """Take the lock of the episode folder ``folder`` (creating the lock file), or None when
        another holder (a process, or another hold in this one) has it. Never blocks."""
        path = folder / WRITER_LOCK
        file = path.open("a")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return None
        return cls(path, file)

    def release(self) -> None:
        """Remove the lock file, then release the lock (a finished episode is pure zarr).
        Releasing twice is no error."""
        if self._file is not None:
            self.path.unlink(missing_ok=True)
            self._file.close()
            self._file = None


def is_held(folder: Path) -> bool:
    """True while someone holds the writer lock of the episode folder ``folder``. Creates
    nothing: an episode without a lock file has no writer."""
    try:
        with (folder / WRITER_LOCK).open("r") as file:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(file, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except FileNotFoundError:
        return False
    return False
