"""Charts of the index and accountability report: each group's index against its target,
gaps to all students, results over the years with the goal trajectory, and one school under
every index model."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit.charts.style import (
    ACCENT,
    LEVEL_COLOURS,
    MUTED,
    RC,
    SUBJECT_MARKERS,
    SUBJECT_WORDS,
    Chart,
    new_figure,
    subject_colour,
)
from kit.charts.svg import (
    AXIS_BELOW,
    Scale,
    Svg,
    fit,
    legend_row,
    nice_ticks,
    text_width,
    tick_room,
    value_axis,
)
from kit.charts.svg import PT_PER_IN as IN
from kit.fmt import fmt_change, fmt_num, fmt_pct, fmt_points, shown_diff

_REAL_GROUPS = ("program", "race", "gender", "composite")
_MARKERS = ("o", "s", "D", "^")
GRID = "#E5E5E5"  # grid lines, as the matplotlib charts drew them
BAND = "#E8EEF5"  # the framework's own model, shaded


def plot_index_by_group(
    view: pd.DataFrame,
    *,
    model_name: str,
    title: str,
    target: float | None = None,
    target_label: str = "target",
) -> Chart:
    """Horizontal bars of each reported group's index, with the target as a line.

    Bars below the target are drawn in the below-proficient colour; the label at the end of
    each bar is the value as in the table.
    """
    shown = view[~view["suppressed"] & view["index"].notna()].reset_index(drop=True)
    height = 0.9 + 0.3 * max(len(shown), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height)
        y = np.arange(len(shown))[::-1]
        values = shown["index"].to_numpy(dtype=float)
        below = values < target if target is not None else np.zeros(len(values), bool)
        colours = np.where(below, LEVEL_COLOURS[4][1], LEVEL_COLOURS[4][2])
        ax.barh(y, values, color=colours, edgecolor="white", height=0.7)
        top = max([*values, target or 0, 1.0])
        for yi, v in zip(y, values, strict=True):
            ax.text(v + top * 0.01, yi, fmt_num(v), va="center", fontsize=8)
        if target is not None:
            ax.axvline(target, color=ACCENT, lw=1.4, ls="--")
            ax.text(
                target,
                len(shown) - 0.35,
                f" {target_label} {fmt_num(target)}",
                color=ACCENT,
                fontsize=8,
                va="bottom",
            )
        ax.set_yticks(y, shown["label"])
        ax.set_xlim(0, top * 1.12)
        ax.set_ylim(-0.6, len(shown) + 0.2)
        ax.set_xlabel(model_name)
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    return Chart(fig, _index_alt(shown, title, target, target_label), title)


def _index_alt(shown: pd.DataFrame, title: str, target, target_label: str) -> str:
    if shown.empty:
        return f"{title}: no group is large enough to report."
    parts = [f"{title}."]
    groups = shown[shown["kind"].isin(_REAL_GROUPS)].sort_values(["index", "group"])
    if target is not None:
        n_below = int((shown["index"] < target).sum())
        parts.append(
            f"{n_below} of {len(shown)} reported groups are below the "
            f"{target_label} of {fmt_num(target)}."
        )
    if len(groups):
        parts.append(f"Lowest: {groups.iloc[0]['label']} at {fmt_num(groups.iloc[0]['index'])}.")
    return " ".join(parts)


def plot_gaps(view: pd.DataFrame, *, title: str, column: str = "gap_pct") -> Chart:
    """Bars of each reported group's gap to all students (points), largest gaps first."""
    shown = (
        view[~view["suppressed"] & view["kind"].isin(_REAL_GROUPS) & view[column].notna()]
        .sort_values(column, kind="stable")
        .reset_index(drop=True)
    )
    height = 0.9 + 0.3 * max(len(shown), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height)
        y = np.arange(len(shown))[::-1]
        gaps = shown[column].to_numpy(dtype=float)
        colours = np.where(gaps < 0, LEVEL_COLOURS[4][0], LEVEL_COLOURS[4][3])
        ax.barh(y, gaps, color=colours, height=0.7)
        span = max(np.abs(gaps).max() if len(gaps) else 1.0, 1.0)
        for yi, g in zip(y, gaps, strict=True):
            ax.text(
                g + (span * 0.02 if g >= 0 else -span * 0.02),
                yi,
                f"{g:+.1f}",
                va="center",
                ha="left" if g >= 0 else "right",
                fontsize=8,
            )
        ax.axvline(0, color=MUTED, lw=0.8)
        ax.set_xlim(-span * 1.25, span * 1.25)
        ax.set_yticks(y, shown["label"])
        ax.set_ylim(-0.6, len(shown) - 0.4)
        ax.set_xlabel("Points above (+) or below (-) all students")
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    if shown.empty:
        alt = f"{title}: no group is large enough to report."
    else:
        low = shown.iloc[0]
        alt = (
            f"{title}. The widest gap: {low['label']}, "
            f"{fmt_points(low[column])} {'below' if low[column] < 0 else 'above'} all students."
        )
    return Chart(fig, alt, title)


