"""Sensor devices in their own processes: grouping, samples and statuses crossing unchanged,
robot state forwarded in, faults and death reported, shared memory freed, and the in-process
alternative."""

import math
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from app.replay import replayed
from app.sensor_process import CAMERA_NICE, EXITED, SensorLink, SensorProcesses, sensor_groups
from app.sensor_threads import SensorThreads
from app.state_machine import State
from app.station import Station
from devices.body import body_stream
from devices.cameras import camera_stream
from devices.hands import Tactile
from devices.sample import Sample
from devices.trackers import tracker_stream
from recorder.episode_id import new_episode_id
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from retargeting.vega1 import READY_POSE
from tests.recorder.samples import make_sample

TRACKER = tracker_stream("left", 100.0)
CAMERA = camera_stream("head", 64, 48, 30.0)
LOST_SEQ = 40
"""The recorded tracker samples skip this seq (a gap the replay must keep)."""
INVALID_SEQ = 10
"""The recorded tracker sample its device flagged invalid."""
BODY = body_stream(200.0)


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def shm_segments() -> set[str]:
    return set(os.listdir("/dev/shm")) if Path("/dev/shm").is_dir() else set()


def ring_names(link: SensorLink) -> set[str]:
    """The shared-memory segments of a started link, as named in /dev/shm."""
    rings = [ring for ring, _ in link._outputs.values()]
    rings += [link._forward, link._commands, link._status_ring]
    return {ring.name.lstrip("/") for ring in rings}


def process_gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie waiting for its reaper counts as exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def record_sensor_episode(folder: Path) -> Path:
    """An episode of 1 s of a 100 Hz tracker (one gap, one invalid sample, no device clock)
    and 1 s of a 30 Hz 64x48 camera with device times."""
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(folder, [TRACKER, CAMERA], meta)
    writer.start()
    rng = np.random.default_rng(7)
    for seq in range(100):
        if seq != LOST_SEQ:
            writer.put(make_sample(TRACKER, seq, rng, valid=seq != INVALID_SEQ))
    for seq in range(30):
        writer.put(make_sample(CAMERA, seq, rng, t_device_ns=5_000_000 + seq * 33_333_333))
    writer.stop()
    return folder / meta.episode_id


def body_sample(seq: int, arm_position: np.ndarray) -> Sample:
    """A measured robot state (``body`` stream) with the arms at ``arm_position`` (rad)."""
    now = time.monotonic_ns()
    data = {
        "arm_position": arm_position.astype(np.float32),
        "arm_velocity": np.zeros(14, np.float32),
        "arm_command": arm_position.astype(np.float32),
        "torso_position": np.zeros(3, np.float32),
        "head_position": np.zeros(3, np.float32),
        "estop": np.array(False),
    }
    return Sample(BODY.name, seq, now, now, None, True, data)


def test_cameras_get_a_process_of_their_own(station_config):
    (cameras, camera_nice), (others, other_nice) = sensor_groups(station_config())
    assert cameras == ["head", "left_wrist", "right_wrist"] and camera_nice == CAMERA_NICE
    assert other_nice == 0
    assert "glove_left" in others and "tactile_right" in others
    assert not {"body", "hand_left"} & set(cameras + others)


def test_replayed_samples_cross_with_seq_times_and_data_unchanged(station_config, tmp_path):
    episode = open_episode(record_sensor_episode(tmp_path / "recorded"))
    received: list[tuple[int, Sample]] = []
    sensors = SensorProcesses(
        replayed(station_config(), episode.path),
        lambda sample: received.append((time.monotonic_ns(), sample)),
    )
    sensors.await_devices()
    assert [link.names for link in sensors.links] == [["replay_camera"], ["replay_tracker"]]
    sensors.start([])
    segments = set().union(*(ring_names(link) for link in sensors.links))
    assert segments <= shm_segments()

    def lap_done(stream: str, last_seq: int) -> bool:
        return any(s.stream == stream and s.seq >= last_seq for _, s in received)

    try:
        assert wait_for(lambda: lap_done(TRACKER.name, 99) and lap_done(CAMERA.name, 29), 10.0)
        assert wait_for(lambda: all(s.connected for s in sensors.statuses.values()), 2.0)
        assert sensors.infos["replay_tracker"]["episode"] == episode.metadata.episode_id
        assert sensors.ring_drops == 0
    finally:
        sensors.stop()
    assert not segments & shm_segments()
    assert not any(link.alive for link in sensors.links)

    for spec in (TRACKER, CAMERA):
        recorded = episode.stream(spec.name)
        first_lap = [(t, s) for t, s in received if s.stream == spec.name and s.seq <= 99]
        seen = [s for _, s in first_lap]
        assert [s.seq for s in seen] == recorded.seq.tolist()  # the gap stays a gap
        assert [s.valid for s in seen] == recorded.valid.tolist()
        for name in spec.fields:
            got = np.stack([s.data[name] for s in seen])
            np.testing.assert_array_equal(got, recorded.field(name))
        device_times = zip(recorded.t_device_ns.tolist(), recorded.has_t_device, strict=True)
        assert [s.t_device_ns for s in seen] == [t if has else None for t, has in device_times]
        # The replay keeps the recorded spacing exactly: one clock offset per stream.
        recorded_times = recorded.t_capture_ns.tolist()
        assert len({s.t_capture_ns - t for s, t in zip(seen, recorded_times, strict=True)}) == 1
        for got_ns, s in first_lap:  # stamped in the child, before the station got them
            assert s.t_capture_ns <= s.t_arrival_ns < got_ns


