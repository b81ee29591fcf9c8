"""DuckDB SQL for validation, assembled from checks: no rule lives here.

Each stage of :func:`kit.data.validate.validate_data` is one statement built here from the
rules of :mod:`kit.data.rules`: a CASE giving the first failing check of a row, a SELECT
list describing a rejected row, and the duplicate and reference stages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kit.data.schemas import Table

ROW = "__kit_row"  # the row number an analyst sees (readers.ROW)
FAIL = "__kit_fail"  # index of the first failing check, NULL when none fails


@dataclass(frozen=True)
class Check:
    """One rule on one row: rejected when ``condition`` (SQL) is true."""

    rule: str
    column: str
    condition: str
    message: str  # template: {name} is the row's text in column name, or a SQL column
    value: str | None = None  # SQL of the offending value; default: the column's text


@dataclass(frozen=True)
class Reference:
    """Rows must match a row of an earlier-validated ``table`` on ``columns``."""

    rule: str
    table: str
    columns: tuple[str, ...]
    column: str
    message: str
    fetch: tuple[str, ...] = ()  # columns of the referenced row, available as __<table>_<col>
    distinct: bool = False  # ``columns`` are not the referenced table's key
    # When the referenced row was rejected: this rule and message instead ({__up_file},
    # {__up_row} and {__up_message} name the rejected row and its reason).
    upstream_rule: str | None = None
    upstream_message: str = ""


def q(name: str) -> str:
    """Quote a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_of(column: str) -> str:
    """Name of the column holding the trimmed text (or typed source value) of ``column``."""
    return q(f"__t_{column}")


