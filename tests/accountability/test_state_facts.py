"""kit build --framework mo_msip5 / tx_pbmas: the msip_apr, pbmas, pbmas_stage and state_rules
facts, from the build's own tables, with the build's suppression decision."""

from __future__ import annotations

import shutil
from fractions import Fraction

import pandas as pd
import pytest

from kit.build import build_facts
from kit.facts import read_facts
from kit.frameworks.loader import load_framework

PROXY = "kit proxy, not the Missouri Growth Model"


@pytest.fixture(scope="module")
def msip(msip_facts_path):
    with read_facts(msip_facts_path) as f:
        yield f


@pytest.fixture(scope="module")
def pbmas(pbmas_facts_path):
    with read_facts(pbmas_facts_path) as f:
        yield f


def test_the_ordinary_build_has_no_state_tables(facts):
    assert not {"msip_apr", "pbmas", "pbmas_stage", "state_rules"} & set(facts.tables)


# --- MSIP 5 -------------------------------------------------------------------------------------


def test_msip_apr_covers_every_district_and_school_every_year(msip):
    apr = msip.table("msip_apr")
    entities = msip.table("entities")
    entities = entities[entities.entity_type != "state"]
    got = set(zip(apr.year, apr.entity_type, apr.entity_id, strict=True))
    assert got == set(zip(entities.year, entities.entity_type, entities.entity_id, strict=True))
    # CONTRACT.md section 3: year, district or school, per-standard points earned / possible,
    # total percent
    assert {"year", "entity_type", "entity_id", "standard", "earned", "possible", "percent"} <= set(
        apr.columns
    )


def test_district_types_and_their_standards(msip):
    apr = msip.table("msip_apr", year=2024, row_kind="standard")
    by = {d: sorted(apr.loc[apr.entity_id == d, "standard"]) for d in ("D01", "D02", "D03")}
    assert by["D01"] == ["1", "2", "3", "4", "5"] and by["D03"] == ["1", "2", "3", "4", "5"]
    assert by["D02"] == ["1", "2", "3", "4"]  # K-8: no graduation
    k8 = msip.table("msip_apr", year=2024, entity_id="D02", row_kind="sub_measure")
    hsr = k8[k8.standard == "3"].iloc[0]
    assert hsr.sub_measure == "hsr" and hsr.counted and hsr.n >= 30  # EOC rows in grade 8
    assert set(k8.loc[k8.standard == "1", "sub_measure"]) == {"ELA", "MATH", "SCI"}
    assert k8.loc[k8.row_kind == "sub_measure", "possible"].sum() == 80


def test_apr_rows_add_up_and_carry_their_band(msip):
    apr = msip.table("msip_apr")
    fw = load_framework("mo_msip5")
    for _, rows in apr.groupby(["year", "entity_id"]):
        total = rows[rows.row_kind == "apr"].iloc[0]
        standards = rows[rows.row_kind == "standard"]
        subs = rows[(rows.row_kind == "sub_measure") & rows.counted]
        assert total.earned == pytest.approx(standards.earned.sum())
        assert standards.earned.sum() == pytest.approx(subs.earned.sum())
        assert total.possible == pytest.approx(subs.possible.sum())
        assert (subs.earned <= subs.possible + 1e-9).all()  # capped at the points possible
        if total.possible:
            assert total.percent == pytest.approx(100 * total.earned / total.possible)
            percent = Fraction(total.percent).limit_denominator(10**6)
            assert total.band in [b.label for b in fw.msip.accreditation.bands]
            assert 0 <= percent <= 100


def test_academic_rows_are_hidden_where_the_performance_cell_is_hidden(msip):
    apr = msip.table("msip_apr", row_kind="sub_measure")
    assessed = apr[apr.subject.notna()]
    perf = msip.sql(
        'SELECT year, entity_id, subject, "group", suppressed AS perf_suppressed, '
        "suppression_reason AS perf_reason FROM performance WHERE grade = 'ALL'"
    )
    both = assessed.merge(perf, on=["year", "entity_id", "subject", "group"])
    assert len(both) == len(assessed[assessed.n > 0])
    assert (both.suppressed == both.perf_suppressed).all()
    hidden = both[both.suppressed]
    assert (hidden.suppression_reason == hidden.perf_reason).all()
    assert both.suppressed.any()  # the small district has hidden cells


def test_growth_is_the_labelled_proxy(msip):
    apr = msip.table("msip_apr", row_kind="sub_measure")
    fed = apr[apr.growth_points.notna()]
    assert len(fed) and (fed.growth_source == PROXY).all()
    assert fed.unverified.str.contains("growth").all()
    small = apr.growth_n.notna() & (apr.growth_n < 10)
    assert apr.loc[small, "growth_suppressed"].all()


