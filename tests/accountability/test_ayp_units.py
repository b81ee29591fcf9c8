"""AYP rule code worked by hand where the determination tests did not reach it (the
survivors of ``make mutate``): the AMO starting point, the index pathway with a missing
value or target, the index-gain test's goal, prior size and years left, and the SQL of the
measure frame and of the students' points SD."""

from __future__ import annotations

import json
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from acc_helpers import build_framework
from acc_helpers import measure_row as row

from kit.accountability.ayp import (
    _starting_point,
    amo_targets,
    determine_ayp,
    measure_frame_sql,
    sd_sql,
)
from kit.frameworks.loader import LevelPointsModel


def decide(fw, frame):
    out = determine_ayp(frame, fw, amo_targets(frame, fw))
    return out.set_index(["year", "entity_id", "group"])


def frame_of(*rows):
    df = pd.DataFrame(list(rows))
    for col in ("v_sc_pi", "n_sc_pi", "v_ma_cpi", "n_ma_cpi", "v_pa_ppi", "n_pa_ppi"):
        if col not in df.columns:
            df[col] = float("nan")
    return df


# --- the AMO starting point ------------------------------------------------------------------


@pytest.fixture
def schools():
    """South Carolina's rule: sort the schools by their result, low to high, weighted by
    their students, and take the school at a percentile of enrolment. A 100 (of 400
    students), B 100, C 199, G 1: cumulative shares 0.25, 0.50, 0.9975, 1.0. The other rows
    must not count: another subject, year, entity type or group, a school with no students
    and one with no result."""

    def r(entity, v, n, subject="ELA", year=2009, etype="school", group="all"):
        return {
            "year": year,
            "entity_type": etype,
            "entity_id": entity,
            "subject": subject,
            "group": group,
            "pct_proficient": v,
            "n": n,
        }

    return pd.DataFrame(
        [
            r("A", 40.0, 100),
            r("B", 60.0, 100),
            r("C", 80.0, 199),
            r("G", 90.0, 1),
            r("A", 10.0, 500, subject="MATH"),
            r("B", 5.0, 500, year=2008),
            r("D1", 1.0, 900, etype="district"),
            r("A", 2.0, 500, group="swd"),
            r("E", 0.0, 0),
            r("F", None, 50),
        ]
    )


@pytest.mark.parametrize(
    ("percentile", "expected"),
    [
        (0, 40.0),  # the lowest school with students (E has none)
        (20, 40.0),  # SC's twentieth percentile: A holds the first 25 %
        (25, 40.0),  # reached exactly at A's share: A, not the next school
        (50, 60.0),
        (50.1, 80.0),
        (100, 90.0),  # G's one student is the last of the enrolment
        (120, 90.0),  # past the end: the last school
    ],
)
def test_starting_point_is_the_school_at_the_percentile_of_enrolment(schools, percentile, expected):
    assert _starting_point(schools, "pct_proficient", "ELA", 2009, percentile) == expected


def test_starting_point_reads_only_its_subject_and_year(schools):
    assert _starting_point(schools, "pct_proficient", "MATH", 2009, 20) == 10.0
    assert _starting_point(schools, "pct_proficient", "ELA", 2008, 20) == 5.0
    assert math.isnan(_starting_point(schools, "pct_proficient", "ELA", 2010, 20))


# --- the index pathway -----------------------------------------------------------------------

INDEX = [
    {"id": "status", "kind": "status"},
    {"id": "option_4", "kind": "index", "model": "sc_pi", "amo": "sc_pi"},
]


def test_index_pathway_needs_a_value_and_a_target():
    # sc_pi AMO 68.3 from 2008 (none in 2007). 40 % proficient fails status throughout.
    fw = build_framework(ayp_tests=INDEX)
    frame = frame_of(
        row(2007, n=100, pct=40.0, sc_pi=75.0),  # no target in 2007
        row(2008, n=100, pct=40.0, entity="S2"),  # no sc_pi value
        row(2008, n=100, pct=40.0, entity="S3", sc_pi=68.3),  # exactly the target
        row(2008, n=9, pct=40.0, entity="S4", sc_pi=90.0, enrolled=12, tested=12),
    )
    out = decide(fw, frame)
    r = out.loc[(2007, "S1", "all")]
    assert not r.met and pd.isna(r.index_met)
    assert r.path == "not met: status: no AMO for 2007; option 4: no sc_pi result or target"
    r = out.loc[(2008, "S2", "all")]
    assert not r.met and pd.isna(r.index_met)
    assert r.path.endswith("; option 4: no sc_pi result or target")
    r = out.loc[(2008, "S3", "all")]
    assert bool(r.met) and bool(r.index_met) and r.met_by == "option_4"
    assert r.path == "option 4: sc_pi 68.3 >= target 68.3"
    # 9 accountable students (< 10): participation only, the index not judged.
    r = out.loc[(2008, "S4", "all")]
    assert bool(r.met) and r.met_by == "participation" and pd.isna(r.index_met)