def literal(value: object) -> str:
    """A SQL literal for a str, bool, number or None."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | float):
        return str(value).upper() if isinstance(value, bool) else repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def case_sql(checks: Sequence[Check]) -> str:
    """SQL giving the index of the first failing check, or NULL."""
    if not checks:
        return "CAST(NULL AS INTEGER)"
    whens = " ".join(f"WHEN {c.condition} THEN {i}" for i, c in enumerate(checks))
    return f"CASE {whens} END"


def message_sql(template: str, texts: Sequence[str] = ()) -> str:
    """SQL text from a template whose ``{name}`` is the row's value of column ``name``.

    Columns named in ``texts`` are shown as the file had them (their ``__t_`` column).
    """
    parts = re.split(r"\{(\w+)\}", template)
    sql = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                sql.append(literal(part))
        else:
            sql.append(f"CAST({text_of(part) if part in texts else q(part)} AS VARCHAR)")
    return f"concat({', '.join(sql)})" if len(sql) > 1 else sql[0]


def describe_sql(checks: Sequence[Check], texts: Sequence[str] = ()) -> str:
    """SELECT list of a rejected row: source_row, column, value, rule, message.

    The row's ``__kit_fail`` is the index of its check; see :func:`message_sql` for ``texts``.
    """

    def pick(values: list[str]) -> str:
        whens = " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values))
        return f"CASE {FAIL} {whens} END"

    def value(check: Check) -> str:
        column = text_of(check.column) if check.column in texts else q(check.column)
        return check.value or f"CAST({column} AS VARCHAR)"

    return ", ".join(
        [
            f"{ROW} AS source_row",
            pick([literal(c.column) for c in checks]) + ' AS "column"',
            pick([value(c) for c in checks]) + " AS value",
            pick([literal(c.rule) for c in checks]) + " AS rule",
            pick([message_sql(c.message, texts) for c in checks]) + " AS message",
        ]
    )


def passed_sql(parsed: str, rejected: str) -> str:
    """The parsed rows not (yet) rejected, as a subquery.

    Testing the few rejected row numbers is cheaper than evaluating every rule again, and
    leaves DuckDB free to parse only the columns a later stage reads.
    """
    return f"(SELECT * FROM {parsed} WHERE {ROW} NOT IN (SELECT source_row FROM {rejected}))"


def accepted_sql(table: Table, passed: str) -> str:
    """SELECT of the ``passed`` rows in the schema's columns and types.

    Defaults fill in empty optional columns; ``__kit_row`` comes last, for the later stages.
    """
    cols = []
    for col in table.columns:
        value = q(col.name)
        if col.default is not None:
            value = f"CAST(coalesce({value}, {literal(col.default)}) AS {col.type})"
        cols.append(f"{value} AS {q(col.name)}")
    return f"SELECT {', '.join(cols)}, {ROW} FROM {passed}"


def duplicates_sql(
    table: Table, passed: str, accepted: str, candidates: str, message: str
) -> tuple[str, str]:
    """SQL finding duplicate keys: (candidate key hashes, rejected rows of ``accepted``).

    ``message`` is a template with ``{key}`` (the key's columns) and ``{first}`` (the row
    of the key's first occurrence).

    Sorting 64-bit key hashes finds the few keys that may repeat faster than grouping
    tens of millions of keys; only rows with those hashes are then compared exactly. The
    hashes come from the ``passed`` rows, before the accepted table takes its memory.
    """
    keys = ", ".join(q(k) for k in table.key)
    find = (
        "SELECT DISTINCT h FROM (SELECT h, lag(h) OVER (ORDER BY h) AS previous FROM "
        f"(SELECT hash({keys}) AS h FROM {passed})) WHERE h = previous"
    )
    key = ", ".join(table.key)
    check = Check(
        "duplicate",
        key,
        "true",
        message.format(key=key, first="{__kit_first}"),
        value="concat_ws(', ', " + ", ".join(f"CAST({q(k)} AS VARCHAR)" for k in table.key) + ")",
    )
    rows = (
        f"SELECT {describe_sql([check])} FROM (SELECT *, 0 AS {FAIL}, "
        f"min({ROW}) OVER (PARTITION BY {keys}) AS __kit_first FROM {accepted} "
        f"WHERE hash({keys}) IN (SELECT h FROM {candidates})) WHERE {ROW} > __kit_first"
    )
    return find, rows


def references_sql(
    accepted: str,
    refs: Sequence[Reference],
    after: Sequence[Check] = (),
    upstream: dict[str, tuple[str, str]] | None = None,
) -> str:
    """SQL giving the rows of ``accepted`` breaking one of ``refs``, then one of ``after``.

    Checks in ``after`` may use the columns each reference fetches, as ``__<table>_<col>``.
    ``upstream`` maps a referenced table to (relation of its rejected rows, with the key
    columns, ``source_row`` and ``message``; its file name): a row whose referenced row was
    rejected is rejected with the reference's ``upstream_rule``, naming that row and reason.
    """
    joins, picked, checks = [], [], []
    for i, ref in enumerate(refs):
        alias = f"__r{i}"
        fetched = [(q(f), q(f"__{ref.table}_{f}")) for f in ref.fetch]
        cols = ", ".join([q(c) for c in ref.columns] + [f for f, _ in fetched])
        on = " AND ".join(f"a.{q(c)} = {alias}.{q(c)}" for c in ref.columns)
        select = "SELECT DISTINCT" if ref.distinct else "SELECT"
        joins.append(
            f"LEFT JOIN ({select} {cols}, true AS __kit_found FROM {q(ref.table)}) {alias} ON {on}"
        )
        picked += [f"{alias}.__kit_found AS __ref_{i}"]
        picked += [f"{alias}.{f} AS {name}" for f, name in fetched]
        if ref.upstream_rule and upstream and ref.table in upstream:
            relation, file = upstream[ref.table]
            up = f"__u{i}"
            keys = ", ".join(q(c) for c in ref.columns)
            on_up = " AND ".join(f"a.{q(c)} = {up}.{q(c)}" for c in ref.columns)
            joins.append(
                f"LEFT JOIN (SELECT {keys}, min(source_row) AS __up_row, "
                f"arg_min(message, source_row) AS __up_message FROM {relation} "
                f"GROUP BY {keys}) {up} ON {on_up}"
            )
            picked += [
                f"{up}.__up_row AS __up_row_{i}",
                f"{up}.__up_message AS __up_message_{i}",
                f"{literal(file)} AS __up_file_{i}",
            ]
            message = (
                ref.upstream_message.replace("{__up_row}", f"{{__up_row_{i}}}")
                .replace("{__up_message}", f"{{__up_message_{i}}}")
                .replace("{__up_file}", f"{{__up_file_{i}}}")
            )
            checks.append(
                Check(
                    ref.upstream_rule,
                    ref.column,
                    f"__ref_{i} IS NULL AND __up_row_{i} IS NOT NULL",
                    message,
                )
            )
        checks.append(Check(ref.rule, ref.column, f"__ref_{i} IS NULL", ref.message))
    checks += after
    rows = f"SELECT {', '.join(['a.*', *picked])} FROM {accepted} a {' '.join(joins)}"
    return (
        f"SELECT {describe_sql(checks)} FROM "
        f"(SELECT *, {case_sql(checks)} AS {FAIL} FROM ({rows})) WHERE {FAIL} IS NOT NULL"
    )
