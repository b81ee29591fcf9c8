"""Views of the district summary: every school side by side, the group ranking (PIM 1-A),
gaps between groups and the impact analysis (seed 004, Table 2).

Like the index views (:mod:`kit.views.index`, whose AYP view each school's row summarises),
each view hides small groups through :mod:`kit.metrics.suppression` before anything reaches a
table, chart or sentence, deciding once for all the district's schools which groups to hide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit._frames import records
from kit.facts import Facts
from kit.metrics.suppression import apply_hidden
from kit.views._common import (
    PCT,
    _in,
    _json,
    decisions,
    hidden_for,
    hide_other,
    measures_digits,
    shown_gap,
)
from kit.views.context import ReportContext
from kit.views.index import ayp_summary, ayp_test_names, ayp_test_word, view_ayp_many


def view_ranking(
    facts: Facts,
    ctx: ReportContext,
    subject: str,
    entity_id: str | None = None,
    *,
    hidden: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The group ranking (PIM 1-A lowest, 1-B targeted) of one subject, suppression applied.

    Columns of ``group_ranking`` with ``label``, ``noun``, ``kind``; hidden groups keep
    their row with ``value``, ``gap_all``, ``pct_proficient`` and ``n`` NaN and ``rank`` NA.
    """
    entity_id = entity_id or ctx.entity_id
    if "group_ranking" not in facts.tables:
        return pd.DataFrame(columns=["group", "suppressed"])
    if hidden is None:
        hidden = hidden_for(facts, ctx, [entity_id], [ctx.year])
    return _ranking_rows(facts, ctx, [entity_id], [subject], hidden)


def view_ranking_many(
    facts: Facts,
    ctx: ReportContext,
    entity_ids: list[str],
    subjects: list[str],
    *,
    hidden: pd.DataFrame | None = None,
) -> dict[tuple[str, str], pd.DataFrame]:
    """:func:`view_ranking` of each entity x subject (a district's schools), read in one
    query: ``{(entity id, subject): its ranking}``, the same rows, columns and order as
    :func:`view_ranking` gives each (none: an empty frame)."""
    keys = [(e, s) for e in entity_ids for s in subjects]
    if "group_ranking" not in facts.tables or not keys:
        return {k: pd.DataFrame(columns=["group", "suppressed"]) for k in keys}
    if hidden is None:
        hidden = hidden_for(facts, ctx, list(entity_ids), [ctx.year])
    rows = _ranking_rows(facts, ctx, list(entity_ids), list(subjects), hidden)
    empty = rows.iloc[0:0]
    groups = {
        k: part.reset_index(drop=True)
        for k, part in rows.groupby(["entity_id", "subject"], sort=False)
    }
    return {k: groups.get(k, empty) for k in keys}


def _ranking_rows(
    facts: Facts,
    ctx: ReportContext,
    entity_ids: list[str],
    subjects: list[str],
    hidden: pd.DataFrame,
) -> pd.DataFrame:
    rows = facts.sql(
        f"""
        SELECT r.*, g.label, g.noun, g.kind FROM group_ranking r
        JOIN "groups" g ON g."group" = r."group"
        WHERE r.year = ? AND r.entity_id IN ({_in(entity_ids)})
          AND r.subject IN ({_in(subjects)}) AND r.grade = 'ALL'
        ORDER BY r.entity_id, r.subject, r.rank NULLS LAST, g."order"
        """,
        [ctx.year, *entity_ids, *subjects],
    )
    out = apply_hidden(
        rows,
        hidden[hidden["year"] == ctx.year],
        value_cols=["n", "value", "pct_proficient", "gap_all"],
    )
    out["rank"] = out["rank"].astype("Int64").where(~out["suppressed"], pd.NA)
    if len(out):  # the gap between the figures as shown (kit.fmt.shown_diff)
        digits = measures_digits(facts, out["measure"])
        out["gap_all"] = shown_gap(out["value"], out["all_value"].astype("float64"), digits)
    for col in ("lowest", "targeted"):
        out[col] = out[col].fillna(False).astype(bool) & ~out["suppressed"]
    return out.reset_index(drop=True)


