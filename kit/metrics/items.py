"""Item analysis (PIM step 3, Appendix B): the one grouped pass over ``item_responses``.

Four facts tables come out of it (CONTRACT.md section 3; every column is explained in
``docs/item-analysis.md``): ``item_stats``, ``item_options``, ``reliability`` and
``standard_stats``. The pass is built for state scale (tens of millions of responses):

1. ``_item_items``: the items, numbered, with their test (year x subject x grade), the
   test's number of items and points possible.
2. ``_item_students``: one row per student and test: total points over the items answered,
   whether every item of the test has a response row, the school (from the assessment row),
   the district (from the student row) and the student's groups as small integer codes.
3. ``_item_entities``: state (0), districts and schools as integer ``entity_no``.
4. ``_item_rollup``: every response joined to its student's total, expanded to the
   student's groups and summed by item x school x group into *sufficient statistics* (n,
   sums of points, of totals, of their squares and cross products, option counts). This is
   the only step that reads every response, and it groups on integers only. Sums add up, so
   district and state rows are then added as sums of the school rows.
5. ``_item_tests``: per entity x test x group, students, totals and the sum of item
   variances (for Cronbach's alpha).

The statistics are finished from the sums by the SQL of :mod:`kit.metrics.item_stats`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from kit._sql import View, literal
from kit.metrics.groups import GROUPS
from kit.metrics.item_stats import (
    OPTIONS,
    item_option_sums_sql,
    item_options_sql,
    item_stats_sql,
    reliability_sql,
    standard_stats_sql,
    standards_sql,
)
from kit.metrics.performance import KEYS

# Sufficient statistics kept for each item x entity x group. ``x`` = item points, ``t`` = the
# student's total over the items answered; ``_c`` = over the students who answered every item
# of the test (the population of Cronbach's alpha); ``chose_<option>`` / ``rest_<option>`` =
# students choosing the option (BLANK = no response) and the sum of their rest scores t - x.
_SUMS: tuple[tuple[str, str], ...] = (
    ("n", "count(*)"),
    ("sx", "sum(x)"),
    ("sxx", "sum(x * x)"),
    ("st", "sum(t)"),
    ("stt", "sum(t * t)"),
    ("sxt", "sum(x * t)"),
    ("sx_c", "sum(x) FILTER (WHERE complete)"),
    ("sxx_c", "sum(x * x) FILTER (WHERE complete)"),
    ("sxt_c", "sum(x * t) FILTER (WHERE complete)"),
    *((f"chose_{o}", f"count(*) FILTER (WHERE opt = {i})") for i, o in enumerate(OPTIONS)),
    *((f"rest_{o}", f"sum(t - x) FILTER (WHERE opt = {i})") for i, o in enumerate(OPTIONS)),
)
SUM_COLUMNS: tuple[str, ...] = tuple(name for name, _ in _SUMS)

# Level codes of _item_entities.level (and the order of entity_no: state, districts, schools).
LEVELS: tuple[str, ...] = ("state", "district", "school")


def group_codes_sql() -> str:
    """A DuckDB list of the small-integer codes (index into ``GROUPS``) of the row's groups.

    The predicates of :func:`kit.metrics.groups.group_membership_sql`, as integers because
    the response pass groups on them (hashing group ids there doubles its time).
    """
    cases = ", ".join(
        f"CASE WHEN coalesce({g.sql}, FALSE) THEN {i}::UTINYINT END" for i, g in enumerate(GROUPS)
    )
    return f"list_filter([{cases}], lambda x: x IS NOT NULL)"


def items_sql() -> str:
    """SQL for ``_item_items``: items numbered, with their test's item count and points."""
    return """
    SELECT i.*,
        (row_number() OVER (ORDER BY year, subject, grade, item_id) - 1)::INTEGER AS item_no,
        (dense_rank() OVER (ORDER BY year, subject, grade) - 1)::INTEGER AS test_no,
        count(*) OVER (PARTITION BY year, subject, grade)::INTEGER AS test_items,
        sum(max_points) OVER (PARTITION BY year, subject, grade)::INTEGER AS test_points
    FROM items i
    """


