"""SIGKILL at random moments: finished episodes stay byte for byte, the interrupted one is
recovered with at most the last second lost; recovery never touches a live recording."""

import hashlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from recorder.dataset_store import DatasetStore
from recorder.episode_reader import list_episodes, open_episode
from recorder.recovery import RECOVERED_NOTE, recover_dataset, recover_episode
from tests.recorder.samples import record_episode

TRIALS = 10
MAX_LOSS_S = 1.0


def digests(root: Path, ids) -> dict[str, str]:
    return {
        f"{i}/{p.relative_to(root / i)}": hashlib.sha256(p.read_bytes()).hexdigest()
        for i in ids
        for p in sorted((root / i).rglob("*"))
        if p.is_file()
    }


def start_child(root: Path) -> tuple[subprocess.Popen, str, str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.recorder.recording_child", str(root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    complete = child.stdout.readline().split()
    recording = child.stdout.readline().split()
    assert complete[0] == "complete" and recording[0] == "recording"
    return child, complete[1], recording[1]


def test_sigkill_loses_at_most_the_last_second_and_nothing_else(tmp_path):
    store = DatasetStore.open(tmp_path)
    finished: list[str] = []
    rng = random.Random(7)
    for _ in range(TRIALS):
        child, complete, live = start_child(tmp_path)
        finished.append(complete)
        time.sleep(rng.uniform(0.2, 1.6))
        before = digests(tmp_path, finished)
        killed_ns = time.monotonic_ns()
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert digests(tmp_path, finished) == before
        recovered, problems = recover_dataset(store)
        assert problems == []
        assert [r.metadata.episode_id for r in recovered] == [live]
        episode = open_episode(tmp_path / live)
        assert episode.metadata.status == "recovered" and RECOVERED_NOTE in episode.metadata.notes
        kept = [episode.stream(s).t_capture_ns for s in episode.streams]
        last = max(
            (int(t[-1]) for t in kept if len(t)), default=episode.metadata.start_monotonic_ns
        )
        assert (killed_ns - last) * 1e-9 <= MAX_LOSS_S
        camera = episode.stream("camera_test")
        assert camera.field("image").shape[0] == len(camera)  # every kept frame decodes
        assert np.array_equal(camera.seq, np.arange(len(camera)))  # no hole, no zero-fill
        assert episode.metadata.streams["camera_test"].count == len(camera)
        assert digests(tmp_path, finished) == before
        finished.append(live)
    statuses = {meta.status for _, meta in list_episodes(tmp_path)}
    assert statuses == {"complete", "recovered"}
    assert recover_dataset(store) == ([], [])  # nothing left to do, nothing touched again


def test_a_live_recording_is_never_recovered(tmp_path):
    child, _, live = start_child(tmp_path)
    try:
        time.sleep(0.3)
        assert recover_episode(tmp_path / live) is None
        assert open_episode(tmp_path / live).metadata.status == "recording"
    finally:
        child.kill()
        child.wait()
    assert recover_episode(tmp_path / live) is not None


def test_unreadable_episodes_are_reported_by_name_and_the_rest_recovered(tmp_path):
    kept = record_episode(tmp_path, "lab")
    broken = tmp_path / "20261122T000000Z-lab-0badc0de"
    broken.mkdir()
    (broken / "zarr.json").write_text("{ not json")
    recovered, problems = recover_dataset(DatasetStore.open(tmp_path))
    assert recovered == []
    assert len(problems) == 1 and str(broken) in problems[0]
    assert open_episode(tmp_path / kept).metadata.status == "complete"


def test_finished_episodes_are_left_alone(tmp_path):
    kept = record_episode(tmp_path, "lab")
    before = digests(tmp_path, [kept])
    assert recover_episode(tmp_path / kept) is None
    assert digests(tmp_path, [kept]) == before


@pytest.fixture(autouse=True)
def _cwd_on_path(monkeypatch):
    """The child imports the tests package from the project folder."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
