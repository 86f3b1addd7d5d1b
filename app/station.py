"""The Station: devices, bus, control process, recorder and state, wired from a config.

UI and CLI talk only to this class: commands go in (engage, E-stop, record) and snapshots
come out. Sensor devices (gloves, trackers, cameras, tactile) run in the sensor processes
(``app.sensor_process``), or as threads here with ``[station] sensor_process = false``
(``app.sensor_threads``); the actuators and the control loop run in the control process
(``app.control_process``); this process keeps the bus, the recorder and the UI.

Episodes go to the dataset of ``[dataset] root``. A local folder is written directly and gets
its catalog entry on stop. For an object store (``s3://``) episodes are recorded into the spool
folder and, on stop, handed to a background uploader; whatever is still spooled when the
station stops is uploaded at its next start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np

from app.bus import Bus
from app.checklist import Checklist
from app.config import DeviceEntry, StationConfig
from app.control_process import ACTUATOR_FAMILIES, ControlLink, ControlStatus
from app.health import StreamHealth
from app.loop_stats import LoopStats
from app.realtime import disable_transparent_huge_pages
from app.sensor_process import SensorProcesses
from app.sensor_threads import SensorThreads
from app.state_machine import Command, State
from app.tracker_census import Census, take_census
from calibration.in_force import CalibrationInForce, calibration_in_force
from calibration.profiles import (
    GloveCalibration,
    OperatorProfile,
    ProfileError,
    StationProfile,
    TactileTare,
    diff,
    load_profile,
    profile_path,
    save_profile,
    snapshot,
)
from calibration.quick_align import RealignError, Realignment, realign
from calibration.tactile import DriftMonitor, tare_refusal
from devices.device import DeviceStatus
from devices.sample import Sample
from devices.streams import StreamSpec
from recorder.curriculum import Curriculum, CurriculumError, load_curriculum
from recorder.dataset_store import (
    DatasetStore,
    DatasetStoreError,
    Uploader,
    UploadStatus,
    finished_episodes,
)
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter, RecordingFailed, WriterStats
from recorder.metadata import EpisodeMetadata, utc_now_iso
from retargeting.vega1 import Vega1Arms

log = logging.getLogger(__name__)

CONTROL_INPUT_FAMILIES = ("glove", "tracker")
SIDES = ("left", "right")
QUICK_ALIGN_S = 1.0
"""How long the operator holds the reset pose for a quick re-alignment (s)."""
BODY_WAIT_S = 2.0
"""How long a calibration waits for the robot's first measured state (s)."""
GLOVE_GAP_S = 1.0
"""A glove silent this long (s) has reconnected when it sends again."""


class StationError(RuntimeError):
    """An operator action cannot be done now; the message says why."""


@dataclass
class Recording:
    """The episode being recorded into folder ``path`` (in the dataset's own folder, or in the
    spool for an object store) and published to ``store`` when it stops."""

    episode_id: str
    path: Path
    writer: EpisodeWriter
    started_ns: int
    store: DatasetStore


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
    uploads: UploadStatus | None = None
    tactile_drift: list[str] = field(default_factory=list)
    """Fingertip sensors drifting without contact, each with the fix (re-tare)."""


def software_version() -> str:
    try:
        return importlib_metadata.version("dexstation")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


