"""Coverage arithmetic and the next-up ranking, on a small curriculum."""

import pytest

from recorder.coverage import compute_coverage, next_up
from tests.recorder.coverage_data import CURRICULUM, row


def test_tallies_successes_failures_minutes_and_rates():
    rows = [
        row(1), row(2), row(3, outcome="failure"), row(4, outcome=None),
        row(5, outcome="discarded"), row(6, status="recording"),
        row(7, primitive="Grasp and Lift ", obj="MUG"),  # names match case-insensitively
        row(8, primitive="wave", obj="mug"),  # not in the curriculum
    ]  # fmt: skip
    coverage = compute_coverage(rows, CURRICULUM)
    cell = coverage.cell("grasp and lift", "mug")
    assert (cell.tally.episodes, cell.tally.successes, cell.tally.failures) == (5, 3, 1)
    assert cell.tally.success_rate == pytest.approx(3 / 4)
    assert cell.tally.minutes == pytest.approx(5 * 0.5)
    assert cell.progress == pytest.approx(3 / 4)
    assert coverage.outside.episodes == 1
    assert coverage.total.episodes == 6
    assert coverage.by_operator["ana"].successes == 4
    assert coverage.by_day["2026-11-20"].episodes == 6


def test_minutes_target_caps_progress():
    rows = [row(1, "pour", "mug", seconds=30.0), row(2, "pour", "mug", seconds=30.0)]
    cell = compute_coverage(rows, CURRICULUM).cell("pour", "mug")
    # 2/2 episodes but only 1.0 of 1.0 minutes... exactly at target
    assert cell.progress == pytest.approx(1.0)
    short = [row(1, "pour", "mug", seconds=6.0), row(2, "pour", "mug", seconds=6.0)]
    assert compute_coverage(short, CURRICULUM).cell("pour", "mug").progress == pytest.approx(0.2)


def test_next_up_is_furthest_behind_on_hand_and_not_the_last_one():
    rows = [row(1, obj="ball"), row(2, obj="ball"), row(3, "pour", "mug")]
    coverage = compute_coverage(rows, CURRICULUM)
    ranked = [(c.primitive, c.object) for c in next_up(coverage, count=10)]
    # kettle is not on hand; grasp-and-lift x mug is at 0 %, ball 50 %, pour x mug 50 %.
    assert ranked == [("grasp and lift", "mug"), ("grasp and lift", "ball"), ("pour", "mug")]
    after = next_up(coverage, last=("grasp and lift", "mug"), count=1)
    assert [(c.primitive, c.object) for c in after] == [("grasp and lift", "ball")]


def test_combinations_at_target_leave_the_list_and_the_last_one_stays_if_alone():
    rows = [row(i, obj="ball") for i in range(4)] + [row(10 + i, "pour", "mug") for i in range(2)]
    rows += [row(20 + i, "pour", "mug", seconds=60.0) for i in range(1)]
    coverage = compute_coverage(rows, CURRICULUM)
    assert [(c.primitive, c.object) for c in next_up(coverage)] == [("grasp and lift", "mug")]
    alone = next_up(coverage, last=("grasp and lift", "mug"))
    assert [(c.primitive, c.object) for c in alone] == [("grasp and lift", "mug")]
