"""Performance and proficiency indexes (CCSSO index paper, seed 004, Table 4).

Two kinds, both pure functions of the counts from :mod:`kit.metrics.performance`:

- *level points*: each accountable student earns the points of their level (or half
  level); the index is the mean, times a scale.
- *proficiency index*: the grade-weighted difference between percent proficient and each
  grade's AMO (Alabama, Washington, Iowa, Wyoming).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kit.metrics.performance import KEYS


def level_points_index(
    counts: pd.DataFrame,
    *,
    model: str,
    points: Mapping[int, float | tuple[float, float]],
    denominator: str = "tested",
    not_tested_points: float = 0.0,
    scale: float = 1.0,
    reporting_min_n: int = 10,
) -> pd.DataFrame:
    """Index value for every row of ``counts`` under one level-points model.

    Parameters
    ----------
    counts
        Output of :func:`kit.metrics.performance.count_by_entity` (``n_l{k}_{low|high}``).
    points
        Points for each level; a ``(low, high)`` pair for a level split into halves.
    denominator
        ``"tested"``: accountable tested students. ``"enrolled"``: accountable students
        expected to test, the not-tested earning ``not_tested_points``.

    Returns
    -------
    DataFrame
        Keys, ``model``, ``n``, ``value`` (NaN where n = 0) and ``suppressed``.

    Notes
    -----
    value = scale x (sum over levels of n_level x points_level) / n. Worked examples from
    seed 004: New York 5/40/40/15 % at 0/100/200/200 gives 150; South Carolina 100 at
    Below Basic 1 (25), 200 at Below Basic 2 (50), 100 at Basic (75), 300 at
    Proficient/Advanced (100) gives 50,000 / 700 = 71.4. Missouri MPI: 25 students at each
    of 100/300/400/500 gives 325 (MO DESE).
    """
    numerator = np.zeros(len(counts))
    for level, pts in points.items():
        low, high = pts if isinstance(pts, tuple | list) else (pts, pts)
        numerator = numerator + counts[f"n_l{level}_low"].to_numpy() * low
        numerator = numerator + counts[f"n_l{level}_high"].to_numpy() * high
    if denominator == "enrolled":
        n = counts["n_fay_enrolled"].to_numpy()
        numerator = numerator + (n - counts["n_fay_tested"].to_numpy()) * not_tested_points
    elif denominator == "tested":
        n = counts["n_fay_tested"].to_numpy()
    else:
        raise ValueError(f"denominator must be 'tested' or 'enrolled', not {denominator!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n > 0, scale * numerator / np.where(n > 0, n, 1), np.nan)
    return pd.DataFrame(
        {
            **{k: counts[k].to_numpy() for k in KEYS},
            "model": model,
            "n": n.astype("int64"),
            "value": value,
            "suppressed": n < reporting_min_n,
        }
    )


def proficiency_index(
    performance: pd.DataFrame,
    *,
    model: str,
    amo_by_grade: Mapping[str, Mapping[int, float]],
    reporting_min_n: int = 10,
) -> pd.DataFrame:
    """Grade-weighted proficiency index for every key with at least one grade that has an AMO.

    Parameters
    ----------
    performance
        The ``performance`` table (``pct_proficient``, ``n_fay_tested`` by grade).
    amo_by_grade
        ``{subject: {grade: AMO percent}}``.

    Returns
    -------
    DataFrame
        Keys, ``model``, ``n``, ``value`` and ``suppressed``. A grade row's value is
        pct_proficient_g - AMO_g; the ``ALL`` row's is the n-weighted mean of its grades.

    Notes
    -----
    value = sum over grades g of (n_g / N) x (pct_proficient_g - AMO_g), N = sum of n_g over
    the grades with an AMO and tested students; >= 0 means the AMO is met. Seed 004,
    Alabama: grade 4 +5 (n 20) and grade 5 -15 (n 30) give 0.4 x 5 + 0.6 x -15 = -7.
    """
    amo = pd.DataFrame(
        [
            {"subject": subj, "grade": str(g), "amo": float(v)}
            for subj, grades in amo_by_grade.items()
            for g, v in grades.items()
        ],
        columns=["subject", "grade", "amo"],
    )
    grades = performance[performance["grade"] != "ALL"].merge(amo, on=["subject", "grade"])
    grades = grades[grades["n_fay_tested"] > 0]
    grade_rows = grades[KEYS].assign(
        n=grades["n_fay_tested"].astype("int64"),
        value=(grades["pct_proficient"] - grades["amo"]).to_numpy(),
    )
    weighted = grade_rows.assign(w=grade_rows["value"] * grade_rows["n"])
    group_keys = [k for k in KEYS if k != "grade"]
    totals = weighted.groupby(group_keys, as_index=False, sort=False)[["w", "n"]].sum()
    all_rows = totals[group_keys].assign(
        grade="ALL", n=totals["n"].astype("int64"), value=totals["w"] / totals["n"]
    )[KEYS + ["n", "value"]]
    out = pd.concat([grade_rows, all_rows], ignore_index=True)
    out.insert(len(KEYS), "model", model)
    out["suppressed"] = out["n"] < reporting_min_n
    return out.sort_values(KEYS, kind="stable").reset_index(drop=True)
