"""What would change an AYP result (kit/views/index.py): the fewest students, worked by hand,
and the required gain checked against the build's own path text."""

import re

import pytest

import kit
from kit.fmt import fmt_num
from kit.views import index as va


@pytest.fixture(scope="module")
def store(facts_path):
    with kit.read_facts(facts_path) as f:
        yield f


def test_required_gain_agrees_with_the_facts_path(store):
    """The view recomputes the improvement test's required gain (for "what would change");
    it must give the same figure as the build's own path text for every AYP row."""
    checked = 0
    for entity in [*store.schools()["entity_id"], *store.districts()["entity_id"]]:
        ctx = kit.report_context(store, entity)
        view = kit.view_ayp(store, ctx)
        for rec in view[~view["suppressed"]].to_dict("records"):
            m = re.search(
                r"improvement: \S+ (?:changed [+-]|rose )[\d.]+ \(needed ([\d.]+)",
                rec["path"] or "",
            )
            if m:
                assert fmt_num(rec["required_gain"]) == m.group(1), rec
                checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("value", "target", "n", "step", "expected"),
    [
        # 61.7% of 81 proficient against 65%: (65 - 61.728) x 81 / 100 = 2.65 -> 3 students.
        (100 * 50 / 81, 65.0, 81, 100.0, 3),
        # CPI 73.122 against 73.468 with 213 students, each move worth >= 25 points:
        # 0.3456 x 213 / 25 = 2.94 -> 3 students (2 give 73.357, short; 3 give 73.474).
        (73.122066, 73.467709, 213, 25.0, 3),
        # An exact fit needs no extra student: 40 of 80 = 50%, target 51.25% -> 1 student.
        (50.0, 51.25, 80, 100.0, 1),
        (75.0, 70.0, 40, 25.0, 0),
        (float("nan"), 70.0, 40, 25.0, None),
    ],
)
def test_students_to_reach_by_hand(value, target, n, step, expected):
    assert va.students_to_reach(value, target, n, step) == expected
    if expected:
        assert value + expected * step / n >= target - 1e-9
        assert value + (expected - 1) * step / n < target


def test_testers_to_reach_by_hand():
    assert va.testers_to_reach(38, 41, 95) == 1  # 38/41 = 92.7% -> 39/41 = 95.1%
    assert va.testers_to_reach(93, 100, 95) == 2
    assert va.testers_to_reach(95, 100, 95) == 0
    assert va.testers_to_reach(float("nan"), 100, 95) is None


def test_level_step_is_the_smallest_move_up_below_proficient(store):
    # CPI: W/F high 25 -> NI low 50, NI high 75 -> P 100: 25 either way.
    assert va.level_step(store, "ma_cpi", 3) == 25
    assert va.level_step(store, "ny_pi", 3) == 100
    assert va.level_step(store, "mo_mpi", 3) == 100  # 100 -> 300 -> 400
    assert va.level_step(store, "pa_ppi", 3) is None  # enrolled denominator: n differs