class Station:
    """Builds and runs the station described by ``config``."""

    def __init__(self, config: StationConfig) -> None:
        self.station_profile = station_profile_of(config)
        """This station's calibration profile, None before its first calibration."""
        if self.station_profile is not None:
            config = with_station_profile(config, self.station_profile)
        self.config = config
        self.operator = config.ui.operator
        """Whose gloves are mapped ("" for nobody in particular)."""
        self.operator_profile = _operator_profile(config, self.operator)
        """Their calibration profile, None if they have none (the configured defaults)."""
        self._glove_arrivals: dict[str, int] = {}
        self.bus = Bus()
        self.loop_stats = LoopStats(config.control.rate_hz)
        self.drift = DriftMonitor()
        """Each fingertip's F6 offset and DEFORM background while not touching."""
        self.sensors: SensorProcesses | SensorThreads = (
            SensorProcesses(config, self.bus.publish)
            if config.station.sensor_process
            else SensorThreads(config, self.bus.publish, self.bus.latest)
        )
        """The sensor devices (gloves, trackers, cameras, tactile), in their own processes
        or in this one (``[station] sensor_process``)."""
        self.control = ControlLink(config, self.bus.publish)
        self.dataset_store = self._open_store(config.dataset.root)
        """The dataset of ``[dataset] root``, opened (and its bucket checked) here."""
        self.checklist = Checklist(self.dataset_store, _curriculum(config))
        """Counts against the curriculum and the next combination, for the UI."""
        self._checklist_stop = threading.Event()
        self._checklist_thread: threading.Thread | None = None
        self.spooled: list[Path] = []
        """Episodes the last :meth:`stop` left in the spool, not yet uploaded."""
        self._uploader: Uploader | None = None
        self._recording: Recording | None = None
        self._record_lock = threading.Lock()
        self._state = State.IDLE
        self._started = False
        self.huge_pages = "not started"

    @property
    def specs(self) -> list[StreamSpec]:
        """Every stream of the station (sensor devices and the control process)."""
        return self.sensors.specs + list(self.control.output_specs)

    @property
    def state(self) -> State:
        return self._state

    def launch(self) -> None:
        """Spawn the sensor and control processes, which build their devices in parallel
        while this process goes on (e.g. building the window); :meth:`start` then waits for
        them. Idempotent."""
        self.sensors.launch()
        self.control.launch()

    def start(self) -> None:
        """Start the uploader (resuming spooled episodes), the sensor process (its devices
        built), the control process fed by their gloves and trackers, then the devices."""
        self._start_uploads()
        self.huge_pages = disable_transparent_huge_pages()
        self.bus.subscribe(self.control.feed)
        self.bus.subscribe(self.sensors.feed)
        self.bus.subscribe(self.loop_stats.observe)
        self.bus.subscribe(self._on_sample)
        self.bus.subscribe(self._observe_drift)
        self.launch()
        self.sensors.await_devices()
        inputs = [
            spec
            for name, specs in self.sensors.device_specs.items()
            if self.sensors.families[name] in CONTROL_INPUT_FAMILIES
            for spec in specs
        ]
        self.control.start(inputs)
        self.control.calibrate(self.calibration())
        self.bus.declare(self.specs)
        robot_state = [s for s in self.control.output_specs if s.family in ACTUATOR_FAMILIES]
        self.sensors.start(robot_state)
        self._checklist_stop.clear()
        self._checklist_thread = threading.Thread(
            target=self._refresh_checklist, name="checklist", daemon=True
        )
        self._checklist_thread.start()
        self._started = True

    def stop(self) -> None:
        """Stop recording (if any), the devices and the control process, then wait up to
        ``[dataset] upload_wait_s`` for pending uploads (see :attr:`spooled`)."""
        if self._recording is not None:
            self.stop_recording(notes="station stopped while recording")
        self.sensors.stop()
        self.control.stop()
        self._checklist_stop.set()
        if self._checklist_thread is not None:
            self._checklist_thread.join()
        self._started = False
        self._finish_uploads()

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

    def tare_tactile(self) -> list[str]:
        """Zero every fingertip sensor (SDK ``calib_tactile``) and record the tare in this
        station's profile; returns the sensors' streams. StationError, changing nothing, while
        any fingertip touches something or has no reading."""
        streams = [s.name for s in self.sensors.specs if s.family == "tactile"]
        samples = [self.bus.latest(name) for name in streams]
        if not streams or any(sample is None for sample in samples):
            raise StationError("no reading from every tactile sensor yet: check device health")
        if reason := tare_refusal(samples):
            raise StationError(f"tare refused: {reason}")
        for name, family in self.sensors.families.items():
            if family == "tactile":
                self.sensors.tare(name)
        self.drift.reset()
        tared = utc_now_iso()
        profile = self.station_profile_or_blank()
        tactile = dict(profile.tactile)
        for sample in samples:
            offset = [float(v) for v in sample.data["f6"]]
            tactile[sample.stream] = TactileTare(tared_utc=tared, offset=offset)
        self.save_station_profile(profile.model_copy(update={"tactile": tactile}))
        return streams

    def _observe_drift(self, sample: Sample) -> None:
        if sample.stream.startswith("tactile_"):
            self.drift.observe(sample)

    def station_profile_or_blank(self) -> StationProfile:
        """This station's profile, or before its first calibration one holding the
        configured registration."""
        return self.station_profile or StationProfile(
            station=self.config.station.name,
            robot_from_universe=self.config.calibration.robot_from_universe,
        )

    def calibration(self) -> CalibrationInForce:
        """The calibration from this station's and the current operator's profiles."""
        return calibration_in_force(self.config, self.station_profile, self.operator_profile)

    def set_operator(self, operator: str) -> None:
        """Map ``operator``'s gloves with their calibration from now on (the configured
        defaults if they have none); StationError, changing nothing, if their profile is
        unreadable. Takes effect once the robot is not following the operator."""
        self.operator_profile = _operator_profile(self.config, operator)
        self.operator = operator
        self._send_calibration()

    def save_station_profile(self, profile: StationProfile) -> list[str]:
        """Save ``profile`` as this station's and use it; returns what changed
        (:func:`calibration.profiles.diff`). Registration and mounts take effect once the
        robot is not following the operator; tracker roles at the next start."""
        old = self.station_profile_or_blank()
        save_profile(self.config.calibration.profiles_dir, profile)
        self.station_profile = profile
        self._send_calibration()
        return diff(old, profile)

    @cached_property
    def arms(self) -> Vega1Arms:
        """The arms' kinematics (base frame, m), for the calibration procedures."""
        return Vega1Arms()

    def move_to(self, q: np.ndarray | None) -> None:
        """Move the arms slowly to ``q`` (14,) rad, ARM_JOINTS order, and hold, while IDLE
        (the registration poses the operator mirrors); None stops there. StationError,
        sending nothing, unless IDLE or for a pose outside the joint limits."""
        if q is not None:
            if self._state is not State.IDLE:
                raise StationError(
                    f"the robot moves to a pose only when IDLE, not {self._state.name}"
                )
            limits = self.arms.limits
            q = np.asarray(q, dtype=float)
            if q.shape != (14,) or not np.all((q > limits.lower) & (q < limits.upper)):
                raise StationError("pose outside the arm joint limits (14 joints, rad)")
        self.control.move_to(q)

    def tracker_poses(self) -> dict[str, np.ndarray]:
        """Serial -> latest valid, finite pose (4x4, universe, m) of every tracker."""
        poses = {}
        for name, family in self.sensors.families.items():
            if family != "tracker":
                continue
            serial = self.sensors.infos[name].get("serial", name)
            for spec in self.sensors.device_specs[name]:
                sample = self.bus.latest(spec.name)
                if sample is not None and sample.valid and np.isfinite(sample.data["pose"]).all():
                    poses[serial] = np.asarray(sample.data["pose"], float)
        return poses

    def tracker_census(self) -> Census:
        """Every tracker the configured sources see, with battery and pose, configured or
        not (:func:`app.tracker_census.take_census`): for assigning the wrist roles."""
        return take_census(self.config, self.tracker_poses())

    def quick_align(self, seconds: float = QUICK_ALIGN_S) -> tuple[Realignment, list[str]]:
        """Re-align the trackers to the robot between episodes: the operator holds their
        wrists where the robot's are (its reset pose) for ``seconds``; the registration's
        heading and position are refit (:func:`calibration.quick_align.realign`), saved and
        used. Returns the fit and what changed in the profile. StationError, changing
        nothing, while the robot follows or when the wrists were not held in place."""
        if self._state in (State.ENGAGING, State.ENGAGED):
            raise StationError("disengage first: the robot must stand still in its reset pose")
        if not self.wait_for(lambda: self.bus.latest("body") is not None, BODY_WAIT_S):
            raise StationError("no robot state yet: check device health")
        body = self.bus.latest("body")
        frames: dict[str, list[np.ndarray]] = {side: [] for side in SIDES}

        def collect(sample: Sample) -> None:
            side = sample.stream.removeprefix("tracker_")
            if side in frames and sample.valid:
                frames[side].append(np.array(sample.data["pose"], dtype=float))

        self.bus.subscribe(collect)
        try:
            time.sleep(seconds)
        finally:
            self.bus.unsubscribe(collect)
        calibration = self.calibration()
        wrists = self.arms.wrist_poses(np.asarray(body.data["arm_position"], dtype=float))
        try:
            fit = realign(
                calibration.robot_from_universe,
                [np.array(frames[side]) for side in SIDES],
                calibration.tracker_to_wrist,
                wrists,
            )
        except RealignError as exc:
            raise StationError(f"not re-aligned: {exc}") from exc
        profile = self.station_profile_or_blank()
        update = {"robot_from_universe": fit.robot_from_universe.tolist()}
        return fit, self.save_station_profile(
            StationProfile.model_validate({**profile.model_dump(), **update})
        )

    def save_glove_calibration(
        self, operator: str, side: str, calibration: GloveCalibration
    ) -> list[str]:
        """Store one hand's glove calibration in ``operator``'s profile (the other hand kept)
        and map their gloves with it if they are the current operator; returns what changed.
        StationError, changing nothing, if their profile is unreadable."""
        old = _operator_profile(self.config, operator) or OperatorProfile(operator=operator)
        new = old.model_copy(update={"gloves": {**old.gloves, side: calibration}})
        save_profile(self.config.calibration.profiles_dir, new)
        if operator == self.operator:
            self.set_operator(operator)
        return diff(old, new)

    def _send_calibration(self) -> None:
        if self._started:
            self.control.calibrate(self.calibration())

    def _reload_operator_on_reconnect(self, sample: Sample) -> None:
        """A glove stream resuming after GLOVE_GAP_S reloads the operator's profile (it may
        have been recalibrated meanwhile, here or at another station)."""
        previous = self._glove_arrivals.get(sample.stream)
        self._glove_arrivals[sample.stream] = sample.t_arrival_ns
        if previous is None or sample.t_arrival_ns - previous < GLOVE_GAP_S * 1e9:
            return
        threading.Thread(target=self._reload_operator, name="glove-reconnect", daemon=True).start()

    def _reload_operator(self) -> None:
        try:
            self.set_operator(self.operator)
        except StationError as exc:
            log.warning("glove reconnected; %s (the calibration in force stays)", exc)

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
        """Begin an episode; refused while unhealthy. Returns the episode id.

        ``dataset`` (a folder or ``s3://`` URL) overrides ``[dataset] root`` for this episode.
        """
        if not self._started or not self.control.alive or not self.sensors.alive:
            raise StationError("station is not running")
        if self._state is State.ESTOP:
            raise StationError("E-stop is latched: reset it before recording")
        if not self.inputs_ready():
            raise StationError("required inputs are stale or missing: check device health")
        if operator != self.operator:
            self.set_operator(operator)
        store = self.dataset_store if dataset is None else self._open_store(dataset)
        folder = store.local_path or store.spool_folder(self.config.dataset.spool)
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
                calibration=snapshot(self.station_profile, self.operator_profile),
                software_version=software_version(),
                devices=self._device_infos(),
            )
            writer = EpisodeWriter(folder, self.specs, meta)
            writer.start()
            self._recording = Recording(
                episode_id, folder / episode_id, writer, time.monotonic_ns(), store
            )
        return episode_id

    def stop_recording(self, outcome: str | None = None, notes: str = "") -> EpisodeMetadata:
        """Finish the episode and return its final metadata. The episode is readable in
        ``recording.path`` once this returns; an object store gets it in the background."""
        updates: dict[str, Any] = {"notes": notes}
        if outcome is not None:
            updates["outcome"] = outcome
        with self._record_lock:
            recording, self._recording = self._recording, None
            if recording is None:
                raise StationError("not recording")
            try:
                metadata = recording.writer.stop(updates)
            except RecordingFailed as exc:
                raise StationError(
                    f"episode {recording.episode_id} could not be written ({exc.__cause__}); "
                    f"what reached disk stays in {recording.path}; free space or pick another "
                    "dataset, then record again"
                ) from exc
            self._publish(recording, metadata)
            if recording.store is self.dataset_store:  # the dataset the checklist counts
                self.checklist.episode_saved(metadata)
            return metadata

    def relabel(self, episode_id: str, **updates: Any) -> EpisodeMetadata:
        """Change an episode's operator fields (outcome, notes, primitive, object, ...) in the
        dataset; the checklist counts the change at once."""
        try:
            metadata = self.dataset_store.update_metadata(episode_id, updates)
        except (DatasetStoreError, ValueError, OSError) as exc:
            raise StationError(f"cannot relabel {episode_id}: {exc}") from exc
        self.checklist.episode_saved(metadata)
        return metadata

    def _refresh_checklist(self) -> None:
        """Count other stations' episodes in, now and every ``[curriculum] refresh_s``."""
        while True:
            try:
                self.checklist.refresh()
            except (DatasetStoreError, OSError, ValueError) as exc:
                log.warning("checklist not refreshed from %s: %s", self.dataset_store.url, exc)
            if self._checklist_stop.wait(self.config.curriculum.refresh_s):
                return

    @property
    def recording(self) -> Recording | None:
        return self._recording

    @property
    def pending_uploads(self) -> tuple[str, ...]:
        """Ids of the finished episodes waiting in the spool for upload."""
        return self._uploader.status().pending if self._uploader else ()

    def _open_store(self, root: str | Path) -> DatasetStore:
        try:
            return DatasetStore.open(root, self.config.dataset.endpoint_url or None)
        except (DatasetStoreError, ValueError) as exc:
            raise StationError(str(exc)) from exc

    def _publish(self, recording: Recording, metadata: EpisodeMetadata) -> None:
        """Catalog a local episode now; queue a spooled one for upload."""
        if not recording.store.is_local:
            assert self._uploader is not None, "recording while the station is stopped"
            self._uploader.submit(recording.store, recording.path)
            return
        try:
            recording.store.write_catalog_entry(metadata)
        except OSError as exc:
            log.warning(
                "%s is complete but its catalog entry was not written (%s); rebuild the "
                "catalog to list it",
                recording.path,
                exc,
            )

    def _start_uploads(self) -> None:
        self._uploader = Uploader()
        store = self.dataset_store
        if store.is_local:
            return
        for path in finished_episodes(store.spool_folder(self.config.dataset.spool)):
            log.info("uploading %s, left in the spool by an earlier run", path.name)
            self._uploader.submit(store, path)

    def _finish_uploads(self) -> None:
        uploader, self._uploader = self._uploader, None
        if uploader is None:
            return
        self.spooled = uploader.close(self.config.dataset.upload_wait_s)
        if self.spooled:
            log.warning(
                "%d episode(s) not uploaded yet stay in the spool and are uploaded at the next "
                "start: %s",
                len(self.spooled),
                ", ".join(str(p) for p in self.spooled),
            )

    def snapshot(self) -> Snapshot:
        """The station's state, health and recording progress now."""
        now = time.monotonic_ns()
        rec = self._recording
        devices = dict(self.sensors.statuses)
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
            uploads=self._uploader.status() if self._uploader else None,
            tactile_drift=self.drift.warnings(),
        )

    def _device_infos(self) -> dict[str, dict[str, str]]:
        infos = dict(self.sensors.infos)
        for name, status in self.control.status.devices.items():
            infos[name] = status.get("info", {})
        return infos

    def _on_sample(self, sample: Sample) -> None:
        rec = self._recording
        if rec is not None:
            rec.writer.put(sample)
        if sample.stream.startswith("glove_"):
            self._reload_operator_on_reconnect(sample)
        if sample.stream == "control":
            state = State(int(sample.data["state"]))
            previous, self._state = self._state, state  # before any reaction can be seen
            if state is State.ESTOP and previous is not State.ESTOP and rec is not None:
                threading.Thread(
                    target=self.stop_recording,
                    kwargs={"notes": "stopped by E-stop"},
                    name="estop-stop-recording",
                    daemon=True,
                ).start()


