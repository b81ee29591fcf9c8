"""The row rules of validation, as data, and the DuckDB SQL generated from them.

A row is rejected for the first rule it breaks, in this order:

1. ``malformed_row`` (CSV only): the row does not split into the header's columns.
2. Column rules, column by column in schema order, each column checked for
   ``missing_value`` (empty in a column that must be filled), ``type`` (not a whole number,
   number or yes/no value), ``code`` (not one of the column's codes) and ``range``
   (e.g. grade 0-12, year 1990-2100, achievement_level 1-``levels``).
3. Row rules (:data:`ROW_RULES`): ``days_attended_exceeds_enrolled``,
   ``hours_attended_exceeds_enrolled``, ``lep_program_without_ell``,
   ``exit_year_after_year``, ``exit_year_but_current``, ``setting_without_swd``,
   ``dropout_outside_grades_7_12``, ``tested_without_level``, ``tested_without_score``,
   ``not_tested_has_score``, ``mc_without_key``, ``mc_max_points``,
   ``diploma_without_graduation``, ``elp_without_level``, ``bad_date``,
   ``std_error_not_positive``, ``growth_without_result``.
4. ``duplicate``: a second or later row with the same key (schemas ``Table.key``) as an
   earlier row that passed 1-3; the message names the earlier row.
5. References to tables validated before (:data:`REFERENCES`): ``student_rejected`` and
   ``item_rejected`` when the row referred to is in the file but was rejected (the message
   names that row and its reason), else ``unknown_student``, ``unknown_school`` (an
   assessment's school has no students that year), ``unknown_item``.
6. Rules needing the referenced row (:data:`AFTER_REFERENCES`): ``modified_without_swd``,
   ``points_exceed_max``, ``bad_response``, ``unknown_entity`` (a growth row's district or
   school has no students that year).

A check on a column that is optional in the schema (``gender``, ``days_attended``, ...)
does not reject its row: the bad value is left empty, the row kept, and the problem listed
as ``optional_value_blanked`` (:func:`split_checks`), so one stray value never costs a row's
required data (and every row that depends on it).

Values are read leniently before they are checked: text is trimmed and empty text is
missing, as are the marks spreadsheets write for "no value" (:data:`BLANK_MARKS`: ``N/A``,
``NA``, ``#N/A``, ``-``, ``--``); whole numbers may be written ``3.0``; yes/no values may be
``true/false``, ``t/f``, ``1/0``, ``y/n``, ``yes/no`` in any case (or ``1.0/0.0``); a
percentage may end in ``%``; ``grade`` may be ``K``/``KG`` (0) or ``PK`` (-1, students
only); codes may be written as words (:data:`CODE_WORDS`: ``Female`` is F); codes,
``subject`` and ``response`` are upper-cased.
"""

from __future__ import annotations

from dataclasses import replace

from kit.data.schemas import Column, Table
from kit.data.sql import FAIL, ROW, Check, Reference, case_sql, describe_sql, literal, q, text_of

TRUE_WORDS = ("true", "t", "1", "y", "yes", "1.0")
FALSE_WORDS = ("false", "f", "0", "n", "no", "0.0")
UPPER_CASE = frozenset({"subject", "response"})  # code-like columns without a closed list
# What spreadsheets and student information systems write in a cell with no value.
BLANK_MARKS = ("N/A", "NA", "#N/A", "-", "--")
# Grades as schools write them: kindergarten is 0; pre-kindergarten is -1, a students-only
# grade (no state test is given in PK).
GRADE_WORDS = {
    "K": 0,
    "KG": 0,
    "KINDERGARTEN": 0,
    "PK": -1,
    "PREK": -1,
    "PRE-K": -1,
    "PREKINDERGARTEN": -1,
    "PRE-KINDERGARTEN": -1,
}
# Codes written as words, upper-cased, by column: the word on the left reads as the code.
CODE_WORDS = {
    "gender": {
        "FEMALE": "F",
        "MALE": "M",
        "NON-BINARY": "X",
        "NONBINARY": "X",
    },
    "race_ethnicity": {
        "AMERICAN INDIAN": "AI",
        "AMERICAN INDIAN OR ALASKA NATIVE": "AI",
        "ASIAN": "AS",
        "BLACK": "BL",
        "BLACK OR AFRICAN AMERICAN": "BL",
        "AFRICAN AMERICAN": "BL",
        "HISPANIC": "HI",
        "HISPANIC OR LATINO": "HI",
        "HISPANIC/LATINO": "HI",
        "LATINO": "HI",
        "MULTIRACIAL": "MR",
        "MULTI-RACE": "MR",
        "TWO OR MORE RACES": "MR",
        "PACIFIC ISLANDER": "PI",
        "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER": "PI",
        "WHITE": "WH",
    },
}
OPTIONAL_BLANKED = "optional_value_blanked"
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
_INTEGERS |= {"U" + t for t in _INTEGERS}


