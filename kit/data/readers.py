"""Find and read the input tables of a data directory without changing a value.

A table is ``NAME.csv`` (or delimited text, ``NAME.txt`` / ``NAME.tsv``), ``NAME.parquet`` or
``NAME.xlsx`` (the kit's input contract, docs/data.md). Reading
puts the file's rows into DuckDB as they are, each with ``__kit_row``: the row number an
analyst sees in a spreadsheet (the header is row 1, the first data row is row 2; for Parquet
the 1-based row index). Validation (:mod:`kit.data.validate`) works on that relation.

CSV is read with pyarrow, all columns as text, in parallel and in file order. DuckDB's own
reader skips blank lines without a trace (so later row numbers shift) and its sniffer can take
a ragged row for the header; pyarrow keeps blank lines as rows and hands each ragged row over
with its number, to be rejected as ``malformed_row``.
Rows whose cells are all empty (blank lines, ``,,,,`` rows an export leaves at the end) hold
no data: they are counted as read and listed as ``blank_row`` (:attr:`RawTable.blank_rows`),
so the rows read are the lines of the file. A workbook's header is found on its sheets (a
title row above it, a notes sheet before it), and what was read is said in
:attr:`RawTable.notes`, as is a CSV that is not UTF-8 (read as Windows-1252).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
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

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
# Formats seen in districts' folders that the kit cannot read: the fix is to save again.
UNSUPPORTED = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsm": "a macro-enabled Excel workbook (.xlsm)",
    ".xlsb": "a binary Excel workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet",
}
_HEADER_SCAN_ROWS = 20  # rows of each sheet searched for the header
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
    blank_rows
        Row numbers of rows whose cells are all empty (not in ``relation``).
    notes
        What the reader decided that a user should know (sheet and header row of a
        workbook, an encoding that is not UTF-8).
    """

    name: str
    path: Path
    relation: str
    columns: dict[str, str]
    n_rows: int
    malformed: tuple[Malformed, ...] = ()
    blank_rows: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def n_read(self) -> int:
        """Every row of the file below the header: data, malformed and blank rows."""
        return self.n_rows + len(self.malformed) + len(self.blank_rows)


