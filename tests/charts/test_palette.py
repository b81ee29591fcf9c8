"""Colours a principal can read in greyscale print, and that meet WCAG contrast (issue 11,
items 13-15): every value is computed from the colours the charts use, not eyeballed.

- achievement levels ordered in lightness (each level darker than the one below it, far
  enough apart to tell in greyscale), every mark at 3:1 against the page and every label
  drawn on a mark at 4.5:1;
- one colour (and marker) per subject, the same in every chart that compares subjects;
- the models chart never draws one subject's marker over another's.
"""

from __future__ import annotations

import re

import _svg
import pytest

import kit
from kit.charts import items as item_charts
from kit.charts import style

LEVEL_COLOURS, ACCENT, MUTED, TEXT = style.LEVEL_COLOURS, style.ACCENT, style.MUTED, style.TEXT
WHITE = "#FFFFFF"


# The oracle: WCAG 2.x relative luminance and contrast, computed here from the colours.
def relative_luminance(colour: str) -> float:
    h = colour.lstrip("#")
    c = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def best_ink(colour: str) -> float:
    """The contrast of the better label colour on ``colour`` (white or the text colour)."""
    return max(contrast_ratio(colour, WHITE), contrast_ratio(colour, TEXT))


def lightness(colour: str) -> float:
    """CIE L* (0 black - 100 white): how light a colour prints in greyscale."""
    y = relative_luminance(colour)
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21.0)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)
    # the kit's own helper (used to pick label colours) agrees with the oracle
    for colour in ("#777777", ACCENT, "#E07212"):
        assert style.contrast_ratio(colour, WHITE) == pytest.approx(contrast_ratio(colour, WHITE))


@pytest.mark.parametrize("k", sorted(LEVEL_COLOURS))
def test_levels_are_ordered_in_lightness_and_apart_in_greyscale(k):
    # Before: Needs Improvement (#F0B86E, L* 78) and Proficient (#8CC0E3, L* 75) printed
    # as the same grey.
    ls = [lightness(c) for c in LEVEL_COLOURS[k]]
    assert all(a > b for a, b in zip(ls, ls[1:], strict=False)), ls  # higher level, darker
    assert min(a - b for a, b in zip(ls, ls[1:], strict=False)) >= 8, ls


@pytest.mark.parametrize("k", sorted(LEVEL_COLOURS))
def test_level_marks_and_their_labels_meet_wcag_contrast(k):
    for colour in LEVEL_COLOURS[k]:
        assert contrast_ratio(colour, WHITE) >= 3.0, colour  # 1.4.11 non-text contrast
        assert best_ink(colour) >= 4.5, colour  # 1.4.3 text drawn on the mark


def test_every_chart_colour_meets_three_to_one_against_the_page():
    marks = [
        ACCENT,
        MUTED,
        TEXT,
        *getattr(style, "SUBJECT_COLOURS", {}).values(),
        *item_charts.CATEGORY_COLOURS,
        item_charts.WRONG,
        item_charts.OTHER,
    ]
    for colour in marks:
        assert contrast_ratio(colour, WHITE) >= 3.0, colour
    for colour in (ACCENT, item_charts.WRONG, item_charts.OTHER):
        assert best_ink(colour) >= 4.5, colour


def test_subjects_differ_in_lightness_too(facts):
    ls = sorted(lightness(c) for c in _subject_colours(facts).values())
    assert len(ls) >= 2
    assert min(b - a for a, b in zip(ls, ls[1:], strict=False)) >= 8, ls


def _svg_fills(svg: str) -> set[str]:
    return {
        f.upper() for f in re.findall(r'<rect [^>]*fill="(#[0-9A-Fa-f]{6})"[^>]*class="bar"', svg)
    }


