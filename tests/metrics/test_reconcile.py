"""Reconciliation math (kit.metrics.reconcile) on hand-checkable rows."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.metrics.reconcile import (
    CHECK_COLUMNS,
    MCAS_ALT_NOTE,
    check_index_bounds,
    check_level_counts,
    check_level_percents,
    check_weighted_percents,
    round_half_up_percent,
)

KEY = {
    "year": 2022,
    "entity_type": "school",
    "entity_id": "04450105",
    "subject": "ELA",
    "grade": "3-8",
    "group": "all",
}
OHIO = {
    "pct_not_tested": 0,
    "pct_level_1": 0.3,
    "pct_level_2": 0.6,
    "pct_level_3": 1.0,
    "pct_level_4": 1.1,
    "pct_level_5": 1.2,
    "pct_level_6": 1.3,
}
CPI = {1: (0, 25), 2: (50, 75), 3: 100, 4: 100}


def rows(*dicts) -> pd.DataFrame:
    return pd.DataFrame([{**KEY, **d} for d in dicts])


def ma_row(counts, pcts, n=0, me_pct=None, me_n=None):
    n = sum(counts) if n == 0 else n
    row = {"n": n, "published_pct_proficient": me_pct, "published_n_proficient": me_n}
    for j, (c, p) in enumerate(zip(counts, pcts, strict=True), start=1):
        row[f"n_level_{j}"], row[f"pct_level_{j}"] = c, p
    return row


def test_round_half_up_rounds_exact_halves_up():
    # 1 of 8 = 12.5 % -> 13 (half to even would give 12); 1 of 3 = 33.33 -> 33; 2 of 3 -> 67
    got = round_half_up_percent(pd.Series([1, 1, 2, 0, 5]), pd.Series([8, 3, 3, 7, 0]))
    assert got.tolist()[:4] == [13, 33, 67, 0]
    assert pd.isna(got.iloc[4])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200_000), st.data())
def test_round_half_up_matches_decimal_arithmetic(n, data):
    from decimal import ROUND_HALF_UP, Decimal

    c = data.draw(st.integers(0, n))
    want = int((Decimal(100 * c) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert round_half_up_percent(pd.Series([c]), pd.Series([n])).iloc[0] == want


def test_level_percents_agree_or_say_why():
    good = ma_row([1, 2, 3, 2], [13, 25, 38, 25], me_pct=63)  # of 8: 12.5, 25, 37.5, 25
    bad = {**ma_row([1, 2, 3, 2], [12, 25, 38, 25], me_pct=62), "entity_id": "2"}
    out = check_level_percents(rows(good, bad), n_levels=4, proficient_level=3)
    assert list(out.columns) == CHECK_COLUMNS
    assert len(out) == 10
    wrong = out[~out["agrees"]]
    assert wrong[["entity_id", "measure", "published", "computed"]].values.tolist() == [
        ["2", "pct_level_1", 12, 13],
        ["2", "pct_proficient", 62, 63],
    ]
    assert wrong["note"].iloc[0] == (
        "published 12 %, but 1 of 8 is 12.5 %: the state's own figures disagree"
    )
    assert (out["tolerance"] == 0).all() and (out.loc[out["agrees"], "note"] == "").all()


def test_rows_without_counts_are_not_checked():
    row = {
        **ma_row([1, 1, 1, 1], [10, 20, 30, 40]),
        "n": None,
        **{f"n_level_{j}": None for j in range(1, 5)},
    }
    assert check_level_percents(rows(row), n_levels=4).empty
    assert check_level_counts(rows(row), n_levels=4).empty


def test_level_counts_sum_to_n():
    ok = ma_row([5, 10, 20, 5], [0] * 4, me_n=25)
    short = {**ma_row([5, 10, 20, 5], [0] * 4, n=42, me_n=24), "entity_id": "2"}
    out = check_level_counts(rows(ok, short), n_levels=4, proficient_level=3)
    wrong = out[~out["agrees"]]
    assert wrong[["measure", "published", "computed", "difference"]].values.tolist() == [
        ["n", 42, 40, 2],
        ["n_proficient", 24, 25, -1],
    ]
    assert "add up to 40, not the published n 42" in wrong["note"].iloc[0]


def cpi_row(wf, ni, p, a, cpi, entity="1"):
    return {
        "entity_id": entity,
        "n": wf + ni + p + a,
        "n_level_1": wf,
        "n_level_2": ni,
        "n_level_3": p,
        "n_level_4": a,
        "published_index": cpi,
        "published_index_model": "ma_cpi",
    }


def test_cpi_bounds_worked_example():
    # 10 students: 2 W/F, 2 NI, 4 P, 2 A. Lower (100 x 6 + 50 x 2) / 10 = 70;
    # upper (100 x 6 + 75 x 2 + 25 x 2) / 10 = 80. Published 75.0 lies inside.
    out = check_index_bounds(rows(cpi_row(2, 2, 4, 2, 75.0)), model="ma_cpi", points=CPI)
    row = out.iloc[0]
    assert (row["computed"], row["tolerance"], row["agrees"]) == (75, 5.05, True)
    assert row["note"] == "within [70, 80]"


@pytest.mark.parametrize(
    ("cpi", "agrees", "words"),
    [
        (69.95, True, "within"),  # 70 - 0.05: a lower bound of 70 may print as 69.95..70
        (80.05, True, "within"),  # rounding at one decimal
        (80.2, False, "above the upper bound of 80 by 0.2: the MCAS-Alt effect"),
        (69.9, False, "below the lower bound of 70"),
    ],
)
def test_cpi_outside_its_bounds_is_named(cpi, agrees, words):
    out = check_index_bounds(
        rows(cpi_row(2, 2, 4, 2, cpi)), model="ma_cpi", points=CPI, above_note=MCAS_ALT_NOTE
    )
    assert bool(out["agrees"].iloc[0]) is agrees
    assert words in out["note"].iloc[0]


def test_only_the_named_model_is_checked():
    other = {**cpi_row(2, 2, 4, 2, 75.0), "published_index_model": "oh_pi"}
    assert check_index_bounds(rows(other), model="ma_cpi", points=CPI).empty


def ohio_row(pcts, pi, entity="000059"):
    return {
        "entity_id": entity,
        "published_index": pi,
        "published_index_model": "oh_pi",
        **dict(zip(OHIO, pcts, strict=True)),
    }


def test_ohio_pi_tolerance_is_derived_from_one_decimal_rounding():
    # Ada Elementary 2020-21: 0.5 / 13.3 / 16.9 / 25.9 / 21.1 / 22.2 / 0.0 -> 89.88; PI 89.927
    ada = ohio_row([0.5, 13.3, 16.9, 25.9, 21.1, 22.2, 0.0], 89.927)
    out = check_weighted_percents(rows(ada), model="oh_pi", weights=OHIO)
    row = out.iloc[0]
    assert row["computed"] == pytest.approx(89.88)
    assert row["tolerance"] == pytest.approx(0.05 * 5.5 + 0.05)  # 0.325
    assert row["agrees"]


def test_ohio_pi_beyond_the_tolerance_disagrees():
    off = ohio_row([0.5, 13.3, 16.9, 25.9, 21.1, 22.2, 0.0], 89.88 + 0.33)
    out = check_weighted_percents(rows(off), model="oh_pi", weights=OHIO)
    assert not out["agrees"].iloc[0]
    assert "more than 0.325 from the published index" in out["note"].iloc[0]


def test_ohio_rows_with_a_missing_percent_are_not_checked():
    nc = ohio_row([None, 13.3, 16.9, 25.9, 21.1, 22.2, 0.0], 89.9)
    assert check_weighted_percents(rows(nc), model="oh_pi", weights=OHIO).empty


def test_inputs_are_not_changed():
    frame = rows(ma_row([1, 2, 3, 2], [13, 25, 38, 25], me_pct=63))
    before = frame.copy()
    check_level_percents(frame, n_levels=4, proficient_level=3)
    check_level_counts(frame, n_levels=4, proficient_level=3)
    pd.testing.assert_frame_equal(frame, before)