def plot_trend(
    trend: pd.DataFrame,
    *,
    value: str,
    label: str,
    title: str,
    goal: pd.DataFrame | None = None,
) -> Chart:
    """A line of ``value`` by ``year`` (suppressed years left as gaps), and the goal's targets.

    ``goal``, if given, has columns ``year`` and ``target`` (the trajectory to the goal).
    Written as SVG (:mod:`kit.charts.svg`).
    """
    shown = trend.sort_values("year")
    goal = goal if goal is not None and len(goal) else None
    svg = Svg(6.0, 2.8)
    left, right, top, bottom = 0.62 * IN, svg.w - 0.06 * IN, 0.36 * IN, svg.h - 0.3 * IN
    years = sorted(
        {int(y) for y in shown["year"]}
        | ({int(y) for y in goal["year"]} if goal is not None else set())
    )
    values = [float(v) for v in shown[value] if pd.notna(v)]
    if goal is not None:
        values += [float(v) for v in goal["target"] if pd.notna(v)]
    # Limits as matplotlib sets them: the data's range and 5 % of it on each side.
    y0, y1 = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (y1 - y0) * 0.05 if y1 > y0 else max(abs(y0) * 0.05, 0.5)
    x0, x1 = (years[0], years[-1]) if years else (0, 1)
    xpad = (x1 - x0) * 0.05 if x1 > x0 else 0.5
    x = Scale(x0 - xpad, x1 + xpad, left, right)
    y = Scale(y0 - pad, y1 + pad, bottom, top)
    ticks = [t for t in nice_ticks(y.d0, y.d1, tick_room(bottom - top, vertical=True))]
    for t in ticks:
        svg.line(left, y(t), right, y(t), stroke=GRID, width=0.8, cls="grid")
    if goal is not None:
        goal_colour = LEVEL_COLOURS[4][0]
        pts = [
            (x(int(yr)), y(float(t)))
            for yr, t in zip(goal["year"], goal["target"], strict=True)
            if pd.notna(t)
        ]
        svg.polyline(pts, stroke=goal_colour, width=1.4, dash="5.18 2.24", cls="goal")
        for px, py in pts:
            svg.marker(px, py, "s", 3, goal_colour)
    # The line breaks at a hidden (suppressed) year, as matplotlib leaves a gap at NaN.
    run: list[tuple[float, float]] = []
    points = []
    for yr, v in zip(shown["year"], shown[value], strict=True):
        if pd.isna(v):
            svg.polyline(run, stroke=ACCENT, width=2, cls="trend")
            run = []
            continue
        run.append((x(int(yr)), y(float(v))))
        points.append((run[-1], float(v)))
    svg.polyline(run, stroke=ACCENT, width=2, cls="trend")
    for (px, py), v in points:
        svg.marker(px, py, "o", 6, ACCENT)
        svg.text(px, py - 7, fmt_num(v), size=8, anchor="middle", middle=False)
    value_axis(
        svg,
        y,
        at=left,
        vertical=True,
        label=label,
        label_at=left - 36,
        ticks=ticks,
    )
    value_axis(
        svg,
        x,
        at=bottom,
        vertical=False,
        ticks=[float(yr) for yr in years],
        labels=[str(yr) for yr in years],
        colour=MUTED,
    )
    # The legend, lower right inside the axes, without a frame.
    entries: list[tuple[str, str, str, float, float, str | None]] = [
        (label, ACCENT, "o", 6, 2.0, None)
    ]
    if goal is not None:
        entries.append(("goal trajectory", LEVEL_COLOURS[4][0], "s", 3, 1.4, "5.18 2.24"))
    width = max(text_width(e[0], 8) for e in entries) + 16 + 6.4
    lx = right - 4 - width
    for i, (name, colour, shape, size, lw, dash) in enumerate(reversed(entries)):
        ly = bottom - 4 - 6 - i * 12.4
        svg.line(lx, ly, lx + 16, ly, stroke=colour, width=lw, dash=dash)
        svg.marker(lx + 8, ly, shape, size, colour)
        svg.text(lx + 22.4, ly, name, size=8)
    svg.title(title)
    pts_shown = shown.dropna(subset=[value])
    if len(pts_shown) >= 2:
        first, last = pts_shown.iloc[0], pts_shown.iloc[-1]
        alt = (
            f"{title}: {fmt_num(last[value])} in {int(last['year'])}, "
            f"{fmt_change(shown_diff(last[value], first[value]), str(int(first['year'])))}."
        )
    elif len(pts_shown) == 1:
        alt = f"{title}: {fmt_num(pts_shown.iloc[0][value])} in {int(pts_shown.iloc[0]['year'])}."
    else:
        alt = f"{title}: not reported (small group)."
    return svg.chart(title, alt)


