"""Charts of the district summary: the high-needs gap school by school (seed 001: make the
gaps prominent)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.charts.style import (
    MUTED,
    SUBJECT_HATCHES,
    SUBJECT_WORDS,
    Chart,
    subject_colour,
)
from kit.charts.svg import (
    AXIS_BELOW,
    Scale,
    Svg,
    fit,
    label_margin,
    legend_row,
    tick_room,
    value_axis,
)
from kit.charts.svg import PT_PER_IN as IN
from kit.fmt import fmt_gap


def plot_gaps_by_school(
    schools: pd.DataFrame,
    subjects: list[str],
    *,
    title: str,
    value: str = "hn_gap",
    what: str = "High-needs students",
) -> Chart:
    """Horizontal bars of each school's high-needs gap to all students, one bar per subject.

    ``schools`` is :func:`kit.views.district.view_schools`. Schools where the group is
    not reported are listed with no bar and "not reported" beside them; the value label is
    the gap as the table shows it. Written as SVG (:mod:`kit.charts.svg`).
    """
    names = list(dict.fromkeys(schools["name"]))
    k = max(len(subjects), 1)
    bar = 0.8 / k
    legend = len(subjects) > 1
    below = AXIS_BELOW + (legend_row(8) + 6 if legend else 0)
    svg = Svg(7.0, 1.0 + 0.22 * max(len(names), 1) * k)
    left = label_margin(names, 9, svg.w)
    right, top, bottom = svg.w - 0.1 * IN, 0.38 * IN, svg.h - below
    gaps = schools[schools["subject"].isin(subjects)]
    span = max(
        float(np.nanmax(np.abs(gaps[value].to_numpy(dtype=float))))
        if gaps[value].notna().any()
        else 1.0,
        1.0,
    )
    x = Scale(-span * 1.3, span * 0.35 + 1, left, right)
    y = Scale(-0.6, len(names) - 0.4, bottom, top)
    half = bar * 0.9 / 2 * (y(0) - y(1))
    base = np.arange(len(names))[::-1]
    swatches = []
    for i, subject in enumerate(subjects):
        rows = schools[schools["subject"] == subject].set_index("name").reindex(names)
        vals = rows[value].to_numpy(dtype=float)
        hidden = rows["hn_suppressed"].fillna(True).astype(bool).to_numpy()
        yy = base + (len(subjects) - 1) / 2 * bar - i * bar
        # One colour and hatch per subject, as in every chart that compares subjects.
        fill = svg.hatch(str(subject), subject_colour(subject, i), SUBJECT_HATCHES.get(subject, ""))
        swatches.append((SUBJECT_WORDS.get(subject, subject).capitalize(), fill))
        for yi, v, h in zip(yy, vals, hidden, strict=True):
            if h or np.isnan(v):
                svg.text(x(0) + 7 * 0.58 * 2, y(yi), "not reported", size=7, fill=MUTED)
                continue
            svg.rect(x(0), y(yi) - half, x(v) - x(0), 2 * half, fill, cls="bar")
            svg.text(
                x(v + (span * 0.02 if v >= 0 else -span * 0.02)),
                y(yi),
                f"{v:+.1f}",
                size=7.5,
                anchor="start" if v >= 0 else "end",
            )
    svg.line(x(0), top, x(0), bottom, stroke=MUTED, width=0.8)
    for yi, name in zip(base, names, strict=True):
        svg.line(left - 3.5, y(yi), left, y(yi))
        svg.text(left - 5, y(yi), fit(name, 9, left - 8), anchor="end")
    svg.line(left, top, left, bottom, cls="spine")
    value_axis(
        svg,
        x,
        at=bottom,
        vertical=False,
        label="Points above (+) or below (-) all students at the school",
        most=tick_room(right - left),
    )
    svg.title(title)
    if legend:
        svg.legend(swatches, bottom=8, columns=len(swatches), size=8)
    return svg.chart(title, _gaps_alt(schools, subjects, title, value, what))


def _gaps_alt(schools: pd.DataFrame, subjects: list[str], title: str, value: str, what: str) -> str:
    parts = [f"{title}."]
    for subject in subjects:
        rows = schools[
            (schools["subject"] == subject) & ~schools["hn_suppressed"] & schools[value].notna()
        ].sort_values([value, "name"])
        word = SUBJECT_WORDS.get(subject, subject).capitalize()
        if rows.empty:
            parts.append(f"{word}: not reported at any school.")
            continue
        low = rows.iloc[0]
        if round(float(low[value]), 1) >= 0:
            parts.append(
                f"{word}: {what.lower()} are not behind all students at any school "
                "where they are reported."
            )
            continue
        parts.append(
            f"{word}: {what.lower()} trail most at {low['name']}, "
            f"{fmt_gap(low[value], 'all students')}"
            + (
                f"; least at {rows.iloc[-1]['name']}, "
                f"{fmt_gap(rows.iloc[-1][value], 'all students')}."
                if len(rows) > 1
                else "."
            )
        )
    return " ".join(parts)
