"""Coverage as JSON, CSV, a text table, or a self-contained HTML report with plots.

The HTML report needs nothing but a browser: its plots are inline SVG. It shows a primitive x
object heatmap of the percentage of target reached, bars of successes against target per
primitive, and progress per operator and per day.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from typing import Any

from recorder.coverage import Cell, Coverage, Tally

CELL_COLUMNS = (
    "primitive", "object", "category", "on_hand", "target_episodes", "target_minutes",
    "episodes", "successes", "failures", "success_rate", "minutes", "progress",
)  # fmt: skip


def _tally(t: Tally) -> dict[str, Any]:
    return {
        "episodes": t.episodes,
        "successes": t.successes,
        "failures": t.failures,
        "success_rate": t.success_rate,
        "minutes": round(t.minutes, 3),
    }


def _cell(c: Cell) -> dict[str, Any]:
    return {
        "primitive": c.primitive,
        "object": c.object,
        "category": c.category,
        "on_hand": c.on_hand,
        "target_episodes": c.target_episodes,
        "target_minutes": c.target_minutes,
        **_tally(c.tally),
        "progress": round(c.progress, 4),
    }


def to_json(coverage: Coverage, upcoming: Sequence[Cell]) -> dict[str, Any]:
    """Everything as plain JSON types."""
    return {
        "total": _tally(coverage.total),
        "outside_curriculum": _tally(coverage.outside),
        "next_up": [_cell(c) for c in upcoming],
        "combinations": [_cell(c) for c in coverage.cells],
        **{
            f"by_{name}": {k: _tally(v) for k, v in sorted(getattr(coverage, f"by_{name}").items())}
            for name in ("primitive", "object", "operator", "station", "day")
        },
    }


def to_csv(coverage: Coverage) -> str:
    """One line per curriculum combination."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CELL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for cell in coverage.cells:
        writer.writerow(_cell(cell))
    return out.getvalue()


def to_text(coverage: Coverage, upcoming: Sequence[Cell]) -> str:
    """A short terminal summary: totals, next up, then per-primitive progress."""
    total = coverage.total
    done = sum(1 for c in coverage.cells if c.progress >= 1.0)
    lines = [
        f"{total.episodes} episodes, {total.successes} successful, {total.minutes:.1f} min; "
        f"{done}/{len(coverage.cells)} combinations at target",
        "",
        "next up:",
    ]
    lines += [
        f"  {c.primitive} x {c.object}: {c.tally.successes}/{c.target_episodes} "
        f"({c.remaining} to go)"
        for c in upcoming
    ] or ["  everything on hand is at target"]
    lines += ["", f"{'primitive':24s} {'successes':>9s} {'target':>7s} {'progress':>8s}"]
    targets: dict[str, int] = {}
    successes: dict[str, int] = {}
    for c in coverage.cells:
        targets[c.primitive] = targets.get(c.primitive, 0) + c.target_episodes
        successes[c.primitive] = successes.get(c.primitive, 0) + min(
            c.tally.successes, c.target_episodes
        )
    for name, target in targets.items():
        lines.append(f"{name:24s} {successes[name]:9d} {target:7d} {successes[name] / target:8.0%}")
    return "\n".join(lines) + "\n"


def _colour(fraction: float | None) -> str:
    """White (0 %) through amber to green (100 % and beyond); grey when not in the plan."""
    if fraction is None:
        return "#eeeeee"
    f = max(0.0, min(fraction, 1.0))
    if f < 0.5:
        r, g, b = 255, int(255 - 90 * f * 2), int(255 - 255 * f * 2)
    else:
        r, g, b = int(255 - 205 * (f - 0.5) * 2), int(165 + 25 * (f - 0.5) * 2), 0
    return f"#{r:02x}{g:02x}{b:02x}"


