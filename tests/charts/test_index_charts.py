"""The index report's charts (kit/charts/index.py), written as SVG: the goal trend and one
school under every index model. Every value drawn is in the markup, and each chart is an
image named by its title and described by its finding."""

import _svg
import pandas as pd
import pytest

import kit
from kit.fmt import fmt_num


@pytest.fixture(scope="module")
def school(facts_path):
    with kit.read_facts(facts_path) as f:
        ctx = kit.report_context(f, f.schools()["entity_id"].iloc[0])
        subject = (kit.ayp_subjects(kit.view_ayp(f, ctx), ctx) or list(ctx.subjects))[0]
        goals = kit.view_goals(f, ctx, subject)
        trend = kit.view_goal_trend(f, ctx, subject, goals)
        models = {s: kit.view_models(f, ctx, s) for s in ctx.subjects}
        return ctx, goals, trend, models


def _accessible(chart):
    root = _svg.root(chart.svg)
    assert chart.fig is None
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t d"
    assert root.find(f"{_svg.NS}title").text == chart.title
    assert root.find(f"{_svg.NS}desc").text == chart.alt


def test_trend_chart_draws_each_shown_year_its_value_and_the_goal(school):
    ctx, goals, trend, _ = school
    goal = kit.view_goal_trajectory(goals)
    chart = kit.plot_trend(trend, value="value", label="Index", title="Trend", goal=goal)
    _accessible(chart)
    texts = _svg.texts(chart.svg)
    shown = trend.dropna(subset=["value"])
    assert len(shown) >= 2
    for v in shown["value"]:
        assert fmt_num(v) in texts
    years = sorted({*trend["year"].astype(int), *goal["year"].astype(int)})
    assert all(str(y) in texts for y in years)
    assert "Index" in texts and "goal trajectory" in texts
    root = _svg.root(chart.svg)
    line = root.find(f".//{_svg.NS}polyline[@class='trend']")
    assert len(line.get("points").split()) == len(shown)
    target = root.find(f".//{_svg.NS}polyline[@class='goal']")
    assert len(target.get("points").split()) == goal["target"].notna().sum()
    # Higher values are drawn higher: the points' y falls as the value rises.
    ys = [float(p.split(",")[1]) for p in line.get("points").split()]
    order = shown["value"].astype(float).to_numpy()
    assert all(
        (a < b) == (ya > yb)
        for a, b, ya, yb in zip(order, order[1:], ys, ys[1:], strict=False)
        if a != b
    )


def test_trend_chart_leaves_a_hidden_year_as_a_gap(school):
    _, _, trend, _ = school
    hidden = trend.copy()
    hidden.loc[hidden.index[1], "value"] = float("nan")
    chart = kit.plot_trend(hidden, value="value", label="Index", title="Trend")
    root = _svg.root(chart.svg)
    shown = hidden.dropna(subset=["value"])
    # A point per shown year (the legend's marker besides), and no line through the gap.
    circles = root.findall(f".//{_svg.NS}circle")
    assert len(circles) == len(shown) + 1
    drawn = sum(
        len(p.get("points").split()) for p in root.findall(f".//{_svg.NS}polyline[@class='trend']")
    )
    years = hidden["year"].tolist()
    assert drawn == sum(
        1
        for i, v in enumerate(hidden["value"])
        if pd.notna(v)
        and (
            (i > 0 and pd.notna(hidden["value"].iloc[i - 1]))
            or (i + 1 < len(years) and pd.notna(hidden["value"].iloc[i + 1]))
        )
    )
    empty = kit.plot_trend(trend.assign(value=float("nan")), value="value", label="I", title="T")
    assert empty.alt == "T: not reported (small group)."


def test_models_chart_draws_every_reported_model_and_subject(school):
    ctx, _, _, models = school
    chart = kit.plot_models(models, title="Models")
    _accessible(chart)
    data = pd.concat(
        [
            v[~v["suppressed"] & v["share_of_range"].notna()].assign(subject=s)
            for s, v in models.items()
        ]
    )
    assert len(_svg.points(chart.svg)) == len(data) > 0
    texts = _svg.texts(chart.svg)
    for name, head in data.drop_duplicates("model")[["name", "headline"]].itertuples(index=False):
        assert (f"{name} (framework)" if head else name) in texts
    root = _svg.root(chart.svg)
    bold = [t.text for t in root.iter(f"{_svg.NS}text") if t.get("font-weight") == "bold"]
    assert any(t.endswith("(framework)") for t in bold)
    if len(models) > 1:
        assert set(_svg.legend(chart.svg)) == {kit.fmt_subject(s).capitalize() for s in models}
