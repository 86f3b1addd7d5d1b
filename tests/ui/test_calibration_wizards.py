"""Walk through each calibration wizard with the simulated station."""

from pathlib import Path

import numpy as np
import pytest

from app.station import Station
from calibration.glove import POSES
from calibration.profiles import (
    GloveCalibration,
    OperatorProfile,
    StationProfile,
    load_profile,
    profile_path,
)
from ui.glove_wizard import GloveWizard
from ui.tactile_wizard import TactileWizard
from ui.tracker_wizard import TrackerWizard


@pytest.fixture
def station(station_config):
    with Station(station_config()) as running:
        assert running.wait_for(
            lambda: all(running.bus.latest(s.name) for s in running.specs), 15.0
        )
        yield running


def test_tactile_wizard_tares_and_lists_the_fingertips(qtbot, station):
    wizard = TactileWizard(station)
    qtbot.addWidget(wizard)
    assert wizard.sensors.count() == 10
    assert "free" in wizard.sensors.item(0).text()
    wizard.tare_button.click()
    assert len(wizard.tared) == 10 and "saved in the profile" in wizard.result.text()


def test_glove_wizard_walks_the_poses_names_unmoved_joints_and_saves(qtbot, station):
    wizard = GloveWizard(station, "Ada", "right")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.preview_q is not None, timeout=5_000)
    shown = station.bus.latest("hand_right")
    assert shown is not None  # the preview replaces the measured hand, same stream
    np.testing.assert_allclose(
        wizard.previewed("hand_right").data["position"], wizard.preview_q, atol=1e-6
    )
    for pose in POSES:
        assert wizard.pose == pose
        wizard.capture_button.click()
        qtbot.waitUntil(lambda p=pose: wizard.pose != p, timeout=5_000)
    # The scripted operator never spreads its fingers: the wizard says which joints to move.
    assert wizard.calibration is None
    assert "narrower than" in wizard.status.text() and "mcp_spread" in wizard.status.text()
    wizard.calibration = GloveCalibration(
        lower_deg=[0.0] * 20, upper_deg=[50.0] * 20, keypoint_scale=0.9
    )
    wizard.save()
    folder = station.config.calibration.profiles_dir
    saved = load_profile(profile_path(folder, OperatorProfile, "Ada"), OperatorProfile)
    assert saved.gloves["right"].keypoint_scale == pytest.approx(0.9)


def test_tracker_wizard_assigns_roles_registers_and_saves(qtbot, station, monkeypatch):
    wizard = TrackerWizard(station)
    qtbot.addWidget(wizard)
    poses = station.tracker_poses()
    assert len(poses) == 2
    wizard.capture_down()
    assert "LHR-SIM0001L  connected, no battery reading" in wizard.roles_label.text()
    left = next(s for s in poses if s.endswith("L"))
    raised = {s: p.copy() for s, p in poses.items()}
    raised[left][1, 3] += 0.4  # the sim operator cannot raise a hand on request
    monkeypatch.setattr(station, "tracker_poses", lambda: raised)
    wizard.capture_left_raised()
    monkeypatch.undo()
    assert [r.role for r in wizard.roles] == ["left_wrist", "right_wrist"]
    assert wizard.roles[0].serial == left
    # The robot really moves through the poses; the scripted operator cannot mirror it, so
    # each tracker is put where X^-1 W Y^-1 puts it for the robot's measured wrist W.
    x = np.array(station.config.calibration.robot_from_universe)
    y = np.eye(4)
    y[:3, 3] = (0.0, 0.03, 0.05)

    def mirrored():
        q = np.asarray(station.bus.latest("body").data["arm_position"], float)
        wrists = station.arms.wrist_poses(q)
        return {
            role.serial: np.linalg.inv(x) @ wrists[i] @ np.linalg.inv(y)
            for i, role in enumerate(wizard.roles)
        }

    monkeypatch.setattr(station, "tracker_poses", mirrored)
    wizard.show_pose()
    for target in wizard.poses:

        def arrived(target=target):
            measured = station.bus.latest("body").data["arm_position"]
            return np.abs(measured - target).max() < 0.01

        qtbot.waitUntil(arrived, timeout=10_000)
        wizard.capture_pair()
    assert "every pose captured" in wizard.pairs_label.text()
    wizard.register()
    assert wizard.result.text().count("residual 0.0 mm") == 2, wizard.result.text()
    np.testing.assert_allclose(wizard.registrations["left"].robot_from_universe, x, atol=1e-6)
    wizard.save()
    saved = load_profile(
        Path(station.config.calibration.profiles_dir) / "station-sim-station.json", StationProfile
    )
    assert saved.residual_mm is not None and len(saved.trackers) == 2
    assert any(line.startswith("robot_from_universe") for line in wizard.saved_changes)
    assert np.isfinite(np.array(saved.robot_from_universe)).all()