def _heatmap(coverage: Coverage) -> str:
    primitives = list(dict.fromkeys(c.primitive for c in coverage.cells))
    objects = list(dict.fromkeys(c.object for c in coverage.cells))
    cells = {(c.primitive, c.object): c for c in coverage.cells}
    size, left, top = 18, 150, 120
    width, height = left + size * len(objects) + 10, top + size * len(primitives) + 10
    parts = [f'<svg width="{width}" height="{height}" font-size="10" font-family="sans-serif">']
    for j, name in enumerate(objects):
        x = left + j * size + size / 2
        parts.append(
            f'<text transform="translate({x},{top - 4}) rotate(-60)">{html.escape(name)}</text>'
        )
    for i, primitive in enumerate(primitives):
        y = top + i * size
        parts.append(f'<text x="{left - 4}" y="{y + 13}" text-anchor="end">'
                     f"{html.escape(primitive)}</text>")  # fmt: skip
        for j, name in enumerate(objects):
            cell = cells.get((primitive, name))
            fraction = None if cell is None else cell.progress
            tip = (
                "not in the curriculum"
                if cell is None
                else f"{cell.tally.successes}/{cell.target_episodes} ({cell.progress:.0%})"
            )
            parts.append(
                f'<rect x="{left + j * size}" y="{y}" width="{size - 1}" height="{size - 1}" '
                f'fill="{_colour(fraction)}"><title>{html.escape(primitive)} x '
                f"{html.escape(name)}: {tip}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _bars(rows: Sequence[tuple[str, float, float | None]], unit: str) -> str:
    """Horizontal bars: (label, value, target or None)."""
    scale = max([1.0] + [max(v, t or 0.0) for _, v, t in rows])
    bar, left, height = 400, 160, 16
    parts = [
        f'<svg width="{left + bar + 120}" height="{height * len(rows) + 10}" font-size="11" '
        'font-family="sans-serif">'
    ]
    for i, (label, value, target) in enumerate(rows):
        y = i * height
        parts.append(f'<text x="{left - 4}" y="{y + 12}" text-anchor="end">'
                     f"{html.escape(label)}</text>")  # fmt: skip
        if target:
            parts.append(
                f'<rect x="{left}" y="{y + 2}" width="{bar * target / scale:.1f}" '
                f'height="{height - 4}" fill="#dddddd"/>'
            )
        fraction = None if not target else value / target
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{bar * value / scale:.1f}" '
            f'height="{height - 4}" fill="{_colour(fraction if target else 1.0)}"/>'
        )
        label_value = f"{value:g}" + (f" / {target:g}" if target else "") + f" {unit}"
        parts.append(
            f'<text x="{left + bar * max(value, target or 0) / scale + 4:.1f}" y="{y + 12}">'
            f"{html.escape(label_value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(coverage: Coverage, upcoming: Sequence[Cell], title: str) -> str:
    """The self-contained HTML report."""
    per_primitive: dict[str, list[float]] = {}
    for c in coverage.cells:
        entry = per_primitive.setdefault(c.primitive, [0.0, 0.0])
        entry[0] += min(c.tally.successes, c.target_episodes)
        entry[1] += c.target_episodes
    primitives = [(name, v, t) for name, (v, t) in per_primitive.items()]
    operators = [(n, float(t.successes), None) for n, t in sorted(coverage.by_operator.items())]
    cumulative, days = 0, []
    for day, tally in sorted(coverage.by_day.items()):
        cumulative += tally.successes
        days.append((day or "unknown", float(cumulative), None))
    total = coverage.total
    upcoming_rows = "".join(
        f"<tr><td>{html.escape(c.primitive)}</td><td>{html.escape(c.object)}</td>"
        f"<td>{c.tally.successes}/{c.target_episodes}</td><td>{c.remaining}</td></tr>"
        for c in upcoming
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:24px}} td,th{{padding:2px 10px;text-align:left}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p>{total.episodes} episodes, {total.successes} successful, {total.minutes:.1f} minutes recorded;
{sum(1 for c in coverage.cells if c.progress >= 1.0)} of {len(coverage.cells)} combinations at
target; {coverage.outside.episodes} episodes outside the curriculum.</p>
<h2>Next up</h2>
<table><tr><th>primitive</th><th>object</th><th>successes</th><th>to go</th></tr>
{upcoming_rows}</table>
<h2>Primitive x object: % of target</h2>
{_heatmap(coverage)}
<h2>Successes per primitive (against target)</h2>
{_bars(primitives, "episodes")}
<h2>Successes per operator</h2>
{_bars(operators, "episodes")}
<h2>Successes over days (cumulative)</h2>
{_bars(days, "episodes")}
</body></html>
"""
