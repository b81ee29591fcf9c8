"""The words of an AYP path from its stored fields (kit/ayp_path.py), every branch worked by
hand. Pure and fast: ``make mutate`` runs it against the renderer (the demo's paths and the
report are in test_ayp_path.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit import ayp_path
from kit.ayp_path import fmt_ayp_path


def part(met=True, rate=97.0, best=None, years=0, min_rate=95):
    return {
        "met": met,
        "rate": rate,
        "min_rate": min_rate,
        "best_average": best,
        "average_years": years,
    }


def fields(tests, *, met=True, achievement="met", participation=None, n=60, min_n=40):
    return {
        "met": met,
        "achievement": achievement,
        "n": n,
        "min_n": min_n,
        "participation": participation or part(),
        "tests": tests,
    }


def status_t(value, target, met=True, year=2008, decimals=1):
    return {
        "id": "status",
        "kind": "status",
        "met": met,
        "value": value,
        "target": target,
        "decimals": decimals,
        "year": year,
    }


def sh(fell, *, met=False, available=True, achieved=False, measure="pct_proficient", goal=100):
    return {
        "id": "safe_harbor",
        "kind": "safe_harbor",
        "met": met,
        "fell": fell,
        "reduction": 0.1,
        "measure": measure,
        "goal": goal,
        "available": available,
        "achieved": achieved,
        "prior_year": 2007,
    }


def ci(value, hi, target, met=True, n=10):
    return {
        "id": "ci",
        "kind": "ci",
        "met": met,
        "value": value,
        "hi": hi,
        "target": target,
        "decimals": 1,
        "level": 0.95,
        "method": "wilson",
        "n": n,
    }


def avg(k, best, target, met=True, available=True):
    return {
        "id": "averaging",
        "kind": "averaging",
        "met": met,
        "k": k,
        "best": best,
        "target": target,
        "decimals": 1,
        "available": available,
        "min_years": 2,
    }


def index(value, target, *, met=True, available=True, achieved=True, decimals=1):
    return {
        "id": "option_4",
        "kind": "index",
        "met": met,
        "model": "sc_pi",
        "value": value,
        "target": target,
        "decimals": decimals,
        "available": available,
        "achieved": achieved,
    }


def gain(g, required, *, met=True, available=True, achieved=True):
    return {
        "id": "improvement",
        "kind": "index_gain",
        "met": met,
        "model": "ma_cpi",
        "gain": g,
        "required": required,
        "decimals": 1,
        "available": available,
        "achieved": achieved,
        "prior_year": 2007,
    }


NOT_MET = {"met": False, "achievement": "not_met"}

# (fields, the words the build wrote for them before they were stored). Figures from the
# hand-worked cases of test_ayp.py and docs/accountability.md.
CASES = [
    (fields([status_t(72.4, 70.0)]), "status: 72.4 >= AMO 70.0"),
    (
        fields([status_t(72.4, 70.0)], participation=part(rate=94.0, best=95.3, years=3)),
        "status: 72.4 >= AMO 70.0; participation met by the 3-year average",
    ),
    (
        fields([], achievement="not_judged", n=36, min_n=40),
        "participation only: 36 accountable students, fewer than 40 for achievement",
    ),
    (
        fields(
            [status_t(78.4, 74.1)], met=False, participation=part(met=False, rate=93.1, best=94.2)
        ),
        "not met: participation 93.1% < 95% (best average 94.2%); achievement met "
        "(status: 78.4 >= AMO 74.1)",
    ),
    (
        fields([], met=False, achievement="not_judged", participation=part(False, 90.0)),
        "not met: participation 90.0% < 95%",
    ),
    (
        fields(
            [status_t(55.0, 70.0, met=False)],
            met=False,
            achievement="not_met",
            participation=part(False, 94.5),
        ),
        "not met: participation 94.5% < 95%; status 55.0 < AMO 70.0 (15.0 short)",
    ),
    # (40.4 - 38.8) / 40.4 = 3.96 % fell; 70.0 - 61.2 = 8.8 short.
    (
        fields([status_t(61.2, 70.0, met=False), sh(3.9604)], **NOT_MET),
        "not met: status 61.2 < AMO 70.0 (8.8 short); safe harbor: fell 4.0% (needed 10%)",
    ),
    # 69.96 and 70.0 both show as 70.0: the shortfall is below what is shown.
    (
        fields([status_t(69.96, 70.0, met=False)], **NOT_MET),
        "not met: status 70.0 < AMO 70.0 (less than 0.1 short)",
    ),
    (
        fields([status_t(61.2, None, met=False, year=2006)], **NOT_MET),
        "not met: status: no AMO for 2006",
    ),
    (fields([status_t(None, 70.0, met=False)], **NOT_MET), "not met: status: no result"),
    (
        fields([ci(50.0, 76.34, 70.0)]),
        "ci: 50.0, its 95% upper bound 76.3 >= AMO 70.0 (Wilson, n 10)",
    ),
    (
        fields([ci(40.0, 60.04, 70.0, met=False)], **NOT_MET),
        "not met: ci: 95% upper bound 60.0 < AMO 70.0",
    ),
    (fields([ci(40.0, 60.04, None, met=False)], **NOT_MET), "not met: ci: no AMO"),
    (
        fields([sh(10.1, met=True, achieved=True)]),
        "safe harbor: non-proficient fell 10.1% (needed 10%)",
    ),
    (
        fields([sh(10.1, met=True, achieved=True, measure="ma_cpi")]),
        "safe harbor: gap to 100 fell 10.1% (needed 10%)",
    ),
    (
        fields([sh(-5.0)], **NOT_MET),
        "not met: safe harbor: non-proficient rose 5.0% (needed a 10% fall)",
    ),
    (
        fields([sh(12.0, achieved=True)], **NOT_MET),
        "not met: safe harbor: fell 12.0% (needed 10%) but participation was not met",
    ),
    (fields([sh(None, available=False)], **NOT_MET), "not met: safe harbor: no result for 2007"),
    (fields([avg(3, 70.3, 70.0)]), "averaging: 3-year mean 70.3 >= AMO 70.0"),
    (
        fields([avg(2, 65.0, 70.0, met=False)], **NOT_MET),
        "not met: averaging: best 2-year mean 65.0 < AMO 70.0",
    ),
    (
        fields([avg(0, None, 70.0, met=False, available=False)], **NOT_MET),
        "not met: averaging: fewer than 2 years of results",
    ),
    (fields([index(71.4, 68.3)]), "option 4: sc_pi 71.4 >= target 68.3"),
    (
        fields([index(0.6123, 0.7, met=False, achieved=False, decimals=3)], **NOT_MET),
        "not met: option 4: sc_pi 0.612 < target 0.700 (0.088 short)",
    ),
    (
        fields([index(71.4, 68.3, met=False)], **NOT_MET),
        "not met: option 4: sc_pi met its target but participation was not met",
    ),
    (
        fields([index(None, 68.3, met=False, available=False, achieved=False)], **NOT_MET),
        "not met: option 4: no sc_pi result or target",
    ),
    (fields([gain(5.2, 5.0)]), "improvement: ma_cpi rose 5.2 (needed 5.0)"),
    (
        fields([gain(3.0, 4.0, met=False, achieved=False)], **NOT_MET),
        "not met: improvement: ma_cpi changed +3.0 (needed 4.0; 1.0 short)",
    ),
    (
        fields([gain(-2.0, 4.0, met=False, achieved=False)], **NOT_MET),
        "not met: improvement: ma_cpi changed -2.0 (needed 4.0; 6.0 short)",
    ),
    (
        fields([gain(4.5, 4.0, met=False)], **NOT_MET),
        "not met: improvement: ma_cpi changed +4.5 (needed 4.0) but participation was not met",
    ),
    (
        fields([gain(None, None, met=False, available=False, achieved=False)], **NOT_MET),
        "not met: improvement: no ma_cpi result for 2007",
    ),
]


@pytest.mark.parametrize(("given_fields", "words"), CASES, ids=lambda c: str(c)[:50])
def test_every_branch_of_the_words(given_fields, words):
    assert fmt_ayp_path(given_fields) == words
    assert fmt_ayp_path(json.dumps(given_fields)) == words  # as stored


def test_an_unknown_test_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown AYP test kind 'lottery'"):
        fmt_ayp_path(fields([{"id": "x", "kind": "lottery", "met": True}]))


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False),
    st.sampled_from([1, 3]),
)
def test_figures_round_as_numpy_did(x, decimals):
    """The build formatted the path with numpy (np.round, then "{:.1f}"); the pure renderer
    prints the same digits for any value, including -0.0 and halves."""
    expected = f"{np.round(np.float64(x), decimals):.{decimals}f}"
    assert ayp_path._f(x, decimals) == expected


@pytest.mark.parametrize("x", [0.05, 0.15, 0.25, 2.675, -0.04, -0.0, 1e-12, 72.45, 0.0005])
def test_figures_round_as_numpy_did_at_the_edges(x):
    for d in (1, 3):
        assert ayp_path._f(x, d) == f"{np.round(np.float64(x), d):.{d}f}"
