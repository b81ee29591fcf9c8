"""The tables the lessons read, each from the facts store through the report views, so the
build's suppression decisions hold: a hidden group's figure never reaches a lesson.

Every function takes a :class:`~kit.workshop.lesson.Lesson` and returns a DataFrame of
plain columns (figures as numbers, NaN where hidden); :func:`display` turns one into the
table a lesson shows.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from kit.fmt import fmt_int, fmt_num, fmt_pct
from kit.frameworks.loader import index_model_library
from kit.views._common import decisions
from kit.views.district import view_ranking
from kit.views.index import view_ayp, view_goals
from kit.views.items import view_item_test
from kit.views.subgroups import view_subgroups
from kit.workshop.lesson import Lesson

HIDDEN = "hidden"


# --- 00 inventory -------------------------------------------------------------------------


def inventory(lesson: Lesson) -> pd.DataFrame:
    """One row per data file the store was built from: rows read, accepted and rejected."""
    run = lesson.facts.run()
    counts = run.get("row_counts") or []
    if isinstance(counts, str):
        counts = json.loads(counts)
    rows = [
        {
            "File": c.get("file") or c.get("table"),
            "What it holds": _FILE_WORDS.get(str(c.get("table")), str(c.get("table"))),
            "Rows read": int(c.get("read") or 0),
            "Accepted": int(c.get("accepted") or 0),
            "Rejected": int(c.get("rejected") or 0),
        }
        for c in counts
    ]
    return pd.DataFrame(
        rows, columns=["File", "What it holds", "Rows read", "Accepted", "Rejected"]
    )


_FILE_WORDS = {
    "students": "one row per student per year: school, grade, groups",
    "assessments": "one row per student per test: score and achievement level",
    "items": "one row per test question: type, points, standard",
    "item_responses": "one row per student per question: answer and points",
    "graduation": "graduation cohorts",
    "ccr": "college and career readiness",
}


def tested_by_year(lesson: Lesson) -> pd.DataFrame:
    """All students of the school in the lesson's subject, every year: enrolled (expected
    to test), tested, and the share tested. Hidden years show NaN."""
    facts, ctx = lesson.facts, lesson.ctx
    rows = facts.sql(
        "SELECT year, n_enrolled, n_tested, participation_rate FROM performance "
        "WHERE entity_id = ? AND subject = ? AND grade = 'ALL' AND \"group\" = 'all' "
        "AND year <= ? ORDER BY year",
        [ctx.entity_id, lesson.subject, ctx.year],
    )
    dec = decisions(facts, [ctx.entity_id], rows["year"].astype(int).tolist())
    dec = dec[(dec["subject"] == lesson.subject) & (dec["group"] == "all")]
    rows = rows.merge(dec[["year", "suppressed"]], on="year", how="left")
    hide = rows["suppressed"].fillna(True).astype(bool)
    for col in ("n_enrolled", "n_tested", "participation_rate"):
        rows[col] = rows[col].astype("float64").where(~hide)
    return rows.drop(columns=["suppressed"]).rename(
        columns={"n_enrolled": "enrolled", "n_tested": "tested", "participation_rate": "pct_tested"}
    )


# --- 0B, 1A: groups -----------------------------------------------------------------------


def groups(lesson: Lesson, year: int | None = None) -> pd.DataFrame:
    """:func:`kit.views.subgroups.view_subgroups` of the lesson's subject (``year``: another
    year of the same school; empty when the store lacks it)."""
    ctx = lesson.context(year or lesson.year)
    if ctx is None or lesson.subject not in ctx.subjects:
        return pd.DataFrame(columns=["group", "label", "n", "pct_proficient", "suppressed"])
    return lesson.cached(
        ("groups", ctx.year), lambda: view_subgroups(lesson.facts, ctx, lesson.subject)
    )


def ranking(lesson: Lesson, year: int | None = None) -> pd.DataFrame:
    """:func:`kit.views.district.view_ranking` (PIM 1-A) of the lesson's subject."""
    ctx = lesson.context(year or lesson.year)
    if ctx is None:
        return pd.DataFrame(columns=["group", "label", "n", "value", "rank", "suppressed"])
    return lesson.cached(
        ("ranking", ctx.year), lambda: view_ranking(lesson.facts, ctx, lesson.subject)
    )


