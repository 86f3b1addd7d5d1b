"""SIGKILL at random moments: every other episode stays byte for byte, the interrupted one is
recovered with at most the last second lost, every array of a stream cut to the same rows."""

import random
import signal
import time

import numpy as np
import zarr

from recorder.dataset_store import DatasetStore
from recorder.episode_reader import list_episodes, open_episode
from recorder.layout import jpeg_bytes_name, jpeg_offsets_name
from recorder.recovery import RECOVERED_NOTE, RecoveryReport, recover_dataset
from tests.recorder.files import digest
from tests.recorder.recording_child import spawn
from tests.recorder.samples import SMALL_SPECS

TRIALS = 10
MAX_LOSS_S = 1.0


def check_arrays_agree(folder, rows: dict[str, int]) -> None:
    """Every stored array of each stream has the stream's rows (read with zarr-python)."""
    for spec in SMALL_SPECS:
        group = zarr.open_group(folder / "streams" / spec.name, mode="r")
        n = rows[spec.name]
        for name, array in group.arrays():
            if name.endswith(".jpeg_bytes"):
                continue
            assert array.shape[0] == n, (spec.name, name)
        for field, f in spec.fields.items():
            if f.encoding == "jpeg":
                ends = group[jpeg_offsets_name(field)][:].sum(axis=1)
                assert group[jpeg_bytes_name(field)].shape[0] == (ends[-1] if n else 0)


def test_sigkill_loses_at_most_the_last_second_and_nothing_else(tmp_path):
    store = DatasetStore.open(tmp_path)
    finished: list[str] = []
    losses, recovery_s = [], []
    rng = random.Random(7)
    for _ in range(TRIALS):
        child = spawn("until-killed", tmp_path)
        finished.append(child.stdout.readline().split()[1])
        kind, live = child.stdout.readline().split()
        assert kind == "recording"
        time.sleep(rng.uniform(0.0, 1.6))
        before = digest(tmp_path, *finished)
        killed_ns = time.monotonic_ns()
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert digest(tmp_path, *finished) == before
        t0 = time.perf_counter()
        report = recover_dataset(store)
        recovery_s.append(time.perf_counter() - t0)
        assert [r.metadata.episode_id for r in report.recovered] == [live]
        assert (report.removed, report.live, report.problems) == ([], [], [])
        episode = open_episode(tmp_path / live)
        meta = episode.metadata
        assert meta.status == "recovered" and RECOVERED_NOTE in meta.notes
        lengths = {name: len(episode.stream(name)) for name in episode.streams}
        assert {name: info.count for name, info in meta.streams.items()} == lengths
        check_arrays_agree(tmp_path / live, lengths)
        for name, n in lengths.items():  # a stream without rows lost all since the start
            last = int(episode.stream(name).t_capture_ns.max()) if n else meta.start_monotonic_ns
            losses.append((killed_ns - last) * 1e-9)
        camera = episode.stream("camera_test")
        assert camera.field("image").shape[0] == len(camera)  # every kept frame decodes
        assert np.array_equal(camera.seq, np.arange(len(camera)))  # no hole, no zero-fill
        assert np.array_equal(camera.field("frame_id"), camera.seq)
        assert digest(tmp_path, *finished) == before
        assert not (tmp_path / live / "writer.lock").exists()
        finished.append(live)
    print(f"\nSIGKILL: data lost max {max(losses):.3f} s, mean {np.mean(losses):.3f} s; "
          f"recovery max {max(recovery_s) * 1e3:.0f} ms")  # fmt: skip
    assert max(losses) <= MAX_LOSS_S
    statuses = {meta.status for _, meta in list_episodes(tmp_path)}
    assert statuses == {"complete", "recovered"}
    before = digest(tmp_path)
    assert recover_dataset(store) == RecoveryReport()  # nothing left to do
    assert digest(tmp_path) == before
