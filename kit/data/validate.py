"""Validate a data directory: every row read is accepted or rejected with one reason.

Validation runs inside DuckDB, so a state's files (tens of millions of item responses) are
checked in seconds. The rules and their order are in :mod:`kit.data.rules`; the tables and
columns in :mod:`kit.data.schemas`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from kit.data.readers import (
    EmptyTableError,
    RawTable,
    file_sha256,
    find_tables,
    load_table,
    normalise_header,
)
from kit.data.rules import (
    AFTER_REFERENCES,
    DUPLICATE_MESSAGE,
    MALFORMED_MESSAGE,
    REFERENCES,
    ROW_RULES,
    blank_sql,
    blanked_sql,
    checked_sql,
    column_checks,
    split_checks,
    values_sql,
)
from kit.data.schemas import TABLES, Table
from kit.data.sql import (
    FAIL,
    ROW,
    accepted_sql,
    describe_sql,
    duplicates_sql,
    literal,
    passed_sql,
    q,
    references_sql,
)
from kit.errors import DataError

# DuckDB errors that mean the generated SQL is wrong, not the file: never blame the file.
_OUR_MISTAKES = (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException)
REJECTED_COLUMNS = ("source_file", "source_row", "column", "value", "rule", "message")
_REJECTED_TABLE = ", ".join(
    f"{q(c)} {t}" for c, t in zip(REJECTED_COLUMNS[1:], ("BIGINT", *["VARCHAR"] * 4), strict=True)
)


BLANK_MESSAGE = "the row is empty (a blank line or a row of empty cells); nothing was read from it"


@dataclass(frozen=True)
class TableSummary:
    """Rows of one input file: ``read == accepted + rejected`` (blank rows are read and
    rejected). ``warnings`` counts accepted rows with an optional value left empty."""

    table: str
    file: str
    read: int
    accepted: int
    rejected: int
    warnings: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Reason:
    """One cause of rejected (or blanked) rows: a table, rule and column, with how many rows
    it took, its most frequent value and the message of the first such row."""

    table: str
    file: str
    rule: str
    column: str
    n: int
    value: str
    n_values: int
    row: int
    message: str

    def line(self) -> str:
        """``students: 6,720 rows, gender "Female" (code): the message of the first row``."""
        rows = "row" if self.n == 1 else "rows"
        what = f"{rows} kept, value left empty" if self.rule == "optional_value_blanked" else rows
        if not self.column:
            where = f" ({self.rule})"
        elif self.n_values <= 1:
            where = f', {self.column} "{self.value}" ({self.rule})'
        else:
            where = f', {self.column} ({self.rule}; {self.n_values:,} values, most often "{self.value}")'
        return f"{self.table}: {self.n:,} {what}{where}: {self.file} row {self.row}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`validate_data` found.

    Attributes
    ----------
    con
        DuckDB connection holding one table per input table found, named like the table,
        with the accepted rows in the columns and types of :mod:`kit.data.schemas`.
    summaries
        Rows read, accepted and rejected per table, in schema order.
    rejected_counts
        Rejected rows per ``"<table>.<rule>"``, e.g. ``{"students.range": 3}``.
    file_hashes
        SHA-256 of each input file, by file name.
    notes
        What was read and how, when a user should know: headers renamed, the sheet and
        header row of a workbook, an encoding, an optional table with no rows left out.
    top_reasons
        The commonest causes of rejected and blanked rows, per table and column: tables in
        schema order, most rows first within each (:class:`Reason`).
    warning_counts
        Rows kept with an optional value left empty, per ``"<table>.<column>"``.
    """

    con: duckdb.DuckDBPyConnection
    summaries: tuple[TableSummary, ...]
    rejected_counts: dict[str, int]
    file_hashes: dict[str, str]
    notes: tuple[str, ...] = ()
    top_reasons: tuple[Reason, ...] = ()
    warning_counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted, 1 when some were rejected."""
        return 1 if any(s.rejected for s in self.summaries) else 0

    def to_dict(self) -> dict:
        return {
            "tables": [s.to_dict() for s in self.summaries],
            "rejected_counts": dict(self.rejected_counts),
            "file_hashes": dict(self.file_hashes),
            "notes": list(self.notes),
            "top_reasons": [r.to_dict() for r in self.top_reasons],
            "warning_counts": dict(self.warning_counts),
            "exit_code": self.exit_code,
        }


def validate_data(
    data_dir: str | Path,
    *,
    rejected_dir: str | Path | None = None,
    levels: int = 4,
    con: duckdb.DuckDBPyConnection | None = None,
    progress: Callable[[str], None] | None = None,
) -> ValidationResult:
    """Read and check every input table of ``data_dir``.

    Parameters
    ----------
    data_dir
        Folder with ``students`` and ``assessments`` and optionally ``items``,
        ``item_responses``, ``graduation``, ``ccr`` and the MSIP 5 / PBMAS tables
        ``attendance``, ``elp_assessments``, ``discipline``, ``courses`` and ``growth``,
        each as .csv, .parquet or .xlsx.
    rejected_dir
        If given, each table with rejected rows gets ``<rejected_dir>/<table>.csv`` with
        ``source_file, source_row, column, value, rule, message`` and then the row's original
        values. An existing file of that name is overwritten.
    levels
        Number of achievement levels of the framework (``achievement_level`` is 1..levels).
    con
        DuckDB connection to hold the accepted tables; a new in-memory one if None. Tables
        of the same names are replaced.
    progress
        Called with a short message as each step starts.

    Returns
    -------
    ValidationResult

    Raises
    ------
    DataError
        For a fatal problem: missing folder, required table or required column; a table in
        two files; an unreadable or empty file; item responses without items.
    """
    if not isinstance(levels, int) or not 2 <= levels <= 10:
        raise ValueError(f"levels must be a whole number 2-10, not {levels!r}")
    say = progress or (lambda message: None)
    data_dir = Path(data_dir)
    paths = find_tables(data_dir)
    _check_tables(data_dir, paths)
    out = _rejected_dir(rejected_dir, data_dir)
    con = duckdb.connect() if con is None else con
    notes: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = {p.name: pool.submit(file_sha256, p) for p in paths.values()}
        raws: dict[str, RawTable] = {}
        try:
            for name, path in paths.items():
                say(f"reading {path.name}")
                try:
                    raws[name] = load_table(con, name, path)
                except EmptyTableError:
                    if TABLES[name].required:
                        raise
                    notes.append(
                        f"{path.name} has a header but no rows: the optional {name} table is "
                        "treated as absent."
                    )
                    continue
                notes.extend(raws[name].notes)
            _check_items_present(paths, raws)
            sources = {}
            for name, raw in raws.items():
                sources[name], renamed = resolve_columns(TABLES[name], raw, renamed=True)
                if renamed:
                    read_as = ", ".join(f'"{f}" as {c}' for c, f in renamed.items())
                    notes.append(f"{raw.path.name}: headers read as the kit's names: {read_as}.")
            results = []
            for name, raw in raws.items():
                say(f"checking {raw.path.name} ({raw.n_read:,} rows)")
                results.append(
                    _validate_table(con, TABLES[name], raw, sources[name], levels, out, raws)
                )
        finally:
            _drop_temporary(con, list(paths))
        hashes = {name: future.result() for name, future in hashing.items()}
    counts = {f"{s.table}.{rule}": n for s, by_rule, _, _ in results for rule, n in by_rule.items()}
    warned = {k: n for _, _, by_column, _ in results for k, n in by_column.items()}
    reasons = [r for *_, rs in results for r in rs]  # by table, most rows first
    return ValidationResult(
        con,
        tuple(s for s, *_ in results),
        counts,
        hashes,
        notes=tuple(notes),
        top_reasons=tuple(reasons),
        warning_counts=warned,
    )


def _check_items_present(paths: dict[str, Path], raws: dict[str, RawTable]) -> None:
    """Item responses need items: here when the items file had a header only."""
    if "item_responses" in raws and "items" not in raws:
        raise DataError(
            f"{paths['item_responses'].name} has rows but {paths['items'].name} has none, so "
            "no response can be checked against its item. Add the items' rows (year, subject, "
            "grade, item_id, item_type, max_points, key, standard, reporting_category) or move "
            "the item responses out of the folder.",
            file=str(paths["items"]),
        )


def resolve_columns(table: Table, raw: RawTable, *, renamed: bool = False):
    """Map each schema column to the file's column (None if an optional one is absent).

    Headers match exactly, else as snake_case (``Student Id``, ``STUDENT_ID`` and
    ``StudentID`` are ``student_id``). Extra columns are left out. With ``renamed``, also
    return the columns matched other than exactly: ``{schema name: file's header}``.

    Raises
    ------
    DataError
        If a required column is missing; the message suggests close header names.
    """
    by_norm: dict[str, str] = {}
    for name in raw.columns:
        by_norm.setdefault(normalise_header(name), name)
    sources = {
        c.name: c.name if c.name in raw.columns else by_norm.get(c.name) for c in table.columns
    }
    missing = [c for c in table.required_columns if sources[c] is None]
    if missing:
        raise _missing_columns(table, raw, missing)
    if not renamed:
        return sources
    return sources, {c: f for c, f in sources.items() if f is not None and f != c}


def _validate_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    raw: RawTable,
    sources: dict[str, str | None],
    levels: int,
    out: Path | None,
    raws: dict[str, RawTable] | None = None,
) -> tuple[TableSummary, dict[str, int], dict[str, int], list[Reason]]:
    values, parsed = f"__kit_values_{table.name}", f"__kit_parsed_{table.name}"
    rejected, warned = f"__kit_rejected_{table.name}", f"__kit_warned_{table.name}"
    accepted = q(table.name)
    # Optional values are blanked in two stages: a value's own checks (type, code, range),
    # then rules across columns, on the values left after the first stage (days_attended is
    # not compared with a days_enrolled of -1 that was itself left empty).
    column_rejecting, column_blanking = split_checks(table, column_checks(table, levels))
    row_rejecting, row_blanking = split_checks(table, list(ROW_RULES.get(table.name, ())))
    checks = column_rejecting + row_rejecting
    stage = f"__kit_stage_{table.name}"
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {values} AS "
            + values_sql(table, sources, raw.columns, raw.relation)
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {stage} AS SELECT * FROM "
            + blank_sql(values, column_blanking)
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {parsed} AS "
            + checked_sql(blank_sql(stage, row_blanking), checks)
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rejected} ({_REJECTED_TABLE})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {warned} ({_REJECTED_TABLE})")
        _insert_malformed(con, rejected, raw)
        with _no_filter_pushdown(con):
            con.execute(
                f"INSERT INTO {rejected} SELECT {describe_sql(checks, table.column_names)} "
                f"FROM {parsed} WHERE {FAIL} IS NOT NULL"
            )
            for relation, blanking in ((values, column_blanking), (stage, row_blanking)):
                blanked = blanked_sql(relation, blanking, table.column_names)
                if blanked:
                    con.execute(f"INSERT INTO {warned} {blanked}")
        passed = passed_sql(parsed, rejected)
        duplicates = None
        if table.key:  # a table without a key (discipline actions) may repeat rows
            find, duplicates = duplicates_sql(
                table, passed, accepted, "__kit_candidates", DUPLICATE_MESSAGE
            )
            con.execute(f"CREATE OR REPLACE TEMP TABLE __kit_candidates AS {find}")
        # Later stages work on the accepted table itself and delete what they reject, so a
        # large file is parsed three times and held in memory once.
        con.execute(f"CREATE OR REPLACE TABLE {accepted} AS {accepted_sql(table, passed)}")
        if duplicates is not None and _count(con, "__kit_candidates"):
            _reject(con, accepted, rejected, duplicates)
        if table.name in REFERENCES:
            refs = REFERENCES[table.name]
            upstream = _upstream(con, refs, raws or {})
            _reject(
                con,
                accepted,
                rejected,
                references_sql(accepted, refs, AFTER_REFERENCES.get(table.name, ()), upstream),
            )
        con.execute(f"ALTER TABLE {accepted} DROP COLUMN {ROW}")
        # Only rows finally kept carry a warning; a rejected row has its one reason.
        con.execute(f"DELETE FROM {warned} WHERE source_row IN (SELECT source_row FROM {rejected})")
        by_rule = dict(
            con.execute(
                f"SELECT rule, count(*) FROM {rejected} GROUP BY rule ORDER BY rule"
            ).fetchall()
        )
        by_column = {
            f"{table.name}.{c}": n
            for c, n in con.execute(
                f'SELECT "column", count(*) FROM {warned} GROUP BY 1 ORDER BY 1'
            ).fetchall()
        }
        reasons = _reasons(con, table.name, raw.path.name, rejected, warned)
        if out is not None and (by_rule or by_column):
            _write_rejected(con, raw, rejected, warned, out / f"{table.name}.csv")
    except duckdb.Error as error:
        if isinstance(error, _OUR_MISTAKES):
            raise
        raise DataError(
            f"{raw.path.name} could not be read to the end ({str(error).splitlines()[0]}). "
            "The file may be damaged; export it again and run again.",
            file=str(raw.path),
        ) from None
    summary = TableSummary(
        table.name,
        raw.path.name,
        read=raw.n_read,
        accepted=_count(con, q(table.name)),
        rejected=sum(by_rule.values()),
        warnings=sum(by_column.values()),
    )
    if summary.read != summary.accepted + summary.rejected:
        raise RuntimeError(f"kit bug: rows of {raw.path.name} lost in validation: {summary}")
    return summary, by_rule, by_column, reasons


def _upstream(
    con: duckdb.DuckDBPyConnection, refs, raws: dict[str, RawTable]
) -> dict[str, tuple[str, str]]:
    """For each table ``refs`` refer to that has rejected rows: a temporary table of those
    rows' keys (as parsed), row numbers and messages, and the table's file name."""
    found = {}
    for ref in refs:
        name = ref.table
        if not ref.upstream_rule or name in found or name not in raws:
            continue
        rejected, parsed = f"__kit_rejected_{name}", f"__kit_parsed_{name}"
        if not _count(con, f"{rejected} WHERE rule <> 'duplicate'"):
            continue
        keys = ", ".join(f"p.{q(c)}" for c in ref.columns)
        not_null = " AND ".join(f"p.{q(c)} IS NOT NULL" for c in ref.columns)
        relation = f"__kit_upstream_{name}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT {keys}, r.source_row, r.message "
            f"FROM {rejected} r JOIN {parsed} p ON p.{ROW} = r.source_row "
            f"WHERE r.rule <> 'duplicate' AND {not_null}"
        )
        found[name] = (relation, raws[name].path.name)
    return found


def _reasons(
    con: duckdb.DuckDBPyConnection,
    table: str,
    file: str,
    rejected: str,
    warned: str,
    limit: int = 5,
) -> list[Reason]:
    """The commonest (rule, column) causes of rejected and blanked rows of one table."""
    rows = con.execute(
        f"""
        WITH r AS (SELECT * FROM {rejected} UNION ALL SELECT * FROM {warned}),
        v AS (
            SELECT rule, "column", coalesce(value, '') AS value, count(*) AS n,
                   min(source_row) AS row, arg_min(message, source_row) AS message
            FROM r GROUP BY ALL
        )
        SELECT rule, "column", sum(n) AS n, arg_max(value, n) AS value,
               count(*) AS n_values, arg_max(row, n) AS row, arg_max(message, n) AS message
        FROM v GROUP BY ALL ORDER BY n DESC, rule, "column" LIMIT {int(limit)}
        """
    ).fetchall()
    return [
        Reason(table, file, rule, column or "", int(n), value, int(k), int(row), message)
        for rule, column, n, value, k, row, message in rows
    ]


def _reject(con: duckdb.DuckDBPyConnection, accepted: str, rejected: str, rows: str) -> None:
    """Move the rows selected by ``rows`` from the accepted table to the rejected ones."""
    before = _count(con, rejected)
    con.execute(f"INSERT INTO {rejected} {rows}")
    if _count(con, rejected) > before:
        con.execute(f"DELETE FROM {accepted} WHERE {ROW} IN (SELECT source_row FROM {rejected})")


@contextmanager
def _no_filter_pushdown(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep DuckDB from pushing ``__kit_fail IS NOT NULL`` into the scan.

    Pushed down, the filter inlines every parsing layer into one expression that trims and
    casts each text value many times over (5x slower on CSV); left alone, each layer is
    computed once. The setting is global, so it is restored at once.
    """
    before = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    disabled = ",".join(filter(None, [before, "filter_pushdown"]))
    con.execute(f"SET disabled_optimizers = {literal(disabled)}")
    try:
        yield
    finally:
        con.execute(f"SET disabled_optimizers = {literal(before)}")


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    return con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]


