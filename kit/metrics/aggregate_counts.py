"""Published results (the aggregate table) -> the kit's ``counts`` relation.

The build's one pass over students (:func:`kit.metrics.performance.count_sql`) produces
counts per year x entity x subject x grade x group; everything after it (performance,
indexes, suppression, gaps, AYP, goals) is arithmetic on those counts. A state's published
file already holds such counts, or percents. This module turns validated aggregate rows
(:mod:`kit.data.aggregates`) into the same ``counts`` columns, so the rest of the build runs
unchanged, and fills what the source did not publish:

- **grade ALL** (:func:`grade_plan_sql`): per year and subject, a published ``ALL`` row is
  kept; else a grade span the source publishes for its groups (DESE's ``3-8``) *is* the
  all-grades row, its single grades are its parts, and grades outside it (10, HS) stand
  apart; else ALL is the sum of the single grades (a high-school test taken in one grade,
  ``HS``, is its own ALL);
- **district and state rows** (:func:`aggregate_rows_sql`): a row the source did not
  publish is the sum of its schools' (a state's: its districts') rows *with counts*; rows
  of percents only are never summed (their sizes are unknown);
- **counts**: every size column (students expected to test, tested, accountable tested) is
  the published ``n`` (students included), since published files give no other size; the
  level counts are the published ones, in the LOW half of each level (no sublevels).

Rows of percents only (Ohio) carry their percents in place of counts, per 100 students of
their base (``pct_base``), flagged ``percent_only``: every share and index computed from
them is right, and the build blanks their sizes afterwards (they are not counts).
"""

from __future__ import annotations

from kit.data.sql import literal, q

KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]
_K = ", ".join(q(k) for k in KEYS)

# Where a row of the built tables comes from (performance.origin, level_counts.origin).
ORIGINS = {
    "published": "published by the source (counts)",
    "published_percents": "published by the source as percents only (no counts)",
    "sum_of_grades": "the sum of the entity's published grade rows",
    "sum_of_schools": "the sum of the district's schools' published rows",
    "sum_of_districts": "the sum of the state's districts' rows",
}


def _levels(k: int, prefix: str) -> list[str]:
    return [f"{prefix}{j}" for j in range(1, k + 1)]


def source_rows_sql(*, scheme: str, n_levels: int) -> str:
    """The aggregate rows of one levels scheme, each marked ``counts`` (n and every level
    count given), ``percents`` (every level percent given) or NULL (neither: not used)."""
    counts = " AND ".join(f"{q(c)} IS NOT NULL" for c in ["n", *_levels(n_levels, "n_level_")])
    pcts = " AND ".join(f"{q(c)} IS NOT NULL" for c in _levels(n_levels, "pct_level_"))
    return f"""
    SELECT *, CASE WHEN {counts} THEN 'counts' WHEN {pcts} THEN 'percents' END AS row_kind
    FROM aggregates WHERE levels_scheme = {literal(scheme)}
    """


def grade_plan_sql(source: str) -> str:
    """One row per year x subject: how its all-grades row is made (``all_from``: ``ALL``
    published, a span such as ``3-8``, or ``sum``) and the span's bounds."""
    return f"""
    WITH g AS (SELECT DISTINCT year, subject, grade FROM {source}),
    spans AS (
        SELECT year, subject, min(grade) AS span, count(*) AS n_spans
        FROM g WHERE contains(grade, '-') GROUP BY ALL
    ),
    pub AS (SELECT DISTINCT year, subject FROM g WHERE grade = 'ALL')
    SELECT ys.year, ys.subject,
        CASE WHEN pub.year IS NOT NULL THEN 'ALL'
             WHEN spans.n_spans = 1 THEN spans.span ELSE 'sum' END AS all_from,
        CAST(split_part(spans.span, '-', 1) AS INTEGER) AS span_low,
        CAST(split_part(spans.span, '-', 2) AS INTEGER) AS span_high
    FROM (SELECT DISTINCT year, subject FROM g) ys
    LEFT JOIN spans USING (year, subject)
    LEFT JOIN pub USING (year, subject)
    """


