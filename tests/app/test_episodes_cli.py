"""``dexstation episodes ...`` and ``dexstation recover`` on a small dataset."""

from datetime import date

from app.cli import main
from recorder.episode_reader import open_episode
from tests.recorder.samples import record_episode


def test_list_show_relabel_trim_delete_restore(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "ds"
    first, second = record_episode(root, "lab-a"), record_episode(root, "lab-b")
    ds = ("--dataset", str(root))
    assert main(["episodes", "list", *ds]) == 0
    assert "2 episode(s)" in capsys.readouterr().out
    assert main(["episodes", "list", "--station", "LAB-B", *ds]) == 0
    out = capsys.readouterr().out
    assert second in out and first not in out
    assert main(["episodes", "list", "--since", date.today().isoformat(), *ds]) == 0
    assert "2 episode(s)" in capsys.readouterr().out
    assert main(["episodes", "show", first, *ds]) == 0
    out = capsys.readouterr().out
    assert "camera_test" in out and "primitive          pour" in out
    assert main(["episodes", "relabel", first, "--outcome", "failure", *ds]) == 0
    assert open_episode(root / first).metadata.outcome == "failure"
    assert main(["episodes", "trim", first, "0.5", "1.0", *ds]) == 0
    assert len(open_episode(root / first).stream("camera_test")) == 16
    assert main(["episodes", "delete", second, *ds]) == 0
    assert not (root / second).exists()
    assert main(["episodes", "restore", second, *ds]) == 0
    assert open_episode(root / second).metadata.status == "complete"


def test_bad_input_is_a_clear_error_and_changes_nothing(tmp_path, capsys):
    root = tmp_path / "ds"
    kept = record_episode(root, "lab")
    assert main(["episodes", "delete", "../../etc", "--dataset", str(root)]) == 2
    assert "is not an episode id" in capsys.readouterr().err
    assert main(["episodes", "relabel", kept, "--dataset", str(root)]) == 2
    assert "nothing to change" in capsys.readouterr().err
    assert main(["episodes", "relabel", kept, "--outcome", "great", "--dataset", str(root)]) == 2
    assert "outcome" in capsys.readouterr().err
    assert open_episode(root / kept).metadata.outcome == "success"


def test_recover_reports_what_it_did(tmp_path, capsys):
    root = tmp_path / "ds"
    record_episode(root, "lab")
    assert main(["recover", "--dataset", str(root)]) == 0
    assert "0 episode(s) recovered" in capsys.readouterr().out
