import numpy as np

from app.health import HealthTracker
from devices.sample import Sample


def sample(seq, t_ms, value=1.0, valid=True):
    t = int(t_ms * 1e6)
    return Sample("s", seq, t, t + 2_000_000, None, valid, {"x": np.array([value])})


def test_gaps_invalid_rate_age_and_latency():
    tracker = HealthTracker("s")
    for seq, t in ((0, 0), (1, 10), (4, 40), (5, 50)):
        tracker.observe(sample(seq, t))
    tracker.observe(sample(6, 60, value=np.nan))
    tracker.observe(sample(7, 70, valid=False))
    h = tracker.snapshot(int(100e6))
    assert h.count == 6
    assert h.gaps == 2
    assert h.invalid == 2
    assert abs(h.age_ms - 30.0) < 1e-6
    assert abs(h.latency_ms - 2.0) < 1e-6
    assert abs(h.rate_hz - 3.0) < 1e-6
