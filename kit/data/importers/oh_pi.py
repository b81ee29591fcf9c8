"""Ohio report-card Performance Index -> the aggregate table (source ``oh-pi``).

The Ohio Department of Education's ``*_Achievement_Building.xlsx`` (and ``..._District``)
downloads have a sheet ``Performance_Index``: per building (or district), the percent of
students Not Tested, Limited, Basic, Proficient, Accomplished (2020-21: Accelerated),
Advanced and Advanced Plus, beside the published Performance Index score. Each row becomes
one aggregate row:

- entity: the building IRN (a school) with its district IRN, or the district IRN; IRNs are
  six digits, leading zeros kept (``000059``);
- year: the spring of the newest ``Performance Index Score YYYY-YYYY`` column (the sheet also
  repeats earlier years' scores, which are not imported: each year's own file has them with
  its percents); for a plain ``Performance Index Score`` column, the ``YY-YY_`` the file name
  starts with, else the ``year`` option;
- subject ``ALL`` (every tested subject: the index pools them), grade ``ALL``, group ``all``;
- levels 1-6 = Limited .. Advanced Plus (``levels_scheme`` ``oh``), as percents of all
  students including the not tested (``pct_base`` ``enrolled``), ``pct_not_tested``; no
  counts (``n`` is empty: Ohio publishes percents only);
- ``published_index`` = the Performance Index, ``published_index_model`` = ``oh_pi``.

``NC`` (not calculated) and ``NR`` (not rated) cells are empty, never 0. The 2020-21 file's
Gifted Performance Index block is not imported (gifted students are not a CONTRACT group).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

from kit.data.importers._aggregate import ParsedFile
from kit.data.importers._common import (
    Layout,
    Rejects,
    RowCheck,
    clean_number,
    find_column,
    first_failures,
    read_text,
    unrecognised,
)
from kit.data.readers import ROW
from kit.errors import DataError

SOURCE = "oh-pi"
SHEET = "Performance_Index"

LAYOUTS = [
    Layout(
        "building",
        "Ohio *_Achievement_Building.xlsx, sheet Performance_Index: Building "
        "IRN, Building Name, District IRN, District Name, Performance Index Score "
        "YYYY-YYYY, Percent of Students Not Tested / Limited / Basic / Proficient / "
        "Accomplished (or Accelerated) / Advanced / Advanced Plus",
    ),
    Layout(
        "district",
        "the same sheet of *_Achievement_District.xlsx: District IRN, District "
        "Name, ... (no building columns)",
    ),
]
LEVELS = {
    "pct_not_tested": ("Percent of Students Not Tested",),
    "pct_level_1": ("Percent of Students Limited",),
    "pct_level_2": ("Percent of Students Basic",),
    "pct_level_3": ("Percent of Students Proficient",),
    "pct_level_4": ("Percent of Students Accomplished", "Percent of Students Accelerated"),
    "pct_level_5": ("Percent of Students Advanced",),
    "pct_level_6": ("Percent of Students Advanced Plus",),
}
_SCORE = re.compile(r"^Performance Index Score(?: ((?:19|20)\d\d)\s*-\s*((?:19|20)\d\d))?$")


def parse_file(path: Path, *, year: int | None = None) -> ParsedFile:
    """Read one Ohio Performance Index file into aggregate rows (text).

    Raises
    ------
    DataError
        If the workbook has no Performance Index sheet in a known layout, or no year.
    """
    frame, malformed = _read(path)
    columns = [c for c in frame.columns if c != ROW]
    building = find_column(columns, "Building IRN")
    district = find_column(columns, "District IRN")
    levels = {agg: find_column(columns, *names) for agg, names in LEVELS.items()}
    scores = {int(m.group(2) or 0): c for c in columns if (m := _SCORE.match(str(c).strip()))}
    if district is None or None in levels.values() or not scores:
        raise unrecognised(path, SOURCE, LAYOUTS, columns)
    layout = "building" if building else "district"
    # The newest year's score is this file's; the older ones repeat earlier files.
    file_year = max(scores)
    score_col = scores[file_year]
    if file_year == 0:  # a plain "Performance Index Score" column
        file_year = _year_from_name(path) or year
        if file_year is None:
            raise DataError(
                f"{path.name} names no school year (no 'Performance Index Score YYYY-YYYY' "
                "column, no 'YY-YY_' at the start of its name). Pass the spring year: "
                "kit import oh-pi FILE --year 2023.",
                file=str(path),
                column="year",
            )
    irn_col = building or district
    irn = frame[irn_col].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    district_irn = frame[district].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    bad_irn = ~irn.fillna("").str.fullmatch(r"\d{1,6}").astype(bool)
    bad_district = ~district_irn.fillna("").str.fullmatch(r"\d{1,6}").astype(bool)
    rejected, keep = first_failures(
        frame,
        path.name,
        [
            RowCheck(
                bad_irn,
                irn_col,
                frame[irn_col],
                "entity_code",
                f"{irn_col} is not an Ohio IRN (up to six digits); the row cannot be placed",
            ),
            RowCheck(
                bad_district,
                district,
                frame[district],
                "entity_code",
                f"{district} is not an Ohio IRN (up to six digits)",
            ),
        ],
    )
    name_col = find_column(columns, "Building Name") if building else None
    district_name = find_column(columns, "District Name")
    district_ids = district_irn.str.zfill(6)
    rows = pd.DataFrame(
        {
            "year": str(file_year),
            "entity_type": "school" if building else "district",
            "entity_id": irn.str.zfill(6),
            "district_id": district_ids if building else irn.str.zfill(6),
            "entity_name": frame[name_col]
            if name_col
            else (frame[district_name] if district_name else None),
            "district_name": frame[district_name] if district_name else None,
            "subject": "ALL",
            "grade": "ALL",
            "group": "all",
            "levels_scheme": "oh",
            "pct_base": "enrolled",
            **{agg: clean_number(frame[col]) for agg, col in levels.items()},
            "published_index": clean_number(frame[score_col]),
            "published_index_model": "oh_pi",
            "source_file": path.name,
            "source_row": frame[ROW].astype(str),
        }
    )
    rows = rows.astype(object).where(rows.notna(), None)[keep.to_numpy()]
    if malformed:
        extra = Rejects()
        extra.add_malformed(path.name, malformed)
        rejected = pd.concat([rejected, extra.frame()], ignore_index=True)
    own = {**levels, "published_index": score_col, "entity_id": irn_col, "district_id": district}
    return ParsedFile(
        path,
        layout,
        rows.reset_index(drop=True),
        rejected,
        read=len(frame) + len(malformed),
        columns=own,
    )


def _read(path: Path) -> tuple[pd.DataFrame, tuple]:
    """The Performance Index sheet of a workbook (or a CSV export of it), all text."""
    if path.suffix.lower() != ".xlsx":
        return read_text(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise DataError(
            f"{path.name} could not be read as an Excel workbook ({error}). Download it again "
            "from the Ohio report card site.",
            file=str(path),
        ) from None
    try:
        if SHEET not in book.sheetnames:
            raise DataError(
                f"{path.name} has no sheet {SHEET!r} (it has {', '.join(book.sheetnames)}). The "
                f"oh-pi importer reads the {SHEET} sheet of Ohio's *_Achievement_Building.xlsx "
                "or *_Achievement_District.xlsx report-card downloads.",
                file=str(path),
            )
        rows = book[SHEET].iter_rows(values_only=True)
        header = [("" if v is None else str(v)).strip() for v in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        records, numbers = [], []
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values[: len(header)]]
            if any(c is not None and c.strip() for c in cells):
                records.append(cells + [None] * (len(header) - len(cells)))
                numbers.append(number)
    finally:
        book.close()
    if not records:
        raise DataError(f"{path.name}: the {SHEET} sheet has no rows.", file=str(path))
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame[ROW] = numbers
    return frame, ()


def _cell(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _year_from_name(path: Path) -> int | None:
    """``20-21_Achievement_Building.xlsx`` -> 2021."""
    m = re.match(r"(\d\d)-(\d\d)_", path.name)
    return 2000 + int(m.group(2)) if m else None
