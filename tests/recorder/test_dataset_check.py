"""What needs attention in a dataset folder: every case named, with its fix."""

import shutil

from recorder.dataset_check import attention
from tests.recorder.recording_child import spawn
from tests.recorder.samples import record_episode


def by_episode(problems: list[str]) -> dict[str, str]:
    return {p.split(":")[0].split("/")[-1]: p for p in problems}


def test_every_episode_needing_attention_is_named_with_the_fix(tmp_path):
    fine, gone, uncatalogued = (record_episode(tmp_path, s) for s in ("a", "b", "c"))
    shutil.rmtree(tmp_path / gone)
    (tmp_path / "catalog" / f"{uncatalogued}.json").unlink()
    child = spawn("exit-while-starting", tmp_path)
    child.stdout.readline()
    child.wait()
    (unstarted,) = (p.name for p in tmp_path.glob("2*") if not (p / "zarr.json").exists())
    found = by_episode(attention(tmp_path, [fine, gone]))
    assert found.keys() == {gone, uncatalogued, unstarted}
    assert "catalogued but absent; `dexstation coverage" in found[gone]
    assert "not catalogued; `dexstation coverage" in found[uncatalogued]
    assert "killed while starting; `dexstation recover" in found[unstarted]
    (tmp_path / fine / "streams" / "joints_test" / "seq" / "zarr.json").write_text("{")
    assert fine not in by_episode(attention(tmp_path, [fine, gone]))  # the data is not read
    (damaged,) = [p for p in attention(tmp_path, [fine], check=True) if fine in p]
    assert "joints_test/seq/zarr.json: damaged" in damaged and "episodes delete" in damaged
