"""Profiles: round trip, precise errors on malformed files, readable diffs, snapshots."""

import json

import numpy as np
import pytest

from calibration.profiles import (
    GloveCalibration,
    OperatorProfile,
    ProfileError,
    StationProfile,
    TrackerRole,
    diff,
    load_profile,
    profile_path,
    save_profile,
    snapshot,
)

LEFT = TrackerRole(serial="LHR-1A2B3C4D", role="left_wrist")


def station(**changes) -> StationProfile:
    base = StationProfile(station="Lab A", trackers=[LEFT], residual_mm=1.2, residual_deg=0.4)
    return base.model_copy(update=changes)


def test_round_trip_and_file_names_from_slugs(tmp_path):
    path = save_profile(tmp_path, station())
    assert (
        path == profile_path(tmp_path, StationProfile, "Lab A") == tmp_path / "station-lab-a.json"
    )
    loaded = load_profile(path, StationProfile)
    assert loaded.trackers == [LEFT] and loaded.residual_mm == 1.2
    glove = GloveCalibration(lower_deg=[0.0] * 20, upper_deg=[60.0] * 20)
    person = OperatorProfile(operator="../ada", gloves={"left": glove})
    path = save_profile(tmp_path, person)
    assert path.name == "operator-ada.json"
    assert load_profile(path, OperatorProfile).gloves["left"].upper_deg[0] == 60.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), r"colour: .*fix: remove this key"),
        (lambda d: d.update(version=7), r"version: 7 is not a version this software reads"),
        (lambda d: d["trackers"][0].update(role="ankle"), r"trackers\.0\.role: .*fix: use one of"),
        (lambda d: d["trackers"][0].update(serial="../x"), r"trackers\.0\.serial"),
        (lambda d: d.update(residual_mm=-1), r"residual_mm: .*fix: use a value >= 0"),
        (
            lambda d: d.update(robot_from_universe=np.diag([2.0, 1, 1, 1]).tolist()),
            r"robot_from_universe: .*orthonormal",
        ),
        (
            lambda d: d["trackers"].append(dict(d["trackers"][0], serial="LHR-00000001")),
            r"two trackers have the same role",
        ),
    ],
)
def test_malformed_profiles_name_the_file_field_and_fix(tmp_path, change, message):
    path = save_profile(tmp_path, station())
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(path, StationProfile)
    assert str(path) in str(caught.value)


def test_unreadable_files_say_so(tmp_path):
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.json", StationProfile)
    (tmp_path / "bad.json").write_text("{ nope")
    with pytest.raises(ProfileError, match=r"bad.json: not JSON \(line 1"):
        load_profile(tmp_path / "bad.json", StationProfile)


def test_diff_lists_each_change_readably():
    old = station()
    moved = np.eye(4)
    moved[0, 3] = 0.012
    new = station(robot_from_universe=moved.tolist(), residual_mm=0.9, trackers=[])
    lines = diff(old, new)
    assert "robot_from_universe[0][3]: 0 -> 0.012" in lines
    assert "residual_mm: 1.2 -> 0.9" in lines
    assert any(line.startswith("trackers: ") for line in lines)
    assert diff(old, old) == []


def test_snapshot_is_plain_json():
    shot = snapshot(station(), None)
    assert json.loads(json.dumps(shot)) == shot
    assert shot["station"]["trackers"][0]["serial"] == "LHR-1A2B3C4D" and shot["operator"] is None