def _insert_malformed(con: duckdb.DuckDBPyConnection, rejected: str, raw: RawTable) -> None:
    """Rows the reader could not split (``malformed_row``) and empty rows (``blank_row``)."""
    if not raw.malformed and not raw.blank_rows:
        return
    n_bad, n_blank = len(raw.malformed), len(raw.blank_rows)
    rows = pa.table(
        {
            "source_row": [m.row for m in raw.malformed] + list(raw.blank_rows),
            "column": [""] * (n_bad + n_blank),
            "value": [m.text for m in raw.malformed] + [""] * n_blank,
            "rule": ["malformed_row"] * n_bad + ["blank_row"] * n_blank,
            "message": [
                MALFORMED_MESSAGE.format(values=m.n_values, columns=m.n_columns)
                for m in raw.malformed
            ]
            + [BLANK_MESSAGE] * n_blank,
        }
    )
    con.register("__kit_malformed", rows)
    try:
        con.execute(f"INSERT INTO {rejected} SELECT * FROM __kit_malformed")
    finally:
        con.unregister("__kit_malformed")


def _write_rejected(
    con: duckdb.DuckDBPyConnection, raw: RawTable, rejected: str, warned: str, path: Path
) -> None:
    taken = {c.lower() for c in REJECTED_COLUMNS}
    original = []
    for name in raw.columns:
        alias = f"original_{name}" if name.lower() in taken else name
        taken.add(alias.lower())
        original.append(f"o.{q(name)} AS {q(alias)}")
    fixed = ", ".join(f"r.{q(c)}" for c in REJECTED_COLUMNS[1:])
    select = (
        f"SELECT {literal(raw.path.name)} AS source_file, {fixed}, {', '.join(original)} "
        f"FROM (SELECT * FROM {rejected} UNION ALL SELECT * FROM {warned}) r "
        f"LEFT JOIN {raw.relation} o ON o.{ROW} = r.source_row ORDER BY r.source_row, r.rule"
    )
    try:
        con.execute(f"COPY ({select}) TO {literal(str(path))} (FORMAT csv, HEADER)")
    except duckdb.IOException as error:
        raise DataError(
            f"The rejected rows of {raw.path.name} could not be written to {path} "
            f"({str(error).splitlines()[0]}). Choose a folder you can write to.",
            file=str(path),
        ) from None


