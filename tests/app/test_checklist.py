"""The station's live checklist: counts, next up, and episodes from elsewhere."""

from app.checklist import Checklist
from recorder.dataset_store import DatasetStore
from tests.recorder.coverage_data import CURRICULUM, add_episode


def test_a_saved_episode_counts_at_once_and_is_not_suggested_next(tmp_path):
    root = tmp_path / "dataset"
    root.mkdir()
    store = DatasetStore.open(root)
    checklist = Checklist(store, CURRICULUM, tmp_path / "cache.json")
    before = checklist.view()
    assert before.coverage.total.episodes == 0
    first = (before.next_up[0].primitive, before.next_up[0].object)

    metadata = add_episode(root, store, 1).model_copy(
        update={"primitive": first[0], "object": first[1]}
    )
    after = checklist.episode_saved(metadata)
    assert after.version > before.version
    assert after.coverage.cell(*first).tally.successes == 1
    assert after.last == first
    assert (after.next_up[0].primitive, after.next_up[0].object) != first


def test_refresh_sees_other_stations_episodes(tmp_path):
    root = tmp_path / "dataset"
    root.mkdir()
    store = DatasetStore.open(root)
    checklist = Checklist(store, CURRICULUM, tmp_path / "cache.json")
    add_episode(root, store, 1)  # written by another station into the shared dataset
    view = checklist.refresh()
    assert view.coverage.cell("pour", "mug").tally.successes == 1
    assert checklist.refresh().version == view.version  # nothing new: same picture
