from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recorder.episode_id import SLUG_MAX_LEN, is_episode_id, new_episode_id, slug

HOSTILE = ["../../etc", "..", ".", "/", "a/b\\c", "C:\\Windows", "~root", "x\x00y", "$(rm -rf)"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc", "etc"),
        ("Lab A", "lab-a"),
        ("Éponge Bleue", "eponge-bleue"),
        ("Müller's Station #2", "muller-s-station-2"),
        ("", "unnamed"),
        ("   ", "unnamed"),
        ("東京", "unnamed"),
        ("..", "unnamed"),
        ("a--b__c", "a-b-c"),
    ],
)
def test_slug_maps_names_to_safe_text(name, expected):
    assert slug(name) == expected


@pytest.mark.parametrize("name", [*HOSTILE, "x" * 500, "a-" * 40, "Ünïcødé ☃ 🤖"])
def test_slug_is_always_a_plain_path_component(name):
    s = slug(name)
    assert 0 < len(s) <= SLUG_MAX_LEN
    assert set(s) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert not s.startswith("-") and not s.endswith("-")


def test_episode_id_format_in_utc():
    t = datetime(2026, 11, 22, 6, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    episode_id = new_episode_id("Lab A", t)
    assert episode_id.startswith("20261122T051200Z-lab-a-")
    assert is_episode_id(episode_id)
    assert int(episode_id.rsplit("-", 1)[1], 16) >= 0


@pytest.mark.parametrize("station", HOSTILE)
def test_episode_id_stays_inside_the_dataset_root(station, tmp_path):
    episode_id = new_episode_id(station, datetime.now(UTC))
    assert is_episode_id(episode_id)
    assert (tmp_path / episode_id).parent == tmp_path
    assert Path(episode_id).name == episode_id


def test_episode_ids_are_unique():
    t = datetime.now(UTC)
    assert len({new_episode_id("s", t) for _ in range(2000)}) == 2000


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        new_episode_id("s", datetime(2026, 11, 22, 5, 12))


@pytest.mark.parametrize(
    "text",
    ["", "../x", "20261122T051200Z-lab-3f9c01d2/..", "20261122T051200Z--3f9c01d2", "episode"],
)
def test_is_episode_id_rejects_other_text(text):
    assert not is_episode_id(text)
