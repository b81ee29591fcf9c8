"""Goals and annual targets (PIM step 2-A; DOMAIN.md, Goals and AMO trajectories).

For every entity x subject x group with a baseline, each of the framework's goal methods
gives a goal by a target year and the year-by-year targets on the way, and every year of
data after the baseline is checked against its target (on track or not). Computed in one
DuckDB query over a long *measure table* (``measure, year, entity_type, entity_id,
subject, group, n, value``, grade ``ALL``), so a state's worth of goals never passes
through a Python loop.

Formulas (B = baseline, T = top of the scale, K = years from baseline to target, k = years
since the baseline, f = the method's fraction):

- ``linear``: target_k = B + (T - B) k / K (PA PPI: (1.0 - index) / years to 2014);
- ``gap_fraction``: goal = B + f (T - B), target_k = B + f (T - B) k / K. Massachusetts,
  one-third in six years: B = 70 -> 80 in 2029 when the baseline is 2023, +1.667 a year;
- ``annual_gap_fraction``: target_k = T - (T - B)(1 - f)^k, i.e. each year adds f of the gap
  left (Tennessee p + (100 - p)/16: B = 68 -> 70 after one year, 71.875 after two).
"""

from __future__ import annotations

from kit._sql import ident, literal
from kit.frameworks.loader import PCT, Framework, GoalMethod
from kit.metrics.performance import KEYS

_ENTITY = ["entity_type", "entity_id", "subject", "group"]


def measures_long_sql(measures: list[str], *, perf: str = "perf", idx: str = "idx") -> str:
    """SQL: grade ``ALL`` values of each measure in long form (the goals' input)."""
    keys = ", ".join(ident(k) for k in KEYS if k != "grade")
    parts = []
    if PCT in measures:
        parts.append(
            f"SELECT '{PCT}' AS measure, {keys}, CAST(n_fay_tested AS BIGINT) AS n, "
            f"pct_proficient AS value FROM {perf} WHERE grade = 'ALL'"
        )
    models = [m for m in measures if m != PCT]
    if models:
        parts.append(
            f"SELECT model AS measure, {keys}, CAST(n AS BIGINT) AS n, value FROM {idx} "
            f"WHERE grade = 'ALL' AND model IN ({', '.join(literal(m) for m in models)})"
        )
    return "\nUNION ALL\n".join(parts)


def goal_measures(fw: Framework) -> list[str]:
    if fw.goals is None:
        return []
    return sorted({m.measure for m in fw.goals.methods.values()})


def resolve_baseline_year(fw: Framework, years: list[int]) -> int | None:
    """The baseline year of the goals: ``first`` or ``latest`` year of data, or a year."""
    if fw.goals is None or not years:
        return None
    by = fw.goals.baseline_year
    if by == "first":
        return min(years)
    if by == "latest":
        return max(years)
    return int(by)


def horizon(method: GoalMethod, baseline_year: int) -> int:
    """Years from the baseline to the goal (``years``, or ``target_year`` - baseline)."""
    return method.years if method.years is not None else int(method.target_year) - baseline_year


def target_at(
    kind: str, baseline: float, top: float, k: float, horizon_years: int, fraction: float | None
) -> float:
    """The target k years after the baseline (the formulas of the module docstring)."""
    if kind == "linear":
        return baseline + (top - baseline) * k / horizon_years
    if kind == "gap_fraction":
        return baseline + fraction * (top - baseline) * k / horizon_years
    if kind == "annual_gap_fraction":
        return top - (top - baseline) * (1.0 - fraction) ** k
    raise ValueError(f"unknown goal method kind {kind!r}")


def _target_sql(b: str, k: str) -> str:
    """SQL of :func:`target_at` over columns kind, top, horizon, fraction."""
    return (
        f"CASE kind WHEN 'linear' THEN {b} + (top - {b}) * ({k}) / horizon "
        f"WHEN 'gap_fraction' THEN {b} + fraction * (top - {b}) * ({k}) / horizon "
        f"ELSE top - (top - {b}) * power(1.0 - fraction, {k}) END"
    )


