import numpy as np

from devices.clock import ClockOffsetEstimator


def test_recovers_capture_time_despite_jittery_latency():
    rng = np.random.default_rng(0)
    est = ClockOffsetEstimator(window_s=5.0)
    offset = 123_456_789_000
    errors = []
    for i in range(2000):
        capture = 1_000_000_000 + i * 10_000_000  # 100 Hz on the station clock
        device = capture - offset
        arrival = capture + 200_000 + int(rng.exponential(2_000_000))  # >= 0.2 ms latency
        estimate = est.capture_time(device, arrival)
        assert estimate <= arrival
        if i > 200:
            errors.append(abs(estimate - capture))
    assert max(errors) < 400_000  # within 0.4 ms of the truth


def test_follows_drift_within_the_window():
    """A device clock 50 ppm slow: a global minimum would be off by 1.5 ms after 30 s.

    A constant transport latency (1 ms here) cannot be observed, so errors are measured
    relative to it.
    """
    windowed, forever = ClockOffsetEstimator(window_s=1.0), ClockOffsetEstimator(window_s=1e6)
    for i in range(3000):
        capture = i * 10_000_000
        device = int(capture * (1 - 50e-6))
        arrival = capture + 1_000_000
        last_windowed = windowed.capture_time(device, arrival) - capture
        last_forever = forever.capture_time(device, arrival) - capture
    latency = 1_000_000
    assert abs(last_windowed - latency) < 100_000
    assert abs(last_forever - latency) > 1_000_000
