"""Impact analysis: how many schools meet targets under each rule and each index model.

Seed 004 reports Pennsylvania's 2007-08 comparison (Table 2, "Comparing Different
Accountability Measures in Pennsylvania"): the number and percent of schools that would
have made their performance targets using only status, only safe harbor, status + safe
harbor, only the PPI, status + safe harbor + PPI, and so on. ``ayp_impact`` gives that
table for any framework, for the state and each district, every year and subject (and
all AYP subjects together), plus the same count for each index model side by side.

A school *meets its targets under a rule set* when every accountable group with enough
students for achievement passes at least one test of the set (participation aside, as
in the seed's table). Rule sets with a test that needs last year's result count only
schools whose all-students group has one ("Schools must have scores for two consecutive
years to calculate safe harbor, PPI, or growth", seed 004, Table 2 note).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from kit.accountability.ayp import amo_targets, impact_models, vcol
from kit.frameworks.loader import PCT, AmoSchedule, Framework

_PRIOR_KINDS = {"safe_harbor", "index_gain", "averaging"}
_COLS = [
    "year",
    "entity_type",
    "entity_id",
    "subject",
    "comparison",
    "rule_order",
    "rule",
    "tests",
    "model",
    "target_basis",
    "n_schools",
    "n_met",
    "pct_met",
]


def rule_sets(fw: Framework) -> list[tuple[str, list[str]]]:
    """(label, test ids) in the order of seed 004's Table 2.

    The framework's ``impact.rule_sets`` when given; else each test alone and, from the
    second test on, the cumulative set in the framework's order (status; safe harbor;
    status + safe harbor; index; status + safe harbor + index; ...).
    """
    if fw.impact.rule_sets is not None:
        return [(rs.label, list(rs.tests)) for rs in fw.impact.rule_sets]
    tests = fw.ayp.tests
    out = []
    for i, t in enumerate(tests):
        out.append((f"Using only {t.id.replace('_', ' ')}", [t.id]))
        if i:
            ids = [x.id for x in tests[: i + 1]]
            out.append(("Using " + " + ".join(x.replace("_", " ") for x in ids), ids))
    return out


def _count(
    flags: pd.DataFrame, ok_col: str, school_district: pd.DataFrame, in_calc_col: str | None
) -> pd.DataFrame:
    """Schools meeting (all of their rows ok), counted for the state and each district."""
    per_school = flags.groupby(["year", "entity_id", "scope"], sort=False).agg(
        ok=(ok_col, "all"), in_calc=(in_calc_col or ok_col, "first" if in_calc_col else "size")
    )
    per_school = per_school.reset_index()
    if in_calc_col is None:
        per_school["in_calc"] = True
    per_school = per_school[per_school["in_calc"].astype(bool)]
    per_school = per_school.merge(school_district, on=["year", "entity_id"], how="left")
    state = (
        per_school.groupby(["year", "scope"])
        .agg(n_schools=("ok", "size"), n_met=("ok", "sum"))
        .reset_index()
    )
    state["entity_type"], state["entity_id"] = "state", "STATE"
    dist = (
        per_school.groupby(["year", "district_id", "scope"])
        .agg(n_schools=("ok", "size"), n_met=("ok", "sum"))
        .reset_index()
    )
    dist = dist.rename(columns={"district_id": "entity_id"})
    dist["entity_type"] = "district"
    out = pd.concat([state, dist], ignore_index=True)
    out["n_met"] = out["n_met"].astype("int64")
    return out.rename(columns={"scope": "subject"})


def _scoped(rows: pd.DataFrame) -> pd.DataFrame:
    """Each row once under its subject and once under ``ALL`` (all AYP subjects)."""
    return pd.concat(
        [rows.assign(scope=rows["subject"]), rows.assign(scope="ALL")], ignore_index=True
    )


def ayp_impact(
    ayp: pd.DataFrame, frame: pd.DataFrame, fw: Framework, school_district: pd.DataFrame
) -> pd.DataFrame:
    """The ``ayp_impact`` facts table.

    Parameters
    ----------
    ayp
        :func:`kit.accountability.ayp.determine_ayp` output with ``keep_tests=True``.
    frame
        The measure frame (for the model comparison).
    school_district
        ``year``, ``entity_id`` (school), ``district_id``.

    Returns
    -------
    DataFrame
        ``year``, ``entity_type`` (state | district), ``entity_id``, ``subject`` (a subject
        or ``ALL``), ``comparison`` (``rules`` | ``models``), ``rule_order``, ``rule``,
        ``tests`` (JSON list of test ids), ``model`` (models rows), ``target_basis``,
        ``n_schools`` (schools in the calculation), ``n_met``, ``pct_met``.
    """
    rows = ayp[(ayp["entity_type"] == "school") & ayp["accountable"]].copy()
    if rows.empty:
        return pd.DataFrame(columns=_COLS)
    min_all = fw.accountability_min_n_all or fw.accountability_min_n
    min_n = np.where(rows["group"] == "all", min_all, fw.accountability_min_n)
    rows["_judged"] = rows["n"].to_numpy() >= min_n
    prior = rows[rows["group"] == "all"][["year", "entity_id", "subject", "prior_value"]]
    prior = prior.assign(_has_prior=prior["prior_value"].notna()).drop(columns="prior_value")
    rows = rows.merge(prior, on=["year", "entity_id", "subject"], how="left")
    rows["_has_prior"] = rows["_has_prior"].fillna(False).astype(bool)
    scoped = _scoped(rows)
    kinds = {t.id: t.kind for t in fw.ayp.tests}
    out = []
    for order, (label, ids) in enumerate(rule_sets(fw), start=1):
        ok = ~scoped["_judged"].to_numpy()
        for tid in ids:
            ok = ok | scoped[f"test:{tid}"].to_numpy()
        needs_prior = any(kinds[t] in _PRIOR_KINDS for t in ids)
        flags = scoped.assign(_ok=ok)
        if needs_prior:
            counted = _count(flags, "_ok", school_district, "_has_prior")
        else:
            counted = _count(flags, "_ok", school_district, None)
        out.append(
            counted.assign(
                comparison="rules",
                rule_order=order,
                rule=label,
                tests=json.dumps(ids),
                model=None,
                target_basis=None,
            )
        )
    # The determination itself: participation and the framework's tests.
    flags = scoped.assign(_ok=scoped["met"].to_numpy(bool))
    decisive = [t.id for t in fw.ayp.tests if t.in_determination]
    out.append(
        _count(flags, "_ok", school_district, None).assign(
            comparison="rules",
            rule_order=len(out) + 1,
            rule="AYP as determined (participation + " + " or ".join(decisive) + ")",
            tests=json.dumps(decisive),
            model=None,
            target_basis=None,
        )
    )
    out += _model_rows(scoped, frame, fw, school_district, start=len(out) + 1)
    res = pd.concat(out, ignore_index=True)
    res["pct_met"] = np.where(
        res["n_schools"] > 0,
        100.0 * res["n_met"] / res["n_schools"].where(res["n_schools"] > 0),
        np.nan,
    )
    res["n_schools"] = res["n_schools"].astype("int64")
    return (
        res[_COLS]
        .sort_values(["year", "entity_type", "entity_id", "subject", "rule_order"], kind="stable")
        .reset_index(drop=True)
    )


def model_amos(fw: Framework) -> dict[str, AmoSchedule]:
    """An AMO schedule per compared model: the framework's own when it has one (same measure),
    else an NCLB starting point with the primary AMO's parameters (``starting_point``).
    Grade-weighted proficiency indexes already subtract each grade's AMO: their target is 0.
    """
    primary = fw.amos[fw.ayp.amo]
    out = {}
    for m in impact_models(fw):
        own = [a for a in fw.amos.values() if a.measure == m]
        if own:
            out[m] = own[0]
        elif fw.measure_range(m) is None:
            out[m] = AmoSchedule(
                measure=m,
                schedule={"ALL": {1900: 0.0}},
                after_schedule="hold_last",
                verified=True,
                source="grade-weighted proficiency index: >= 0 meets",
            )
        else:
            out[m] = AmoSchedule(
                measure=m,
                after_schedule="starting_point",
                starting_point=primary.starting_point,
                verified=False,
                source="kit: NCLB starting point on this model (impact only)",
            )
    return out


def _model_rows(
    scoped: pd.DataFrame,
    frame: pd.DataFrame,
    fw: Framework,
    school_district: pd.DataFrame,
    start: int,
) -> list[pd.DataFrame]:
    models = impact_models(fw)
    if not models:
        return []
    cols = [vcol(m) for m in models if vcol(m) in frame.columns]
    values = frame[["year", "entity_type", "entity_id", "subject", "group", *cols]]
    merged = scoped.merge(
        values,
        on=["year", "entity_type", "entity_id", "subject", "group"],
        how="left",
        suffixes=("", "_m"),
    )
    if fw.impact.model_targets == "starting_point" or fw.ayp.amo not in fw.amos:
        amos = model_amos(fw)
        targets = amo_targets(frame, fw.model_copy(update={"amos": amos}))
        basis = None
    else:
        primary = amo_targets(frame, fw)
        primary = primary[primary["amo"] == fw.ayp.amo]
        p_lo, p_hi = fw.measure_range(fw.amos[fw.ayp.amo].measure) or (0.0, 100.0)
        parts = []
        for m in models:
            rng = fw.measure_range(m)
            t = primary.copy()
            if rng is None:
                t["target"] = 0.0
            else:
                t["target"] = rng[0] + (rng[1] - rng[0]) * (t["target"] - p_lo) / (p_hi - p_lo)
            t["amo"], t["basis"] = m, "scaled"
            parts.append(t)
        targets = pd.concat(parts, ignore_index=True)
        basis = "scaled"
    out = []
    for i, m in enumerate(models):
        col = vcol(m) if vcol(m) in merged.columns else None
        if col is None:
            continue
        t = targets[targets["amo"] == m][["year", "subject", "target", "basis"]]
        rows = merged[["year", "entity_id", "scope", "subject", "_judged", col]].merge(
            t, on=["year", "subject"], how="left"
        )
        v, target = rows[col].to_numpy(float), rows["target"].to_numpy(float)
        ok = ~rows["_judged"].to_numpy() | (v >= target)
        rows = rows.assign(_ok=ok, _in=~np.isnan(target))
        counted = _count(rows, "_ok", school_district, None)
        has_target = rows.groupby(["year", "scope"])["_in"].all().reset_index()
        counted = counted.merge(
            has_target.rename(columns={"scope": "subject"}), on=["year", "subject"], how="left"
        )
        counted = counted[counted["_in"].fillna(False).astype(bool)].drop(columns="_in")
        label = "percent proficient" if m == PCT else fw.index_models[m].name
        tb = basis or ",".join(sorted(set(t["basis"]) - {"none"})) or "none"
        out.append(
            counted.assign(
                comparison="models",
                rule_order=start + i,
                rule=f"Status on {label}",
                tests=json.dumps([m]),
                model=m,
                target_basis=tb,
            )
        )
    return out
