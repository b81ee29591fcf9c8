"""Performance and proficiency indexes (CCSSO index paper, seed 004, Table 4).

Two kinds, both pure functions of the counts from :mod:`kit.metrics.performance`:

- *level points*: each accountable student earns the points of their level (or half
  level); the index is the mean, times a scale.
- *proficiency index*: the grade-weighted difference between percent proficient and each
  grade's AMO (Alabama, Washington, Iowa, Wyoming).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kit._sql import ident, literal
from kit.metrics.performance import KEYS, run_sql_on

_KEYS_SQL = ", ".join(ident(k) for k in KEYS)


def _lit(x: float) -> str:
    return repr(float(x))


def level_points_sql(
    source: str,
    *,
    model: str,
    points: Mapping[int, float | tuple[float, float]],
    denominator: str = "tested",
    not_tested_points: float = 0.0,
    scale: float = 1.0,
    reporting_min_n: int = 10,
) -> str:
    """SQL: the index under one level-points model for every row of a counts relation.

    Parameters
    ----------
    source
        A relation with the counts of :func:`kit.metrics.performance.count_sql`.
    points
        Points for each level; a ``(low, high)`` pair for a level split into halves.
    denominator
        ``"tested"``: accountable tested students. ``"enrolled"``: accountable students
        expected to test, the not-tested earning ``not_tested_points``.

    Notes
    -----
    value = scale x (sum over levels of n_level x points_level) / n. Worked examples from
    seed 004: New York 5/40/40/15 % at 0/100/200/200 gives 150; South Carolina 100 at
    Below Basic 1 (25), 200 at Below Basic 2 (50), 100 at Basic (75), 300 at
    Proficient/Advanced (100) gives 50,000 / 700 = 71.4. Missouri MPI: 25 students at each
    of 100/300/400/500 gives 325 (MO DESE).
    """
    terms = []
    for level, pts in sorted(points.items()):
        low, high = pts if isinstance(pts, tuple | list) else (pts, pts)
        terms.append(f"n_l{int(level)}_low * {_lit(low)} + n_l{int(level)}_high * {_lit(high)}")
    numerator = " + ".join(terms)
    if denominator == "enrolled":
        n = "n_fay_enrolled"
        numerator += f" + (n_fay_enrolled - n_fay_tested) * {_lit(not_tested_points)}"
    elif denominator == "tested":
        n = "n_fay_tested"
    else:
        raise ValueError(f"denominator must be 'tested' or 'enrolled', not {denominator!r}")
    return f"""
    SELECT {_KEYS_SQL}, {literal(model)} AS model, CAST({n} AS BIGINT) AS n,
        CASE WHEN {n} > 0 THEN {_lit(scale)} * ({numerator}) / {n} END AS value,
        {n} < {int(reporting_min_n)} AS suppressed
    FROM {source}
    """


def level_step(
    points: Mapping[int, float | tuple[float, float]],
    proficient_level: int,
    *,
    scale: float = 1.0,
    denominator: str = "tested",
) -> float | None:
    """The fewest index points a student gains by moving up one level below proficient.

    For a split level the move is from the high half of a level to the low half of the
    next (the CPI: Warning/Failing high 25 -> Needs Improvement low 50, Needs Improvement
    high 75 -> Proficient 100: 25 points either way), so k students moving up one level
    raise the index by *at least* k x step / n. None for a model whose denominator is not
    the tested students (the not-tested change n too) or whose points never rise.
    """
    if denominator != "tested":
        return None

    def low(p):
        return float(p[0] if isinstance(p, list | tuple) else p)

    def high(p):
        return float(p[1] if isinstance(p, list | tuple) else p)

    pts = {int(k): v for k, v in points.items()}
    steps = [
        float(scale) * (low(pts[lv + 1]) - high(pts[lv]))
        for lv in range(1, proficient_level)
        if lv in pts and lv + 1 in pts
    ]
    steps = [s for s in steps if s > 0]
    return min(steps) if steps else None


def level_points_index(counts: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`level_points_sql` on a counts DataFrame: keys, ``model``, ``n``, ``value``,
    ``suppressed`` (value NaN where n = 0)."""
    return run_sql_on({"counts": counts}, level_points_sql("counts", **kwargs))


def proficiency_index_sql(
    source: str,
    *,
    model: str,
    amo_by_grade: Mapping[str, Mapping[int, float]],
    reporting_min_n: int = 10,
) -> str:
    """SQL: the grade-weighted proficiency index from a ``performance`` relation.

    A grade row's value is pct_proficient_g - AMO_g; the ``ALL`` row's is the n-weighted
    mean of its grades that have an AMO and tested students.

    Notes
    -----
    value = sum over grades g of (n_g / N) x (pct_proficient_g - AMO_g), N = sum of n_g over
    the grades with an AMO and tested students; >= 0 means the AMO is met. Seed 004,
    Alabama: grade 4 +5 (n 20) and grade 5 -15 (n 30) give 0.4 x 5 + 0.6 x -15 = -7.
    """
    amo_rows = [
        f"({literal(str(subj))}, {literal(str(int(g)))}, {_lit(v)})"
        for subj, grades in amo_by_grade.items()
        for g, v in grades.items()
    ] or ["(NULL, NULL, NULL)"]
    group_keys = ", ".join(ident(k) for k in KEYS if k != "grade")
    return f"""
    WITH amo(subject, grade, amo) AS (VALUES {", ".join(amo_rows)}),
    g AS (
        SELECT {", ".join(f'p."{k}"' for k in KEYS)}, CAST(p.n_fay_tested AS BIGINT) AS n,
               p.pct_proficient - amo.amo AS value
        FROM {source} p JOIN amo ON p.subject = amo.subject AND p.grade = amo.grade
        WHERE p.n_fay_tested > 0
    )
    SELECT {_KEYS_SQL}, {literal(model)} AS model, n, value,
           n < {int(reporting_min_n)} AS suppressed FROM g
    UNION ALL
    SELECT year, entity_type, entity_id, subject, 'ALL' AS grade, "group", {literal(model)},
           sum(n), sum(value * n) / sum(n), sum(n) < {int(reporting_min_n)}
    FROM g GROUP BY {group_keys}
    """


def proficiency_index(performance: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`proficiency_index_sql` on a ``performance`` DataFrame, sorted by the keys."""
    sql = proficiency_index_sql("performance", **kwargs)
    return run_sql_on({"performance": performance}, f"SELECT * FROM ({sql}) ORDER BY {_KEYS_SQL}")