_HOURS = Check(
    "hours_attended_exceeds_enrolled",
    "hours_attended",
    '"hours_attended" > "hours_enrolled"',
    "hours_attended {hours_attended} is more than hours_enrolled {hours_enrolled}; a student "
    "cannot attend more hours than enrolled",
)


def _exit_checks(flag: str, label: str) -> tuple[Check, ...]:
    """An exit year is a past year of a student no longer in the program (PBMAS YAE)."""
    col = f"{flag}_exit_year"
    return (
        Check(
            "exit_year_after_year",
            col,
            f'"{col}" > "year"',
            f"{col} {{{col}}} is after the school year {{year}}; give the spring year the "
            f"student left {label} (the year itself or earlier)",
        ),
        Check(
            "exit_year_but_current",
            col,
            f'"{col}" IS NOT NULL AND "{flag}"',
            f"{col} {{{col}}} is given but {flag} is true this year; a student still in "
            f"{label} has no exit year (leave it empty, or set {flag} to false)",
        ),
    )


ROW_RULES: dict[str, tuple[Check, ...]] = {
    "students": (
        Check(
            "days_attended_exceeds_enrolled",
            "days_attended",
            '"days_attended" > "days_enrolled"',
            "days_attended {days_attended} is more than days_enrolled {days_enrolled}; a "
            "student cannot attend more days than enrolled",
        ),
        _HOURS,
        Check(
            "lep_program_without_ell",
            "lep_program",
            '"lep_program" IS NOT NULL AND NOT "ell"',
            'lep_program is "{lep_program}" but ell is false; the BE/ESL program is given '
            "for current English learners only (leave it empty for other students)",
        ),
        *_exit_checks("ell", "LEP status"),
        *_exit_checks("swd", "special education"),
        Check(
            "setting_without_swd",
            "instructional_setting",
            '"instructional_setting" IS NOT NULL AND NOT "swd"',
            'instructional_setting is "{instructional_setting}" but swd is false; the '
            "setting is given for students with disabilities only",
        ),
        Check(
            "dropout_outside_grades_7_12",
            "dropout",
            '"dropout" AND "grade" NOT BETWEEN 7 AND 12',
            "dropout is true in grade {grade}; annual dropouts are counted in grades 7-12 "
            "(leave dropout false or empty in other grades)",
        ),
    ),
    "assessments": (
        Check(
            "tested_without_level",
            "achievement_level",
            '"participation" = \'TESTED\' AND "achievement_level" IS NULL',
            "participation is TESTED but achievement_level is empty; give the level, or the "
            "participation code (ABSENT, REFUSED, MEDICAL, EXEMPT) if the student was not tested",
        ),
        Check(
            "tested_without_score",
            "scale_score",
            '"participation" = \'TESTED\' AND "test_type" = \'GENERAL\' AND "scale_score" IS NULL',
            "participation is TESTED on the GENERAL test but scale_score is empty; give the "
            "scale score (only ALTERNATE tests may lack one)",
        ),
        Check(
            "not_tested_has_score",
            "participation",
            '"participation" <> \'TESTED\' AND ("scale_score" IS NOT NULL OR '
            '"achievement_level" IS NOT NULL OR "achievement_sublevel" IS NOT NULL)',
            'participation is "{participation}" but a scale_score or achievement level is '
            "filled in; leave them empty for students not tested, or set participation to TESTED",
        ),
    ),
    "items": (
        Check(
            "mc_without_key",
            "key",
            '"item_type" = \'MC\' AND "key" IS NULL',
            "item_type is MC but key is empty; give the correct option, A, B, C or D",
        ),
        Check(
            "mc_max_points",
            "max_points",
            '"item_type" = \'MC\' AND "max_points" <> 1',
            "max_points {max_points} for a multiple-choice (MC) item; MC items are worth 1 "
            "point (use SR or OR for items worth more)",
        ),
    ),
    "graduation": (
        Check(
            "diploma_without_graduation",
            "diploma_program",
            '"diploma_program" IS NOT NULL AND NOT ("graduated_4yr" OR "graduated_5yr")',
            'diploma_program is "{diploma_program}" but the student did not graduate '
            "(graduated_4yr and graduated_5yr are false); leave it empty for non-graduates",
        ),
    ),
    "attendance": (_HOURS,),
    "elp_assessments": (
        Check(
            "elp_without_level",
            "telpas_reading_level",
            '"telpas_reading_level" IS NULL AND "telpas_composite_level" IS NULL',
            "telpas_reading_level and telpas_composite_level are both empty; give at least one "
            "rating (BEGINNING, INTERMEDIATE, ADVANCED, ADVANCED_HIGH)",
        ),
    ),
    "discipline": (
        Check(
            "bad_date",
            "incident_date",
            '"incident_date" IS NOT NULL AND TRY_CAST("incident_date" AS DATE) IS NULL',
            'incident_date "{incident_date}" is not a date; write it as YYYY-MM-DD, e.g. '
            "2024-02-13",
        ),
    ),
    "growth": (
        Check(
            "std_error_not_positive",
            "std_error",
            '"std_error" <= 0',
            "std_error {std_error} is not above 0; give the standard error of the estimate",
        ),
        Check(
            "growth_without_result",
            "estimate",
            '("estimate" IS NULL OR "std_error" IS NULL) AND "significance" IS NULL '
            'AND "level" IS NULL',
            "the row has no growth result; give estimate and std_error, or significance "
            "(ABOVE, NOT_DIFFERENT, BELOW), or level (EXCEEDING, ON_TRACK, APPROACHING, FLOOR)",
        ),
    ),
}

