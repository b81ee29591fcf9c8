import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.metrics.suppression import (
    apply_hidden,
    hidden_groups,
    recoverable,
    suppress,
    suppress_crosstab,
    suppress_group_gaps,
    suppress_level_counts,
)


def frame(rows):
    return pd.DataFrame(
        rows, columns=["year", "entity_id", "subject", "grade", "group", "n", "pct_proficient"]
    )


def test_small_group_hidden_and_input_untouched():
    df = frame(
        [
            [2024, "S1", "ELA", "ALL", "all", 120, 55.0],
            [2024, "S1", "ELA", "ALL", "race_AS", 9, 77.7],
        ]
    )
    out = suppress(df, min_n=10, n_col="n", value_cols=["pct_proficient"])
    assert out["suppressed"].tolist() == [False, True]
    assert out["suppression_reason"].tolist() == ["", "small"]
    assert np.isnan(out.loc[1, "pct_proficient"]) and np.isnan(out.loc[1, "n"])
    assert out.loc[0, "pct_proficient"] == 55.0
    assert df.loc[1, "pct_proficient"] == 77.7  # input not mutated


def test_complement_hidden_when_group_is_small():
    # swd n = 8 could be recovered as all (100) - non_swd (92): hide non_swd too.
    df = frame(
        [
            [2024, "S1", "ELA", "ALL", "all", 100, 50.0],
            [2024, "S1", "ELA", "ALL", "swd", 8, 25.0],
            [2024, "S1", "ELA", "ALL", "non_swd", 92, 52.2],
            [2024, "S1", "MATH", "ALL", "swd", 30, 20.0],
            [2024, "S1", "MATH", "ALL", "non_swd", 70, 60.0],
        ]
    )
    out = suppress(df, min_n=10, n_col="n", value_cols=["pct_proficient"])
    assert out["suppression_reason"].tolist() == ["", "small", "complement", "", ""]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 30))
def test_no_hidden_count_is_recoverable_from_all_minus_complement(n_swd, n_non, min_n):
    df = frame(
        [
            [2024, "S1", "ELA", "ALL", "all", n_swd + n_non, 50.0],
            [2024, "S1", "ELA", "ALL", "swd", n_swd, 40.0],
            [2024, "S1", "ELA", "ALL", "non_swd", n_non, 60.0],
        ]
    )
    out = suppress(df, min_n=min_n, n_col="n", value_cols=["pct_proficient"]).set_index("group")
    for hidden, partner in (("swd", "non_swd"), ("non_swd", "swd")):
        if out.loc[hidden, "suppressed"]:
            # the only subtraction that recovers it needs the partner: it must be hidden too
            assert out.loc[partner, "suppressed"]
            assert np.isnan(out.loc[partner, "n"])


# --- complementary suppression across tables (crosstabs, level counts, gaps) -----------------


def test_recoverable_finds_a_subtraction():
    # all = swd + non_swd: with all (30) and non_swd (25) published, swd (5) is recovered;
    # with non_swd hidden as well it is not.
    rel = [{0: 1.0, 1: -1.0, 2: -1.0}]
    assert recoverable([30, 5, 25], rel, [False, True, False]).tolist() == [False, True, False]
    assert not recoverable([30, 5, 25], rel, [False, True, True]).any()


def _cube(counts, dims=("low_income", "ell", "swd")):
    inner = dict(zip(itertools.product("YN", repeat=len(dims)), counts, strict=True))
    rows = []
    for cell in itertools.product(("Y", "N", "ALL"), repeat=len(dims)):
        n = sum(
            v
            for key, v in inner.items()
            if all(c in ("ALL", k) for c, k in zip(cell, key, strict=True))
        )
        rows.append(
            {
                "year": 2024,
                "entity_type": "school",
                "entity_id": "S1",
                "crosstab": " x ".join(dims),
                **dict(zip(dims, cell, strict=True)),
                "n": n,
            }
        )
    return pd.DataFrame(rows)


def _crosstab_relations(df, dims):
    pos = {tuple(r): i for i, r in enumerate(df[list(dims)].itertuples(index=False))}
    rels = []
    for cell, i in pos.items():
        for j in range(len(dims)):
            if cell[j] == "ALL":
                y = pos[cell[:j] + ("Y",) + cell[j + 1 :]]
                n = pos[cell[:j] + ("N",) + cell[j + 1 :]]
                rels.append({i: 1.0, y: -1.0, n: -1.0})
    return rels


