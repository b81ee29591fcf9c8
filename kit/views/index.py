"""Suppression-aware views of the accountability facts (docs/accountability.md).

The index and accountability report's views: AYP by group with the path each group took,
every index model side by side, goals and their trajectories (PIM 2-A), results over the
years, and the unverified rules a report rests on. Each view reads one entity's rows
and hides small groups through :mod:`kit.metrics.suppression` before anything reaches a
table, chart or sentence: the decision which groups to hide is taken once from the
``performance`` counts (:func:`~kit.metrics.suppression.hidden_groups`) and applied to every
derived table (:func:`~kit.metrics.suppression.apply_hidden`), so every table hides the
same groups.

The AYP view also answers "what would change the result": for a group that did not make
AYP, the fewest students whose results would have to change (one more student tested, one
more proficient, or one moving up an achievement level) for a test of the determination to
pass. See :func:`students_to_reach`. The targets it counts towards are the build's
(``ayp.targets``, ``index_models.level_step``); nothing here redoes a rule's arithmetic.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from kit._frames import records
from kit.ayp_path import fmt_ayp_path
from kit.facts import Facts
from kit.metrics.suppression import apply_hidden
from kit.views._common import (
    PCT,
    _in,
    _json,
    _rules,
    _true,
    decisions,
    has_accountability,
    hidden_for,
    measures_digits,
    model_digits,
)
from kit.views.context import ReportContext

# A change is "within reach" when it needs at most this share of the group's students.
PLAUSIBLE_SHARE = 0.10

_SUBJECT_ORDER = (
    "CASE subject WHEN 'ELA' THEN 0 WHEN 'MATH' THEN 1 WHEN 'SCI' THEN 2 ELSE 3 END, subject"
)
_AYP_VALUES = [
    "n",
    "n_enrolled",
    "n_tested",
    "participation_rate",
    "target",
    "value",
    "prior_value",
    "ci_low",
    "ci_high",
    "pct_proficient",
    "n_proficient",
    "prior_pct_proficient",
    "prior_n",
    "n_below",
]


def ayp_test_word(test_id: str) -> str:
    """How a sentence or a table names an AYP test from its id alone: ``ci`` -> 'confidence
    interval'. Reports name tests by :func:`test_names` (from the rule's kind and label)."""
    return {"ci": "confidence interval"}.get(test_id, str(test_id).replace("_", " "))


# Plain words for a test by its kind, when its label carries no name of its own.
_KIND_WORDS = {
    "status": "status",
    "ci": "confidence interval",
    "safe_harbor": "safe harbor",
    "index_gain": "improvement",
    "index": "index",
    "averaging": "averaging",
    "participation": "participation",
}


def plain_test_name(test_id: str, kind: str | None, label: str | None) -> str:
    """The name a reader knows an AYP test by, never its id: the state's own name where the
    label gives one ("Option 3 (Safe Harbor 1): ..." -> 'safe harbor 1'; "Improvement: ..."
    -> 'improvement'; "PPI: ..." -> 'PPI'; "... the effective AMO (confidence interval)" ->
    'effective AMO'), else a word for its kind ('status', 'safe harbor')."""
    label = str(label or "")

    def lower_first(text: str) -> str:
        words = text.split()
        # Acronyms (PPI, AMO) keep their capitals; other words are lower case mid-sentence.
        return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)

    m = re.match(r"Option \d+ \(([^)]+)\)", label)
    if m:
        return lower_first(m.group(1))
    m = re.search(r"the ([\w\s]+?) \(confidence interval\)", label)
    if m:
        return lower_first(m.group(1))
    m = re.match(r"([^:()]+):", label)
    if m and not m.group(1).startswith("Option") and len(m.group(1).split()) <= 3:
        return lower_first(m.group(1).strip())
    return _KIND_WORDS.get(str(kind), ayp_test_word(test_id))


def ayp_test_names(facts: Facts) -> dict[str, str]:
    """``{test id: plain name}`` for the framework's AYP tests (:func:`plain_test_name`)."""
    if "accountability_rules" not in facts.tables:
        return {}
    rules = facts.table("accountability_rules", section="ayp")
    return {str(r["id"]): plain_test_name(r["id"], r["kind"], r["label"]) for r in records(rules)}


