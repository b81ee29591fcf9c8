"""The item analysis charts (kit/charts/items.py), written as SVG: one bar per reported value."""

import re
from xml.etree import ElementTree

import pytest

import kit
from kit.views.items import distractors_beating_key


@pytest.fixture(scope="module")
def demo(facts_path):
    """As the item narrative tests' fixture: (ctx, item test views) of the first school."""
    with kit.read_facts(facts_path) as f:
        school = f.schools()["entity_id"].iloc[0]
        ctx = kit.report_context(f, school)
        yield [(ctx, kit.view_item_tests(f, ctx))], None, None, None


def _svg(chart):
    root = ElementTree.fromstring(chart.svg)
    ns = "{http://www.w3.org/2000/svg}"
    return root, ns


def test_item_charts_are_svg_with_one_bar_per_reported_value(demo):
    schools, *_ = demo
    ctx, tests = schools[0]
    t = next(t for t in tests if t.has_distractors)
    shown = t.items[~t.items["suppressed"]].dropna(subset=["diff_vs_state"])

    diff = kit.plot_item_diff(t, title="Items")
    assert diff.fig is None and re.search(r"of \d+ items were below the state", diff.alt)
    root, ns = _svg(diff)
    # The SVG names itself by the chart's title and describes itself by its finding.
    assert root.find(f"{ns}title").text == diff.title
    assert root.find(f"{ns}desc").text == diff.alt
    bars = root.findall(f".//{ns}rect[@class='bar']")
    assert len(bars) == len(shown)
    # Sorted furthest below first: the first bar is the lowest item, and every item id is
    # written once under its bar.
    texts = [e.text for e in root.iter(f"{ns}text")]
    assert all(texts.count(i) == 1 for i in shown["item_id"])
    lowest = shown.sort_values(["diff_vs_state", "item_id"]).iloc[0]["item_id"]
    assert texts.index(lowest) < min(texts.index(i) for i in shown["item_id"] if i != lowest)
    assert len(root.findall(f".//{ns}line[@class='threshold']")) == 1
    assert f"{t.rules.trails_state_by:g} points below" in texts

    std = kit.plot_standards(t, title="Standards")
    assert "standards were below the state" in std.alt
    reported = t.standards[~t.standards["suppressed"] & t.standards["category"].notna()]
    reported = reported.dropna(subset=["gap_vs_state"])
    root, ns = _svg(std)
    assert len(root.findall(f".//{ns}rect[@class='bar']")) == min(12, len(reported))

    dis = kit.plot_distractors(t, title="Distractors")
    assert "a wrong answer drew more students than the key" in dis.alt
    beat = distractors_beating_key(t).head(6)
    root, ns = _svg(dis)
    opts = t.options[~t.options["suppressed"] & t.options["item_id"].isin(beat["item_id"])]
    assert len(root.findall(f".//{ns}rect[@class='bar']")) == len(opts)
