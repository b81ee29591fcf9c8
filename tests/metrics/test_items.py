"""Item analysis: hand-worked matrices, a numpy cross-check and the demo's planted flaws."""

from __future__ import annotations

import itertools
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit._sql import View
from kit.frameworks.loader import ItemAnalysisRules, load_framework
from kit.metrics.items import item_facts

STUDENT = dict(
    year=2024,
    district_id="D1",
    school_id="S1",
    grade=4,
    race_ethnicity="WH",
    gender="F",
    low_income=False,
    ell=False,
    former_ell=False,
    swd=False,
    migrant=False,
    homeless=False,
    title1=False,
    fay=True,
)


def _fw(**rules):
    """The MA framework with every row judged (min_n 1) unless told otherwise."""
    fw = load_framework("ma")
    item_rules = ItemAnalysisRules(**{"min_n": 1, **rules})
    return fw.model_copy(update={"item_analysis": item_rules, "reporting_min_n": 1})


def make_item_con(students: list[dict], items: list[dict], responses: list[dict]):
    """A connection with students, assessments, items and item_responses from short rows.

    ``students``: student_id plus overrides of STUDENT; ``items``: item_id, item_type,
    max_points, key and optional standard / reporting_category / state_pct_correct;
    ``responses``: student_id, item_id, response, points (subject MATH, grade 4).
    """
    st_rows = pd.DataFrame([{**STUDENT, **s} for s in students])
    assessments = st_rows[["year", "student_id", "school_id", "grade"]].assign(
        subject="MATH",
        participation="TESTED",
        test_type="GENERAL",
        scale_score=240.0,
        achievement_level=3,
    )
    item_rows = pd.DataFrame(
        [
            {
                "year": 2024,
                "subject": "MATH",
                "grade": 4,
                "standard": None,
                "reporting_category": None,
                "description": None,
                "state_pct_correct": None,
                "key": None,
                **i,
            }
            for i in items
        ]
    ).astype(
        {
            "state_pct_correct": "float64",
            "key": "object",
            "standard": "object",
            "reporting_category": "object",
            "description": "object",
        }
    )
    resp = pd.DataFrame(
        [{"year": 2024, "subject": "MATH", "grade": 4, **r} for r in responses],
        columns=["year", "subject", "grade", "student_id", "item_id", "response", "points"],
    ).astype({"response": "object", "points": "int32"})
    con = duckdb.connect()
    for name, frame in (
        ("students", st_rows),
        ("assessments", assessments),
        ("items", item_rows),
        ("item_responses", resp),
    ):
        con.register("_f", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _f")
        con.unregister("_f")
    return con


def run_items(con, fw=None) -> dict[str, pd.DataFrame]:
    """Every item facts table, as the store holds it: tables first, then the views over
    them (``item_options`` over ``item_option_sums``)."""
    queries = item_facts(con, fw or _fw())
    out = {}
    for name, sql in sorted(queries.items(), key=lambda kv: isinstance(kv[1], View)):
        if not isinstance(sql, View):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
            sql = f"SELECT * FROM {name}"
        out[name] = con.execute(sql).df()
    return out


def _row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), bool)
    for col, val in where.items():
        mask &= (frame[col] == val).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, where
    return rows.iloc[0]


