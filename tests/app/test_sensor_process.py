"""Sensor devices in their own processes: grouping, samples and statuses crossing, robot state
forwarded in, death reported, shared memory freed."""

import os
from pathlib import Path

from app.sensor_process import CAMERA_NICE, EXITED, sensor_groups
from app.station import Station


def shm_segments() -> set[str]:
    return set(os.listdir("/dev/shm")) if Path("/dev/shm").is_dir() else set()


def test_cameras_get_a_process_of_their_own(station_config):
    (cameras, camera_nice), (others, other_nice) = sensor_groups(station_config())
    assert cameras == ["head", "left_wrist", "right_wrist"] and camera_nice == CAMERA_NICE
    assert other_nice == 0
    assert "glove_left" in others and "tactile_right" in others
    assert not {"body", "hand_left"} & set(cameras + others)


def test_samples_statuses_and_forwarded_robot_state(station_config):
    before = shm_segments()
    with Station(station_config()) as station:
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
    assert shm_segments() <= before


def test_a_dead_sensor_process_shows_on_its_devices(station_config):
    with Station(station_config()) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        assert station.wait_for(lambda: station.snapshot().devices["glove_left"].connected, 5.0)
        cameras = station.sensors.links[0]
        cameras._process.kill()
        assert station.wait_for(lambda: station.snapshot().devices["head"].message == EXITED, 5.0)
        assert not station.snapshot().devices["head"].connected
        assert station.snapshot().devices["glove_left"].connected
