"""The sensor devices in their own processes, and the station-side links to them.

Gloves, trackers, cameras and tactile sensors (and replays of them) run here, off the
station's interpreter: three simulated 1280x720 cameras alone hold the GIL for about half a
core, which left the operator window a few frames per second. The cameras get a process of
their own (:func:`sensor_groups`): beside the other sensors they missed frame periods. Real
SDK devices benefit the same way (their callbacks' Python work stays off the window's GIL).

Start-up is a handshake over a pipe: the child builds the devices and sends their stream
specs and infos; the station creates one output ring per device (sized for its streams), a
forward ring and a status ring, and sends their names; the child then starts the devices.
Device samples come back through the output rings unchanged (seq and the three timestamps as
emitted). The robot's measured state (``body``, ``hand_*`` samples of the control process) is
forwarded into the child's own bus, where simulated sensors read it (``BuildContext.latest``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from app.bus import Bus
from app.child_process import (
    SHUTDOWN,
    end_child,
    parent_alive,
    receive_startup,
    spawn_child,
    status_dict,
)
from app.config import StationConfig, parse_config
from app.control_process import ACTUATOR_FAMILIES
from app.sample_codec import SampleCodec
from app.shm_ring import ShmRing
from devices.device import Device, DeviceStatus
from devices.hands import Tactile
from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.streams import StreamSpec

RING_SECONDS = 0.25
"""Each output ring holds this long of its device's samples (at least MIN_RING_RECORDS)."""
MIN_RING_RECORDS = 8
FORWARD_RECORDS = 512
"""Robot-state samples in flight into a child (a second of body and hand states or more)."""
STATUS_RECORD = 65536
"""Bytes of one status report (JSON of every device's status)."""
POLL_S = 0.002
"""How often each side drains its rings (s)."""
STATUS_PERIOD_S = 0.5
"""How often a child reports its devices' statuses (s); it also checks then that the
station still runs."""
EXITED = "sensor process exited"
TARE = 1
"""Command-ring code: zero the tactile device named after it (SHUTDOWN is 0)."""
COMMAND_RECORD = 64
CAMERA_NICE = 5
"""The camera process yields the CPU to the station process (recorder, window), the control
loop and the other sensors when the machine is saturated: a simulated camera then skips a
frame rather than the recorder dropping samples it already has, or a glove going stale."""


@dataclass
class _Plan:
    """What the station sends the child once it knows the specs: ring names and the specs
    of the forwarded streams."""

    outputs: dict[str, str]
    forward: str
    forward_specs: list[StreamSpec]
    commands: str
    status: str


def sensor_groups(config: StationConfig) -> list[tuple[list[str], int]]:
    """(device names, nice) per sensor process: the cameras in one at CAMERA_NICE (three
    rendered or decoded 1280x720 streams fill a process's GIL on their own), every other
    sensor (the control loop's gloves and trackers among them) in another at normal priority."""
    sensors = sensor_names(config)
    cameras = [n for n in sensors if config.devices[n].family == "camera"]
    others = [n for n in sensors if n not in cameras]
    return [(group, nice) for group, nice in ((cameras, CAMERA_NICE), (others, 0)) if group]


def sensor_names(config: StationConfig) -> list[str]:
    """The sensor devices of ``config`` (every family but the actuators), in config order."""
    return [n for n, e in config.devices.items() if e.family not in ACTUATOR_FAMILIES]


def build_sensors(
    config: StationConfig, names: Sequence[str], latest: Callable[[str], Sample | None]
) -> dict[str, Device]:
    """Build (not start) the devices ``names``; simulated ones read the robot's state and
    each other's samples through ``latest``."""
    context = BuildContext(
        scene=config.sim,
        robot_from_universe=np.asarray(config.calibration.robot_from_universe, float),
        latest=latest,
    )
    return {
        name: build_device(entry.family, entry.backend, name, entry.options, context)
        for name, entry in config.devices.items()
        if name in names
    }


def tare_tactile(device: Device) -> None:
    """Zero ``device`` (SDK ``calib_tactile``) if it is a tactile sensor; others ignore it."""
    if isinstance(device, Tactile):
        device.tare()