def _part_of_all(grade: str) -> str:
    """SQL: whether a (mapped) grade row is one of the parts that add up to ALL."""
    single = f"regexp_full_match({grade}, '[0-9]+|HS')"
    return f"""CASE
        WHEN {grade} = 'ALL' THEN FALSE
        WHEN p.all_from = 'ALL' OR p.all_from = 'sum' THEN {single}
        ELSE {single} AND {grade} <> 'HS'
             AND TRY_CAST({grade} AS INTEGER) BETWEEN p.span_low AND p.span_high
    END"""


def aggregate_rows_sql(source: str, plan: str, *, n_levels: int) -> str:
    """Every row of the build, published or summed, with the grade ALL mapped.

    Columns: the keys, ``district_id``, ``entity_name``, ``district_name``, ``origin``
    (:data:`ORIGINS`), ``percent_only``, ``part_of_all`` (the row is one of the grades that
    add up to ALL), ``source_grade`` (the grade as published), ``n``, ``n_level_1..k``,
    ``pct_level_1..k``, ``pct_not_tested``, ``pct_base``, ``participation_rate``,
    ``sum_scale`` and ``n_scale`` (mean scale score x n and n, where published),
    ``source_file``, ``source_row`` and the published figures checked by the build
    (``published_*``).

    Notes
    -----
    Sums add counts only: n, each level count, and the scale-score total (kept only when
    every part has a published mean: the n-weighted mean of means rounded to one decimal is
    within 0.05 of the exact mean). Participation is not summed (published files give rates,
    not the students expected to test). A district or state row the source published is
    never replaced by a sum.
    """
    k = n_levels
    lv = _levels(k, "n_level_")
    pl = _levels(k, "pct_level_")
    published_cols = [
        "published_n_proficient",
        "published_pct_proficient",
        "published_index",
        "published_index_model",
    ]
    mapped_grade = "CASE WHEN s.grade = p.all_from THEN 'ALL' ELSE s.grade END"
    base_cols = (
        ", ".join(f"s.{q(c)}" for c in ["n", *lv, *pl, "pct_not_tested", "participation_rate"])
        + ", s.mean_scale_score * s.n AS sum_scale,"
        + " CASE WHEN s.mean_scale_score IS NOT NULL THEN s.n END AS n_scale"
    )
    pub = ", ".join(f"s.{q(c)}" for c in published_cols)
    nulls_pub = ", ".join(f"NULL AS {q(c)}" for c in published_cols)
    nulls_pct = ", ".join(f"NULL AS {q(c)}" for c in pl)

    def summed(alias: str) -> str:
        adds = ", ".join(f"sum({alias}.{q(c)}) AS {q(c)}" for c in ["n", *lv])
        return (
            f"{adds}, {nulls_pct}, NULL AS pct_not_tested, NULL AS participation_rate, "
            f"CASE WHEN count({alias}.sum_scale) = count(*) THEN sum({alias}.sum_scale) END "
            "AS sum_scale, "
            f"CASE WHEN count({alias}.sum_scale) = count(*) THEN sum({alias}.n) END AS n_scale"
        )

    cols = [
        *KEYS,
        "district_id",
        "entity_name",
        "district_name",
        "origin",
        "percent_only",
        "source_grade",
        "pct_base",
        "n",
        *lv,
        *pl,
        "pct_not_tested",
        "participation_rate",
        "sum_scale",
        "n_scale",
        "source_file",
        "source_row",
        *published_cols,
    ]
    out_cols = ", ".join(q(c) for c in cols)
    grp_keys = 'year, entity_type, entity_id, subject, grade, "group"'
    return f"""
    WITH pub AS (
        SELECT s.year, s.entity_type, s.entity_id, s.subject, {mapped_grade} AS grade,
            s."group", s.district_id, s.entity_name, s.district_name,
            CASE WHEN s.row_kind = 'counts' THEN 'published' ELSE 'published_percents' END
                AS origin,
            s.row_kind = 'percents' AS percent_only, s.grade AS source_grade, s.pct_base,
            {base_cols}, s.source_file, s.source_row, {pub}
        FROM {source} s JOIN {plan} p USING (year, subject)
        WHERE s.row_kind IS NOT NULL
    ),
    -- grade ALL as the sum of the single grades, where neither ALL nor one span is published
    by_grade AS (
        SELECT r.year, r.entity_type, r.entity_id, r.subject, 'ALL' AS grade, r."group",
            min(r.district_id) AS district_id, min(r.entity_name) AS entity_name,
            min(r.district_name) AS district_name, 'sum_of_grades' AS origin,
            FALSE AS percent_only, NULL AS source_grade, 'tested' AS pct_base,
            {summed("r")}, NULL AS source_file, NULL AS source_row, {nulls_pub}
        FROM pub r JOIN {plan} p USING (year, subject)
        WHERE p.all_from = 'sum' AND {_part_of_all("r.grade")}
        GROUP BY r.year, r.entity_type, r.entity_id, r.subject, r."group"
        HAVING bool_and(NOT r.percent_only)
    ),
    own AS (SELECT * FROM pub UNION ALL BY NAME SELECT * FROM by_grade),
    districts AS (
        SELECT r.year, 'district' AS entity_type, r.district_id AS entity_id, r.subject,
            r.grade, r."group", r.district_id, min(r.district_name) AS entity_name,
            min(r.district_name) AS district_name, 'sum_of_schools' AS origin,
            FALSE AS percent_only, NULL AS source_grade, 'tested' AS pct_base,
            {summed("r")}, NULL AS source_file, NULL AS source_row, {nulls_pub}
        FROM own r
        WHERE r.entity_type = 'school'
          AND NOT EXISTS (SELECT 1 FROM own d WHERE d.entity_type = 'district'
              AND d.entity_id = r.district_id AND d.year = r.year AND d.subject = r.subject
              AND d.grade = r.grade AND d."group" = r."group")
        GROUP BY r.year, r.district_id, r.subject, r.grade, r."group"
        HAVING bool_and(NOT r.percent_only)
    ),
    with_districts AS (SELECT * FROM own UNION ALL BY NAME SELECT * FROM districts),
    state AS (
        SELECT r.year, 'state' AS entity_type, 'STATE' AS entity_id, r.subject, r.grade,
            r."group", NULL AS district_id, 'State' AS entity_name, NULL AS district_name,
            'sum_of_districts' AS origin, FALSE AS percent_only, NULL AS source_grade,
            'tested' AS pct_base, {summed("r")}, NULL AS source_file, NULL AS source_row,
            {nulls_pub}
        FROM with_districts r
        WHERE r.entity_type = 'district'
          AND NOT EXISTS (SELECT 1 FROM own s WHERE s.entity_type = 'state'
              AND s.year = r.year AND s.subject = r.subject AND s.grade = r.grade
              AND s."group" = r."group")
        GROUP BY r.year, r.subject, r.grade, r."group"
        HAVING bool_and(NOT r.percent_only)
    )
    SELECT {out_cols}
    FROM (SELECT * FROM with_districts UNION ALL BY NAME SELECT * FROM state)
    ORDER BY {grp_keys}
    """


