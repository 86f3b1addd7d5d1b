"""The station takes its registration from its profile and snapshots the profiles in force
into every episode; a malformed profile stops it with the file named."""

from pathlib import Path

import numpy as np
import pytest

from app.station import Station, StationError
from calibration.profiles import (
    GloveCalibration,
    OperatorProfile,
    StationProfile,
    TrackerRole,
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