class EmptyTableError(DataError):
    """A file with a header (or nothing) and no data rows."""


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
    unsupported: dict[str, Path] = {}
    for path in sorted(data_dir.iterdir()):
        name = path.stem.lower()
        if name not in TABLES or not path.is_file():
            continue
        if path.suffix.lower() in FORMATS:
            found.setdefault(name, []).append(path)
        elif path.suffix.lower() in UNSUPPORTED:
            unsupported.setdefault(name, path)
    for name, path in unsupported.items():
        if name not in found:
            kind = UNSUPPORTED[path.suffix.lower()]
            raise DataError(
                f"{path.name} is {kind}, which the kit cannot read. Open it in Excel (or "
                f"LibreOffice) and save it as {name}.xlsx (Excel Workbook) or {name}.csv "
                "(CSV UTF-8), then run again.",
                file=str(path),
            )
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
    expected = TABLES[name].column_names if name in TABLES else []
    if fmt == "csv":
        data, malformed, blank, notes = _read_csv(path)
    elif fmt == "xlsx":
        data, blank, notes = _read_xlsx(path, expected)
        malformed = []
    else:
        raise DataError(
            f"{path.name} is not a .csv, .txt, .parquet or .xlsx file. Save the table in one of "
            "these formats.",
            file=str(path),
        )
    if data.num_rows + len(malformed) == 0:
        raise _empty(path)
    con.register(relation, data)
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    del types[ROW]
    return RawTable(
        name, path, relation, types, data.num_rows, tuple(malformed), tuple(blank), tuple(notes)
    )


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
    return EmptyTableError(
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
    """Column names, delimiter and encoding of a CSV file, from its first line.

    A file that is not UTF-8 is read as Windows-1252 (what Excel's plain "CSV" writes on
    Windows: ``’`` and ``–`` are bytes 0x92 and 0x96, control characters in Latin-1), else
    as Latin-1, which reads any byte.
    """
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
            encoding = _single_byte_encoding(head)
            text = head.decode(encoding)
        else:
            text, encoding = head[: error.start].decode("utf-8-sig"), "utf8"
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(",;\t|", key=first.count) if any(d in first for d in ",;\t|") else ","
    names = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return names, delimiter, encoding


def _single_byte_encoding(data: bytes) -> str:
    """cp1252 when ``data`` decodes as Windows-1252 (five bytes are undefined in it), else
    latin1."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin1"
    return "cp1252"


_ENCODING_NOTES = {
    "cp1252": "is not UTF-8; it was read as Windows-1252 (Excel's CSV on Windows). Check that "
    "accented names look right in the reports, or save it as CSV UTF-8",
    "latin1": "is not UTF-8 nor Windows-1252; it was read as Latin-1. Check that accented "
    "names look right in the reports, or save it as CSV UTF-8",
}


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


def _read_csv(path: Path) -> tuple[pa.Table, list[Malformed], list[int], list[str]]:
    names, delimiter, encoding = _header(path)
    names = _unique_names(path, names)
    data, bad, encoding = _arrow_csv(path, names, delimiter, encoding, threads=True)
    if any(row.number is None for row in bad):
        # pyarrow numbers bad rows only when reading on one thread: slow, but only for
        # files that have such rows.
        data, bad, encoding = _arrow_csv(path, names, delimiter, encoding, threads=False)
    rows = np.arange(2, data.num_rows + len(bad) + 2, dtype=np.int32)
    if bad:
        rows = np.setdiff1d(rows, [row.number for row in bad], assume_unique=True)
    data, blank = _drop_blank_rows(data.append_column(ROW, pa.array(rows)))
    malformed = []
    for r in bad:
        if r.text.strip(" \t\r\n" + delimiter):
            malformed.append(Malformed(r.number, r.text, r.actual_columns, r.expected_columns))
        else:  # a short row of delimiters only, e.g. ",," under a wider header
            blank.append(r.number)
    notes = [f"{path.name} {_ENCODING_NOTES[encoding]}."] if encoding in _ENCODING_NOTES else []
    return data, malformed, sorted(blank), notes


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
            return _arrow_csv(path, names, delimiter, "cp1252", threads=threads)
        if encoding == "cp1252" and isinstance(error, UnicodeError | pa.ArrowException):
            return _arrow_csv(path, names, delimiter, "latin1", threads=threads)
        raise _unreadable(path, "CSV", error) from None
    return data, bad, encoding


def _blank(column: pa.ChunkedArray) -> pa.ChunkedArray:
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    return pc.fill_null(pc.equal(text, ""), True)


def _drop_blank_rows(data: pa.Table) -> tuple[pa.Table, list[int]]:
    """Drop rows whose cells are all empty, checking the first column for candidates; return
    the rest and the row numbers of those dropped."""
    candidates = pc.indices_nonzero(_blank(data.column(0)))
    if len(candidates) == 0:
        return data, []
    subset = data.take(candidates)
    all_blank = _blank(subset.column(0))
    for name in subset.column_names[1:]:
        if name != ROW:
            all_blank = pc.and_(all_blank, _blank(subset.column(name)))
    drop = pc.filter(candidates, all_blank)
    keep = np.ones(data.num_rows, dtype=bool)
    keep[drop.to_numpy()] = False
    numbers = data.column(ROW).take(drop).to_pylist()
    return data.filter(pa.array(keep)), numbers


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


def normalise_header(name: str) -> str:
    """A header as the kit's snake_case column name: ``Student Id``, ``STUDENT_ID``,
    ``StudentID`` and ``student-id`` all give ``student_id``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name).strip())
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _find_header(book, expected: list[str]) -> tuple[int, int]:
    """(sheet index, 1-based row) of the row naming the most of ``expected`` columns among
    the first rows of every sheet; (0, 1) when no row names two of them."""
    wanted = set(expected)
    best, where = 1, (0, 1)
    for index, sheet in enumerate(book.worksheets):
        rows = sheet.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)
        for number, values in enumerate(rows, start=1):
            names = {normalise_header(_cell(v) or "") for v in values}
            score = len(names & wanted)
            if score > best:
                best, where = score, (index, number)
    return where


def _read_xlsx(path: Path, expected: list[str]) -> tuple[pa.Table, list[int], list[str]]:
    """The sheet and header row that name the table's columns (the first sheet's row 1 when
    none does), all cells as text, with spreadsheet row numbers, and the blank rows between
    the header and the last row with data."""
    notes = []
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet_index, header_row = _find_header(book, expected) if expected else (0, 1)
            sheet = book.worksheets[sheet_index]
            if (sheet_index, header_row) != (0, 1):
                sheets = ", ".join(f'"{ws.title}"' for ws in book.worksheets)
                skipped = (
                    f"; row(s) 1-{header_row - 1} above it were skipped (a title, not data)"
                    if header_row > 1
                    else ""
                )
                notes.append(
                    f'{path.name}: read sheet "{sheet.title}" (sheets: {sheets}), header in row '
                    f"{header_row}{skipped}."
                )
            rows = sheet.iter_rows(min_row=header_row, values_only=True)
            header = [_cell(v) or "" for v in next(rows, ())]
            while header and not header[-1].strip():
                header.pop()  # formatted but empty cells right of the table
            names = _unique_names(path, header)
            width = len(names)
            columns: list[list[str | None]] = [[] for _ in range(width + 1)]
            blank: list[int] = []
            pending: list[int] = []  # blank rows, kept only if data follow them
            for number, values in enumerate(rows, start=header_row + 1):
                cells = [_cell(v) for v in itertools.islice(values, width)]
                if any(c is not None and c.strip() for c in cells):
                    blank += pending
                    pending = []
                    cells += [None] * (width - len(cells))
                    for column, cell in zip(columns, [*cells, number], strict=True):
                        column.append(cell)
                else:
                    pending.append(number)
        finally:
            book.close()
    except DataError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable(path, "an Excel workbook (.xlsx)", error) from None
    arrays = [pa.array(c, type=pa.string()) for c in columns[:-1]]
    arrays.append(pa.array(columns[-1], type=pa.int32()))
    return pa.table(arrays, names=[*names, ROW]), blank, notes
