"""The control loop in its own process, and the station-side link to it.

Python threads share one GIL, so a 200 Hz loop beside camera rendering and encoding misses
its deadlines; in its own process with SCHED_FIFO and a short spin before each deadline it
keeps sub-millisecond timing. The actuators (body, hands) live in that process: the loop is
the only writer of their commands. Samples cross in shared-memory rings, never blocking.

Station -> control: input samples (gloves, trackers) and operator commands.
Control -> station: ``control``, ``body`` and ``hand_*`` samples, and status reports.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from app.child_process import SHUTDOWN, end_child, receive_startup, spawn_child, status_dict
from app.config import StationConfig, parse_config
from app.realtime import make_realtime, quiet_gc, sleep_until
from app.sample_codec import SampleCodec
from app.shm_ring import ShmRing
from app.state_machine import Command
from calibration.in_force import CalibrationInForce
from devices.device import Device, PeriodicDevice
from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.streams import StreamSpec

ACTUATOR_FAMILIES = ("body", "hand")
RING_SECONDS = 2.0
STATUS_PERIOD_S = 0.5
STATUS_RECORD = 16384
OUTPUT_RECORD = 4096
"""Bytes per record from the control process (control, body and hand samples are < 1 KB)."""
COMMAND_RECORD = 16384
"""Bytes per command record: an operator command is one byte, a calibration a few KB."""
CALIBRATE = 255
"""First byte of a command record carrying a CalibrationInForce."""
MOVE_TO = 254
"""First byte of a command record carrying an arm pose (14 float64, rad), or none to stop."""
READ_PERIOD_S = 0.005
"""How often the station drains the control process's output ring."""


@dataclass
class RingNames:
    """Shared-memory segment names of the four rings."""

    inputs: str
    commands: str
    outputs: str
    status: str


@dataclass
class ControlStatus:
    """What the control process last reported about itself and its actuators."""

    realtime: str = "starting"
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    ticks: int = 0
    missed_ticks: int = 0
    reason: str = ""
    error: str = ""
    calibration: str = ""
    """Digest of the CalibrationInForce the loop uses (``CalibrationInForce.digest``)."""


def _build_actuators(config: StationConfig) -> dict[str, Device]:
    context = BuildContext(
        scene=config.sim,
        robot_from_universe=np.asarray(config.calibration.robot_from_universe, float),
    )
    return {
        name: build_device(entry.family, entry.backend, name, entry.options, context)
        for name, entry in config.devices.items()
        if entry.family in ACTUATOR_FAMILIES
    }


