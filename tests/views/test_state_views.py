"""Views of the MSIP 5 and PBMAS reports: what they hide, how they order, what the banner names."""

from __future__ import annotations

import pytest

import kit
from kit.facts import read_facts


@pytest.fixture(scope="module")
def msip(msip_facts_path):
    with read_facts(msip_facts_path) as f:
        yield f


@pytest.fixture(scope="module")
def pbmas(pbmas_facts_path):
    with read_facts(pbmas_facts_path) as f:
        yield f


def _entities(f):
    ent = f.table("entities", year=f.latest_year())
    return list(ent.loc[ent.entity_type != "state", "entity_id"])


def test_view_apr_hides_what_the_build_hid(msip):
    hidden = shown = 0
    for entity in _entities(msip):
        ctx = kit.report_context(msip, entity)
        apr = kit.view_apr(msip, ctx)
        raw = msip.table("msip_apr", year=ctx.year, entity_id=entity)
        assert len(apr) == len(raw)
        gone = apr[apr.suppressed]
        assert gone[["value", "n", "participation_rate", "change"]].isna().all().all()
        assert apr.loc[apr.growth_suppressed, "growth_estimate"].isna().all()
        hidden += len(gone)
        kept = apr[~apr.suppressed & (apr.row_kind == "sub_measure") & apr.n.notna()]
        shown += int(kept.value.notna().sum())
        # points stay: they are the row's published result
        assert gone.loc[gone.counted, "earned"].notna().all()
    assert hidden and shown


def test_apr_gains_lead_with_the_most_points_to_gain(msip):
    ctx = kit.report_context(msip, "D01")
    apr = kit.view_apr(msip, ctx)
    gains = kit.apr_gains(apr, limit=5)
    assert (gains.points_to_gain.diff().dropna() <= 1e-9).all()
    assert gains.counted.all() and (gains.points_to_gain > 0).all()
    rows = apr[(apr.row_kind == "sub_measure") & apr.counted]
    assert gains.points_to_gain.iloc[0] == pytest.approx(rows.points_to_gain.max())


def test_the_banner_follows_the_district_type(msip):
    k12 = {b["label"] for b in kit.state_banner(msip, "msip", district_type="K12")}
    k8 = {b["label"] for b in kit.state_banner(msip, "msip", district_type="K8")}
    assert "College and career readiness rows" in k12 and "High school readiness measure" in k8
    assert (
        "College and career readiness rows" not in k8 and "High school readiness measure" not in k12
    )
    assert any("(K8)" in label for label in k8) and not any("(K8)" in label for label in k12)
    assert all(b["note"] for b in kit.state_banner(msip, "msip", district_type="K12"))


def test_pbmas_view_masks_counts_rates_and_distances(pbmas):
    for district in pbmas.districts()["entity_id"]:
        ctx = kit.report_context(pbmas, district)
        view = kit.view_pbmas(pbmas, ctx)
        one = view[view.masked == 1]
        assert one.shown_rate.isna().all() and one.shown_numerator.isna().all()
        assert one.shown_denominator.notna().all()
        two = view[view.masked == 2]
        assert two.shown_denominator.isna().all()
        single = view.years_aggregated.fillna(1) == 1
        assert view.loc[single & (view.masked > 0), "shown_to_next"].isna().all()
        areas = kit.pbmas_areas(view)
        assert areas == [a for a in ("BE_ESL", "CTE", "NCLB", "SPED") if a in areas]
        flagged = kit.pbmas_identified(view)
        assert (flagged.pl.astype(float) >= 1).all()
        assert list(flagged.pl.astype(float)) == sorted(flagged.pl.astype(float), reverse=True)


def test_pbmas_banner_gathers_the_indicator_cut_points(pbmas):
    banner = kit.state_banner(pbmas, "pbmas")
    cuts = [b for b in banner if b["label"].startswith("Cut points of")]
    assert len(cuts) == 1 and "SPED #12" in cuts[0]["note"]
    assert any(b["label"].startswith("Staging table") for b in banner)
