"""MSIP 5 growth: a user-supplied growth table, or the kit's labelled proxy.

Missouri's growth points come from the Missouri Growth Model (EXT 12: a prediction of each
student's scale score from prior scores, averaged over the students of the LEA in the past
three years and tested statistically). The kit cannot reproduce it. Two inputs instead:

1. **A user's ``growth`` table** (docs/data.md): one row per year x entity x subject x group
   with ``estimate`` and ``std_error`` (or ``significance``, or a ready ``level``).
2. **The kit proxy** (:func:`growth_proxy`), used only when no table is given: each student's
   residual from a statewide regression of this year's scale score on last year's (per
   year, subject and tested grade), averaged over the entity's students and group for the
   last ``years`` years. Every row it produces carries the label
   "kit proxy, not the Missouri Growth Model".

:func:`growth_levels` turns either into Exceeding / On Track / Approaching / Floor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.frameworks.schema_msip import GrowthRule

GROWTH_COLUMNS = [
    "year",
    "entity_type",
    "entity_id",
    "subject",
    "group",
    "n",
    "estimate",
    "std_error",
    "source",
]
_LEVEL_WORDS = {
    "exceeding": "exceeding",
    "on_track": "on_track",
    "on track": "on_track",
    "on target": "on_track",
    "approaching": "approaching",
    "floor": "floor",
}
_SIGNIFICANCE = {"above": 1, "+1": 1, "1": 1, "not_different": 0, "0": 0, "below": -1, "-1": -1}


def in_super_subgroup(students: pd.DataFrame) -> pd.Series:
    """Black OR Hispanic OR low income OR ELL OR SWD: one flag per student (S002 "single count")."""
    race = students["race_ethnicity"].astype(str).str.upper().isin(["BL", "HI"])
    flags = [students[c].fillna(False).astype(bool) for c in ("low_income", "ell", "swd")]
    return race | flags[0] | flags[1] | flags[2]


def student_residuals(assessments: pd.DataFrame) -> pd.DataFrame:
    """Each student's residual on a statewide regression of current on prior scale score.

    Returns
    -------
    DataFrame
        ``year, student_id, subject, grade, score, prior_score, predicted, residual``.

    Notes
    -----
    For every year x subject x tested grade (statewide, all students with a general-test
    scale score this year and the year before): predicted = a + b x prior, b = cov(prior,
    score) / var(prior), a = mean(score) - b x mean(prior) (ordinary least squares; b = 0
    when the prior scores do not vary). residual = score - predicted.
    """
    scored = assessments[
        (assessments["participation"] == "TESTED")
        & (assessments["test_type"] == "GENERAL")
        & assessments["scale_score"].notna()
    ]
    cur = scored[["year", "student_id", "subject", "grade", "scale_score"]].rename(
        columns={"scale_score": "score"}
    )
    prior = scored[["year", "student_id", "subject", "scale_score"]].rename(
        columns={"scale_score": "prior_score"}
    )
    prior = prior.assign(year=prior["year"] + 1)
    pairs = cur.merge(prior, on=["year", "student_id", "subject"], how="inner")
    if pairs.empty:
        return pairs.assign(predicted=pd.Series(dtype=float), residual=pd.Series(dtype=float))
    keys = ["year", "subject", "grade"]
    g = pairs.groupby(keys)
    mx = g["prior_score"].transform("mean")
    my = g["score"].transform("mean")
    dx = pairs["prior_score"] - mx
    cov = (dx * (pairs["score"] - my)).groupby([pairs[k] for k in keys]).transform("mean")
    var = (dx * dx).groupby([pairs[k] for k in keys]).transform("mean")
    b = np.where(var > 0, cov / var.where(var > 0, 1.0), 0.0)
    predicted = my + b * dx
    return pairs.assign(predicted=predicted, residual=pairs["score"] - predicted)


def growth_proxy(
    students: pd.DataFrame,
    assessments: pd.DataFrame,
    *,
    years: int = 3,
    label: str = "kit proxy, not the Missouri Growth Model",
    super_subgroup: str = "super_subgroup",
) -> pd.DataFrame:
    """The kit's growth proxy per APR year x entity x subject x group (``all``, super subgroup).

    Returns
    -------
    DataFrame
        :data:`GROWTH_COLUMNS`: ``n`` residuals pooled over the APR year and the ``years - 1``
        before it, ``estimate`` = their mean (scale-score points above or below the
        statewide prediction), ``std_error`` = SD / sqrt(n), ``source`` = ``label``.

    Notes
    -----
    Not the Missouri Growth Model (EXT 12), which also models mobility and uses more than one
    prior score. The three-year pooling follows EXT 12 ("all students tested in the LEA over
    the past three years"). Each residual belongs to the school and district of record in
    its year; group membership is the student's in that year.
    """
    res = student_residuals(assessments)
    if res.empty:
        return pd.DataFrame(columns=GROWTH_COLUMNS)
    st = students[
        [
            "year",
            "student_id",
            "district_id",
            "school_id",
            "race_ethnicity",
            "low_income",
            "ell",
            "swd",
        ]
    ]
    res = res.merge(st, on=["year", "student_id"], how="inner")
    res["_super"] = in_super_subgroup(res)
    parts = []
    for etype, col in (("district", "district_id"), ("school", "school_id")):
        for grp, mask in (
            ("all", pd.Series(True, index=res.index)),
            (super_subgroup, res["_super"]),
        ):
            parts.append(
                res.loc[mask, ["year", "subject", "residual"]].assign(
                    entity_type=etype, entity_id=res.loc[mask, col].astype(str), group=grp
                )
            )
    long = pd.concat(parts, ignore_index=True)
    out = []
    for apr_year in sorted(long["year"].unique()):
        win = long[(long["year"] <= apr_year) & (long["year"] > apr_year - years)]
        agg = (
            win.groupby(["entity_type", "entity_id", "subject", "group"])["residual"]
            .agg(n="size", estimate="mean", sd=lambda s: s.std(ddof=1))
            .reset_index()
        )
        agg["std_error"] = agg["sd"] / np.sqrt(agg["n"])
        # residuals of a least-squares fit sum to zero: keep float dust (-1e-15) from reading
        # as "below expected growth" where the entity is the whole fitted population
        agg["estimate"] = agg["estimate"].round(9)
        out.append(agg.drop(columns="sd").assign(year=int(apr_year), source=label))
    return pd.concat(out, ignore_index=True)[GROWTH_COLUMNS]


def growth_levels(growth: pd.DataFrame, rule: GrowthRule) -> pd.DataFrame:
    """Add ``growth_level`` (exceeding / on_track / approaching / floor) to a growth table.

    Notes
    -----
    A ``level`` column is used as given. Otherwise, with z = ``rule.z`` ([UNKNOWN]: the MSIP
    5 growth thresholds are not known; 1.96 is a two-sided 95 % test): Exceeding when
    estimate - z x se > 0 (significantly above expected growth); On Track when estimate >= 0;
    Approaching when estimate + z x se >= 0 (not significantly below); Floor otherwise. With
    only ``significance`` (above / not_different / below): above -> Exceeding, below ->
    Floor, not different -> On Track if the estimate is >= 0 (or absent), else Approaching.
    """
    out = growth.copy()
    est = pd.to_numeric(out["estimate"], errors="coerce") if "estimate" in out else None
    se = pd.to_numeric(out["std_error"], errors="coerce") if "std_error" in out else None
    levels = pd.Series(None, index=out.index, dtype=object)
    if est is not None and se is not None:
        ok = est.notna() & se.notna()
        lo, hi = est - rule.z * se, est + rule.z * se
        calc = np.select(
            [lo > 0, est >= 0, hi >= 0], ["exceeding", "on_track", "approaching"], "floor"
        )
        levels[ok] = pd.Series(calc, index=out.index)[ok]
    if "significance" in out:
        sig = out["significance"].astype(str).str.strip().str.lower().map(_SIGNIFICANCE)
        e = est if est is not None else pd.Series(np.nan, index=out.index)
        calc = np.select(
            [sig == 1, sig == -1, e.fillna(0) >= 0],
            ["exceeding", "floor", "on_track"],
            "approaching",
        )
        fill = levels.isna() & sig.notna()
        levels[fill] = pd.Series(calc, index=out.index)[fill]
    if "level" in out:
        given = out["level"].astype(str).str.strip().str.lower().map(_LEVEL_WORDS)
        levels[given.notna()] = given[given.notna()]
    out["growth_level"] = levels
    if "source" not in out:
        out["source"] = "user growth table"
    out["source"] = out["source"].fillna("user growth table")
    return out
