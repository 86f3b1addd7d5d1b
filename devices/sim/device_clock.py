"""A simulated device clock: the station's monotonic clock seen through an offset and a drift."""

from __future__ import annotations

from devices.sim.seeding import seeded_rng

MAX_DRIFT_PPM = 50.0
"""Crystal oscillators in consumer devices drift by tens of parts per million."""


class SimDeviceClock:
    """Maps station monotonic time (ns) to a device's own clock (ns).

    The device booted a seeded while (1e3-1e5 s) before ``t_ref_ns`` and its clock runs fast
    or slow by a seeded drift within +-MAX_DRIFT_PPM, so ``t_device_ns`` differs from
    ``t_capture_ns`` by an offset that grows slowly, as a real device clock's does.
    """

    def __init__(self, name: str, seed: int, t_ref_ns: int) -> None:
        rng = seeded_rng(seed, "clock", name)
        self.offset_ns = int(rng.uniform(1e3, 1e5) * 1e9)
        self.drift = rng.uniform(-MAX_DRIFT_PPM, MAX_DRIFT_PPM) * 1e-6
        self.t_ref_ns = t_ref_ns

    def __call__(self, t_ns: int) -> int:
        """The device clock's reading (ns) at station monotonic time ``t_ns``."""
        elapsed = t_ns - self.t_ref_ns
        return self.offset_ns + elapsed + round(elapsed * self.drift)
