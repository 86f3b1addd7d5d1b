"""Choosing episodes of a dataset folder by their metadata, for export and the like.

Each criterion lists accepted values (any of them matches; an empty list accepts all). Names
(primitive, object, operator, station) match case-insensitively, ignoring surrounding spaces,
as coverage counts them. ``outcome`` takes ``success``, ``failure``, ``discarded`` or
``unlabelled``. By default only finished episodes (status ``complete`` or ``recovered``) that
were not discarded are chosen; asking for ``--outcome discarded`` or ``--status recording``
chooses those explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recorder.coverage import COUNTED_STATUSES, name_key
from recorder.episode_reader import list_episodes
from recorder.metadata import EpisodeMetadata

UNLABELLED = "unlabelled"
OUTCOMES = ("success", "failure", "discarded", UNLABELLED)
STATUSES = ("complete", "recovered", "recording")


@dataclass(frozen=True)
class EpisodeFilter:
    """Accepted values per metadata field; empty: any (see the module docstring)."""

    primitive: tuple[str, ...] = ()
    object: tuple[str, ...] = ()
    operator: tuple[str, ...] = ()
    station: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    def matches(self, meta: EpisodeMetadata) -> bool:
        names = {
            "primitive": meta.primitive,
            "object": meta.object,
            "operator": meta.operator,
            "station": meta.station,
        }
        for field, value in names.items():
            wanted = getattr(self, field)
            if wanted and name_key(value) not in {name_key(w) for w in wanted}:
                return False
        outcome = meta.outcome or UNLABELLED
        outcomes = self.outcome or tuple(o for o in OUTCOMES if o != "discarded")
        return outcome in outcomes and meta.status in (self.status or COUNTED_STATUSES)


def select_episodes(root: Path, chosen: EpisodeFilter) -> list[Path]:
    """The folders of the readable episodes directly under ``root`` that ``chosen`` accepts,
    in id order (start time first)."""
    return [root / episode_id for episode_id, meta in list_episodes(root) if chosen.matches(meta)]