def station_profile_of(config: StationConfig) -> StationProfile | None:
    """The station's profile from ``[calibration] profiles_dir``, None if it has none yet."""
    path = profile_path(config.calibration.profiles_dir, StationProfile, config.station.name)
    if not path.exists():
        return None
    try:
        return load_profile(path, StationProfile)
    except ProfileError as exc:
        raise StationError(f"{exc}\n(fix the file, or move it away and calibrate again)") from exc


def with_station_profile(config: StationConfig, profile: StationProfile) -> StationConfig:
    """``config`` with the profile's registration and its trackers' serials by role."""
    serials = {role.role: role.serial for role in profile.trackers}
    devices = dict(config.devices)
    for name, entry in config.devices_of("tracker").items():
        serial = serials.get(f"{entry.options.get('side')}_wrist")
        if serial is not None:
            devices[name] = DeviceEntry.model_validate({**entry.model_dump(), "serial": serial})
    calibration = config.calibration.model_copy(
        update={"robot_from_universe": profile.robot_from_universe}
    )
    return config.model_copy(update={"calibration": calibration, "devices": devices})


def _operator_profile(config: StationConfig, operator: str) -> OperatorProfile | None:
    """The operator's profile, None if they have none (or no operator is named)."""
    if not operator:
        return None
    path = profile_path(config.calibration.profiles_dir, OperatorProfile, operator)
    if not path.exists():
        return None
    try:
        return load_profile(path, OperatorProfile)
    except ProfileError as exc:
        raise StationError(str(exc)) from exc


def _curriculum(config: StationConfig) -> Curriculum:
    """The configured curriculum (the packaged one when no path is set)."""
    try:
        return load_curriculum(config.curriculum.path or None)
    except CurriculumError as exc:
        raise StationError(str(exc)) from exc