def aggregate_count_sql(rows: str, plan: str, *, n_levels: int, proficient_level: int) -> str:
    """The ``counts`` relation (the columns of :func:`kit.metrics.performance.count_sql`)
    from :func:`aggregate_rows_sql`, plus ``origin``, ``percent_only``, ``part_of_all``,
    ``n_published`` (the size to store: n, NULL for percents without n) and
    ``participation_published``.

    Notes
    -----
    Rows with counts: every size column is n (published files count the students included
    and nothing else), level j's count is ``n_l{j}_low`` (``n_l{j}_high`` = 0: no
    sublevels). Rows of percents: the percents are counts per 100 students of the base
    (``enrolled``: the not tested are 100 - tested; ``tested``: 100 tested), so that
    percent proficient = 100 x sum of the proficient levels' percents / the tested percent,
    and a level-points index over an enrolled denominator = sum of points x percent (the
    Ohio PI).
    """
    k = n_levels
    tested_pct = " + ".join(f"coalesce(pct_level_{j}, 0)" for j in range(1, k + 1))
    enrolled_pct = f"CASE WHEN pct_base = 'enrolled' THEN 100.0 ELSE ({tested_pct}) END"
    tested = f"CASE WHEN pct_base = 'enrolled' THEN 100.0 - coalesce(pct_not_tested, 0) ELSE ({tested_pct}) END"
    levels = ",\n        ".join(
        f"CASE WHEN percent_only THEN pct_level_{j} ELSE n_level_{j} END AS n_l{j}_low, "
        f"0 AS n_l{j}_high"
        for j in range(1, k + 1)
    )
    prof = " + ".join(
        f"CASE WHEN percent_only THEN pct_level_{j} ELSE n_level_{j} END"
        for j in range(proficient_level, k + 1)
    )
    participation = (
        "coalesce(r.participation_rate, CASE WHEN percent_only AND pct_base = 'enrolled' "
        "AND pct_not_tested IS NOT NULL THEN 100.0 - pct_not_tested END)"
    )
    return f"""
    SELECT CAST(r.year AS BIGINT) AS year, r.entity_type, r.entity_id, r.subject, r.grade,
        r."group", r.district_id,
        CASE WHEN percent_only THEN {enrolled_pct} ELSE n END AS n_enrolled,
        CASE WHEN percent_only THEN {tested} ELSE n END AS n_tested,
        CASE WHEN percent_only THEN {enrolled_pct} ELSE n END AS n_fay_enrolled,
        CASE WHEN percent_only THEN {tested} ELSE n END AS n_fay_tested,
        {prof} AS n_proficient,
        sum_scale, n_scale,
        {levels},
        origin, percent_only, {_part_of_all("r.grade")} AS part_of_all,
        CASE WHEN percent_only THEN NULL ELSE n END AS n_published,
        {participation} AS participation_published
    FROM {rows} r JOIN {plan} p USING (year, subject)
    """