_STUDENT = Reference(
    "unknown_student",
    "students",
    ("year", "student_id"),
    "student_id",
    'student_id "{student_id}" has no row in students for year {year}; add the student to '
    "students or correct student_id and year",
    upstream_rule="student_rejected",
    upstream_message='the students row of student_id "{student_id}" ({year}) was rejected, '
    "so this row cannot be used: {__up_file} row {__up_row}: {__up_message}. Fix that row "
    "and this one is accepted too",
)
_SCHOOL = Reference(
    "unknown_school",
    "students",
    ("year", "school_id"),
    "school_id",
    'school_id "{school_id}" has no students in students for year {year}, so its results '
    "would make a school with no report; correct school_id (the school where the student "
    "was tested) or add the school's students",
    distinct=True,
)

REFERENCES: dict[str, tuple[Reference, ...]] = {
    # the student's swd flag is fetched for modified_without_swd
    "assessments": (replace(_STUDENT, fetch=("swd",)), _SCHOOL),
    "item_responses": (
        _STUDENT,
        Reference(
            "unknown_item",
            "items",
            ("year", "subject", "grade", "item_id"),
            "item_id",
            'item_id "{item_id}" has no row in items for {year} {subject} grade {grade}; add '
            "the item to items or correct item_id, subject, grade and year",
            fetch=("item_type", "max_points"),
            upstream_rule="item_rejected",
            upstream_message='the items row of item_id "{item_id}" ({year} {subject} grade '
            "{grade}) was rejected, so this response cannot be scored: {__up_file} row "
            "{__up_row}: {__up_message}. Fix that row and this one is accepted too",
        ),
    ),
    "attendance": (_STUDENT,),
    "elp_assessments": (_STUDENT,),
    "discipline": (_STUDENT,),
    "courses": (_STUDENT,),
    "growth": (),
}