def view_gaps(
    facts: Facts, ctx: ReportContext, subject: str, entity_id: str | None = None
) -> pd.DataFrame:
    """Each group's gap to all students and to the rest of the students (``group_gaps``).

    Columns of ``group_gaps`` after :func:`hide_gaps`
    (``n``, ``pct_proficient``, ``index_value``, ``gap_all_pct``, ``gap_all_index``,
    ``complement_group``, ``complement_n``, ``gap_complement_pct``, ``gap_complement_index``
    ...), with ``label``, ``noun``, ``kind`` of the group and ``complement_noun`` (the
    defined complement's noun, else "other students"), ``suppression_reason``.
    """
    entity_id = entity_id or ctx.entity_id
    if "group_gaps" not in facts.tables:
        return pd.DataFrame(columns=["group", "suppressed"])
    rows = facts.sql(
        """
        SELECT gg.*, g.label, g.noun, g.kind, g."order", c.noun AS complement_noun
        FROM group_gaps gg JOIN "groups" g ON g."group" = gg."group"
        LEFT JOIN "groups" c ON c."group" = gg.complement_group
        WHERE gg.year = ? AND gg.entity_id = ? AND gg.subject = ? AND gg.grade = 'ALL'
        ORDER BY g."order"
        """,
        [ctx.year, entity_id, subject],
    )
    out = hide_gaps(facts, rows)
    out["complement_noun"] = out["complement_noun"].fillna("other students")
    return out.drop(columns=["order"]).reset_index(drop=True)


_GAP_OWN = ["n", "pct_proficient", "index_value", "gap_all_pct", "gap_all_index"]
_GAP_COMPLEMENT = [
    "complement_n",
    "complement_pct_proficient",
    "complement_index_value",
    "gap_complement_pct",
    "gap_complement_index",
]


def hide_gaps(facts: Facts, rows: pd.DataFrame) -> pd.DataFrame:
    """``group_gaps`` rows as reports may show them, by the build's decisions:

    - the group's own figures and its gaps to all students: the group's decision;
    - the complement's figures: shown when the group and all students are shown and, for a
      defined complement (``non_swd``), when the complement is shown (an undefined one, all
      students minus the group, is then known anyway, and the build made sure it is not a
      small group);
    - the district's and the state's figures: those entities' decisions for the group.
    """
    if rows.empty:
        return rows.assign(suppressed=pd.Series(dtype=bool), suppression_reason="")
    years = sorted(int(y) for y in rows["year"].unique())
    ids = sorted(set(rows["entity_id"]) | set(rows.get("district_id", pd.Series()).dropna()))
    dec = decisions(facts, [*ids, "STATE"], years)
    keys = ["year", "entity_id", "subject", "grade"]
    out = apply_hidden(rows, dec, value_cols=_GAP_OWN, key_cols=keys)
    shown = dec.assign(shown=~dec["suppressed"])[[*keys, "group", "shown"]]
    all_shown = (
        shown[shown["group"] == "all"]
        .drop(columns=["group"])
        .rename(columns={"shown": "_all_shown"})
    )
    comp_shown = shown.rename(columns={"group": "complement_group", "shown": "_comp_shown"})
    out = out.merge(all_shown, on=keys, how="left").merge(
        comp_shown, on=[*keys, "complement_group"], how="left"
    )
    defined = out["complement_group"].isin(set(dec["group"]))
    comp_ok = (
        ~out["suppressed"]
        & out["_all_shown"].fillna(False).astype(bool)
        & (~defined | out["_comp_shown"].fillna(False).astype(bool))
    )
    for col in _GAP_COMPLEMENT:
        if col in out.columns:
            out[col] = out[col].astype("float64").where(comp_ok)
    out["complement_suppressed"] = ~comp_ok
    for prefix, ent in (("district", out.get("district_id")), ("state", "STATE")):
        if f"{prefix}_n" not in out.columns:
            continue
        other = out[["year", "subject", "grade", "group"]].assign(entity_id=ent)
        cols = [
            f"{prefix}_n",
            f"{prefix}_pct_proficient",
            f"{prefix}_index_value",
            f"gap_{prefix}_pct",
            f"gap_{prefix}_index",
        ]
        hidden = hide_other(other.assign(_x=0.0), dec, ["_x"], on=[*keys, "group"])["_x"].isna()
        for col in cols:
            if col in out.columns:
                out[col] = out[col].astype("float64").where(~hidden.to_numpy())
    out = out.drop(columns=["_all_shown", "_comp_shown"])
    # Every gap is the difference between the figures as shown (kit.fmt.shown_diff): a
    # hidden figure on either side leaves the gap hidden, as above.
    digits = measures_digits(facts, out["measure"]) if "measure" in out else 1
    for gap, own, other in _GAP_PAIRS:
        if gap in out.columns and own in out.columns and other in out.columns:
            d = 1 if own == "pct_proficient" else digits
            out[gap] = shown_gap(out[own], out[other].astype("float64"), d)
    return out


# (gap, the group's figure, the figure it is compared with), as group_gaps defines them.
_GAP_PAIRS = [
    (f"gap_{who}_{m}", own, f"{prefix}{own}")
    for who, prefix in (
        ("all", "all_"),
        ("complement", "complement_"),
        ("district", "district_"),
        ("state", "state_"),
    )
    for m, own in (("pct", "pct_proficient"), ("index", "index_value"))
]


