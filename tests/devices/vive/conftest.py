"""The fake ``openvr`` for the VIVE tests, and helpers to wait on device threads."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from devices.sample import Sample
from devices.vive import session

FAKES = Path(__file__).resolve().parents[2] / "fakes"
LEFT = "LHR-1A2B3C4D"
RIGHT = "LHR-5E6F7A8B"


def pose(x: float, y: float, z: float, yaw_rad: float = 0.0) -> np.ndarray:
    """T_universe_tracker (4x4, m): a rotation about the universe's up axis (+y) and a
    translation."""
    c, s = np.cos(yaw_rad), np.sin(yaw_rad)
    t = np.eye(4)
    t[:3, :3] = [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]]
    t[:3, 3] = [x, y, z]
    return t


def wait_until(predicate: Callable[[], object], timeout_s: float = 5.0) -> None:
    """Wait for a device thread to make ``predicate`` true; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout_s} s")
        time.sleep(0.005)


class Collector:
    """A device sink keeping every sample."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._lock = threading.Lock()

    def __call__(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def since(self, count: int) -> list[Sample]:
        with self._lock:
            return self.samples[count:]

    def __len__(self) -> int:
        with self._lock:
            return len(self.samples)

    def wait_for(self, predicate: Callable[[Sample], bool], after: int = 0) -> Sample:
        """The first sample from index ``after`` on that satisfies ``predicate``."""
        found: list[Sample] = []

        def seen() -> bool:
            found[:] = [s for s in self.since(after) if predicate(s)][:1]
            return bool(found)

        wait_until(seen)
        return found[0]


@pytest.fixture
def fake_openvr(monkeypatch):
    """The fake pyopenvr imported as ``openvr``, with an installed, running SteamVR and no
    devices. Checks at the end that every user released the shared session."""
    monkeypatch.syspath_prepend(str(FAKES))
    for name in ("openvr", "openvr.error_code"):
        sys.modules.pop(name, None)
    import openvr

    try:
        yield openvr
        assert session._shared is None, "an OpenVR session was not released"
        assert not openvr.fake_runtime.initialized, "openvr.shutdown() was not called"
    finally:
        session._shared = None
        for name in ("openvr", "openvr.error_code"):
            sys.modules.pop(name, None)


@pytest.fixture
def runtime(fake_openvr):
    """The fake SteamVR with the two wrist trackers switched on and tracked."""
    rt = fake_openvr.fake_runtime
    rt.add_device("LHB-00000001", fake_openvr.TrackedDeviceClass_TrackingReference, None)
    rt.add_device(LEFT, battery=0.8)
    rt.add_device(RIGHT, battery=0.55)
    rt.set_pose(LEFT, pose(0.3, 1.1, -0.4, 0.5))
    rt.set_pose(RIGHT, pose(-0.3, 1.0, -0.45, -0.25))
    return rt
