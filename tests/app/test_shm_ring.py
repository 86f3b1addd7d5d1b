import pytest

from app.shm_ring import ShmRing


def test_round_trip_and_attach():
    ring = ShmRing(32, 4)
    other = ShmRing.attach(ring.name)
    try:
        assert other.capacity == 4 and other.record_size == 32
        assert ring.put(b"abc") and ring.put(b"")
        assert other.get_all() == [b"abc", b""]
        assert other.get_all() == []
    finally:
        other.close()
        ring.close()


def test_full_ring_drops_and_counts_without_blocking():
    ring = ShmRing(8, 2)
    try:
        assert ring.put(b"1") and ring.put(b"2")
        assert not ring.put(b"3")
        assert ring.dropped == 1
        assert ring.get_all() == [b"1", b"2"]
        assert ring.put(b"4")
        assert ring.get_all() == [b"4"]
    finally:
        ring.close()


def test_oversized_record_is_refused():
    ring = ShmRing(4, 2)
    try:
        with pytest.raises(ValueError, match="exceeds"):
            ring.put(b"12345")
    finally:
        ring.close()
