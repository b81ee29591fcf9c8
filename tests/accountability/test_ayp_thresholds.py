"""Equality at every AYP threshold: a result exactly at its target meets it.

Each case sits on the boundary and one step below it, so a comparison that loses its ``=``
(``>=`` -> ``>``), a tolerance dropped or turned around, or a minimum read off by one fails a
test here (they survived the mutation spot-check of issue 12).
"""

import pytest
from acc_helpers import measure_row as row

from kit.accountability.ayp import amo_targets, determine_ayp


def decide(fw, frame):
    out = determine_ayp(frame, fw, amo_targets(frame, fw))
    return out.set_index(["year", "entity_id", "group"]).loc[(2008, "S1", "all")]


@pytest.mark.parametrize(("pct", "met"), [(70.0, True), (69.9, False)])
def test_status_exactly_at_the_amo_is_met(make_framework, frame_of, pct, met):
    r = decide(make_framework(), frame_of(row(2008, n=200, pct=pct)))
    assert bool(r.status_met) is met and bool(r.met) is met
    if met:
        assert r.path == "status: 70.0 >= AMO 70.0"


@pytest.mark.parametrize(
    ("before", "after", "met"),
    [
        (50.0, 55.0, True),  # non-proficient 50 -> 45: exactly 10 % fewer
        (64.0, 67.6, True),  # 36 -> 32.4: exactly 10 %, but 32.400000000000006 in floats
        (50.0, 54.9, False),  # 50 -> 45.1: 9.8 %
    ],
)
def test_safe_harbor_at_exactly_a_ten_percent_reduction(
    make_framework, frame_of, before, after, met
):
    r = decide(
        make_framework(), frame_of(row(2007, n=200, pct=before), row(2008, n=200, pct=after))
    )
    assert not r.status_met
    assert bool(r.safe_harbor_met) is met and bool(r.met) is met
    if met:
        assert r.met_by == "safe_harbor"
        assert r.path == "safe harbor: non-proficient fell 10.0% (needed 10%)"


@pytest.mark.parametrize(("prior_n", "judged"), [(30, True), (29, False)])
def test_safe_harbor_needs_the_prior_year_minimum_n(make_framework, frame_of, prior_n, judged):
    # prior_min_n 30: last year's 30 students are enough to compare with, 29 are not (then
    # safe harbor is not available, whatever the fall).
    fw = make_framework(
        ayp_tests=[
            {"id": "status", "kind": "status"},
            {"id": "safe_harbor", "kind": "safe_harbor", "prior_min_n": 30},
        ]
    )
    frame = frame_of(row(2007, n=prior_n, pct=50.0), row(2008, n=200, pct=60.0))
    r = decide(fw, frame)
    assert bool(r.met) is judged
    assert (r.met_by == "safe_harbor") is judged


@pytest.mark.parametrize(("prior_n", "judged"), [(5, True), (4, False)])
def test_safe_harbor_prior_minimum_defaults_to_the_reporting_minimum(
    make_framework, frame_of, prior_n, judged
):
    r = decide(
        make_framework(), frame_of(row(2007, n=prior_n, pct=50.0), row(2008, n=200, pct=60.0))
    )
    assert bool(r.met) is judged


@pytest.mark.parametrize(("after", "met"), [(64.0, True), (63.9, False)])
def test_index_gain_exactly_the_required_gain_is_met(make_framework, frame_of, after, met):
    # Improvement of 10 % of the gap: (100 - 60) x 0.1 = 4.0; 60 -> 64.0 gains exactly 4.0.
    fw = make_framework(
        ayp_tests=[
            {"id": "improvement", "kind": "index_gain", "model": "ma_cpi", "gap_fraction": 0.1}
        ]
    )
    frame = frame_of(
        row(2007, n=100, prof=40, ma_cpi=60.0), row(2008, n=100, prof=41, ma_cpi=after)
    )
    r = decide(fw, frame)
    assert bool(r.met) is met


@pytest.mark.parametrize(("value", "met"), [(68.3, True), (68.2, False)])
def test_index_exactly_at_its_target_is_met(make_framework, frame_of, value, met):
    fw = make_framework(
        ayp_tests=[{"id": "option_4", "kind": "index", "model": "sc_pi", "amo": "sc_pi"}]
    )
    r = decide(fw, frame_of(row(2008, n=700, prof=300, sc_pi=value)))
    assert bool(r.met) is met


@pytest.mark.parametrize(("tested", "met"), [(95, True), (94, False)])
def test_participation_exactly_at_the_minimum_rate_is_met(make_framework, frame_of, tested, met):
    r = decide(
        make_framework(), frame_of(row(2008, n=tested, pct=80.0, enrolled=100, tested=tested))
    )
    assert bool(r.participation_met) is met


@pytest.mark.parametrize(("enrolled", "row_kept"), [(10, True), (9, False)])
def test_accountability_minimum_n_is_inclusive(make_framework, frame_of, enrolled, row_kept):
    fw = make_framework()
    frame = frame_of(
        row(2008, n=100, pct=80.0),
        row(2008, group="swd", n=enrolled, pct=80.0, enrolled=enrolled, tested=enrolled),
    )
    out = determine_ayp(frame, fw, amo_targets(frame, fw)).set_index(["year", "entity_id", "group"])
    assert ((2008, "S1", "swd") in out.index) is row_kept
