"""Participation, percent proficient and achievement-level counts for every entity and group.

The one pass: every assessment row, joined to its student, is expanded to the groups the
student belongs to and counted under GROUPING SETS for school, district and state, each
grade and ``ALL``. Everything else (percentages, indexes, suppression) is arithmetic on
those counts, done by pure functions on the resulting DataFrame.
"""

from __future__ import annotations

import duckdb
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


def count_sql(*, n_levels: int, proficient_level: int, sublevel_cuts: dict[int, float]) -> str:
    """SQL counting students for every year x entity x subject x grade (and ALL) x group.

    The result has the keys of CONTRACT.md section 3 plus ``district_id`` and the counts
    ``n_enrolled``, ``n_tested``, ``n_fay_enrolled``, ``n_fay_tested``, ``n_proficient``,
    ``sum_scale``, ``n_scale`` and ``n_l{level}_{low|high}``. It reads the validated
    ``students`` and ``assessments`` tables.
    """
    level_cols = ",\n".join(
        f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in _level_count_columns(n_levels)
    )
    return f"""
    WITH base AS ({base_sql(sublevel_cuts)}),
    long AS (SELECT * EXCLUDE (groups), unnest(groups) AS grp FROM base)
    SELECT
        CAST(year AS BIGINT) AS year,
        CASE WHEN GROUPING(district_id) = 1 THEN 'state'
             WHEN GROUPING(school_id) = 1 THEN 'district' ELSE 'school' END AS entity_type,
        CASE WHEN GROUPING(district_id) = 1 THEN 'STATE'
             WHEN GROUPING(school_id) = 1 THEN district_id ELSE school_id END AS entity_id,
        subject,
        CASE WHEN GROUPING(grade) = 1 THEN 'ALL' ELSE grade END AS grade,
        grp AS "group",
        district_id,
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


def count_by_entity(
    con: duckdb.DuckDBPyConnection,
    *,
    n_levels: int,
    proficient_level: int,
    sublevel_cuts: dict[int, float],
) -> pd.DataFrame:
    """:func:`count_sql` run on ``con`` (validated ``students`` and ``assessments``), sorted."""
    sql = count_sql(
        n_levels=n_levels, proficient_level=proficient_level, sublevel_cuts=sublevel_cuts
    )
    return con.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").df()


def performance_sql(source: str, *, reporting_min_n: int) -> str:
    """SQL for the ``performance`` facts table from a counts relation named ``source``.

    Notes
    -----
    - ``participation_rate`` = 100 x tested / enrolled (all students expected to test).
    - ``pct_proficient`` = 100 x accountable tested at or above the proficient level /
      accountable tested (DOMAIN.md; accountable = tested and full academic year).
    - ``mean_scale_score`` over accountable students with a general-test scale score.
    - ``suppressed`` when accountable tested n < the framework's reporting minimum.
    """
    return f"""
    SELECT {", ".join(f'"{k}"' for k in KEYS)},
        n_enrolled, n_tested,
        100.0 * n_tested / nullif(n_enrolled, 0) AS participation_rate,
        n_fay_tested, n_proficient,
        100.0 * n_proficient / nullif(n_fay_tested, 0) AS pct_proficient,
        sum_scale / nullif(n_scale, 0) AS mean_scale_score,
        n_fay_tested < {int(reporting_min_n)} AS suppressed
    FROM {source}
    """


def level_counts_sql(source: str, *, n_levels: int) -> str:
    """SQL for the ``level_counts`` facts table: accountable tested students at each level."""
    keys = ", ".join(f'"{k}"' for k in KEYS)
    return "\nUNION ALL\n".join(
        f"SELECT {keys}, {lv} AS level, n_l{lv}_low + n_l{lv}_high AS n FROM {source}"
        for lv in range(1, n_levels + 1)
    )


def run_sql_on(frames: dict[str, pd.DataFrame], sql: str) -> pd.DataFrame:
    """Run ``sql`` over pandas frames registered under the given names (for small inputs)."""
    con = duckdb.connect()
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql).df()
    finally:
        con.close()


def performance_table(counts: pd.DataFrame, *, reporting_min_n: int) -> pd.DataFrame:
    """The ``performance`` facts table from a counts DataFrame (see :func:`performance_sql`)."""
    return run_sql_on(
        {"counts": counts}, performance_sql("counts", reporting_min_n=reporting_min_n)
    )


def level_counts_table(counts: pd.DataFrame, *, n_levels: int) -> pd.DataFrame:
    """The ``level_counts`` facts table from a counts DataFrame."""
    sql = level_counts_sql("counts", n_levels=n_levels)
    keys = ", ".join(f'"{k}"' for k in KEYS)
    return run_sql_on({"counts": counts}, f"SELECT * FROM ({sql}) ORDER BY {keys}, level")
