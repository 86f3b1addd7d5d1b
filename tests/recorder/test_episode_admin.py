"""Trim, delete to the trash and restore: one episode changes, every other stays byte for byte."""

import hashlib
from datetime import UTC, datetime

import numpy as np
import pytest

from recorder import episode_admin
from recorder.catalog import Catalog
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.episode_reader import open_episode
from tests.recorder.samples import EPISODE_SAMPLES as N
from tests.recorder.samples import record_episode


def digest(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def dataset(tmp_path):
    kept, edited = record_episode(tmp_path, "lab-a"), record_episode(tmp_path, "lab-b")
    return DatasetStore.open(tmp_path), kept, edited


def test_delete_and_restore_move_one_episode_and_its_catalog_entry(dataset):
    store, kept, edited = dataset
    untouched = digest(store.local_path / kept)
    original = digest(store.local_path / edited)
    place = episode_admin.delete(store, edited)
    assert place == store.local_path / ".trash" / edited
    assert store.episode_ids() == [kept]
    catalog = Catalog(store, store.local_path / "cache.json")
    catalog.refresh()
    assert [row.episode_id for row in catalog.rows()] == [kept]
    assert episode_admin.list_trash(store) == [edited]
    restored = episode_admin.restore(store, edited)
    assert restored.outcome == "success" and episode_admin.list_trash(store) == []
    assert sorted(store.episode_ids()) == sorted([kept, edited])
    assert digest(store.local_path / edited) == original
    assert digest(store.local_path / kept) == untouched


def test_trim_keeps_the_window_and_the_original_stays_restorable(dataset):
    store, kept, edited = dataset
    untouched = digest(store.local_path / kept)
    before = open_episode(store.local_path / edited)
    frames = before.stream("camera_test").field("image")
    first = min(int(before.stream(s).t_capture_ns[0]) for s in before.streams)
    updated = episode_admin.trim(store, edited, 0.5, 1.0)
    after = open_episode(store.local_path / edited)
    camera = after.stream("camera_test")
    offsets_s = (camera.t_capture_ns - first) * 1e-9
    assert offsets_s.min() >= 0.5 and offsets_s.max() <= 1.0
    assert list(camera.seq) == list(range(15, 31))  # 30 Hz: 0.5 s .. 1.0 s
    np.testing.assert_array_equal(camera.field("image"), frames[15:31])
    assert len(after.stream("joints_test")) == 0  # its 0.3 s ended before the window
    assert updated.streams["camera_test"].count == 16
    assert "trimmed to 0.500..1.000 s" in updated.notes
    assert digest(store.local_path / kept) == untouched
    assert episode_admin.list_trash(store) == [edited]
    with pytest.raises(FileExistsError, match="delete it first"):
        episode_admin.restore(store, edited)
    episode_admin.trim(store, edited, 0.6, 0.9)  # the first original stays in the trash
    assert len(open_episode(store.local_path / ".trash" / edited).stream("camera_test")) == N


def test_names_that_are_not_episode_ids_never_reach_a_path(dataset):
    store, _, _ = dataset
    for bad in ("../etc", "x", ".trash"):
        with pytest.raises(ValueError, match="is not an episode id"):
            episode_admin.delete(store, bad)
    with pytest.raises(FileNotFoundError, match="not in the trash"):
        episode_admin.restore(store, new_episode_id("lab", datetime.now(UTC)))
    with pytest.raises(ValueError, match="empty or negative"):
        episode_admin.trim(store, store.episode_ids()[0], 1.0, 0.5)
