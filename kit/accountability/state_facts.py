"""The build's hook for the state rule systems: ``msip_apr``, ``pbmas``, ``pbmas_stage`` and
``state_rules`` (docs/accountability.md).

Called from :func:`kit.accountability.build.accountability_facts` with the build's DuckDB
connection, which holds the validated input tables and the temp tables ``counts`` and
``perf`` (with the suppression decision of every results cell already taken by
:mod:`kit.protect`). Nothing is re-read from the input files:

- MSIP 5 (``fw.msip``): :func:`kit.accountability.msip.msip_apr` on the validated tables and
  the build's ``counts`` (MPI and participation); the figures of each academic and subgroup
  row are hidden where the matching ``performance`` cell (year x entity x subject x grade
  ALL x group) is hidden: the decision is read, never taken again here.
- PBMAS (``fw.pbmas``): :func:`kit.accountability.pbmas.pbmas_tables`, with ``value`` (the
  rate) and ``standard`` (the PL 0 cut) as CONTRACT.md names them, and the counts each row
  may show (:func:`kit.metrics.suppression.mask_counts`).
- ``state_rules``: one row per rule or table of the system with its source and whether it
  is verified; the reports' banner names the illustrative ones from it.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd

from kit.accountability.msip import msip_apr
from kit.accountability.pbmas import pbmas_tables
from kit.data.schemas import GROUP_BY_CODE, TABLES
from kit.frameworks.loader import Framework
from kit.metrics.suppression import mask_counts

MSIP_INPUTS = ("students", "assessments", "graduation", "ccr", "attendance", "growth")
PBMAS_INPUTS = (
    "students",
    "assessments",
    "graduation",
    "elp_assessments",
    "discipline",
    "courses",
)
_MSIP_NUMERIC = (
    "value",
    "value_prior",
    "change",
    "participation_rate",
    "next_status_cut",
    "to_next_status",
    "status_points",
    "progress_points",
    "growth_estimate",
    "growth_std_error",
    "growth_points",
    "earned",
    "possible",
    "points_to_gain",
    "percent",
)


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    return set(con.execute("SELECT table_name FROM duckdb_tables()").df()["table_name"])


def engine_tables(con: duckdb.DuckDBPyConnection, names) -> dict[str, pd.DataFrame]:
    """The validated input tables the engines read, as DataFrames.

    An optional column that is empty in every row is left out, so that an engine says
    "students has no lep_program column" (ND with that reason) rather than counting nobody.
    """
    present = _present(con)
    out = {}
    for name in names:
        if name not in present:
            continue
        frame = con.execute(f'SELECT * FROM "{name}"').df()
        empty = [
            c.name
            for c in TABLES[name].columns
            if not c.required and c.name in frame.columns and frame[c.name].isna().all()
        ]
        out[name] = _plain_dtypes(frame.drop(columns=empty))
    return out


def _plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable extension dtypes (DuckDB's Int32 with NULLs, boolean) as the engines' plain
    ones: whole numbers with gaps as float64 (NaN), yes/no with gaps as objects (None)."""
    fixed = {}
    for col, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.BooleanDtype):
            fixed[col] = frame[col].astype(object).where(frame[col].notna(), None)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_integer_dtype(dtype):
            fixed[col] = frame[col].astype("float64")
    return frame.assign(**fixed) if fixed else frame


def _growth_input(growth: pd.DataFrame | None) -> pd.DataFrame | None:
    """A user's growth table in the engine's terms: lower-case entity types, group ids."""
    if growth is None or growth.empty:
        return None
    fixed = {
        "entity_type": growth["entity_type"].str.lower(),
        "group": growth["group"].map(GROUP_BY_CODE),
    }
    if "significance" in growth:
        fixed["significance"] = growth["significance"].str.lower()
    if "level" in growth:
        fixed["level"] = growth["level"].str.lower().str.replace("_", " ")
    return growth.assign(**fixed)


