"""The sensor devices as threads of the station process (``[station] sensor_process = false``).

The in-process counterpart of :class:`app.sensor_process.SensorProcesses`, with the same
interface, for debugging and for tests that reach into the device objects. The devices read
the robot's state straight from the station's bus. Simulated cameras then share the
station's GIL with the window: three 1280x720 ones hold it for about two thirds of a core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.config import StationConfig
from app.sensor_process import build_sensors, sensor_names, tare_tactile
from devices.device import Device, DeviceStatus
from devices.sample import Sample
from devices.streams import StreamSpec


class SensorThreads:
    """Every sensor device of a station, built and run in this process. ``publish`` gets
    their samples; ``latest`` is the station bus's newest sample per stream."""

    ring_drops = 0
    """Nothing crosses a process boundary, so nothing is lost on the way."""

    def __init__(
        self,
        config: StationConfig,
        publish: Callable[[Sample], None],
        latest: Callable[[str], Sample | None],
    ) -> None:
        self.config = config
        self._publish = publish
        self._latest = latest
        self.devices: dict[str, Device] = {}
        """Device name -> device, built by :meth:`launch`."""

    def launch(self) -> None:
        """Build the devices (not started). Idempotent."""
        if not self.devices:
            self.devices = build_sensors(self.config, sensor_names(self.config), self._latest)

    def await_devices(self) -> None:
        """Build the devices unless :meth:`launch` did."""
        self.launch()

    def start(self, forward_specs: Sequence[StreamSpec]) -> None:
        """Start every device. ``forward_specs`` (the robot's state the simulated devices
        read) need no forwarding: the devices read the station's bus."""
        for device in self.devices.values():
            device.start(self._publish)

    def feed(self, sample: Sample) -> None:
        """Nothing to forward (see :meth:`start`)."""

    def tare(self, device: str) -> None:
        """Zero tactile ``device`` (its SDK ``calib_tactile``)."""
        tare_tactile(self.devices[device])

    def stop(self) -> None:
        """Stop every device. Safe to call twice."""
        for device in self.devices.values():
            device.stop()

    @property
    def alive(self) -> bool:
        """Always True: the devices live as long as the station process."""
        return True

    @property
    def specs(self) -> list[StreamSpec]:
        return [s for d in self.devices.values() for s in d.streams()]

    @property
    def families(self) -> dict[str, str]:
        return {n: d.family for n, d in self.devices.items()}

    @property
    def device_specs(self) -> dict[str, list[StreamSpec]]:
        return {n: list(d.streams()) for n, d in self.devices.items()}

    @property
    def infos(self) -> dict[str, dict[str, str]]:
        return {n: d.info() for n, d in self.devices.items()}

    @property
    def statuses(self) -> dict[str, DeviceStatus]:
        return {n: d.status() for n, d in self.devices.items()}
