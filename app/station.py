"""The Station: devices, bus, control process, recorder and state, wired from a config.

UI and CLI talk only to this class: commands go in (engage, E-stop, record) and snapshots
come out. Sensor devices (gloves, trackers, cameras, tactile) run here as threads; the
actuators and the control loop run in the control process (``app.control_process``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np

from app.bus import Bus
from app.config import StationConfig
from app.control_process import ACTUATOR_FAMILIES, ControlLink, ControlStatus
from app.health import StreamHealth
from app.loop_stats import LoopStats
from app.realtime import disable_transparent_huge_pages
from app.state_machine import Command, State
from devices.device import Device, DeviceStatus
from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.streams import StreamSpec
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter, RecordingFailed, WriterStats
from recorder.metadata import EpisodeMetadata

CONTROL_INPUT_FAMILIES = ("glove", "tracker")


class StationError(RuntimeError):
    """An operator action cannot be done now; the message says why."""


@dataclass
class Recording:
    """The episode being recorded."""

    episode_id: str
    path: Path
    writer: EpisodeWriter
    started_ns: int


@dataclass
class Snapshot:
    """Everything a UI or summary needs at one moment."""

    t_ns: int
    state: State
    reason: str
    health: dict[str, StreamHealth]
    devices: dict[str, DeviceStatus]
    control: ControlStatus
    recording: str | None
    recording_s: float
    recorder: WriterStats | None = None


def software_version() -> str:
    try:
        return importlib_metadata.version("dexstation")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


class Station:
    """Builds and runs the station described by ``config``."""

    def __init__(self, config: StationConfig) -> None:
        self.config = config
        self.bus = Bus()
        self.loop_stats = LoopStats(config.control.rate_hz)
        self.context = BuildContext(
            scene=config.sim,
            robot_from_universe=np.asarray(config.calibration.robot_from_universe, float),
            latest=self.bus.latest,
        )
        self.devices: dict[str, Device] = {
            name: build_device(entry.family, entry.backend, name, entry.options, self.context)
            for name, entry in config.devices.items()
            if entry.family not in ACTUATOR_FAMILIES
        }
        inputs = [
            spec
            for device in self.devices.values()
            if device.family in CONTROL_INPUT_FAMILIES
            for spec in device.streams()
        ]
        self.control = ControlLink(config, inputs, self.bus.publish)
        self._recording: Recording | None = None
        self._record_lock = threading.Lock()
        self._state = State.IDLE
        self._started = False
        self.huge_pages = "not started"

    @property
    def specs(self) -> list[StreamSpec]:
        """Every stream of the station (sensor devices and the control process)."""
        own = [s for d in self.devices.values() for s in d.streams()]
        return own + list(self.control.output_specs)

    @property
    def state(self) -> State:
        return self._state

    def start(self) -> None:
        """Start the control process, then every sensor device."""
        self.huge_pages = disable_transparent_huge_pages()
        self.bus.subscribe(self.control.feed)
        self.bus.subscribe(self.loop_stats.observe)
        self.bus.subscribe(self._on_sample)
        self.control.start()
        self.bus.declare(self.specs)
        for device in self.devices.values():
            device.start(self.bus.publish)
        self._started = True

    def stop(self) -> None:
        """Stop recording (if any), the devices and the control process."""
        if self._recording is not None:
            self.stop_recording(notes="station stopped while recording")
        for device in self.devices.values():
            device.stop()
        self.control.stop()
        self._started = False

    def __enter__(self) -> Station:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def engage(self) -> None:
        self.control.send(Command.ENGAGE)

    def disengage(self) -> None:
        self.control.send(Command.DISENGAGE)

    def estop(self) -> None:
        """Latch the E-stop: the loop stops commanding and calls the robot's own E-stop."""
        self.control.send(Command.ESTOP)

    def reset_estop(self) -> None:
        self.control.send(Command.RESET)

    def clutch(self, pressed: bool) -> None:
        """Hold (True) or release (False) the wrist clutch: while held the robot's wrist
        targets stay put and the operator can re-centre; release continues from there."""
        self.control.send(Command.CLUTCH_PRESS if pressed else Command.CLUTCH_RELEASE)

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        """Poll ``predicate()`` every 10 ms until true or ``timeout_s`` passes."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.01)
        return bool(predicate())

    def inputs_ready(self) -> bool:
        """True when every required input stream is fresh."""
        now = time.monotonic_ns()
        stale_ns = self.config.control.stale_after_ms * 1e6
        for stream in self.config.control.required_inputs:
            sample = self.bus.latest(stream)
            if sample is None or now - sample.t_capture_ns > stale_ns:
                return False
        return True

    def start_recording(
        self,
        primitive: str,
        object_name: str,
        instruction: str = "",
        operator: str = "",
        dataset: str | Path | None = None,
    ) -> str:
        """Begin an episode; refused while unhealthy. Returns the episode id."""
        if not self._started or not self.control.alive:
            raise StationError("station is not running")
        if self._state is State.ESTOP:
            raise StationError("E-stop is latched: reset it before recording")
        if not self.inputs_ready():
            raise StationError("required inputs are stale or missing: check device health")
        root = Path(dataset if dataset is not None else self.config.dataset.root)
        with self._record_lock:
            if self._recording is not None:
                raise StationError(f"already recording {self._recording.episode_id}")
            start = datetime.now(UTC)
            episode_id = new_episode_id(self.config.station.name, start)
            meta = EpisodeMetadata(
                episode_id=episode_id,
                primitive=primitive,
                object=object_name,
                instruction=instruction,
                operator=operator,
                station=self.config.station.name,
                start_utc=start.isoformat(),
                status="recording",
                config=self.config.model_dump(mode="json"),
                software_version=software_version(),
                devices=self._device_infos(),
            )
            writer = EpisodeWriter(root, self.specs, meta)
            writer.start()
            self._recording = Recording(episode_id, root / episode_id, writer, time.monotonic_ns())
        return episode_id

    def stop_recording(self, outcome: str | None = None, notes: str = "") -> EpisodeMetadata:
        """Finish the episode and return its final metadata (readable once this returns)."""
        updates: dict[str, Any] = {"notes": notes}
        if outcome is not None:
            updates["outcome"] = outcome
        with self._record_lock:
            recording, self._recording = self._recording, None
            if recording is None:
                raise StationError("not recording")
            try:
                return recording.writer.stop(updates)
            except RecordingFailed as exc:
                raise StationError(
                    f"episode {recording.episode_id} could not be written ({exc.__cause__}); "
                    f"what reached disk stays in {recording.path}; free space or pick another "
                    "dataset, then record again"
                ) from exc

    @property
    def recording(self) -> Recording | None:
        return self._recording

    def snapshot(self) -> Snapshot:
        """The station's state, health and recording progress now."""
        now = time.monotonic_ns()
        rec = self._recording
        devices = {name: d.status() for name, d in self.devices.items()}
        health = self.bus.health(now)
        stats = rec.writer.stats() if rec else None
        if stats is not None:
            health = {
                name: replace(h, dropped=stats.streams[name].dropped)
                if name in stats.streams
                else h
                for name, h in health.items()
            }
        for name, status in self.control.status.devices.items():
            devices[name] = DeviceStatus(**status)
        return Snapshot(
            t_ns=now,
            state=self._state,
            reason=self.control.status.error or self.control.status.reason,
            health=health,
            devices=devices,
            control=self.control.status,
            recording=rec.episode_id if rec else None,
            recording_s=(now - rec.started_ns) * 1e-9 if rec else 0.0,
            recorder=stats,
        )

    def _device_infos(self) -> dict[str, dict[str, str]]:
        infos = {name: d.info() for name, d in self.devices.items()}
        for name, status in self.control.status.devices.items():
            infos[name] = status.get("info", {})
        return infos

    def _on_sample(self, sample: Sample) -> None:
        rec = self._recording
        if rec is not None:
            rec.writer.put(sample)
        if sample.stream == "control":
            state = State(int(sample.data["state"]))
            if state is State.ESTOP and self._state is not State.ESTOP and rec is not None:
                threading.Thread(
                    target=self.stop_recording,
                    kwargs={"notes": "stopped by E-stop"},
                    name="estop-stop-recording",
                    daemon=True,
                ).start()
            self._state = state
