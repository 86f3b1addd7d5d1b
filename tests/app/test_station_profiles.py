"""The station takes its registration from its profile and snapshots the profiles in force
into every episode; a malformed profile stops it with the file named."""

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.state_machine import State
from app.station import Station, StationError
from calibration.profiles import (
    GloveCalibration,
    OperatorProfile,
    StationProfile,
    TrackerRole,
    load_profile,
    save_profile,
)
from recorder.episode_reader import open_episode


def test_profile_registration_is_used_and_snapshotted(station_config, tmp_path):
    config = station_config()
    registered = np.array(config.calibration.robot_from_universe)
    registered[:3, 3] = (0.01, -0.02, 0.03)
    folder = Path(config.calibration.profiles_dir)
    save_profile(
        folder,
        StationProfile(
            station=config.station.name,
            robot_from_universe=registered.tolist(),
            residual_mm=1.1,
            trackers=[TrackerRole(serial="LHR-SIM0001L", role="left_wrist")],
        ),
    )
    glove = GloveCalibration(lower_deg=[0.0] * 20, upper_deg=[60.0] * 20)
    save_profile(folder, OperatorProfile(operator="Ada", gloves={"right": glove}))
    with Station(config) as station:
        np.testing.assert_array_equal(station.config.calibration.robot_from_universe, registered)
        assert station.wait_for(station.inputs_ready, 15.0)
        station.start_recording("pour", "mug", operator="Ada", dataset=tmp_path / "ds")
        path = station.recording.path
        station.stop_recording()
    calibration = open_episode(path).metadata.calibration
    assert calibration["station"]["residual_mm"] == 1.1
    assert calibration["operator"]["gloves"]["right"]["upper_deg"][0] == 60.0
    assert open_episode(path).metadata.config["calibration"]["robot_from_universe"][0][3] == 0.01


def test_a_malformed_station_profile_names_the_file(station_config):
    config = station_config()
    path = Path(config.calibration.profiles_dir) / "station-sim-station.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "station": "sim-station", "trackers": [{"serial": "x"}]}')
    with pytest.raises(
        StationError, match=r"(?s)station-sim-station.json.*trackers\.0\.serial.*calibrate again"
    ):
        Station(config)


def test_tare_zeroes_the_fingertips_and_is_recorded(station_config):
    config = station_config()
    with Station(config) as station:
        assert station.wait_for(
            lambda: all(station.bus.latest(s.name) for s in station.specs), 15.0
        )
        streams = station.tare_tactile()
        assert len(streams) == 10
        thumb = station.bus.latest("tactile_left_thumb")
        assert station.wait_for(
            lambda: station.bus.latest("tactile_left_thumb").seq > thumb.seq + 3, 2.0
        )
        force = station.bus.latest("tactile_left_thumb").data["f6"][:3]
        assert np.linalg.norm(force) < 0.2  # the power-on offset is gone
    saved = load_profile(
        Path(config.calibration.profiles_dir) / "station-sim-station.json", StationProfile
    )
    assert set(saved.tactile) == set(streams)


def test_tare_is_refused_while_a_fingertip_touches(station_config, monkeypatch):
    config = station_config()
    with Station(config) as station:
        assert station.wait_for(
            lambda: all(station.bus.latest(s.name) for s in station.specs), 15.0
        )
        real = station.bus.latest

        def pressing(stream):
            sample = real(stream)
            if stream == "tactile_right_index" and sample is not None:
                deform = sample.data["deform"].copy()
                deform[100:140, 100:140] = 200
                sample = replace(sample, data={**sample.data, "deform": deform})
            return sample

        monkeypatch.setattr(station.bus, "latest", pressing)
        with pytest.raises(StationError, match="tare refused: tactile_right_index is in contact"):
            station.tare_tactile()
    assert not (Path(config.calibration.profiles_dir) / "station-sim-station.json").exists()


def in_force(station) -> bool:
    return station.control.status.calibration == station.calibration().digest


