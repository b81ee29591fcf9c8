"""Find and read the input tables of a data directory without changing a value.

A table is ``NAME.csv``, ``NAME.parquet`` or ``NAME.xlsx`` (CONTRACT.md section 1). Reading
puts the file's rows into DuckDB as they are, each with ``__kit_row``: the row number an
analyst sees in a spreadsheet (the header is row 1, the first data row is row 2; for Parquet
the 1-based row index). Validation (:mod:`kit.data.validate`) works on that relation.

CSV is read with pyarrow, all columns as text, in parallel and in file order. DuckDB's own
reader skips blank lines without a trace (so later row numbers shift) and its sniffer can take
a ragged row for the header; pyarrow keeps blank lines as rows and hands each ragged row over
with its number, to be rejected as ``malformed_row``.
Rows whose cells are all empty (blank lines, ``,,,,`` rows an export leaves at the end) hold
no data and are not counted; every other row is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from kit.data.schemas import TABLES
from kit.errors import DataError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
ROW = "__kit_row"
_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class Malformed:
    """A CSV row that cannot be split into the header's columns."""

    row: int
    text: str
    n_values: int
    n_columns: int


@dataclass(frozen=True)
class RawTable:
    """One input file loaded into DuckDB unchanged.

    Attributes
    ----------
    relation
        DuckDB view holding ``__kit_row`` and the file's columns, one row per data row.
    columns
        The file's column names, in file order, with their DuckDB types.
    n_rows
        Rows in ``relation``.
    malformed
        CSV rows that could not be read into columns (not in ``relation``).
    """

    name: str
    path: Path
    relation: str
    columns: dict[str, str]
    n_rows: int
    malformed: tuple[Malformed, ...] = ()