def test_crosstab_line_with_one_hidden_cell_gets_a_partner():
    # 2 x 2 with margins: low_income=Y & swd=Y has 3 students (< 10). Its row and column
    # would give it away (Y,ALL - Y,N), so the smallest partner in each line is hidden too.
    df = _cube([3, 40, 25, 60], dims=("low_income", "swd"))
    out = suppress_crosstab(df, min_n=10).set_index(["low_income", "swd"])
    assert out.loc[("Y", "Y"), "suppression_reason"] == "small"
    assert out["suppressed"].sum() == 4  # (Y,Y) plus three partners close every line
    assert not recoverable(
        df["n"], _crosstab_relations(df, ("low_income", "swd")), out["suppressed"].to_numpy()
    ).any()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=8, max_size=8), st.integers(1, 20))
def test_no_crosstab_cell_can_be_derived(counts, min_n):
    dims = ("low_income", "ell", "swd")
    df = _cube(counts, dims)
    out = suppress_crosstab(df, min_n=min_n)
    assert (out["suppressed"] >= (df["n"] < min_n)).all()  # every small cell is hidden
    assert not recoverable(
        df["n"], _crosstab_relations(df, dims), out["suppressed"].to_numpy()
    ).any()


_STUDENT = st.tuples(
    st.booleans(), st.booleans(), st.sampled_from(["AS", "BL", "WH"]), st.integers(1, 4)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_STUDENT, max_size=80), st.integers(1, 15))
def test_no_published_value_lets_a_suppressed_count_be_derived(students, min_n):
    """Group counts, their complements, a partition and level counts: the published cells
    (what the suppression-aware view shows) never pin down a hidden count."""
    members = {
        "all": lambda s: True,
        "swd": lambda s: s[0],
        "non_swd": lambda s: not s[0],
        "low_income": lambda s: s[1],
        "non_low_income": lambda s: not s[1],
        **{f"race_{r}": (lambda s, r=r: s[2] == r) for r in ("AS", "BL", "WH")},
    }
    groups = [g for g, f in members.items() if any(f(s) for s in students)]
    if "all" not in groups:
        return
    key = {
        "year": 2024,
        "entity_type": "school",
        "entity_id": "S1",
        "subject": "ELA",
        "grade": "ALL",
    }
    perf = pd.DataFrame(
        [{**key, "group": g, "n_fay_tested": sum(members[g](s) for s in students)} for g in groups]
    )
    levels = pd.DataFrame(
        [
            {
                **key,
                "group": g,
                "level": lv,
                "n": sum(members[g](s) and s[3] == lv for s in students),
            }
            for g in groups
            for lv in range(1, 5)
        ]
    )
    shown_groups = suppress(perf, min_n=min_n, n_col="n_fay_tested")
    shown_levels = suppress_level_counts(levels, perf, min_n=min_n)
    # Cells: group counts then level counts; hidden = what the view hides.
    cells = list(perf["n_fay_tested"]) + list(levels["n"])
    hidden = list(shown_groups["suppressed"]) + list(shown_levels["suppressed"])
    g_pos = {g: i for i, g in enumerate(groups)}
    l_pos = {
        (g, lv): len(groups) + i
        for i, (g, lv) in enumerate(zip(levels["group"], levels["level"], strict=True))
    }
    rels = []

    def add(total, parts):
        if total in g_pos:
            rel = {g_pos[total]: 1.0}
            for p in parts:
                if p in g_pos:
                    rel[g_pos[p]] = rel.get(g_pos[p], 0.0) - 1.0
            rels.append(rel)
            for lv in range(1, 5):
                rel = {l_pos[(total, lv)]: 1.0}
                for p in parts:
                    if p in g_pos:
                        rel[l_pos[(p, lv)]] = -1.0
                rels.append(rel)

    add("all", ["swd", "non_swd"])
    add("all", ["low_income", "non_low_income"])
    add("all", ["race_AS", "race_BL", "race_WH"])
    for g in groups:  # the levels of a group add up to its n
        rels.append({g_pos[g]: 1.0, **{l_pos[(g, lv)]: -1.0 for lv in range(1, 5)}})
    found = recoverable(cells, rels, hidden)
    assert not found.any(), [(c, h) for c, h, f in zip(cells, hidden, found, strict=True) if f]


