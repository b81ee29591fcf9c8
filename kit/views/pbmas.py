"""Views of the Texas PBMAS district report (the ``pbmas`` and ``pbmas_stage`` facts).

Counts of program populations are shown only as the build decided (``pbmas.masked``, from
:func:`kit.metrics.suppression.mask_counts`): a rate whose denominator is below the
framework's reporting minimum shows no counts and no rate, and a rate with a small
numerator (or a small rest) shows its denominator only. The performance level is always
shown, as TEA publishes it. The prior year's rate is hidden the same way, by that year's
row.
"""

from __future__ import annotations

import json

import pandas as pd

from kit.facts import Facts
from kit.views.context import ReportContext

SUBJECT_LABELS = {
    "MATH": "Mathematics",
    "READING": "Reading/ELA",
    "SCIENCE": "Science",
    "SOCIAL_STUDIES": "Social Studies",
    "WRITING": "Writing",
}
AREA_ORDER = ("BE_ESL", "CTE", "NCLB", "SPED")


def has_pbmas(facts: Facts) -> bool:
    """True when the facts store holds PBMAS results (built with a ``pbmas`` framework)."""
    return {"pbmas", "pbmas_stage"} <= set(facts.tables)


def view_pbmas(facts: Facts, ctx: ReportContext) -> pd.DataFrame:
    """Every indicator and sub-part of the district for the year, in TEA's order.

    Columns are the facts' (docs/accountability.md) plus ``subject_label``, ``shown_rate``,
    ``shown_numerator``, ``shown_denominator`` (None where masked), ``shown_prior_rate``
    (the prior year's rate, hidden where that year's counts were masked) and ``pl_sort``
    (PL 3 first; NA, ND last).
    """
    rows = facts.table("pbmas", year=ctx.year, entity_id=ctx.entity_id).copy()
    prior = facts.table("pbmas", year=ctx.year - 1, entity_id=ctx.entity_id)
    prior_mask = {
        (r["indicator"], r["subject"] if isinstance(r["subject"], str) else ""): int(r["masked"])
        for r in prior.to_dict("records")
    }
    masked = rows["masked"].astype(int)
    rows["shown_rate"] = rows["rate_rounded"].where(masked == 0)
    rows["shown_numerator"] = rows["numerator"].astype("Float64").where(masked == 0)
    rows["shown_denominator"] = rows["denominator"].astype("Float64").where(masked < 2)
    key = list(zip(rows["indicator"], rows["subject"].fillna(""), strict=True))
    prior_hidden = pd.Series([prior_mask.get(k, 0) > 0 for k in key], index=rows.index)
    rows["shown_prior_rate"] = rows["prior_rate_rounded"].where(~prior_hidden)
    # how far the rate behind the PL must move: hidden where that rate is hidden
    summed = rows["years_aggregated"].astype("Float64").fillna(1) > 1
    used_hidden = rows["used_masked"].astype(int) > 0
    hidden = (summed & used_hidden) | (~summed & (masked > 0))
    rows["shown_to_next"] = rows["to_next_level"].where(~hidden)
    rows["subject_label"] = rows["subject"].map(SUBJECT_LABELS)
    rows["pl_sort"] = rows["pl"].astype("Float64").fillna(-1)
    area = {a: i for i, a in enumerate(AREA_ORDER)}
    rows["_a"] = rows["program_area"].map(area).fillna(len(area))
    rows = rows.sort_values(
        ["_a", "indicator_number", "subpart"], kind="stable", na_position="first"
    )
    return rows.drop(columns="_a").reset_index(drop=True)


def pbmas_msr(facts: Facts) -> int:
    """The framework's default minimum size (MSR), for the report's explanations."""
    rows = facts.table("state_rules", system="pbmas", section="msr")
    return int(json.loads(rows["params"].iloc[0])["min"]) if len(rows) else 30


def view_pbmas_stages(facts: Facts, ctx: ReportContext) -> pd.DataFrame:
    """The district's stage of intervention per program area, with its PL counts and the
    stages of earlier years (``history``: ``[(year, stage), ...]``)."""
    rows = facts.table("pbmas_stage", entity_id=ctx.entity_id)
    rows = rows[rows["year"] <= ctx.year]
    names = (
        facts.table("pbmas", year=ctx.year, entity_id=ctx.entity_id)
        .drop_duplicates("program_area")
        .set_index("program_area")["program_area_name"]
    )
    now = rows[rows["year"] == ctx.year].copy()
    now["program_area_name"] = now["program_area"].map(names)
    history = {
        area: [
            (int(r["year"]), None if pd.isna(r["stage"]) else str(r["stage"]))
            for r in sub.sort_values("year").to_dict("records")
        ]
        for area, sub in rows.groupby("program_area")
    }
    now["history"] = now["program_area"].map(history)
    area = {a: i for i, a in enumerate(AREA_ORDER)}
    now["_a"] = now["program_area"].map(area).fillna(len(area))
    return now.sort_values("_a").drop(columns="_a").reset_index(drop=True)


def pbmas_identified(view: pd.DataFrame) -> pd.DataFrame:
    """The "areas identified" (S003): indicators and sub-parts at PL 1 or above, highest PL
    first, then in TEA's order."""
    rows = view[view["pl"].astype("Float64").fillna(0) >= 1]
    return rows.sort_values("pl_sort", ascending=False, kind="stable").reset_index(drop=True)


def pbmas_area(view: pd.DataFrame, area: str) -> pd.DataFrame:
    """The rows of one program area."""
    return view[view["program_area"] == area].reset_index(drop=True)


def pbmas_areas(view: pd.DataFrame) -> list[str]:
    """Program areas of the view, in TEA's order."""
    return list(dict.fromkeys(view["program_area"]))


__all__ = [
    "AREA_ORDER",
    "SUBJECT_LABELS",
    "has_pbmas",
    "pbmas_area",
    "pbmas_areas",
    "pbmas_identified",
    "pbmas_msr",
    "view_pbmas",
    "view_pbmas_stages",
]
