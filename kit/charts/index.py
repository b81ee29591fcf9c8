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
from kit.fmt import fmt_change, fmt_num, fmt_pct, fmt_points, shown_diff

_REAL_GROUPS = ("program", "race", "gender", "composite")
_MARKERS = ("o", "s", "D", "^")


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
    """
    shown = trend.sort_values("year")
    with plt.rc_context(RC):
        fig, ax = new_figure(6.0, 2.8)
        ax.plot(shown["year"], shown[value], marker="o", color=ACCENT, lw=2, label=label)
        for x, v in zip(shown["year"], shown[value], strict=True):
            if pd.notna(v):
                ax.annotate(
                    fmt_num(v),
                    (x, v),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=8,
                )
        if goal is not None and len(goal):
            ax.plot(
                goal["year"],
                goal["target"],
                ls="--",
                color=LEVEL_COLOURS[4][0],
                lw=1.4,
                marker="s",
                markersize=3,
                label="goal trajectory",
            )
        years = sorted(set(shown["year"]) | set(goal["year"] if goal is not None else []))
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylabel(label)
        ax.grid(axis="y", color="#e5e5e5")
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        ax.tick_params(axis="x", colors=MUTED)
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    points = shown.dropna(subset=[value])
    if len(points) >= 2:
        first, last = points.iloc[0], points.iloc[-1]
        alt = (
            f"{title}: {fmt_num(last[value])} in {int(last['year'])}, "
            f"{fmt_change(shown_diff(last[value], first[value]), str(int(first['year'])))}."
        )
    elif len(points) == 1:
        alt = f"{title}: {fmt_num(points.iloc[0][value])} in {int(points.iloc[0]['year'])}."
    else:
        alt = f"{title}: not reported (small group)."
    return Chart(fig, alt, title)


def plot_models(models: dict[str, pd.DataFrame], *, title: str) -> Chart:
    """Every level-point model's result as a share of its scale, one marker per subject.

    ``models`` maps a subject to :func:`kit.views.index.view_models`. Models on different scales
    (0-100, 0-200, 0-1, 100-500) become comparable as the share of the way from the bottom
    of each scale to the top. The framework's headline model is drawn first, in bold and on
    a shaded band. Grade-weighted proficiency indexes have no scale and are left to the
    table; suppressed results are left out.
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
    height = 1.1 + 0.27 * max(len(order), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height)
        y = {m: len(order) - 1 - i for i, m in enumerate(order["model"])}
        head = order[order["headline"].fillna(False).astype(bool)]
        for m in head["model"]:
            ax.axhspan(y[m] - 0.45, y[m] + 0.45, color="#E8EEF5", zorder=0)
        subjects = list(models)
        # Each subject on its own line within a model's row: close results never hide
        # one another (one colour and marker per subject, as in every chart).
        step = 0.8 / max(len(subjects), 1)
        for i, subject in enumerate(subjects):
            rows = data[data["subject"] == subject]
            offset = (len(subjects) - 1) / 2 * step - i * step
            ax.scatter(
                rows["share_of_range"],
                [y[m] + offset for m in rows["model"]],
                marker=SUBJECT_MARKERS.get(subject, _MARKERS[i % len(_MARKERS)]),
                s=34,
                color=subject_colour(subject, i),
                edgecolors="white",
                linewidths=0.5,
                zorder=3,
                label=SUBJECT_WORDS.get(subject, subject).capitalize(),
            )
        labels = [
            f"{n} (framework)" if h else n
            for n, h in zip(order["name"], order["headline"].fillna(False), strict=True)
        ]
        ax.set_yticks([y[m] for m in order["model"]], labels)
        for tick, h in zip(ax.get_yticklabels(), order["headline"].fillna(False), strict=True):
            if h:
                tick.set_fontweight("bold")
        # The axis starts a step below the lowest result (never above 50 %), so results a few
        # points apart are drawn apart instead of in one clump near the top of 0-100 %.
        lowest = float(data["share_of_range"].min()) if len(data) else 0.0
        lo = max(0, min(50, int((lowest - 5) // 10) * 10))
        tick_step = 10 if lo >= 50 else 20
        ticks = list(range(lo, 101, tick_step))
        ax.set_xlim(lo, 100)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.set_xticks(ticks, [f"{t}%" for t in ticks])
        ax.grid(axis="x", color="#e5e5e5")
        ax.set_axisbelow(True)
        ax.set_xlabel(
            f"Share of each model's scale (axis from {lo}%)"
            if lo
            else "Share of the way up each model's scale",
            loc="right",  # long model names squeeze the axes: centred, the label ran off the right
        )
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        if len(subjects) > 1:
            fig.legend(ncols=len(subjects), loc="outside lower center", frameon=False, fontsize=8)
    return Chart(fig, _models_alt(data, subjects, title), title)


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