def test_a_user_growth_table_replaces_the_proxy(state_demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(state_demo_dir, data)
    pd.DataFrame(
        {
            "year": 2024,
            "entity_type": ["district", "district", "school"],
            "entity_id": ["D01", "D01", "D01S01"],
            "subject": ["ELA", "MATH", "ELA"],
            "group": ["all", "super_subgroup", "all"],
            "estimate": [2.5, None, None],
            "std_error": [0.5, None, None],
            "significance": [None, "below", None],
            "level": [None, None, "on_track"],
            "n": [900, 500, 120],
            "source": "MO growth file 2024",
        }
    ).to_csv(data / "growth.csv", index=False)
    out = tmp_path / "facts.duckdb"
    build_facts(data, out, framework="mo_msip5")
    with read_facts(out) as f:
        apr = f.table("msip_apr", year=2024, row_kind="sub_measure")
    row = apr[(apr.entity_id == "D01") & (apr.sub_measure == "ELA")].iloc[0]
    assert row.growth_category == "Exceeding" and row.growth_source == "MO growth file 2024"
    sup = apr[(apr.entity_id == "D01") & (apr.sub_measure == "MATH") & (apr.standard == "2")]
    assert sup.iloc[0].growth_category == "Floor"
    school = apr[(apr.entity_id == "D01S01") & (apr.sub_measure == "ELA") & (apr.standard == "1")]
    assert school.iloc[0].growth_category == "On Track"
    assert not apr.growth_source.fillna("").str.startswith("kit proxy").any()


def test_missing_optional_tables_leave_standards_without_data(state_demo_dir, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("students", "assessments"):
        shutil.copy(state_demo_dir / f"{name}.csv", data)
    students = pd.read_csv(data / "students.csv", dtype=str)
    keep = [c for c in students.columns if not c.startswith(("hours_", "days_", "residency"))]
    students[keep].to_csv(data / "students.csv", index=False)
    for framework in ("mo_msip5", "tx_pbmas"):
        build_facts(data, tmp_path / f"{framework}.duckdb", framework=framework)
    with read_facts(tmp_path / "mo_msip5.duckdb") as f:
        apr = f.table("msip_apr", year=2024, entity_id="D01", row_kind="sub_measure")
    gone = apr[apr.standard.isin(["3", "4", "5"])]
    assert (~gone.counted).all() and (gone.reason == "no data").all()
    with read_facts(tmp_path / "tx_pbmas.duckdb") as f:
        pb = f.table("pbmas", year=2024, entity_id="D01")
    reasons = dict(zip(pb.indicator + " " + pb.subject.fillna(""), pb.reason, strict=True))
    assert reasons["SPED #16 "] == "no discipline table in the data"
    assert reasons["CTE #8 "] == "no courses table in the data"
    assert reasons["BE/ESL #8 "] == "no elp_assessments table in the data"
    assert reasons["SPED #10 "] == "no graduation table in the data"
    assert pb.loc[pb.indicator == "SPED #16", "performance_level"].iloc[0] == "ND"


# --- PBMAS ---------------------------------------------------------------------------------------


def test_pbmas_has_contract_columns_beside_the_rich_ones(pbmas):
    pb = pbmas.table("pbmas")
    assert {"value", "standard", "performance_level", "program_area"} <= set(pb.columns)
    rated = pb[pb.rate.notna()]
    assert (rated.value == rated.rate).all() and (pb.standard == pb.cut).all()
    assert set(pb.entity_type) == {"district"}  # PBMAS is district-level (S003)
    assert set(pb.entity_id) == {"D01", "D02", "D03"}
    assert pb.performance_level.isin(
        ["0", "1", "2", "3", "0 RI", "NA", "ND"] + [f"{k} SA" for k in range(4)]
    ).all()


def test_pbmas_masks_small_counts(pbmas):
    pb = pbmas.table("pbmas")
    den, num = pb.denominator, pb.numerator
    assert (pb.loc[(den > 0) & (den < 10), "masked"] == 2).all()
    small = (den >= 10) & (((num > 0) & (num < 10)) | ((den - num > 0) & (den - num < 10)))
    assert (pb.loc[small, "masked"] == 1).all()
    assert (pb.loc[(den >= 10) & ~small, "masked"] == 0).all()
    assert (pb.loc[pb.masked > 0, "mask_reason"].notna()).all()


def test_the_small_district_needs_aggregation_or_ends_in_na(pbmas):
    pb = pbmas.table("pbmas", year=2024, entity_id="D03")
    assert (pb.years_aggregated > 1).any()
    assert (pb.performance_level == "NA").any()


def test_stages_and_rules(pbmas):
    stages = pbmas.table("pbmas_stage", year=2024)
    assert len(stages) == 3 * 4  # three districts, four program areas
    unstaged = stages[stages.stage.isna()]
    assert unstaged.reason.str.contains("no staging table").all()
    rules = pbmas.table("state_rules")
    assert set(rules.system) == {"pbmas"}
    assert rules.loc[~rules.verified, "note"].notna().all()
    assert "PBMAS staging" in " ".join(pbmas.run()["framework_unverified"])


def test_an_attendance_table_feeds_standard_4(state_demo_dir, msip_facts_path, tmp_path):
    """The optional attendance table (hours per student and school) replaces the students'
    hours; built from those same hours it gives the same attendance rows."""
    data = tmp_path / "data"
    shutil.copytree(state_demo_dir, data)
    s = pd.read_csv(data / "students.csv", dtype={"student_id": str})
    s = s[s.grade >= 0]
    s[
        [
            "year",
            "student_id",
            "district_id",
            "school_id",
            "grade",
            "hours_enrolled",
            "hours_attended",
            "residency_code",
        ]
    ].to_csv(data / "attendance.csv", index=False)
    out = tmp_path / "facts.duckdb"
    build_facts(data, out, framework="mo_msip5")
    with read_facts(out) as f:
        got = f.table("msip_apr", sub_measure="attendance").sort_values(["year", "entity_id"])
    # a fresh read: the module's connection may have been closed as other stores opened
    with read_facts(msip_facts_path) as f:
        want = f.table("msip_apr", sub_measure="attendance").sort_values(["year", "entity_id"])
    cols = ["year", "entity_id", "value", "n", "earned"]
    pd.testing.assert_frame_equal(
        got[cols].reset_index(drop=True), want[cols].reset_index(drop=True)
    )