# --- hand-worked example: 5 students x 4 items ---------------------------------------------
#
#             I1 (MC, key A)  I2 (MC, key B)  I3 (MC, key C)  I4 (OR, 0-2)   total T
#   s1        A  1            B  1            C  1            2              5
#   s2        A  1            B  1            D  0            1              3
#   s3        A  1            A  0            D  0            1              2
#   s4        B  0            B  1            D  0            0              1
#   s5        .  0 (blank)    C  0            A  0            0              0
#
# Corrected point-biserial r = (n Sxy - Sx Sy) / sqrt((n Sxx - Sx^2)(n Syy - Sy^2)), y = T - x:
#   I1: y = 4,2,1,1,0; Sx 3, Sxx 3, Sy 8, Syy 22, Sxy 7 -> 11 / sqrt(6 x 46)  = 0.662122
#   I2: y = 4,2,2,0,0; Sx 3, Sy 8, Syy 24, Sxy 6        ->  6 / sqrt(6 x 56)  = 0.327327
#   I3: y = 4,3,2,1,0; Sx 1, Sy 10, Syy 30, Sxy 4       -> 10 / sqrt(4 x 50)  = 0.707107
#   I4: x = 2,1,1,0,0, y = 3,2,1,1,0; Sx 4, Sxx 6, Sy 7, Syy 15, Sxy 9
#                                                       -> 17 / sqrt(14 x 26) = 0.891042
# Item variances (divisor n - 1): 0.3, 0.3, 0.2, 0.7 (sum 1.5); total: mean 2.2,
# variance (5 x 39 - 11^2) / 20 = 3.7.
#   alpha = 4/3 x (1 - 1.5 / 3.7) = 0.792793;  SD = sqrt(3.7) = 1.923538;
#   SEM = 1.923538 x sqrt(1 - 0.792793) = 0.875595
#   alpha without I1: 3/2 x (1 - 1.2 / var(T - x1) = 2.3) = 0.717391
#   alpha without I4: 3/2 x (1 - 0.8 / var(T - x4) = 1.3) = 0.576923
# I1 options: A 60 %, B 20 %, C 0, D 0, BLANK 20 %; "chose B" (s4 only) with y:
#   (5 x 1 - 1 x 8) / sqrt((5 - 1) x 46) = -3 / sqrt(184) = -0.221163; BLANK: -8 / sqrt(184)
#   = -0.589768. I3: D chosen by 60 %, the key C by 20 %: distractor beats key.

HAND_ITEMS = [
    {
        "item_id": "I1",
        "item_type": "MC",
        "max_points": 1,
        "key": "A",
        "standard": "4.NF.1",
        "reporting_category": "Fractions",
    },
    {
        "item_id": "I2",
        "item_type": "MC",
        "max_points": 1,
        "key": "B",
        "standard": "4.NF.1",
        "reporting_category": "Fractions",
    },
    {
        "item_id": "I3",
        "item_type": "MC",
        "max_points": 1,
        "key": "C",
        "standard": "4.OA.2",
        "reporting_category": "Operations",
    },
    {
        "item_id": "I4",
        "item_type": "OR",
        "max_points": 2,
        "standard": "4.OA.2",
        "reporting_category": "Operations",
    },
]
HAND_MC = {"s1": "ABC", "s2": "ABD", "s3": "AAD", "s4": "BBD", "s5": " CA"}
HAND_OR = {"s1": 2, "s2": 1, "s3": 1, "s4": 0, "s5": 0}


def _hand_responses(drop: tuple[str, str] | None = None) -> list[dict]:
    rows = []
    for sid, answers in HAND_MC.items():
        for item, answer in zip(HAND_ITEMS, answers, strict=False):
            choice = answer.strip() or None
            rows.append(
                {
                    "student_id": sid,
                    "item_id": item["item_id"],
                    "response": choice,
                    "points": int(choice == item["key"]),
                }
            )
        rows.append({"student_id": sid, "item_id": "I4", "response": None, "points": HAND_OR[sid]})
    return [r for r in rows if (r["student_id"], r["item_id"]) != drop]


@pytest.fixture(scope="module")
def hand():
    con = make_item_con([{"student_id": s} for s in HAND_MC], HAND_ITEMS, _hand_responses())
    return run_items(con)


def test_hand_pct_correct_and_point_biserial(hand):
    stats = hand["item_stats"]
    expected = {
        "I1": (60.0, 11 / math.sqrt(276)),
        "I2": (60.0, 6 / math.sqrt(336)),
        "I3": (20.0, 10 / math.sqrt(200)),
        "I4": (40.0, 17 / math.sqrt(364)),
    }
    for entity_type in ("state", "district", "school"):
        for item, (pct, r) in expected.items():
            row = _row(stats, entity_type=entity_type, group="all", item_id=item)
            assert row.n == 5
            assert row.pct_correct == pytest.approx(pct)
            assert row.point_biserial == pytest.approx(r)
    assert _row(stats, entity_type="state", group="all", item_id="I1").point_biserial == (
        pytest.approx(0.662122, abs=1e-6)
    )