def find_tables(data_dir: str | Path) -> dict[str, Path]:
    """Map each input table found in ``data_dir`` to its file.

    File names match case-insensitively (``Students.CSV`` is ``students``); other files are
    ignored.

    Raises
    ------
    DataError
        If ``data_dir`` is not a folder, or one table has two files (e.g. csv and parquet).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(
            f"The data folder {data_dir} does not exist or is not a folder. Pass the folder "
            "that holds students.csv, assessments.csv and the optional tables.",
            file=str(data_dir),
        )
    found: dict[str, list[Path]] = {}
    for path in sorted(data_dir.iterdir()):
        name = path.stem.lower()
        if path.suffix.lower() in FORMATS and name in TABLES and path.is_file():
            found.setdefault(name, []).append(path)
    for name, paths in found.items():
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            raise DataError(
                f"The {name} table is given twice in {data_dir}: {names}. Keep one of these "
                "files and move the other out of the folder, so it is clear which one to use.",
                file=str(paths[1]),
            )
    return {name: found[name][0] for name in TABLES if name in found}


def load_table(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> RawTable:
    """Load one file into ``con`` as the temporary view ``__kit_raw_<name>``.

    Raises
    ------
    DataError
        If the file cannot be read, has no data rows, or repeats a column name.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist. Check the file name.", file=str(path))
    relation = f"__kit_raw_{name}"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt == "parquet":
        return _load_parquet(con, name, path, relation)
    if fmt == "csv":
        data, malformed = _read_csv(path)
    elif fmt == "xlsx":
        data, malformed = _read_xlsx(path), ()
    else:
        raise DataError(
            f"{path.name} is not a .csv, .parquet or .xlsx file. Save the table in one of these "
            "formats.",
            file=str(path),
        )
    if data.num_rows + len(malformed) == 0:
        raise _empty(path)
    con.register(relation, data)
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    del types[ROW]
    return RawTable(name, path, relation, types, data.num_rows, tuple(malformed))


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one input file as it is, for a look in a notebook.

    CSV and Excel columns are all text (``None`` for empty cells); Parquet keeps its
    types. Blank rows and CSV rows that do not fit the header are left out; use
    :func:`kit.data.validate.validate_data` to see those.
    """
    path = Path(path)
    with duckdb.connect() as con:
        raw = load_table(con, "table", path)
        return con.execute(f"SELECT * EXCLUDE ({ROW}) FROM {raw.relation}").df()


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 of a file as hex, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _empty(path: Path) -> DataError:
    return DataError(
        f"{path.name} has no data rows (the file is empty or holds only a header). Export the "
        "table again with its rows, or remove the file if the table is optional.",
        file=str(path),
    )


def _unreadable(path: Path, kind: str, error: BaseException) -> DataError:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return DataError(
        f"{path.name} could not be read as {kind} ({detail}). Open it in the program that "
        f"made it and save it again as {kind} (or as CSV, UTF-8), then run again.",
        file=str(path),
    )


def _load_parquet(con: duckdb.DuckDBPyConnection, name: str, path: Path, relation: str):
    source = "'" + str(path).replace("'", "''") + "'"
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {relation} AS SELECT CAST(file_row_number + 1 AS INTEGER) AS {ROW}, "
            f"* EXCLUDE (file_row_number) FROM read_parquet({source}, file_row_number = true)"
        )
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        n_rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    except duckdb.Error as error:
        raise _unreadable(path, "Parquet", error) from None
    if n_rows == 0:
        raise _empty(path)
    del types[ROW]
    return RawTable(name, path, relation, types, n_rows)


def _header(path: Path) -> tuple[list[str], str, str]:
    """Column names, delimiter and encoding of a CSV file, from its first line."""
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
    if not head.strip():
        raise _empty(path)
    if b"\x00" in head:
        raise DataError(
            f"{path.name} is not a text CSV file (it holds binary data: an Excel or zip file "
            "renamed to .csv, or UTF-16 text). Save the table as CSV (UTF-8) and run again.",
            file=str(path),
        )
    try:
        text, encoding = head.decode("utf-8-sig"), "utf8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is not an encoding problem.
        if error.start < len(head) - 4:
            text, encoding = head.decode("latin-1"), "latin1"
        else:
            text, encoding = head[: error.start].decode("utf-8-sig"), "utf8"
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(",;\t|", key=first.count) if any(d in first for d in ",;\t|") else ","
    names = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return names, delimiter, encoding


def _unique_names(path: Path, names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for i, name in enumerate(n.strip() for n in names):
        key = name.lower()
        if key and key in seen:
            raise DataError(
                f'{path.name} has the column "{name}" twice in its header. Rename or remove '
                "one of them and run again.",
                file=str(path),
                column=name,
            )
        seen.add(key)
        out.append(name or f"column_{i + 1}")
    return out


def _read_csv(path: Path) -> tuple[pa.Table, list[Malformed]]:
    names, delimiter, encoding = _header(path)
    names = _unique_names(path, names)
    data, bad = _arrow_csv(path, names, delimiter, encoding, threads=True)
    if any(row.number is None for row in bad):
        # pyarrow numbers bad rows only when reading on one thread: slow, but only for
        # files that have such rows.
        data, bad = _arrow_csv(path, names, delimiter, encoding, threads=False)
    rows = np.arange(2, data.num_rows + len(bad) + 2, dtype=np.int32)
    if bad:
        rows = np.setdiff1d(rows, [row.number for row in bad], assume_unique=True)
    data = _drop_blank_rows(data.append_column(ROW, pa.array(rows)))
    malformed = [
        Malformed(r.number, r.text, r.actual_columns, r.expected_columns)
        for r in bad
        if r.text.strip(" \t\r\n" + delimiter)
    ]
    return data, malformed


def _arrow_csv(path: Path, names: list[str], delimiter: str, encoding: str, *, threads: bool):
    bad: list = []

    def keep_aside(row) -> str:
        bad.append(row)
        return "skip"

    try:
        data = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(
                use_threads=threads, column_names=names, skip_rows=1, encoding=encoding
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=keep_aside,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowException, OSError, UnicodeError) as error:
        if encoding == "utf8" and "UTF8" in str(error):
            # Excel's plain "CSV" export on Windows is not UTF-8.
            return _arrow_csv(path, names, delimiter, "latin1", threads=threads)
        raise _unreadable(path, "CSV", error) from None
    return data, bad


def _blank(column: pa.ChunkedArray) -> pa.ChunkedArray:
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    return pc.fill_null(pc.equal(text, ""), True)


def _drop_blank_rows(data: pa.Table) -> pa.Table:
    """Drop rows whose cells are all empty, checking the first column for candidates."""
    candidates = pc.indices_nonzero(_blank(data.column(0)))
    if len(candidates) == 0:
        return data
    subset = data.take(candidates)
    all_blank = _blank(subset.column(0))
    for name in subset.column_names[1:]:
        if name != ROW:
            all_blank = pc.and_(all_blank, _blank(subset.column(name)))
    drop = pc.filter(candidates, all_blank)
    keep = np.ones(data.num_rows, dtype=bool)
    keep[drop.to_numpy()] = False
    return data.filter(pa.array(keep))


def _cell(value: object) -> str | None:
    """An Excel cell as the text an analyst sees (``3.0`` stored by Excel reads ``3``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path) -> pa.Table:
    """The first sheet of a workbook, all cells as text, with spreadsheet row numbers."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            header = [_cell(v) or "" for v in next(rows, ())]
            while header and not header[-1].strip():
                header.pop()  # formatted but empty cells right of the table
            names = _unique_names(path, header)
            width = len(names)
            columns: list[list[str | None]] = [[] for _ in range(width + 1)]
            for number, values in enumerate(rows, start=2):
                cells = [_cell(v) for v in itertools.islice(values, width)]
                if any(c is not None and c.strip() for c in cells):
                    cells += [None] * (width - len(cells))
                    for column, cell in zip(columns, [*cells, number], strict=True):
                        column.append(cell)
        finally:
            book.close()
    except DataError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable(path, "an Excel workbook (.xlsx)", error) from None
    arrays = [pa.array(c, type=pa.string()) for c in columns[:-1]]
    arrays.append(pa.array(columns[-1], type=pa.int32()))
    return pa.table(arrays, names=[*names, ROW])