def students_sql() -> str:
    """SQL for ``_item_students``: one row per student x test, with total and groups.

    Notes
    -----
    ``total`` is the sum of points over the items the student has a response row for (a blank
    MC answer has a row and 0 points); ``complete`` is true when there is a row for every
    item of the test. The school is the assessment row's ``school_id`` and the district the
    student row's ``district_id`` (as in ``performance``); a response without both rows has
    no school and is not counted. ``entity_no`` numbers the schools after the districts.
    """
    return f"""
    WITH totals AS (
        SELECT r.year, r.student_id, r.subject, r.grade,
            any_value(i.test_no) AS test_no,
            sum(r.points)::INTEGER AS total,
            count(*) = any_value(i.test_items) AS complete
        FROM item_responses r JOIN _item_items i USING (year, subject, grade, item_id)
        GROUP BY r.year, r.student_id, r.subject, r.grade
    ),
    placed AS (
        SELECT t.*, s.district_id, a.school_id,
            dense_rank() OVER (ORDER BY s.district_id)::INTEGER AS district_no,
            dense_rank() OVER (ORDER BY s.district_id, a.school_id)::INTEGER AS school_no,
            {group_codes_sql()} AS groups
        FROM totals t
        JOIN assessments a USING (year, student_id, subject)
        JOIN students s USING (year, student_id)
    )
    SELECT *, (max(district_no) OVER () + school_no)::INTEGER AS entity_no FROM placed
    """


def entities_sql() -> str:
    """SQL for ``_item_entities``: ``entity_no`` -> level, type, id and the district's number.

    ``parent_no`` is the entity_no of the district a school or district belongs to (NULL for
    the state): the row whose figures are ``district_pct_correct``.
    """
    return """
    WITH pairs AS (
        SELECT DISTINCT district_no, entity_no, district_id, school_id FROM _item_students
    )
    SELECT 0 AS entity_no, 0::UTINYINT AS level, 'state' AS entity_type,
        'STATE' AS entity_id, NULL::INTEGER AS parent_no
    UNION ALL
    SELECT DISTINCT district_no, 1::UTINYINT, 'district', district_id, district_no FROM pairs
    UNION ALL
    SELECT entity_no, 2::UTINYINT, 'school', school_id, district_no FROM pairs
    """


def school_sums_sql(subject: str | None = None) -> str:
    """SQL for the school rows of ``_item_rollup``: sufficient statistics by item x school x group.

    Every response row is joined to its student's total ``t`` and expanded to the student's
    groups; nothing else is computed per response. Sums run in DOUBLE (exact for integers
    below 2^53, and half the state of DuckDB's 128-bit integer sums, which keeps the hash
    table of a state in memory) and are stored as BIGINT. With ``subject``, the rows of
    that subject's tests only (:func:`stage_items` sums one subject at a time, so that the
    hash table holds a third of a state's item rows, not all of them).
    """
    where = f"WHERE r.subject = {literal(subject)}" if subject is not None else ""
    option_code = " ".join(f"WHEN '{o}' THEN {i}" for i, o in enumerate(OPTIONS) if i)
    aggregates = ",\n        ".join(
        f"coalesce({expr}, 0)::BIGINT AS {name}" for name, expr in _SUMS
    )
    return f"""
    WITH responses AS (
        SELECT i.item_no, s.entity_no, s.groups, s.complete,
            r.points::DOUBLE AS x, s.total::DOUBLE AS t,
            (CASE r.response {option_code} ELSE 0 END)::UTINYINT AS opt
        FROM item_responses r
        JOIN _item_students s USING (year, student_id, subject, grade)
        JOIN _item_items i USING (year, subject, grade, item_id)
        {where}
    ),
    long AS (SELECT * EXCLUDE (groups), unnest(groups) AS grp FROM responses)
    SELECT 2::UTINYINT AS level, entity_no, item_no, grp,
        {aggregates}
    FROM long
    GROUP BY entity_no, item_no, grp
    """


def rollup_sql(level: str) -> str:
    """SQL for the district or state rows of ``_item_rollup``: sums of its school rows."""
    sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c in SUM_COLUMNS)
    if level == "district":
        return f"""
        SELECT 1::UTINYINT AS level, e.parent_no AS entity_no, r.item_no, r.grp, {sums}
        FROM _item_rollup r JOIN _item_entities e USING (entity_no)
        WHERE r.level = 2
        GROUP BY e.parent_no, r.item_no, r.grp
        """
    return f"""
    SELECT 0::UTINYINT AS level, 0 AS entity_no, item_no, grp, {sums}
    FROM _item_rollup WHERE level = 2
    GROUP BY item_no, grp
    """


