"""Suppression-aware views of the facts store: what reports, charts and sentences read.

A view gathers one entity's rows from several facts tables, derives the comparisons a
reader needs (gaps to all students and to the state) and passes everything through
:func:`kit.metrics.suppression.suppress` before returning it. Nothing downstream sees a
figure the suppression rules hide.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from kit.errors import ParameterError
from kit.facts import Facts
from kit.metrics.suppression import suppress


@dataclass(frozen=True)
class ReportContext:
    """Who and what a report is about, read once from the facts store."""

    entity_id: str
    entity_type: str
    name: str
    district_id: str | None
    district_name: str | None
    year: int
    framework: str
    framework_name: str
    headline_model: str
    headline_model_name: str
    reporting_min_n: int
    proficient_level: int
    level_names: tuple[str, ...]
    unverified: tuple[str, ...]
    subjects: tuple[str, ...]
    data_hash: str

    def to_dict(self) -> dict:
        return asdict(self)


def report_context(
    facts: Facts, entity_id: str, year: int | None = None, subjects: list[str] | None = None
) -> ReportContext:
    """The context of a report on ``entity_id`` for ``year`` (default: the latest year).

    ``subjects`` limits the report to those subjects (default: every subject the entity has).
    """
    year = int(year or facts.latest_year())
    ent = facts.entity(entity_id, year)
    run = facts.run()
    models = facts.table("index_models").set_index("model")
    levels = facts.table("levels").sort_values("level")
    subjects_found = facts.sql(
        "SELECT DISTINCT subject FROM performance WHERE year = ? AND entity_id = ? "
        "ORDER BY CASE subject WHEN 'ELA' THEN 0 WHEN 'MATH' THEN 1 WHEN 'SCI' THEN 2 ELSE 3 END,"
        " subject",
        [year, entity_id],
    )["subject"].tolist()
    if subjects:
        wanted = [str(x).upper() for x in subjects]
        missing = [x for x in wanted if x not in subjects_found]
        if missing:
            raise ParameterError(
                f"{entity_id} has no {', '.join(missing)} results in {year}; it has "
                f"{', '.join(subjects_found)}."
            )
        subjects_found = [x for x in subjects_found if x in wanted]
    return ReportContext(
        entity_id=entity_id,
        entity_type=str(ent["entity_type"]),
        name=str(ent["name"]),
        district_id=ent.get("district_id"),
        district_name=ent.get("district_name"),
        year=year,
        framework=str(run["framework"]),
        framework_name=str(run["framework_name"]),
        headline_model=str(run["headline_model"]),
        headline_model_name=str(models.loc[run["headline_model"], "name"]),
        reporting_min_n=int(run["reporting_min_n"]),
        proficient_level=int(run["proficient_level"]),
        level_names=tuple(levels["name"]),
        # Caveats that bear on what reports show: other models' placeholders do not.
        unverified=tuple(
            u for u in run["framework_unverified"]
            if not u.startswith("index model") or u == f"index model {run['headline_model']}"
        ),
        subjects=tuple(subjects_found),
        data_hash=str(run["data_hash"]),
    )


def view_subgroups(
    facts: Facts, ctx: ReportContext, subject: str, grade: str = "ALL"
) -> pd.DataFrame:
    """One row per student group present at the entity, suppression applied.

    Columns: ``group``, ``label``, ``kind``, ``n`` (accountable tested), ``pct_proficient``,
    ``index`` (the framework's headline model), ``gap_pct`` and ``gap_index`` (group minus
    all students), ``state_pct_proficient``, ``gap_state`` (group minus the state's same
    group), ``pct_l1`` .. ``pct_lk`` (share at each level), ``suppressed`` and
    ``suppression_reason``. Rows keep the order of CONTRACT.md's group list.
    """
    keys = [ctx.year, ctx.entity_id, subject, grade]
    perf = facts.sql(
        """
        SELECT p."group", g.label, g.noun, g.kind, g."order", p.n_fay_tested AS n, p.pct_proficient,
               i.value AS "index", s.pct_proficient AS state_pct_proficient
        FROM performance p
        JOIN "groups" g ON g."group" = p."group"
        LEFT JOIN index_scores i ON i.year = p.year AND i.entity_id = p.entity_id
             AND i.subject = p.subject AND i.grade = p.grade AND i."group" = p."group"
             AND i.model = ?
        LEFT JOIN performance s ON s.year = p.year AND s.entity_id = 'STATE'
             AND s.subject = p.subject AND s.grade = p.grade AND s."group" = p."group"
        WHERE p.year = ? AND p.entity_id = ? AND p.subject = ? AND p.grade = ?
          AND p.n_enrolled > 0
        ORDER BY g."order"
        """,
        [ctx.headline_model, *keys],
    )
    levels = facts.sql(
        'SELECT "group", level, n FROM level_counts WHERE year = ? AND entity_id = ? '
        "AND subject = ? AND grade = ?",
        keys,
    ).pivot(index="group", columns="level", values="n")
    level_cols = []
    for lv in range(1, len(ctx.level_names) + 1):
        col = f"pct_l{lv}"
        level_cols.append(col)
        counts = levels[lv] if lv in levels.columns else 0
        perf[col] = (100.0 * perf["group"].map(counts) / perf["n"].where(perf["n"] > 0)).astype(
            "float64"
        )
    all_row = perf[perf["group"] == "all"]
    all_pct = all_row["pct_proficient"].iloc[0] if len(all_row) else float("nan")
    all_index = all_row["index"].iloc[0] if len(all_row) else float("nan")
    perf["gap_pct"] = perf["pct_proficient"] - all_pct
    perf["gap_index"] = perf["index"] - all_index
    if ctx.entity_type == "district" and len(facts.districts(ctx.year)) == 1:
        # The data hold one district: the "state" is that district, no comparison to make.
        perf["state_pct_proficient"] = float("nan")
    perf["gap_state"] = perf["pct_proficient"] - perf["state_pct_proficient"]
    perf = perf.assign(year=ctx.year, entity_id=ctx.entity_id, subject=subject, grade=grade)
    out = suppress(
        perf,
        min_n=ctx.reporting_min_n,
        n_col="n",
        value_cols=["pct_proficient", "index", "gap_pct", "gap_index", "gap_state", *level_cols],
    )
    return out.drop(columns=["order", "year", "entity_id", "subject", "grade"]).reset_index(
        drop=True
    )


def view_trend(facts: Facts, ctx: ReportContext, subject: str, group: str = "all") -> pd.DataFrame:
    """One row per year in the data up to the report's year: n, percent proficient and the
    headline index for one group, suppression applied (``year``, ``n``, ``pct_proficient``,
    ``index``, ``suppressed``)."""
    rows = facts.sql(
        """
        SELECT p.year, p.n_fay_tested AS n, p.pct_proficient, i.value AS "index"
        FROM performance p
        LEFT JOIN index_scores i ON i.year = p.year AND i.entity_id = p.entity_id
             AND i.subject = p.subject AND i.grade = p.grade AND i."group" = p."group"
             AND i.model = ?
        WHERE p.entity_id = ? AND p.subject = ? AND p.grade = 'ALL' AND p."group" = ?
          AND p.year <= ?
        ORDER BY p.year
        """,
        [ctx.headline_model, ctx.entity_id, subject, group, ctx.year],
    )
    return suppress(rows, min_n=ctx.reporting_min_n, n_col="n",
                    value_cols=["pct_proficient", "index"], key_cols=["year"])


def view_models(
    facts: Facts, ctx: ReportContext, subject: str, group: str = "all"
) -> pd.DataFrame:
    """The entity's result under every index model of the framework, side by side.

    Columns: ``model``, ``name``, ``kind``, ``value``, ``range_low``, ``range_high``,
    ``share_of_range`` (the value as a percent of the model's range, so models on different
    scales can be compared), ``verified``, ``headline``, ``n``, ``suppressed``.
    """
    rows = facts.sql(
        """
        SELECT m.model, m.name, m.kind, i.value, m.range_low, m.range_high, m.verified,
               m.headline, i.n, m.note
        FROM index_models m
        LEFT JOIN index_scores i ON i.model = m.model AND i.year = ? AND i.entity_id = ?
             AND i.subject = ? AND i.grade = 'ALL' AND i."group" = ?
        ORDER BY m.headline DESC, m.kind, m.model
        """,
        [ctx.year, ctx.entity_id, subject, group],
    )
    span = rows["range_high"] - rows["range_low"]
    rows["share_of_range"] = 100.0 * (rows["value"] - rows["range_low"]) / span.where(span > 0)
    return suppress(rows, min_n=ctx.reporting_min_n, n_col="n",
                    value_cols=["value", "share_of_range"], key_cols=["model"])