def view_impact(facts: Facts, ctx: ReportContext, subject: str = "ALL") -> pd.DataFrame:
    """The impact analysis (seed 004, Table 2) for the report's district, one subject or ALL.

    Columns: ``comparison`` (``rules`` | ``models``), ``rule_order``, ``rule``, ``tests``
    (list of test ids), ``test_names`` (their plain names), ``model``, ``model_name``, ``target_basis``, ``n_schools``, ``n_met``,
    ``pct_met``, ``determination`` (the row of AYP as determined), ``target_verified`` (a
    models row whose target is a shipped, verified AMO). Counts are of schools, not of
    students: no suppression applies.
    """
    district = ctx.entity_id if ctx.entity_type == "district" else ctx.district_id
    if "ayp_impact" not in facts.tables or district is None:
        return pd.DataFrame(columns=["comparison", "rule", "n_schools", "n_met", "pct_met"])
    rows = facts.sql(
        """
        SELECT i.comparison, i.rule_order, i.rule, i.tests, i.model, i.target_basis,
               i.n_schools, i.n_met, i.pct_met, m.name AS model_name, m.verified AS model_verified
        FROM ayp_impact i LEFT JOIN index_models m ON m.model = i.model
        WHERE i.year = ? AND i.entity_type = 'district' AND i.entity_id = ? AND i.subject = ?
        ORDER BY i.rule_order
        """,
        [ctx.year, district, subject],
    )
    rows["tests"] = rows["tests"].map(_json)
    names = ayp_test_names(facts)
    rows["test_names"] = rows["tests"].map(
        lambda ts: [names.get(t, ayp_test_word(t)) for t in (ts or [])]
    )
    rows["model_name"] = np.where(
        rows["model"] == PCT, "Percent proficient", rows["model_name"].fillna("")
    )
    rows["determination"] = rows["rule"].str.startswith("AYP as determined")
    amos = facts.table("amo_targets")
    verified_amo = set(amos.loc[amos["verified"].fillna(False).astype(bool), "measure"])
    rows["target_verified"] = (rows["comparison"] == "models") & rows["model"].isin(verified_amo)
    return rows.reset_index(drop=True)