def _sensor_main(config_data: dict[str, Any], names: list[str], nice: int, conn: Any) -> None:
    """Entry point of a sensor process running the devices ``names`` at ``nice``."""
    os.nice(nice)
    config = parse_config(config_data, "<sensor process>")
    bus = Bus()
    try:
        devices = build_sensors(config, names, bus.latest)
    except Exception as exc:  # reported to the station, which raises it with the reason
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("devices", {n: (d.family, list(d.streams()), d.info()) for n, d in devices.items()}))
    plan: _Plan = conn.recv()
    outputs = {name: ShmRing.attach(ring) for name, ring in plan.outputs.items()}
    forward, commands = ShmRing.attach(plan.forward), ShmRing.attach(plan.commands)
    status_ring = ShmRing.attach(plan.status)
    forward_codec = SampleCodec(plan.forward_specs)
    for name, device in devices.items():
        codec, ring = SampleCodec(device.streams()), outputs[name]
        device.start(lambda sample, c=codec, r=ring: r.put(c.pack(sample)))
    next_status = 0.0
    try:
        while _run_commands(commands.get_all(), devices):
            for payload in forward.get_all():
                bus.publish(forward_codec.unpack(payload))
            now = time.monotonic()
            if now >= next_status:
                if not parent_alive():
                    return
                next_status = now + STATUS_PERIOD_S
                report = {n: status_dict(d) for n, d in devices.items()}
                status_ring.put(json.dumps(report).encode())
            time.sleep(POLL_S)
    finally:
        for device in devices.values():
            device.stop()
        for ring in (*outputs.values(), forward, commands, status_ring):
            ring.close()


def _run_commands(payloads: list[bytes], devices: dict[str, Device]) -> bool:
    """Apply device commands (``TARE`` + device name); False once SHUTDOWN arrives."""
    for payload in payloads:
        if payload[0] == SHUTDOWN:
            return False
        device = devices.get(payload[1:].decode())
        if payload[0] == TARE and device is not None:
            tare_tactile(device)
    return True