def test_hand_reliability_and_alpha_if_deleted(hand):
    rel = _row(hand["reliability"], entity_type="school", group="all")
    assert (rel.n, rel.n_incomplete, rel.n_items, rel.max_points) == (5, 0, 4, 5)
    assert rel.mean_total == pytest.approx(2.2)
    assert rel.sd_total == pytest.approx(math.sqrt(3.7))
    assert rel.alpha == pytest.approx(4 / 3 * (1 - 1.5 / 3.7))
    assert rel.alpha == pytest.approx(0.792793, abs=1e-6)
    assert rel["sem"] == pytest.approx(0.875595, abs=1e-6)  # (.sem is a Series method)
    stats = hand["item_stats"]
    assert _row(stats, entity_type="school", group="all", item_id="I1").alpha_if_deleted == (
        pytest.approx(1.5 * (1 - 1.2 / 2.3))
    )
    assert _row(stats, entity_type="school", group="all", item_id="I4").alpha_if_deleted == (
        pytest.approx(0.576923, abs=1e-6)
    )


def test_hand_options(hand):
    opts = hand["item_options"]
    i1 = opts[(opts.entity_type == "state") & (opts.group == "all") & (opts.item_id == "I1")]
    pct = i1.set_index("option")["pct"].to_dict()
    assert pct == pytest.approx({"A": 60.0, "B": 20.0, "C": 0.0, "D": 0.0, "BLANK": 20.0})
    assert i1.set_index("option")["is_key"].to_dict() == {
        "A": True,
        "B": False,
        "C": False,
        "D": False,
        "BLANK": False,
    }
    pb = i1.set_index("option")["point_biserial"]
    assert pb["B"] == pytest.approx(-3 / math.sqrt(184))
    assert pb["BLANK"] == pytest.approx(-8 / math.sqrt(184))
    assert pb["A"] == pytest.approx(11 / math.sqrt(276))  # choosing the key = scoring 1
    assert math.isnan(pb["C"])  # nobody chose C: no variance, no correlation
    assert set(opts.item_id) == {"I1", "I2", "I3"}  # MC items only


def test_hand_flags_and_standards(hand):
    stats = hand["item_stats"].set_index(["entity_type", "group", "item_id"])
    assert stats.loc[("state", "all", "I3"), "flag"] == "distractor beats key"
    assert stats.loc[("state", "all", "I1"), "flag"] == ""
    # 20 % is not below hard_below = 20: the bound is strict
    assert "hard" not in stats.loc[("state", "all", "I3"), "flag"]
    std = hand["standard_stats"]
    school = std[(std.entity_type == "school") & (std.group == "all")]
    by = school.set_index(["rollup", "category"])
    # MC: I1-I3 earn 3 + 3 + 1 of 15; SR/OR: I4 earns 4 of 10
    assert by.loc[("item_type", "MC"), "points_earned"] == 7
    assert by.loc[("item_type", "MC"), "points_possible"] == 15
    assert by.loc[("item_type", "SR/OR"), "pct_earned"] == pytest.approx(40.0)
    # 4.OA.2: (1 + 4) / (5 + 10) = 33.3 %; 4.NF.1: 6 / 10 = 60 %; no gap (one school),
    # so the weakest by percent earned ranks first
    assert by.loc[("standard", "4.OA.2"), "pct_earned"] == pytest.approx(100 / 3)
    assert by.loc[("standard", "4.OA.2"), "rank"] == 1
    assert by.loc[("standard", "4.NF.1"), "rank"] == 2
    assert by.loc[("reporting_category", "Fractions"), "n_items"] == 2


