"""Participation, percent proficient and achievement-level counts for every entity and group.

The one pass: every assessment row, joined to its student, is expanded to the groups the
student belongs to and counted under GROUPING SETS for school, district and state, each
grade and ``ALL``. Everything else (percentages, indexes, suppression) is arithmetic on
those counts, done by pure functions on the resulting DataFrame.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from kit.metrics.groups import group_membership_sql

KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]


def _level_count_columns(n_levels: int) -> list[tuple[str, str]]:
    cols = []
    for lv in range(1, n_levels + 1):
        for half, cond in (("low", "NOT sub_high"), ("high", "sub_high")):
            cols.append((f"n_l{lv}_{half}", f"acct AND level = {lv} AND {cond}"))
    return cols


def base_sql(sublevel_cuts: dict[int, float]) -> str:
    """SQL for one row per assessment with the student's flags, groups and sublevel.

    Notes
    -----
    ``acct`` marks the accountable tested students: tested (participation TESTED) and in
    the school for the full academic year (``fay``). The HIGH half of a split level comes
    from ``achievement_sublevel`` when present, else from the framework's scale-score cut
    for that level; a student with neither counts in the LOW half (the conservative choice,
    written down in docs/metrics.md).
    """
    if sublevel_cuts:
        cut_case = " ".join(
            f"WHEN a.achievement_level = {lv} THEN a.scale_score >= {cut}"
            for lv, cut in sorted(sublevel_cuts.items())
        )
        derived = f"CASE {cut_case} ELSE NULL END"
    else:
        derived = "NULL"
    return f"""
        SELECT
            a.year, s.district_id, a.school_id, CAST(a.grade AS VARCHAR) AS grade, a.subject,
            a.participation = 'TESTED' AS tested,
            s.fay,
            a.participation = 'TESTED' AND s.fay AS acct,
            a.achievement_level AS level,
            coalesce(a.achievement_sublevel = 'HIGH', {derived}, FALSE) AS sub_high,
            CASE WHEN a.test_type = 'GENERAL' THEN a.scale_score END AS scale_score,
            {group_membership_sql()} AS groups
        FROM assessments a
        JOIN students s USING (year, student_id)
    """


def count_by_entity(
    con: duckdb.DuckDBPyConnection,
    *,
    n_levels: int,
    proficient_level: int,
    sublevel_cuts: dict[int, float],
) -> pd.DataFrame:
    """Count students for every year x entity x subject x grade (and ALL) x group.

    Parameters
    ----------
    con
        A connection holding validated ``students`` and ``assessments`` tables.
    n_levels, proficient_level, sublevel_cuts
        From the framework.

    Returns
    -------
    DataFrame
        The keys of CONTRACT.md section 3 and the counts ``n_enrolled``, ``n_tested``,
        ``n_fay_enrolled``, ``n_fay_tested``, ``n_proficient``, ``sum_scale``, ``n_scale``
        and ``n_l{level}_{low|high}``.
    """
    level_cols = ",\n".join(
        f"count(*) FILTER (WHERE {cond}) AS {name}"
        for name, cond in _level_count_columns(n_levels)
    )
    sql = f"""
    WITH base AS ({base_sql(sublevel_cuts)}),
    long AS (SELECT * EXCLUDE (groups), unnest(groups) AS grp FROM base)
    SELECT
        year, subject, grp AS "group", district_id, school_id, grade,
        GROUPING(district_id) AS g_district, GROUPING(school_id) AS g_school,
        GROUPING(grade) AS g_grade,
        count(*) AS n_enrolled,
        count(*) FILTER (WHERE tested) AS n_tested,
        count(*) FILTER (WHERE fay) AS n_fay_enrolled,
        count(*) FILTER (WHERE acct) AS n_fay_tested,
        count(*) FILTER (WHERE acct AND level >= {proficient_level}) AS n_proficient,
        sum(scale_score) FILTER (WHERE acct) AS sum_scale,
        count(scale_score) FILTER (WHERE acct) AS n_scale,
        {level_cols}
    FROM long
    GROUP BY GROUPING SETS (
        (year, subject, grp, district_id, school_id, grade),
        (year, subject, grp, district_id, school_id),
        (year, subject, grp, district_id, grade),
        (year, subject, grp, district_id),
        (year, subject, grp, grade),
        (year, subject, grp)
    )
    """
    df = con.execute(sql).df()
    entity_type = np.where(
        df["g_district"] == 1, "state", np.where(df["g_school"] == 1, "district", "school")
    )
    entity_id = np.where(
        entity_type == "state",
        "STATE",
        np.where(entity_type == "district", df["district_id"], df["school_id"]),
    )
    out = df.assign(
        entity_type=entity_type,
        entity_id=entity_id,
        grade=np.where(df["g_grade"] == 1, "ALL", df["grade"]),
    )
    count_cols = [c for c in out.columns if c.startswith("n_")] + ["sum_scale"]
    out = out[KEYS + ["district_id"] + count_cols]
    out["district_id"] = out["district_id"].where(out["entity_type"] != "state")
    ints = [c for c in count_cols if c.startswith("n_")]
    out[ints] = out[ints].astype("int64")
    out["year"] = out["year"].astype("int64")
    return out.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    return (100.0 * num / den.where(den > 0)).astype("float64")


def performance_table(counts: pd.DataFrame, *, reporting_min_n: int) -> pd.DataFrame:
    """The ``performance`` facts table from the counts.

    Notes
    -----
    - ``participation_rate`` = 100 x tested / enrolled (all students expected to test).
    - ``pct_proficient`` = 100 x accountable tested at or above the proficient level /
      accountable tested (DOMAIN.md; accountable = tested and full academic year).
    - ``mean_scale_score`` over accountable students with a general-test scale score.
    - ``suppressed`` when accountable tested n < the framework's reporting minimum.
    """
    return pd.DataFrame(
        {
            **{k: counts[k] for k in KEYS},
            "n_enrolled": counts["n_enrolled"],
            "n_tested": counts["n_tested"],
            "participation_rate": _pct(counts["n_tested"], counts["n_enrolled"]),
            "n_fay_tested": counts["n_fay_tested"],
            "n_proficient": counts["n_proficient"],
            "pct_proficient": _pct(counts["n_proficient"], counts["n_fay_tested"]),
            "mean_scale_score": counts["sum_scale"] / counts["n_scale"].where(counts["n_scale"] > 0),
            "suppressed": counts["n_fay_tested"] < reporting_min_n,
        }
    )


def level_counts_table(counts: pd.DataFrame, *, n_levels: int) -> pd.DataFrame:
    """The ``level_counts`` facts table: accountable tested students at each level."""
    frames = []
    for lv in range(1, n_levels + 1):
        frames.append(
            counts[KEYS].assign(
                level=lv, n=counts[f"n_l{lv}_low"] + counts[f"n_l{lv}_high"]
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(KEYS + ["level"], kind="stable")
        .reset_index(drop=True)
    )
