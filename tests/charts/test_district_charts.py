"""The high-needs gap by school chart (kit/charts/district.py), written as SVG: one bar per
reported school and subject, the gap as the table shows it, and a finding for its alt text."""

from types import SimpleNamespace

import _svg
import pytest

import kit
from kit.fmt import fmt_num


@pytest.fixture(scope="module")
def summary(facts_path):
    with kit.read_facts(facts_path) as store:
        ctx = kit.report_context(store, store.districts()["entity_id"][0])
        schools = kit.view_schools(store, ctx)
        subjects = kit.ayp_subjects(kit.view_ayp(store, ctx), ctx)
        return SimpleNamespace(schools=schools, subjects=subjects)


def test_chart_alt_text_states_the_widest_gap(summary):
    chart = kit.plot_gaps_by_school(summary.schools, summary.subjects, title="High-needs gaps")
    for subject in summary.subjects:
        rows = summary.schools[
            (summary.schools["subject"] == subject) & ~summary.schools["hn_suppressed"]
        ]
        widest = rows.loc[rows["hn_gap"].idxmin()]
        assert (
            f"trail most at {widest['name']}, {fmt_num(-widest['hn_gap'])} points below"
            in chart.alt
        )


def test_gaps_chart_is_svg_with_a_bar_and_a_value_per_reported_school(summary):
    chart = kit.plot_gaps_by_school(summary.schools, summary.subjects, title="High-needs gaps")
    assert chart.fig is None
    root = _svg.root(chart.svg)
    # The SVG is an image named by the chart's title and described by its finding.
    assert root.get("role") == "img"
    assert root.find(f"{_svg.NS}title").text == chart.title
    assert root.find(f"{_svg.NS}desc").text == chart.alt
    rows = summary.schools[summary.schools["subject"].isin(summary.subjects)]
    shown = rows[~rows["hn_suppressed"] & rows["hn_gap"].notna()]
    bars = root.findall(f".//{_svg.NS}rect[@class='bar']")
    assert len(bars) == len(shown) > 0
    texts = _svg.texts(chart.svg)
    for gap in shown["hn_gap"]:
        assert f"{gap:+.1f}" in texts
    assert texts.count("not reported") == len(rows) - len(shown)
    assert all(name in texts for name in summary.schools["name"].unique())
    # Bars to the left of zero for a gap below all students, to the right above.
    zero = next(float(t.get("x")) for t in root.iter(f"{_svg.NS}text") if t.text == "0")
    for bar, gap in zip(
        bars, [g for s in summary.subjects for g in _gaps(summary, s)], strict=True
    ):
        x, w = float(bar.get("x")), float(bar.get("width"))
        assert (x + w <= zero + 0.01) if gap < 0 else (x >= zero - 0.01)
    assert (
        set(_svg.legend(chart.svg)) == {kit.fmt_subject(s).capitalize() for s in summary.subjects}
        or len(summary.subjects) == 1
    )


def _gaps(summary, subject):
    names = list(dict.fromkeys(summary.schools["name"]))
    rows = summary.schools[summary.schools["subject"] == subject].set_index("name").reindex(names)
    keep = ~rows["hn_suppressed"].fillna(True).astype(bool) & rows["hn_gap"].notna()
    return rows.loc[keep, "hn_gap"].tolist()
