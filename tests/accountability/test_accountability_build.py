"""kit build on the demo district fills every accountability table for every entity."""

import json

import numpy as np
import pandas as pd
import pytest

from kit.build import build_facts
from kit.facts import read_facts
from kit.frameworks.loader import load_framework

TABLES = (
    "group_gaps",
    "crosstab",
    "group_ranking",
    "amo_targets",
    "ayp",
    "ayp_summary",
    "ayp_impact",
    "goals",
    "accountability_rules",
)


def test_every_accountability_table_is_filled(facts):
    for table in TABLES:
        assert len(facts.table(table)) > 0, table


def test_every_entity_and_year_has_its_rows(facts):
    entities = facts.table("entities")
    ayp = facts.table("ayp")
    for table, types in (
        ("ayp", ("school", "district", "state")),
        ("group_gaps", ("school", "district", "state")),
        ("crosstab", ("school", "district", "state")),
        ("group_ranking", ("school", "district", "state")),
        ("goals", ("school", "district", "state")),
    ):
        rows = facts.table(table)
        for et in types:
            want = set(entities.loc[entities.entity_type == et, "entity_id"])
            assert set(rows.loc[rows.entity_type == et, "entity_id"]) == want, (table, et)
    assert set(ayp["year"]) == set(entities["year"])  # AYP rows exist for the demo years
    impact = facts.table("ayp_impact")
    assert set(impact["entity_type"]) == {"state", "district"}
    assert set(impact["comparison"]) == {"rules", "models"}


def test_ayp_rows_are_consistent(facts):
    ayp = facts.table("ayp")
    fw = load_framework("ma")
    small = ayp["n_enrolled"] < fw.accountability_min_n
    assert (ayp.loc[small, "group"] == "all").all()  # only all students go down to 20
    assert (ayp["n_enrolled"] >= fw.accountability_min_n_all).all()
    assert not (ayp["met"] & ~ayp["participation_met"]).any()
    assert (ayp.loc[ayp["met"], "path"].str.startswith("not met") == False).all()  # noqa: E712
    assert ayp.loc[~ayp["met"], "path"].str.startswith("not met").all()
    tests = ayp["tests"].map(json.loads)
    for t, met, met_by in zip(tests, ayp["met"], ayp["met_by"], strict=True):
        if met and met_by not in ("", "participation"):
            assert t[met_by] is True


def test_gaps_agree_with_performance_and_the_complement(facts):
    gaps = facts.table("group_gaps", grade="ALL", subject="ELA")
    perf = facts.table("performance", grade="ALL", subject="ELA")
    key = ["year", "entity_type", "entity_id", "group"]
    both = gaps.merge(perf[key + ["pct_proficient"]], on=key, suffixes=("", "_perf"))
    assert len(both) == len(gaps)
    assert (both["pct_proficient"] - both["pct_proficient_perf"]).abs().max() < 1e-9
    swd = gaps[gaps["group"] == "swd"].set_index(["year", "entity_type", "entity_id"])
    non = perf[perf["group"] == "non_swd"].set_index(["year", "entity_type", "entity_id"])
    joined = swd.join(non["pct_proficient"].rename("non_pct"), how="inner")
    assert (joined["complement_pct_proficient"] - joined["non_pct"]).abs().max() < 1e-9


def test_crosstab_lines_add_up_and_suppression_closes_them(facts):
    ct = facts.table("crosstab", crosstab="low_income x ell x swd")
    key = ["year", "entity_type", "entity_id"]
    cells = ct.set_index(key + ["low_income", "ell", "swd"])["n"]
    for (year, et, eid), _ in ct.groupby(key):
        for e in ("Y", "N", "ALL"):
            for s in ("Y", "N", "ALL"):
                total = cells[(year, et, eid, "ALL", e, s)]
                assert (
                    total == cells[(year, et, eid, "Y", e, s)] + cells[(year, et, eid, "N", e, s)]
                )
    # the build's decision: every cell of 1-9 students hidden, and none can be worked out
    small = (ct["n"] > 0) & (ct["n"] < 10)
    assert ct.loc[small, "suppressed"].all()
    assert (ct["suppression_reason"] == "complement").any()


def test_goals_targets_are_equal_steps(facts):
    goals = facts.table("goals", method="gap_third", group="all", entity_type="school")
    for rec in goals.itertuples():
        targets = json.loads(rec.annual_targets)
        assert targets[0] == [rec.baseline_year, pytest.approx(rec.baseline)]
        assert targets[-1][1] == pytest.approx(rec.baseline + (100 - rec.baseline) / 3)
        steps = pd.Series([t for _, t in targets]).diff().dropna()
        assert steps.max() - steps.min() < 1e-9


@pytest.mark.parametrize("framework", ["ny", "pa", "sc"])
def test_other_shipped_frameworks_build(demo_dir, tmp_path, framework):
    result = build_facts(demo_dir, tmp_path / "facts.duckdb", framework=framework)
    for table in ("ayp", "ayp_impact", "goals", "group_ranking", "amo_targets"):
        assert result.table_rows.get(table, 0) > 0, (framework, table)
    # values, not only counts: every AYP value is the figure the performance tables hold for
    # the same entity, subject and group (the index model's score, or percent proficient)
    with read_facts(tmp_path / "facts.duckdb") as f:
        rows = f.sql(
            """
            SELECT a.measure, a.value,
                   coalesce(i.value, CASE WHEN a.measure = 'pct_proficient'
                                          THEN p.pct_proficient END) AS expected
            FROM ayp a
            LEFT JOIN index_scores i ON i.year = a.year AND i.entity_id = a.entity_id
                 AND i.subject = a.subject AND i.grade = a.grade AND i."group" = a."group"
                 AND i.model = a.measure
            LEFT JOIN performance p ON p.year = a.year AND p.entity_id = a.entity_id
                 AND p.subject = a.subject AND p.grade = a.grade AND p."group" = a."group"
            WHERE a.value IS NOT NULL
            """
        )
    assert len(rows) > 50, framework
    assert rows["expected"].notna().all(), rows[rows["expected"].isna()].head()
    np.testing.assert_allclose(rows["value"], rows["expected"], rtol=0, atol=1e-9)
