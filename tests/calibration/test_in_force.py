"""The calibration in force: profiles over configured defaults, and its round trip to the
control process."""

import numpy as np

from app.config import parse_config
from calibration.in_force import CalibrationInForce, calibration_in_force
from calibration.profiles import GloveCalibration, OperatorProfile, StationProfile, TrackerRole
from retargeting.hand_map import NOMINAL_RANGE

MOUNT = [[0.0, -1.0, 0.0, 0.01], [1.0, 0.0, 0.0, 0.02], [0.0, 0.0, 1.0, 0.03], [0, 0, 0, 1]]


def test_profiles_override_the_configured_defaults_per_side():
    config = parse_config({"retargeting": {"hand_scale": 1.1}}, "test")
    station = StationProfile(
        station="s",
        trackers=[TrackerRole(serial="LHR-0000000A", role="right_wrist", tracker_to_wrist=MOUNT)],
    )
    glove = GloveCalibration(lower_deg=[-5.0] * 20, upper_deg=[80.0] * 20, keypoint_scale=0.9)
    operator = OperatorProfile(operator="ada", gloves={"left": glove})
    cal = calibration_in_force(config, station, operator)
    np.testing.assert_array_equal(cal.tracker_to_wrist[0], np.eye(4))
    np.testing.assert_array_equal(cal.tracker_to_wrist[1], MOUNT)
    assert cal.keypoint_mapping[0].scale == 0.9
    assert cal.keypoint_mapping[1].scale == 1.1
    np.testing.assert_array_equal(cal.ergonomics_range[0].upper_deg, 80.0)
    assert cal.ergonomics_range[1] is NOMINAL_RANGE
    tracker = np.eye(4)
    tracker[:3, 3] = (1.0, 2.0, 3.0)
    wrists = cal.wrists_in_base(np.stack([tracker, tracker]))
    registration = np.array(station.robot_from_universe)
    np.testing.assert_allclose(wrists[1], registration @ tracker @ np.array(MOUNT))


def test_encoding_round_trips_and_the_digest_follows_the_content():
    config = parse_config({}, "test")
    glove = GloveCalibration(lower_deg=[-5.0] * 20, upper_deg=[80.0] * 20)
    cal = calibration_in_force(
        config, None, OperatorProfile(operator="ada", gloves={"right": glove})
    )
    back = CalibrationInForce.decode(cal.encode())
    assert back.digest == cal.digest
    assert back.operator == "ada"
    np.testing.assert_array_equal(back.ergonomics_range[1].lower_deg, -5.0)
    assert calibration_in_force(config, None, None).digest != cal.digest