def ranking_table(r: pd.DataFrame) -> pd.DataFrame:
    """:func:`ranking` as display strings: hidden groups say so, and are not ranked."""
    out = []
    for rec in r.to_dict("records"):
        hidden = bool(rec["suppressed"])
        out.append(
            {
                "Group": rec["label"],
                "Students": HIDDEN if hidden else fmt_int(rec["n"]),
                "Result": HIDDEN if hidden else fmt_num(rec["value"], 1),
                "Gap to all students": HIDDEN if hidden else fmt_num(rec["gap_all"], 1),
                "Rank": "not ranked" if pd.isna(rec["rank"]) else str(int(rec["rank"])),
                "Lowest / targeted": ", ".join(
                    w for w, on in (("lowest", rec["lowest"]), ("targeted", rec["targeted"])) if on
                ),
            }
        )
    return pd.DataFrame(out)


# --- 0C crosstab --------------------------------------------------------------------------


CROSSTAB = "low_income x ell x swd"
_AXES = {"low_income": "Low income", "ell": "English learner", "swd": "With a disability"}


def crosstab(lesson: Lesson, year: int | None = None) -> pd.DataFrame:
    """The school's cross-tabulation of low income x English learner x disability (PIM
    0-C): one row per combination, ``low_income``, ``ell``, ``swd`` each Y, N or ALL, and
    ``n`` students (NaN where the build hid the cell)."""
    year = year or lesson.year
    facts, ctx = lesson.facts, lesson.ctx
    if "crosstab" not in facts.tables:
        return pd.DataFrame(columns=["low_income", "ell", "swd", "n", "suppressed"])
    rows = facts.sql(
        "SELECT low_income, ell, swd, n, suppressed FROM crosstab WHERE year = ? "
        "AND entity_id = ? AND crosstab = ? AND grade = 'ALL' ORDER BY low_income, ell, swd",
        [year, ctx.entity_id, CROSSTAB],
    )
    rows["suppressed"] = rows["suppressed"].fillna(True).astype(bool)
    rows["n"] = rows["n"].astype("float64").where(~rows["suppressed"])
    return rows


def crosstab_cell(xt: pd.DataFrame, low_income="ALL", ell="ALL", swd="ALL") -> float | None:
    """The count of one combination (None when hidden or absent)."""
    hit = xt[(xt["low_income"] == low_income) & (xt["ell"] == ell) & (xt["swd"] == swd)]
    if hit.empty or bool(hit["suppressed"].iloc[0]):
        return None
    return float(hit["n"].iloc[0])


def crosstab_table(xt: pd.DataFrame) -> pd.DataFrame:
    """Low income (rows) x disability (columns), every English-learner status together:
    the two-way table a team reads first."""
    out = []
    for li, li_word in (("Y", "Low income"), ("N", "Not low income"), ("ALL", "All students")):
        row = {"": li_word}
        for swd, swd_word in (("Y", "With a disability"), ("N", "Without"), ("ALL", "Total")):
            value = crosstab_cell(xt, li, "ALL", swd)
            row[swd_word] = HIDDEN if value is None else fmt_int(value)
        out.append(row)
    return pd.DataFrame(out)


# --- 2A, 9: goals and the goal line -------------------------------------------------------


def goals(lesson: Lesson) -> pd.DataFrame:
    """:func:`kit.views.index.view_goals` of the lesson's subject (the primary method)."""
    return lesson.cached("goals", lambda: view_goals(lesson.facts, lesson.ctx, lesson.subject))


def goal_row(lesson: Lesson, group: str = "all") -> dict | None:
    g = goals(lesson)
    hit = g[(g["group"] == group) & ~g["suppressed"]] if len(g) else g
    return None if hit.empty else hit.iloc[0].to_dict()


def target_in(row: dict | None, year: int | None) -> float | None:
    """The goal line's value in ``year`` (None outside the trajectory)."""
    if row is None or year is None:
        return None
    for y, target in row.get("trajectory") or []:
        if int(y) == int(year):
            return float(target)
    return None