def _drop_temporary(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for name in names:
        views = ("parsed", "stage", "values", "raw")
        for obj in (f"__kit_{view}_{name}" for view in views):
            con.execute(f"DROP VIEW IF EXISTS {obj}")
        for obj in ("rejected", "warned", "upstream"):
            con.execute(f"DROP TABLE IF EXISTS __kit_{obj}_{name}")
    con.execute("DROP TABLE IF EXISTS __kit_candidates")


def _check_tables(data_dir: Path, paths: dict[str, Path]) -> None:
    """Raise DataError for a missing required table, or item responses without items."""
    for table in TABLES.values():
        if table.required and table.name not in paths:
            files = sorted(p.name for p in data_dir.iterdir() if not p.name.startswith("."))
            names = [f"{table.name}{ext}" for ext in (".csv", ".parquet", ".xlsx")]
            expected = ", ".join(names[:-1]) + " or " + names[-1] + " (or tab-separated .txt)"
            stems = {Path(f).stem.lower(): f for f in files}
            close = difflib.get_close_matches(table.name, list(stems), n=1, cutoff=0.7)
            hint = f" {stems[close[0]]} looks close: rename it to {names[0]}." if close else ""
            raise DataError(
                f"The required table {table.name} was not found in {data_dir}. Expected one "
                f"file named {expected}; found: {_listing(files) or 'no files'}.{hint} Add "
                "the file and run again.",
                file=str(data_dir / f"{table.name}.csv"),
            )
    if "item_responses" in paths and "items" not in paths:
        raise DataError(
            f"{paths['item_responses'].name} was found but the items table is missing, so "
            "no response can be checked against its item. Add items.csv (one row per item: "
            "year, subject, grade, item_id, item_type, max_points, key, standard, "
            "reporting_category) or move the item responses out of the folder.",
            file=str(paths["item_responses"]),
        )


def _missing_columns(table: Table, raw: RawTable, missing: list[str]) -> DataError:
    found = list(raw.columns)
    squeezed = {re.sub(r"[^a-z0-9]", "", f.lower()): f for f in found}
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name.replace("_", ""), list(squeezed), n=1, cutoff=0.7)
        if close:
            hints.append(f'"{squeezed[close[0]]}" looks like {name}: rename it to "{name}".')
    names = ", ".join(f'"{m}"' for m in missing)
    what = "column" if len(missing) == 1 else "columns"
    return DataError(
        f"{raw.path.name} has no {what} {names}, which the {table.name} table needs. Columns "
        f"found: {_listing(found)}. "
        + "".join(f"{h} " for h in hints)
        + "Add or rename the column in the header (names are snake_case as in CONTRACT.md) "
        "and run again.",
        file=str(raw.path),
        column=missing[0],
    )


