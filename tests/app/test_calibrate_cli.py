"""``dexstation calibrate`` on the simulated station: tare, quick re-alignment, profile show
and check, and refusals that change nothing."""

import json

from app.cli import main
from tests.station_toml import small_station_toml


def station_toml(tmp_path, *tables):
    return small_station_toml(
        tmp_path / "station.toml",
        f'[calibration]\nprofiles_dir = "{tmp_path / "profiles"}"',
        f'[dataset]\nroot = "{tmp_path / "data"}"',
        *tables,
    )


def calibrate(toml, *args):
    return main(["calibrate", "--config", str(toml), "--yes", *args])


def test_tare_then_show_prints_the_saved_profile(tmp_path, capsys):
    toml = station_toml(tmp_path)
    assert calibrate(toml, "show") == 1
    assert "no profile yet" in capsys.readouterr().err
    assert calibrate(toml, "tare") == 0
    assert "tared 10 fingertip sensors" in capsys.readouterr().out
    assert calibrate(toml, "show") == 0
    out = capsys.readouterr().out
    profile = json.loads(out[out.index("\n") + 1 :])
    assert len(profile["tactile"]) == 10


def test_align_saves_the_refit_registration(tmp_path, capsys):
    toml = station_toml(tmp_path, "[sim]\noperator_delay_s = 30.0")
    assert calibrate(toml, "align", "--seconds", "0.5") == 0
    out = capsys.readouterr().out
    assert "re-aligned: moved" in out
    assert (tmp_path / "profiles" / "station-sim-station.json").exists()


def test_roles_refused_when_no_hand_is_raised_changes_nothing(tmp_path, capsys):
    toml = station_toml(tmp_path, "[sim]\noperator_delay_s = 30.0")
    assert calibrate(toml, "roles") == 2
    assert "raise the left hand higher" in capsys.readouterr().err
    assert not (tmp_path / "profiles").exists()


def test_check_names_each_bad_profile(tmp_path, capsys):
    toml = station_toml(tmp_path)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "operator-ada.json").write_text('{"version": 1, "operator": "ada"}')
    (folder / "operator-bob.json").write_text('{"version": 1, "operator": "bob", "gloves": 3}')
    assert calibrate(toml, "check") == 2
    out = capsys.readouterr().out
    assert "ok  " in out and "operator-ada.json" in out
    assert "BAD " in out and "operator-bob.json" in out and "gloves" in out
    assert "2 profile(s)" in out and "1 bad" in out


def test_glove_capture_without_spread_is_refused_naming_the_joints(tmp_path, capsys):
    """The scripted operator never spreads the fingers, so those ranges are too narrow."""
    toml = station_toml(tmp_path)
    assert calibrate(toml, "glove", "--operator", "ada", "--side", "left") == 2
    err = capsys.readouterr().err
    assert "range narrower than" in err and "mcp_spread" in err
    assert not (tmp_path / "profiles" / "operator-ada.json").exists()
