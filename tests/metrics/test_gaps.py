"""Group gaps, cross-tabulations and group rankings, worked by hand (kit/metrics/gaps.py)."""

import duckdb
import pandas as pd
import pytest

from kit.metrics.gaps import crosstab_sql, group_gaps_sql, group_ranking


def perf_rows():
    # (entity_type, entity_id, group, n, proficient, cpi)
    data = [
        ("school", "S1", "all", 100, 60, 80.0),
        ("school", "S1", "swd", 20, 6, 55.0),
        ("school", "S1", "non_swd", 80, 54, 86.25),  # (100 x 80 - 20 x 55) / 80
        ("school", "S1", "race_BL", 30, 12, 70.0),
        ("district", "D1", "all", 400, 220, 75.0),
        ("district", "D1", "swd", 60, 15, 50.0),
        ("state", "STATE", "swd", 1000, 280, 52.0),
        ("state", "STATE", "all", 5000, 2900, 78.0),
    ]
    perf = pd.DataFrame(
        [
            {
                "year": 2024,
                "entity_type": et,
                "entity_id": eid,
                "subject": "ELA",
                "grade": "ALL",
                "group": g,
                "n_fay_tested": n,
                "n_proficient": p,
                "pct_proficient": 100.0 * p / n,
            }
            for et, eid, g, n, p, _ in data
        ]
    )
    idx = perf[["year", "entity_type", "entity_id", "subject", "grade", "group"]].assign(
        model="ma_cpi", n=[d[3] for d in data], value=[d[5] for d in data]
    )
    counts = pd.DataFrame(
        [{"year": 2024, "entity_type": "school", "entity_id": "S1", "district_id": "D1"}]
    )
    return perf, idx, counts


def run(sql, **frames):
    con = duckdb.connect()
    for name, frame in frames.items():
        con.register(name, frame)
    out = con.execute(sql).df()
    con.close()
    return out


def test_group_gaps_hand_worked():
    perf, idx, counts = perf_rows()
    out = run(
        group_gaps_sql(measure="ma_cpi", reporting_min_n=10), perf=perf, idx=idx, counts=counts
    ).set_index(["entity_id", "group"])
    swd = out.loc[("S1", "swd")]
    assert swd.pct_proficient == pytest.approx(30.0) and swd.index_value == 55.0
    assert swd.gap_all_pct == pytest.approx(-30.0)  # 30 - 60
    assert swd.gap_all_index == pytest.approx(-25.0)  # 55 - 80
    assert swd.complement_group == "non_swd" and swd.complement_n == 80
    assert swd.gap_complement_pct == pytest.approx(-37.5)  # 30 - 67.5
    assert swd.district_id == "D1" and swd.gap_district_pct == pytest.approx(5.0)  # 30 - 25
    assert swd.gap_state_pct == pytest.approx(2.0)  # 30 - 28
    assert swd.gap_state_index == pytest.approx(3.0)  # 55 - 52
    # Black students have no complement row: all students outside the group, by subtraction.
    # n = 100 - 30 = 70; pct = (60 - 12) / 70 = 68.571; CPI = (8000 - 2100) / 70 = 84.286.
    bl = out.loc[("S1", "race_BL")]
    assert bl.complement_group == "not_race_BL" and bl.complement_n == 70
    assert bl.complement_pct_proficient == pytest.approx(48 / 70 * 100)
    assert bl.complement_index_value == pytest.approx(5900 / 70)
    # The derived complement of swd would equal the stored non_swd row.
    assert out.loc[("S1", "non_swd")].complement_index_value == pytest.approx(55.0)
    assert pd.isna(out.loc[("S1", "all")].complement_group)
    assert pd.isna(out.loc[("D1", "swd")].district_id)  # a district has no district column


def test_crosstab_counts_and_margins():
    flags = [
        (True, True, False),
        (True, False, False),
        (True, False, True),
        (False, False, False),
        (False, False, False),
        (True, True, True),
    ]
    students = pd.DataFrame(
        [
            {
                "year": 2024,
                "district_id": "D1",
                "school_id": "S1",
                "low_income": li,
                "ell": el,
                "swd": sw,
                "race_ethnicity": "WH",
                "gender": "F",
                "former_ell": False,
                "migrant": False,
                "title1": False,
            }
            for li, el, sw in flags
        ]
    )
    sql = crosstab_sql([["low_income", "ell", "swd"], ["low_income", "swd"]], reporting_min_n=2)
    out = run(sql, students=students)
    three = out[(out.entity_type == "school") & (out.crosstab == "low_income x ell x swd")]
    cell = three.set_index(["low_income", "ell", "swd"])["n"]
    assert cell[("Y", "Y", "N")] == 1 and cell[("N", "N", "N")] == 2
    assert cell[("Y", "ALL", "ALL")] == 4 and cell[("ALL", "ALL", "Y")] == 2
    assert cell[("ALL", "ALL", "ALL")] == 6 and len(three) == 27
    assert cell[("N", "Y", "N")] == 0  # empty cells are listed with n = 0
    assert three.set_index("group").loc["low_income=Y, ell=Y, swd=N", "suppressed"]
    two = out[(out.entity_type == "state") & (out.crosstab == "low_income x swd")]
    assert two["ell"].isna().all()  # not a dimension of this crosstab
    assert two.set_index(["low_income", "swd"])["n"][("Y", "ALL")] == 4


def test_group_ranking_lowest_and_targeted():
    # All students 60. swd 45 (-15) and race_HI 49 (-11) trail by >= 10 with n >= 20: lowest.
    # low_income 52 (-8) trails by >= 5: targeted. ell 57 (-3) missed AYP: a candidate, but
    # only the three lowest are targeted. race_AS (n 8) is below the reporting minimum 10:
    # never ranked, so it cannot shift a shown rank.
    rows = [
        ("all", 200, 60.0),
        ("swd", 25, 45.0),
        ("race_HI", 22, 49.0),
        ("low_income", 40, 52.0),
        ("ell", 30, 57.0),
        ("race_AS", 8, 30.0),
    ]
    frame = pd.DataFrame(
        [
            {
                "year": 2024,
                "entity_type": "school",
                "entity_id": "S1",
                "subject": "ELA",
                "group": g,
                "n": n,
                "pct_proficient": v,
                "v_ma_cpi": v,
            }
            for g, n, v in rows
        ]
    )
    ayp = pd.DataFrame(
        [
            {
                "year": 2024,
                "entity_type": "school",
                "entity_id": "S1",
                "subject": "ELA",
                "group": "ell",
                "met": False,
            }
        ]
    )
    out = group_ranking(
        frame,
        measure_col="v_ma_cpi",
        groups=["swd", "race_HI", "low_income", "ell", "race_AS"],
        lowest_min_gap=10,
        lowest_min_n=20,
        targeted_min_gap=5,
        targeted_max=3,
        reporting_min_n=10,
        ayp_met=ayp,
        measure="ma_cpi",
    ).set_index("group")
    assert out.loc[["swd", "race_HI", "low_income", "ell"], "rank"].tolist() == [1, 2, 3, 4]
    assert pd.isna(out.loc["race_AS", "rank"]) and out.loc["race_AS", "suppressed"]
    assert out["lowest"][out["lowest"]].index.tolist() == ["swd", "race_HI"]
    assert sorted(out.index[out["targeted"]]) == ["low_income", "race_HI", "swd"]
    assert out.loc["swd", "reason"] == "15.0 points below all students"
    assert out.loc["ell", "reason"] == "did not make AYP" and not out.loc["ell", "targeted"]
    assert not out.loc["race_AS", "lowest"]  # -30, but n 8 is too small to name
