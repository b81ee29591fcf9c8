"""Charts of groups against each other: index by group with a target, gaps to all students."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit.charts.style import ACCENT, LEVEL_COLOURS, MUTED, RC, Chart, new_figure
from kit.fmt import fmt_num, fmt_points

_REAL_GROUPS = ("program", "race", "gender", "composite")


def plot_index_by_group(
    view: pd.DataFrame, *, model_name: str, title: str, target: float | None = None,
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
            ax.text(target, len(shown) - 0.35, f" {target_label} {fmt_num(target)}",
                    color=ACCENT, fontsize=8, va="bottom")
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
        parts.append(f"{n_below} of {len(shown)} reported groups are below the "
                     f"{target_label} of {fmt_num(target)}.")
    if len(groups):
        parts.append(f"Lowest: {groups.iloc[0]['label']} at {fmt_num(groups.iloc[0]['index'])}.")
    return " ".join(parts)


def plot_gaps(view: pd.DataFrame, *, title: str, column: str = "gap_pct") -> Chart:
    """Bars of each reported group's gap to all students (points), largest gaps first."""
    shown = view[~view["suppressed"] & view["kind"].isin(_REAL_GROUPS)
                 & view[column].notna()].sort_values(column, kind="stable").reset_index(drop=True)
    height = 0.9 + 0.3 * max(len(shown), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height)
        y = np.arange(len(shown))[::-1]
        gaps = shown[column].to_numpy(dtype=float)
        colours = np.where(gaps < 0, LEVEL_COLOURS[4][0], LEVEL_COLOURS[4][3])
        ax.barh(y, gaps, color=colours, height=0.7)
        span = max(np.abs(gaps).max() if len(gaps) else 1.0, 1.0)
        for yi, g in zip(y, gaps, strict=True):
            ax.text(g + (span * 0.02 if g >= 0 else -span * 0.02), yi, f"{g:+.1f}",
                    va="center", ha="left" if g >= 0 else "right", fontsize=8)
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
        alt = (f"{title}. The widest gap: {low['label']}, "
               f"{fmt_points(low[column])} {'below' if low[column] < 0 else 'above'} all students.")
    return Chart(fig, alt, title)
