"""``dexstation doctor``: every device checked, rates measured, failures named with a fix."""

import json
from pathlib import Path

from app import doctor
from app.cli import main
from app.config import load_config
from app.doctor import examine, station_in_force
from calibration.profiles import StationProfile, TrackerRole, save_profile
from devices import registry
from devices.hardware import HardwareDevice
from tests.station_toml import small_station_toml

EXAMPLE = Path(__file__).parents[2] / "docs" / "station.example.toml"


def station_toml(tmp_path, *tables):
    return small_station_toml(
        tmp_path / "station.toml",
        f'[calibration]\nprofiles_dir = "{tmp_path / "profiles"}"',
        *tables,
    )


def test_the_simulated_station_passes_every_check_with_its_rates(tmp_path):
    reports = examine(load_config(station_toml(tmp_path)), timeout_s=1.0, rate_s=1.0)
    assert {r.device for r in reports} == set(load_config().devices)
    for report in reports:
        assert report.ok, report
        assert "Hz" in report.findings[-1].detail


def test_a_slow_stream_fails_the_rate_check_naming_it(tmp_path):
    toml = station_toml(tmp_path)
    toml.write_text(
        toml.read_text().replace(
            'side = "left"\nrate_hz = 90.0',
            'side = "left"\nrate_hz = 90.0\nfaults = {drop_rate = 0.6}',
            1,
        )
    )
    reports = {r.device: r for r in examine(load_config(toml), timeout_s=1.0, rate_s=1.0)}
    rate = reports["glove_left"].findings[-1]
    assert not rate.ok
    assert "glove_left at" in rate.detail and "of 90 Hz" in rate.detail
    assert rate.fix
    assert reports["glove_right"].ok


def test_the_example_station_on_this_machine_names_every_failure_with_its_fix(capsys):
    assert main(["doctor", "--config", str(EXAMPLE), "--timeout", "0.3"]) == 1
    out = capsys.readouterr().out
    for device in load_config(EXAMPLE).devices:
        assert f"\n{device} " in out
    assert "fix: pip install 'dexstation[vive]'" in out
    reports = examine(load_config(EXAMPLE), timeout_s=0.3, rate_s=0.0)
    assert all(not r.ok for r in reports)
    failed = [f for r in reports for f in r.findings if not f.ok]
    assert failed and all(f.fix for f in failed)


def test_a_check_that_raises_is_reported_not_fatal(tmp_path, monkeypatch, capsys):
    class Broken(HardwareDevice):
        Options = registry.backend_class("glove", "ros2").Options

        @classmethod
        def diagnose(cls, options, timeout_s):
            raise RuntimeError("driver crashed")

    monkeypatch.setattr(doctor, "backend_class", lambda family, backend: Broken)
    assert main(["doctor", "--config", str(EXAMPLE), "--json", "--rate-seconds", "0"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert reports[0]["findings"][0]["detail"] == "RuntimeError: driver crashed"
    assert not reports[0]["ok"]


def test_trackers_are_checked_with_the_serials_of_the_station_profile(tmp_path):
    config = load_config(station_toml(tmp_path))
    role = TrackerRole(serial="LHR-0A1B2C3D", role="left_wrist")
    save_profile(tmp_path / "profiles", StationProfile(station="sim-station", trackers=[role]))
    in_force = station_in_force(config)
    assert in_force.devices["tracker_left"].options["serial"] == "LHR-0A1B2C3D"
    assert in_force.devices["tracker_right"].options["serial"] == "LHR-SIM0001R"


def test_a_bad_config_exits_2_naming_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[devices.g]\nfamily = 'glove'\nbackend = 'nope'\n")
    assert main(["doctor", "--config", str(bad)]) == 2
    assert "bad.toml" in capsys.readouterr().err