def test_missing_row_is_not_counted_and_alpha_uses_complete_students():
    # s5 has no row for I4: I4 counts 4 students; s5's total is 0 over the items answered;
    # alpha is computed over s1-s4, who answered every item.
    con = make_item_con(
        [{"student_id": s} for s in HAND_MC], HAND_ITEMS, _hand_responses(drop=("s5", "I4"))
    )
    out = run_items(con)
    i4 = _row(out["item_stats"], entity_type="state", group="all", item_id="I4")
    assert i4.n == 4
    assert i4.pct_correct == pytest.approx(100 * 4 / 8)
    rel = _row(out["reliability"], entity_type="state", group="all")
    assert (rel.n, rel.n_incomplete) == (4, 1)
    complete = make_item_con(
        [{"student_id": s} for s in list(HAND_MC)[:4]],
        HAND_ITEMS,
        [r for r in _hand_responses() if r["student_id"] != "s5"],
    )
    ref = _row(run_items(complete)["reliability"], entity_type="state", group="all")
    assert rel.alpha == pytest.approx(ref.alpha)
    assert rel.sd_total == pytest.approx(ref.sd_total)
    # I1 still counts s5 (blank, 0 points) with total 0
    assert _row(out["item_stats"], entity_type="state", group="all", item_id="I1").n == 5


# --- flags: two schools of one district --------------------------------------------------
#
# Five MC items keyed A; "." = blank. Totals: a1 4, a2 3, a3 2, a4 2, b1 3, b2 2, b3 2, b4 2.
#            K1 K2 K3 K4 K5     state pct / r          S1 (a*)         S2 (b*)
#   a1       A  A  B  A  A      K1 100 / -             100 / -         100 / -
#   a2       A  B  D  A  A      K2 12.5 / 0.488        25 / 0.577      0 / -
#   a3       A  C  C  A  B      K3 37.5 / -0.827       25 / -0.775     50 / -0.905
#   a4       A  D  A  B  C      K4 50 / 0              75 / 0          25 / -
#   b1       A  B  C  A  A      K5 50 / 0              50 / 0.577      50 / -0.577
#   b2       A  C  D  C  A
#   b3       A  D  A  D  B      K2 (state): B, C, D each 2 > key A 1; in S2 each 1 > A 0.
#   b4       A  .  A  .  D      Trails: S1 on K3 and S2 on K2 by 12.5 -> 13 (halves away
#                               from zero); S2 on K4 by 25.

FLAG_ANSWERS = {
    "a1": "AABAA",
    "a2": "ABDAA",
    "a3": "ACCAB",
    "a4": "ADABC",
    "b1": "ABCAA",
    "b2": "ACDCA",
    "b3": "ADADB",
    "b4": "A.A.D",
}


def _flag_con(**item_overrides):
    students = [{"student_id": s, "school_id": "S1" if s < "b" else "S2"} for s in FLAG_ANSWERS]
    items = [
        {
            "item_id": f"K{i}",
            "item_type": "MC",
            "max_points": 1,
            "key": "A",
            "standard": {1: "S.A", 2: "S.A", 3: "S.B"}.get(i, "S.C"),
            **item_overrides.get(f"K{i}", {}),
        }
        for i in range(1, 6)
    ]
    responses = [
        {
            "student_id": s,
            "item_id": f"K{i + 1}",
            "response": None if a == "." else a,
            "points": int(a == "A"),
        }
        for s, answers in FLAG_ANSWERS.items()
        for i, a in enumerate(answers)
    ]
    return make_item_con(students, items, responses)


def test_flags_in_fixed_order_with_reasons():
    stats = run_items(_flag_con())["item_stats"]
    flags = stats[stats.group == "all"].set_index(["entity_id", "item_id"])["flag"]
    assert flags["STATE"].to_dict() == {
        "K1": "easy",
        "K2": "hard; distractor beats key",
        "K3": "negative discrimination",
        "K4": "low discrimination",
        "K5": "low discrimination",
    }
    assert flags["D1"].to_dict() == flags["STATE"].to_dict()  # the district is the state
    assert flags["S1"].to_dict() == {
        "K1": "easy",
        "K2": "",
        "K3": "negative discrimination; school trails state by 13 points",
        "K4": "low discrimination",
        "K5": "",
    }
    assert flags["S2"].to_dict() == {
        "K1": "easy",
        "K2": "hard; distractor beats key; school trails state by 13 points",
        "K3": "negative discrimination",
        "K4": "school trails state by 25 points",
        "K5": "negative discrimination",
    }