def test_operator_gloves_and_tracker_roles_come_from_the_profiles(station_config):
    config = station_config()
    folder = Path(config.calibration.profiles_dir)
    roles = [
        TrackerRole(serial="LHR-SIM0001R", role="left_wrist"),
        TrackerRole(serial="LHR-SIM0001L", role="right_wrist"),
    ]
    save_profile(folder, StationProfile(station=config.station.name, trackers=roles))
    glove = GloveCalibration(lower_deg=[0.0] * 20, upper_deg=[60.0] * 20, keypoint_scale=1.2)
    save_profile(folder, OperatorProfile(operator="Ada", gloves={"left": glove}))
    with Station(config) as station:
        assert station.sensors.infos["tracker_left"]["serial"] == "LHR-SIM0001R"
        assert station.wait_for(lambda: in_force(station), 5.0)
        default = station.calibration()
        station.set_operator("Ada")
        assert station.calibration().keypoint_mapping[0].scale == 1.2
        assert station.calibration().keypoint_mapping[1] == default.keypoint_mapping[1]
        assert station.wait_for(lambda: in_force(station), 5.0)
        assert station.control.status.calibration != default.digest


def test_an_unreadable_operator_profile_changes_nothing(station_config):
    config = station_config()
    path = Path(config.calibration.profiles_dir) / "operator-bob.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with Station(config) as station:
        before = station.calibration().digest
        with pytest.raises(StationError, match=r"operator-bob\.json: not JSON"):
            station.set_operator("Bob")
        assert station.calibration().digest == before
        assert station.operator == ""


def test_a_reconnected_glove_reloads_the_operators_calibration(station_config):
    config = station_config(faults={"glove_left": {"disconnect_s": [[3.0, 4.5]]}})
    folder = Path(config.calibration.profiles_dir)
    glove = GloveCalibration(lower_deg=[0.0] * 20, upper_deg=[60.0] * 20)
    save_profile(folder, OperatorProfile(operator="Ada", gloves={"left": glove}))
    with Station(config) as station:
        station.set_operator("Ada")
        recalibrated = glove.model_copy(update={"keypoint_scale": 0.9})
        save_profile(folder, OperatorProfile(operator="Ada", gloves={"left": recalibrated}))
        assert station.calibration().keypoint_mapping[0].scale == 1.0
        assert station.wait_for(
            lambda: station.calibration().keypoint_mapping[0].scale == 0.9, 15.0
        )
        assert station.wait_for(lambda: in_force(station), 5.0)


def test_quick_align_between_episodes_is_saved_and_used(station_config):
    """The scripted operator holds the robot's ready pose for its first 30 s."""
    config = station_config()
    config = config.model_copy(
        update={"sim": config.sim.model_copy(update={"operator_delay_s": 30.0})}
    )
    with Station(config) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        station.engage()
        assert station.wait_for(lambda: station.state is State.ENGAGED, 5.0)
        with pytest.raises(StationError, match="disengage first"):
            station.quick_align(seconds=0.3)
        station.disengage()
        assert station.wait_for(lambda: station.state is State.IDLE, 5.0)
        fit, changes = station.quick_align(seconds=0.5)
        assert fit.residual_mm < 5.0
        assert fit.moved_mm < 5.0  # the configured registration is the simulated truth
        assert all(line.startswith("robot_from_universe") for line in changes)
        assert station.wait_for(lambda: in_force(station), 5.0)
    saved = load_profile(
        Path(config.calibration.profiles_dir) / "station-sim-station.json", StationProfile
    )
    np.testing.assert_allclose(saved.robot_from_universe, fit.robot_from_universe)


def test_quick_align_refuses_a_pose_not_held_and_changes_nothing(station_config):
    config = station_config()
    with Station(config) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        time.sleep(3.0)  # the scripted operator has left the ready pose
        with pytest.raises(StationError, match="not re-aligned: the wrists do not match"):
            station.quick_align(seconds=0.5)
        assert station.station_profile is None
    assert not (Path(config.calibration.profiles_dir) / "station-sim-station.json").exists()
