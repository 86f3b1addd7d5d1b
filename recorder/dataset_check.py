"""What in a local dataset folder needs attention, each problem naming the episode and the fix.

The catalog shows finished episodes; this finds the rest: recordings interrupted (or still
running, or killed while starting), episodes without a catalog entry, entries without an
episode, and, when asked to check, episodes whose metadata or timing arrays do not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from recorder.episode_id import is_episode_id
from recorder.episode_reader import GROUP_JSON, EpisodeFormatError, open_episode, read_metadata
from recorder.layout import WRITER_LOCK
from recorder.writer_lock import is_held


def attention(root: Path, catalogued: Iterable[str], check: bool = False) -> list[str]:
    """One line per episode of the dataset folder ``root`` that needs attention, given the ids
    the catalog lists. Only episodes missing from the catalog are read, unless ``check``: then
    every episode's metadata and every stream's timing arrays are read too (about 1 % of the
    data)."""
    listed = set(catalogued)
    folders = {p.name: p for p in root.iterdir() if is_episode_id(p.name)} if root.is_dir() else {}
    rebuild = f"`dexstation coverage --dataset {root} --rebuild`"
    recover = f"`dexstation recover --dataset {root}`"
    found = []
    for episode_id in sorted(folders.keys() | listed):
        folder = folders.get(episode_id)
        if folder is None:
            found.append(f"{episode_id}: catalogued but absent; {rebuild} drops its entry")
        elif not (folder / GROUP_JSON).is_file():
            if (folder / WRITER_LOCK).is_file() and not is_held(folder):
                found.append(f"{episode_id}: killed while starting; {recover} removes it")
        elif check or episode_id not in listed:
            found += _problems(folder, episode_id in listed, check, recover, rebuild)
    return found


def _problems(folder: Path, listed: bool, check: bool, recover: str, rebuild: str) -> list[str]:
    """What is wrong with the present episode ``folder``; ``check``: read its streams too."""
    try:
        if check:
            episode = open_episode(folder)
            for name in episode.streams:
                episode.stream(name)
            status = episode.metadata.status
        else:
            status = read_metadata(folder).status
    except EpisodeFormatError as exc:
        return [str(exc)]
    if status == "recording":
        state = "recording now" if is_held(folder) else f"interrupted; {recover} finalises it"
        return [f"{folder.name}: {state}"]
    return [] if listed else [f"{folder.name}: not catalogued; {rebuild} adds it"]