def _listing(names: list[str], limit: int = 30) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _rejected_dir(rejected_dir: str | Path | None, data_dir: Path) -> Path | None:
    if rejected_dir is None:
        return None
    out = Path(rejected_dir)
    if out.resolve() == data_dir.resolve():
        raise DataError(
            f"The rejected-rows folder {out} is the data folder itself, so rejected/<table>.csv "
            "would overwrite input files. Choose another folder, e.g. output/rejected.",
            file=str(out),
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(
            f"The rejected-rows folder {out} could not be created ({error.strerror}). Choose a "
            "folder you can write to.",
            file=str(out),
        ) from None
    # A table that is clean now must not keep the rejected rows of an earlier run.
    for name in TABLES:
        stale = out / f"{name}.csv"
        if stale.is_file():
            stale.unlink()
    return out


def require_rows(result: ValidationResult, rejected_dir: str | Path | None = None) -> None:
    """Raise when a required table has rows but none was accepted: there is nothing to build,
    and a store of empty tables would give reports about data they do not have.

    Raises
    ------
    DataError
        Naming the file, how many rows were rejected, the main reason (the commonest
        rejection, with its first row and fix) and where every rejected row is.
    """
    for s in result.summaries:
        if s.table not in TABLES or not TABLES[s.table].required or s.accepted:
            continue
        reasons = [r for r in result.top_reasons if r.table == s.table]
        main = f" The main reason: {reasons[0].line()}." if reasons else ""
        where = (
            f" Every rejected row and its reason is in {Path(rejected_dir) / (s.table + '.csv')}."
            if rejected_dir is not None
            else ""
        )
        raise DataError(
            f"Every row of {s.file} was rejected ({s.rejected:,} of {s.read:,}), so there is "
            f"nothing to build: the {s.table} table is required.{main}{where} Fix those rows "
            "and run again.",
            file=s.file,
            column=reasons[0].column if reasons else None,
        )


def reason_lines(result: ValidationResult, per_table: int = 3) -> list[str]:
    """The notes and the main reasons of a validation, one line each, for a terminal."""
    lines = list(result.notes)
    shown: dict[str, int] = {}
    for reason in result.top_reasons:
        if shown.get(reason.table, 0) < per_table:
            shown[reason.table] = shown.get(reason.table, 0) + 1
            lines.append(reason.line())
    return lines