def plot_models(models: dict[str, pd.DataFrame], *, title: str) -> Chart:
    """Every level-point model's result as a share of its scale, one marker per subject.

    ``models`` maps a subject to :func:`kit.views.index.view_models`. Models on different scales
    (0-100, 0-200, 0-1, 100-500) become comparable as the share of the way from the bottom
    of each scale to the top. The framework's headline model is drawn first, in bold and on
    a shaded band. Grade-weighted proficiency indexes have no scale and are left to the
    table; suppressed results are left out. Written as SVG (:mod:`kit.charts.svg`).
    """
    frames = []
    for subject, view in models.items():
        shown = view[~view["suppressed"] & view["share_of_range"].notna()]
        frames.append(shown.assign(subject=subject))
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(data):
        # The framework's model on top, then the others from the highest share to the lowest.
        order = (
            data.groupby(["model", "name"], sort=False)
            .agg(headline=("headline", "max"), share=("share_of_range", "mean"))
            .reset_index()
            .sort_values(["headline", "share", "model"], ascending=[False, False, True])
            .reset_index(drop=True)
        )
    else:
        order = pd.DataFrame(columns=["model", "name", "headline"])
    subjects = list(models)
    n = len(order)
    heads = [bool(h) for h in order["headline"].fillna(False)]
    labels = [f"{nm} (framework)" if h else nm for nm, h in zip(order["name"], heads, strict=True)]
    legend = len(subjects) > 1
    below = AXIS_BELOW + (legend_row(8) + 6 if legend else 0)
    svg = Svg(7.0, 1.1 + 0.27 * max(n, 1))
    # Bold labels run about a sixth wider than regular ones.
    widest = max(
        (text_width(t, 9) * (1.18 if h else 1.0) for t, h in zip(labels, heads, strict=True)),
        default=0.0,
    )
    left = min(widest + 0.2 * IN, 0.65 * svg.w)
    right, top, bottom = svg.w - 0.25 * IN, 0.38 * IN, svg.h - below
    # The axis starts a step below the lowest result (never above 50 %), so results a few
    # points apart are drawn apart instead of in one clump near the top of 0-100 %.
    lowest = float(data["share_of_range"].min()) if len(data) else 0.0
    lo = max(0, min(50, int((lowest - 5) // 10) * 10))
    tick_step = 10 if lo >= 50 else 20
    ticks = list(range(lo, 101, tick_step))
    x = Scale(lo, 100, left, right)
    y = Scale(-0.6, n - 0.4, bottom, top)
    rows = {m: n - 1 - i for i, m in enumerate(order["model"])}
    for m, h in zip(order["model"], heads, strict=True):
        if h:
            svg.rect(
                left, y(rows[m] + 0.45), right - left, y(rows[m] - 0.45) - y(rows[m] + 0.45), BAND
            )
    for t in ticks:
        svg.line(x(t), top, x(t), bottom, stroke=GRID, width=0.8, cls="grid")
    # Each subject on its own line within a model's row: close results never hide
    # one another (one colour and marker per subject, as in every chart).
    step = 0.8 / max(len(subjects), 1)
    marks = []
    for i, subject in enumerate(subjects):
        part = data[data["subject"] == subject] if len(data) else data
        offset = (len(subjects) - 1) / 2 * step - i * step
        shape = SUBJECT_MARKERS.get(subject, _MARKERS[i % len(_MARKERS)])
        colour = subject_colour(subject, i)
        marks.append((SUBJECT_WORDS.get(subject, subject).capitalize(), colour, shape))
        for share, m in zip(part.get("share_of_range", []), part.get("model", []), strict=True):
            svg.marker(
                x(float(share)),
                y(rows[m] + offset),
                shape,
                5.83,
                colour,
                edge="#FFFFFF",
                cls="point",
            )
    for m, text, h in zip(order["model"], labels, heads, strict=True):
        yi = y(rows[m])
        svg.line(left - 3.5, yi, left, yi)
        svg.text(left - 5, yi, fit(text, 9, left - 8), anchor="end", bold=h)
    svg.line(left, top, left, bottom, cls="spine")
    value_axis(
        svg,
        x,
        at=bottom,
        vertical=False,
        ticks=[float(t) for t in ticks],
        labels=[f"{t}%" for t in ticks],
    )
    svg.text(
        right,
        bottom + 24,
        f"Share of each model's scale (axis from {lo}%)"
        if lo
        else "Share of the way up each model's scale",
        anchor="end",
    )
    svg.title(title)
    if legend:
        _marker_legend(svg, marks, bottom=8)
    return svg.chart(title, _models_alt(data, subjects, title))


def _marker_legend(svg: Svg, marks: list[tuple[str, str, str]], *, bottom: float) -> None:
    """One row of marker and label per subject, centred (as ``fig.legend`` below a chart)."""
    size = 8
    widths = [text_width(label, size) + 3.2 * size for label, _, _ in marks]
    x0 = (svg.w - sum(widths) + 1.5 * size) / 2
    yy = svg.h - bottom
    for (label, colour, shape), w in zip(marks, widths, strict=True):
        svg.marker(x0 + 0.65 * size, yy, shape, 5.83, colour)
        svg.text(x0 + size * 1.7, yy, label, size=size)
        x0 += w


def _models_alt(data: pd.DataFrame, subjects: list[str], title: str) -> str:
    if data.empty:
        return f"{title}: no result is large enough to report."
    parts = [f"{title}."]
    for subject in subjects:
        rows = data[data["subject"] == subject]
        head = rows[rows["headline"].fillna(False).astype(bool)]
        others = rows[~rows["headline"].fillna(False).astype(bool)].sort_values(
            ["share_of_range", "model"]
        )
        word = SUBJECT_WORDS.get(subject, subject).capitalize()
        if len(head) and len(others):
            h = head.iloc[0]
            parts.append(
                f"{word}: {fmt_pct(h['share_of_range'])} of the scale on the framework's "
                f"{h['name']} ({fmt_num(h['value'])}); the other models range from "
                f"{fmt_pct(others.iloc[0]['share_of_range'])} ({others.iloc[0]['name']}) to "
                f"{fmt_pct(others.iloc[-1]['share_of_range'])} ({others.iloc[-1]['name']})."
            )
        elif len(head):
            h = head.iloc[0]
            parts.append(
                f"{word}: {fmt_pct(h['share_of_range'])} of the scale on the "
                f"framework's {h['name']} ({fmt_num(h['value'])})."
            )
    return " ".join(parts)