def test_forwarded_robot_state_moves_the_child_wrist_camera(station_config):
    frames: list[Sample] = []
    link = SensorLink(station_config(), ["left_wrist"], frames.append)
    link.await_devices()
    link.start([BODY])

    def frame_after(t_ns: int) -> np.ndarray:
        """8x8-pixel block means (the sensor noise averaged out) of a frame captured at least
        50 ms after ``t_ns``."""
        assert wait_for(lambda: frames[-1].t_capture_ns > t_ns + 50_000_000, 5.0)
        image = frames[-1].data["image"].astype(float)  # 120 x 160
        return image.reshape(15, 8, 20, 8, 3).mean(axis=(1, 3))

    def view_at(seq: int, arm_position: np.ndarray) -> np.ndarray:
        link.feed(body_sample(seq, arm_position))
        return frame_after(time.monotonic_ns())

    try:
        assert wait_for(lambda: bool(frames), 10.0)
        ready = np.array(READY_POSE)
        raised = ready.copy()
        raised[0] -= 0.6  # left shoulder
        at_ready = view_at(0, ready)
        moved = view_at(1, raised)
        back = view_at(2, ready)
        assert link.forward_drops == 0
    finally:
        link.stop()
    assert np.abs(moved - at_ready).mean() > 5.0  # grey levels
    assert np.abs(back - at_ready).mean() < 1.0


def test_samples_statuses_and_forwarded_robot_state(station_config):
    with Station(station_config()) as station:
        segments = set().union(*(ring_names(link) for link in station.sensors.links))
        assert station.wait_for(station.inputs_ready, 15.0)
        assert station.wait_for(lambda: station.bus.latest("camera_left_wrist") is not None, 5.0)
        assert station.wait_for(
            lambda: all(s.connected for s in station.snapshot().devices.values()), 5.0
        )
        first = station.bus.latest("tracker_left")
        assert station.wait_for(lambda: station.bus.latest("tracker_left").seq > first.seq, 2.0)
        sample = station.bus.latest("tracker_left")
        assert sample.t_capture_ns <= sample.t_arrival_ns
        assert station.sensors.infos["tracker_left"]["serial"] == "LHR-SIM0001L"
        base = os.getpriority(os.PRIO_PROCESS, 0)
        for link in station.sensors.links:  # the cameras yield to the recorder and the window
            assert os.getpriority(os.PRIO_PROCESS, link._process.pid) == base + link.nice
        # The wrist cameras ride on the hands the control process moves: the camera process
        # sees the forwarded robot state, so the wrist view changes once the robot moves.
        frame = station.bus.latest("camera_left_wrist").data["image"].copy()
        station.engage()
        assert station.wait_for(
            lambda: (
                abs(
                    station.bus.latest("camera_left_wrist").data["image"].astype(int) - frame
                ).mean()
                > 5
            ),
            10.0,
        )
        assert station.sensors.ring_drops == 0
    assert not segments & shm_segments()


@pytest.mark.parametrize("sensor_process", [True, False], ids=["processes", "threads"])
def test_an_unplugged_sensor_shows_disconnected_with_stale_streams(station_config, sensor_process):
    config = station_config({"tactile_left": {"disconnect_s": [[0.0, 3.0]]}})
    config.station.sensor_process = sensor_process
    with Station(config) as station:
        assert station.wait_for(
            lambda: station.snapshot().devices["tactile_left"].message == "disconnected", 2.0
        )
        assert not station.snapshot().devices["tactile_left"].connected
        assert station.wait_for(lambda: station.bus.latest("tactile_right_index") is not None, 2.0)
        health = station.snapshot().health
        assert math.isinf(health["tactile_left_index"].age_ms)
        assert health["tactile_right_index"].age_ms < 500
        assert station.snapshot().devices["tactile_right"].connected
        # Plugged in again at 3 s: connected, and its streams fresh.
        assert station.wait_for(lambda: station.snapshot().devices["tactile_left"].connected, 5.0)
        assert station.wait_for(
            lambda: station.snapshot().health["tactile_left_index"].age_ms < 500, 2.0
        )


def test_a_dead_sensor_process_shows_on_its_devices(station_config):
    with Station(station_config()) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        assert station.wait_for(lambda: station.snapshot().devices["glove_left"].connected, 5.0)
        cameras = station.sensors.links[0]
        cameras._process.kill()
        assert station.wait_for(lambda: station.snapshot().devices["head"].message == EXITED, 5.0)
        assert not station.snapshot().devices["head"].connected
        assert station.snapshot().devices["glove_left"].connected


def test_a_sensor_process_ends_when_the_station_is_killed():
    script = (
        "import time\n"
        "from app.config import load_config\n"
        "from app.sensor_process import SensorLink\n"
        "link = SensorLink(load_config(), ['glove_left'], lambda sample: None)\n"
        "link.await_devices()\n"
        "link.start([])\n"
        "print(link._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    station = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        child = int(station.stdout.readline())
        assert not process_gone(child)
    finally:
        station.send_signal(signal.SIGKILL)
        station.wait()
    assert wait_for(lambda: process_gone(child), 5.0)


def test_sensor_threads_run_in_the_station_process(station_config):
    config = station_config()
    config.station.sensor_process = False
    with Station(config) as station:
        assert isinstance(station.sensors, SensorThreads)
        children = {p.name for p in mp.active_children()}
        assert not any(name.startswith("dexstation-sensors") for name in children)
        assert isinstance(station.sensors.devices["tactile_left"], Tactile)
        assert station.wait_for(station.inputs_ready, 15.0)
        assert station._device_infos()["tracker_left"]["serial"] == "LHR-SIM0001L"
        assert station.snapshot().devices["tracker_left"].connected
        station.engage()
        assert station.wait_for(lambda: station.state is State.ENGAGED, 10.0)