def _control_main(config_data: dict[str, Any], conn: Any) -> None:
    """Entry point of the control process: builds the actuators while the station learns its
    input streams, then receives the input specs and ring names and sends its own specs."""
    from app.control_loop import ControlLoop, control_stream  # the station never runs it

    config = parse_config(config_data, "<control process>")
    actuators = _build_actuators(config)
    body = next(d for d in actuators.values() if d.family == "body")
    hands = {d.side: d for d in actuators.values() if d.family == "hand"}
    out_specs = [control_stream(config.control.rate_hz)]
    out_specs += [s for d in actuators.values() for s in d.streams()]
    input_specs, rings = conn.recv()
    in_codec, out_codec = SampleCodec(input_specs), SampleCodec(out_specs)
    inputs, commands = ShmRing.attach(rings.inputs), ShmRing.attach(rings.commands)
    outputs, status_ring = ShmRing.attach(rings.outputs), ShmRing.attach(rings.status)
    conn.send([*out_specs])

    def publish(sample: Sample) -> None:
        loop.on_input(sample)
        outputs.put(out_codec.pack(sample))  # a full ring counts the drop itself

    loop = ControlLoop(config, body, hands, publish)
    # Before any thread starts: SDK threads inherit the policy, so none of them can be
    # preempted by the station process while holding the GIL the loop needs.
    realtime = make_realtime(config.control.realtime, config.control.realtime_priority)
    stepped = []
    for device in actuators.values():
        if isinstance(device, PeriodicDevice):  # simulators advance with the loop's ticks
            device.drive(publish)
            stepped.append(device)
        else:
            device.start(publish)
    quiet_gc()
    period = int(1e9 / config.control.rate_hz)
    spin = int(config.control.spin_us * 1e3)
    deadline = time.monotonic_ns() + period
    ticks = missed = 0
    next_status = 0
    reported = ("", 0)
    try:
        running = True
        while running:
            now = sleep_until(deadline, spin)
            late = now - deadline
            if late > period:
                skipped = late // period
                missed += skipped
                deadline += skipped * period
            for payload in commands.get_all():
                if payload[0] == SHUTDOWN:
                    running = False
                elif payload[0] == CALIBRATE:
                    loop.calibrate(CalibrationInForce.decode(payload[1:]))
                elif payload[0] == MOVE_TO:
                    pose = np.frombuffer(payload[1:], dtype=np.float64)
                    try:
                        loop.move_to(pose if pose.size else None)
                    except ValueError as exc:  # the station checks first; never end the loop
                        loop.machine.reason = f"pose refused: {exc}"
                else:
                    loop.command(Command(payload[0]))
            for payload in inputs.get_all():
                loop.on_input(in_codec.unpack(payload))
            for device in stepped:
                device.step(now, period // 2)
            loop.tick(now, now - deadline)
            ticks += 1
            deadline += period
            changed = (loop.machine.reason, id(loop.calibration)) != reported
            if now >= next_status or changed:
                next_status = now + int(STATUS_PERIOD_S * 1e9)
                reported = (loop.machine.reason, id(loop.calibration))
                report = ControlStatus(
                    realtime=realtime,
                    devices={n: status_dict(d) for n, d in actuators.items()},
                    ticks=ticks,
                    missed_ticks=missed,
                    reason=loop.machine.reason,
                    calibration=loop.calibration.digest,
                )
                status_ring.put(json.dumps(report.__dict__).encode())
    finally:
        for device in actuators.values():
            device.stop()
        for ring in (inputs, commands, outputs, status_ring):
            ring.close()


class ControlLink:
    """Station side: starts the control process, feeds it, and publishes what it emits."""

    def __init__(self, config: StationConfig, publish: Callable[[Sample], None]) -> None:
        self.config = config
        self._publish = publish
        self.input_codec: SampleCodec | None = None
        self._inputs: ShmRing | None = None
        self._commands = ShmRing(COMMAND_RECORD, 16)
        self._outputs: ShmRing | None = None
        self._status_ring = ShmRing(STATUS_RECORD, 16)
        self.status = ControlStatus()
        self.output_specs: list[StreamSpec] = []
        self._stop = threading.Event()
        self._process: BaseProcess | None = None
        self._reader: threading.Thread | None = None
        self._conn: Any = None
        self.input_drops = 0

    def launch(self) -> None:
        """Spawn the control process; it builds its actuators meanwhile. Idempotent."""
        if self._process is not None:
            return
        self._process, self._conn = spawn_child(
            _control_main, (self.config.model_dump(),), "dexstation-control"
        )

    def start(self, input_specs: Sequence[StreamSpec]) -> None:
        """Feed the (launched) control process ``input_specs`` (gloves, trackers) and wait
        until it runs."""
        self.launch()
        rate = self.config.control.rate_hz
        self.input_codec = SampleCodec(input_specs)
        self._inputs = ShmRing(max(self.input_codec.max_size, 1), int(RING_SECONDS * rate * 4))
        self._outputs = ShmRing(OUTPUT_RECORD, int(RING_SECONDS * rate * 8))
        names = RingNames(
            self._inputs.name, self._commands.name, self._outputs.name, self._status_ring.name
        )
        self._conn.send((list(input_specs), names))
        try:
            self.output_specs = receive_startup(self._conn, "control process")
        except RuntimeError:
            self.stop()
            raise
        self._output_codec = SampleCodec(self.output_specs)
        self._reader = threading.Thread(target=self._read, name="control-reader", daemon=True)
        self._reader.start()

    def feed(self, sample: Sample) -> None:
        """Forward an input sample (subscribe this to the bus). Never blocks."""
        codec, ring = self.input_codec, self._inputs
        known = codec is not None and ring is not None and codec.knows(sample.stream)
        if known and not ring.put(codec.pack(sample)):
            self.input_drops += 1

    def send(self, command: Command) -> None:
        """Queue an operator command for the loop's next tick."""
        self._commands.put(bytes([int(command)]))

    def calibrate(self, calibration: CalibrationInForce) -> None:
        """Hand the loop a new calibration; it applies it while not following the operator."""
        self._put(CALIBRATE, calibration.encode())

    def move_to(self, q: np.ndarray | None) -> None:
        """Ask the loop to move the arms to ``q`` (14,) rad while IDLE; None stops."""
        self._put(MOVE_TO, b"" if q is None else np.asarray(q, dtype=np.float64).tobytes())

    def _put(self, kind: int, payload: bytes) -> None:
        if not self._commands.put(bytes([kind]) + payload):
            raise RuntimeError("control process command ring is full")

    @property
    def ring_drops(self) -> int:
        """Samples lost crossing between the processes (input ring + output ring full)."""
        outputs = self._outputs.dropped if self._outputs is not None else 0
        return self.input_drops + outputs

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _read(self) -> None:
        while not self._stop.is_set():
            for payload in self._outputs.get_all():
                self._publish(self._output_codec.unpack(payload))
            for payload in self._status_ring.get_all():
                self.status = ControlStatus(**json.loads(payload))
            if not self.alive:
                self.status.error = "control process exited"
            time.sleep(READ_PERIOD_S)

    def stop(self) -> None:
        """Stop the process (actuators hold and disconnect) and free the rings."""
        self._stop.set()
        self._commands.put(bytes([SHUTDOWN]))
        if self._process is not None:
            end_child(self._process)
        if self._reader is not None:
            self._reader.join(timeout=2.0)
        for ring in (self._inputs, self._commands, self._outputs, self._status_ring):
            if ring is not None:
                ring.close()
        self._outputs = None
