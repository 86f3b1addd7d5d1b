"""Coverage outputs: JSON, CSV, text and the HTML report."""

import csv
import io
import json

from recorder.coverage import compute_coverage, next_up
from recorder.coverage_report import to_csv, to_html, to_json, to_text
from tests.recorder.coverage_data import CURRICULUM, row

ROWS = [row(1), row(2, obj="ball", operator="ben"), row(3, "pour", "mug", outcome="failure")]


def test_json_has_every_dimension_and_is_serialisable():
    coverage = compute_coverage(ROWS, CURRICULUM)
    data = json.loads(json.dumps(to_json(coverage, next_up(coverage))))
    assert data["total"]["episodes"] == 3
    assert {c["primitive"] for c in data["combinations"]} == {"grasp and lift", "pour"}
    assert data["by_operator"]["ben"]["successes"] == 1
    assert data["next_up"][0]["progress"] == 0.0


def test_csv_has_one_line_per_combination():
    coverage = compute_coverage(ROWS, CURRICULUM)
    lines = list(csv.DictReader(io.StringIO(to_csv(coverage))))
    assert len(lines) == len(CURRICULUM.targets)
    mug = next(r for r in lines if r["primitive"] == "grasp and lift" and r["object"] == "mug")
    assert (mug["successes"], mug["target_episodes"], mug["progress"]) == ("1", "4", "0.25")


def test_text_and_html_name_the_next_combination():
    coverage = compute_coverage(ROWS, CURRICULUM)
    upcoming = next_up(coverage)
    first = f"{upcoming[0].primitive} x {upcoming[0].object}"
    assert first in to_text(coverage, upcoming)
    report = to_html(coverage, upcoming, "test <coverage>")
    assert report.count("<svg") == 4  # heatmap, primitives, operators, days
    assert "test &lt;coverage&gt;" in report and "<script" not in report
    assert "grasp and lift x kettle: 0/4 (0%)" in report
