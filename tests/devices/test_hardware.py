"""HardwareDevice: retry on connect failure, reconnect after loss, status names the reason."""

import threading
import time

import numpy as np
import pytest

from devices.errors import DeviceError
from devices.hardware import HardwareDevice, import_sdk, sdk_finding
from devices.streams import FieldSpec, StreamSpec

STREAM = StreamSpec("probe", "tracker", 100.0, {"x": FieldSpec((), "float64", "m", "value")})


class FlakyDevice(HardwareDevice):
    """Fails its first connect, then streams three samples and loses the device, forever."""

    family = "tracker"
    backend = "flaky"

    def __init__(self) -> None:
        super().__init__("flaky", retry_s=0.01)
        self.connects = 0
        self.disconnects = 0
        self.streaming = threading.Event()

    def streams(self) -> tuple[StreamSpec, ...]:
        return (STREAM,)

    def _connect(self) -> None:
        self.connects += 1
        if self.connects == 1:
            raise DeviceError("no device; fix: plug it in")

    def _stream_until_lost(self) -> None:
        for k in range(3):
            self._emit("probe", time.monotonic_ns(), {"x": np.array(float(k))})
        self.streaming.set()
        if self.connects >= 3:
            self._stop.wait()
            return
        raise DeviceError("device lost")

    def _disconnect(self) -> None:
        self.disconnects += 1


def test_retries_reconnects_and_reports_the_reason():
    device = FlakyDevice()
    assert not device.status().connected
    got = []
    device.start(got.append)
    deadline = time.monotonic() + 5
    while device.connects < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert device.streaming.wait(5)
    assert device.status().connected
    device.stop()
    assert device.connects == 3
    assert device.disconnects == 3
    assert [s.seq for s in got] == list(range(6))
    assert not device.status().connected


def test_first_failure_is_shown_with_its_fix():
    device = FlakyDevice()
    device.retry_s = 60.0
    device.start(lambda sample: None)
    deadline = time.monotonic() + 5
    while "plug it in" not in device.status().message and time.monotonic() < deadline:
        time.sleep(0.01)
    status = device.status()
    device.stop()
    assert not status.connected
    assert "fix: plug it in" in status.message


def test_missing_sdk_names_module_and_fix():
    with pytest.raises(DeviceError, match=r"no_such_sdk.*fix: pip install it"):
        import_sdk("no_such_sdk", "pip install it")
    finding = sdk_finding("no_such_sdk", "pip install it")
    assert not finding.ok
    assert finding.fix == "pip install it"
    assert sdk_finding("json", "").ok