def goals_sql(fw: Framework, baseline_year: int, *, source: str = "_acc_measures") -> str | None:
    """SQL for the ``goals`` facts table over the long measure table ``source``.

    Columns: keys (``grade`` = ``ALL``), ``method``, ``label``, ``measure``, ``kind``,
    ``fraction`` (0 for linear), ``scale_top`` (the top of the scale), ``baseline_year``, ``baseline``, ``n_baseline``, ``target_year``, ``goal``,
    ``annual_targets`` (JSON list of [year, target], baseline year first), ``progress``
    (JSON list of [year, actual, target, on_track] for each later year with data),
    ``latest_year``, ``latest_value``, ``latest_target``, ``on_track`` (latest year),
    ``verified``. None when the framework has no goals.
    """
    if fw.goals is None:
        return None
    rows = []
    for mid, m in fw.goals.methods.items():
        k = horizon(m, baseline_year)
        if k <= 0:
            continue  # the target year is not after the baseline: nothing to plan
        top = m.goal if m.goal is not None else fw.measure_range(m.measure)[1]
        min_n = m.min_n or fw.goals.min_n or fw.reporting_min_n
        rows.append(
            f"({literal(mid)}, {literal(m.label)}, {literal(m.measure)}, {literal(m.kind)}, "
            f"{float(m.fraction or 0.0)!r}, {float(top)!r}, {int(k)}, {int(baseline_year)}, "
            f"{int(min_n)}, {str(bool(m.verified)).upper()})"
        )
    if not rows:
        return None
    tol = float(fw.goals.on_track_tolerance)
    on = " AND ".join(f'a."{c}" = g."{c}"' for c in _ENTITY)
    per_year = (
        "'[' || CAST(a.year AS VARCHAR) || ', ' || coalesce(CAST(a.value AS VARCHAR), "
        "'null') || ', ' || CAST(target AS VARCHAR) || ', ' || CASE WHEN a.value IS NULL "
        f"THEN 'null' WHEN a.value >= target - {tol!r} THEN 'true' ELSE 'false' END || ']'"
    )
    return f"""
    WITH m(method, label, measure, kind, fraction, top, horizon, baseline_year, min_n, verified)
         AS (VALUES {", ".join(rows)}),
    g AS (
        SELECT b.entity_type, b.entity_id, b.subject, 'ALL' AS grade, b."group", m.method,
               m.label, m.measure, m.kind, m.fraction, m.top, m.horizon, m.baseline_year,
               b.value AS baseline, b.n AS n_baseline,
               m.baseline_year + m.horizon AS target_year, m.verified
        FROM {source} b JOIN m ON b.measure = m.measure AND b.year = m.baseline_year
        WHERE b.n >= m.min_n AND b.value IS NOT NULL
    ),
    t AS (
        SELECT g.*, {_target_sql("baseline", "horizon")} AS goal,
               '[' || array_to_string(list_transform(range(0, horizon + 1), lambda k:
                   '[' || CAST(baseline_year + k AS VARCHAR) || ', '
                   || CAST({_target_sql("baseline", "k")} AS VARCHAR) || ']'), ', ') || ']'
               AS annual_targets
        FROM g
    ),
    p AS (
        SELECT g.method, {", ".join(f'g."{c}"' for c in _ENTITY)}, a.year, a.value,
               {_target_sql("g.baseline", "a.year - g.baseline_year")} AS target
        FROM g JOIN {source} a ON a.measure = g.measure AND {on}
             AND a.year > g.baseline_year AND a.year <= g.target_year
    ),
    pa AS (
        SELECT method, {", ".join(f'"{c}"' for c in _ENTITY)},
               '[' || string_agg({per_year.replace("a.year", "year").replace("a.value", "value")},
                                 ', ' ORDER BY year) || ']' AS progress,
               max(year) AS latest_year, arg_max(value, year) AS latest_value,
               arg_max(target, year) AS latest_target
        FROM p GROUP BY ALL
    )
    SELECT t.entity_type, t.entity_id, t.subject, t.grade, t."group", t.method, t.label,
           t.measure, t.kind, t.fraction, t.top AS scale_top, t.baseline_year, t.baseline,
           t.n_baseline, t.target_year, t.goal,
           t.annual_targets, coalesce(pa.progress, '[]') AS progress, pa.latest_year,
           pa.latest_value, pa.latest_target,
           pa.latest_value >= pa.latest_target - {tol!r} AS on_track, t.verified
    FROM t LEFT JOIN pa USING (method, {", ".join(f'"{c}"' for c in _ENTITY)})
    ORDER BY t.entity_type, t.entity_id, t.subject, t."group", t.method
    """
