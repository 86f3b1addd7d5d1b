"""The catalog: one compact row per episode, kept in step with the dataset's catalog entries.

Every episode has a catalog entry (its metadata, see ``recorder.dataset_store``) written when
it is published, relabelled or recovered and removed when it is deleted. The catalog keeps a
local cache of those entries' rows keyed by the entries' revision tokens, so a refresh costs
one listing of the dataset's ``catalog/`` prefix plus fetching only the entries that changed.
The cache is disposable: :meth:`Catalog.rebuild` recreates the entries from the episodes' own
metadata, and a missing or unreadable cache file is simply rebuilt from the entries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from recorder.dataset_store import DatasetStore
from recorder.metadata import EpisodeMetadata

log = logging.getLogger(__name__)

CACHE_VERSION = 1


@dataclass(frozen=True)
class CatalogRow:
    """What coverage needs of one episode. ``day`` is the UTC date of the start (YYYY-MM-DD),
    ``duration_s`` the recorded time (s), ``outcome`` None until labelled."""

    episode_id: str
    primitive: str
    object: str
    operator: str
    station: str
    day: str
    duration_s: float
    outcome: str | None
    status: str

    @classmethod
    def from_metadata(cls, metadata: EpisodeMetadata) -> CatalogRow:
        return cls.from_document(metadata.model_dump(mode="json"))

    @classmethod
    def from_document(cls, entry: Mapping[str, Any]) -> CatalogRow:
        """The row of a catalog entry (EpisodeMetadata as JSON). Raises KeyError, ValueError
        or TypeError for an entry without the fields a row needs."""
        start = _parse_utc(entry.get("start_utc"))
        end = _parse_utc(entry.get("end_utc"))
        duration = (end - start).total_seconds() if start and end else 0.0
        outcome = entry.get("outcome")
        return cls(
            episode_id=str(entry["episode_id"]),
            primitive=str(entry["primitive"]),
            object=str(entry["object"]),
            operator=str(entry["operator"]),
            station=str(entry["station"]),
            day=start.date().isoformat() if start else "",
            duration_s=max(duration, 0.0),
            outcome=None if outcome is None else str(outcome),
            status=str(entry.get("status", "recording")),
        )


_COLUMNS = tuple(f.name for f in fields(CatalogRow))


def _parse_utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def default_cache_path(store: DatasetStore) -> Path:
    """Where the catalog cache of ``store`` lives on this machine (one file per dataset URL)."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dexstation"
    digest = hashlib.sha256(store.url.encode()).hexdigest()[:16]
    return base / "catalog" / f"{digest}.json"


class Catalog:
    """Rows of every episode of ``store``; :meth:`refresh` before reading :meth:`rows`."""

    def __init__(self, store: DatasetStore, cache_path: Path | None = None) -> None:
        self.store = store
        self.cache_path = cache_path or default_cache_path(store)
        self._rows: dict[str, CatalogRow] = {}
        self._revisions: dict[str, str] = {}
        self._load_cache()

    def rows(self) -> list[CatalogRow]:
        """Every episode's row as of the last refresh, by episode id."""
        return [self._rows[i] for i in sorted(self._rows)]

    def refresh(self) -> int:
        """Bring the rows up to date with the dataset; returns how many entries were read."""
        revisions = self.store.catalog_revisions()
        stale = [i for i, rev in revisions.items() if self._revisions.get(i) != rev]
        gone = self._revisions.keys() - revisions.keys()
        for episode_id in gone:
            self._rows.pop(episode_id, None)
        if stale:
            entries = {}
            for episode_id, document in self.store.read_catalog_documents(stale).items():
                try:
                    entries[episode_id] = CatalogRow.from_document(document)
                except (KeyError, ValueError, TypeError) as exc:
                    log.warning("%s: catalog entry of %s unusable (%r)", self.store.url,
                                episode_id, exc)  # fmt: skip
            self._rows.update(entries)
            missing = set(stale) - entries.keys()  # deleted meanwhile, or unusable
            for episode_id in missing:
                self._rows.pop(episode_id, None)
                revisions.pop(episode_id, None)
        self._revisions = {i: rev for i, rev in revisions.items() if i in self._rows}
        if stale or gone:
            self._save_cache()
        return len(stale)

    def note(self, metadata: EpisodeMetadata) -> None:
        """Take an episode's new or changed metadata now, before its entry is listed again.

        Its revision is left unknown, so the next :meth:`refresh` reads its entry once more.
        """
        self._rows[metadata.episode_id] = CatalogRow.from_metadata(metadata)
        self._revisions.pop(metadata.episode_id, None)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Recreate every catalog entry from the episodes' own metadata, then refresh."""
        count = self.store.rebuild_catalog(progress)
        self._rows.clear()
        self._revisions.clear()
        self.refresh()
        return count

    def _load_cache(self) -> None:
        try:
            data = json.loads(self.cache_path.read_text())
            if data.get("version") != CACHE_VERSION or data.get("url") != self.store.url:
                return
            columns = data["columns"]
            rows = [CatalogRow(*values) for values in zip(*columns.values(), strict=True)]
            revisions = data["revisions"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("catalog cache %s unreadable (%s): rebuilding it", self.cache_path, exc)
            return
        self._rows = {r.episode_id: r for r in rows}
        self._revisions = {i: rev for i, rev in revisions.items() if i in self._rows}

    def _save_cache(self) -> None:
        rows = self.rows()
        columns = {name: [getattr(r, name) for r in rows] for name in _COLUMNS}
        data = {
            "version": CACHE_VERSION,
            "url": self.store.url,
            "columns": columns,
            "revisions": self._revisions,
        }
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")))
        tmp.replace(self.cache_path)  # atomic: a reader never sees half a cache
