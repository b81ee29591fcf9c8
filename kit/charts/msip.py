"""The MSIP 5 APR chart: points earned against points possible, standard by standard (SVG)."""

from __future__ import annotations

import pandas as pd

from kit.charts.style import ACCENT, MUTED, TEXT, Chart
from kit.charts.svg import PT_PER_IN as IN
from kit.charts.svg import Scale, Svg, fit, label_margin
from kit.fmt import fmt_compact, fmt_num, fmt_pct
from kit.views.msip import apr_standards

_POSSIBLE = "#D9D9D9"


def plot_apr_standards(apr: pd.DataFrame, *, title: str) -> Chart:
    """Horizontal bars: each standard's points possible (grey) and earned (blue), labelled
    "earned of possible" as the tables print them. Standards without data are left out."""
    rows = apr_standards(apr)
    rows = rows[rows["possible"] > 0].reset_index(drop=True)
    labels = [f"{r['standard']} {r['standard_name']}" for r in rows.to_dict("records")]
    n = len(rows)
    svg = Svg(7.0, 0.45 + 0.34 * max(n, 1) + 0.15)
    left = label_margin(labels, 9, svg.w)
    top, bottom = 0.45 * IN, svg.h - 0.15 * IN
    most = float(rows["possible"].max()) if n else 1.0
    x = Scale(0, most * 1.35, left, svg.w - 0.1 * IN)
    y = Scale(-0.6, n - 0.4, bottom, top)
    half = 0.3 * (y(0) - y(1)) if n > 1 else 8
    svg.title(title)
    for i, rec in enumerate(rows.to_dict("records")):
        yi = y(n - 1 - i)
        svg.text(left - 4, yi, fit(labels[i], 9, left - 6), size=9, anchor="end", fill=TEXT)
        svg.rect(x(0), yi - half, x(rec["possible"]) - x(0), 2 * half, _POSSIBLE)
        svg.rect(x(0), yi - half, x(rec["earned"]) - x(0), 2 * half, ACCENT, cls="bar")
        svg.text(
            x(rec["possible"]) + 4,
            yi,
            f"{fmt_num(rec['earned'])} of {fmt_compact(rec['possible'])}",
            size=8,
            anchor="start",
            fill=MUTED,
        )
    return svg.chart(title, _alt(rows, title))


def _alt(rows: pd.DataFrame, title: str) -> str:
    if rows.empty:
        return f"{title}: no standard has data."
    parts = [
        f"Standard {r['standard']} {fmt_num(r['earned'])} of {fmt_compact(r['possible'])} "
        f"({fmt_pct(r['percent'])})"
        for r in rows.to_dict("records")
    ]
    return f"{title}: " + "; ".join(parts) + "."


__all__ = ["plot_apr_standards"]
