from devices.sim.device_clock import MAX_DRIFT_PPM, SimDeviceClock


def test_offset_and_drift_are_seeded_per_device():
    a, b = SimDeviceClock("glove_left", 0, 0), SimDeviceClock("glove_left", 0, 0)
    other = SimDeviceClock("glove_right", 0, 0)
    assert (a.offset_ns, a.drift) == (b.offset_ns, b.drift)
    assert (a.offset_ns, a.drift) != (other.offset_ns, other.drift)
    assert abs(a.drift) <= MAX_DRIFT_PPM * 1e-6


def test_device_time_advances_with_drift():
    t_ref = 7_000_000_000
    clock = SimDeviceClock("body", 3, t_ref)
    assert clock(t_ref) == clock.offset_ns
    ten_s = 10_000_000_000
    elapsed = clock(t_ref + ten_s) - clock(t_ref)
    assert abs(elapsed - ten_s * (1 + clock.drift)) <= 1
    assert elapsed != ten_s