def aggregate_performance_sql(counts: str) -> str:
    """The ``performance`` table from :func:`aggregate_count_sql`'s counts, with the sizes
    of percent-only rows blank and the published participation rate.

    Columns: those of :func:`kit.metrics.performance.performance_sql` and ``origin``.
    ``suppressed`` is decided afterwards by :func:`kit.protect.protect_results`.
    """
    return f"""
    SELECT {_K},
        n_published AS n_enrolled, n_published AS n_tested,
        participation_published AS participation_rate,
        n_published AS n_fay_tested,
        CASE WHEN percent_only THEN NULL ELSE n_proficient END AS n_proficient,
        100.0 * n_proficient / nullif(n_fay_tested, 0) AS pct_proficient,
        sum_scale / nullif(n_scale, 0) AS mean_scale_score,
        FALSE AS suppressed,
        origin
    FROM {counts}
    """


def aggregate_level_counts_sql(counts: str, rows: str, *, n_levels: int) -> str:
    """The ``level_counts`` table: ``n`` (blank for percent-only rows) and ``pct``, the
    percent the source published at that level (blank for summed rows), and ``origin``."""
    keys = ", ".join(f"c.{q(k)}" for k in KEYS)
    on = " AND ".join(f"r.{q(k)} = c.{q(k)}" for k in KEYS)
    return "\nUNION ALL\n".join(
        f"SELECT {keys}, {j} AS level, CASE WHEN c.percent_only THEN NULL ELSE "
        f"c.n_l{j}_low + c.n_l{j}_high END AS n, r.pct_level_{j} AS pct, c.origin "
        f"FROM {counts} c JOIN {rows} r ON {on}"
        for j in range(1, n_levels + 1)
    )


def blank_percent_sizes_sql(idx: str, counts: str) -> str:
    """``index_scores`` with ``n`` blank for rows of percents only (not a count)."""
    on = " AND ".join(f"c.{q(k)} = i.{q(k)}" for k in KEYS)
    return f"""
    SELECT i.* REPLACE (CASE WHEN c.percent_only THEN NULL ELSE i.n END AS n)
    FROM {idx} i LEFT JOIN {counts} c ON {on}
    """
