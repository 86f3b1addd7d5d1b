"""Per-operator preferences: round trip, safe file names, unreadable files kept aside."""

from ui.preferences import Preferences, load_preferences, preferences_path, save_preferences


def test_round_trip_per_operator(tmp_path):
    prefs = Preferences(geometry="Z2Vv", layout="bGF5", show_raw=True)
    save_preferences(tmp_path, "Ada Lovelace", prefs)
    assert load_preferences(tmp_path, "Ada Lovelace") == (prefs, "")
    assert load_preferences(tmp_path, "someone else") == (Preferences(), "")


def test_operator_names_never_become_raw_paths(tmp_path):
    path = save_preferences(tmp_path / "prefs", "../../etc/passwd", Preferences())
    assert path.parent == tmp_path / "prefs"
    assert path.name == "etc-passwd.json"


def test_unreadable_file_is_kept_aside_with_a_warning(tmp_path):
    path = preferences_path(tmp_path, "ada")
    path.write_text('{"version": 1, "show_raw": "yes"')
    prefs, warning = load_preferences(tmp_path, "ada")
    assert prefs == Preferences()
    assert str(path) in warning and "default layout" in warning
    assert path.with_suffix(".unreadable").read_text().startswith('{"version"')
    path.write_text('{"version": 1, "show_raw": "yes"}')
    assert "wrong type" in load_preferences(tmp_path, "ada")[1]
