"""The item analysis reads each item table once for all the report's tests
(``kit.views.items._ItemTables``): each test's rows are the rows a query of that test alone
gives, and the views built from them are the views of one test at a time."""

import pandas as pd
import pytest

import kit
from kit.views.items import (
    _ItemTables,
    _shown_tables,
    choose_focus_group,
    item_tests,
    view_item_test,
)

_ONE_TEST = {
    "item_stats": "SELECT * FROM item_stats WHERE year = ? AND entity_id = ? AND subject = ? "
    "AND grade = ?",
    "standard_stats": "SELECT * FROM standard_stats WHERE year = ? AND entity_id = ? "
    "AND subject = ? AND grade = ? AND \"group\" = 'all'",
    "item_options": "SELECT * FROM item_options WHERE year = ? AND entity_id = ? "
    "AND subject = ? AND grade = ? AND \"group\" = 'all'",
    "reliability": "SELECT * FROM reliability WHERE year = ? AND entity_id = ? AND subject = ? "
    "AND grade = ? AND \"group\" = 'all'",
}


def _key(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order (a query without ORDER BY promises none)."""
    cols = [c for c in ("group", "item_id", "option", "rollup", "category") if c in frame]
    return frame.sort_values(cols, kind="stable").reset_index(drop=True) if cols else frame


@pytest.mark.parametrize("which", ["school", "district"])
def test_each_tests_rows_are_those_of_a_query_of_that_test(facts, which):
    entity = (facts.schools() if which == "school" else facts.districts())["entity_id"].iloc[0]
    ctx = kit.report_context(facts, entity)
    tables = _ItemTables.read(facts, ctx, list(ctx.subjects))
    seen = 0
    for subject in ctx.subjects:
        assert tables.grades(subject) == item_tests(facts, ctx, subject)
        for grade in tables.grades(subject):
            keys = [ctx.year, ctx.entity_id, subject, grade]
            for table, sql in _ONE_TEST.items():
                one = facts.sql(sql, keys)
                pd.testing.assert_frame_equal(_key(tables.rows(table, subject, grade)), _key(one))
                seen += len(one)
            state = facts.sql(
                "SELECT item_id, pct_correct FROM item_stats WHERE year = ? AND "
                "entity_id = 'STATE' AND subject = ? AND grade = ? AND \"group\" = 'all'",
                [ctx.year, subject, grade],
            )
            mine = tables.rows("state_items", subject, grade)[["item_id", "pct_correct"]]
            pd.testing.assert_frame_equal(_key(mine), _key(state))
    assert seen


def test_the_report_views_equal_the_views_of_one_test_at_a_time(facts):
    ctx = kit.report_context(facts, facts.schools()["entity_id"].iloc[0])
    every = kit.view_item_tests(facts, ctx)
    assert every
    for view in every:
        focus = choose_focus_group(facts, ctx, view.subject)
        one = view_item_test(facts, ctx, view.subject, view.grade, focus_group=focus)
        assert (one.subject, one.grade, one.suppressed, one.n) == (
            view.subject,
            view.grade,
            view.suppressed,
            view.n,
        )
        assert one.reliability == view.reliability or str(one.reliability) == str(view.reliability)
        for name in ("items", "standards", "categories", "types", "options", "state_items"):
            pd.testing.assert_frame_equal(getattr(one, name), getattr(view, name), obj=name)
        assert one.rules == view.rules and one.compare_district == view.compare_district


@pytest.mark.parametrize("which", ["school", "district"])
def test_shown_once_for_all_tests_is_shown_test_by_test(facts, which):
    """Hiding and comparing every figure is done once for all of a report's tests: each
    test's shown rows are what the same steps give on that test's rows alone."""
    entity = (facts.schools() if which == "school" else facts.districts())["entity_id"].iloc[0]
    ctx = kit.report_context(facts, entity)
    tables = _ItemTables.read(facts, ctx, list(ctx.subjects))
    tested = 0
    for subject in ctx.subjects:
        for grade in tables.grades(subject):
            dec = tables.rows("decisions", subject, grade)
            alone = _shown_tables(
                {name: tables.rows(name, subject, grade) for name in tables.frames}
            )
            assert alone.keys() == tables.shown.keys()
            for name, frame in alone.items():
                pd.testing.assert_frame_equal(
                    tables.shown_rows(name, subject, grade), frame, check_exact=True, obj=name
                )
            assert len(dec)
            tested += 1
    assert tested