def benchmarks(lesson: Lesson, group: str = "all") -> pd.DataFrame:
    """One group's result every year beside its goal line (PIM step 9): ``year``,
    ``result``, ``goal_line``, ``above_line`` (result minus goal line) and ``on_track``."""
    row = goal_row(lesson, group)
    if row is None:
        return pd.DataFrame(columns=["year", "result", "goal_line", "above_line", "on_track"])
    measure = row["measure"]
    facts, ctx = lesson.facts, lesson.ctx
    if measure == "pct_proficient":
        res = facts.sql(
            "SELECT year, pct_proficient AS result FROM performance WHERE entity_id = ? "
            "AND subject = ? AND grade = 'ALL' AND \"group\" = ? AND year <= ? ORDER BY year",
            [ctx.entity_id, lesson.subject, group, ctx.year],
        )
    else:
        res = facts.sql(
            "SELECT year, value AS result FROM index_scores WHERE entity_id = ? AND subject = ? "
            "AND grade = 'ALL' AND \"group\" = ? AND model = ? AND year <= ? ORDER BY year",
            [ctx.entity_id, lesson.subject, group, measure, ctx.year],
        )
    dec = decisions(facts, [ctx.entity_id], res["year"].astype(int).tolist())
    dec = dec[(dec["subject"] == lesson.subject) & (dec["group"] == group)]
    res = res.merge(dec[["year", "suppressed"]], on="year", how="left")
    res["result"] = (
        res["result"].astype("float64").where(~res["suppressed"].fillna(True).astype(bool))
    )
    res["goal_line"] = [target_in(row, y) for y in res["year"]]
    res["goal_line"] = res["goal_line"].astype("float64")
    res["above_line"] = res["result"] - res["goal_line"]
    res["on_track"] = [
        None if math.isnan(a) else bool(a >= -1e-9) for a in res["above_line"].astype(float)
    ]
    return res.drop(columns=["suppressed"])


def off_track_groups(lesson: Lesson) -> pd.DataFrame:
    """The groups with a goal this year, shown or hidden, and whether each is on track."""
    g = goals(lesson)
    if g.empty:
        return g
    g = g[g["kind"] != "complement"]
    return g[["group", "label", "suppressed", "on_track_now", "target_now", "actual_now"]]


# --- 3 items --------------------------------------------------------------------------------


def item_grade(lesson: Lesson) -> str | None:
    """The tested grade the items lesson uses: the lesson's, else the school's lowest grade
    with item results in the subject."""
    if lesson.grade:
        return str(lesson.grade)
    grades = (
        lesson.facts.sql(
            "SELECT DISTINCT grade FROM item_stats WHERE year = ? AND entity_id = ? AND subject = ? "
            "AND grade <> 'ALL'",
            [lesson.year, lesson.ctx.entity_id, lesson.subject],
        )["grade"].tolist()
        if "item_stats" in lesson.facts.tables
        else []
    )
    grades = sorted(grades, key=lambda g: (len(str(g)), str(g)))
    return grades[0] if grades else None


def items(lesson: Lesson):
    """:func:`kit.views.items.view_item_test` of the lesson's subject and grade."""
    grade = item_grade(lesson)
    if grade is None:
        return None
    return lesson.cached(
        ("items", grade), lambda: view_item_test(lesson.facts, lesson.ctx, lesson.subject, grade)
    )


def shown_items(lesson: Lesson) -> pd.DataFrame:
    view = items(lesson)
    if view is None or view.suppressed:
        return pd.DataFrame(columns=["item_id", "pct_correct", "diff_vs_state"])
    rows = view.items
    return rows[~rows["suppressed"].astype(bool) & rows["diff_vs_state"].notna()]


def options_of(lesson: Lesson, item_id: str) -> pd.DataFrame:
    view = items(lesson)
    if view is None or view.options.empty:
        return pd.DataFrame(columns=["option", "is_key", "pct"])
    rows = view.options[view.options["item_id"] == item_id]
    return rows[~rows["suppressed"].astype(bool)] if "suppressed" in rows else rows


