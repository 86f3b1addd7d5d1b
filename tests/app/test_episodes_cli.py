"""``dexstation episodes ...`` and ``dexstation recover`` on a small dataset."""

import logging
from datetime import UTC, date, datetime

import numpy as np
import pytest

from app.cli import main
from recorder.episode_id import new_episode_id
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.recording_child import spawn
from tests.recorder.samples import JOINTS, make_sample, record_episode


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_list_show_relabel_trim_delete_restore_purge(tmp_path, capsys):
    root = tmp_path / "ds"
    first, second = record_episode(root, "lab-a"), record_episode(root, "lab-b")
    ds = ("--dataset", str(root))
    assert main(["episodes", "list", *ds]) == 0
    out, err = capsys.readouterr()
    assert "2 episode(s)" in out and err == ""
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
    assert main(["episodes", "list", "--trash", *ds]) == 0
    assert "2 episode(s) in the trash" in capsys.readouterr().out  # the trim's original too
    assert main(["episodes", "restore", second, *ds]) == 0
    assert open_episode(root / second).metadata.status == "complete"
    assert main(["episodes", "purge", first, *ds]) == 0
    assert "for good" in capsys.readouterr().out
    assert main(["episodes", "list", "--trash", *ds]) == 0
    assert "0 episode(s) in the trash" in capsys.readouterr().out


def test_show_counts_rates_and_gaps(tmp_path, capsys):
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="p",
        object="o",
        operator="op",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, [JOINTS], meta, flush_interval_s=0.1)
    writer.start()
    rng = np.random.default_rng(0)
    for seq in [*range(0, 50), *range(60, 100)]:  # 10 samples never arrived
        writer.put(make_sample(JOINTS, seq, rng, valid=seq != 70))
    writer.stop()
    assert main(["episodes", "show", meta.episode_id, "--dataset", str(tmp_path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("joints_test"))
    rows, nominal, measured, missing, longest, invalid = line.split()[1:]
    assert (rows, nominal, missing, invalid) == ("90", "200.0", "10", "1")
    assert float(measured) == pytest.approx(89 / 0.495, rel=1e-3)
    assert float(longest) == pytest.approx(0.055)


def test_bad_input_is_a_clear_error_and_changes_nothing(tmp_path, capsys):
    root = tmp_path / "ds"
    kept = record_episode(root, "lab")
    for action in ("delete", "show", "restore", "purge"):
        assert main(["episodes", action, "../../etc", "--dataset", str(root)]) == 2
        assert "dexstation: '../../etc' is not an episode id" in capsys.readouterr().err
    assert main(["episodes", "relabel", kept, "--dataset", str(root)]) == 2
    assert "nothing to change" in capsys.readouterr().err
    assert main(["episodes", "relabel", kept, "--outcome", "great", "--dataset", str(root)]) == 2
    assert "outcome" in capsys.readouterr().err
    assert open_episode(root / kept).metadata.outcome == "success"
    assert main(["episodes", "list", "--dataset", str(tmp_path / "typo")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err


def test_recover_reports_what_it_did_and_list_what_needs_it(tmp_path, capsys):
    root = tmp_path / "ds"
    record_episode(root, "lab")
    child = spawn("exit-when-written", root)
    interrupted = child.stdout.readline().split()[1]
    child.wait()
    assert main(["episodes", "list", "--dataset", str(root)]) == 0
    out, err = capsys.readouterr()
    assert "1 episode(s)" in out
    assert f"attention: {interrupted}: interrupted; `dexstation recover --dataset" in err
    assert main(["recover", "--dataset", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"recovered {interrupted}: 2.0 s of samples kept, 0 row(s)" in out
    assert "1 episode(s) recovered" in out
    assert main(["recover", "--dataset", str(root)]) == 0
    assert "0 episode(s) recovered" in capsys.readouterr().out
    assert main(["episodes", "list", "--dataset", str(root)]) == 0
    out, err = capsys.readouterr()
    assert "2 episode(s)" in out and "recovered" in out and err == ""


def test_a_broken_episode_is_named_with_the_fix_and_the_rest_stays_usable(tmp_path, capsys, caplog):
    root = tmp_path / "ds"
    kept, broken = record_episode(root, "lab-a"), record_episode(root, "lab-b")
    (root / broken / "zarr.json").write_text('{"zarr_format": 3, "node_type": "gro')
    ds = ("--dataset", str(root))
    assert main(["episodes", "show", broken, *ds]) == 2
    err = capsys.readouterr().err
    assert f"{root / broken / 'zarr.json'}: not a zarr v3 group" in err
    assert f"dexstation episodes delete {broken}" in err
    assert main(["episodes", "show", kept, *ds]) == 0
    assert main(["episodes", "list", "--check", *ds]) == 0
    out, err = capsys.readouterr()
    assert "2 episode(s)" in out  # from the catalog
    assert f"attention: {root / broken / 'zarr.json'}: not a zarr v3 group" in err
    with caplog.at_level(logging.WARNING):
        assert main(["coverage", "--rebuild", *ds]) == 0
    assert str(root / broken) in caplog.text
    capsys.readouterr()
    assert main(["episodes", "delete", broken, *ds]) == 0
    assert main(["episodes", "list", "--check", *ds]) == 0
    out, err = capsys.readouterr()
    assert "1 episode(s)" in out and err == ""


def test_a_damaged_stream_is_named_and_the_others_shown(tmp_path, capsys):
    kept = record_episode(tmp_path, "lab")
    chunk = tmp_path / kept / "streams" / "joints_test" / "t_capture_ns" / "c.0"
    chunk.write_bytes(chunk.read_bytes()[:10])
    assert main(["episodes", "show", kept, "--dataset", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert "joints_test              damaged" in out and "camera_test" in out
    assert "joints_test/t_capture_ns: damaged" in err and "trim the damaged rows off" in err
