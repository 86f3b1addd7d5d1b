"""Rate, sequence numbers and injected faults, common to every periodic sim device."""

import time
from typing import NamedTuple

import numpy as np
import pytest

from devices.device import DeviceStatus
from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.streams import StreamSpec

FAULTS = {"drop_rate": 0.2, "nan_s": [(0.3, 0.5)], "disconnect_s": [(0.6, 0.8)], "seed": 3}
DEVICES = {
    "glove": {"side": "left"},
    "tracker": {"side": "right"},
    "hand": {"side": "right"},
    "body": {},
}
MARGIN_S = 0.02


class Run(NamedTuple):
    spec: StreamSpec
    timed: list[tuple[float, Sample]]
    """Delivered samples with their capture time (s since start)."""
    during: DeviceStatus
    """Status in the middle of the disconnect window."""
    after: DeviceStatus


def _sleep_until(t0_ns: int, seconds: float) -> None:
    time.sleep(max(t0_ns * 1e-9 + seconds - time.monotonic(), 0.0))


@pytest.fixture(scope="module", params=sorted(DEVICES))
def run(request):
    """One second of a device with drops, a NaN burst at 0.3-0.5 s and a disconnect at
    0.6-0.8 s."""
    options = {"faults": FAULTS, **DEVICES[request.param]}
    device = build_device(request.param, "sim", request.param, options, BuildContext())
    samples: list[Sample] = []
    t0 = time.monotonic_ns()
    device.start(samples.append)
    try:
        _sleep_until(t0, 0.7)
        during = device.status()
        _sleep_until(t0, 1.05)
        after = device.status()
    finally:
        device.stop()
    timed = [((s.t_capture_ns - t0) * 1e-9, s) for s in samples]
    return Run(device.streams()[0], timed, during, after)


def test_samples_match_their_stream(run):
    for _, sample in run.timed:
        assert sample.stream == run.spec.name
        run.spec.check(sample.data)


def test_rate_within_ten_percent(run):
    rate_hz = run.spec.rate_hz
    (t_first, first), (t_last, last) = run.timed[0], run.timed[-1]
    produced = (last.seq - first.seq) / (t_last - t_first)
    assert abs(produced - rate_hz) < 0.1 * rate_hz


def test_seq_and_capture_time_increase(run):
    timed = run.timed
    seqs = np.array([s.seq for _, s in timed])
    times = np.array([t for t, _ in timed])
    assert (np.diff(seqs) > 0).all()
    assert (np.diff(times) > 0).all()
    assert all(s.t_arrival_ns >= s.t_capture_ns for _, s in timed)


def test_drops_leave_seq_gaps(run):
    timed = run.timed
    early = [s.seq for t, s in timed if t < 0.3 - MARGIN_S]
    delivered = len(early) / (early[-1] - early[0] + 1)
    assert 0.6 < delivered < 0.95
    assert (np.diff(early) > 1).any()


def test_nan_window_corrupts_samples(run):
    timed = run.timed
    inside = [s for t, s in timed if 0.3 + MARGIN_S < t < 0.5 - MARGIN_S]
    outside = [s for t, s in timed if t < 0.3 - MARGIN_S or t > 0.5 + MARGIN_S]
    assert inside and outside
    assert not any(s.is_finite() for s in inside)
    assert all(s.is_finite() for s in outside)


def test_disconnect_window_silences_and_reports(run):
    assert not any(0.6 + MARGIN_S < t < 0.8 - MARGIN_S for t, _ in run.timed)
    assert any(t > 0.8 + MARGIN_S for t, _ in run.timed)
    assert not run.during.connected
    assert run.after.connected
