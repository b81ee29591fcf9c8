"""The district summary reads its schools' AYP views and group rankings in one query each
(``view_ayp_many``, ``view_ranking_many``): the same rows, columns and order as one call per
school, and measure digits read once per view give the same digits as one read per row."""

import pandas as pd
import pytest

import kit
from kit.views._common import hidden_for, measure_digits, measures_digits
from kit.views.district import view_ranking, view_ranking_many
from kit.views.index import view_ayp, view_ayp_many


@pytest.fixture
def district(facts):
    ctx = kit.report_context(facts, facts.districts()["entity_id"].iloc[0])
    ids = facts.schools(ctx.year, ctx.entity_id)["entity_id"].tolist()
    return ctx, ids


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's values with one missing marker: a column of test names that is empty at
    one school is inferred as objects (None) there and as strings (NaN) beside the others."""
    return frame.astype(object).where(frame.notna(), None)


def test_ayp_views_of_every_school_in_one_query_match_one_call_per_school(facts, district):
    ctx, ids = district
    hidden = hidden_for(facts, ctx, ids, [ctx.year - 1, ctx.year])
    many = view_ayp_many(facts, ctx, ids, hidden=hidden)
    assert list(many) == ids
    shown = 0
    for sid in ids:
        one = view_ayp(facts, ctx, sid, hidden=hidden)
        assert len(one) == len(many[sid])
        if len(one):
            pd.testing.assert_frame_equal(_values(many[sid]), _values(one))
            shown += int((~one["suppressed"]).sum())
    assert shown  # the demo has reported groups: the comparison saw figures, not only NaN
    # without the decisions passed in, each reads the same ones
    pd.testing.assert_frame_equal(
        view_ayp_many(facts, ctx, ids[:1])[ids[0]], view_ayp(facts, ctx, ids[0])
    )


def test_rankings_of_every_school_and_subject_in_one_query_match_one_call_each(facts, district):
    ctx, ids = district
    hidden = hidden_for(facts, ctx, ids, [ctx.year - 1, ctx.year])
    many = view_ranking_many(facts, ctx, ids, list(ctx.subjects), hidden=hidden)
    assert set(many) == {(s, subj) for s in ids for subj in ctx.subjects}
    for (sid, subject), rows in many.items():
        one = view_ranking(facts, ctx, subject, sid, hidden=hidden)
        assert len(one) == len(rows)
        if len(one):
            pd.testing.assert_frame_equal(rows, one)
    assert any(r["gap_all"].notna().any() for r in many.values())


def test_measure_digits_read_once_match_the_per_measure_reading(facts):
    models = facts.table("index_models")["model"].tolist()
    measures = pd.Series([*models, "pct_proficient", "not_a_model"])
    expect = [measure_digits(facts, m) for m in measures]
    assert measures_digits(facts, measures).tolist() == expect
    assert 3 in expect and 1 in expect  # a 0-1 model (the PPI) and the others