def tests_sql() -> str:
    """SQL for ``_item_tests``: per entity x test x group, students and totals.

    ``n_students`` have a response row for at least one item; ``n_c``, ``st_c`` and ``stt_c``
    are the count, sum and sum of squares of the total over students who answered every
    item; ``v_items`` is the sum over items of ``n_c * sum(x^2) - sum(x)^2`` (n_c squared
    times each item's variance), the numerator of Cronbach's alpha.
    """
    return """
    WITH long AS (
        SELECT test_no, district_no, entity_no, complete, total::BIGINT AS total,
            unnest(groups) AS grp
        FROM _item_students
    ),
    totals AS (
        SELECT
            CASE WHEN GROUPING(district_no) = 1 THEN 0
                 WHEN GROUPING(entity_no) = 1 THEN district_no ELSE entity_no END AS entity_no,
            test_no, grp,
            count(*)::BIGINT AS n_students,
            (count(*) FILTER (WHERE complete))::BIGINT AS n_c,
            coalesce(sum(total) FILTER (WHERE complete), 0)::BIGINT AS st_c,
            coalesce(sum(total * total) FILTER (WHERE complete), 0)::BIGINT AS stt_c
        FROM long
        GROUP BY GROUPING SETS ((test_no, grp, district_no, entity_no),
                               (test_no, grp, district_no), (test_no, grp))
    ),
    items AS (
        SELECT r.entity_no, i.test_no, r.grp,
            sum(t.n_c::HUGEINT * r.sxx_c - r.sx_c::HUGEINT * r.sx_c) AS v_items
        FROM _item_rollup r
        JOIN _item_items i USING (item_no)
        JOIN totals t ON t.entity_no = r.entity_no AND t.test_no = i.test_no AND t.grp = r.grp
        GROUP BY r.entity_no, i.test_no, r.grp
    )
    SELECT t.*, items.v_items
    FROM totals t LEFT JOIN items USING (entity_no, test_no, grp)
    """


def stage_items(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary ``_item_*`` tables of the item pass on ``con``."""
    for statement, sql in (
        ("CREATE OR REPLACE TEMP TABLE _item_items AS", items_sql()),
        ("CREATE OR REPLACE TEMP TABLE _item_students AS", students_sql()),
        ("CREATE OR REPLACE TEMP TABLE _item_entities AS", entities_sql()),
    ):
        con.execute(f"{statement} {sql}")
    # One subject at a time: the response pass's hash table is the largest memory of a
    # build (a state's 9 million item x school x group rows of 25 sums); summed by subject
    # it stays within a smaller memory ceiling instead of spilling to disk.
    subjects = [
        r[0] for r in con.execute("SELECT DISTINCT subject FROM _item_items ORDER BY 1").fetchall()
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _item_rollup AS "
        f"SELECT * FROM ({school_sums_sql(subjects[0] if subjects else None)}) WHERE FALSE"
    )
    for subject in subjects:
        # sorted by entity, so that each facts table written from it keeps an entity's rows
        # together (a report reads one entity: few row groups to scan)
        con.execute(f"INSERT INTO _item_rollup {school_sums_sql(subject)} ORDER BY entity_no")
    steps = (
        ("INSERT INTO _item_rollup", rollup_sql("district")),
        ("INSERT INTO _item_rollup", rollup_sql("state")),
        ("CREATE OR REPLACE TEMP TABLE _item_tests AS", tests_sql()),
        (
            "CREATE OR REPLACE TEMP TABLE _item_standards AS",
            standards_sql() + " ORDER BY entity_no, test_no, grp, rollup, rank",
        ),
    )
    for statement, sql in steps:
        con.execute(f"{statement} {sql}")


def item_facts(con: duckdb.DuckDBPyConnection, fw) -> dict[str, pd.DataFrame | str]:
    """Facts tables of item analysis: name -> SQL over ``con``.

    Parameters
    ----------
    con
        Connection holding the validated ``students``, ``assessments``, ``items`` and
        ``item_responses`` tables; the item pass leaves temporary ``_item_*`` tables on it.
    fw
        The framework: ``fw.item_analysis`` thresholds and ``fw.reporting_min_n``.

    Returns
    -------
    dict
        ``item_stats``, ``item_option_sums``, ``reliability`` and ``standard_stats`` as SQL
        over ``con``, and ``item_options`` as a :class:`~kit._sql.View` over the stored
        ``item_option_sums``; ``{}`` when the data have no item responses.

    Notes
    -----
    Formulas, sources and the missing-data rule are in :mod:`kit.metrics.item_stats` and
    ``docs/item-analysis.md``.
    """
    present = set(con.execute("SELECT table_name FROM duckdb_tables()").df()["table_name"])
    if not {"items", "item_responses"} <= present:
        return {}
    if con.execute("SELECT count(*) FROM item_responses").fetchone()[0] == 0:
        return {}
    stage_items(con)
    rules, min_n = fw.item_analysis, fw.reporting_min_n
    order = ", ".join(f'"{k}"' for k in KEYS)
    return {
        "item_stats": item_stats_sql(
            hard_below=rules.hard_below,
            easy_above=rules.easy_above,
            min_point_biserial=rules.min_point_biserial,
            trails_state_by=rules.trails_state_by,
            flag_min_n=rules.min_n,
            reporting_min_n=min_n,
        ),
        "item_option_sums": item_option_sums_sql(reporting_min_n=min_n),
        "item_options": View(item_options_sql("item_option_sums")),
        "reliability": f"SELECT * FROM ({reliability_sql(reporting_min_n=min_n)}) ORDER BY {order}",
        "standard_stats": standard_stats_sql(reporting_min_n=min_n),
    }
