"""Export episodes of a dataset folder to a new LeRobot v3 dataset in the T-Rex schema.

What is written and how is :mod:`recorder.lerobot_writer`'s docstring. Episodes are chosen by
:class:`recorder.episode_filter.EpisodeFilter` (finished, not discarded, by default) and go in
id order (start time first). An episode the schema cannot be made from (a stream missing, no
overlap) is skipped and reported; a damaged one stops the export, naming it.

The dataset is built in a hidden folder beside ``out`` and renamed into place at the end, so
a failure or an interruption leaves nothing half-written; an existing non-empty ``out`` is
replaced only with ``force``, and only once the new dataset is complete.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recorder.episode_filter import EpisodeFilter, select_episodes
from recorder.episode_reader import open_episode
from recorder.lerobot_writer import EpisodeSkipped, LeRobotWriter

T_REX_CAMERA_SIZE = (640, 360)
"""(width, height) of the T-Rex camera videos."""

Progress = Callable[[int, int, str], None]
"""``progress(done, total, episode_id)`` after each episode."""


class ExportError(ValueError):
    """The export cannot be made; the message says why and what to do."""


@dataclass
class ExportReport:
    """What an export wrote (``info``: its meta/info.json) and which episodes it skipped
    (episode id -> reason)."""

    info: dict[str, Any]
    skipped: dict[str, str] = field(default_factory=dict)


def _require_extra() -> None:
    """ExportError naming the fix when pyarrow or PyAV (the ``export`` extra) is missing."""
    for module in ("pyarrow", "av"):
        if importlib.util.find_spec(module) is None:
            raise ExportError(f"{module} is not installed: pip install 'dexstation[export]'")


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file: choose a folder for the dataset")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ExportError(f"{out} exists and is not empty: choose another folder, or --force")


def _replace(built: Path, out: Path) -> None:
    """Put the finished dataset ``built`` at ``out``, the old ``out`` removed after."""
    if not out.exists():
        built.rename(out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)
    built.rename(out)
    shutil.rmtree(old)


def export_lerobot(
    root: Path,
    out: Path,
    chosen: EpisodeFilter | None = None,
    fps: int = 30,
    camera_size: tuple[int, int] | None = T_REX_CAMERA_SIZE,
    force: bool = False,
    progress: Progress | None = None,
) -> ExportReport:
    """Export the episodes of the dataset folder ``root`` that ``chosen`` accepts into a new
    LeRobot v3 dataset at ``out``, at ``fps`` frames per second, camera videos at
    ``camera_size`` (width, height; None keeps the cameras' own)."""
    _require_extra()
    if fps <= 0:
        raise ExportError(f"--fps must be positive, not {fps}")
    if not root.is_dir():
        raise ExportError(f"{root}: no such dataset folder")
    _check_out(out, force)
    folders = select_episodes(root, chosen or EpisodeFilter())
    if not folders:
        raise ExportError(f"no episode of {root} matches: nothing to export")
    building = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    writer = LeRobotWriter(building, fps, camera_size)
    skipped: dict[str, str] = {}
    try:
        for done, folder in enumerate(folders, 1):
            try:
                writer.add(open_episode(folder))
            except EpisodeSkipped as exc:
                skipped[folder.name] = str(exc)
            if progress is not None:
                progress(done, len(folders), folder.name)
        if len(skipped) == len(folders):
            reasons = "; ".join(f"{name}: {why}" for name, why in skipped.items())
            raise ExportError(f"no episode could be exported ({reasons})")
        info = writer.finish()
        _replace(building, out)
    except BaseException:
        writer.abort()
        shutil.rmtree(building, ignore_errors=True)
        raise
    return ExportReport(info, skipped)
