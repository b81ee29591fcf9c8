"""Subgroup analysis: gaps, cross-tabulations and group rankings (PIM 0-B, 0-C, 1-A, 1-B).

- :func:`group_gaps_sql`: each group's percent proficient and index beside all students,
  its complement, its district and the state, with the gaps in points (PIM 0-B).
- :func:`crosstab_sql`: counts of students in every combination of two or three groups
  (low income x ELL x SWD by default), with margins, per school, district and state (0-C).
- :func:`group_ranking`: groups ordered from lowest to highest on a measure, flagging the
  lowest-performing groups (1-A) and the targeted groups (1-B).

Figures are stored unsuppressed like every facts table; :mod:`kit.metrics.suppression`
decides what a report may show (:func:`~kit.metrics.suppression.suppress_group_gaps`,
:func:`~kit.metrics.suppression.suppress_crosstab`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kit._sql import ident, literal
from kit.metrics.groups import GROUPS

_BY_ID = {g.id: g for g in GROUPS}
_ON = ("year", "entity_type", "entity_id", "subject", "grade")


def complement_pairs() -> list[tuple[str, str]]:
    """(group, its defined complement) both ways, e.g. (swd, non_swd) and (non_swd, swd)."""
    out = []
    for g in GROUPS:
        if g.complement:
            out += [(g.complement, g.id), (g.id, g.complement)]
    return out


# The gap columns of group_gaps: the group's figure minus a comparison's, over the row's
# own columns; the store computes them when a report reads them (docs/metrics.md).
GROUP_GAPS_DERIVED: dict[str, str] = {
    f"gap_{who}_{short}": f"{col} - {who}_{col}"
    for who in ("all", "complement", "district", "state")
    for short, col in (("pct", "pct_proficient"), ("index", "index_value"))
}


def group_gaps_sql(
    *,
    measure: str,
    reporting_min_n: int,
    perf: str = "perf",
    idx: str = "idx",
    counts: str = "counts",
) -> str:
    """SQL for the ``group_gaps`` facts table (every key of ``performance``).

    Columns beyond the keys: ``measure`` (the index model), ``n``, ``pct_proficient``,
    ``index_value``; ``all_*`` and ``gap_all_pct`` / ``gap_all_index`` (group minus all
    students); ``complement_group`` (the defined complement, e.g. ``non_swd``, or
    ``not_<group>`` = all students outside the group), ``complement_*`` and
    ``gap_complement_*`` (group minus complement); ``district_id``, ``district_*`` and
    ``gap_district_*`` (school rows: group minus the same group in its district);
    ``state_*`` and ``gap_state_*``; ``suppressed`` (n below the reporting minimum).

    Notes
    -----
    A complement without its own row is all students minus the group: n = n_all - n_g,
    pct = 100 (prof_all - prof_g) / (n_all - n_g), index = (I_all N_all - I_g N_g) /
    (N_all - N_g) with N the index's denominator. Gaps are in points (percentage points for
    percent proficient, index points for the index): positive = the group is ahead.
    """
    pairs = ", ".join(f"('{a}', '{b}')" for a, b in complement_pairs())
    same = " AND ".join(f'{{t}}."{k}" = g."{k}"' for k in _ON)
    same_group = " AND ".join(
        f'{{t}}."{k}" = g."{k}"' for k in ("year", "subject", "grade", "group")
    )

    def block(prefix: str, alias: str) -> str:
        return (
            f"{alias}.n AS {prefix}_n, {alias}.pct_proficient AS {prefix}_pct_proficient, "
            f"{alias}.index_value AS {prefix}_index_value, "
            f"g.pct_proficient - {alias}.pct_proficient AS gap_{prefix}_pct, "
            f"g.index_value - {alias}.index_value AS gap_{prefix}_index"
        )

    return f"""
    WITH g AS (
        SELECT p.year, p.entity_type, p.entity_id, p.subject, p.grade, p."group",
               CAST(p.n_fay_tested AS BIGINT) AS n, p.n_proficient, p.pct_proficient,
               i.value AS index_value, CAST(i.n AS BIGINT) AS index_n
        FROM {perf} p LEFT JOIN {idx} i ON i.model = {literal(measure)} AND i.year = p.year
             AND i.entity_type = p.entity_type AND i.entity_id = p.entity_id
             AND i.subject = p.subject AND i.grade = p.grade AND i."group" = p."group"
    ),
    comp("group", complement) AS (VALUES {pairs}),
    dist AS (SELECT DISTINCT year, entity_id, district_id FROM {counts}
             WHERE entity_type = 'school')
    SELECT g.year, g.entity_type, g.entity_id, g.subject, g.grade, g."group",
           {literal(measure)} AS measure, g.n, g.pct_proficient, g.index_value,
           {block("all", "a")},
           CASE WHEN g."group" = 'all' THEN NULL
                ELSE coalesce(comp.complement, 'not_' || g."group") END AS complement_group,
           CASE WHEN g."group" = 'all' THEN NULL WHEN comp.complement IS NOT NULL THEN c.n
                ELSE a.n - g.n END AS complement_n,
           CASE WHEN g."group" = 'all' THEN NULL
                WHEN comp.complement IS NOT NULL THEN c.pct_proficient
                ELSE 100.0 * (a.n_proficient - g.n_proficient) / nullif(a.n - g.n, 0)
           END AS complement_pct_proficient,
           CASE WHEN g."group" = 'all' THEN NULL
                WHEN comp.complement IS NOT NULL THEN c.index_value
                ELSE (a.index_value * a.index_n - g.index_value * g.index_n)
                     / nullif(a.index_n - g.index_n, 0)
           END AS complement_index_value,
           g.pct_proficient - complement_pct_proficient AS gap_complement_pct,
           g.index_value - complement_index_value AS gap_complement_index,
           d.district_id,
           {block("district", "dd")},
           {block("state", "s")},
           g.n < {int(reporting_min_n)} AS suppressed
    FROM g
    LEFT JOIN g a ON {same.format(t="a")} AND a."group" = 'all'
    LEFT JOIN comp ON comp."group" = g."group"
    LEFT JOIN g c ON {same.format(t="c")} AND c."group" = comp.complement
    LEFT JOIN dist d ON g.entity_type = 'school' AND d.year = g.year AND d.entity_id = g.entity_id
    LEFT JOIN g dd ON dd.entity_type = 'district' AND dd.entity_id = d.district_id
         AND {same_group.format(t="dd")}
    LEFT JOIN g s ON s.entity_type = 'state' AND {same_group.format(t="s")}
    ORDER BY g.year, g.entity_type, g.entity_id, g.subject, g.grade, g."group"
    """


def crosstab_label(dims: Sequence[str]) -> str:
    return " x ".join(dims)


def crosstab_sql(
    crosstabs: Sequence[Sequence[str]], *, reporting_min_n: int, students: str = "students"
) -> str:
    """SQL for the ``crosstab`` facts table: students in each combination of groups.

    One block per crosstab (two or three group ids); every combination of Y / N / ALL is
    listed for every entity that has students, empty cells with n = 0. Columns: ``year``, ``entity_type``,
    ``entity_id``, ``subject`` and ``grade`` (both ``ALL``: students enrolled, all
    grades), ``crosstab`` (e.g. ``low_income x ell x swd``), ``group`` (the cell, e.g.
    ``low_income=Y, ell=N, swd=ALL``), one column per group id used in any crosstab holding
    ``Y`` (in the group), ``N`` (not), ``ALL`` (the margin over both) or NULL (not a
    dimension of this crosstab), ``n`` and ``suppressed`` (n below the reporting minimum).

    Notes
    -----
    PIM 0-C. Every margin is included (CUBE over the dimensions), so each line
    Y + N = ALL can be checked; :func:`~kit.metrics.suppression.suppress_crosstab` uses
    those lines for complementary suppression.
    """
    all_dims: list[str] = []
    for dims in crosstabs:
        for d in dims:
            if d not in _BY_ID:
                raise ValueError(f"crosstab names unknown group {d!r}")
            if d not in all_dims:
                all_dims.append(d)
    parts = []
    for dims in crosstabs:
        flags = ", ".join(f"coalesce({_BY_ID[d].sql}, FALSE) AS d{i}" for i, d in enumerate(dims))
        values = ", ".join(
            f"CASE WHEN GROUPING(d{i}) = 1 THEN 'ALL' WHEN d{i} THEN 'Y' ELSE 'N' END AS v{i}"
            for i in range(len(dims))
        )
        cube = ", ".join(f"d{i}" for i in range(len(dims)))
        combos = ", ".join(
            "(" + ", ".join(f"'{v}'" for v in combo) + ")"
            for combo in itertools.product(("Y", "N", "ALL"), repeat=len(dims))
        )
        vcols = ", ".join(f"v{i}" for i in range(len(dims)))
        cols = []
        for d in all_dims:
            if d in dims:
                cols.append(f"k.v{list(dims).index(d)} AS {ident(d)}")
            else:
                cols.append(f"CAST(NULL AS VARCHAR) AS {ident(d)}")
        cell = " || ', ' || ".join(f"'{d}=' || k.v{i}" for i, d in enumerate(dims))
        join = " AND ".join(f"c.v{i} = k.v{i}" for i in range(len(dims)))
        # Every combination is listed, empty ones with n = 0, so each line Y + N = ALL is
        # complete and a reader never has to infer a cell from its absence.
        parts.append(f"""
        WITH c AS (
            SELECT CAST(year AS BIGINT) AS year,
                   CASE WHEN GROUPING(district_id) = 1 THEN 'state'
                        WHEN GROUPING(school_id) = 1 THEN 'district' ELSE 'school' END
                       AS entity_type,
                   CASE WHEN GROUPING(district_id) = 1 THEN 'STATE'
                        WHEN GROUPING(school_id) = 1 THEN district_id ELSE school_id END
                       AS entity_id,
                   {values}, count(*) AS n
            FROM (SELECT year, district_id, school_id, {flags} FROM {students})
            GROUP BY year, GROUPING SETS ((district_id, school_id), (district_id), ()),
                     CUBE ({cube})
        ),
        ent AS (SELECT DISTINCT year, entity_type, entity_id FROM c),
        k({vcols}) AS (VALUES {combos})
        SELECT e.year, e.entity_type, e.entity_id, 'ALL' AS subject, 'ALL' AS grade,
               '{crosstab_label(dims)}' AS crosstab, {cell} AS "group", {", ".join(cols)},
               coalesce(c.n, 0) AS n, coalesce(c.n, 0) < {int(reporting_min_n)} AS suppressed
        FROM ent e CROSS JOIN k
        LEFT JOIN c ON c.year = e.year AND c.entity_type = e.entity_type
             AND c.entity_id = e.entity_id AND {join}
        """)
    body = "\nUNION ALL\n".join(f"SELECT * FROM ({p})" for p in parts)
    return f'SELECT * FROM ({body}) ORDER BY year, entity_type, entity_id, crosstab, "group"'


def group_ranking(
    frame: pd.DataFrame,
    *,
    measure_col: str,
    groups: Sequence[str],
    lowest_min_gap: float,
    lowest_min_n: int,
    targeted_min_gap: float,
    targeted_max: int | None,
    reporting_min_n: int,
    ayp_met: pd.DataFrame | None = None,
    measure: str = "",
) -> pd.DataFrame:
    """Groups of each year x entity x subject ranked from lowest to highest (PIM 1-A, 1-B).

    Parameters
    ----------
    frame
        One row per year x entity x subject x group (grade ``ALL``) with ``n``,
        ``pct_proficient`` and ``measure_col``; it must include the ``all`` rows.
    groups
        The groups ranked (``all`` is the reference, never ranked).
    ayp_met
        Optional rows (year, entity_type, entity_id, subject, group, met) of the ``ayp``
        table; a group that did not make AYP is a targeted candidate.

    Returns
    -------
    DataFrame
        Keys, ``measure``, ``n``, ``value``, ``pct_proficient``, ``all_value``, ``gap_all``
        (value - all students), ``rank`` (1 = lowest, among the groups a report shows: n at
        least the reporting minimum and, when the frame has a ``hidden`` column, not hidden
        by the build's suppression decision, so a hidden group never shifts a shown rank;
        NULL otherwise),
        ``n_ranked``, ``lowest``, ``targeted``, ``ayp_met``, ``reason`` and ``suppressed``.

    Notes
    -----
    lowest: n >= ``lowest_min_n`` and value <= all students - ``lowest_min_gap``.
    targeted: n >= ``lowest_min_n`` and (lowest, or gap <= -``targeted_min_gap``, or did
    not make AYP), the ``targeted_max`` lowest-ranked of them. Ties rank in the group
    order of CONTRACT.md.
    """
    ekeys = ["year", "entity_type", "entity_id", "subject"]
    order = {g.id: i for i, g in enumerate(GROUPS)}
    hidden_col = ["hidden"] if "hidden" in frame.columns else []
    base = frame[ekeys + ["group", "n", "pct_proficient", measure_col, *hidden_col]]
    all_rows = base[base["group"] == "all"][ekeys + [measure_col]].rename(
        columns={measure_col: "all_value"}
    )
    df = base[base["group"].isin(list(groups)) & base[measure_col].notna()].merge(
        all_rows, on=ekeys, how="left"
    )
    df = df.rename(columns={measure_col: "value"})
    df["gap_all"] = df["value"] - df["all_value"]
    n = df["n"].to_numpy(float)
    shown = n >= reporting_min_n
    if hidden_col:  # the build's suppression decision (small and complementary)
        shown = shown & ~df["hidden"].fillna(True).astype(bool).to_numpy()
    df["_order"] = df["group"].map(order).fillna(999)
    df = df.assign(_shown=shown).sort_values(
        ekeys + ["_shown", "value", "_order"],
        ascending=[True] * 4 + [False, True, True],
        kind="stable",
    )
    df["rank"] = df.groupby(ekeys, sort=False).cumcount() + 1
    df["rank"] = df["rank"].where(df["_shown"]).astype("Int64")
    df["n_ranked"] = df.groupby(ekeys, sort=False)["_shown"].transform("sum").astype("int64")
    if ayp_met is not None and len(ayp_met):
        df = df.merge(
            ayp_met[ekeys + ["group", "met"]].rename(columns={"met": "ayp_met"}),
            on=ekeys + ["group"],
            how="left",
        )
    else:
        df["ayp_met"] = pd.NA
    df["ayp_met"] = df["ayp_met"].astype("boolean")
    big = (df["n"].to_numpy(float) >= lowest_min_n) & df["_shown"].to_numpy()
    gap = df["gap_all"].to_numpy(float)
    lowest = big & (gap <= -lowest_min_gap)
    trails = big & (gap <= -targeted_min_gap)
    missed = big & (df["ayp_met"].fillna(True).to_numpy() == False)  # noqa: E712
    candidate = lowest | trails | missed
    df["lowest"] = lowest
    df["_cand"] = candidate
    pos = df[candidate].groupby(ekeys, sort=False).cumcount() + 1
    df["targeted"] = False
    if targeted_max is not None:
        df.loc[pos.index, "targeted"] = (pos <= targeted_max).to_numpy()
    else:
        df.loc[pos.index, "targeted"] = True
    reasons = np.full(len(df), "", dtype=object)
    gap_txt = pd.Series(np.abs(np.round(gap, 1))).map("{:.1f}".format).to_numpy(dtype=object)
    below = np.where(gap < 0, gap_txt + " points below all students", "")
    reasons = np.where(lowest | trails, below, reasons)
    reasons = np.where(
        missed, np.where(reasons == "", "did not make AYP", reasons + "; did not make AYP"), reasons
    )
    df["reason"] = np.where(candidate, reasons, "")
    df["suppressed"] = ~df["_shown"]
    df.insert(4, "grade", "ALL")
    df["measure"] = measure
    cols = ekeys + [
        "grade",
        "group",
        "measure",
        "n",
        "value",
        "pct_proficient",
        "all_value",
        "gap_all",
        "rank",
        "n_ranked",
        "lowest",
        "targeted",
        "ayp_met",
        "reason",
        "suppressed",
    ]
    return df[cols].sort_values(ekeys + ["rank"], kind="stable").reset_index(drop=True)
