"""Accountability facts: subgroup gaps and rankings, AYP, AMOs, goals and impact analysis.

:func:`accountability_facts` is the build's hook (``kit/build.py``): given the DuckDB
connection that holds the validated inputs and the temp tables ``counts``, ``perf``
(performance) and ``idx`` (index_scores), it returns the accountability tables, large ones
as SQL (written by DuckDB straight into the facts store) and the rest as DataFrames.
Everything is computed for every state, district and school in one pass; every rule comes
from the framework (``amos``, ``ayp``, ``goals``, ``subgroups``, ``impact`` sections).

Tables (docs/accountability.md describes every column):

=================  ===========================================================  =========
table              one row per                                                  from
=================  ===========================================================  =========
``group_gaps``     key of ``performance``                                       PIM 0-B
``crosstab``       year x entity x crosstab x cell (with margins)               PIM 0-C
``group_ranking``  year x entity x subject x group (grade ALL)                  PIM 1-A/B
``amo_targets``    AMO schedule x year x subject                                seed 004
``ayp``            year x entity x subject x group with n >= the minimum        CONTRACT
``ayp_summary``    year x entity x subject (and ALL subjects)                   CONTRACT
``ayp_impact``     year x state/district x subject x rule set or model          seed 004
``goals``          entity x subject x group x goal method                       PIM 2-A
``accountability_rules``  AMO schedule, AYP test or goal method                 framework
``msip_apr``       year x district/school x standard x sub-measure (+ totals)   MSIP 5
``pbmas``          year x district x indicator x sub-part                       PBMAS
``pbmas_stage``    year x district x program area                               PBMAS
``state_rules``    rule or table of the MSIP 5 / PBMAS section                  framework
=================  ===========================================================  =========

The last four come from :mod:`kit.accountability.state_facts`, only for a framework with an
``msip`` or ``pbmas`` section.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from kit.accountability.ayp import (
    amo_targets,
    determine_ayp,
    measure_frame_sql,
    measures_used,
    vcol,
)
from kit.accountability.goals import (
    goal_measures,
    goals_sql,
    measures_long_sql,
    resolve_baseline_year,
)
from kit.accountability.impact import ayp_impact
from kit.accountability.state_facts import state_facts
from kit.frameworks.loader import PCT, Framework
from kit.metrics.gaps import crosstab_sql, group_gaps_sql, group_ranking

_META = {"id", "label", "kind", "source", "verified", "note"}


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return set(con.execute("SELECT table_name FROM duckdb_tables()").df()["table_name"])


def rules_frame(fw: Framework) -> pd.DataFrame:
    """One row per AMO schedule, AYP test and goal method, with its source and verification.

    Reports read ``verified`` / ``note`` from here to say which figures are unverified.
    """
    rows = []
    for aid, amo in fw.amos.items():
        params = amo.model_dump(exclude=_META)
        rows.append(
            {
                "section": "amos",
                "id": aid,
                "kind": amo.after_schedule,
                "label": f"AMO schedule on {fw.measure_name(amo.measure)}",
                "in_determination": None,
                "params": json.dumps(params, default=str),
                "source": amo.source,
                "verified": amo.verified,
                "note": amo.note,
            }
        )
    if fw.ayp is not None:
        p = fw.ayp.participation
        rows.append(
            {
                "section": "ayp",
                "id": "participation",
                "kind": "participation",
                "label": f"Participation at least {p.min_rate:g}%",
                "in_determination": True,
                "params": json.dumps(p.model_dump()),
                "source": fw.ayp.source,
                "verified": fw.ayp.verified,
                "note": fw.ayp.note,
            }
        )
        for t in fw.ayp.tests:
            rows.append(
                {
                    "section": "ayp",
                    "id": t.id,
                    "kind": t.kind,
                    "label": t.label or t.id,
                    "in_determination": t.in_determination,
                    "params": json.dumps(
                        t.model_dump(exclude=_META | {"in_determination"}), default=str
                    ),
                    "source": t.source,
                    "verified": t.verified,
                    "note": t.note,
                }
            )
    if fw.goals is not None:
        for mid, m in fw.goals.methods.items():
            rows.append(
                {
                    "section": "goals",
                    "id": mid,
                    "kind": m.kind,
                    "label": m.label,
                    "in_determination": None,
                    "primary": mid == fw.goals.primary,
                    "params": json.dumps(m.model_dump(exclude=_META)),
                    "source": m.source,
                    "verified": m.verified,
                    "note": m.note,
                }
            )
    cols = [
        "section",
        "id",
        "kind",
        "label",
        "in_determination",
        "primary",
        "params",
        "source",
        "verified",
        "note",
    ]
    return pd.DataFrame(rows, columns=cols)


def ayp_summary(ayp: pd.DataFrame) -> pd.DataFrame:
    """Entity-level AYP: did every accountable group make it, per subject and overall.

    Columns: ``year``, ``entity_type``, ``entity_id``, ``subject`` (a subject or ``ALL``),
    ``n_groups``, ``n_groups_met``, ``met``, ``groups_not_met`` (comma-separated ids).
    """
    rows = ayp[ayp["accountable"]]
    cols = [
        "year",
        "entity_type",
        "entity_id",
        "subject",
        "n_groups",
        "n_groups_met",
        "met",
        "groups_not_met",
    ]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    both = pd.concat([rows, rows.assign(subject="ALL")], ignore_index=True)
    keys = ["year", "entity_type", "entity_id", "subject"]
    out = (
        both.groupby(keys, sort=True)
        .agg(n_groups=("met", "size"), n_groups_met=("met", "sum"), met=("met", "all"))
        .reset_index()
    )
    missed = rows[~rows["met"].astype(bool)]
    by_subject = missed.groupby(keys)["group"].agg(", ".join)
    overall = (
        missed.assign(_g=missed["subject"] + " " + missed["group"])
        .groupby(keys[:3])["_g"]
        .agg(", ".join)
    )
    out["groups_not_met"] = [
        overall.get((y, et, eid), "") if s == "ALL" else by_subject.get((y, et, eid, s), "")
        for y, et, eid, s in out[keys].itertuples(index=False)
    ]
    out["n_groups_met"] = out["n_groups_met"].astype("int64")
    return out[cols]


def accountability_facts(con: duckdb.DuckDBPyConnection, fw) -> dict[str, pd.DataFrame | str]:
    """Facts tables of accountability: name -> DataFrame or SQL over ``con``.

    ``con`` holds the validated inputs and the temp tables ``counts``, ``perf`` (the
    performance table) and ``idx`` (index_scores).
    """
    present = _tables(con)
    if not {"perf", "idx", "counts"} <= present:
        return {}
    out: dict[str, pd.DataFrame | str] = {}
    measure = fw.subgroups.measure or fw.headline_model
    out["group_gaps"] = group_gaps_sql(measure=measure, reporting_min_n=fw.reporting_min_n)
    if "students" in present and fw.subgroups.crosstabs:
        out["crosstab"] = crosstab_sql(fw.subgroups.crosstabs, reporting_min_n=fw.reporting_min_n)

    frame = con.execute(measure_frame_sql(fw)).df()
    years = sorted(int(y) for y in frame["year"].unique())
    ayp = None
    if fw.ayp is not None and len(frame):
        targets = amo_targets(frame, fw)
        ayp = determine_ayp(frame, fw, targets, keep_tests=True)
        school_district = con.execute(
            "SELECT DISTINCT year, entity_id, district_id FROM counts WHERE entity_type = 'school'"
        ).df()
        out["amo_targets"] = targets
        out["ayp_impact"] = ayp_impact(ayp, frame, fw, school_district)
        ayp = ayp[[c for c in ayp.columns if not c.startswith(("test:", "avail:"))]]
        out["ayp"] = ayp
        out["ayp_summary"] = ayp_summary(ayp)

    sg = fw.subgroups
    ayp_met = (
        ayp[["year", "entity_type", "entity_id", "subject", "group", "met"]]
        if ayp is not None and sg.targeted.include_ayp_not_met
        else None
    )
    out["group_ranking"] = group_ranking(
        frame,
        measure_col=vcol(measure),
        groups=sg.groups_ranked(),
        lowest_min_gap=sg.lowest.min_gap,
        lowest_min_n=sg.lowest.min_n or fw.accountability_min_n,
        targeted_min_gap=sg.targeted.min_gap,
        targeted_max=sg.targeted.max_groups,
        reporting_min_n=fw.reporting_min_n,
        ayp_met=ayp_met,
        measure=measure,
    )

    by = resolve_baseline_year(fw, years)
    if by is not None:
        measures = sorted(set(goal_measures(fw)) | {PCT})
        con.execute("CREATE OR REPLACE TEMP TABLE _acc_measures AS " + measures_long_sql(measures))
        sql = goals_sql(fw, by, source="_acc_measures")
        if sql is not None:
            out["goals"] = sql
    out["accountability_rules"] = rules_frame(fw)
    out.update(state_facts(con, fw))  # msip_apr, pbmas, pbmas_stage, state_rules
    return out


__all__ = ["accountability_facts", "ayp_summary", "measures_used", "rules_frame"]
