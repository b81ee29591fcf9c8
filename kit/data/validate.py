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
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from kit.data.readers import FORMATS, RawTable, file_sha256, find_tables, load_table
from kit.data.rules import (
    AFTER_REFERENCES,
    DUPLICATE_MESSAGE,
    MALFORMED_MESSAGE,
    REFERENCES,
    ROW_RULES,
    column_checks,
    parsed_sql,
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


@dataclass(frozen=True)
class TableSummary:
    """Rows of one input file: ``read == accepted + rejected``."""

    table: str
    file: str
    read: int
    accepted: int
    rejected: int

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
    """

    con: duckdb.DuckDBPyConnection
    summaries: tuple[TableSummary, ...]
    rejected_counts: dict[str, int]
    file_hashes: dict[str, str]

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted, 1 when some were rejected."""
        return 1 if any(s.rejected for s in self.summaries) else 0

    def to_dict(self) -> dict:
        return {
            "tables": [s.to_dict() for s in self.summaries],
            "rejected_counts": dict(self.rejected_counts),
            "file_hashes": dict(self.file_hashes),
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
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = {p.name: pool.submit(file_sha256, p) for p in paths.values()}
        raws: dict[str, RawTable] = {}
        try:
            for name, path in paths.items():
                say(f"reading {path.name}")
                raws[name] = load_table(con, name, path)
            sources = {name: resolve_columns(TABLES[name], raw) for name, raw in raws.items()}
            results = []
            for name, raw in raws.items():
                say(f"checking {raw.path.name} ({raw.n_rows + len(raw.malformed):,} rows)")
                results.append(_validate_table(con, TABLES[name], raw, sources[name], levels, out))
        finally:
            _drop_temporary(con, list(paths))
        hashes = {name: future.result() for name, future in hashing.items()}
    counts = {f"{s.table}.{rule}": n for s, by_rule in results for rule, n in by_rule.items()}
    return ValidationResult(con, tuple(s for s, _ in results), counts, hashes)


def resolve_columns(table: Table, raw: RawTable) -> dict[str, str | None]:
    """Map each schema column to the file's column (None if an optional one is absent).

    Headers match exactly, else ignoring case. Extra columns are left out.

    Raises
    ------
    DataError
        If a required column is missing; the message suggests close header names.
    """
    by_lower: dict[str, str] = {}
    for name in raw.columns:
        by_lower.setdefault(name.lower(), name)
    sources = {
        c.name: c.name if c.name in raw.columns else by_lower.get(c.name) for c in table.columns
    }
    missing = [c for c in table.required_columns if sources[c] is None]
    if missing:
        raise _missing_columns(table, raw, missing)
    return sources


def _validate_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    raw: RawTable,
    sources: dict[str, str | None],
    levels: int,
    out: Path | None,
) -> tuple[TableSummary, dict[str, int]]:
    parsed, rejected = f"__kit_parsed_{table.name}", f"__kit_rejected_{table.name}"
    accepted = q(table.name)
    checks = column_checks(table, levels) + list(ROW_RULES.get(table.name, ()))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {parsed} AS "
            + parsed_sql(table, sources, raw.columns, raw.relation, checks)
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rejected} ({_REJECTED_TABLE})")
        _insert_malformed(con, rejected, raw)
        with _no_filter_pushdown(con):
            con.execute(
                f"INSERT INTO {rejected} SELECT {describe_sql(checks, table.column_names)} "
                f"FROM {parsed} WHERE {FAIL} IS NOT NULL"
            )
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
            refs = references_sql(
                accepted, REFERENCES[table.name], AFTER_REFERENCES.get(table.name, ())
            )
            _reject(con, accepted, rejected, refs)
        con.execute(f"ALTER TABLE {accepted} DROP COLUMN {ROW}")
        by_rule = dict(
            con.execute(
                f"SELECT rule, count(*) FROM {rejected} GROUP BY rule ORDER BY rule"
            ).fetchall()
        )
        if out is not None and by_rule:
            _write_rejected(con, raw, rejected, out / f"{table.name}.csv")
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
        read=raw.n_rows + len(raw.malformed),
        accepted=_count(con, q(table.name)),
        rejected=sum(by_rule.values()),
    )
    if summary.read != summary.accepted + summary.rejected:
        raise RuntimeError(f"kit bug: rows of {raw.path.name} lost in validation: {summary}")
    return summary, by_rule


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
    if not raw.malformed:
        return
    rows = pa.table(
        {
            "source_row": [m.row for m in raw.malformed],
            "column": [""] * len(raw.malformed),
            "value": [m.text for m in raw.malformed],
            "rule": ["malformed_row"] * len(raw.malformed),
            "message": [
                MALFORMED_MESSAGE.format(values=m.n_values, columns=m.n_columns)
                for m in raw.malformed
            ],
        }
    )
    con.register("__kit_malformed", rows)
    try:
        con.execute(f"INSERT INTO {rejected} SELECT * FROM __kit_malformed")
    finally:
        con.unregister("__kit_malformed")


def _write_rejected(
    con: duckdb.DuckDBPyConnection, raw: RawTable, rejected: str, path: Path
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
        f"FROM {rejected} r LEFT JOIN {raw.relation} o ON o.{ROW} = r.source_row "
        "ORDER BY r.source_row"
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
        for obj in (f"__kit_parsed_{name}", f"__kit_raw_{name}"):
            con.execute(f"DROP VIEW IF EXISTS {obj}")
        con.execute(f"DROP TABLE IF EXISTS __kit_rejected_{name}")
    con.execute("DROP TABLE IF EXISTS __kit_candidates")


def _check_tables(data_dir: Path, paths: dict[str, Path]) -> None:
    """Raise DataError for a missing required table, or item responses without items."""
    for table in TABLES.values():
        if table.required and table.name not in paths:
            files = sorted(p.name for p in data_dir.iterdir() if not p.name.startswith("."))
            names = [f"{table.name}{ext}" for ext in FORMATS]
            expected = ", ".join(names[:-1]) + " or " + names[-1]
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