def test_level_chart_draws_the_palette_and_labels_in_contrast(facts):
    ctx = kit.report_context(facts, facts.schools()["entity_id"].iloc[0])
    view = kit.view_subgroups(facts, ctx, ctx.subjects[0])
    chart = kit.plot_levels_by_group(
        view, ctx.level_names, proficient_level=ctx.proficient_level, title="T"
    )
    assert _svg_fills(chart.svg) <= {c.upper() for c in LEVEL_COLOURS[len(ctx.level_names)]}
    # every share label drawn on a bar reaches 4.5:1 against that bar
    shapes = re.findall(
        r'<rect [^>]*fill="(#[0-9A-Fa-f]{6})"[^>]*class="bar"/>(<text [^>]*>)?', chart.svg
    )
    labelled = 0
    for fill, text in shapes:
        if text:
            m = re.search(r'fill="([^"]+)"', text)
            ink = {"white": WHITE}.get(m.group(1), m.group(1)) if m else TEXT
            assert contrast_ratio(fill, ink) >= 4.5, (fill, ink)
            labelled += 1
    assert labelled


def _models(facts):
    ctx = kit.report_context(facts, facts.schools()["entity_id"].iloc[0])
    models = {s: kit.view_models(facts, ctx, s) for s in ctx.subjects}
    return ctx, models, kit.plot_models(models, title="T")


def _subject_colours(facts) -> dict[str, str]:
    """Each subject's colour in the models chart (its legend markers, as its data markers)."""
    _, _, chart = _models(facts)
    colours = _svg.legend(chart.svg)
    assert {c.upper() for c, _, _ in _svg.points(chart.svg)} == set(colours.values())
    return colours


def test_a_subject_keeps_its_colour_across_charts(facts):
    # Before: English language arts was blue among the models and orange in the gaps chart.
    colours = _subject_colours(facts)
    district = facts.districts()["entity_id"].iloc[0]
    dctx = kit.report_context(facts, district)
    gaps = kit.plot_gaps_by_school(kit.view_schools(facts, dctx), ["ELA", "MATH"], title="T")
    bars = _svg.legend(gaps.svg)
    assert set(bars) == {"English language arts", "Mathematics"}
    for label, colour in bars.items():
        assert colour == colours[label], (label, colour, colours[label])


def test_models_chart_markers_never_overlap(facts):
    # Before: every subject's marker sat on the model's line, so ELA 91% and science 91%
    # drew one over the other.
    _, models, chart = _models(facts)
    points = _svg.points(chart.svg)
    assert len(points) > len(models)
    # Each subject has its own line within a model's row: no two markers share a position.
    by_subject: dict[str, set] = {}
    for fill, _, y in points:
        by_subject.setdefault(fill, set()).add(round(y, 2))
    assert len(by_subject) == len(models)
    ys = [y for ys in by_subject.values() for y in ys]
    assert len(ys) == len(set(ys))
    assert len({(round(x, 2), round(y, 2)) for _, x, y in points}) == len(points)


def test_models_chart_axis_spreads_results_that_sit_close_together(facts):
    # Before: the axis ran 0-100 % while every model put the school between 73 % and 94 %,
    # so the markers clumped in the right fifth of the chart.
    _, models, chart = _models(facts)
    root = _svg.root(chart.svg)
    ticks = {
        int(t.text[:-1]): float(t.get("x"))
        for t in root.iter(f"{_svg.NS}text")
        if re.fullmatch(r"\d+%", t.text or "")
    }
    lo, hi = min(ticks), max(ticks)
    assert hi == 100 and lo % 10 == 0

    def share(x: float) -> float:  # a marker's position on the axis, in percent
        return lo + (x - ticks[lo]) * (hi - lo) / (ticks[hi] - ticks[lo])

    xs = [share(x) for _, x, _ in _svg.points(chart.svg)]
    assert lo <= min(xs) - 5
    assert (max(xs) - min(xs)) / (hi - lo) > 0.3, (min(xs), max(xs), lo)
    assert any("axis from" in t for t in _svg.texts(chart.svg)) or lo == 0
