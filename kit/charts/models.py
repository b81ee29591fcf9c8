"""Charts of the accountability reports: one school under every index model, and the
high-needs gap school by school (seed 001: make the gaps prominent)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit.charts.style import ACCENT, LEVEL_COLOURS, MUTED, RC, TEXT, Chart, new_figure
from kit.fmt import fmt_gap, fmt_num, fmt_pct

_MARKERS = ("o", "s", "D", "^")
_SUBJECT_WORDS = {"ELA": "English language arts", "MATH": "mathematics", "SCI": "science"}


def plot_models(models: dict[str, pd.DataFrame], *, title: str) -> Chart:
    """Every level-point model's result as a share of its scale, one marker per subject.

    ``models`` maps a subject to :func:`kit.views.view_models`. Models on different scales
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
        order = (data.groupby(["model", "name"], sort=False)
                 .agg(headline=("headline", "max"), share=("share_of_range", "mean"))
                 .reset_index()
                 .sort_values(["headline", "share", "model"], ascending=[False, False, True])
                 .reset_index(drop=True))
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
        for i, subject in enumerate(subjects):
            rows = data[data["subject"] == subject]
            colour = [ACCENT, LEVEL_COLOURS[4][0], MUTED, TEXT][i % 4]
            ax.scatter(rows["share_of_range"], [y[m] for m in rows["model"]],
                       marker=_MARKERS[i % len(_MARKERS)], s=26, color=colour, zorder=3,
                       label=_SUBJECT_WORDS.get(subject, subject).capitalize())
        labels = [f"{n} (framework)" if h else n
                  for n, h in zip(order["name"], order["headline"].fillna(False), strict=True)]
        ax.set_yticks([y[m] for m in order["model"]], labels)
        for tick, h in zip(ax.get_yticklabels(), order["headline"].fillna(False), strict=True):
            if h:
                tick.set_fontweight("bold")
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.set_xticks([0, 20, 40, 60, 80, 100], ["0%", "20%", "40%", "60%", "80%", "100%"])
        ax.grid(axis="x", color="#e5e5e5")
        ax.set_axisbelow(True)
        ax.set_xlabel("Share of the way up each model's scale")
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
            ["share_of_range", "model"])
        word = _SUBJECT_WORDS.get(subject, subject).capitalize()
        if len(head) and len(others):
            h = head.iloc[0]
            parts.append(
                f"{word}: {fmt_pct(h['share_of_range'])} of the scale on the framework's "
                f"{h['name']} ({fmt_num(h['value'])}); the other models range from "
                f"{fmt_pct(others.iloc[0]['share_of_range'])} ({others.iloc[0]['name']}) to "
                f"{fmt_pct(others.iloc[-1]['share_of_range'])} ({others.iloc[-1]['name']}).")
        elif len(head):
            h = head.iloc[0]
            parts.append(f"{word}: {fmt_pct(h['share_of_range'])} of the scale on the "
                         f"framework's {h['name']} ({fmt_num(h['value'])}).")
    return " ".join(parts)


def plot_gaps_by_school(schools: pd.DataFrame, subjects: list[str], *, title: str,
                        value: str = "hn_gap", what: str = "High-needs students") -> Chart:
    """Horizontal bars of each school's high-needs gap to all students, one bar per subject.

    ``schools`` is :func:`kit.views_accountability.view_schools`. Schools where the group is
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
        span = max(float(np.nanmax(np.abs(gaps[value].to_numpy(dtype=float))))
                   if gaps[value].notna().any() else 1.0, 1.0)
        for i, subject in enumerate(subjects):
            rows = schools[schools["subject"] == subject].set_index("name").reindex(names)
            vals = rows[value].to_numpy(dtype=float)
            hidden = rows["hn_suppressed"].fillna(True).astype(bool).to_numpy()
            yy = base + (len(subjects) - 1) / 2 * bar - i * bar
            colour = [LEVEL_COLOURS[4][0], LEVEL_COLOURS[4][1], MUTED][i % 3]
            ax.barh(yy, np.where(hidden, 0, np.nan_to_num(vals)), height=bar * 0.9,
                    color=colour, label=_SUBJECT_WORDS.get(subject, subject).capitalize())
            for yi, v, h in zip(yy, vals, hidden, strict=True):
                if h or np.isnan(v):
                    ax.text(0, yi, "  not reported", va="center", ha="left", fontsize=7,
                            color=MUTED)
                else:
                    ax.text(v + (span * 0.02 if v >= 0 else -span * 0.02), yi, f"{v:+.1f}",
                            va="center", ha="left" if v >= 0 else "right", fontsize=7.5)
        ax.axvline(0, color=MUTED, lw=0.8)
        ax.set_xlim(-span * 1.3, span * 0.35 + 1)
        ax.set_yticks(base, names)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.set_xlabel("Points above (+) or below (-) all students at the school")
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        if len(subjects) > 1:
            fig.legend(ncols=len(subjects), loc="outside lower center", frameon=False, fontsize=8)
    return Chart(fig, _gaps_alt(schools, subjects, title, value, what), title)


def _gaps_alt(schools: pd.DataFrame, subjects: list[str], title: str, value: str,
              what: str) -> str:
    parts = [f"{title}."]
    for subject in subjects:
        rows = schools[(schools["subject"] == subject) & ~schools["hn_suppressed"]
                       & schools[value].notna()].sort_values([value, "name"])
        word = _SUBJECT_WORDS.get(subject, subject).capitalize()
        if rows.empty:
            parts.append(f"{word}: not reported at any school.")
            continue
        low = rows.iloc[0]
        if round(float(low[value]), 1) >= 0:
            parts.append(f"{word}: {what.lower()} are not behind all students at any school "
                         "where they are reported.")
            continue
        parts.append(f"{word}: {what.lower()} trail most at {low['name']}, "
                     f"{fmt_gap(low[value], 'all students')}"
                     + (f"; least at {rows.iloc[-1]['name']}, "
                        f"{fmt_gap(rows.iloc[-1][value], 'all students')}."
                        if len(rows) > 1 else "."))
    return " ".join(parts)