def test_flags_need_min_n_and_suppression_follows_reporting_min_n():
    fw = _fw(min_n=5).model_copy(update={"reporting_min_n": 6})
    stats = run_items(_flag_con(), fw)["item_stats"]
    schools = stats[(stats.entity_type == "school") & (stats.group == "all")]
    assert schools.flag.isna().all()  # n = 4 < min_n: not judged
    assert schools.suppressed.all() and schools.pct_correct.notna().all()  # figures stay
    state = stats[(stats.entity_type == "state") & (stats.group == "all")]
    assert state.flag.notna().all() and not state.suppressed.any()


def test_published_state_reference_is_used_when_given():
    stats = run_items(_flag_con(K4={"state_pct_correct": 80.0}))["item_stats"]
    k4 = stats[(stats.item_id == "K4") & (stats.group == "all")].set_index("entity_id")
    assert (k4.state_pct_correct == 80.0).all() and (k4.state_source == "items").all()
    assert k4.loc["S1", "diff_vs_state"] == pytest.approx(75 - 80)
    assert k4.loc["STATE", "diff_vs_state"] == pytest.approx(50 - 80)
    assert "school trails state by 55 points" in k4.loc["S2", "flag"]
    assert "district trails state by 30 points" in k4.loc["D1", "flag"]
    assert "trails" not in k4.loc["STATE", "flag"]  # the state never trails itself
    assert (stats[stats.item_id == "K1"].state_source == "responses").all()


def test_district_reference_and_standard_ranks():
    out = run_items(_flag_con())
    k3 = out["item_stats"][
        (out["item_stats"].item_id == "K3") & (out["item_stats"].group == "all")
    ].set_index("entity_id")
    assert k3.loc["S2", "district_pct_correct"] == pytest.approx(37.5)
    assert k3.loc["S2", "diff_vs_district"] == pytest.approx(12.5)
    assert pd.isna(k3.loc["STATE", "district_pct_correct"])
    std = out["standard_stats"]
    s2 = std[(std.entity_id == "S2") & (std.group == "all") & (std.rollup == "standard")]
    s2 = s2.set_index("category")
    # S.A: S2 4 of 8 = 50 % vs state (100 + 12.5) / 2 = 56.25; S.B: 50 vs 37.5;
    # S.C: (1 + 2) of 8 = 37.5 vs 50 -> the weakest standard is S.C
    assert s2["gap_vs_state"].to_dict() == pytest.approx({"S.A": -6.25, "S.B": 12.5, "S.C": -12.5})
    assert s2["rank"].to_dict() == {"S.C": 1, "S.A": 2, "S.B": 3}


def test_no_item_tables_gives_no_item_facts():
    con = duckdb.connect()
    con.execute("CREATE TABLE students (year INTEGER)")
    assert item_facts(con, _fw()) == {}


# --- cross-check against numpy on the pivoted matrix -------------------------------------


def _alpha(m: np.ndarray) -> float:
    k = m.shape[1]
    if k < 2 or m.shape[0] < 2:
        return np.nan
    var_total = m.sum(axis=1).var(ddof=1)
    if var_total == 0:
        return np.nan
    return k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / var_total)


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return np.nan
    return float(np.corrcoef(x, y)[0, 1])


