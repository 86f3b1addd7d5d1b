"""A ring of fixed-size records in shared memory, one producer process, one consumer.

Used between the station process and the control process: the producer never waits on the
consumer (a full ring drops the record and counts it), the consumer polls. Head and tail are
int64 counters written by one side each; on x86-64 and ARM64 an aligned 8-byte store is
atomic, and the record is written before the head is advanced. Threads of the producing
process share a lock, so several device threads may put concurrently.
"""

from __future__ import annotations

import threading
from multiprocessing import shared_memory

import numpy as np

_HEADER = 5  # head, tail, dropped, record_size, capacity (int64 each)


class ShmRing:
    """Records of at most ``record_size`` bytes, ``capacity`` of them.

    The creator passes sizes; the other process attaches with :meth:`attach`.
    """

    def __init__(self, record_size: int, capacity: int, name: str | None = None) -> None:
        self.owner = name is None
        self._put_lock = threading.Lock()
        if self.owner:
            nbytes = _HEADER * 8 + (8 + record_size) * capacity
            self._shm = shared_memory.SharedMemory(create=True, size=nbytes)
        else:
            # Spawned children share the creator's resource tracker, so attaching registers
            # nothing new and only the creator unlinks the segment.
            self._shm = shared_memory.SharedMemory(name=name)
        self._counters = np.ndarray((_HEADER,), dtype=np.int64, buffer=self._shm.buf)
        if self.owner:
            self._counters[:] = (0, 0, 0, record_size, capacity)
        self.record_size = int(self._counters[3])
        self.capacity = capacity = int(self._counters[4])
        slot = 8 + self.record_size  # int64 length prefix + payload
        self._slots = np.ndarray(
            (capacity, slot), dtype=np.uint8, buffer=self._shm.buf, offset=_HEADER * 8
        )
        self._lengths = self._slots[:, :8].view(np.int64).reshape(capacity)

    @classmethod
    def attach(cls, name: str) -> ShmRing:
        """Open a ring another process created."""
        return cls(0, 0, name)

    @property
    def name(self) -> str:
        return self._shm.name

    @property
    def dropped(self) -> int:
        """Records the producer could not place because the ring was full."""
        return int(self._counters[2])

    def put(self, payload: bytes | memoryview) -> bool:
        """Append one record; False (and counted) when the ring is full. Never blocks."""
        n = len(payload)
        if n > self.record_size:
            raise ValueError(f"record of {n} bytes exceeds ring record size {self.record_size}")
        with self._put_lock:
            head, tail = int(self._counters[0]), int(self._counters[1])
            if head - tail >= self.capacity:
                self._counters[2] += 1
                return False
            i = head % self.capacity
            self._lengths[i] = n
            self._slots[i, 8 : 8 + n] = np.frombuffer(payload, dtype=np.uint8)
            self._counters[0] = head + 1
            return True

    def get_all(self) -> list[bytes]:
        """Every record available now, oldest first."""
        head, tail = int(self._counters[0]), int(self._counters[1])
        out = []
        while tail < head:
            i = tail % self.capacity
            out.append(self._slots[i, 8 : 8 + int(self._lengths[i])].tobytes())
            tail += 1
        self._counters[1] = tail
        return out

    def close(self) -> None:
        """Detach; the creator also removes the segment."""
        self._counters = self._slots = self._lengths = None  # release buffer exports
        self._shm.close()
        if self.owner:
            self._shm.unlink()
