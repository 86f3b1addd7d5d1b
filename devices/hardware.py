"""The shared life cycle of real (SDK-backed) devices: lazy SDK import, connect with retry,
stream until the device goes away, reconnect; and the findings ``dexstation doctor`` prints.

A real backend derives from :class:`HardwareDevice` and implements :meth:`_connect`,
:meth:`_stream_until_lost` and :meth:`_disconnect`. Its worker thread connects, streams,
and on a :class:`~devices.errors.DeviceError` records the reason (shown in the health panel),
disconnects, waits ``retry_s`` and connects again, until the device is stopped. The station
never sees an exception from a missing SDK or an unplugged device, only a status message that
names the fix.
"""

from __future__ import annotations

import importlib
import threading
from abc import abstractmethod
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from devices.device import DeviceStatus, ThreadedDevice
from devices.errors import DeviceError
from devices.faults import FaultSpec


@dataclass(frozen=True)
class Finding:
    """One line of ``dexstation doctor``: what was checked, whether it passed, and the fix."""

    check: str
    ok: bool
    detail: str
    fix: str = ""


def import_sdk(module: str, fix: str) -> ModuleType:
    """Import a vendor SDK module, or raise DeviceError saying it is missing and ``fix``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DeviceError(f"{module} is not importable ({exc}); fix: {fix}") from exc


def sdk_finding(module: str, fix: str) -> Finding:
    """The doctor's check that ``module`` imports."""
    try:
        import_sdk(module, fix)
    except DeviceError as exc:
        return Finding(f"{module} importable", False, str(exc).split("; fix:")[0], fix)
    return Finding(f"{module} importable", True, "yes")


class HardwareDevice(ThreadedDevice):
    """A device behind a vendor SDK, connected and streamed from its own worker thread.

    ``retry_s`` is the wait between connection attempts (s). The status is connected only
    between a successful :meth:`_connect` and the loss of the device; otherwise its message is
    the last error, which names the fix.
    """

    def __init__(self, name: str, retry_s: float = 2.0, faults: FaultSpec | None = None) -> None:
        super().__init__(name, faults)
        self.retry_s = retry_s
        self._connected = threading.Event()

    @classmethod
    def diagnose(cls, options: Any, timeout_s: float) -> list[Finding]:
        """Checks for ``dexstation doctor``: SDK importable, runtime running, device found.

        Must not start streaming and must return within about ``timeout_s`` seconds.
        """
        return []

    @abstractmethod
    def _connect(self) -> None:
        """Open the SDK and the device. Raise DeviceError with the fix in the message."""

    @abstractmethod
    def _stream_until_lost(self) -> None:
        """Emit samples until ``self._stop`` is set (return) or the device is lost (raise
        DeviceError)."""

    @abstractmethod
    def _disconnect(self) -> None:
        """Release the device and the SDK. Must not raise; safe after a failed connect."""

    def status(self) -> DeviceStatus:
        status = super().status()
        if not self._connected.is_set():
            status.connected = False
            status.message = self._message or "connecting"
        return status

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._connect()
                self._connected.set()
                self._message = ""
                self._stream_until_lost()
            except DeviceError as exc:
                self._message = str(exc)
            finally:
                self._connected.clear()
                self._disconnect()
            self._stop.wait(self.retry_s)