class SensorLink:
    """Station side: starts a sensor process for the devices ``names``, forwards the robot's
    state into it, and publishes what its devices emit."""

    def __init__(
        self,
        config: StationConfig,
        names: list[str],
        publish: Callable[[Sample], None],
        nice: int = 0,
    ) -> None:
        self.config = config
        self.names = names
        self.nice = nice
        self._publish = publish
        self._conn: Any = None
        self._process: BaseProcess | None = None
        self._outputs: dict[str, tuple[ShmRing, SampleCodec]] = {}
        self._forward: ShmRing | None = None
        self._forward_codec: SampleCodec | None = None
        self._forward_lock = threading.Lock()
        self._commands = ShmRing(COMMAND_RECORD, 16)
        self._status_ring = ShmRing(STATUS_RECORD, 8)
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        self.families: dict[str, str] = {}
        """Device name -> family."""
        self.device_specs: dict[str, list[StreamSpec]] = {}
        self.infos: dict[str, dict[str, str]] = {}
        """Device name -> info (serials, versions): as built, then as last reported."""
        self.statuses: dict[str, DeviceStatus] = {}
        self.forward_drops = 0

    @property
    def specs(self) -> list[StreamSpec]:
        """Every stream of the sensor devices (known once :meth:`await_devices` returned)."""
        return [s for specs in self.device_specs.values() for s in specs]

    def launch(self) -> None:
        """Spawn the process; it builds its devices meanwhile. Idempotent."""
        if self._process is not None:
            return
        self._process, self._conn = spawn_child(
            _sensor_main,
            (self.config.model_dump(), self.names, self.nice),
            f"dexstation-sensors-{self.names[0]}",
        )

    def await_devices(self) -> None:
        """Wait until the (launched) process has built its devices, which are not started."""
        self.launch()
        try:
            kind, payload = receive_startup(self._conn, "sensor process")
        except RuntimeError:
            self.stop()
            raise
        if kind == "error":
            self.stop()
            raise RuntimeError(f"sensor devices could not be built: {payload}")
        for name, (family, specs, info) in payload.items():
            self.families[name] = family
            self.device_specs[name] = specs
            self.infos[name] = info
            self.statuses[name] = DeviceStatus(False, "starting", info)

    def start(self, forward_specs: Sequence[StreamSpec]) -> None:
        """Create the rings, let the devices start, and begin publishing their samples.

        ``forward_specs`` are the streams (the robot's state) the child's devices read.
        """
        for name, specs in self.device_specs.items():
            codec = SampleCodec(specs)
            rate = sum(s.rate_hz for s in specs)
            capacity = max(int(rate * RING_SECONDS), MIN_RING_RECORDS)
            self._outputs[name] = (ShmRing(max(codec.max_size, 1), capacity), codec)
        self._forward_codec = SampleCodec(forward_specs)
        self._forward = ShmRing(max(self._forward_codec.max_size, 1), FORWARD_RECORDS)
        self._conn.send(
            _Plan(
                outputs={name: ring.name for name, (ring, _) in self._outputs.items()},
                forward=self._forward.name,
                forward_specs=list(forward_specs),
                commands=self._commands.name,
                status=self._status_ring.name,
            )
        )
        self._reader = threading.Thread(target=self._read, name="sensor-reader", daemon=True)
        self._reader.start()

    def tare(self, device: str) -> None:
        """Ask the child to zero tactile ``device`` (its SDK ``calib_tactile``)."""
        self._commands.put(bytes([TARE]) + device.encode())

    def feed(self, sample: Sample) -> None:
        """Forward a robot-state sample into the child (subscribe this to the bus)."""
        codec = self._forward_codec
        if codec is None or not codec.knows(sample.stream):
            return
        with self._forward_lock:  # stop() may close the ring meanwhile
            if self._forward is not None and not self._forward.put(codec.pack(sample)):
                self.forward_drops += 1

    @property
    def ring_drops(self) -> int:
        """Samples lost crossing from the child (output rings full) or into it."""
        return self.forward_drops + sum(ring.dropped for ring, _ in self._outputs.values())

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _read(self) -> None:
        while not self._stop.is_set():
            for ring, codec in self._outputs.values():
                for payload in ring.get_all():
                    self._publish(codec.unpack(payload))
            for payload in self._status_ring.get_all():
                self.statuses = {n: DeviceStatus(**s) for n, s in json.loads(payload).items()}
                self.infos = {n: s.info for n, s in self.statuses.items()}
            if not self.alive:
                self.statuses = {
                    n: DeviceStatus(False, EXITED, self.infos[n]) for n in self.device_specs
                }
                return
            time.sleep(POLL_S)

    def stop(self) -> None:
        """Stop the devices and the process, and free the rings. Safe to call twice."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._commands.put(bytes([SHUTDOWN]))
        if self._process is not None:
            end_child(self._process)
        if self._reader is not None:
            self._reader.join(timeout=2.0)
        with self._forward_lock:
            rings = [ring for ring, _ in self._outputs.values()]
            for ring in (*rings, self._forward, self._commands, self._status_ring):
                if ring is not None:
                    ring.close()
            self._outputs = {}
            self._forward = None


class SensorProcesses:
    """Every sensor process of a station, driven as one (see :class:`SensorLink`)."""

    def __init__(self, config: StationConfig, publish: Callable[[Sample], None]) -> None:
        self.links = [
            SensorLink(config, names, publish, nice) for names, nice in sensor_groups(config)
        ]

    def launch(self) -> None:
        for link in self.links:
            link.launch()

    def await_devices(self) -> None:
        for link in self.links:
            link.await_devices()

    def start(self, forward_specs: Sequence[StreamSpec]) -> None:
        for link in self.links:
            link.start(forward_specs)

    def feed(self, sample: Sample) -> None:
        for link in self.links:
            link.feed(sample)

    def tare(self, device: str) -> None:
        """Zero tactile ``device`` in whichever process runs it."""
        for link in self.links:
            if device in link.device_specs:
                link.tare(device)

    def stop(self) -> None:
        for link in self.links:
            link.stop()

    @property
    def alive(self) -> bool:
        return all(link.alive for link in self.links)

    @property
    def specs(self) -> list[StreamSpec]:
        return [s for link in self.links for s in link.specs]

    @property
    def families(self) -> dict[str, str]:
        return {n: f for link in self.links for n, f in link.families.items()}

    @property
    def device_specs(self) -> dict[str, list[StreamSpec]]:
        return {n: s for link in self.links for n, s in link.device_specs.items()}

    @property
    def infos(self) -> dict[str, dict[str, str]]:
        return {n: i for link in self.links for n, i in link.infos.items()}

    @property
    def statuses(self) -> dict[str, DeviceStatus]:
        return {n: s for link in self.links for n, s in link.statuses.items()}

    @property
    def ring_drops(self) -> int:
        return sum(link.ring_drops for link in self.links)
