"""Views of the Missouri MSIP 5 Annual Performance Report (the ``msip_apr`` facts).

Each view reads one entity's rows and hides, before anything reaches a table, chart or
sentence, what the build decided may not be shown (``msip_apr.suppressed``: the academic
and subgroup figures of a hidden ``performance`` cell, and other measures of fewer than the
reporting minimum of students; ``growth_suppressed``: a growth estimate its cell or its
student count does not allow). Points are shown: they are the state's published result of
the whole row, not a figure of a small group.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from kit.facts import Facts
from kit.views.context import ReportContext

# How the APR names its rows (LEA Summary Report, EXT 2; the kit's words elsewhere).
SUB_MEASURE_LABELS = {
    "ELA": "English language arts",
    "MATH": "Mathematics",
    "SCI": "Science",
    "SS": "Social studies",
    "ccr_1_3": "*1-3 CCR Assessments",
    "ccr_4": "*4 Advanced Placement",
    "ccr_5_6": "*5-6 Postsecondary Placement",
    "hsr": "High school readiness",
    "attendance": "Attendance",
    "graduation": "Graduation rate",
}
METRIC_LABELS = {
    "mpi": "MAP Performance Index (MPI)",
    "pct_attending_90": "students attending 90% of the time (3-year mean, %)",
    "graduation_rate_4yr": "4-year graduation rate (%)",
    "graduation_rate_5yr": "5-year graduation rate (%)",
    "pct_graduates_ccr_partial_credit": "graduates at the CCR standard, with partial credit (%)",
    "pct_graduates_advanced_credit": "graduates with AP/IB/TSA or college credit (%)",
    "pct_graduates_placed": "graduates placed within six months (%)",
    "pct_proficient_eoc_by_grade_8": "students proficient on an EOC by grade 8 (%)",
}
_HIDDEN = ["value", "n", "participation_rate", "value_prior", "change"]
_GROWTH = ["growth_estimate", "growth_std_error"]


def has_msip(facts: Facts) -> bool:
    """True when the facts store holds an MSIP 5 APR (built with an ``msip`` framework)."""
    return "msip_apr" in facts.tables


def _clean(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def view_apr(facts: Facts, ctx: ReportContext, year: int | None = None) -> pd.DataFrame:
    """Every ``msip_apr`` row of the entity for the year, suppression applied.

    Columns are the facts' (docs/accountability.md) plus ``label`` (the APR's row name),
    ``metric_label`` and ``proxy`` (the growth came from the kit's proxy). Hidden figures are
    NaN: ``value``, ``n``, ``participation_rate``, ``value_prior``, ``change`` where
    ``suppressed``, the growth estimate where ``growth_suppressed``.
    """
    rows = facts.table("msip_apr", year=year or ctx.year, entity_id=ctx.entity_id)
    rows = rows.copy()
    hide = rows["suppressed"].fillna(False).astype(bool)
    for col in _HIDDEN:
        rows[col] = pd.to_numeric(rows[col], errors="coerce").astype("float64").where(~hide)
    ghide = rows["growth_suppressed"].fillna(False).astype(bool)
    for col in _GROWTH:
        rows[col] = pd.to_numeric(rows[col], errors="coerce").astype("float64").where(~ghide)
    rows["label"] = rows["sub_measure"].map(SUB_MEASURE_LABELS).fillna(rows["sub_measure"])
    rows["metric_label"] = rows["metric"].map(lambda m: METRIC_LABELS.get(m, m))
    rows["proxy"] = rows["growth_source"].fillna("").str.startswith("kit proxy")
    order = {"sub_measure": 0, "standard": 1, "apr": 2}
    rows["_s"] = rows["standard"].replace({"ALL": "9"})
    rows["_o"] = rows["row_kind"].map(order)
    rows["_m"] = rows["sub_measure"].map({k: i for i, k in enumerate(SUB_MEASURE_LABELS)})
    rows = rows.sort_values(["_s", "_o", "_m"], kind="stable")
    return rows.drop(columns=["_s", "_o", "_m"]).reset_index(drop=True)


def apr_total(apr: pd.DataFrame) -> dict:
    """The APR row (``row_kind = 'apr'``) as a dict of plain values (empty if none)."""
    rows = apr[apr["row_kind"] == "apr"]
    return {k: _clean(v) for k, v in rows.iloc[0].to_dict().items()} if len(rows) else {}


def apr_standards(apr: pd.DataFrame) -> pd.DataFrame:
    """The standard rows, in order."""
    return apr[apr["row_kind"] == "standard"].reset_index(drop=True)


def apr_measures(apr: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """The sub-measure rows (of one standard)."""
    rows = apr[apr["row_kind"] == "sub_measure"]
    if standard is not None:
        rows = rows[rows["standard"] == str(standard)]
    return rows.reset_index(drop=True)


def view_apr_years(facts: Facts, ctx: ReportContext) -> pd.DataFrame:
    """The entity's APR total every year of the data: ``year, earned, possible, percent,
    band, change`` (percentage points since the year before), oldest first."""
    rows = facts.table("msip_apr", entity_id=ctx.entity_id, row_kind="apr")
    rows = rows[rows["year"] <= ctx.year].sort_values("year")
    out = rows[["year", "earned", "possible", "percent", "band", "district_type"]].copy()
    shown = out["percent"].round(1)
    out["change"] = shown - shown.shift(1)
    return out.reset_index(drop=True)


def apr_gains(apr: pd.DataFrame, limit: int = 3) -> pd.DataFrame:
    """What would move the score most: counted rows with points still to gain, most first.

    Each row keeps ``points_to_gain`` (possible - earned), its status ``category``, the cut
    of the next status level (``next_status_cut``) and how far the value is from it
    (``to_next_status``), and ``why`` ('participation' when the row earned nothing because
    fewer than 95 % were tested). Ties go to the row nearest its next status level.
    """
    rows = apr_measures(apr)
    rows = rows[rows["counted"] & (rows["points_to_gain"].round(3) > 0)].copy()
    rows["why"] = (
        rows["reason"]
        .fillna("")
        .map(lambda r: "participation" if r.startswith("participation") else None)
    )
    rows["_near"] = rows["to_next_status"].fillna(float("inf"))
    rows = rows.sort_values(["points_to_gain", "_near"], ascending=[False, True], kind="stable")
    return rows.drop(columns="_near").head(limit).reset_index(drop=True)


def apr_not_counted(apr: pd.DataFrame) -> pd.DataFrame:
    """Rows left out of the points possible (no data, too few students, no target)."""
    rows = apr_measures(apr)
    return rows[~rows["counted"]].reset_index(drop=True)


def apr_subjects(apr: pd.DataFrame) -> list[str]:
    """The assessment subjects of the APR's academic rows that have data, in APR order."""
    rows = apr_measures(apr)
    rows = rows[rows["subject"].notna() & (rows["n"].fillna(0) > 0) | rows["suppressed"]]
    return list(dict.fromkeys(rows.loc[rows["subject"].notna(), "subject"]))


def single_district(facts: Facts, ctx: ReportContext) -> bool:
    """True when the data hold one district (its "state" is that district)."""
    return len(facts.districts(ctx.year)) == 1


def growth_label(facts: Facts, apr: pd.DataFrame) -> str | None:
    """Where growth came from: the source its rows name (the proxy's label, or a user's
    growth table); with no growth at the entity, the framework's proxy label when the
    proxy is on (it simply had no estimate here), else None."""
    sources = apr["growth_source"].dropna()
    sources = sources[sources != ""]
    if not sources.empty:
        proxy = [s for s in sources.unique() if str(s).startswith("kit proxy")]
        return str(proxy[0]) if proxy else str(sources.iloc[0])
    if "state_rules" not in facts.tables:
        return None
    rows = facts.table("state_rules", system="msip", section="growth")
    if rows.empty:
        return None
    params = json.loads(rows["params"].iloc[0])
    return params.get("proxy_label") if params.get("proxy") else None


def view_mpi_groups(facts: Facts, ctx: ReportContext, subject: str) -> pd.DataFrame:
    """The MPI of every student group at the entity (reported, not scored: S002), with the
    build's suppression decision: ``group, label, n, mpi, suppressed, suppression_reason``.

    Only the super subgroup is scored (Standard 2); the other groups are reported.
    """
    model = _mpi_model(facts)
    rows = facts.sql(
        """
        SELECT i."group", g.label, g.noun, g."order", i.n, i.value AS mpi,
               i.suppressed, p.suppression_reason
        FROM index_scores i
        JOIN "groups" g ON g."group" = i."group"
        LEFT JOIN performance p ON p.year = i.year AND p.entity_id = i.entity_id
             AND p.subject = i.subject AND p.grade = i.grade AND p."group" = i."group"
        WHERE i.year = ? AND i.entity_id = ? AND i.subject = ? AND i.grade = 'ALL'
          AND i.model = ? AND p.n_enrolled > 0
        ORDER BY g."order"
        """,
        [ctx.year, ctx.entity_id, subject, model],
    )
    hide = rows["suppressed"].fillna(True).astype(bool)
    rows["suppressed"] = hide
    rows["mpi"] = rows["mpi"].astype("float64").where(~hide)
    rows["n"] = rows["n"].astype("float64").where(~hide)
    rows["suppression_reason"] = rows["suppression_reason"].where(hide, None)
    rows.loc[hide & rows["suppression_reason"].isna(), "suppression_reason"] = "small"
    return rows.drop(columns="order").reset_index(drop=True)


def msip_min_n(facts: Facts) -> int | None:
    """The minimum number of students for an APR row to be scored (``population.min_n``)."""
    if "state_rules" not in facts.tables:
        return None
    rows = facts.table("state_rules", system="msip", section="population")
    if rows.empty:
        return None
    return json.loads(rows["params"].iloc[0]).get("min_n")


def _mpi_model(facts: Facts) -> str:
    models = facts.table("index_models")
    if "mo_mpi" in set(models["model"]):
        return "mo_mpi"
    return str(models.loc[models["headline"].astype(bool), "model"].iloc[0])


__all__ = [
    "METRIC_LABELS",
    "SUB_MEASURE_LABELS",
    "apr_gains",
    "apr_measures",
    "apr_not_counted",
    "apr_standards",
    "apr_subjects",
    "apr_total",
    "growth_label",
    "has_msip",
    "msip_min_n",
    "single_district",
    "view_apr",
    "view_apr_years",
    "view_mpi_groups",
]
