"""The catalog follows the dataset: added, relabelled, deleted and rebuilt episodes."""

import json

import pytest

from recorder.catalog import Catalog, CatalogRow
from recorder.dataset_store import DatasetStore
from tests.recorder.coverage_data import add_episode


@pytest.fixture
def dataset(tmp_path):
    root = tmp_path / "dataset"
    root.mkdir()
    return root, DatasetStore.open(root), tmp_path / "cache.json"


def test_rows_carry_what_coverage_needs(dataset):
    root, store, cache = dataset
    metadata = add_episode(root, store, 1)
    catalog = Catalog(store, cache)
    assert catalog.refresh() == 1
    (row,) = catalog.rows()
    assert row == CatalogRow(
        metadata.episode_id, "pour", "mug", "ana", "lab-a", "2026-11-20", 45.0, "success",
        "complete",
    )  # fmt: skip


def test_refresh_reads_only_what_changed_and_sees_relabels_and_deletes(dataset):
    root, store, cache = dataset
    episodes = [add_episode(root, store, n) for n in range(5)]
    catalog = Catalog(store, cache)
    catalog.refresh()
    store.update_metadata(episodes[1].episode_id, {"outcome": "failure"})
    store.delete_episode(episodes[2].episode_id)
    added = add_episode(root, store, 9)
    reopened = Catalog(store, cache)  # another process, same cache file
    assert reopened.refresh() == 2  # the relabelled and the new one
    rows = {r.episode_id: r for r in reopened.rows()}
    assert rows[episodes[1].episode_id].outcome == "failure"
    assert episodes[2].episode_id not in rows
    assert added.episode_id in rows and len(rows) == 5


def test_rebuild_recovers_entries_from_the_episodes_own_metadata(dataset):
    root, store, cache = dataset
    listed = add_episode(root, store, 1)
    unlisted = add_episode(root, store, 2, catalog_entry=False)  # e.g. copied in by hand
    catalog = Catalog(store, cache)
    catalog.refresh()
    assert [r.episode_id for r in catalog.rows()] == [listed.episode_id]
    progress = []
    assert catalog.rebuild(lambda done, total: progress.append((done, total))) == 2
    assert {r.episode_id for r in catalog.rows()} == {listed.episode_id, unlisted.episode_id}
    assert progress[-1] == (2, 2)


def test_a_corrupt_cache_is_rebuilt_from_the_entries(dataset):
    root, store, cache = dataset
    add_episode(root, store, 1)
    cache.write_text("{not json")
    catalog = Catalog(store, cache)
    assert catalog.refresh() == 1
    assert len(catalog.rows()) == 1
    assert json.loads(cache.read_text())["version"] == 1