@pytest.mark.parametrize(
    ("other", "index_met", "path"),
    [
        (
            "participation",
            False,
            "not met: participation 90.0% < 95%; status 40.0 < AMO 70.0 (30.0 short); "
            "option 4: sc_pi met its target but participation was not met",
        ),
        (
            "none",
            True,
            "not met: participation 90.0% < 95%; achievement met "
            "(option 4: sc_pi 75.0 >= target 68.3)",
        ),
    ],
)
def test_index_pathway_and_its_other_indicator(other, index_met, path):
    # 90 of 100 tested: participation fails; sc_pi 75.0 >= 68.3.
    tests = [INDEX[0], {**INDEX[1], "other_indicator": other}]
    fw = build_framework(ayp_tests=tests)
    frame = frame_of(row(2008, n=90, pct=40.0, enrolled=100, tested=90, sc_pi=75.0))
    r = decide(fw, frame).loc[(2008, "S1", "all")]
    assert not r.met and bool(r.index_met) == index_met and r.path == path


# --- the index-gain test ---------------------------------------------------------------------


def gain_fw(**test):
    return build_framework(ayp_tests=[{"id": "improvement", "kind": "index_gain", **test}])


def test_index_gain_with_an_explicit_goal():
    # Required = 10 % of the gap to the goal 90: 0.1 x (90 - 60) = 3.0; 60 -> 63 is 3.0: met.
    # To the default goal (the top of the range, 100) it would be 4.0.
    frame = frame_of(row(2007, n=100, ma_cpi=60.0), row(2008, n=100, ma_cpi=63.0))
    r = decide(gain_fw(model="ma_cpi", gap_fraction=0.1, goal=90), frame).loc[(2008, "S1", "all")]
    assert bool(r.met) and r.path == "improvement: ma_cpi rose 3.0 (needed 3.0)"
    # The value that passes, stored for "what would change the result": 60 + 3.0.
    assert json.loads(r.targets)["improvement"] == {
        "kind": "index_gain",
        "measure": "ma_cpi",
        "target": pytest.approx(63.0),
        "value": 63.0,
        "n": 100.0,
        "uses_prior": True,
    }


@pytest.mark.parametrize(
    ("prior_min_n", "prior_n", "available"),
    [(None, 4, False), (None, 5, True), (20, 19, False), (20, 20, True)],
)
def test_index_gain_needs_enough_students_last_year(prior_min_n, prior_n, available):
    # Last year's result counts with at least the reporting minimum (5) of students, or
    # the test's own prior_min_n. 60 -> 65 against a required 4.0.
    prior = row(2007, n=100, ma_cpi=60.0)
    prior["n_ma_cpi"] = prior_n
    frame = frame_of(prior, row(2008, n=100, ma_cpi=65.0))
    fw = gain_fw(model="ma_cpi", gap_fraction=0.1, prior_min_n=prior_min_n)
    r = decide(fw, frame).loc[(2008, "S1", "all")]
    if available:
        assert bool(r.met) and r.path == "improvement: ma_cpi rose 5.0 (needed 4.0)"
    else:
        assert not r.met and r.path == "not met: improvement: no ma_cpi result for 2007"
        assert pd.isna(r.safe_harbor_met)


def test_index_gain_to_the_amo_year_and_past_it():
    # target_year: amo takes the AYP AMO's year (pct: 2014). 2008: (100 - 65) / (2014 -
    # 2008 + 1) = 35 / 7 = 5.0; 65 -> 70.2 rose 5.2: met. 2015, past it: the whole gap is
    # due, (100 - 90) / 1 = 10.0; 90 -> 95 falls 5.0 short.
    fw = gain_fw(model="sc_pi", target_year="amo")
    frame = frame_of(
        row(2007, n=100, sc_pi=65.0),
        row(2008, n=100, sc_pi=70.2),
        row(2014, n=100, sc_pi=90.0),
        row(2015, n=100, sc_pi=95.0),
    )
    out = decide(fw, frame)
    assert out.loc[(2008, "S1", "all")].path == "improvement: sc_pi rose 5.2 (needed 5.0)"
    r = out.loc[(2015, "S1", "all")]
    assert r.path == "not met: improvement: sc_pi changed +5.0 (needed 10.0; 5.0 short)"
    assert json.loads(r.targets)["improvement"]["target"] == pytest.approx(100.0)


