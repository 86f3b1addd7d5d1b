"""``dexstation export lerobot``: filters, progress, refusal to overwrite."""

import json

from app.cli import main
from recorder.dataset_store import DatasetStore
from recorder.episode_reader import read_metadata
from tests.recorder.full_episode import record_full_episode


def dataset(tmp_path):
    root = tmp_path / "ds"
    store = DatasetStore.open(root)
    for primitive, outcome in (("pour", "success"), ("wipe", "failure"), ("pour", "discarded")):
        store.write_catalog_entry(read_metadata(record_full_episode(root, primitive, outcome)))
    return root


def test_export_filters_and_reports(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root, out = dataset(tmp_path), tmp_path / "out"
    args = ["export", "lerobot", "--dataset", str(root), "--out", str(out), "--native-video"]
    assert main([*args, "--primitive", "POUR"]) == 0
    captured = capsys.readouterr()
    assert "wrote 1 episode(s)" in captured.out and "1/1" in captured.err
    info = json.loads((out / "meta" / "info.json").read_text())
    assert info["total_episodes"] == 1  # the discarded pour is left out
    assert main(args) == 2
    assert "not empty" in capsys.readouterr().err
    assert main([*args, "--force", "--include-discarded"]) == 0
    assert json.loads((out / "meta" / "info.json").read_text())["total_episodes"] == 3


def test_nothing_matching_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = dataset(tmp_path)
    out = tmp_path / "out"
    assert (
        main(["export", "lerobot", "--dataset", str(root), "--out", str(out), "--object", "spoon"])
        == 2
    )
    assert "nothing to export" in capsys.readouterr().err
    assert not out.exists()
