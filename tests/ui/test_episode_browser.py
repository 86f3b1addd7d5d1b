"""The episode browser: filter, open in the player, relabel, trim, delete and restore."""

import pyqtgraph as pg
import pytest

from recorder.dataset_store import DatasetStore
from recorder.episode_reader import open_episode
from tests.recorder.samples import record_episode
from ui.episode_browser import EpisodeBrowser

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def browser(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ids = [record_episode(tmp_path / "ds", station) for station in ("lab-a", "lab-b")]
    answers: list[bool] = []
    widget = EpisodeBrowser(DatasetStore.open(tmp_path / "ds"), lambda *_: answers.pop(0))
    qtbot.addWidget(widget)
    return widget, ids, answers


def test_filters_narrow_the_list(browser):
    widget, ids, _ = browser
    assert sorted(widget.visible_ids()) == sorted(ids)
    widget.filters["station"].setText("LAB-B")
    assert widget.visible_ids() == [ids[1]]
    widget.filters["outcome"].setText("failure")
    assert widget.visible_ids() == []


def test_open_relabel_and_trim_the_open_episode(browser):
    widget, ids, answers = browser
    widget.select(ids[0])
    widget.open_selected()
    assert widget.player is not None and widget.player.episode.metadata.episode_id == ids[0]
    widget.relabel(ids[0], {"outcome": "failure", "notes": "slipped"})
    widget.filters["outcome"].setText("failure")
    assert widget.visible_ids() == [ids[0]]
    widget.player.seek(0.5)
    widget.player.set_mark(0)
    widget.player.seek(1.0)
    widget.player.set_mark(1)
    answers.append(False)  # the operator declines: nothing changes
    widget.trim_open()
    assert len(open_episode(widget.store.local_path / ids[0]).stream("camera_test")) == 60
    answers.append(True)
    widget.trim_open()
    assert widget.player is None
    trimmed = open_episode(widget.store.local_path / ids[0])
    assert len(trimmed.stream("camera_test")) == 16
    assert trimmed.metadata.outcome == "failure" and "slipped" in trimmed.metadata.notes


def test_delete_asks_and_restore_brings_it_back(browser):
    widget, ids, answers = browser
    widget.select(ids[1])
    answers.append(True)
    widget.delete_selected()
    assert widget.visible_ids() == [ids[0]]
    assert "trash" in widget.message.text()
    answers.append(True)
    widget.restore_from_trash()
    assert sorted(widget.visible_ids()) == sorted(ids)
