"""Item analysis charts (PIM step 3, Appendix B): item difference, standards, distractors.

About twenty of these are drawn for every school, so they are written as SVG
(:mod:`kit.charts.svg`) rather than with matplotlib: the same look at a fraction of the
time. Each returns a :class:`Chart` whose alt text states the main finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit._frames import records
from kit.charts.style import ACCENT, MUTED, TEXT, Chart, ink_on
from kit.charts.svg import (
    AXIS_BELOW,
    Scale,
    Svg,
    fit,
    label_margin,
    legend_height,
    text_width,
    value_axis,
)
from kit.charts.svg import PT_PER_IN as IN
from kit.fmt import fmt_gap, fmt_pct
from kit.views.items import ItemTestView, distractors_beating_key

# After Okabe-Ito (distinguishable with the common colour-vision deficiencies), darkened so
# that every bar is at least 3:1 against the white page (WCAG 1.4.11).
CATEGORY_COLOURS = [
    "#0075B8",
    "#C85D00",
    "#008260",
    "#9E3C7E",
    "#897E00",
    "#AF3719",
    "#218ABE",
    "#000000",
]
# The key, the most chosen wrong answer, the other answers: 3:1 against white, and each
# takes a label colour of 4.5:1 (kit.charts.style.ink_on).
WRONG, OTHER = "#B15314", "#898989"


def _category_colours(categories) -> dict[str, str]:
    cats = sorted({c if isinstance(c, str) else "(none)" for c in categories})
    return {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(cats)}


def plot_item_diff(view: ItemTestView, *, title: str) -> Chart:
    """One bar per reported item: the entity's percent correct minus the state's, sorted
    from furthest below to furthest above, coloured by reporting category. A dashed line
    marks the framework's "trails the state" threshold (PIM 3-A). Drawn as SVG."""
    shown = view.items[~view.items["suppressed"]].dropna(subset=["diff_vs_state"])
    shown = shown.sort_values(["diff_vs_state", "item_id"]).reset_index(drop=True)
    colours = _category_colours(shown["reporting_category"])
    columns = min(3, max(len(colours), 1))
    labels = max((text_width(i, 6.5) for i in shown["item_id"]), default=0.0)
    below = 8.5 + labels + 10 + legend_height(len(colours), columns) + 6
    svg = Svg(7.0, (0.4 * IN + 1.3 * IN + below) / IN)
    left, right, top, bottom = 0.6 * IN, svg.w - 0.1 * IN, 0.4 * IN, svg.h - below
    n = len(shown)
    limit = view.rules.trails_state_by
    diffs = shown["diff_vs_state"].astype(float)
    low = min(-limit - 2, float(diffs.min()) - 2) if n else -12
    high = max(5.0, float(diffs.max()) + 2) if n else 5
    x = Scale(-0.7, max(n, 1) - 0.3, left, right)
    y = Scale(low, high, bottom, top)
    half = 0.375 * (x(1) - x(0))
    cats = shown["reporting_category"].fillna("(none)")
    for i, (diff, cat, item) in enumerate(zip(diffs, cats, shown["item_id"], strict=True)):
        svg.rect(x(i) - half, y(0), 2 * half, y(diff) - y(0), colours[cat], cls="bar")
        svg.line(x(i), bottom, x(i), bottom + 3.5)
        svg.text(x(i), bottom + 5, item, size=6.5, anchor="end", rotate=-90)
    svg.line(left, y(0), right, y(0))
    svg.line(left, y(-limit), right, y(-limit), stroke=TEXT, dash="3 2", cls="threshold")
    svg.text(
        x(n - 0.5), y(-limit) - 1.5, f"{limit:g} points below", size=7, anchor="end", middle=False
    )
    svg.line(left, bottom, right, bottom, cls="spine")
    value_axis(svg, y, at=left, vertical=True, label="Points vs state", label_at=left - 30)
    svg.title(title)
    svg.legend(list(colours.items()), bottom=8, columns=columns)
    return svg.chart(title, _diff_alt(shown, view, title))


def _diff_alt(shown: pd.DataFrame, view: ItemTestView, title: str) -> str:
    if shown.empty:
        return f"{title}: too few students to report any item."
    below = shown[shown["diff_vs_state"].round(1) < 0]
    trails = shown[shown["diff_vs_state"] <= -view.rules.trails_state_by]
    first = shown.iloc[0]
    parts = [f"{title}. {len(below)} of {len(shown)} items were below the state"]
    parts[0] += (
        f", {len(trails)} by {view.rules.trails_state_by:g} points or more." if len(trails) else "."
    )
    if len(below):
        parts.append(
            f"Furthest below: {first['item_id']}, {fmt_gap(first['diff_vs_state'], 'the state')}."
        )
    return " ".join(parts)


