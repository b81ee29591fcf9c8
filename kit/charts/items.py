"""Item analysis charts (PIM step 3, Appendix B): item difference, standards, distractors.

Drawn for every school, so fixed margins (:func:`kit.charts.style.set_margins`), no layout
engine. Each returns a :class:`Chart` whose alt text states the main finding.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from kit.charts.style import ACCENT, MUTED, RC, TEXT, Chart, label_width_in, new_figure, set_margins
from kit.fmt import fmt_gap, fmt_pct
from kit.views_items import ItemTestView, distractors_beating_key

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
CATEGORY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                    "#F0E442", "#000000"]


def _category_colours(categories) -> dict[str, str]:
    cats = sorted({c if isinstance(c, str) else "(none)" for c in categories})
    return {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(cats)}


def _title(fig, title: str, height: float) -> None:
    fig.suptitle(title, x=0.01, y=1 - 0.08 / height, ha="left", va="top", fontsize=10,
                 fontweight="bold")


def plot_item_diff(view: ItemTestView, *, title: str) -> Chart:
    """One bar per reported item: the entity's percent correct minus the state's, sorted
    from furthest below to furthest above, coloured by reporting category. A dashed line
    marks the framework's "trails the state" threshold (PIM 3-A)."""
    shown = view.items[~view.items["suppressed"]].dropna(subset=["diff_vs_state"])
    shown = shown.sort_values(["diff_vs_state", "item_id"]).reset_index(drop=True)
    colours = _category_colours(shown["reporting_category"])
    height = 3.3
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height, layout=None)
        set_margins(fig, left=0.6, right=0.1, top=0.4, bottom=1.35)
        x = np.arange(len(shown))
        cats = shown["reporting_category"].fillna("(none)")
        ax.bar(x, shown["diff_vs_state"], color=[colours[c] for c in cats], width=0.75)
        ax.axhline(0, color=MUTED, linewidth=0.8)
        limit = view.rules.trails_state_by
        ax.axhline(-limit, color=TEXT, linewidth=0.8, linestyle="--")
        ax.text(len(shown) - 0.5, -limit, f"{limit:g} points below", ha="right", va="bottom",
                fontsize=7, color=TEXT)
        low = min(-limit - 2, float(shown["diff_vs_state"].min()) - 2) if len(shown) else -12
        high = max(5.0, float(shown["diff_vs_state"].max()) + 2) if len(shown) else 5
        ax.set_ylim(low, high)
        ax.set_xlim(-0.7, max(len(shown), 1) - 0.3)
        ax.set_xticks(x, shown["item_id"], rotation=90, fontsize=6.5)
        ax.set_ylabel("Points vs state")
        _title(fig, title, height)
        handles = [Patch(color=c, label=k) for k, c in colours.items()]
        fig.legend(handles=handles, ncols=min(3, max(len(handles), 1)), loc="lower center",
                   bbox_to_anchor=(0.5, 0.0), frameon=False, fontsize=7)
    return Chart(fig=fig, alt=_diff_alt(shown, view, title), title=title)


def _diff_alt(shown: pd.DataFrame, view: ItemTestView, title: str) -> str:
    if shown.empty:
        return f"{title}: too few students to report any item."
    below = shown[shown["diff_vs_state"].round(1) < 0]
    trails = shown[shown["diff_vs_state"] <= -view.rules.trails_state_by]
    first = shown.iloc[0]
    parts = [f"{title}. {len(below)} of {len(shown)} items were below the state"]
    parts[0] += (f", {len(trails)} by {view.rules.trails_state_by:g} points or more."
                 if len(trails) else ".")
    if len(below):
        parts.append(f"Furthest below: {first['item_id']}, "
                     f"{fmt_gap(first['diff_vs_state'], 'the state')}.")
    return " ".join(parts)


