"""The tracker census for the wrist roles: every source asked once, configured trackers fill
in for sources that cannot list, unreachable sources named with their fix."""

import numpy as np

from app import tracker_census
from app.config import load_config, parse_config
from app.tracker_census import take_census
from devices.trackers import TrackerInfo
from devices.vive.zmq_tracker import ZmqTracker


def trackers_config(backend: str, **options):
    devices = {
        f"tracker_{side}": {"family": "tracker", "backend": backend, "side": side, **options}
        for side in ("left", "right")
    }
    return parse_config({"devices": devices})


def test_simulated_trackers_are_listed_from_their_latest_poses():
    poses = {"LHR-SIM0001R": np.eye(4), "LHR-SIM0001L": 2 * np.eye(4)}
    census = take_census(load_config(), poses)
    assert [t.serial for t in census.trackers] == ["LHR-SIM0001L", "LHR-SIM0001R"]
    assert census.poses()["LHR-SIM0001L"][0, 0] == 2.0
    assert census.problems == []
    assert census.describe().splitlines()[0] == "LHR-SIM0001L  connected, no battery reading"


def test_an_unreachable_source_is_asked_once_and_named_with_its_fix():
    census = take_census(trackers_config("zmq", endpoint="tcp://127.0.0.1:1"), {}, 0.05)
    assert census.trackers == []
    assert len(census.problems) == 1
    assert census.problems[0].startswith("tracker_left: no tracker poses from tcp://127.0.0.1:1")
    assert "fix:" in census.problems[0]
    assert census.describe().startswith("no trackers seen\n")


def test_the_source_s_listing_comes_first_and_configured_poses_fill_in(monkeypatch):
    listed = TrackerInfo("LHR-0A1B2C3D", 0.5, True, np.eye(4))
    asked = []

    class Source(ZmqTracker):
        @classmethod
        def census(cls, options, timeout_s):
            asked.append(options.endpoint)
            return [listed]

    monkeypatch.setattr(tracker_census, "backend_class", lambda family, backend: Source)
    config = trackers_config("zmq", endpoint="tcp://steamvr-pc:5560")
    census = take_census(config, {"LHR-0A1B2C3D": 3 * np.eye(4), "LHR-4E5F6A7B": np.eye(4)})
    assert asked == ["tcp://steamvr-pc:5560"]
    assert census.trackers[0] is listed
    assert [t.serial for t in census.trackers] == ["LHR-0A1B2C3D", "LHR-4E5F6A7B"]
