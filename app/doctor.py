"""What ``dexstation doctor`` checks: every configured device, from its SDK to its rate.

For each device of the station's configuration (with the station profile's tracker serials,
as the station would start them): a real backend runs its own checks
(:meth:`devices.hardware.HardwareDevice.diagnose`: SDK importable, runtime running, device
found), all devices at once so the whole takes about one timeout. Every device that passed is
then started for a few seconds without commands, and each of its streams' measured rate is
compared with the nominal one. Nothing here commands an actuator.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from app.config import StationConfig
from app.sensor_process import build_sensors
from app.station import station_profile_of, with_station_profile
from devices.device import Device
from devices.hardware import Finding, HardwareDevice
from devices.registry import backend_class
from devices.sample import Sample

RATE_TOLERANCE = 0.8
"""A stream passes the rate check at this fraction of its nominal rate or more."""
RATE_FIX = "check the device's cable or network link and the host's load"


@dataclass
class DeviceReport:
    """Everything checked about one configured device, in order."""

    device: str
    family: str
    backend: str
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return all(finding.ok for finding in self.findings)


def station_in_force(config: StationConfig) -> StationConfig:
    """``config`` as the station would run it: with its profile's tracker serials."""
    profile = station_profile_of(config)
    return config if profile is None else with_station_profile(config, profile)


def examine(
    config: StationConfig,
    timeout_s: float = 3.0,
    rate_s: float = 2.0,
    progress: Callable[[str], None] = lambda line: None,
) -> list[DeviceReport]:
    """Check every device of ``config``; ``progress`` gets a line as each phase starts.

    ``timeout_s`` bounds each device's own checks (s); ``rate_s`` is how long the devices
    that passed them stream for the rate check (s; 0 skips it).
    """
    config = station_in_force(config)
    progress(f"checking {len(config.devices)} devices (up to {timeout_s:g} s)")
    with ThreadPoolExecutor(max_workers=max(len(config.devices), 1)) as pool:
        futures = {
            name: pool.submit(_diagnose, entry.family, entry.backend, entry.options, timeout_s)
            for name, entry in config.devices.items()
        }
        reports = [
            DeviceReport(name, entry.family, entry.backend, futures[name].result())
            for name, entry in config.devices.items()
        ]
    passed = [r.device for r in reports if r.ok]
    if rate_s > 0 and passed:
        progress(f"measuring the rates of {len(passed)} devices for {rate_s:g} s")
        rates = _measure_rates(config, passed, rate_s)
        for report in reports:
            report.findings += rates.get(report.device, [])
    return reports


def _diagnose(family: str, backend: str, options: dict, timeout_s: float) -> list[Finding]:
    """The backend's own checks; simulated and replayed backends need none."""
    cls = backend_class(family, backend)
    if not issubclass(cls, HardwareDevice):
        return [Finding(f"{backend} backend", True, "needs no hardware")]
    try:
        return cls.diagnose(cls.Options.model_validate(options), timeout_s)
    except Exception as exc:  # a doctor reports every failure, never dies of one
        return [
            Finding(
                f"{backend} checks ran",
                False,
                f"{type(exc).__name__}: {exc}",
                "run the device alone with `dexstation run` and read its status",
            )
        ]


def _measure_rates(config: StationConfig, names: list[str], seconds: float) -> dict:
    """Start ``names`` for ``seconds`` and compare each stream's rate with its nominal."""
    counts: Counter[str] = Counter()
    latest: dict[str, Sample] = {}
    lock = threading.Lock()

    def sink(sample: Sample) -> None:
        with lock:
            if sample.valid:
                counts[sample.stream] += 1
            latest[sample.stream] = sample

    devices = build_sensors(config, names, latest.get)
    for device in devices.values():
        device.start(sink)
    time.sleep(seconds)
    statuses = {name: device.status() for name, device in devices.items()}
    for device in devices.values():
        device.stop()
    return {
        name: [_rate_finding(device, counts, seconds, statuses[name].message)]
        for name, device in devices.items()
    }


def _rate_finding(device: Device, counts: Counter, seconds: float, message: str) -> Finding:
    """One finding for all of ``device``'s streams: the slowest relative to its nominal."""
    measured = {s.name: (counts[s.name] / seconds, s.rate_hz) for s in device.streams()}
    slowest = min(measured, key=lambda name: measured[name][0] / measured[name][1])
    rate, nominal = measured[slowest]
    ok = rate >= RATE_TOLERANCE * nominal
    detail = ", ".join(f"{name} {r:.1f} Hz" for name, (r, _) in measured.items())
    if not ok:
        detail = f"{slowest} at {rate:.1f} of {nominal:g} Hz ({message or 'no error reported'})"
    return Finding(f"valid samples at >= {RATE_TOLERANCE:.0%} of nominal", ok, detail, RATE_FIX)