AFTER_REFERENCES: dict[str, tuple[Check, ...]] = {
    "assessments": (
        Check(
            "modified_without_swd",
            "test_type",
            '"test_type" = \'MODIFIED\' AND NOT coalesce("__students_swd", FALSE)',
            "test_type MODIFIED for a student without a disability (swd is false in "
            "students); STAAR-Modified was for students with disabilities only",
        ),
    ),
    "item_responses": (
        Check(
            "points_exceed_max",
            "points",
            '"points" > "__items_max_points"',
            "points {points} is more than the item's max_points ({__items_max_points}); give "
            "the points earned, 0 to max_points",
        ),
        Check(
            "bad_response",
            "response",
            "\"__items_item_type\" = 'MC' AND \"response\" NOT IN ('A', 'B', 'C', 'D')",
            'response "{response}" is not A, B, C or D for multiple-choice item {item_id}; '
            "leave it empty when the student gave no answer",
        ),
    ),
    # A growth row names a district or school that has students that year.
    "growth": (
        Check(
            "unknown_entity",
            "entity_id",
            '(CAST("year" AS VARCHAR) || \'|\' || "entity_type" || \'|\' || "entity_id") '
            "NOT IN (SELECT CAST(year AS VARCHAR) || '|DISTRICT|' || district_id FROM students "
            "UNION SELECT CAST(year AS VARCHAR) || '|SCHOOL|' || school_id FROM students)",
            '{entity_type} "{entity_id}" has no students in {year}; give the id of a district '
            "or school of the students table, or correct entity_type and year",
        ),
    ),
}

MALFORMED_MESSAGE = (
    "the row has {values} values but the header has {columns} columns; quote values that "
    "contain the delimiter and fill in missing values"
)
DUPLICATE_MESSAGE = "same {key} as row {first}; keep one row per {key}"


def ranges(levels: int, table: str = "") -> dict[str, tuple[float, float | None, str]]:
    """Allowed range of each numeric column, by name, with the message's explanation.

    ``grade`` is -1 (pre-kindergarten) to 12 in ``students``, 0 to 12 in the tables of
    tests: no state test is given in pre-kindergarten.
    """
    grade = (
        (
            -1,
            12,
            "is not a grade -1 to 12; use 0 (or K) for kindergarten, -1 (or PK) for "
            "pre-kindergarten",
        )
        if table == "students"
        else (
            0,
            12,
            "is not a grade 0-12 (kindergarten is 0, or K); pre-kindergarten (PK) "
            "students are not tested in state tests: leave their rows out of this table",
        )
    )
    return {
        "year": (1990, 2100, "is not a year 1990-2100; use the spring year, e.g. 2024 for 2023-24"),
        "cohort_year": (1990, 2100, "is not a year 1990-2100; use the expected graduation year"),
        "grade": grade,
        "achievement_level": (
            1,
            levels,
            f"is not a level 1-{levels}; levels run from 1 (lowest) to {levels} (highest)",
        ),
        "scale_score": (0, 9999, "is not a scale score 0-9999"),
        "ccr_score": (0, 9999, "is not a score 0-9999; give the reported score"),
        "max_points": (1, 100, "is not 1-100; give the points the item is worth"),
        "points": (0, None, "is negative; give the points earned, 0 or more"),
        "state_pct_correct": (
            0,
            100,
            "is not a percentage 0-100; give the percent correct (63.5, not 0.635)",
        ),
        "days_enrolled": (0, 366, "is not a number of days 0-366"),
        "days_attended": (0, 366, "is not a number of days 0-366"),
        "hours_enrolled": (0, 9000, "is not a number of hours 0-9000"),
        "hours_attended": (0, 9000, "is not a number of hours 0-9000"),
        "ell_exit_year": (1990, 2100, "is not a year 1990-2100; give the spring year of exit"),
        "swd_exit_year": (1990, 2100, "is not a year 1990-2100; give the spring year of exit"),
        "age": (0, 25, "is not an age 0-25; give the age in years on the snapshot date"),
        "years_in_us_schools": (0, 25, "is not a number of years 0-25"),
        "n": (0, None, "is negative; give the number of students, 0 or more"),
    }


def _kind(source_type: str | None) -> str:
    """How a file's column is read: absent, text, int, number (decimal, float), bool, other."""
    if source_type is None:
        return "absent"
    if source_type == "VARCHAR":
        return "text"
    if source_type == "BOOLEAN":
        return "bool"
    if source_type in _INTEGERS:
        return "int"
    if source_type.startswith("DECIMAL") or source_type in ("FLOAT", "DOUBLE"):
        return "number"
    return "other"