@st.composite
def item_data(draw):
    kinds = draw(st.lists(st.sampled_from(["MC", "SR", "OR"]), min_size=1, max_size=5))
    items = []
    for i, kind in enumerate(kinds):
        max_points = 1 if kind == "MC" else draw(st.integers(1, 4))
        key = draw(st.sampled_from("ABCD")) if kind == "MC" else None
        items.append(
            {
                "item_id": f"Q{i}",
                "item_type": kind,
                "max_points": max_points,
                "key": key,
                "standard": draw(st.sampled_from(["s1", "s2", None])),
                "reporting_category": draw(st.sampled_from(["c1", "c2"])),
            }
        )
    n_students = draw(st.integers(1, 14))
    students, responses = [], []
    for s in range(n_students):
        school = draw(st.integers(0, 2))
        students.append(
            {
                "student_id": f"p{s}",
                "school_id": f"S{school}",
                "district_id": "D1" if school < 2 else "D2",
                "swd": draw(st.booleans()),
            }
        )
        for item in items:
            if draw(st.integers(0, 9)) == 0:  # no response row
                continue
            if item["item_type"] == "MC":
                choice = draw(st.sampled_from(["A", "B", "C", "D", None]))
                points = int(choice == item["key"])
            else:
                choice, points = None, draw(st.integers(0, item["max_points"]))
            responses.append(
                {
                    "student_id": f"p{s}",
                    "item_id": item["item_id"],
                    "response": choice,
                    "points": points,
                }
            )
    return students, items, responses


def _matrix(students, items, responses) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame(responses, columns=["student_id", "item_id", "response", "points"])
    wide = frame.pivot(index="student_id", columns="item_id", values="points")
    wide = wide.reindex(columns=[i["item_id"] for i in items]).astype(float)
    return wide, pd.DataFrame(students).set_index("student_id").loc[wide.index]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_data())
def test_matches_numpy_on_the_pivoted_matrix(data):
    students, items, responses = data
    if not responses:
        return
    out = run_items(make_item_con(students, items, responses))
    wide, who = _matrix(students, items, responses)
    max_points = np.array([i["max_points"] for i in items], float)
    # every entity the build reports: the state, each district and each school (the school
    # and district rows are rolled up from sufficient statistics, so check them directly)
    entities = [("state", None, np.ones(len(wide), bool))]
    entities += [
        ("district", d, (who.district_id == d).to_numpy()) for d in who.district_id.unique()
    ]
    entities += [("school", k, (who.school_id == k).to_numpy()) for k in who.school_id.unique()]
    for (etype, eid, where), (group, in_group) in itertools.product(
        entities, (("all", np.ones(len(wide), bool)), ("swd", who.swd.to_numpy()))
    ):
        m = wide.to_numpy()[where & in_group]
        if not len(m):
            continue
        total = np.nansum(m, axis=1)  # the total uses the items answered
        stats = out["item_stats"]
        stats = stats[(stats.entity_type == etype) & (stats.group == group)]
        if eid is not None:
            stats = stats[stats.entity_id == eid]
        stats = stats.set_index("item_id")
        for j, item in enumerate(items):
            answered = ~np.isnan(m[:, j])
            if not answered.any():
                assert item["item_id"] not in stats.index
                continue
            x = m[answered, j]
            row = stats.loc[item["item_id"]]
            assert row.n == answered.sum()
            assert row.pct_correct == pytest.approx(100 * x.mean() / max_points[j])
            expected_r = _corr(x, total[answered] - x)
            got_r = np.nan if pd.isna(row.point_biserial) else row.point_biserial
            np.testing.assert_allclose(got_r, expected_r, rtol=1e-9, atol=1e-9, equal_nan=True)
        complete = m[~np.isnan(m).any(axis=1)]
        rel = out["reliability"]
        rel = rel[(rel.entity_type == etype) & (rel.group == group)]
        rel = (rel if eid is None else rel[rel.entity_id == eid]).iloc[0]
        assert rel.n == len(complete) and rel.n_incomplete == len(m) - len(complete)
        got = np.nan if pd.isna(rel.alpha) else rel.alpha
        np.testing.assert_allclose(got, _alpha(complete), rtol=1e-9, atol=1e-9, equal_nan=True)
        for j, item in enumerate(items):
            if item["item_id"] not in stats.index:
                continue
            expected = _alpha(np.delete(complete, j, axis=1)) if len(items) >= 3 else np.nan
            value = stats.loc[item["item_id"], "alpha_if_deleted"]
            got = np.nan if pd.isna(value) else value
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9, equal_nan=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_data())
def test_option_shares_and_roll_ups_add_up(data):
    students, items, responses = data
    if not responses:
        return
    out = run_items(make_item_con(students, items, responses))
    opts = out["item_options"]
    keys = ["entity_type", "entity_id", "group", "item_id"]
    if len(opts):
        assert (opts.groupby(keys).size() == 5).all()
        np.testing.assert_allclose(opts.groupby(keys)["pct"].sum(), 100.0)
        assert (opts.groupby(keys)["is_key"].sum() == 1).all()
    stats = out["item_stats"]
    who = pd.DataFrame(students).set_index("student_id")
    district_of = who.groupby("school_id")["district_id"].first()
    schools = stats[stats.entity_type == "school"].assign(
        district=lambda f: f.entity_id.map(district_of)
    )
    by_district = schools.groupby(["district", "group", "item_id"])[["n", "points_earned"]].sum()
    districts = stats[stats.entity_type == "district"].set_index(["entity_id", "group", "item_id"])[
        ["n", "points_earned"]
    ]
    pd.testing.assert_frame_equal(
        by_district.sort_index(), districts.sort_index(), check_names=False, check_dtype=False
    )
    state = stats[stats.entity_type == "state"].set_index(["group", "item_id"])
    summed = districts.groupby(level=[1, 2]).sum()
    pd.testing.assert_frame_equal(
        summed.sort_index(),
        state[["n", "points_earned"]].sort_index(),
        check_names=False,
        check_dtype=False,
    )
    std = out["standard_stats"]
    for rollup in ("standard", "reporting_category", "item_type"):
        part = std[std.rollup == rollup].groupby(keys[:3])["points_earned"].sum()
        whole = stats.groupby(keys[:3])["points_earned"].sum()
        pd.testing.assert_series_equal(
            part.sort_index(), whole.sort_index(), check_names=False, check_dtype=False
        )