def _attendance_input(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Hours per student: the attendance table, else the students' hours (else the engine
    falls back on days)."""
    if "attendance" in tables and len(tables["attendance"]):
        return tables["attendance"]
    students = tables["students"]
    if {"hours_enrolled", "hours_attended"} <= set(students.columns):
        return students[students["hours_enrolled"].notna()]
    return None


def msip_facts(con: duckdb.DuckDBPyConnection, fw: Framework) -> pd.DataFrame:
    """The ``msip_apr`` facts: every district and school, every year (docs/accountability.md).

    Beyond the engine's columns (:data:`kit.accountability.msip.COLUMNS`): ``subject`` (the
    assessment subject of an academic or subgroup row), ``suppressed`` and
    ``suppression_reason`` (the row's measured figures, ``value``, ``n``,
    ``participation_rate``, ``value_prior``, ``change``, are not to be shown), and
    ``growth_suppressed`` (the growth estimate is not to be shown: its cell is hidden or
    fewer than the reporting minimum of students fed it).
    """
    rules = fw.msip
    tables = engine_tables(con, MSIP_INPUTS)
    counts = con.execute(
        "SELECT * FROM counts WHERE grade = 'ALL' AND entity_type IN ('district', 'school') "
        'AND "group" IN (?, ?)',
        ["all", rules.super_subgroup],
    ).df()
    apr = msip_apr(
        rules,
        points=fw.index_models[rules.mpi_model].points,
        proficient_level=fw.proficient_level,
        students=tables["students"],
        assessments=tables.get("assessments"),
        counts=counts,
        attendance=_attendance_input(tables),
        graduation=tables.get("graduation"),
        ccr=tables.get("ccr"),
        growth=_growth_input(tables.get("growth")),
    )
    assessed = apr["sub_measure"].isin(list(rules.content_areas))
    apr["subject"] = np.where(assessed, apr["sub_measure"].map(rules.content_areas), None)
    decisions = con.execute(
        'SELECT year, entity_type, entity_id, subject, "group", suppressed, suppression_reason '
        "FROM perf WHERE grade = 'ALL' AND entity_type IN ('district', 'school')"
    ).df()
    apr = apr.merge(
        decisions,
        on=["year", "entity_type", "entity_id", "subject", "group"],
        how="left",
    )
    min_n = fw.reporting_min_n
    n = pd.to_numeric(apr["n"], errors="coerce")
    small = n.notna() & (n > 0) & (n < min_n)  # n = 0: no data, nothing to hide
    cell = assessed & apr["suppressed"].notna()
    apr["suppressed"] = np.where(cell, apr["suppressed"].fillna(False).astype(bool), small)
    apr["suppression_reason"] = np.where(
        cell, apr["suppression_reason"], np.where(small, "small", None)
    )
    apr.loc[~apr["suppressed"], "suppression_reason"] = None
    gn = pd.to_numeric(apr["growth_n"], errors="coerce")
    apr["growth_suppressed"] = apr["growth_estimate"].notna() & (
        apr["suppressed"] | gn.isna() | (gn < min_n)
    )
    for col in _MSIP_NUMERIC:
        apr[col] = pd.to_numeric(apr[col], errors="coerce").astype("float64")
    for col in ("n", "growth_n"):
        apr[col] = pd.to_numeric(apr[col], errors="coerce").astype("Int64")
    for col in ("counted", "verified", "suppressed", "growth_suppressed"):
        apr[col] = apr[col].fillna(False).astype(bool)
    return apr.reset_index(drop=True)


def pbmas_facts(con: duckdb.DuckDBPyConnection, fw: Framework) -> dict[str, pd.DataFrame]:
    """The ``pbmas`` and ``pbmas_stage`` facts (docs/accountability.md).

    ``pbmas`` carries CONTRACT.md's ``value`` (the rate) and ``standard`` (the PL 0 cut)
    beside the engine's columns, and ``masked`` / ``mask_reason`` (this year's counts and
    rate) and ``used_masked`` (the counts behind the PL, aggregated where they were), from
    :func:`kit.metrics.suppression.mask_counts` with the framework's reporting minimum.
    """
    res = pbmas_tables(engine_tables(con, PBMAS_INPUTS), fw.pbmas)
    pb = res.pbmas.copy()
    pb["value"] = pd.to_numeric(pb["rate"], errors="coerce").astype("float64")
    pb["standard"] = pd.to_numeric(pb["cut"], errors="coerce").astype("float64")
    masked, reason = mask_counts(pb["numerator"], pb["denominator"], min_n=fw.reporting_min_n)
    pb["masked"], pb["mask_reason"] = masked, reason
    pb["used_masked"], _ = mask_counts(
        pb["numerator_used"], pb["denominator_used"], min_n=fw.reporting_min_n
    )
    for col in ("rate", "rate_rounded", "cut", "rate_used", "prior_rate_rounded", "to_next_level"):
        pb[col] = pd.to_numeric(pb[col], errors="coerce").astype("float64")
    for col in ("msr_met", "report_only", "verified"):
        pb[col] = pb[col].astype("boolean")
    stages = res.stages.copy()
    stages["verified"] = stages["verified"].astype(bool)
    return {"pbmas": pb, "pbmas_stage": stages}


def _rule_row(system: str, section: str, rid: str, label: str, part) -> dict:
    meta = {"source", "verified", "note"}
    params = part.model_dump(exclude=meta) if hasattr(part, "model_dump") else {}
    return {
        "system": system,
        "section": section,
        "id": rid,
        "label": label,
        "params": json.dumps(params, default=str),
        "source": getattr(part, "source", "") or "",
        "verified": bool(getattr(part, "verified", True)),
        "note": getattr(part, "note", None),
    }


def state_rules_frame(fw: Framework) -> pd.DataFrame:
    """One row per rule or table of the framework's MSIP 5 / PBMAS sections.

    Columns ``system`` (msip, pbmas), ``section``, ``id``, ``label`` (the plain words a
    report's banner uses), ``params`` (JSON: the rule's values), ``source``, ``verified``
    and ``note`` (what is not known).
    """
    rows = []
    if fw.msip is not None:
        m = fw.msip
        for section, label, part in (
            ("scoring", "Points per status, progress and growth level", m.scoring),
            ("status_targets", "Status targets (MPI and rate cuts)", m.status_targets),
            ("progress_targets", "Progress targets (change since last year)", m.progress_targets),
            ("growth", "Growth levels (and the kit's growth proxy)", m.growth),
            ("attendance", "Attendance 90/90 rule", m.attendance),
            ("graduation", "Graduation rule (4- and 5-year cohorts)", m.graduation),
            ("ccr", "College and career readiness rows", m.ccr),
            ("hsr", "High school readiness measure", m.hsr),
            ("population", "Minimum n and students counted", m.population),
            ("status_window", "Years that feed status", m.status_window),
            ("rounding", "Rounding before comparing with targets", m.rounding),
            ("accreditation", "Accreditation bands", m.accreditation),
        ):
            if part is not None:
                rows.append(_rule_row("msip", section, section, label, part))
        for dtype, spec in m.district_types.items():
            rows.append(
                _rule_row("msip", "district_types", dtype, f"Points possible ({dtype})", spec)
            )
            for st in spec.standards:
                rows.append(
                    _rule_row(
                        "msip",
                        "standards",
                        f"{dtype}.{st.number}",
                        f"Standard {st.number} {st.name} points ({dtype})",
                        st,
                    )
                )
    if fw.pbmas is not None:
        p = fw.pbmas
        for section, label, part in (
            ("rounding", "Rounding of rates before banding", p.rounding),
            ("passing", "Passing standard (STAAR level)", p.passing),
            ("standards", "PL 0 cuts and 10/20-point bands of the passing rates", p.standards),
            ("aggregation", "Aggregation of years (the SA marker)", p.aggregation),
            ("ri", "Required improvement (0 RI)", p.ri),
            ("staging", "Staging rule", p.staging),
            ("msr", "Minimum size (MSR) and years summed", p.msr),
        ):
            rows.append(_rule_row("pbmas", section, section, label, part))
        for t in p.staging.tables:
            rows.append(
                _rule_row(
                    "pbmas",
                    "staging_table",
                    f"{t.program_area}:{t.from_year}",
                    f"Staging table {p.area_name(t.program_area)} "
                    f"(from {t.from_year or 'any year'})",
                    t,
                )
            )
        for ind in p.indicators:
            rows.append(
                _rule_row(
                    "pbmas",
                    "indicator",
                    ind.label,
                    f"{ind.label} {ind.name} cut points",
                    ind,
                )
            )
    cols = ["system", "section", "id", "label", "params", "source", "verified", "note"]
    return pd.DataFrame(rows, columns=cols)


def state_facts(con: duckdb.DuckDBPyConnection, fw: Framework) -> dict[str, pd.DataFrame]:
    """Facts tables of the framework's state systems (none for a framework without them, and
    none from published aggregates, which hold no student rows to score)."""
    out: dict[str, pd.DataFrame] = {}
    if "students" not in _present(con):
        return out
    if fw.msip is not None:
        out["msip_apr"] = msip_facts(con, fw)
    if fw.pbmas is not None:
        out.update(pbmas_facts(con, fw))
    if out:
        out["state_rules"] = state_rules_frame(fw)
    return out


__all__ = ["engine_tables", "msip_facts", "pbmas_facts", "state_facts", "state_rules_frame"]