def _text_sql(src: str, kind: str) -> str:
    """The column's value before parsing: trimmed text, NULL when empty (NaN is empty)."""
    if kind == "absent":
        return "CAST(NULL AS VARCHAR)"
    if kind == "text":
        marks = ", ".join(literal(m) for m in ("", *BLANK_MARKS))
        return f"CASE WHEN upper(trim({src})) IN ({marks}) THEN NULL ELSE trim({src}) END"
    if kind == "number":
        return f"CASE WHEN isnan({src}) THEN NULL ELSE {src} END"
    return src if kind in ("int", "bool") else f"NULLIF(trim(CAST({src} AS VARCHAR)), '')"


def _value_sql(col: Column, kind: str) -> str:
    """SQL parsing one column to its schema type; NULL when empty or unreadable."""
    t = text_of(col.name)
    if kind == "absent":
        return f"CAST(NULL AS {col.type})"
    if col.type == "INTEGER":
        if kind in ("int", "bool"):
            return f"TRY_CAST({t} AS INTEGER)"
        if kind == "number":
            return f"CASE WHEN {t} = trunc({t}) THEN TRY_CAST({t} AS INTEGER) END"
        # DuckDB rounds "3.5" to 4 when casting text, so only zeros may follow the point
        number = (
            f"CASE WHEN NOT contains({t}, '.') OR rtrim(split_part({t}, '.', 2), '0') = '' "
            f"THEN TRY_CAST({t} AS INTEGER) END"
        )
        if col.name == "grade":
            words = " ".join(f"WHEN {literal(w)} THEN {g}" for w, g in GRADE_WORDS.items())
            return f"CASE upper({t}) {words} ELSE {number} END"
        return number
    if col.type == "DOUBLE":
        # "63.5%" in a percentage column is 63.5
        t = f"regexp_replace({t}, '\\s*%$', '')" if "pct" in col.name and kind == "text" else t
        value = f"TRY_CAST({t} AS DOUBLE)"
        return value if kind in ("int", "bool") else f"CASE WHEN isfinite({value}) THEN {value} END"
    if col.type == "BOOLEAN":
        if kind == "bool":
            return t
        if kind in ("int", "number"):
            return f"CASE WHEN {t} = 1 THEN true WHEN {t} = 0 THEN false END"
        return (
            f"CASE WHEN lower({t}) IN {TRUE_WORDS} THEN true "
            f"WHEN lower({t}) IN {FALSE_WORDS} THEN false END"
        )
    if kind == "number":
        return (
            f"CASE WHEN {t} = trunc({t}) AND abs({t}) < 1e15 THEN CAST(CAST({t} AS BIGINT) "
            f"AS VARCHAR) ELSE CAST({t} AS VARCHAR) END"
        )
    text = f"CAST({t} AS VARCHAR)"
    if col.name in CODE_WORDS:
        words = " ".join(
            f"WHEN {literal(w)} THEN {literal(c)}" for w, c in CODE_WORDS[col.name].items()
        )
        return f"CASE upper({text}) {words} ELSE upper({text}) END"
    return f"upper({text})" if col.codes or col.name in UPPER_CASE else text


def column_checks(table: Table, levels: int) -> list[Check]:
    """The column rules of ``table``, column by column: missing, type, code, range."""
    limits = ranges(levels, table.name)
    checks = []
    for col in table.columns:
        c, t = q(col.name), text_of(col.name)
        if not col.nullable and col.default is None:
            checks.append(
                Check(
                    "missing_value",
                    col.name,
                    f"{t} IS NULL",
                    f"{col.name} is empty; every {table.name} row needs a {col.name}",
                )
            )
        if col.type != "VARCHAR":
            checks.append(
                Check(
                    "type",
                    col.name,
                    f"{t} IS NOT NULL AND {c} IS NULL",
                    _TYPE[col.type].format(col.name),
                )
            )
        if col.codes:
            codes = ", ".join(col.codes)
            checks.append(
                Check(
                    "code",
                    col.name,
                    f"{c} NOT IN ({', '.join(map(literal, col.codes))})",
                    f'{col.name} "{{{col.name}}}" is not one of {codes}; use one of these codes',
                )
            )
        if col.name in limits:
            low, high, why = limits[col.name]
            outside = f"{c} < {low}" if high is None else f"{c} NOT BETWEEN {low} AND {high}"
            checks.append(Check("range", col.name, outside, f'{col.name} "{{{col.name}}}" {why}'))
    return checks


