"""The curriculum checklist a station shows its operator, kept live.

Counts against targets and the suggested next combination come from the dataset's catalog
(every station's episodes). An episode this station saves or relabels counts at once; other
stations' episodes appear at the next :meth:`Checklist.refresh`, which the station runs in
the background.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from recorder.catalog import Catalog
from recorder.coverage import Cell, Coverage, compute_coverage, next_up
from recorder.curriculum import Curriculum
from recorder.dataset_store import DatasetStore
from recorder.metadata import EpisodeMetadata

SUGGESTIONS = 5


@dataclass(frozen=True)
class ChecklistView:
    """One consistent picture: the coverage, what to record next, and what was last saved.

    ``version`` grows with every change, so a UI redraws only when it differs.
    """

    coverage: Coverage
    next_up: tuple[Cell, ...]
    last: tuple[str, str] | None
    version: int


class Checklist:
    """Coverage of ``curriculum`` by the episodes of ``store``; thread-safe."""

    def __init__(
        self, store: DatasetStore, curriculum: Curriculum, cache_path: Path | None = None
    ) -> None:
        self.curriculum = curriculum
        self._catalog = Catalog(store, cache_path)
        self._lock = threading.Lock()
        self._last: tuple[str, str] | None = None
        self._version = 0
        self._view = self._compute()

    def view(self) -> ChecklistView:
        """The checklist as of the last change."""
        return self._view

    def refresh(self) -> ChecklistView:
        """Read what other stations (or relabels elsewhere) changed in the dataset."""
        with self._lock:
            if self._catalog.refresh():
                self._view = self._compute()
            return self._view

    def episode_saved(self, metadata: EpisodeMetadata) -> ChecklistView:
        """Count this station's new or relabelled episode now; it becomes the last one."""
        with self._lock:
            self._catalog.note(metadata)
            self._last = (metadata.primitive, metadata.object)
            self._view = self._compute()
            return self._view

    def _compute(self) -> ChecklistView:
        coverage = compute_coverage(self._catalog.rows(), self.curriculum)
        self._version += 1
        upcoming = tuple(next_up(coverage, self._last, SUGGESTIONS))
        return ChecklistView(coverage, upcoming, self._last, self._version)
