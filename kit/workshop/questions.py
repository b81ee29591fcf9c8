"""The exercises and checkpoints of the eight lessons, each answer computed from the facts.

A question's id starts with its lesson (``0B.lowest_group``). Hints name the mistake in
plain words and never show a hidden group's figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from kit.fmt import fmt_int, fmt_num, fmt_pct
from kit.workshop import data
from kit.workshop.check import (
    SORTED_BY_N,
    STUDENTS_VS_POINTS,
    SUPPRESSED_GROUP,
    WRONG_YEAR,
    Checkpoint,
    Mistake,
    Question,
    checkpoint_def,
    question,
)
from kit.workshop.lesson import Lesson, subject_name


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _wrong_year_hint(lesson: Lesson) -> str:
    return (
        f"That is the figure for {lesson.prior_year}. The question is about {lesson.year}: "
        "check which year the table or row you read is for."
    )


def _suppressed_hint(lesson: Lesson) -> str:
    return (
        "That group's result is hidden at this school (fewer than "
        f"{lesson.ctx.reporting_min_n} students, or hidden so that a smaller group's result "
        "cannot be worked out by subtraction). A hidden group cannot be ranked or compared: "
        "leave it out and look only at the groups whose results are shown."
    )


def _sorted_by_n_hint(what: str) -> Callable:
    return lambda lesson: (
        f"That group has the fewest students, not the lowest {what}. Small is not the same as "
        f"low: sort by the {what} column, not by the number of students."
    )


# --- 00 inventory ----------------------------------------------------------------------------


def _tested(lesson: Lesson, year: int | None) -> float | None:
    if year is None:
        return None
    t = data.tested_by_year(lesson)
    hit = t[t["year"] == year]
    return None if hit.empty or _nan(hit["tested"].iloc[0]) else float(hit["tested"].iloc[0])


question(
    Question(
        id="00.tested",
        kind="number",
        answer=lambda lesson: _tested(lesson, lesson.year),
        prompt=lambda lesson: (
            f"How many students at {lesson.ctx.name} took the {subject_name(lesson.subject)} "
            f"test in {lesson.year}?"
        ),
        mistakes=(
            Mistake(
                WRONG_YEAR, lambda lesson: _tested(lesson, lesson.prior_year), _wrong_year_hint
            ),
            Mistake(
                "enrolled_not_tested",
                lambda lesson: _enrolled(lesson),
                lambda lesson: (
                    "That is the number of students expected to take the test (enrolled). "
                    "The question asks how many actually took it: the 'tested' column."
                ),
            ),
        ),
        explain=lambda lesson: (
            f"{fmt_int(_tested(lesson, lesson.year))} students took the test in {lesson.year}."
        ),
    )
)


def _enrolled(lesson: Lesson) -> float | None:
    t = data.tested_by_year(lesson)
    hit = t[t["year"] == lesson.year]
    return None if hit.empty or _nan(hit["enrolled"].iloc[0]) else float(hit["enrolled"].iloc[0])


def _rejected(lesson: Lesson) -> float:
    return float(data.inventory(lesson)["Rejected"].sum())


question(
    Question(
        id="00.rejected",
        kind="number",
        answer=_rejected,
        prompt=lambda lesson: (
            "How many rows, in all the files together, did the check of the data "
            "(kit validate) reject?"
        ),
        mistakes=(
            Mistake(
                "rows_read",
                lambda lesson: float(data.inventory(lesson)["Rows read"].sum()),
                lambda lesson: (
                    "That is every row read. The question asks how many were rejected: add up "
                    "the 'Rejected' column."
                ),
            ),
            Mistake(
                "rows_accepted",
                lambda lesson: float(data.inventory(lesson)["Accepted"].sum()),
                lambda lesson: (
                    "That is the number of rows accepted. Add up the 'Rejected' column instead."
                ),
            ),
        ),
        explain=lambda lesson: (
            f"{fmt_int(_rejected(lesson))} rows were rejected. Every rejected row is a student "
            "or a score the reports leave out: ask why before trusting the numbers."
        ),
    )
)

checkpoint_def(
    Checkpoint(
        id="00.files",
        expected=lambda lesson: int(lesson.facts.run()["rows_read"]),
        read=lambda table: int(table["Rows read"].sum()),
        say=lambda lesson, x: f"{fmt_int(x)} rows read in all the files together",
    )
)
checkpoint_def(
    Checkpoint(
        id="00.tested",
        expected=lambda lesson: _perf(lesson, "n_tested"),
        read=lambda table: float(table["tested"].iloc[-1]),
        say=lambda lesson, x: (
            f"{fmt_int(x)} students tested in {lesson.year}, in the last row of the table"
        ),
    )
)


def _perf(lesson: Lesson, column: str, group: str = "all", year: int | None = None) -> float:
    rows = lesson.facts.sql(
        f"SELECT {column} FROM performance WHERE entity_id = ? AND subject = ? AND grade = 'ALL' "
        'AND "group" = ? AND year = ?',
        [lesson.ctx.entity_id, lesson.subject, group, year or lesson.year],
    )
    return float(rows[column].iloc[0]) if len(rows) else float("nan")


# --- 0B disaggregate -------------------------------------------------------------------------


def _pct_all(lesson: Lesson, year: int | None = None) -> float | None:
    g = data.groups(lesson, year)
    hit = g[(g["group"] == "all") & ~g["suppressed"].astype(bool)]
    return None if hit.empty else float(hit["pct_proficient"].iloc[0])


def _index_all(lesson: Lesson) -> float | None:
    g = data.groups(lesson)
    hit = g[(g["group"] == "all") & ~g["suppressed"].astype(bool)]
    return None if hit.empty or _nan(hit["index"].iloc[0]) else float(hit["index"].iloc[0])


question(
    Question(
        id="0B.pct_all",
        kind="number",
        tolerance=0.5,
        answer=_pct_all,
        prompt=lambda lesson: (
            f"What percent of all students at {lesson.ctx.name} were proficient or above in "
            f"{subject_name(lesson.subject)} in {lesson.year}? (A whole number is fine.)"
        ),
        mistakes=(
            Mistake(
                STUDENTS_VS_POINTS,
                _index_all,
                lambda lesson: (
                    f"That is the {lesson.ctx.headline_model_name}: average points per student, "
                    "not a percent of students. The question asks what share of the students "
                    "reached proficient: the '% proficient+' column."
                ),
            ),
            Mistake(
                WRONG_YEAR, lambda lesson: _pct_all(lesson, lesson.prior_year), _wrong_year_hint
            ),
        ),
        explain=lambda lesson: (
            f"{fmt_pct(_pct_all(lesson))} of all students were proficient or above."
        ),
    )
)


def _shown_groups(lesson: Lesson, year: int | None = None, column: str = "pct_proficient"):
    g = data.groups(lesson, year)
    return g[(g["group"] != "all") & ~g["suppressed"].astype(bool) & g[column].notna()]


def _lowest(rows: pd.DataFrame, column: str, key: str = "group") -> set[str] | None:
    """The ``key`` of the rows with the lowest ``column`` (every one of a tie)."""
    if rows.empty:
        return None
    low = rows[column].min()
    return set(rows.loc[(rows[column] - low).abs() < 1e-9, key].astype(str))


def _hidden_groups(lesson: Lesson) -> set[str] | None:
    g = data.groups(lesson)
    hidden = g[(g["group"] != "all") & g["suppressed"].astype(bool)]
    return set(hidden["group"]) or None


question(
    Question(
        id="0B.lowest_group",
        kind="group",
        answer=lambda lesson: _lowest(_shown_groups(lesson), "pct_proficient"),
        prompt=lambda lesson: (
            f"Which student group has the lowest percent proficient in "
            f"{subject_name(lesson.subject)} in {lesson.year}? Write its name as the table does."
        ),
        mistakes=(
            Mistake(SUPPRESSED_GROUP, _hidden_groups, _suppressed_hint),
            Mistake(
                SORTED_BY_N,
                lambda lesson: _lowest(_shown_groups(lesson), "n"),
                _sorted_by_n_hint("percent proficient"),
            ),
            Mistake(
                WRONG_YEAR,
                lambda lesson: _lowest(_shown_groups(lesson, lesson.prior_year), "pct_proficient"),
                _wrong_year_hint,
            ),
        ),
        explain=lambda lesson: (
            "Of the groups whose results are shown, it has the lowest percent proficient."
        ),
    )
)

checkpoint_def(
    Checkpoint(
        id="0B.groups",
        expected=lambda lesson: _perf(lesson, "n_fay_tested"),
        read=lambda view: float(view.loc[view["group"] == "all", "n"].iloc[0]),
        say=lambda lesson, x: f"{fmt_int(x)} students in the All students row",
    )
)
checkpoint_def(
    Checkpoint(
        id="0B.hidden",
        expected=lambda lesson: int(
            (
                lambda d: d[(d["subject"] == lesson.subject) & d["group"].isin(_present(lesson))][
                    "suppressed"
                ].sum()
            )(data.decisions(lesson.facts, [lesson.ctx.entity_id], [lesson.year]))
        ),
        read=lambda view: int(view["suppressed"].astype(bool).sum()),
        say=lambda lesson, x: (
            f"{x} groups hidden (shown as fewer than {lesson.ctx.reporting_min_n}, or n/r)"
        ),
    )
)


def _present(lesson: Lesson) -> list[str]:
    return lesson.facts.sql(
        "SELECT \"group\" FROM performance WHERE entity_id = ? AND subject = ? AND grade = 'ALL' "
        "AND year = ? AND n_enrolled > 0",
        [lesson.ctx.entity_id, lesson.subject, lesson.year],
    )["group"].tolist()


# --- 0C crosstab -----------------------------------------------------------------------------


def _cell(lesson: Lesson, year=None, **keys) -> float | None:
    return data.crosstab_cell(data.crosstab(lesson, year), **keys)


question(
    Question(
        id="0C.both",
        kind="number",
        answer=lambda lesson: _cell(lesson, low_income="Y", swd="Y"),
        prompt=lambda lesson: (
            f"How many students at {lesson.ctx.name} in {lesson.year} are both from a "
            "low-income family and students with a disability?"
        ),
        mistakes=(
            Mistake(
                "added_groups",
                lambda lesson: _sum_or_none(_cell(lesson, low_income="Y"), _cell(lesson, swd="Y")),
                lambda lesson: (
                    "You added the low-income students and the students with a disability. A "
                    "student who is both is then counted twice, and students who are only one "
                    "of the two are counted too. Read the one cell where the two meet."
                ),
            ),
            Mistake(
                WRONG_YEAR,
                lambda lesson: _cell(lesson, lesson.prior_year, low_income="Y", swd="Y"),
                _wrong_year_hint,
            ),
        ),
        explain=lambda lesson: (
            "That is the cell where the low-income row meets the disability column."
        ),
    )
)


def _sum_or_none(a, b):
    return None if a is None or b is None else a + b


def _neither_share(lesson: Lesson, year=None) -> float | None:
    none = _cell(lesson, year, low_income="N", swd="N")
    total = _cell(lesson, year)
    return None if none is None or not total else 100.0 * none / total


question(
    Question(
        id="0C.neither_pct",
        kind="number",
        tolerance=0.5,
        answer=_neither_share,
        prompt=lambda lesson: (
            "What percent of the school's students are neither low income nor students with a "
            "disability? (A whole number is fine.)"
        ),
        mistakes=(
            Mistake(
                "count_not_percent",
                lambda lesson: _cell(lesson, low_income="N", swd="N"),
                lambda lesson: (
                    "That is the number of students. The question asks for a percent: divide "
                    "it by all the school's students and multiply by 100."
                ),
            ),
            Mistake(
                WRONG_YEAR,
                lambda lesson: _neither_share(lesson, lesson.prior_year),
                _wrong_year_hint,
            ),
        ),
        explain=lambda lesson: (
            f"{fmt_pct(_neither_share(lesson))} of the students are in neither group."
        ),
    )
)

checkpoint_def(
    Checkpoint(
        id="0C.total",
        expected=lambda lesson: float(
            lesson.facts.entity(lesson.ctx.entity_id, lesson.year)["n_students"]
        ),
        read=lambda xt: data.crosstab_cell(xt),
        say=lambda lesson, x: (
            f"{fmt_int(x)} students in the All students, Total cell: every student of the school"
        ),
    )
)
checkpoint_def(
    Checkpoint(
        id="0C.low_income",
        expected=lambda lesson: _cell(lesson, low_income="Y"),
        read=lambda xt: data.crosstab_cell(xt, low_income="Y"),
        say=lambda lesson, x: (
            f"{fmt_int(x)} low-income students in the Low income, Total cell"
            if x is not None
            else "the Low income, Total cell hidden"
        ),
    )
)


# --- 1A lowest groups ------------------------------------------------------------------------


def _ranked(lesson: Lesson, year=None) -> pd.DataFrame:
    r = data.ranking(lesson, year)
    return r[~r["suppressed"].astype(bool) & r["rank"].notna()] if len(r) else r


def _lowest_ranked(lesson: Lesson, year=None) -> set[str] | None:
    r = _ranked(lesson, year)
    return _lowest(r, "value") if len(r) else None


question(
    Question(
        id="1A.min_n",
        kind="number",
        answer=lambda lesson: float(lesson.ctx.reporting_min_n),
        prompt=lambda lesson: (
            "What is the smallest number of students a group must have for its results to "
            "be shown (and ranked) in these reports?"
        ),
        mistakes=(
            Mistake(
                "accountability_min_n",
                lambda lesson: float(lesson.facts.run().get("accountability_min_n") or "nan"),
                lambda lesson: (
                    "That is the minimum for AYP (accountability), which is larger. The "
                    "question asks for the minimum to be shown in a report."
                ),
            ),
        ),
        explain=lambda lesson: (
            f"Groups of fewer than {lesson.ctx.reporting_min_n} students are hidden: too few "
            "to be reliable, and too few to keep the students anonymous."
        ),
    )
)

question(
    Question(
        id="1A.lowest_group",
        kind="group",
        answer=_lowest_ranked,
        prompt=lambda lesson: (
            f"Which group is the lowest-performing in {subject_name(lesson.subject)} in "
            f"{lesson.year}, by the measure of the ranking ({_ranking_measure(lesson)})?"
        ),
        mistakes=(
            Mistake(
                SUPPRESSED_GROUP,
                lambda lesson: (
                    set(data.ranking(lesson).loc[lambda r: r["suppressed"].astype(bool), "group"])
                    or None
                ),
                _suppressed_hint,
            ),
            Mistake(
                SORTED_BY_N,
                lambda lesson: _lowest(_ranked(lesson), "n"),
                _sorted_by_n_hint("result"),
            ),
            Mistake(
                WRONG_YEAR,
                lambda lesson: _lowest_ranked(lesson, lesson.prior_year),
                _wrong_year_hint,
            ),
        ),
        explain=lambda lesson: "It is ranked first (lowest) among the groups large enough to rank.",
    )
)


def _ranking_measure(lesson: Lesson) -> str:
    r = data.ranking(lesson)
    if r.empty or "measure" not in r:
        return lesson.ctx.headline_model_name
    m = str(r["measure"].iloc[0])
    return "percent proficient" if m == "pct_proficient" else lesson.ctx.headline_model_name


checkpoint_def(
    Checkpoint(
        id="1A.ranked",
        expected=lambda lesson: int(
            lesson.facts.sql(
                "SELECT COUNT(*) AS k FROM group_ranking WHERE year = ? AND entity_id = ? AND "
                "subject = ? AND grade = 'ALL' AND rank IS NOT NULL AND NOT suppressed",
                [lesson.year, lesson.ctx.entity_id, lesson.subject],
            )["k"].iloc[0]
        ),
        read=lambda r: int(r["rank"].notna().sum()),
        say=lambda lesson, x: f"{x} groups ranked; the others are hidden or too small",
    )
)


# --- 2A goals --------------------------------------------------------------------------------


def _goal(lesson: Lesson) -> float | None:
    row = data.goal_row(lesson)
    return None if row is None else float(row["goal"])


def _target(lesson: Lesson, year) -> float | None:
    return data.target_in(data.goal_row(lesson), year)


def _goal_digits(lesson: Lesson) -> int:
    row = data.goal_row(lesson)
    return int(row.get("digits") or 1) if row else 1


def _tol(lesson_digits: int) -> float:
    return 0.05 if lesson_digits == 1 else 0.0005


question(
    Question(
        id="2A.goal",
        kind="number",
        tolerance=0.1,
        answer=_goal,
        prompt=lambda lesson: (
            "What is the all-students goal (the value to reach in the goal year)? One decimal."
        ),
        mistakes=(
            Mistake(
                WRONG_YEAR,
                lambda lesson: _target(lesson, lesson.year),
                lambda lesson: (
                    f"That is this year's target ({lesson.year}), a step on the way. The goal is "
                    "the value for the last year of the trajectory, the goal year."
                ),
            ),
            Mistake(
                "baseline",
                lambda lesson: (data.goal_row(lesson) or {}).get("baseline"),
                lambda lesson: (
                    "That is the baseline: where the school started. The goal is where the "
                    "line ends."
                ),
            ),
        ),
        explain=lambda lesson: f"The goal is {fmt_num(_goal(lesson), _goal_digits(lesson))}.",
    )
)

question(
    Question(
        id="2A.target_now",
        kind="number",
        tolerance=0.1,
        answer=lambda lesson: _target(lesson, lesson.year),
        prompt=lambda lesson: (
            f"On the trajectory to the goal, what is the all-students target for {lesson.year}? "
            "One decimal."
        ),
        mistakes=(
            Mistake(
                WRONG_YEAR, lambda lesson: _target(lesson, lesson.prior_year), _wrong_year_hint
            ),
            Mistake(
                "next_year",
                lambda lesson: _target(lesson, lesson.year + 1),
                lambda lesson: (
                    f"That is the target for {lesson.year + 1}, next year. The question asks "
                    f"for {lesson.year}."
                ),
            ),
        ),
        explain=lambda lesson: (
            f"The line passes {fmt_num(_target(lesson, lesson.year), _goal_digits(lesson))} in {lesson.year}."
        ),
    )
)

checkpoint_def(
    Checkpoint(
        id="2A.goals",
        expected=lambda lesson: round(
            float(
                lesson.facts.sql(
                    "SELECT baseline FROM goals WHERE entity_id = ? AND subject = ? AND grade = 'ALL' "
                    "AND \"group\" = 'all' AND method = ?",
                    [lesson.ctx.entity_id, lesson.subject, _goal_method(lesson)],
                )["baseline"].iloc[0]
            ),
            6,
        ),
        read=lambda g: round(float(g.loc[g["group"] == "all", "baseline"].iloc[0]), 6),
        say=lambda lesson, x: f"an all-students baseline of {fmt_num(x, _goal_digits(lesson))}",
    )
)


# --- 3 items ---------------------------------------------------------------------------------


def _most_behind(lesson: Lesson) -> set[str] | None:
    rows = data.shown_items(lesson)
    return _lowest(rows, "diff_vs_state", "item_id") if len(rows) else None


def _hardest(lesson: Lesson) -> set[str] | None:
    rows = data.shown_items(lesson)
    return _lowest(rows, "pct_correct", "item_id") if len(rows) else None


question(
    Question(
        id="3.most_behind",
        kind="text",
        answer=_most_behind,
        prompt=lambda lesson: (
            f"On the grade {data.item_grade(lesson)} {subject_name(lesson.subject)} test, on "
            "which item does the school trail the state the most? Write the item's id."
        ),
        mistakes=(
            Mistake(
                "hardest_not_behind",
                _hardest,
                lambda lesson: (
                    "That is the item your students found hardest. The question asks where "
                    "they trail the state most: an item can be hard everywhere. Sort by the "
                    "difference from the state, not by percent correct."
                ),
            ),
        ),
        explain=lambda lesson: "It has the largest gap below the state's percent correct.",
    )
)


_mc_most_behind = data.mc_item_behind


def _top_distractor(lesson: Lesson) -> set[str] | None:
    item = _mc_most_behind(lesson)
    if item is None:
        return None
    o = data.options_of(lesson, item)
    wrong = o[~o["is_key"].astype(bool) & o["pct"].notna() & (o["option"] != "BLANK")]
    if wrong.empty:
        return None
    top = wrong["pct"].max()
    return set(wrong.loc[(wrong["pct"] - top).abs() < 1e-9, "option"].astype(str))


def _key(lesson: Lesson) -> set[str] | None:
    item = _mc_most_behind(lesson)
    if item is None:
        return None
    o = data.options_of(lesson, item)
    return set(o.loc[o["is_key"].astype(bool), "option"].astype(str)) or None


question(
    Question(
        id="3.distractor",
        kind="text",
        answer=_top_distractor,
        prompt=lambda lesson: (
            f"On item {_mc_most_behind(lesson)}, which wrong answer (distractor) did the most "
            "students choose? Write its letter."
        ),
        mistakes=(
            Mistake(
                "chose_the_key",
                _key,
                lambda lesson: (
                    "That is the correct answer (the key). The question asks for the wrong "
                    "answer most students chose: it tells you what they were thinking."
                ),
            ),
        ),
        explain=lambda lesson: (
            "That is the wrong answer most students chose. What would a student have to "
            "believe to pick it?"
        ),
    )
)

checkpoint_def(
    Checkpoint(
        id="3.items",
        expected=lambda lesson: int(
            lesson.facts.sql(
                "SELECT COUNT(*) AS k FROM item_stats WHERE year = ? AND entity_id = ? AND "
                "subject = ? AND grade = ? AND \"group\" = 'all'",
                [lesson.year, lesson.ctx.entity_id, lesson.subject, data.item_grade(lesson)],
            )["k"].iloc[0]
        ),
        read=lambda view: len(view.items),
        say=lambda lesson, x: f"{x} items on the test",
    )
)


# --- 9 benchmarks ----------------------------------------------------------------------------


def _above_line(lesson: Lesson, year) -> float | None:
    b = data.benchmarks(lesson)
    hit = b[b["year"] == year] if len(b) else b
    return (
        None if hit.empty or _nan(hit["above_line"].iloc[0]) else float(hit["above_line"].iloc[0])
    )


question(
    Question(
        id="9.above_line",
        kind="number",
        tolerance=0.1,
        answer=lambda lesson: _above_line(lesson, lesson.year),
        prompt=lambda lesson: (
            f"In {lesson.year}, how far is the all-students result above the goal line? "
            "Write a negative number if it is below. One decimal."
        ),
        mistakes=(
            Mistake(
                WRONG_YEAR, lambda lesson: _above_line(lesson, lesson.prior_year), _wrong_year_hint
            ),
            Mistake(
                "sign",
                lambda lesson: _negated(_above_line(lesson, lesson.year)),
                lambda lesson: (
                    "The size is right but the sign is not: subtract the goal line from the "
                    "result (result minus line). Above the line is positive."
                ),
            ),
        ),
        explain=lambda lesson: "Result minus goal line: positive means ahead of the line.",
    )
)


def _off_track(lesson: Lesson) -> float | None:
    g = data.off_track_groups(lesson)
    if g.empty:
        return None
    shown = g[~g["suppressed"].astype(bool)]
    return float((shown["on_track_now"] == False).sum())  # noqa: E712


def _off_track_with_hidden(lesson: Lesson) -> float | None:
    g = data.off_track_groups(lesson)
    shown = _off_track(lesson)
    if g.empty or shown is None:
        return None
    return shown + float(g["suppressed"].astype(bool).sum())


def _negated(x: float | None) -> float | None:
    return None if x is None else -x


def _goal_method(lesson: Lesson) -> str | None:
    row = data.goal_row(lesson)
    return None if row is None else row["method"]


question(
    Question(
        id="9.off_track",
        kind="number",
        answer=_off_track,
        prompt=lambda lesson: (
            f"How many student groups are off track (below their goal line) in {lesson.year}? "
            "Count only groups whose results are shown."
        ),
        mistakes=(Mistake(SUPPRESSED_GROUP, _off_track_with_hidden, _suppressed_hint),),
        explain=lambda lesson: "Those are the groups to talk about first at the next review.",
    )
)

checkpoint_def(
    Checkpoint(
        id="9.latest",
        expected=lambda lesson: round(
            float((data.goal_row(lesson) or {}).get("actual_now", "nan")), 6
        ),
        read=lambda b: round(float(b["result"].iloc[-1]), 6),
        say=lambda lesson, x: (
            f"a {lesson.year} result of {fmt_num(x, _goal_digits(lesson))} in the last row"
        ),
    )
)


# --- indexes ---------------------------------------------------------------------------------


MOVED = 5


def _headline_change(lesson: Lesson) -> float | None:
    f = data.what_if(lesson, moves=[0, MOVED])
    name = lesson.ctx.headline_model_name
    if f.empty or name not in f or len(f) < 2:
        return None
    return float(f[name].iloc[1] - f[name].iloc[0])


def _pct_change(lesson: Lesson) -> float | None:
    f = data.what_if(lesson, moves=[0, MOVED])
    if f.empty or len(f) < 2:
        return None
    return float(f["pct_proficient"].iloc[1] - f["pct_proficient"].iloc[0])


question(
    Question(
        id="indexes.move_five",
        kind="number",
        tolerance=0.1,
        answer=_headline_change,
        prompt=lambda lesson: (
            f"If {MOVED} more students moved up from {lesson.ctx.level_names[lesson.ctx.proficient_level - 2]} "
            f"to {lesson.ctx.level_names[lesson.ctx.proficient_level - 1]}, by how many points "
            f"would the all-students {lesson.ctx.headline_model_name} rise? One decimal."
        ),
        mistakes=(
            Mistake(
                STUDENTS_VS_POINTS,
                _pct_change,
                lambda lesson: (
                    "That is how much the percent of proficient students would rise. The "
                    f"{lesson.ctx.headline_model_name} counts points per student, not a percent "
                    "of students: read its column in the table."
                ),
            ),
        ),
        explain=lambda lesson: (
            "Each student moved adds the same number of points, shared over every student."
        ),
    )
)

checkpoint_def(
    Checkpoint(
        id="indexes.models",
        expected=lambda lesson: round(_index_all(lesson) or float("nan"), 6),
        read=lambda m: round(float(m.loc[m["headline"].astype(bool), "value"].iloc[0]), 6),
        say=lambda lesson, x: (
            f"the {lesson.ctx.headline_model_name} at {fmt_num(x)} in the first row, the same as in "
            "the group table"
        ),
    )
)
checkpoint_def(
    Checkpoint(
        id="indexes.what_if",
        expected=lambda lesson: round(_index_all(lesson) or float("nan"), 6),
        read=lambda f: round(float(f[lambda x: x["moved"] == 0].iloc[0][_headline_col(f)]), 6),
        say=lambda lesson, x: (
            f"the {lesson.ctx.headline_model_name} unchanged at {fmt_num(x)} when 0 students move"
        ),
    )
)


def _headline_col(f: pd.DataFrame) -> str:
    cols = [c for c in f.columns if c not in ("moved", "pct_proficient", "ayp_status")]
    return cols[0]
