"""The achievement-levels chart (kit/charts/subgroups.py) against the subgroups view."""

from xml.etree import ElementTree

import kit
from kit.fmt import fmt_pct


def views(facts):
    for school in facts.schools()["entity_id"]:
        ctx = kit.report_context(facts, school)
        for subject in ctx.subjects:
            yield ctx, subject, kit.view_subgroups(facts, ctx, subject), None


def test_levels_chart_draws_every_reported_group_and_no_suppressed_one(facts):
    ns = "{http://www.w3.org/2000/svg}"
    ctx, subject, view, _ = next(p for p in views(facts) if p[2]["suppressed"].any())
    chart = kit.plot_levels_by_group(
        view, ctx.level_names, proficient_level=ctx.proficient_level, title="Levels"
    )
    root = ElementTree.fromstring(chart.svg)
    # The SVG names itself by the chart's title and describes itself by its finding.
    assert root.find(f"{ns}title").text == chart.title
    assert root.find(f"{ns}desc").text == chart.alt
    shown = view[~view["suppressed"]]
    k = len(ctx.level_names)
    bars = root.findall(f".//{ns}rect[@class='bar']")
    assert len(bars) == len(shown) * k
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert all(label in texts for label in shown["label"])
    assert not any(label in texts for label in view[view["suppressed"]]["label"])
    # Each group's segments fill the same width: its level shares add up to 100 percent.
    widths = [float(b.get("width")) for b in bars]
    totals = [sum(widths[i : i + k]) for i in range(0, len(widths), k)]
    assert max(totals) - min(totals) < 0.05  # points; widths are written to 0.01
    for label, pct in zip(shown["label"], shown["pct_proficient"], strict=True):
        assert fmt_pct(pct, 0) in texts, label
