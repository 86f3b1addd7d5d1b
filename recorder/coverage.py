"""Coverage of a curriculum by a dataset's episodes, and what to record next.

Which episodes count: finished ones (status ``complete`` or ``recovered``) that were not
discarded. A *success* is one labelled ``success``; the success rate is successes over
labelled episodes (success + failure; unlabelled ones are pending). Minutes are recorded
time (start to end). A combination's progress is its successes over its target episodes, or,
when the curriculum also sets target minutes, the smaller of that and its successful minutes
over the target minutes. Names match case-insensitively, ignoring surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from recorder.catalog import CatalogRow
from recorder.curriculum import Curriculum

COUNTED_STATUSES = ("complete", "recovered")


def name_key(name: str) -> str:
    """How names are compared: case-folded, surrounding spaces removed."""
    return name.strip().casefold()


@dataclass
class Tally:
    """Counts over a set of episodes: all counted, labelled success/failure, and minutes."""

    episodes: int = 0
    successes: int = 0
    failures: int = 0
    minutes: float = 0.0
    success_minutes: float = 0.0

    @property
    def success_rate(self) -> float | None:
        """Successes over labelled episodes, None before any is labelled."""
        labelled = self.successes + self.failures
        return self.successes / labelled if labelled else None

    def add(self, row: CatalogRow) -> None:
        minutes = row.duration_s / 60.0
        self.episodes += 1
        self.minutes += minutes
        if row.outcome == "success":
            self.successes += 1
            self.success_minutes += minutes
        elif row.outcome == "failure":
            self.failures += 1


@dataclass
class Cell:
    """One curriculum combination: its targets and its tally."""

    primitive: str
    object: str
    category: str
    on_hand: bool
    target_episodes: int
    target_minutes: float | None
    tally: Tally = field(default_factory=Tally)

    @property
    def progress(self) -> float:
        """Fraction of the target reached (may exceed 1)."""
        fraction = self.tally.successes / self.target_episodes
        if self.target_minutes:
            fraction = min(fraction, self.tally.success_minutes / self.target_minutes)
        return fraction

    @property
    def remaining(self) -> int:
        """Successful episodes still to record for the episode target."""
        return max(self.target_episodes - self.tally.successes, 0)


@dataclass
class Coverage:
    """A curriculum's coverage: cells in curriculum order, and tallies by each dimension.

    ``outside`` tallies counted episodes whose combination the curriculum does not list.
    """

    cells: list[Cell]
    by_primitive: dict[str, Tally]
    by_object: dict[str, Tally]
    by_operator: dict[str, Tally]
    by_station: dict[str, Tally]
    by_day: dict[str, Tally]
    outside: Tally
    total: Tally

    def cell(self, primitive: str, object_name: str) -> Cell | None:
        key = (name_key(primitive), name_key(object_name))
        return next(
            (c for c in self.cells if (name_key(c.primitive), name_key(c.object)) == key), None
        )


def _cell_key(cell: Cell) -> tuple[str, str]:
    return name_key(cell.primitive), name_key(cell.object)


def compute_coverage(rows: Iterable[CatalogRow], curriculum: Curriculum) -> Coverage:
    """Tally ``rows`` against ``curriculum`` (see the module docstring for the rules)."""
    objects = {name_key(o.name): o for o in curriculum.objects}
    cells = [
        Cell(
            t.primitive,
            t.object,
            objects[name_key(t.object)].category,
            objects[name_key(t.object)].on_hand,
            t.episodes,
            t.minutes,
        )
        for t in curriculum.targets
    ]
    index = {_cell_key(c): c for c in cells}
    coverage = Coverage(cells, {}, {}, {}, {}, {}, Tally(), Tally())
    for row in rows:
        if row.status not in COUNTED_STATUSES or row.outcome == "discarded":
            continue
        coverage.total.add(row)
        cell = index.get((name_key(row.primitive), name_key(row.object)))
        (cell.tally if cell is not None else coverage.outside).add(row)
        for table, key in (
            (coverage.by_primitive, row.primitive),
            (coverage.by_object, row.object),
            (coverage.by_operator, row.operator),
            (coverage.by_station, row.station),
            (coverage.by_day, row.day),
        ):
            table.setdefault(key, Tally()).add(row)
    return coverage


def next_up(coverage: Coverage, last: tuple[str, str] | None = None, count: int = 5) -> list[Cell]:
    """The combinations to record next: furthest behind their target first (lowest progress,
    then most episodes remaining, then curriculum order), only objects on hand, only those
    not yet at target, and never ``last`` (primitive, object) again unless nothing else is
    left."""
    open_cells = [c for c in coverage.cells if c.on_hand and c.progress < 1.0]
    order = {id(c): i for i, c in enumerate(coverage.cells)}
    open_cells.sort(key=lambda c: (c.progress, -c.remaining, order[id(c)]))
    if last is not None:
        key = (name_key(last[0]), name_key(last[1]))
        others = [c for c in open_cells if _cell_key(c) != key]
        open_cells = others or open_cells
    return open_cells[:count]
