"""``dexstation coverage`` on a small local dataset."""

import json

from app.cli import main
from recorder.dataset_store import DatasetStore
from tests.recorder.coverage_data import add_episode

CURRICULUM_TOML = """
[curriculum]
name = "cli"
categories = ["kitchen"]
[defaults]
target_episodes = 2
[[primitive]]
name = "pour"
[[object]]
name = "mug"
category = "kitchen"
[[object]]
name = "kettle"
category = "kitchen"
[[combination]]
primitive = "pour"
object = "*"
"""


def dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "dataset"
    root.mkdir()
    store = DatasetStore.open(root)
    episode = add_episode(root, store, 1)  # pour x mug, success
    curriculum = tmp_path / "plan.toml"
    curriculum.write_text(CURRICULUM_TOML)
    return root, curriculum, store, episode


def test_json_counts_and_suggests(tmp_path, monkeypatch, capsys):
    root, curriculum, _, _ = dataset(tmp_path, monkeypatch)
    args = ["coverage", "--dataset", str(root), "--curriculum", str(curriculum), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"]["successes"] == 1
    assert [c["object"] for c in report["next_up"]] == ["kettle", "mug"]


def test_relabel_and_delete_are_reflected(tmp_path, monkeypatch, capsys):
    root, curriculum, store, episode = dataset(tmp_path, monkeypatch)
    args = ["coverage", "--dataset", str(root), "--curriculum", str(curriculum), "--csv"]
    assert main(args) == 0
    capsys.readouterr()
    store.update_metadata(episode.episode_id, {"outcome": "failure"})
    assert main(args) == 0
    assert "pour,mug,kitchen,True,2,,1,0,1,0.0" in capsys.readouterr().out
    store.delete_episode(episode.episode_id)
    assert main(args) == 0
    assert "pour,mug,kitchen,True,2,,0,0,0,,0.0,0.0" in capsys.readouterr().out


def test_html_report_and_clear_errors(tmp_path, monkeypatch, capsys):
    root, curriculum, _, _ = dataset(tmp_path, monkeypatch)
    report = tmp_path / "report.html"
    args = ["coverage", "--dataset", str(root), "--curriculum", str(curriculum)]
    assert main([*args, "--html", str(report)]) == 0
    assert report.read_text().count("<svg") == 4
    assert main(["coverage", "--dataset", str(tmp_path / "nowhere")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text("[curriculum]\nname = 'x'\n")
    assert main(["coverage", "--dataset", str(root), "--curriculum", str(broken)]) == 2
    assert "broken.toml" in capsys.readouterr().err