_TYPE = {
    "INTEGER": '{0} "{{{0}}}" is not a whole number; write it with digits only, e.g. 4',
    "DOUBLE": '{0} "{{{0}}}" is not a number; write it with digits and a decimal point, e.g. 245.5',
    "BOOLEAN": '{0} "{{{0}}}" is not a yes/no value; use Y/N, 1/0 or true/false',
}


def split_checks(table: Table, checks: list[Check]) -> tuple[list[Check], list[Check]]:
    """(checks that reject a row, checks that only blank an optional column's value).

    A check on a column the schema marks optional becomes ``optional_value_blanked``: its
    message says what was wrong and that the value was left empty and the row kept.
    """
    optional = {c.name for c in table.columns if not c.required}
    rejecting, blanking = [], []
    for check in checks:
        if check.column in optional:
            blanking.append(
                replace(
                    check,
                    rule=OPTIONAL_BLANKED,
                    message=check.message + f"; the value was left empty and the row kept "
                    f"({check.column} is optional)",
                )
            )
        else:
            rejecting.append(check)
    return rejecting, blanking


def values_sql(
    table: Table, sources: dict[str, str | None], types: dict[str, str], relation: str
) -> str:
    """SELECT reading ``relation`` into the schema's columns (each with its ``__t_`` text).

    ``sources`` maps each schema column to the file's column (None when absent) and
    ``types`` gives the file's DuckDB types.
    """
    first, second = [ROW], [ROW]
    for col in table.columns:
        src = sources[col.name]
        kind = _kind(types[src] if src else None)
        src_sql = q(src) if src else "NULL"
        first.append(f"{_text_sql(src_sql, kind)} AS {text_of(col.name)}")
        second += [text_of(col.name), f"{_value_sql(col, kind)} AS {q(col.name)}"]
    return f"SELECT {', '.join(second)} FROM (SELECT {', '.join(first)} FROM {relation})"


def blank_sql(values: str, blanking: list[Check]) -> str:
    """The ``values`` relation with each optional value a ``blanking`` check fails set to
    NULL (a subquery; ``values`` itself when there is nothing to blank)."""
    by_column: dict[str, list[str]] = {}
    for check in blanking:
        by_column.setdefault(check.column, []).append(f"({check.condition})")
    if not by_column:
        return values
    blanked = ", ".join(
        f"CASE WHEN coalesce({' OR '.join(conds)}, false) THEN NULL ELSE {q(c)} END AS {q(c)}"
        for c, conds in by_column.items()
    )
    return f"(SELECT * REPLACE ({blanked}) FROM {values})"


def checked_sql(values: str, checks: list[Check]) -> str:
    """SELECT over ``values`` with ``__kit_fail``: the index of the first of ``checks`` the
    row breaks, NULL for a row that passes."""
    return f"SELECT *, {case_sql(checks)} AS {FAIL} FROM {values}"


def parsed_sql(
    table: Table, sources: dict[str, str | None], types: dict[str, str], relation: str, checks
) -> str:
    """SELECT reading ``relation`` into the schema's columns, with their text and
    ``__kit_fail`` (:func:`values_sql`, then :func:`checked_sql`)."""
    return checked_sql(f"({values_sql(table, sources, types, relation)})", checks)


def blanked_sql(values: str, blanking: list[Check], texts: list[str]) -> str | None:
    """SELECT of the ``optional_value_blanked`` rows (one per row and column: the column's
    first failing check), as ``describe_sql`` lists rejected rows; None when none apply."""
    by_column: dict[str, list[Check]] = {}
    for check in blanking:
        by_column.setdefault(check.column, []).append(check)
    parts = [
        f"SELECT {describe_sql(checks, texts)} FROM (SELECT *, {case_sql(checks)} AS {FAIL} "
        f"FROM {values}) WHERE {FAIL} IS NOT NULL"
        for checks in by_column.values()
    ]
    return " UNION ALL ".join(parts) if parts else None