def test_level_counts_follow_their_group():
    key = {
        "year": 2024,
        "entity_type": "school",
        "entity_id": "S1",
        "subject": "ELA",
        "grade": "ALL",
    }
    perf = pd.DataFrame(
        [
            {**key, "group": "all", "n_fay_tested": 50},
            {**key, "group": "swd", "n_fay_tested": 6},
            {**key, "group": "non_swd", "n_fay_tested": 44},
        ]
    )
    levels = pd.DataFrame(
        [
            {**key, "group": g, "level": lv, "n": n}
            for g, counts in (
                ("all", (5, 15, 20, 10)),
                ("swd", (2, 2, 1, 1)),
                ("non_swd", (3, 13, 19, 9)),
            )
            for lv, n in zip(range(1, 5), counts, strict=True)
        ]
    )
    out = suppress_level_counts(levels, perf, min_n=10).set_index(["group", "level"])
    assert out.loc["swd", "suppressed"].all() and out.loc["non_swd", "suppressed"].all()
    assert out.loc["non_swd", "suppression_reason"].eq("complement").all()
    assert not out.loc["all", "suppressed"].any()
    assert out.loc[("all", 4), "n"] == 10  # a single level count is not hidden on its own


def test_group_gaps_hide_the_complement_and_other_entities_consistently():
    key = {
        "year": 2024,
        "entity_type": "school",
        "entity_id": "S1",
        "subject": "ELA",
        "grade": "ALL",
    }
    rows = pd.DataFrame(
        [
            {
                **key,
                "group": "all",
                "n": 100,
                "pct_proficient": 60.0,
                "complement_group": None,
                "complement_n": None,
                "complement_pct_proficient": None,
                "state_n": 900,
            },
            # race_WH is 96 of 100: its derived complement (4 students) must not show.
            {
                **key,
                "group": "race_WH",
                "n": 96,
                "pct_proficient": 61.0,
                "complement_group": "not_race_WH",
                "complement_n": 4,
                "complement_pct_proficient": 35.0,
                "state_n": 700,
            },
            {
                **key,
                "group": "race_BL",
                "n": 4,
                "pct_proficient": 35.0,
                "complement_group": "not_race_BL",
                "complement_n": 96,
                "complement_pct_proficient": 61.0,
                "state_n": 200,
            },
        ]
    ).assign(state_pct_proficient=50.0, gap_state_pct=1.0)
    out = suppress_group_gaps(rows, min_n=10).set_index("group")
    assert out.loc["race_BL", "suppressed"] and np.isnan(out.loc["race_BL", "pct_proficient"])
    # the lone hidden part of the race partition takes its smallest shown partner with it
    assert out.loc["race_WH", "suppressed"]
    assert np.isnan(out.loc["race_WH", "complement_pct_proficient"])
    assert out.loc["all", "state_n"] == 900


def test_apply_hidden_uses_one_decision_for_derived_tables():
    key = {
        "year": 2024,
        "entity_type": "school",
        "entity_id": "S1",
        "subject": "ELA",
        "grade": "ALL",
    }
    perf = pd.DataFrame(
        [
            {**key, "group": "all", "n_fay_tested": 50},
            {**key, "group": "swd", "n_fay_tested": 45},
            {**key, "group": "non_swd", "n_fay_tested": 5},
        ]
    )
    hidden = hidden_groups(perf, min_n=10, n_col="n_fay_tested")
    ayp = pd.DataFrame(
        [
            {**key, "group": "all", "value": 70.0, "met": True},
            {**key, "group": "swd", "value": 68.0, "met": True},
        ]
    )
    out = apply_hidden(ayp, hidden, value_cols=["value"]).set_index("group")
    # swd (45) is hidden because its complement (5) is small: 50 - 45 would reveal it.
    assert (
        np.isnan(out.loc["swd", "value"]) and out.loc["swd", "suppression_reason"] == "complement"
    )
    assert out.loc["all", "value"] == 70.0