# --- what would change the result -------------------------------------------------------


def students_to_reach(value: float, target: float, n: float, step: float) -> int | None:
    """The fewest students whose change lifts ``value`` to ``target``.

    Each student who changes adds ``step / n`` to the value: ``step`` = 100 for percent
    proficient (one more proficient student), the points gained by moving up one
    achievement level for an index whose denominator is the tested students.

    Notes
    -----
    k = ceil((target - value) x n / step); 0 when the value already reaches the target,
    None when a figure is missing. Example: 61.7 % of 81 students proficient against a
    target of 65 % needs ceil(3.3 x 81 / 100) = ceil(2.67) = 3 more proficient students.
    """
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (value, target, n, step)):
        return None
    if n <= 0 or step <= 0:
        return None
    if value >= target:
        return 0
    # The tolerance keeps an exact fit (e.g. 2.0000000001 students) from counting one more.
    return int(math.ceil((target - value) * n / step - 1e-9))


def testers_to_reach(n_tested: float, n_enrolled: float, min_rate: float) -> int | None:
    """The fewest more students tested for ``n_tested / n_enrolled`` to reach ``min_rate`` %.

    Notes
    -----
    k = ceil(min_rate / 100 x n_enrolled - n_tested): 93 of 100 tested against 95 % -> 2.
    """
    if any(
        x is None or (isinstance(x, float) and math.isnan(x))
        for x in (n_tested, n_enrolled, min_rate)
    ):
        return None
    return max(0, int(math.ceil(min_rate / 100.0 * n_enrolled - n_tested - 1e-9)))


def _what_would_change(
    df: pd.DataFrame, *, min_rate: float, decisive: list[str], steps: dict[str, float | None]
) -> pd.DataFrame:
    """Add ``change_*`` columns: the smallest change of students that would pass a test.

    Every target comes from the build (``ayp.targets``: the value each status, safe harbor
    and index-gain test needed; ``index_models.level_step``); the view only counts students.
    A target resting on last year's result is not offered where last year's figure is
    hidden (``prior_hidden``).
    """
    cols = (
        "change_test",
        "change_kind",
        "change_students",
        "change_of",
        "change_target",
        "change_value",
        "change_step",
        "change_plausible",
    )
    out: dict[str, list] = {k: [] for k in cols}
    for rec in records(df):
        best = None  # (k, test, kind, of, target, value, step)
        tests = _json(rec.get("tests")) or {}
        # A group below the accountability minimum is judged on participation only: every
        # test is null in ``tests``.
        judged = any(v is not None for v in tests.values())
        met, part_met = _true(rec["met"]), _true(rec["participation_met"])
        if not met and part_met and judged:
            for test, t in (_json(rec.get("targets")) or {}).items():
                if t["uses_prior"] and rec["prior_hidden"]:
                    continue
                step = 100.0 if t["measure"] == PCT else steps.get(t["measure"])
                k = students_to_reach(t["value"], t["target"], t["n"], step or float("nan"))
                if k is not None and k > 0 and (best is None or k < best[0]):
                    best = (k, test, t["kind"], t["n"], t["target"], t["value"], step)
        achievement_ok = (not judged) or any(bool(tests.get(t)) for t in decisive)
        if not met and not part_met and achievement_ok:
            k = testers_to_reach(rec["n_tested"], rec["n_enrolled"], min_rate)
            if k:
                best = (
                    k,
                    "participation",
                    "participation",
                    rec["n_enrolled"],
                    min_rate,
                    rec["participation_rate"],
                    float("nan"),
                )
        if best is None:
            best = (None, None, None, float("nan"), float("nan"), float("nan"), float("nan"))
        k, test, kind, of, target, value, step = best
        plausible = bool(
            k is not None
            and k <= PLAUSIBLE_SHARE * of
            and (kind == "participation" or k <= (rec["n_below"] or 0))
        )
        for key, val in zip(out, (test, kind, k, of, target, value, step, plausible), strict=True):
            out[key].append(val)
    res = df.copy()
    for key, vals in out.items():
        res[key] = vals
    res["change_students"] = res["change_students"].astype("Int64")
    for key in ("change_of", "change_target", "change_value", "change_step"):
        res[key] = res[key].astype("float64")
    return res