# --- the demo's deliberately weak items ----------------------------------------------------


@pytest.fixture(scope="module")
def demo_items(tmp_path_factory):
    """A demo state big enough (24 schools, ~380 students per test) for stable statistics.

    With one school per grade span (3 schools x 40 students) sampling noise and the
    school's strength in a reporting category move ordinary items across the thresholds.
    """
    from kit.build import build_facts
    from kit.demo import generate_demo

    root = tmp_path_factory.mktemp("item_demo")
    generate_demo(root / "data", seed=42, schools=24, students_per_grade=100, years=1)
    result = build_facts(root / "data", root / "facts.duckdb")
    flaws = pd.read_csv(root / "data" / "items.csv")[["item_id", "demo_flaw"]]
    with duckdb.connect(str(root / "facts.duckdb"), read_only=True) as con:
        tables = {
            t: con.execute(
                f"SELECT * FROM \"{t}\" WHERE entity_type = 'state' AND \"group\" = 'all'"
            ).df()
            for t in ("item_stats", "item_options", "reliability", "standard_stats")
        }
    return result, tables, flaws


def test_demo_build_fills_the_four_tables(demo_items):
    result, tables, _ = demo_items
    for name in ("item_stats", "item_options", "reliability", "standard_stats"):
        assert result.table_rows[name] > 0 and len(tables[name]) > 0, name
    assert tables["reliability"].alpha.between(0.7, 1).all()


def test_demo_flawed_items_are_flagged_for_their_reason(demo_items):
    _, tables, flaws = demo_items
    stats = tables["item_stats"].merge(flaws, on="item_id")
    assert stats.demo_flaw.notna().sum() >= 17 * 2  # two or three per test
    for row in stats.itertuples():
        flag = row.flag
        if row.demo_flaw == "negative discrimination":
            assert "negative discrimination" in flag, row
        elif row.demo_flaw == "low discrimination":
            assert "low discrimination" in flag or "negative discrimination" in flag, row
        elif row.demo_flaw == "distractor beats key":
            assert "distractor beats key" in flag, row
        else:
            assert "discrimination" not in flag and "distractor" not in flag, row
