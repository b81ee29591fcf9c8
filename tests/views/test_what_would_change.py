"""What would change an AYP result (kit/views/index.py): the fewest students, worked by hand,
and the targets the build stored (``ayp.required_gain``, ``ayp.targets``,
``index_models.level_step``) checked against the build's own path text."""

import json
import re

import pandas as pd
import pytest

import kit
from kit.fmt import fmt_num
from kit.metrics.indexes import level_step
from kit.views import index as va


@pytest.fixture(scope="module")
def store(facts_path):
    with kit.read_facts(facts_path) as f:
        yield f


def test_required_gain_agrees_with_the_facts_path(store):
    """The build stores the improvement test's required gain (the view only reads it); it
    gives the same figure as the build's own path text for every AYP row."""
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
    step = store.table("index_models").set_index("model")["level_step"]
    # CPI: W/F high 25 -> NI low 50, NI high 75 -> P 100: 25 either way.
    assert step["ma_cpi"] == 25
    assert step["ny_pi"] == 100
    assert step["mo_mpi"] == 100  # 100 -> 300 -> 400
    assert pd.isna(step["pa_ppi"])  # enrolled denominator: n differs
    assert pd.isna(step["al_pi"])  # a proficiency index has no points per level


def test_level_step_by_hand():
    assert level_step({1: 0, 2: 100, 3: 200, 4: 200}, 3) == 100
    assert level_step({1: (0, 25), 2: (50, 75), 3: 100, 4: 100}, 3) == 25
    assert level_step({1: (0, 25), 2: (50, 75), 3: 100, 4: 100}, 3, scale=0.01) == 0.25
    assert level_step({1: 0, 2: 100, 3: 200, 4: 200}, 3, denominator="enrolled") is None
    assert level_step({1: 0, 2: 0, 3: 200, 4: 200}, 2) is None  # no rise below proficient


def test_stored_targets_agree_with_the_facts_path(store):
    """``ayp.targets`` holds the value each test needed: the status target is the AMO in
    the path, and the safe-harbor / gain targets give back the path's verdict."""
    rows = store.sql("SELECT * FROM ayp WHERE targets <> '{}'")
    assert len(rows) >= 10
    kinds = set()
    for rec in rows.to_dict("records"):
        tests = json.loads(rec["tests"])
        for test, t in json.loads(rec["targets"]).items():
            kinds.add(t["kind"])
            if t["kind"] == "status":
                assert t["target"] == pytest.approx(rec["target"])
            if t["value"] is not None and tests[test] is not None and t["kind"] == "status":
                assert (t["value"] >= t["target"]) == tests[test]
            if t["kind"] == "index_gain" and rec["prior_value"] == rec["prior_value"]:
                assert t["target"] == pytest.approx(rec["prior_value"] + rec["required_gain"])
    assert kinds == {"status", "index_gain"}


def test_view_ayp_reads_a_few_tables_not_one_query_per_row(store, sql_queries):
    """Every figure comes from a handful of queries (it was 19 for a school, 27 for a
    district: one per row for the decimals, one per model for the level steps)."""
    calls = sql_queries
    for entity in (store.schools()["entity_id"].iloc[0], store.districts()["entity_id"].iloc[0]):
        ctx = kit.report_context(store, entity)
        calls.clear()
        view = kit.view_ayp(store, ctx)
        assert len(view) >= 10
        assert len(calls) <= 5, calls