# --- indexes: one result, many models ------------------------------------------------------


def ayp_row(lesson: Lesson, group: str = "all") -> dict | None:
    ayp = lesson.cached("ayp", lambda: view_ayp(lesson.facts, lesson.ctx))
    if ayp.empty:
        return None
    hit = ayp[(ayp["subject"] == lesson.subject) & (ayp["group"] == group) & ~ayp["suppressed"]]
    return None if hit.empty else hit.iloc[0].to_dict()


def shown_group_rows(lesson: Lesson) -> pd.DataFrame:
    """Groups of the lesson's subject whose results are shown (not hidden), with students."""
    g = groups(lesson)
    return g[~g["suppressed"].astype(bool) & g["n"].notna()]


def what_if(lesson: Lesson, group: str = "all", moves=None, from_level: int | None = None):
    """What moving students up one achievement level would do to every index model and to
    the AYP status test, for a group whose results are shown.

    ``from_level`` (default the level just below proficient): the level the students move
    up from; ``moves``: the numbers of students moved (default 0 to every student at that
    level). One row per number moved: ``moved``, ``pct_proficient``, one column per index
    model of the framework with points per level (its name), and ``ayp_status`` (the status
    test: the group's AYP measure at or above its target; other tests are not redone).

    Notes
    -----
    A student moving from level L to L+1 adds ``scale x (low(points[L+1]) - high(points[L]))
    / n`` to a model (``n`` its denominator; for a split level the move is from the high
    half to the low half of the next level, the smallest gain, as in
    :func:`kit.views.index.level_step`). Proficiency-index models (grade-by-grade AMOs) are
    left out.
    """
    ctx = lesson.ctx
    shown = shown_group_rows(lesson)
    if group not in set(shown["group"]):
        return pd.DataFrame(columns=["moved"])
    from_level = from_level or max(1, ctx.proficient_level - 1)
    row = shown[shown["group"] == group].iloc[0]
    n = float(row["n"])
    at_level = round(n * float(row.get(f"pct_l{from_level}", 0) or 0) / 100.0)
    moves = list(range(0, int(at_level) + 1)) if moves is None else list(moves)
    library = index_model_library()
    scores = lesson.facts.sql(
        "SELECT s.model, s.n, s.value, m.name, m.kind FROM index_scores s "
        "JOIN index_models m ON m.model = s.model WHERE s.year = ? AND s.entity_id = ? "
        "AND s.subject = ? AND s.grade = 'ALL' AND s.\"group\" = ? ORDER BY m.headline DESC, s.model",
        [ctx.year, ctx.entity_id, lesson.subject, group],
    )
    models = []
    for rec in scores.to_dict("records"):
        spec = library.get(rec["model"]) or {}
        if rec["kind"] != "level_points" or spec.get("kind") != "level_points":
            continue
        if rec["value"] is None or pd.isna(rec["value"]) or not rec["n"]:
            continue
        points = {int(k): v for k, v in spec["points"].items()}
        if from_level not in points or from_level + 1 not in points:
            continue
        lo = points[from_level + 1]
        hi = points[from_level]
        lo = float(lo[0] if isinstance(lo, list | tuple) else lo)
        hi = float(hi[1] if isinstance(hi, list | tuple) else hi)
        step = float(spec.get("scale", 1.0)) * (lo - hi)
        models.append((str(rec["name"]), float(rec["value"]), step / float(rec["n"])))
    ayp = ayp_row(lesson, group)
    out = []
    for k in moves:
        rec = {"moved": int(k)}
        pct = float(row["pct_proficient"])
        if from_level + 1 == ctx.proficient_level:
            pct += 100.0 * k / n
        rec["pct_proficient"] = min(pct, 100.0)
        for name, value, per_student in models:
            rec[name] = value + k * per_student
        if ayp is not None and ayp.get("target") is not None and not pd.isna(ayp["target"]):
            measure = ayp["measure"]
            status_value: float | None
            if measure == "pct_proficient":
                status_value = rec["pct_proficient"]
            else:
                status_value = next(
                    (v + k * s for nm, v, s in models if nm == ayp.get("measure_name")), None
                )
            rec["ayp_status"] = (
                None if status_value is None else bool(status_value >= float(ayp["target"]) - 1e-9)
            )
        out.append(rec)
    frame = pd.DataFrame(out)
    frame.attrs["from_level"] = from_level
    frame.attrs["group"] = group
    frame.attrs["n"] = n
    frame.attrs["ayp_target"] = None if ayp is None else ayp.get("target")
    frame.attrs["ayp_measure"] = None if ayp is None else ayp.get("measure_name")
    return frame


