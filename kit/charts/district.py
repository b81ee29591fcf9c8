"""Charts of the district summary: the high-needs gap school by school (seed 001: make the
gaps prominent)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit.charts.style import (
    MUTED,
    RC,
    SUBJECT_HATCHES,
    SUBJECT_WORDS,
    Chart,
    new_figure,
    subject_colour,
)
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
    the gap as the table shows it.
    """
    names = list(dict.fromkeys(schools["name"]))
    height = 1.0 + 0.22 * max(len(names), 1) * max(len(subjects), 1)
    bar = 0.8 / max(len(subjects), 1)
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, height)
        base = np.arange(len(names))[::-1]
        gaps = schools[schools["subject"].isin(subjects)]
        span = max(
            float(np.nanmax(np.abs(gaps[value].to_numpy(dtype=float))))
            if gaps[value].notna().any()
            else 1.0,
            1.0,
        )
        for i, subject in enumerate(subjects):
            rows = schools[schools["subject"] == subject].set_index("name").reindex(names)
            vals = rows[value].to_numpy(dtype=float)
            hidden = rows["hn_suppressed"].fillna(True).astype(bool).to_numpy()
            yy = base + (len(subjects) - 1) / 2 * bar - i * bar
            # One colour and hatch per subject, as in every chart that compares subjects.
            ax.barh(
                yy,
                np.where(hidden, 0, np.nan_to_num(vals)),
                height=bar * 0.9,
                color=subject_colour(subject, i),
                hatch=SUBJECT_HATCHES.get(subject, ""),
                edgecolor="white",
                linewidth=0,
                label=SUBJECT_WORDS.get(subject, subject).capitalize(),
            )
            for yi, v, h in zip(yy, vals, hidden, strict=True):
                if h or np.isnan(v):
                    ax.text(
                        0, yi, "  not reported", va="center", ha="left", fontsize=7, color=MUTED
                    )
                else:
                    ax.text(
                        v + (span * 0.02 if v >= 0 else -span * 0.02),
                        yi,
                        f"{v:+.1f}",
                        va="center",
                        ha="left" if v >= 0 else "right",
                        fontsize=7.5,
                    )
        ax.axvline(0, color=MUTED, lw=0.8)
        ax.set_xlim(-span * 1.3, span * 0.35 + 1)
        ax.set_yticks(base, names)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.set_xlabel("Points above (+) or below (-) all students at the school")
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        if len(subjects) > 1:
            fig.legend(ncols=len(subjects), loc="outside lower center", frameon=False, fontsize=8)
    return Chart(fig, _gaps_alt(schools, subjects, title, value, what), title)


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
