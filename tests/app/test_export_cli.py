"""``dexstation export lerobot``: filters, progress and summary, errors with exit status 2."""

import argparse
import json
from datetime import UTC, datetime

import pytest

from app import export_cli
from tests.recorder.full_episode import record_full_episode


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="dexstation")
    export_cli.add_parser(parser.add_subparsers(dest="command"))
    return export_cli.run(parser.parse_args(["export", "lerobot", *argv]))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    for second, (primitive, outcome) in enumerate(
        [("pour", "success"), ("wipe", None), ("pour", "discarded")]
    ):
        started = datetime(2026, 11, 22, 5, 12, second, tzinfo=UTC)
        record_full_episode(root, primitive, outcome, started=started)
    return root


def info(out):
    return json.loads((out / "meta" / "info.json").read_text())


def test_export_with_filters_reports_progress_and_what_it_wrote(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    common = ["--dataset", str(dataset), "--out", str(out), "--native-video", "--fps", "15"]
    assert run(*common, "--primitive", "POUR", "--primitive", "wipe") == 0
    captured = capsys.readouterr()
    assert "wrote 2 episode(s), 30 frames (2.0 s at 15 fps)" in captured.out
    assert "\rexporting [" in captured.err and "2/2" in captured.err
    assert info(out)["total_episodes"] == 2  # the discarded pour is left out
    assert run(*common, "--force", "--outcome", "unlabelled") == 0
    assert info(out)["total_episodes"] == 1  # the wipe
    assert run(*common, "--force", "--outcome", "discarded", "--station", "LAB") == 0
    assert info(out)["total_episodes"] == 1


def test_errors_are_reported_with_status_2(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    assert run("--dataset", str(dataset), "--out", str(out)) == 2
    assert "dexstation: " in capsys.readouterr().err and (out / "notes.txt").exists()
    assert run("--dataset", str(dataset), "--out", str(tmp_path / "o"), "--object", "spoon") == 2
    assert "nothing to export" in capsys.readouterr().err
    assert run("--dataset", str(tmp_path / "missing"), "--out", str(tmp_path / "o")) == 2
    assert "no such dataset folder" in capsys.readouterr().err
    assert run("--dataset", str(dataset), "--out", str(tmp_path / "o"), "--fps", "0") == 2
    assert "--fps" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