def what_if_table(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`what_if` as display strings."""
    out = []
    for rec in frame.to_dict("records"):
        row = {
            "Students moved up": fmt_int(rec["moved"]),
            "% proficient": fmt_pct(rec["pct_proficient"]),
        }
        for col, value in rec.items():
            if col in ("moved", "pct_proficient", "ayp_status"):
                continue
            row[col] = fmt_num(value, 3 if abs(value) <= 1.0 else 1)
        if "ayp_status" in rec:
            status = rec["ayp_status"]
            row["AYP status test"] = "—" if status is None else ("met" if status else "not met")
        out.append(row)
    return pd.DataFrame(out)


def students_to_meet(frame: pd.DataFrame) -> int | None:
    """The fewest students moved for the AYP status test to be met (None if never)."""
    if "ayp_status" not in frame:
        return None
    met = frame[frame["ayp_status"].fillna(False).astype(bool)]
    return None if met.empty else int(met["moved"].min())


# --- showing a table -------------------------------------------------------------------------

_WORDS = {
    "year": "Year",
    "enrolled": "Enrolled (expected to test)",
    "tested": "Tested",
    "pct_tested": "% tested",
    "result": "Result",
    "goal_line": "Goal line",
    "above_line": "Above (+) or below (−) the line",
    "on_track": "On track?",
}


def show(table: pd.DataFrame, caption: str) -> None:
    """Show a lesson's table: counts as whole numbers, other figures with one decimal,
    hidden figures as "hidden", yes/no for true/false."""
    from kit.tables.display import show_table

    out = pd.DataFrame()
    for col in table.columns:
        values = []
        for v in table[col]:
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                values.append(HIDDEN if col not in ("goal_line", "above_line", "on_track") else "—")
            elif isinstance(v, bool):
                values.append("yes" if v else "no")
            elif col == "year":
                values.append(str(int(v)))
            elif isinstance(v, int) or (
                isinstance(v, float) and float(v).is_integer() and col != "pct_tested"
            ):
                values.append(fmt_int(v))
            elif isinstance(v, float):
                values.append(fmt_num(v, 1))
            else:
                values.append(str(v))
        out[_WORDS.get(col, col)] = values
    show_table(out, caption=caption)


def mc_item_behind(lesson: Lesson) -> str | None:
    """The multiple-choice item (one with answer options) furthest below the state."""
    rows = shown_items(lesson)
    if rows.empty:
        return None
    opts = items(lesson).options
    with_options = set(opts["item_id"]) if len(opts) else set()
    rows = rows[rows["item_id"].isin(with_options)].sort_values(["diff_vs_state", "item_id"])
    return None if rows.empty else str(rows["item_id"].iloc[0])


def options_table(lesson: Lesson, item_id: str | None = None) -> pd.DataFrame:
    """The answers students chose on one multiple-choice item (default
    :func:`mc_item_behind`): option, whether it is the correct answer (the key), % choosing."""
    item_id = item_id or mc_item_behind(lesson)
    rows = options_of(lesson, item_id) if item_id else pd.DataFrame(columns=["option"])
    out = [
        {
            "Answer": str(r["option"]).replace("BLANK", "left blank"),
            "Correct answer?": "yes (the key)" if bool(r["is_key"]) else "no",
            "% of students choosing it": fmt_pct(r["pct"]),
        }
        for r in rows.sort_values("option").to_dict("records")
    ]
    return pd.DataFrame(out, columns=["Answer", "Correct answer?", "% of students choosing it"])