def plot_standards(view: ItemTestView, *, title: str, limit: int = 12) -> Chart:
    """One bar per reported standard: the entity's percent of points minus the state's,
    largest shortfall at the top, coloured by the standard's reporting category (PIM 3-C).
    At most ``limit`` standards (the weakest); the alt text counts all of them."""
    every = view.standards[~view.standards["suppressed"] & view.standards["category"].notna()]
    every = every.dropna(subset=["gap_vs_state"]).sort_values(["gap_vs_state", "category"])
    std = every.head(limit).reset_index(drop=True)
    cat_of = (
        view.items.dropna(subset=["standard"]).groupby("standard")["reporting_category"].first()
    )
    cats = std["category"].map(cat_of).fillna("(none)")
    colours = _category_colours(view.items["reporting_category"])
    n = len(std)
    entries = [(c, colours[c]) for c in dict.fromkeys(cats) if c in colours]
    columns = min(3, max(len(entries), 1))
    below = AXIS_BELOW + legend_height(len(entries), columns) + 8
    svg = Svg(7.0, 0.5 + 0.19 * max(n, 1) + below / IN)
    left = label_margin(std["category"], 8, svg.w) + 0.05 * IN
    right, top, bottom = svg.w - 0.9 * IN, 0.4 * IN, svg.h - below
    gaps = std["gap_vs_state"].astype(float)
    span = max(float(np.nanmax(np.abs(gaps))) if n else 5.0, 5.0) * 1.15
    x = Scale(-span, span, left, right)
    y = Scale(-0.6, n - 0.2, bottom, top)
    half = 0.35 * (y(0) - y(1))
    for i, (gap, cat, label, pct) in enumerate(
        zip(gaps, cats, std["category"], std["pct_earned"], strict=True)
    ):
        yi = y(n - 1 - i)
        svg.rect(x(0), yi - half, x(gap) - x(0), 2 * half, colours.get(cat, MUTED), cls="bar")
        svg.line(left - 3.5, yi, left, yi)
        svg.text(left - 5, yi, fit(label, 8, left - 8), size=8, anchor="end")
        svg.text(x(span * 1.02), yi, fmt_pct(pct, 0), size=7)
    if n:
        svg.text(
            x(span * 1.02), y(n - 0.4) - 1.5, "% of points", size=6.5, fill=MUTED, middle=False
        )
    svg.line(x(0), top, x(0), bottom)
    svg.line(left, top, left, bottom, cls="spine")
    value_axis(
        svg, x, at=bottom, vertical=False, label="Percent of points: school minus state (points)"
    )
    svg.title(title)
    svg.legend(entries, bottom=8, columns=columns)
    return svg.chart(title, _standards_alt(every, title))


def _standards_alt(std: pd.DataFrame, title: str) -> str:
    if std.empty:
        return f"{title}: no standard has enough students to report."
    low = std.iloc[0]
    below = int((std["gap_vs_state"].round(1) < 0).sum())
    return (
        f"{title}. {below} of {len(std)} standards were below the state; the largest "
        f"shortfall was {low['category']}, {fmt_gap(low['gap_vs_state'], 'the state')}."
    )


def plot_distractors(view: ItemTestView, *, title: str, limit: int = 6) -> Chart:
    """For each MC item where a wrong answer drew more students than the key (at most
    ``limit``): the share choosing each option, the key in blue and the leading wrong
    answer in orange (PIM 3-B)."""
    beat = distractors_beating_key(view).head(limit)
    opts = view.options[~view.options["suppressed"] & view.options["item_id"].isin(beat["item_id"])]
    order = ["A", "B", "C", "D", "BLANK"]
    n = len(beat)
    below = AXIS_BELOW + legend_height(3) + 8
    svg = Svg(7.0, 0.45 + 0.42 * max(n, 1) + below / IN)
    left, right, top, bottom = 0.75 * IN, svg.w - 0.15 * IN, 0.4 * IN, svg.h - below
    x = Scale(0, 100, left, right)
    y = Scale(-0.6, max(n, 1) - 0.4, bottom, top)
    half = 0.35 * (y(0) - y(1))
    for i, rec in enumerate(records(beat)):
        yi = y(n - 1 - i)
        rows = opts[opts["item_id"] == rec["item_id"]].set_index("option")
        start = 0.0
        for opt in order:
            if opt not in rows.index:
                continue
            pct = float(rows.loc[opt, "pct"])
            if not np.isfinite(pct):
                continue
            if opt == rec["key"]:
                colour = ACCENT
            elif opt == rec["option"]:
                colour = WRONG
            else:
                colour = OTHER
            ink = ink_on(colour)
            svg.rect(
                x(start),
                yi - half,
                x(start + pct) - x(start),
                2 * half,
                colour,
                stroke="white",
                cls="bar",
            )
            if pct >= 7:
                label = "blank" if opt == "BLANK" else opt
                svg.text(
                    x(start + pct / 2), yi, f"{label} {pct:.0f}", size=7, anchor="middle", fill=ink
                )
            start += pct
        svg.line(left - 3.5, yi, left, yi)
        svg.text(left - 5, yi, fit(rec["item_id"], 9, left - 8), anchor="end")
    svg.line(left, top, left, bottom, cls="spine")
    value_axis(svg, x, at=bottom, vertical=False, label="Percent of students choosing each answer")
    svg.title(title)
    svg.legend(
        [
            ("correct answer (key)", ACCENT),
            ("most chosen wrong answer", WRONG),
            ("other answers, blank", OTHER),
        ],
        bottom=8,
    )
    return svg.chart(title, _distractor_alt(beat, title))


def _distractor_alt(beat: pd.DataFrame, title: str) -> str:
    if beat.empty:
        return f"{title}: on every item the correct answer was the most chosen."
    top = beat.iloc[0]
    return (
        f"{title}. On {len(beat)} item{'s' if len(beat) != 1 else ''} a wrong answer drew "
        f"more students than the key; the widest margin was {top['item_id']}, where "
        f"{fmt_pct(top['option_pct'])} chose {top['option']} and {fmt_pct(top['key_pct'])} "
        f"the key {top['key']}."
    )