def plot_standards(view: ItemTestView, *, title: str, limit: int = 12) -> Chart:
    """One bar per reported standard: the entity's percent of points minus the state's,
    largest shortfall at the top, coloured by the standard's reporting category (PIM 3-C).
    At most ``limit`` standards (the weakest); the alt text counts all of them."""
    every = view.standards[~view.standards["suppressed"] & view.standards["category"].notna()]
    every = every.dropna(subset=["gap_vs_state"]).sort_values(["gap_vs_state", "category"])
    std = every.head(limit).reset_index(drop=True)
    cat_of = (view.items.dropna(subset=["standard"]).groupby("standard")["reporting_category"]
              .first())
    cats = std["category"].map(cat_of).fillna("(none)")
    colours = _category_colours(view.items["reporting_category"])
    height = 1.25 + 0.19 * max(len(std), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height, layout=None)
        set_margins(fig, left=label_width_in(std["category"], 8) + 0.25, right=0.9, top=0.4,
                    bottom=0.75)
        y = np.arange(len(std))[::-1]
        ax.barh(y, std["gap_vs_state"], color=[colours.get(c, MUTED) for c in cats],
                height=0.7)
        ax.axvline(0, color=MUTED, linewidth=0.8)
        span = float(np.nanmax(np.abs(std["gap_vs_state"]))) if len(std) else 5.0
        span = max(span, 5.0) * 1.15
        ax.set_xlim(-span, span)
        for yi, pct in enumerate(std["pct_earned"]):
            ax.text(span * 1.02, y[yi], fmt_pct(pct, 0), va="center", fontsize=7,
                    color=TEXT, clip_on=False)
        if len(std):
            ax.text(span * 1.02, len(std) - 0.4, "% of points", fontsize=6.5, color=MUTED,
                    va="bottom", clip_on=False)
        ax.set_yticks(y, std["category"], fontsize=8)
        ax.set_ylim(-0.6, len(std) - 0.2)
        ax.set_xlabel("Percent of points: school minus state (points)")
        _title(fig, title, height)
        handles = [Patch(color=colours[c], label=c) for c in dict.fromkeys(cats) if c in colours]
        fig.legend(handles=handles, ncols=min(3, max(len(handles), 1)), loc="lower center",
                   bbox_to_anchor=(0.5, 0.0), frameon=False, fontsize=7)
    return Chart(fig=fig, alt=_standards_alt(every, title), title=title)


def _standards_alt(std: pd.DataFrame, title: str) -> str:
    if std.empty:
        return f"{title}: no standard has enough students to report."
    low = std.iloc[0]
    below = int((std["gap_vs_state"].round(1) < 0).sum())
    return (f"{title}. {below} of {len(std)} standards were below the state; the largest "
            f"shortfall was {low['category']}, {fmt_gap(low['gap_vs_state'], 'the state')}.")


def plot_distractors(view: ItemTestView, *, title: str, limit: int = 6) -> Chart:
    """For each MC item where a wrong answer drew more students than the key (at most
    ``limit``): the share choosing each option, the key in blue and the leading wrong
    answer in orange (PIM 3-B)."""
    beat = distractors_beating_key(view).head(limit)
    opts = view.options[~view.options["suppressed"] & view.options["item_id"].isin(
        beat["item_id"])]
    order = ["A", "B", "C", "D", "BLANK"]
    height = 1.15 + 0.42 * max(len(beat), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height, layout=None)
        set_margins(fig, left=0.75, right=0.15, top=0.4, bottom=0.7)
        y = np.arange(len(beat))[::-1]
        for yi, rec in zip(y, beat.to_dict("records"), strict=True):
            rows = opts[opts["item_id"] == rec["item_id"]].set_index("option")
            left = 0.0
            for opt in order:
                if opt not in rows.index:
                    continue
                pct = float(rows.loc[opt, "pct"])
                if opt == rec["key"]:
                    colour, ink = ACCENT, "white"
                elif opt == rec["option"]:
                    colour, ink = "#D55E00", "white"
                else:
                    colour, ink = "#D9D9D9", TEXT
                ax.barh(yi, pct, left=left, color=colour, edgecolor="white", height=0.7)
                if pct >= 7:
                    label = "blank" if opt == "BLANK" else opt
                    ax.text(left + pct / 2, yi, f"{label} {pct:.0f}", ha="center",
                            va="center", fontsize=7, color=ink)
                left += pct
        ax.set_yticks(y, beat["item_id"])
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, max(len(beat), 1) - 0.4)
        ax.set_xlabel("Percent of students choosing each answer")
        _title(fig, title, height)
        handles = [Patch(color=ACCENT, label="correct answer (key)"),
                   Patch(color="#D55E00", label="most chosen wrong answer"),
                   Patch(color="#D9D9D9", label="other answers, blank")]
        fig.legend(handles=handles, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 0.0),
                   frameon=False, fontsize=7)
    return Chart(fig=fig, alt=_distractor_alt(beat, title), title=title)


def _distractor_alt(beat: pd.DataFrame, title: str) -> str:
    if beat.empty:
        return f"{title}: on every item the correct answer was the most chosen."
    top = beat.iloc[0]
    return (f"{title}. On {len(beat)} item{'s' if len(beat) != 1 else ''} a wrong answer drew "
            f"more students than the key; the widest margin was {top['item_id']}, where "
            f"{fmt_pct(top['option_pct'])} chose {top['option']} and {fmt_pct(top['key_pct'])} "
            f"the key {top['key']}.")
