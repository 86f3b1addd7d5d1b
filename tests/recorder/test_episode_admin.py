"""Relabel, trim, delete to the trash, restore and purge: one episode changes, every other stays
byte for byte, and only ids reach paths."""

import json
import re
import shutil
from datetime import UTC, datetime

import numpy as np
import pytest

from recorder import episode_admin
from recorder.catalog import Catalog
from recorder.dataset_store import DatasetStore
from recorder.episode_id import EPISODE_ID_RE, new_episode_id
from recorder.episode_reader import open_episode
from recorder.writer_lock import WriterLock
from tests.recorder.files import components, digest
from tests.recorder.samples import EPISODE_SAMPLES as N
from tests.recorder.samples import SMALL_SPECS, record_episode


@pytest.fixture
def dataset(tmp_path):
    kept, edited = record_episode(tmp_path, "lab-a"), record_episode(tmp_path, "lab-b")
    return DatasetStore.open(tmp_path), kept, edited


def catalogued(store) -> list[str]:
    catalog = Catalog(store, store.local_path.parent / "cache.json")
    catalog.refresh()
    return [row.episode_id for row in catalog.rows()]


def array_documents(folder) -> dict[str, dict]:
    """Every array's zarr.json but its shape: chunking, codecs, attributes."""
    found = {}
    for path in folder.glob("streams/*/*/zarr.json"):
        document = json.loads(path.read_text())
        document["shape"] = document["shape"][1:]
        found[str(path.relative_to(folder))] = document
    return found


def test_delete_and_restore_move_one_episode_and_its_catalog_entry(dataset):
    store, kept, edited = dataset
    untouched, original = digest(store.local_path, kept), digest(store.local_path, edited)
    place = episode_admin.delete(store, edited)
    assert place == store.local_path / ".trash" / edited
    assert store.episode_ids() == [kept] and catalogued(store) == [kept]
    assert episode_admin.list_trash(store) == [edited]
    restored = episode_admin.restore(store, edited)
    assert restored.outcome == "success" and episode_admin.list_trash(store) == []
    assert sorted(store.episode_ids()) == sorted(catalogued(store)) == sorted([kept, edited])
    assert digest(store.local_path, edited) == original
    assert digest(store.local_path, kept) == untouched


def test_trim_keeps_the_window_with_the_same_layout_and_frames(dataset):
    store, kept, edited = dataset
    untouched, original = digest(store.local_path, kept), digest(store.local_path, edited)
    folder = store.local_path / edited
    layout = array_documents(folder)
    before = open_episode(folder)
    first = min(int(before.stream(s).t_capture_ns[0]) for s in before.streams)
    updated = episode_admin.trim(store.local_path, edited, 0.5, 1.0)  # a root works too
    after = open_episode(folder)
    assert array_documents(folder) == layout  # chunks, "." chunk keys, codecs, attributes
    camera = after.stream("camera_test")
    offsets_s = (camera.t_capture_ns - first) * 1e-9
    assert offsets_s.min() >= 0.5 and offsets_s.max() <= 1.0
    assert list(camera.seq) == list(range(15, 31))  # 30 Hz: 0.5 s .. 1.0 s
    for spec in SMALL_SPECS:
        old, new = before.stream(spec.name), after.stream(spec.name)
        rows = np.flatnonzero(np.isin(old.seq, new.seq))
        for field in spec.fields:
            if spec.fields[field].encoding == "jpeg":  # copied, never re-encoded
                old_frames = [old.frame(field, int(i)) for i in rows]
                np.testing.assert_array_equal(new.field(field), np.array(old_frames))
            else:
                np.testing.assert_array_equal(new.field(field), old.field(field)[rows])
    assert len(after.stream("joints_test")) == 0  # its 0.3 s ended before the window
    assert updated.streams["camera_test"].count == 16 and updated.streams["joints_test"].count == 0
    assert "trimmed to 0.500..1.000 s" in updated.notes
    assert catalogued(store) == sorted([kept, edited])
    assert digest(store.local_path, kept) == untouched
    assert episode_admin.list_trash(store) == [edited]
    trashed = store.local_path / ".trash"
    assert digest(trashed, edited) == original
    assert not (store.local_path / f".trim-{edited}").exists()


def test_the_trash_keeps_the_version_holding_every_sample(dataset):
    store, _, edited = dataset
    original = digest(store.local_path, edited)
    trash = store.local_path / ".trash"
    episode_admin.trim(store, edited, 0.5, 1.0)
    episode_admin.trim(store, edited, 0.1, 0.3)  # s after the trimmed episode's first sample
    assert digest(trash, edited) == original  # the first trimmed version is gone
    restored = episode_admin.restore(store, edited)  # swaps: the trim is undone
    assert restored.streams["camera_test"].count == N
    assert digest(store.local_path, edited) == original
    trimmed = open_episode(trash / edited)
    assert "trimmed to 0.500..1.000 s; trimmed to 0.100..0.300 s" in trimmed.metadata.notes
    episode_admin.trim(store, edited, 0.2, 0.4)  # the original goes to the trash again
    assert digest(trash, edited) == original
    episode_admin.delete(store, edited)  # the trimmed one: every sample is in the original
    assert digest(trash, edited) == original and not (store.local_path / edited).exists()
    episode_admin.restore(store, edited)
    assert episode_admin.list_trash(store) == []