def test_index_gain_met_but_participation_not():
    # 60 -> 64.5 beats the 4.0 required, but 90 of 100 tested.
    frame = frame_of(
        row(2007, n=100, ma_cpi=60.0),
        row(2008, n=90, enrolled=100, tested=90, ma_cpi=64.5),
    )
    r = decide(gain_fw(model="ma_cpi", gap_fraction=0.1), frame).loc[(2008, "S1", "all")]
    assert not r.met
    assert r.path == (
        "not met: participation 90.0% < 95%; "
        "improvement: ma_cpi changed +4.5 (needed 4.0) but participation was not met"
    )
    fw = gain_fw(model="ma_cpi", gap_fraction=0.1, other_indicator="none")
    r = decide(fw, frame).loc[(2008, "S1", "all")]
    assert r.path == (
        "not met: participation 90.0% < 95%; achievement met "
        "(improvement: ma_cpi rose 4.5 (needed 4.0))"
    )


# --- SQL: the points' SD and the measure frame -------------------------------------------------

LEVELS = [f"n_l{lv}_{h}" for lv in range(1, 5) for h in ("low", "high")]


def _sd(spec: LevelPointsModel, model: str, counts: list[int], tested: int, enrolled: int, v):
    con = duckdb.connect()
    cols = ", ".join(f"{c} INTEGER" for c in LEVELS)
    con.execute(f"CREATE TABLE c ({cols}, n_fay_tested INTEGER, n_fay_enrolled INTEGER)")
    con.execute(
        f"INSERT INTO c VALUES ({', '.join('?' * (len(LEVELS) + 2))})", [*counts, tested, enrolled]
    )
    con.execute(f'CREATE TABLE i ("v_{model}" DOUBLE)')
    con.execute("INSERT INTO i VALUES (?)", [v])
    return con.execute(f"SELECT {sd_sql(model, spec)} FROM c, i").fetchall()[0][0]


def test_sd_of_the_points_tested_denominator():
    # MA CPI: 2 students each at 0, 25, 50, 75 and 100 points. Mean 500 / 10 = 50;
    # E[p^2] = 2 (0 + 625 + 2,500 + 5,625 + 10,000) / 10 = 3,750; SD = sqrt(3,750 - 2,500)
    # = sqrt(1,250) = 35.3553.
    spec = build_framework().index_models["ma_cpi"]
    sd = _sd(spec, "ma_cpi", [2, 2, 2, 2, 2, 0, 0, 0], 10, 10, 50.0)
    assert sd == pytest.approx(math.sqrt(1250))


def test_sd_of_the_points_enrolled_denominator():
    # PA PPI (enrolled, not tested = 0 points): 2 students each at 0.2, 0.4, 0.6 and 1.0,
    # 2 of 10 enrolled not tested. Mean 4.4 / 10 = 0.44; E[p^2] = 2 (0.04 + 0.16 + 0.36 +
    # 1) / 10 = 0.312; SD = sqrt(0.312 - 0.1936) = sqrt(0.1184) = 0.34409.
    spec = build_framework().index_models["pa_ppi"]
    sd = _sd(spec, "pa_ppi", [2, 2, 2, 0, 2, 0, 0, 0], 8, 10, 0.44)
    assert sd == pytest.approx(math.sqrt(0.1184))


def test_sd_of_the_points_scaled_and_degenerate():
    # Points 0 / 1 / 2 shown x 50: 1, 2 and 1 students -> mean 1 point = 50 shown;
    # E[p^2] = (0 + 2 + 4) / 4 = 1.5; SD = 50 x sqrt(1.5 - 1) = 35.3553.
    spec = LevelPointsModel(
        name="x",
        points={1: 0, 2: 1, 3: 2, 4: 2},
        scale=50,
        range=(0, 100),
        source="t",
        verified=True,
    )
    assert _sd(spec, "x", [1, 0, 2, 0, 1, 0, 0, 0], 4, 4, 50.0) == pytest.approx(
        50 * math.sqrt(0.5)
    )
    # Enrolled denominator, the not tested on 3 points: 1 student on 1, 1 on 2, 2 not
    # tested -> mean (1 + 2 + 6) / 4 = 2.25; E[p^2] = (1 + 4 + 9 + 9) / 4 = 5.75;
    # SD = sqrt(5.75 - 5.0625) = sqrt(0.6875).
    spec3 = LevelPointsModel(
        name="y",
        points={1: 0, 2: 1, 3: 2, 4: 2},
        denominator="enrolled",
        not_tested_points=3,
        range=(0, 3),
        source="t",
        verified=True,
    )
    assert _sd(spec3, "y", [0, 0, 1, 0, 1, 0, 0, 0], 2, 4, 2.25) == pytest.approx(math.sqrt(0.6875))
    # Everyone on 2 points: no spread (never the root of a rounding error below 0).
    assert _sd(spec, "x", [0, 0, 0, 0, 3, 0, 0, 0], 3, 3, 100.0) == 0.0


KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]


@pytest.fixture
def measure_db():
    """A build's temp tables, one school: ELA and MATH at grade ALL, ELA also at grade 03."""
    con = duckdb.connect()
    perf = pd.DataFrame(
        [
            [2008, "school", "S1", "ELA", "ALL", "all", 12, 11, 10, 6, 60.0, 91.7, False],
            [2008, "school", "S1", "ELA", "03", "all", 5, 5, 5, 1, 20.0, 100.0, False],
            [2008, "school", "S1", "MATH", "ALL", "all", 12, 12, 12, 3, 25.0, 100.0, True],
        ],
        columns=[
            *KEYS,
            "n_enrolled",
            "n_tested",
            "n_fay_tested",
            "n_proficient",
            "pct_proficient",
            "participation_rate",
            "suppressed",
        ],
    )
    idx = pd.DataFrame(
        [
            [2008, "school", "S1", "ELA", "ALL", "all", "sc_pi", 71.4, 700.0],
            [2008, "school", "S1", "ELA", "ALL", "all", "ma_cpi", 50.0, 10.0],
            [2008, "school", "S1", "ELA", "ALL", "all", "pa_ppi", 0.44, 10.0],
            [2008, "school", "S1", "ELA", "ALL", "all", "ri_index", 99.0, 10.0],
            [2008, "school", "S1", "ELA", "03", "all", "sc_pi", 10.0, 5.0],
        ],
        columns=[*KEYS, "model", "value", "n"],
    )
    counts = pd.DataFrame(
        [[2008, "school", "S1", "ELA", "ALL", "all", 2, 2, 2, 2, 2, 0, 0, 0, 10, 10]],
        columns=[*KEYS, *LEVELS, "n_fay_tested", "n_fay_enrolled"],
    )
    for name, df in (("perf", perf), ("idx", idx), ("counts", counts)):
        con.register(f"{name}_df", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")
    return con


def test_measure_frame_pivots_each_model_at_grade_all(measure_db):
    # A Wald interval on MA CPI needs its SD (the hand example above: sqrt(1,250)).
    tests = [
        {"id": "ci", "kind": "ci", "measure": "ma_cpi", "amo": "sc_pi", "method": "wald"},
        {"id": "ci_pa", "kind": "ci", "measure": "pa_ppi", "amo": "sc_pi", "method": "wald"},
    ]
    fw = build_framework(ayp_tests=tests)
    out = measure_db.sql(measure_frame_sql(fw, subjects=["ELA"])).df()
    assert len(out) == 1
    r = out.iloc[0]
    assert (r.year, r.entity_type, r.entity_id, r.subject, r.group) == (
        2008,
        "school",
        "S1",
        "ELA",
        "all",
    )
    assert (r.n_enrolled, r.n_tested, r.n, r.n_proficient) == (12, 11, 10, 6)
    assert (r.pct_proficient, r.participation_rate, bool(r.hidden)) == (60.0, 91.7, False)
    assert (r.v_sc_pi, r.n_sc_pi, r.v_ma_cpi, r.n_ma_cpi) == (71.4, 700, 50.0, 10)
    assert (r.v_pa_ppi, r.n_pa_ppi) == (0.44, 10)
    assert "v_ri_index" not in out.columns and "grade" not in out.columns
    assert out["n_sc_pi"].dtype == np.int64
    assert r.sd_ma_cpi == pytest.approx(math.sqrt(1250))
    assert [c for c in out.columns if c.startswith("sd_")] == ["sd_ma_cpi", "sd_pa_ppi"]


def test_measure_frame_every_subject_without_sd(measure_db):
    fw = build_framework()  # no Wald interval: no SD, no counts joined
    out = measure_db.sql(measure_frame_sql(fw)).df().sort_values("subject")
    assert out["subject"].tolist() == ["ELA", "MATH"]
    assert not [c for c in out.columns if c.startswith("sd_")]
    math_row = out.iloc[1]
    assert bool(math_row.hidden) and math_row.n == 12 and math.isnan(math_row.v_sc_pi)