# --- views --------------------------------------------------------------------------------


def view_ayp(
    facts: Facts,
    ctx: ReportContext,
    entity_id: str | None = None,
    *,
    hidden: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The entity's AYP rows for the report year, one per subject x group, suppression applied.

    Every AYP subject is included whatever the report's ``subjects`` (AYP is decided over all
    of them); :func:`ayp_subjects` with the context gives the subjects a report shows.

    Columns: the ``ayp`` facts columns (``accountable``, ``measure``, ``n``, ``n_enrolled``,
    ``participation_rate``, ``participation_met``, ``target``, ``value``, ``prior_value``,
    ``status_met`` .. ``met``, ``met_by``, ``tests``, ``path_fields``; ``path`` is rendered from
    ``path_fields`` by :func:`kit.ayp_path.fmt_ayp_path`), ``met_by_name`` and
    ``change_test_name`` (the tests' plain names, :func:`plain_test_name`), the group's ``label``,
    ``noun`` and ``kind``, ``measure_name``, ``digits`` (decimals the measure is shown with), ``n_tested``, ``pct_proficient``, ``n_below`` (accountable students
    below proficient), ``suppressed``, ``suppression_reason``, and what would change the
    result: ``change_test`` (test id), ``change_kind``, ``change_students`` (the fewest
    students), ``change_of`` (out of how many), ``change_target``, ``change_value``,
    ``change_step`` (points one student adds), ``change_plausible`` (at most
    :data:`PLAUSIBLE_SHARE` of the group and enough students below proficient), and
    ``required_gain`` (the improvement test's required gain, when the framework has one), and
    the stored determination (``ayp_summary``): ``subject_met``, ``subject_n_groups``,
    ``subject_n_met`` for the row's subject, ``entity_met``, ``entity_n_groups``,
    ``entity_n_met`` over every AYP subject (:func:`ayp_summary` reads them). Empty when the facts hold no AYP results. ``hidden``: :func:`hidden_for` of several
    entities at once (a district's schools), to decide suppression once.
    """
    entity_id = entity_id or ctx.entity_id
    if hidden is None:
        hidden = hidden_for(facts, ctx, [entity_id], [ctx.year - 1, ctx.year])
    return _ayp_rows(facts, ctx, [entity_id], hidden)


def view_ayp_many(
    facts: Facts,
    ctx: ReportContext,
    entity_ids: list[str],
    *,
    hidden: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`view_ayp` of each of ``entity_ids`` (a district's schools), read in one query
    instead of one per entity: ``{entity id: its AYP view}``, the same rows, columns and
    order as :func:`view_ayp` gives each (an entity without AYP rows: an empty frame)."""
    if hidden is None:
        hidden = hidden_for(facts, ctx, list(entity_ids), [ctx.year - 1, ctx.year])
    rows = _ayp_rows(facts, ctx, list(entity_ids), hidden)
    empty = rows.iloc[0:0]
    if rows.empty or "entity_id" not in rows:
        return {e: empty for e in entity_ids}
    groups = {e: part.reset_index(drop=True) for e, part in rows.groupby("entity_id", sort=False)}
    return {e: groups.get(e, empty) for e in entity_ids}


def _ayp_rows(
    facts: Facts, ctx: ReportContext, entity_ids: list[str], hidden: pd.DataFrame
) -> pd.DataFrame:
    """The AYP rows of ``entity_ids`` (:func:`view_ayp`), ordered by entity, subject, group."""
    if not has_accountability(facts):
        return pd.DataFrame(columns=["subject", "group", "suppressed"])
    # Each joined table read for these entities' rows of grade ALL only (the store holds
    # every entity's: a join alone would read them all). ``{these}`` takes the grade and
    # the ids; the performance subquery then its year.
    ids = _in(entity_ids)
    these = f"grade = 'ALL' AND entity_id IN ({ids})"
    these_params = list(entity_ids)
    perf = f"SELECT * FROM performance WHERE {these} AND year = ?"
    rows = facts.sql(
        f"""
        SELECT a.*, g.label, g.noun, g.kind, g."order",
               COALESCE(m.name, 'percent proficient') AS measure_name, p.n_tested, p.n_proficient,
               p.pct_proficient, pp.pct_proficient AS prior_pct_proficient,
               pp.n_fay_tested AS prior_n, lc.n_below,
               s.met AS subject_met, s.n_groups AS subject_n_groups,
               s.n_groups_met AS subject_n_met, sa.met AS entity_met,
               sa.n_groups AS entity_n_groups, sa.n_groups_met AS entity_n_met
        FROM ayp a
        JOIN "groups" g ON g."group" = a."group"
        LEFT JOIN index_models m ON m.model = a.measure
        LEFT JOIN ({perf}) p ON p.year = a.year AND p.entity_id = a.entity_id
             AND p.subject = a.subject AND p.grade = a.grade AND p."group" = a."group"
        LEFT JOIN ({perf}) pp ON pp.year = a.year - 1 AND pp.entity_id = a.entity_id
             AND pp.subject = a.subject AND pp.grade = a.grade AND pp."group" = a."group"
        LEFT JOIN (
            SELECT year, entity_id, subject, grade, "group", SUM(n) AS n_below
            FROM level_counts WHERE level < ? AND {these} AND year = ? GROUP BY ALL
        ) lc ON lc.year = a.year AND lc.entity_id = a.entity_id AND lc.subject = a.subject
             AND lc.grade = a.grade AND lc."group" = a."group"
        LEFT JOIN (SELECT * FROM ayp_summary WHERE year = ? AND entity_id IN ({ids})) s
             ON s.year = a.year AND s.entity_id = a.entity_id AND s.subject = a.subject
        LEFT JOIN (SELECT * FROM ayp_summary WHERE year = ? AND entity_id IN ({ids})) sa
             ON sa.year = a.year AND sa.entity_id = a.entity_id AND sa.subject = 'ALL'
        WHERE a.year = ? AND a.entity_id IN ({ids}) AND a.grade = 'ALL'
        ORDER BY a.entity_id, {_SUBJECT_ORDER.replace("subject", "a.subject")}, g."order"
        """,
        [
            *these_params,
            ctx.year,
            *these_params,
            ctx.year - 1,
            ctx.proficient_level,
            *these_params,
            ctx.year,
            ctx.year,
            *entity_ids,
            ctx.year,
            *entity_ids,
            ctx.year,
            *entity_ids,
        ],
    )
    if rows.empty:
        return rows.assign(suppressed=pd.Series(dtype=bool))
    for col in ("n_below", "n_tested", "n_proficient", "prior_n"):
        rows[col] = rows[col].astype("float64")
    # Last year's figures of a group hidden last year stay hidden (this year's value minus a
    # change would give them away), and no route through them is offered.
    prior = hidden[hidden["year"] == ctx.year - 1].assign(year=ctx.year)
    prior = prior.rename(columns={"suppressed": "prior_hidden"})[
        ["year", "entity_id", "subject", "group", "prior_hidden"]
    ]
    rows = rows.merge(prior, on=["year", "entity_id", "subject", "group"], how="left")
    rows["prior_hidden"] = rows["prior_hidden"].fillna(True).astype(bool)
    for col in ("prior_value", "prior_pct_proficient", "prior_n", "required_gain"):
        rows[col] = rows[col].astype("float64").where(~rows["prior_hidden"])
    rules = _rules(facts)
    ayp_rules = rules[rules["section"] == "ayp"]
    part = ayp_rules[ayp_rules["kind"] == "participation"]
    decisive = ayp_rules[
        (ayp_rules["kind"] != "participation")
        & ayp_rules["in_determination"].fillna(False).astype(bool)
    ]
    models = facts.table("index_models")
    rows = _what_would_change(
        rows,
        min_rate=float(part["params"].iloc[0]["min_rate"]),
        decisive=decisive["id"].tolist(),
        steps={
            m: (None if pd.isna(x) else float(x))
            for m, x in zip(models["model"], models["level_step"], strict=True)
        },
    )
    rows["digits"] = rows["measure"].map(model_digits(models))
    hidden = hidden[hidden["year"] == ctx.year]
    out = apply_hidden(
        rows,
        hidden,
        value_cols=[*_AYP_VALUES, "change_target", "change_value", "change_of", "required_gain"],
    )
    names = ayp_test_names(facts)
    out["met_by_name"] = out["met_by"].map(
        lambda t: names.get(t, ayp_test_word(t)) if isinstance(t, str) and t else None
    )
    out["change_test_name"] = out["change_test"].map(
        lambda t: names.get(t, ayp_test_word(t)) if isinstance(t, str) and t else None
    )
    hide = out["suppressed"].to_numpy()
    # The words are rendered here from the stored figures, by the function the build used
    # (one place for the wording); a hidden group's path is not shown.
    out["path"] = [
        None if h or not isinstance(f, str) else fmt_ayp_path(f)
        for h, f in zip(hide, out["path_fields"], strict=True)
    ]
    out["path_fields"] = out["path_fields"].where(~hide, None)
    out["change_students"] = out["change_students"].where(~hide, pd.NA)
    out["change_plausible"] = out["change_plausible"] & ~hide
    return out.drop(columns=["order"]).reset_index(drop=True)


def ayp_subjects(ayp: pd.DataFrame, ctx: ReportContext | None = None) -> list[str]:
    """The subjects with AYP results, in report order; with ``ctx``, only the report's
    subjects (the determination itself always covers every AYP subject)."""
    found = list(dict.fromkeys(ayp["subject"])) if len(ayp) else []
    return [s for s in found if ctx is None or s in ctx.subjects]


def ayp_summary(ayp: pd.DataFrame) -> dict:
    """The entity's determination as the build stored it (``ayp_summary``), from its AYP view.

    Returns ``{"met": bool | None, "n_groups": int, "n_met": int, "subjects": {subject:
    {"met", "n_groups", "n_met"}}}`` counted over accountable groups (each subject x group
    is one result): the ``entity_*`` and ``subject_*`` columns :func:`view_ayp` reads from
    the ``ayp_summary`` facts table, never counted again here.
    """
    if ayp.empty or "entity_n_groups" not in ayp or ayp["entity_n_groups"].isna().all():
        return {"met": None, "n_groups": 0, "n_met": 0, "subjects": {}}
    subjects = {}
    for rec in records(ayp.drop_duplicates("subject")):
        if pd.isna(rec["subject_n_groups"]):
            continue
        subjects[rec["subject"]] = {
            "met": bool(rec["subject_met"]),
            "n_groups": int(rec["subject_n_groups"]),
            "n_met": int(rec["subject_n_met"]),
        }
    first = ayp.iloc[0]
    return {
        "met": bool(first["entity_met"]),
        "n_groups": int(first["entity_n_groups"]),
        "n_met": int(first["entity_n_met"]),
        "subjects": subjects,
    }


def ayp_unjudged(facts: Facts, ctx: ReportContext, ayp: pd.DataFrame) -> pd.DataFrame:
    """Accountable groups of the framework with students at the entity but no AYP row.

    Columns ``subject``, ``group``, ``label``, ``noun``, ``suppressed`` and
    ``suppression_reason`` (hidden groups are named as not reported, with their reason) -
    the others have fewer than the accountability minimum and are not judged for AYP.
    """
    if not has_accountability(facts) or ayp.empty:
        return pd.DataFrame(
            columns=["subject", "group", "label", "noun", "suppressed", "suppression_reason"]
        )
    subjects = ayp_subjects(ayp)
    rows = facts.sql(
        f"""
        SELECT p.subject, p."group", g.label, g.noun, g."order", p.n_fay_tested
        FROM performance p JOIN "groups" g ON g."group" = p."group"
        WHERE p.year = ? AND p.entity_id = ? AND p.grade = 'ALL' AND p.n_enrolled > 0
          AND p.subject IN ({_in(subjects)})
          AND p."group" IN (SELECT DISTINCT "group" FROM ayp WHERE accountable AND year = ?)
        ORDER BY g."order"
        """,
        [ctx.year, ctx.entity_id, *subjects, ctx.year],
    )
    have = set(zip(ayp["subject"], ayp["group"], strict=True))
    rows = rows[[(s, g) not in have for s, g in zip(rows["subject"], rows["group"], strict=True)]]
    hidden = hidden_for(facts, ctx, [ctx.entity_id], [ctx.year])
    rows = rows.assign(
        year=ctx.year, entity_type=ctx.entity_type, entity_id=ctx.entity_id, grade="ALL"
    )
    out = apply_hidden(rows, hidden, value_cols=["n_fay_tested"])
    cols = ["subject", "group", "label", "noun", "suppressed", "suppression_reason"]
    return out[cols].reset_index(drop=True)


def view_ayp_rules(facts: Facts) -> dict:
    """The AYP rules a report explains, from ``accountability_rules`` and ``runs``.

    ``{"min_rate": participation minimum (%), "accountability_min_n": int,
    "accountability_min_n_all": int (all students), "tests": [{"id",
    "kind", "label", "verified"}] (the tests of the determination, in order),
    "impact_tests": [...] (computed for the impact analysis only)}``.
    """
    if not has_accountability(facts):
        return {"min_rate": None, "accountability_min_n": None, "tests": [], "impact_tests": []}
    rules = _rules(facts)
    ayp = rules[rules["section"] == "ayp"]
    part = ayp[ayp["kind"] == "participation"]
    tests = ayp[ayp["kind"] != "participation"]
    decisive = tests["in_determination"].fillna(False).astype(bool)

    def listed(rows: pd.DataFrame) -> list[dict]:
        return [
            {
                "id": r["id"],
                "name": plain_test_name(r["id"], r["kind"], r["label"]),
                "kind": r["kind"],
                "label": r["label"],
                "short": re.sub(r"\s*\(impact analysis only\)$", "", str(r["label"])),
                "verified": bool(r["verified"]),
            }
            for r in records(rows)
        ]

    min_n = int(facts.run()["accountability_min_n"])
    return {
        "min_rate": float(part["params"].iloc[0]["min_rate"]) if len(part) else None,
        "accountability_min_n": min_n,
        "accountability_min_n_all": _min_n_all(facts) or min_n,
        "tests": listed(tests[decisive]),
        "impact_tests": listed(tests[~decisive]),
    }


def _min_n_all(facts: Facts) -> int | None:
    """The framework's accountability minimum for all students, when it sets one apart
    (from the framework as the build applied it, never reloaded)."""
    value = facts.applied_framework().get("accountability_min_n_all")
    return None if value is None else int(value)


def primary_goal_method(facts: Facts) -> str | None:
    """The goal method the framework calls primary (what ``kit goals`` writes)."""
    if "goals" not in facts.tables:
        return None
    rules = facts.table("accountability_rules", section="goals")
    primary = rules[rules["primary"].fillna(False).astype(bool)]
    if len(primary):
        return str(primary["id"].iloc[0])
    return str(rules["id"].iloc[0]) if len(rules) else None


def view_goals(
    facts: Facts, ctx: ReportContext, subject: str, method: str | None = None
) -> pd.DataFrame:
    """Goals (PIM 2-A) of the entity's groups in one subject, suppression applied.

    One row per group with a goal under ``method`` (default the framework's primary one).
    Columns: ``group``, ``label``, ``noun``, ``kind``, ``method``, ``method_label``,
    ``method_kind``, ``measure``, ``measure_name``, ``digits``, ``baseline_year``, ``baseline``, ``n_baseline``, ``target_year``, ``goal``,
    ``trajectory`` (list of (year, target)), ``target_now`` (the report year's target),
    ``actual_now``, ``on_track_now`` (the facts' verdict for the report year; None in the
    baseline year), ``verified``, ``suppressed``, ``suppression_reason``. A group is hidden
    when it is hidden in the baseline year or in the report year (the goal is derived from
    the baseline).
    """
    method = method or primary_goal_method(facts)
    cols = ["group", "label", "noun", "kind", "suppressed"]
    if method is None:
        return pd.DataFrame(columns=cols)
    rows = facts.sql(
        """
        SELECT go.* EXCLUDE (kind, label), go.kind AS method_kind, g.label, g.noun, g.kind,
               g."order",
               r.label AS method_label,
               COALESCE(m.name, 'percent proficient') AS measure_name
        FROM goals go JOIN "groups" g ON g."group" = go."group"
        LEFT JOIN index_models m ON m.model = go.measure
        LEFT JOIN accountability_rules r ON r.section = 'goals' AND r.id = go.method
        WHERE go.entity_id = ? AND go.subject = ? AND go.grade = 'ALL' AND go.method = ?
          AND go.baseline_year <= ?
        ORDER BY g."order"
        """,
        [ctx.entity_id, subject, method, ctx.year],
    )
    if rows.empty:
        return rows.assign(suppressed=pd.Series(dtype=bool))
    trajectories, target_now, actual_now, on_track = [], [], [], []
    for rec in records(rows):
        traj = [(int(y), float(t)) for y, t in (_json(rec["annual_targets"]) or [])]
        trajectories.append(traj)
        target_now.append(dict(traj).get(ctx.year, float("nan")))
        progress = {int(p[0]): p for p in (_json(rec["progress"]) or [])}
        if ctx.year == int(rec["baseline_year"]):
            actual_now.append(float(rec["baseline"]))
            on_track.append(None)
        elif ctx.year in progress and progress[ctx.year][1] is not None:
            actual_now.append(float(progress[ctx.year][1]))
            on_track.append(bool(progress[ctx.year][3]))
        else:
            actual_now.append(float("nan"))
            on_track.append(None)
    rows["digits"] = measures_digits(facts, rows["measure"])
    rows["trajectory"], rows["target_now"] = trajectories, target_now
    rows["actual_now"], rows["on_track_now"] = actual_now, on_track
    years = sorted({ctx.year, *rows["baseline_year"].astype(int)})
    hidden = hidden_for(facts, ctx, [ctx.entity_id], years)
    hidden = hidden[hidden["subject"] == subject]
    # Hidden in any of those years -> hidden (the baseline gives the goal away).
    per_group = (
        hidden.groupby("group")
        .agg(
            suppressed=("suppressed", "any"),
            suppression_reason=(
                "suppression_reason",
                lambda s: (
                    "small"
                    if (s == "small").any()
                    else ("complement" if (s == "complement").any() else "")
                ),
            ),
        )
        .reset_index()
    )
    out = rows.drop(columns=["order"]).merge(per_group, on="group", how="left")
    hide = out["suppressed"].fillna(True).astype(bool).to_numpy()
    out["suppressed"] = hide
    out["suppression_reason"] = out["suppression_reason"].fillna("small")
    for col in (
        "baseline",
        "n_baseline",
        "goal",
        "target_now",
        "actual_now",
        "latest_value",
        "latest_target",
    ):
        out[col] = out[col].astype("float64").where(~hide)
    out["trajectory"] = [None if h else t for h, t in zip(hide, out["trajectory"], strict=True)]
    out["on_track_now"] = [None if h else v for h, v in zip(hide, out["on_track_now"], strict=True)]
    return out.reset_index(drop=True)


def view_goal_trajectory(goals: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """``year``, ``target`` of one group's goal trajectory (for :func:`kit.charts.index.plot_trend`)."""
    rows = goals[(goals["group"] == group) & ~goals["suppressed"]] if len(goals) else goals
    if rows.empty or rows["trajectory"].iloc[0] is None:
        return pd.DataFrame(columns=["year", "target"])
    return pd.DataFrame(rows["trajectory"].iloc[0], columns=["year", "target"])


def goal_measure(goals: pd.DataFrame, ctx: ReportContext) -> str:
    """The measure a goals view is set on (the headline model when there are no goals)."""
    return str(goals["measure"].iloc[0]) if len(goals) else ctx.headline_model


def view_goal_trend(
    facts: Facts, ctx: ReportContext, subject: str, goals: pd.DataFrame, group: str = "all"
) -> pd.DataFrame:
    """One group's results on its goal's measure, every year up to the report year, with
    the goal's ``measure`` and ``measure_name``: ``year``, ``n``, ``value``, ``suppressed``
    (for :func:`kit.charts.index.plot_trend` with :func:`view_goal_trajectory`)."""
    measure = goal_measure(goals, ctx)
    if measure == PCT:
        sql = (
            "SELECT year, n_fay_tested AS n, pct_proficient AS value FROM performance "
            "WHERE entity_id = ? AND subject = ? AND grade = 'ALL' AND \"group\" = ? "
            "AND year <= ? ORDER BY year"
        )
        params = [ctx.entity_id, subject, group, ctx.year]
    else:
        sql = (
            "SELECT year, n, value FROM index_scores WHERE entity_id = ? AND subject = ? "
            "AND grade = 'ALL' AND \"group\" = ? AND year <= ? AND model = ? ORDER BY year"
        )
        params = [ctx.entity_id, subject, group, ctx.year, measure]
    rows = facts.sql(sql, params)
    years = sorted(rows["year"].unique().tolist())
    hidden = hidden_for(facts, ctx, [ctx.entity_id], years or [ctx.year])
    hidden = hidden[(hidden["subject"] == subject) & (hidden["group"] == group)]
    rows = rows.merge(hidden[["year", "suppressed"]], on="year", how="left")
    rows["suppressed"] = rows["suppressed"].fillna(True).astype(bool)
    rows["value"] = rows["value"].astype("float64").where(~rows["suppressed"])
    rows["n"] = rows["n"].astype("float64").where(~rows["suppressed"])
    name = (
        goals["measure_name"].iloc[0]
        if len(goals) and "measure_name" in goals
        else ctx.headline_model_name
    )
    return rows.assign(measure=measure, measure_name=name)


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
    years = [int(y) for y in rows["year"]]
    dec = decisions(facts, [ctx.entity_id], years)
    dec = dec[(dec["subject"] == subject)]
    return apply_hidden(
        rows.assign(group=group),
        dec,
        value_cols=["n", "pct_proficient", "index"],
        key_cols=["year"],
    ).drop(columns=["group"])


def view_models(facts: Facts, ctx: ReportContext, subject: str, group: str = "all") -> pd.DataFrame:
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
        LEFT JOIN (
            SELECT * FROM index_scores WHERE year = ? AND entity_id = ? AND subject = ?
              AND grade = 'ALL' AND "group" = ?
        ) i ON i.model = m.model
        ORDER BY m.headline DESC, m.kind, m.model
        """,
        [ctx.year, ctx.entity_id, subject, group],
    )
    span = rows["range_high"] - rows["range_low"]
    rows["share_of_range"] = 100.0 * (rows["value"] - rows["range_low"]) / span.where(span > 0)
    # Every model's result is a figure of one cell (the group at the entity): its decision.
    dec = decisions(facts, [ctx.entity_id], [ctx.year])
    dec = dec[dec["subject"] == subject]
    return apply_hidden(
        rows.assign(group=group), dec, value_cols=["n", "value", "share_of_range"], key_cols=[]
    ).drop(columns=["group"])


def accountability_caveats(facts: Facts, ctx: ReportContext, *, impact: bool = False) -> list[dict]:
    """The unverified rules a report rests on: ``{"label", "note"}`` for each.

    From ``accountability_rules`` (``verified`` false): the AMO schedule the AYP measure is
    judged against, the tests of the determination (every test when ``impact``, which uses
    them all, with the percent-proficient AMO), and the primary goal method.
    """
    if not has_accountability(facts):
        return []
    rules = _rules(facts)
    measures = facts.store_sql("SELECT DISTINCT measure FROM ayp")["measure"].tolist()
    amos = facts.store_sql("SELECT DISTINCT amo, measure FROM amo_targets")
    used_amos = set(amos.loc[amos["measure"].isin(measures), "amo"])
    if impact:
        used_amos |= set(amos["amo"])
    primary = primary_goal_method(facts)
    used = (
        ((rules["section"] == "amos") & rules["id"].isin(used_amos))
        | (
            (rules["section"] == "ayp")
            & (rules["in_determination"].fillna(False).astype(bool) | impact)
        )
        | ((rules["section"] == "goals") & (rules["id"] == primary) & (not impact))
    )
    rows = rules[used & ~rules["verified"].fillna(False).astype(bool)]
    return [
        {
            "section": r["section"],
            "id": r["id"],
            "label": str(r["label"]),
            "name": plain_test_name(r["id"], r["kind"], r["label"]),
            "note": None
            if r["note"] is None or (isinstance(r["note"], float) and math.isnan(r["note"]))
            else str(r["note"]),
        }
        for r in records(rows)
    ]
