"""Results over the years, with a goal trajectory when there is one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from kit.charts.style import ACCENT, LEVEL_COLOURS, MUTED, RC, Chart, new_figure
from kit.fmt import fmt_change, fmt_num


def plot_trend(
    trend: pd.DataFrame, *, value: str, label: str, title: str,
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
                ax.annotate(fmt_num(v), (x, v), textcoords="offset points", xytext=(0, 7),
                            ha="center", fontsize=8)
        if goal is not None and len(goal):
            ax.plot(goal["year"], goal["target"], ls="--", color=LEVEL_COLOURS[4][0], lw=1.4,
                    marker="s", markersize=3, label="goal trajectory")
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
        alt = (f"{title}: {fmt_num(last[value])} in {int(last['year'])}, "
               f"{fmt_change(last[value] - first[value], str(int(first['year'])))}.")
    elif len(points) == 1:
        alt = f"{title}: {fmt_num(points.iloc[0][value])} in {int(points.iloc[0]['year'])}."
    else:
        alt = f"{title}: not reported (small group)."
    return Chart(fig, alt, title)