def test_versions_holding_other_samples_are_never_dropped(dataset, tmp_path_factory):
    store, _, edited = dataset
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(store.local_path / edited, elsewhere / edited)
    episode_admin.trim(elsewhere, edited, 1.0, 1.5)
    episode_admin.trim(store, edited, 0.0, 0.5)
    episode_admin.purge(store, edited)
    shutil.copytree(elsewhere / edited, store.local_path / ".trash" / edited)  # put there by hand
    before = digest(store.local_path, edited, ".trash")
    with pytest.raises(FileExistsError, match="holds other samples"):
        episode_admin.delete(store, edited)
    with pytest.raises(FileExistsError, match="purge it for good"):
        episode_admin.trim(store, edited, 0.0, 0.2)
    assert digest(store.local_path, edited, ".trash") == before


def test_trim_without_an_atomic_exchange_still_swaps(dataset, monkeypatch):
    store, _, edited = dataset
    monkeypatch.setattr(episode_admin, "_renameat2", None)  # NFS and the like
    episode_admin.trim(store, edited, 0.5, 1.0)
    assert len(open_episode(store.local_path / edited).stream("camera_test")) == 16
    assert len(open_episode(store.local_path / ".trash" / edited).stream("camera_test")) == N
    assert {p.name for p in store.local_path.iterdir()} >= {edited, ".trash"}
    assert not list(store.local_path.glob(".swap-*"))


def test_a_trim_cut_short_leaves_the_original_in_place(dataset, monkeypatch):
    store, _, edited = dataset
    original = digest(store.local_path, edited)

    def killed(a, b):
        raise KeyboardInterrupt

    monkeypatch.setattr(episode_admin, "_exchange", killed)
    with pytest.raises(KeyboardInterrupt):
        episode_admin.trim(store, edited, 0.5, 1.0)
    monkeypatch.undo()
    assert digest(store.local_path, edited) == original  # the trimmed copy waits in the trash
    episode_admin.restore(store, edited)  # which finishes the trim
    assert len(open_episode(store.local_path / edited).stream("camera_test")) == 16
    (store.local_path / f".trim-{edited}").mkdir()  # a copy cut short is simply replaced
    episode_admin.trim(store, edited, 0.1, 0.3)
    assert not (store.local_path / f".trim-{edited}").exists()


def test_relabel_changes_one_episode(dataset):
    store, kept, edited = dataset
    untouched = digest(store.local_path, kept)
    meta = episode_admin.relabel(store, edited, {"outcome": "failure", "object": "cup"})
    assert (meta.outcome, meta.object) == ("failure", "cup")
    assert open_episode(store.local_path / edited).metadata.object == "cup"
    assert digest(store.local_path, kept) == untouched
    with pytest.raises(ValueError, match="status"):
        episode_admin.relabel(store, edited, {"status": "complete"})


def test_bad_windows_and_live_recordings_are_refused(dataset):
    store, _, edited = dataset
    with pytest.raises(ValueError, match="empty or negative"):
        episode_admin.trim(store, edited, 1.0, 0.5)
    with pytest.raises(ValueError, match="no sample was captured"):
        episode_admin.trim(store, edited, 30.0, 40.0)
    lock = WriterLock.try_acquire(store.local_path / edited)  # as a writer would hold it
    try:
        with pytest.raises(ValueError, match="still recording"):
            episode_admin.delete(store, edited)
    finally:
        lock.release()


def test_unreadable_episodes_can_go_to_the_trash_and_back(dataset):
    store, kept, edited = dataset
    (store.local_path / edited / "zarr.json").write_text("{ broken")
    episode_admin.delete(store, edited)
    assert episode_admin.restore(store, edited) is None  # back, but not catalogued
    assert catalogued(store) == [kept]


def test_names_that_are_not_episode_ids_never_reach_a_path(dataset):
    store, kept, _ = dataset
    for bad in ("../etc", "x", ".trash", f"{kept}/..", f"../{kept}"):
        for action in (episode_admin.delete, episode_admin.restore, episode_admin.purge):
            with pytest.raises(ValueError, match="is not an episode id"):
                action(store, bad)
        with pytest.raises(ValueError, match="is not an episode id"):
            episode_admin.trim(store, bad, 0.0, 1.0)
    with pytest.raises(FileNotFoundError, match="not in the trash"):
        episode_admin.restore(store, new_episode_id("lab", datetime.now(UTC)))


def test_every_path_created_is_an_id_or_a_fixed_name(tmp_path):
    hostile = "../../etc/Ünïcødé passwd;rm -rf"
    kept, edited = record_episode(tmp_path, hostile), record_episode(tmp_path, "/abs/path")
    store = DatasetStore.open(tmp_path)
    episode_admin.relabel(store, kept, {"operator": hostile, "object": "../x"})
    episode_admin.trim(store, edited, 0.5, 1.0)
    episode_admin.restore(store, edited)
    episode_admin.delete(store, kept)
    fixed = {".trash", "catalog", "zarr.json", "streams", "cache.json"}
    streams = {spec.name for spec in SMALL_SPECS}
    arrays = {"seq", "t_capture_ns", "t_arrival_ns", "t_device_ns", "has_t_device", "valid"}
    arrays |= {"image.jpeg_bytes", "image.jpeg_offsets", "frame_id", "deform", "f6", "q"}
    chunk = re.compile(r"^c(\.[0-9]+)+$")
    for name in components(tmp_path):
        stem = name.removesuffix(".json")
        assert name in fixed | streams | arrays or EPISODE_ID_RE.match(stem) or chunk.match(name), (
            name
        )
    assert "-etc-unicde-passwd-rm-rf-" in kept  # the slug, the only trace of the name


def test_an_object_store_is_refused_with_the_fix(dataset):
    store, kept, _ = dataset
    store.local_path, store.url = None, "s3://bucket/ds"
    with pytest.raises(ValueError, match="s3://bucket/ds: the trash and trim work on a local"):
        episode_admin.delete(store, kept)
    with pytest.raises(ValueError, match="local dataset folder"):
        episode_admin.trim(store, kept, 0.0, 1.0)
