"""Goals and annual targets, worked by hand (kit/accountability/goals.py)."""

import json

import duckdb
import pandas as pd
import pytest

from kit.accountability.goals import goals_sql, horizon, resolve_baseline_year, target_at


def long_rows(values):
    """The long measure table: {(year, group): (n, value)} for school S1, ELA, percent."""
    return pd.DataFrame(
        [
            {
                "measure": "pct_proficient",
                "year": y,
                "entity_type": "school",
                "entity_id": "S1",
                "subject": "ELA",
                "group": g,
                "n": n,
                "value": v,
            }
            for (y, g), (n, v) in values.items()
        ]
    )


def run_goals(fw, values, baseline_year):
    con = duckdb.connect()
    con.register("src", long_rows(values))
    out = con.execute(goals_sql(fw, baseline_year, source="src")).df()
    con.close()
    return out.set_index(["group", "method"])


METHODS = {
    "third": {
        "kind": "gap_fraction",
        "label": "one-third in six years",
        "fraction": 0.3333333333333333,
        "years": 6,
    },
    "halve": {
        "kind": "gap_fraction",
        "label": "halve by 2017",
        "fraction": 0.5,
        "target_year": 2017,
    },
    "line": {"kind": "linear", "label": "to 100 in 12", "years": 12},
    "tn": {
        "kind": "annual_gap_fraction",
        "label": "Tennessee",
        "fraction": 0.0625,
        "years": 6,
        "min_n": 30,
    },
}


@pytest.fixture
def fw(make_framework):
    return make_framework(goals={"baseline_year": "first", "primary": "third", "methods": METHODS})


def test_one_third_in_six_years(fw):
    # DOMAIN.md: B = 70 -> goal 70 + 30/3 = 80 after six years, +30/18 = 1.667 a year.
    out = run_goals(fw, {(2023, "all"): (100, 70.0), (2024, "all"): (100, 72.0)}, 2023)
    r = out.loc[("all", "third")]
    assert r.goal == pytest.approx(80.0) and r.target_year == 2029
    targets = json.loads(r.annual_targets)
    assert [y for y, _ in targets] == list(range(2023, 2030))
    assert [round(t, 3) for _, t in targets] == [70.0, 71.667, 73.333, 75.0, 76.667, 78.333, 80.0]
    # 2024: actual 72.0 >= target 71.667 -> on track.
    assert json.loads(r.progress) == [[2024, 72.0, pytest.approx(71.6667, abs=1e-4), True]]
    assert bool(r.on_track) and r.latest_year == 2024


def test_halve_the_gap_by_2017_linear_and_tennessee(fw):
    out = run_goals(fw, {(2011, "all"): (100, 60.0), (2012, "all"): (100, 63.0)}, 2011)
    # Halve the gap by 2017: 60 + 40/2 = 80 in six years; 2012 target 60 + 20/6 = 63.333;
    # actual 63.0 -> behind.
    r = out.loc[("all", "halve")]
    assert r.goal == pytest.approx(80.0) and r.target_year == 2017
    assert r.latest_target == pytest.approx(63.3333, abs=1e-4) and not r.on_track
    # Linear to 100 in twelve years: +40/12 = 3.333 a year; 2012 target 63.333.
    assert out.loc[("all", "line")].goal == 100.0
    assert out.loc[("all", "line")].latest_target == pytest.approx(63.3333, abs=1e-4)
    # Tennessee: 60 + 40/16 = 62.5 after one year; 62.5 + 37.5/16 = 64.844 after two.
    tn = json.loads(out.loc[("all", "tn")].annual_targets)
    assert [round(t, 3) for _, t in tn[:3]] == [60.0, 62.5, 64.844]
    assert target_at("annual_gap_fraction", 68.0, 100.0, 1, 6, 1 / 16) == pytest.approx(70.0)
    assert target_at("annual_gap_fraction", 68.0, 100.0, 2, 6, 1 / 16) == pytest.approx(71.875)


def test_minimum_n_and_no_baseline(fw):
    # swd has 20 students at baseline: the Tennessee method needs 30 -> no row; others have one.
    out = run_goals(fw, {(2023, "all"): (100, 70.0), (2023, "swd"): (20, 40.0)}, 2023)
    assert ("swd", "third") in out.index and ("swd", "tn") not in out.index
    assert out.loc[("swd", "third")].progress == "[]"
    assert pd.isna(out.loc[("swd", "third")].on_track)


def test_a_target_year_before_the_baseline_plans_nothing(fw):
    # 'halve by 2017' from a 2023 baseline has no years left: that method is skipped.
    out = run_goals(fw, {(2023, "all"): (100, 70.0)}, 2023)
    assert ("all", "halve") not in out.index
    assert horizon(fw.goals.methods["halve"], 2023) == -6


def test_baseline_year_choice(make_framework):
    fw = make_framework(goals={"baseline_year": "latest", "primary": "third", "methods": METHODS})
    assert resolve_baseline_year(fw, [2022, 2023, 2024]) == 2024
    fw = make_framework(goals={"baseline_year": 2023, "primary": "third", "methods": METHODS})
    assert resolve_baseline_year(fw, [2022, 2023, 2024]) == 2023
