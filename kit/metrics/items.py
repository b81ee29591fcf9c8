"""Item analysis (PIM step 3, Appendix B): the one grouped pass over ``item_responses``.

Four facts tables come out of it (CONTRACT.md section 3, written up in
``docs/item-analysis.md``): ``item_stats``, ``item_options``, ``reliability`` and
``standard_stats``. The pass is built for state scale (tens of millions of responses):

1. ``_item_items``: the items with a dense number per item and per test (year x subject x
   grade), the test's item count and points possible.
2. ``_item_students``: one row per student and test: total points over the items answered,
   whether every item of the test has a response row, the school (from the assessment row),
   the district (from the student row) and the student's groups as small integer codes.
3. ``_item_sums``: every response joined to its student's total, expanded to the student's
   groups and summed by item x school x group into *sufficient statistics* (n, sums of
   points, total, squares and cross products, option counts). This is the only step that
   touches every response, and it groups on integers only.
4. ``_item_rollup``: sums add up, so district and state rows are sums of school rows.
5. ``_item_tests``: the same for whole tests (students, totals, sums of item variances).

The statistics are then finished from the sums by the SQL of :mod:`kit.metrics.item_stats`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from kit.metrics.groups import GROUPS
from kit.metrics.item_stats import (
    KEYS,
    item_options_sql,
    item_stats_sql,
    reliability_sql,
    standard_stats_sql,
)

# MC options as stored in the sums: code 0 is BLANK (no response), 1-4 are A-D.
OPTIONS: tuple[str, ...] = ("BLANK", "A", "B", "C", "D")

# Per-response sums kept for each item x school x group. ``x`` = item points, ``t`` = the
# student's total over the items answered; ``_c`` = over students who answered every item of
# the test (the population of Cronbach's alpha); ``chose_<option>`` / ``rest_<option>`` = students
# choosing the option and the sum of their rest scores (t - x).
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

STAGE_TABLES: tuple[str, ...] = (
    "_item_items", "_item_students", "_item_units", "_item_sums", "_item_rollup",
    "_item_tests", "_item_stats",
)


def group_codes_sql() -> str:
    """A DuckDB list of the small-integer codes (index into ``GROUPS``) of the row's groups.

    The same predicates as :func:`kit.metrics.groups.group_membership_sql`; integers instead
    of ids because the response pass groups on them (hashing strings there doubles its time).
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
    no school and is not counted.
    """
    return f"""
    WITH totals AS (
        SELECT r.year, r.student_id, r.subject, r.grade,
            any_value(i.test_no) AS test_no,
            sum(r.points)::INTEGER AS total,
            count(*) = any_value(i.test_items) AS complete
        FROM item_responses r JOIN _item_items i USING (year, subject, grade, item_id)
        GROUP BY r.year, r.student_id, r.subject, r.grade
    )
    SELECT t.*, s.district_id, a.school_id,
        (dense_rank() OVER (ORDER BY s.district_id, a.school_id) - 1)::INTEGER AS unit_no,
        {group_codes_sql()} AS groups
    FROM totals t
    JOIN assessments a USING (year, student_id, subject)
    JOIN students s USING (year, student_id)
    """


def units_sql() -> str:
    """SQL for ``_item_units``: the (district, school) pair behind each ``unit_no``."""
    return "SELECT DISTINCT unit_no, district_id, school_id FROM _item_students"


def sums_sql() -> str:
    """SQL for ``_item_sums``: sufficient statistics by item x school x group.

    Every response row is joined to its student's total ``t`` and expanded to the student's
    groups; nothing else is computed per response.
    """
    option_code = " ".join(f"WHEN '{o}' THEN {i}" for i, o in enumerate(OPTIONS) if i)
    aggregates = ",\n        ".join(f"{expr}::BIGINT AS {name}" for name, expr in _SUMS)
    return f"""
    WITH responses AS (
        SELECT i.item_no, s.unit_no, s.groups, s.complete,
            r.points AS x, s.total AS t,
            (CASE r.response {option_code} ELSE 0 END)::UTINYINT AS opt
        FROM item_responses r
        JOIN _item_students s USING (year, student_id, subject, grade)
        JOIN _item_items i USING (year, subject, grade, item_id)
    ),
    long AS (SELECT * EXCLUDE (groups), unnest(groups) AS grp FROM responses)
    SELECT item_no, unit_no, grp,
        {aggregates}
    FROM long
    GROUP BY item_no, unit_no, grp
    """


def _sum_all(prefix: str = "") -> str:
    return ", ".join(f"sum({prefix}{c})::BIGINT AS {c}" for c in SUM_COLUMNS)


def rollup_sql() -> str:
    """SQL for ``_item_rollup``: school rows, and district and state rows as their sums."""
    columns = ", ".join(SUM_COLUMNS)
    return f"""
    SELECT 'school' AS entity_type, u.school_id AS entity_id, u.district_id,
        s.item_no, s.grp, {columns}
    FROM _item_sums s JOIN _item_units u USING (unit_no)
    UNION ALL
    SELECT 'district', u.district_id, u.district_id, s.item_no, s.grp, {_sum_all()}
    FROM _item_sums s JOIN _item_units u USING (unit_no)
    GROUP BY u.district_id, s.item_no, s.grp
    UNION ALL
    SELECT 'state', 'STATE', 'STATE', s.item_no, s.grp, {_sum_all()}
    FROM _item_sums s
    GROUP BY s.item_no, s.grp
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
        SELECT test_no, district_id, school_id, complete, total, unnest(groups) AS grp
        FROM _item_students
    ),
    totals AS (
        SELECT
            CASE WHEN GROUPING(district_id) = 1 THEN 'state'
                 WHEN GROUPING(school_id) = 1 THEN 'district' ELSE 'school' END AS entity_type,
            CASE WHEN GROUPING(district_id) = 1 THEN 'STATE'
                 WHEN GROUPING(school_id) = 1 THEN district_id ELSE school_id END AS entity_id,
            CASE WHEN GROUPING(district_id) = 1 THEN 'STATE' ELSE district_id END AS district_id,
            test_no, grp,
            count(*)::BIGINT AS n_students,
            (count(*) FILTER (WHERE complete))::BIGINT AS n_c,
            (sum(total) FILTER (WHERE complete))::BIGINT AS st_c,
            (sum(total * total) FILTER (WHERE complete))::BIGINT AS stt_c
        FROM long
        GROUP BY GROUPING SETS ((test_no, grp, district_id, school_id),
                               (test_no, grp, district_id), (test_no, grp))
    ),
    items AS (
        SELECT r.entity_type, r.entity_id, r.district_id, i.test_no, r.grp,
            sum(t.n_c::HUGEINT * r.sxx_c - r.sx_c::HUGEINT * r.sx_c) AS v_items
        FROM _item_rollup r
        JOIN _item_items i USING (item_no)
        JOIN totals t ON t.entity_type = r.entity_type AND t.entity_id = r.entity_id
            AND t.district_id = r.district_id AND t.test_no = i.test_no AND t.grp = r.grp
        GROUP BY ALL
    )
    SELECT t.*, items.v_items
    FROM totals t LEFT JOIN items USING (entity_type, entity_id, district_id, test_no, grp)
    """


def stage_items(con: duckdb.DuckDBPyConnection, fw) -> None:
    """Create the temporary tables of the item pass on ``con`` (see the module docstring)."""
    rules = fw.item_analysis
    steps = (
        ("_item_items", items_sql()),
        ("_item_students", students_sql()),
        ("_item_units", units_sql()),
        ("_item_sums", sums_sql()),
        ("_item_rollup", rollup_sql()),
        ("_item_tests", tests_sql()),
        ("_item_stats", item_stats_sql(
            hard_below=rules.hard_below, easy_above=rules.easy_above,
            min_point_biserial=rules.min_point_biserial, trails_state_by=rules.trails_state_by,
            flag_min_n=rules.min_n, reporting_min_n=fw.reporting_min_n,
        )),
    )
    for name, sql in steps:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    con.execute("DROP TABLE _item_sums")  # the roll-up holds everything the tables need


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
        ``item_stats``, ``item_options``, ``reliability`` and ``standard_stats`` as SQL
        over ``con``; ``{}`` when the data have no item responses.

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
    stage_items(con, fw)
    min_n = fw.reporting_min_n
    order = ", ".join(f'"{k}"' for k in KEYS)
    return {
        "item_stats": f"SELECT * FROM _item_stats ORDER BY {order}, item_id",
        "item_options": f"SELECT * FROM ({item_options_sql(reporting_min_n=min_n)}) "
                        f"ORDER BY {order}, item_id, option = 'BLANK', option",
        "reliability": f"SELECT * FROM ({reliability_sql(reporting_min_n=min_n)}) "
                       f"ORDER BY {order}",
        "standard_stats": f"SELECT * FROM ({standard_stats_sql()}) "
                          f"ORDER BY {order}, rollup, rank",
    }
