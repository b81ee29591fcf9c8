"""Achievement levels by student group (PIM 0-B)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit.charts.style import (
    LEVEL_COLOURS,
    MUTED,
    RC,
    Chart,
    label_width_in,
    new_figure,
    set_margins,
)
from kit.fmt import fmt_pct


def plot_levels_by_group(
    view: pd.DataFrame,
    level_names: tuple[str, ...] | list[str],
    *,
    proficient_level: int,
    title: str,
) -> Chart:
    """Stacked horizontal bars: the share of each reported group at each achievement level.

    Suppressed groups are left out (the table and the sentence name them). The label at
    the end of each bar is the percent proficient or above, as in the table.
    """
    shown = view[~view["suppressed"]].reset_index(drop=True)
    k = len(level_names)
    colours = LEVEL_COLOURS.get(k) or plt.get_cmap("PuOr")(np.linspace(0.1, 0.9, k))
    height = 1.25 + 0.3 * max(len(shown), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height, layout=None)
        set_margins(fig, left=label_width_in(shown["label"]) + 0.2, right=0.1, top=0.38,
                    bottom=0.8)
        y = np.arange(len(shown))[::-1]
        left = np.zeros(len(shown))
        for lv in range(1, k + 1):
            share = shown[f"pct_l{lv}"].fillna(0).to_numpy()
            ax.barh(y, share, left=left, color=colours[lv - 1], edgecolor="white",
                    linewidth=0.6, label=level_names[lv - 1], height=0.72)
            for yi, (x0, w) in enumerate(zip(left, share, strict=True)):
                if w >= 9:
                    dark = colours[lv - 1] in ("#A6561B", "#1F5F99")
                    ax.text(x0 + w / 2, y[yi], f"{w:.0f}", ha="center", va="center",
                            fontsize=7.5, color="white" if dark else "#1A1A1A")
            left = left + share
        # Percent proficient+ to the right of each bar, inside the axes so the layout
        # engine leaves room for it.
        for yi, pct in enumerate(shown["pct_proficient"]):
            ax.text(101.5, y[yi], fmt_pct(pct, 0), va="center", fontsize=8, color="#1A1A1A")
        ax.text(101.5, len(shown) - 0.45, "proficient+", fontsize=7, color=MUTED, va="bottom")
        ax.set_yticks(y, shown["label"])
        ax.set_xlim(0, 113)
        ax.set_ylim(-0.6, len(shown) - 0.1)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.spines["bottom"].set_bounds(0, 100)
        ax.set_xlabel("Percent of accountable tested students")
        fig.suptitle(title, x=0.01, y=1 - 0.08 / height, ha="left", va="top", fontsize=10,
                     fontweight="bold")
        fig.legend(ncols=k, loc="lower center", bbox_to_anchor=(0.5, 0.0), frameon=False,
                   fontsize=8)
    return Chart(fig=fig, alt=_alt_text(shown, title), title=title)


def _alt_text(shown: pd.DataFrame, title: str) -> str:
    if shown.empty:
        return f"{title}: no group is large enough to report."
    all_rows = shown[shown["group"] == "all"]
    groups = shown[~shown["kind"].isin(["all", "complement"])].dropna(subset=["pct_proficient"])
    parts = [f"{title}."]
    if len(all_rows):
        parts.append(f"{fmt_pct(all_rows['pct_proficient'].iloc[0])} of all students scored "
                     "proficient or above.")
    if len(groups):
        low = groups.sort_values(["pct_proficient", "group"]).iloc[0]
        high = groups.sort_values(["pct_proficient", "group"]).iloc[-1]
        parts.append(f"Lowest: {low['label']} at {fmt_pct(low['pct_proficient'])}; "
                     f"highest: {high['label']} at {fmt_pct(high['pct_proficient'])}.")
    return " ".join(parts)