def view_schools(facts: Facts, ctx: ReportContext) -> pd.DataFrame:
    """Every school of a district side by side, one row per school x subject.

    Columns: ``entity_id``, ``name``, ``grades``, ``subject``, ``n``, ``pct_proficient``,
    ``index`` (headline model), ``suppressed`` (all students below the reporting minimum);
    AYP: ``ayp_subject_met`` (the subject; NA when the subject has no AYP), ``ayp_met``,
    ``ayp_n_groups``, ``ayp_n_met`` (all AYP subjects), ``not_met`` (list of the nouns of
    accountable groups that did not make AYP in the subject); high needs: ``hn_n``,
    ``hn_index``, ``hn_gap`` (to all students), ``hn_gap_rest`` (to students not in the
    group), ``hn_suppressed``; the lowest reported group on the headline index:
    ``lowest_group``, ``lowest_label``, ``lowest_noun``, ``lowest_value``, ``lowest_gap``.
    """
    schools = facts.schools(
        ctx.year, ctx.entity_id if ctx.entity_type == "district" else ctx.district_id
    )
    ids = schools["entity_id"].tolist()
    if not ids:
        return pd.DataFrame(columns=["entity_id", "name", "subject", "suppressed"])
    subjects = list(ctx.subjects)
    perf = facts.sql(
        f"""
        SELECT p.year, p.entity_type, p.entity_id, p.subject, p.grade, p."group",
               p.n_fay_tested AS n, p.pct_proficient, i.value AS "index"
        FROM performance p
        LEFT JOIN index_scores i ON i.year = p.year AND i.entity_id = p.entity_id
             AND i.subject = p.subject AND i.grade = p.grade AND i."group" = p."group"
             AND i.model = ?
        WHERE p.year = ? AND p.grade = 'ALL' AND p.entity_id IN ({_in(ids)})
          AND p.subject IN ({_in(subjects)})
        """,
        [ctx.headline_model, ctx.year, *ids, *subjects],
    )
    perf = apply_hidden(
        perf,
        decisions(facts, ids, [ctx.year]),
        value_cols=["n", "pct_proficient", "index"],
        key_cols=["year", "entity_id", "subject", "grade"],
    )
    base = perf[perf["group"] == "all"][
        ["entity_id", "subject", "n", "pct_proficient", "index", "suppressed"]
    ]
    grid = pd.MultiIndex.from_product([ids, subjects], names=["entity_id", "subject"])
    out = grid.to_frame(index=False).merge(base, how="left", on=["entity_id", "subject"])
    out["has_results"] = out["suppressed"].notna()
    out["suppressed"] = out["suppressed"].fillna(True).astype(bool)
    out = out.merge(schools[["entity_id", "name", "grades"]], on="entity_id", how="left")

    # AYP: the subject and every AYP subject together, from each school's AYP view.
    ayp_cols = {
        "ayp_subject_met": [],
        "ayp_met": [],
        "ayp_n_groups": [],
        "ayp_n_met": [],
        "not_met": [],
    }
    hidden = hidden_for(facts, ctx, ids, [ctx.year - 1, ctx.year])
    views = view_ayp_many(facts, ctx, ids, hidden=hidden)
    summaries = {sid: ayp_summary(view) for sid, view in views.items()}
    for sid, subject in zip(out["entity_id"], out["subject"], strict=True):
        view = views[sid]
        summary = summaries[sid]
        subj = summary["subjects"].get(subject)
        ayp_cols["ayp_subject_met"].append(subj["met"] if subj else None)
        ayp_cols["ayp_met"].append(summary["met"])
        ayp_cols["ayp_n_groups"].append(summary["n_groups"])
        ayp_cols["ayp_n_met"].append(summary["n_met"])
        missed = (
            view[
                (view["subject"] == subject)
                & view["accountable"].fillna(False).astype(bool)
                & ~view["met"].fillna(False).astype(bool)
            ]
            if len(view)
            else view
        )
        ayp_cols["not_met"].append(missed["noun"].tolist() if len(missed) else [])
    for key, vals in ayp_cols.items():
        out[key] = vals

    # High needs: its gap to all students and to the rest, as the gaps table hides it.
    hn = {}
    if "group_gaps" in facts.tables:
        gaps = facts.sql(
            f"""
            SELECT * FROM group_gaps WHERE year = ? AND grade = 'ALL'
              AND entity_id IN ({_in(ids)}) AND subject IN ({_in(subjects)})
            """,
            [ctx.year, *ids, *subjects],
        )
        gaps = hide_gaps(facts, gaps)
        for rec in records(gaps[gaps["group"] == "high_needs"]):
            hn[(rec["entity_id"], rec["subject"])] = rec
    for col, src in (
        ("hn_n", "n"),
        ("hn_index", "index_value"),
        ("hn_gap", "gap_all_index"),
        ("hn_gap_rest", "gap_complement_index"),
    ):
        out[col] = [
            hn.get(k, {}).get(src, float("nan"))
            for k in zip(out["entity_id"], out["subject"], strict=True)
        ]
    out["hn_suppressed"] = [
        bool(hn.get(k, {}).get("suppressed", True))
        for k in zip(out["entity_id"], out["subject"], strict=True)
    ]

    # Lowest reported group on the headline index (PIM 1-A).
    lowest = {
        k: [] for k in ("lowest_group", "lowest_label", "lowest_noun", "lowest_value", "lowest_gap")
    }
    ranks = view_ranking_many(facts, ctx, ids, subjects, hidden=hidden)
    for sid, subject in zip(out["entity_id"], out["subject"], strict=True):
        r = ranks[(sid, subject)]
        shown = (
            r[~r["suppressed"] & r["value"].notna()].sort_values(["value", "group"])
            if len(r)
            else r
        )
        first = shown.iloc[0].to_dict() if len(shown) else {}
        for key, src in zip(lowest, ("group", "label", "noun", "value", "gap_all"), strict=True):
            lowest[key].append(
                first.get(src, float("nan") if src in ("value", "gap_all") else None)
            )
    for key, vals in lowest.items():
        out[key] = vals
    return out


def view_agreement(facts: Facts, ctx: ReportContext) -> dict | None:
    """How the state's published figures for the district (its schools and itself) compare
    with the facts (``published_checks``): ``checked``, ``agree``, ``state_inconsistent``
    (the state's own figures disagree with each other) and ``kit_disagrees``. None when the
    facts were built from student records."""
    if "published_checks" not in facts.tables:
        return None
    district = ctx.entity_id if ctx.entity_type == "district" else ctx.district_id
    row = facts.sql(
        """
        SELECT count(*) AS checked, count(*) FILTER (WHERE agrees) AS agree,
               count(*) FILTER (WHERE NOT agrees AND state_inconsistent) AS state_inconsistent,
               count(*) FILTER (WHERE NOT agrees AND NOT state_inconsistent) AS kit_disagrees
        FROM published_checks c
        WHERE c.year = ? AND (c.entity_id = ? OR c.entity_id IN (
            SELECT entity_id FROM entities WHERE year = ? AND entity_type = 'school'
              AND district_id = ?))
        """,
        [ctx.year, district, ctx.year, district],
    ).iloc[0]
    return {k: int(row[k]) for k in ("checked", "agree", "state_inconsistent", "kit_disagrees")}
