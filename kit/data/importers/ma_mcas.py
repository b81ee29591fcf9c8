"""Massachusetts DESE MCAS results exports -> the aggregate table (source ``ma-mcas``).

Three layouts, told apart by their columns (:data:`LAYOUTS`):

- ``nextgen``: Next-Generation MCAS school or district results, one row per entity and
  subject: ``School Name, School Code, Subject, M+E #, M+E %, E #, E %, M #, M %, PM #,
  PM %, NM #, NM %, No. of Students Included, Part. Rate %, Avg. Scaled Score, ...`` and
  sometimes ``year; grade; student_group``. Levels NM, PM, M, E are levels 1-4
  (``levels_scheme`` ``ma_nextgen``); ``M+E`` is the published share proficient.
- ``legacy``: legacy MCAS results with the CPI: ``Org Name, Org Code, Subject, P+A #, P+A %,
  A #, A %, P #, P %, NI #, NI %, W/F #, W/F %, Stud. Incl. #, CPI, ...``. Levels W/F, NI,
  P, A are 1-4 (``ma_legacy``); ``P+A`` is the share proficient, the CPI the published index
  (``ma_cpi``).
- ``profile``: DESE's school profile compilation (``MA_Public_Schools_2017.csv``), one row
  per school with a legacy MCAS block per grade and subject
  (``MCAS_10thGrade_Math_P+A #``, ``% MCAS_10thGrade_Math_P+A``, ...). Each non-empty block
  is one aggregate row; a block with no value at all (a grade the school does not have) is
  not a row.

Where a value comes from:

- **entity**: DESE's 8-digit org code, its leading zeros restored (``4450105`` ->
  ``04450105``). A code ending ``0000`` is a district, any other a school whose district is
  its first four digits + ``0000``; the code 0 or the name "State" / "State Totals" is the
  state. ``School Name`` is ``District - School``.
- **year**: the spring of the test, from a ``year`` column, else a year in the file name,
  else the ``year`` option (which thus only fills in for files that state no year). A
  profile named for year Y holds the MCAS of spring Y - 1 (the 2017 compilation's legacy
  grade 3-8 results cannot be later than 2016: grades 3-8 took the Next-Generation test
  from 2017), so its year is the name's year - 1.
- **grade**: a ``grade`` column, else the file name: ``grades 3-8`` is the span ``3-8``
  (even where the file's grade column says ``ALL``: a span is never mixed into ``ALL``),
  ``grade 10`` / ``grade10`` is ``10``, ``HS SCI`` (high-school science taken in grade 9
  or 10) is ``HS``; no grade anywhere is ``ALL``.
- **group**: a ``student_group`` column, else the file name (``ever-EL``,
  ``afr american-black``, ``non-disabled``, ``students with disabillities``, ``title 1``
  ...), mapped to CONTRACT.md group ids by :data:`kit.data.importers._common.GROUP_LABELS`.
- **numbers**: padded with spaces, written with thousands separators (``67,396``), or
  blank / ``N/A`` when suppressed or not applicable: blank stays blank, never 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kit.data.importers._aggregate import ParsedFile
from kit.data.importers._common import (
    Layout,
    Rejects,
    RowCheck,
    clean_number,
    find_column,
    first_failures,
    group_id,
    group_key,
    known_group_labels,
    map_values,
    norm,
    read_text,
    spring_year,
    unrecognised,
)
from kit.data.readers import ROW
from kit.errors import DataError

SOURCE = "ma-mcas"

LAYOUTS = [
    Layout(
        "nextgen",
        "Next-Generation MCAS results: School Name, School Code, Subject, "
        "M+E #, M+E %, E #, E %, M #, M %, PM #, PM %, NM #, NM %, No. of Students "
        "Included, Part. Rate %, Avg. Scaled Score; optional year, grade, student_group",
    ),
    Layout(
        "legacy",
        "legacy MCAS results with the CPI: Org Name, Org Code, Subject, P+A #, "
        "P+A %, A #, A %, P #, P %, NI #, NI %, W/F #, W/F %, Stud. Incl. #, CPI",
    ),
    Layout(
        "profile",
        "DESE school profiles (MA_Public_Schools_<year>.csv): School Code, "
        "School Name, District Name and per grade and subject MCAS_<g>Grade_<Math|"
        "English>_<P+A|A|P|NI|W/F> #, % MCAS_..., ..._Stud. Incl. #, ..._CPI",
    ),
]

NEXTGEN = {
    "n": "No. of Students Included",
    "n_level_1": "NM #",
    "pct_level_1": "NM %",
    "n_level_2": "PM #",
    "pct_level_2": "PM %",
    "n_level_3": "M #",
    "pct_level_3": "M %",
    "n_level_4": "E #",
    "pct_level_4": "E %",
    "published_n_proficient": "M+E #",
    "published_pct_proficient": "M+E %",
    "participation_rate": "Part. Rate %",
    "mean_scale_score": "Avg. Scaled Score",
}
NEXTGEN_OPTIONAL = {"participation_rate", "mean_scale_score"}
LEGACY = {
    "n": "Stud. Incl. #",
    "n_level_1": "W/F #",
    "pct_level_1": "W/F %",
    "n_level_2": "NI #",
    "pct_level_2": "NI %",
    "n_level_3": "P #",
    "pct_level_3": "P %",
    "n_level_4": "A #",
    "pct_level_4": "A %",
    "published_n_proficient": "P+A #",
    "published_pct_proficient": "P+A %",
    "published_index": "CPI",
}
LEGACY_LEVELS = {"W/F": 1, "NI": 2, "P": 3, "A": 4}
CODE_COLUMNS = ("School Code", "Org Code", "District Code", "Org. Code", "Code")
NAME_COLUMNS = ("School Name", "Org Name", "District Name", "Org. Name", "Name")
SUBJECTS = {
    "MTH": "MATH",
    "MATHEMATICS": "MATH",
    "ENGLISH": "ELA",
    "ENG": "ELA",
    "ENGLISH LANGUAGE ARTS": "ELA",
    "SCIENCE": "SCI",
    "STE": "SCI",
}
STATE_NAMES = {"state", "state totals", "state total", "statewide", "massachusetts"}
_PROFILE_BLOCK = re.compile(r"^MCAS_(\d{1,2})(?:st|nd|rd|th)Grade_([A-Za-z]+)_Stud\. Incl\. #$")
_NAME_WORDS = {
    "mcas",
    "next",
    "gen",
    "nextgen",
    "legacy",
    "public",
    "schools",
    "school",
    "districts",
    "district",
    "results",
    "achievement",
    "ma",
    "massachusetts",
    "dese",
    "by",
    "and",
    "csv",
}


def layout_of(columns) -> str | None:
    """The layout id of a file with these columns, or None."""
    if find_column(columns, "M+E #") and find_column(columns, "NM #"):
        return "nextgen"
    if find_column(columns, "P+A #") and find_column(columns, "W/F #"):
        return "legacy"
    if any(_PROFILE_BLOCK.match(str(c).strip()) for c in columns):
        return "profile"
    return None


def parse_file(path: Path, *, year: int | None = None) -> ParsedFile:
    """Read one DESE export into aggregate rows (text) and the rows it cannot place.

    Raises
    ------
    DataError
        If the file's layout is unknown, a column the layout needs is missing, or the file
        names no year and ``year`` is not given.
    """
    frame, malformed = read_text(path)
    columns = [c for c in frame.columns if c != ROW]
    layout = layout_of(columns)
    if layout is None:
        raise unrecognised(path, SOURCE, LAYOUTS, columns)
    if layout == "profile":
        parsed = _parse_profile(path, frame, year)
    else:
        parsed = _parse_long(path, frame, layout, year)
    if malformed:
        extra = Rejects()
        extra.add_malformed(path.name, malformed)
        parsed.rejected = pd.concat([parsed.rejected, extra.frame()], ignore_index=True)
        parsed.read += len(malformed)
    return parsed


# --------------------------------------------------------------------------- long layouts


def _parse_long(path: Path, frame: pd.DataFrame, layout: str, year: int | None) -> ParsedFile:
    mapping = NEXTGEN if layout == "nextgen" else LEGACY
    cols = list(frame.columns)
    code_col = find_column(cols, *CODE_COLUMNS)
    name_col = find_column(cols, *NAME_COLUMNS)
    subject_col = find_column(cols, "Subject")
    found = {agg: find_column(cols, own) for agg, own in mapping.items()}
    missing = [mapping[a] for a, c in found.items() if c is None and a not in NEXTGEN_OPTIONAL]
    missing += [
        what
        for what, c in (
            ("School Code (or Org Code)", code_col),
            ("School Name (or Org Name)", name_col),
            ("Subject", subject_col),
        )
        if c is None
    ]
    if missing:
        raise DataError(
            f"{path.name} looks like a DESE {layout} MCAS export but has no column "
            f"{', '.join(repr(m) for m in missing)}. Export it again with every column of "
            'the DESE download (docs/data.md, "kit import").',
            file=str(path),
            column=missing[0],
        )
    n = len(frame)
    year_col = find_column(cols, "year", "school year", "sy")
    grade_col = find_column(cols, "grade", "grades")
    group_col = find_column(cols, "student_group", "student group", "subgroup", "group")
    file_year = _file_year(path, year, has_column=year_col is not None)
    file_grade = grade_from_name(path)
    file_group = None if group_col else group_from_name(path)

    ent = entities(frame[code_col], frame[name_col])
    years = (
        map_values(frame[year_col], spring_year)
        if year_col
        else pd.Series([file_year] * n, index=frame.index, dtype=object)
    )
    grades = (
        map_values(frame[grade_col], lambda v: grade_label(v, file_grade))
        if grade_col
        else pd.Series([file_grade or "ALL"] * n, index=frame.index, dtype=object)
    )
    if group_col:
        labels = frame[group_col]
        groups = map_values(
            labels,
            lambda v: (
                group_id(v)
                if v is not None and str(v).strip()
                else (group_from_name(path, required=False) or "all")
            ),
        )
    else:
        groups = pd.Series([file_group] * n, index=frame.index, dtype=object)
    checks = [
        RowCheck(
            ent["bad"],
            code_col,
            frame[code_col],
            "entity_code",
            f"{code_col} is not a DESE org code (up to 8 digits, e.g. 04450105); the "
            "row cannot be placed",
        ),
    ]
    if year_col:
        checks.append(
            RowCheck(
                years.isna(),
                year_col,
                frame[year_col],
                "year",
                "the year is not a spring year such as 2022 or 2021-22",
            )
        )
    if grade_col:
        checks.append(
            RowCheck(
                grades.isna(),
                grade_col,
                frame[grade_col],
                "grade",
                "the grade is not ALL, HS, a grade 0-12 or a span like 3-8",
            )
        )
    if group_col:
        checks.append(
            RowCheck(
                groups.isna(),
                group_col,
                frame[group_col],
                "group_label",
                "the student group is not one the kit knows: " + known_group_labels(),
            )
        )
    rejected, keep = first_failures(frame, path.name, checks)
    subjects = map_values(frame[subject_col], subject_code)
    rows = pd.DataFrame(
        {
            "year": years.map(lambda y: None if y is None or pd.isna(y) else str(int(y))),
            **{
                c: ent[c]
                for c in ("entity_type", "entity_id", "district_id", "entity_name", "district_name")
            },
            "subject": subjects,
            "grade": grades,
            "group": groups,
            "levels_scheme": "ma_nextgen" if layout == "nextgen" else "ma_legacy",
            **{agg: clean_number(frame[own]) for agg, own in found.items() if own is not None},
            "published_index_model": None if layout == "nextgen" else "ma_cpi",
            "source_file": path.name,
            "source_row": frame[ROW].astype(str),
        }
    )[keep.to_numpy()]
    own_columns = {agg: own for agg, own in found.items() if own is not None}
    own_columns.update(
        entity_id=code_col,
        subject=subject_col,
        **({"year": year_col} if year_col else {}),
        **({"grade": grade_col} if grade_col else {}),
        **({"group": group_col} if group_col else {}),
    )
    return ParsedFile(
        path, layout, rows.reset_index(drop=True), rejected, read=n, columns=own_columns
    )


def _file_year(path: Path, year: int | None, *, has_column: bool) -> int | None:
    """The year of a file without a year column: its name's, else the ``year`` option."""
    if has_column:
        return None
    found = year_from_name(path)
    if found is not None:
        return found
    if year is not None:
        return int(year)
    raise DataError(
        f"{path.name} has no year column and no year in its name, so the spring of its "
        "test is unknown. Pass it: kit import ma-mcas FILE --year 2015 (the spring year: "
        "2015 for 2014-15), or rename the file to include the year.",
        file=str(path),
        column="year",
    )


# --------------------------------------------------------------------------- profile


def _parse_profile(path: Path, frame: pd.DataFrame, year: int | None) -> ParsedFile:
    cols = list(frame.columns)
    code_col = find_column(cols, "School Code")
    name_col = find_column(cols, "School Name")
    district_name_col = find_column(cols, "District Name")
    if code_col is None or name_col is None:
        raise DataError(
            f"{path.name} has MCAS profile columns but no 'School Code' / 'School Name'. "
            "Export the DESE profile again with its identifying columns.",
            file=str(path),
            column="School Code",
        )
    warnings = []
    named = year_from_name(path)
    if named is not None:
        year = named - 1
        warnings.append(
            f"{path.name}: a school profile of {named} holds the MCAS results of spring "
            f"{year} (legacy grades 3-8 ended in 2016); written as year {year}. Rename the "
            "file without its year and pass --year if it holds another year."
        )
    elif year is None:
        raise DataError(
            f"{path.name} is a DESE school profile without a year in its name. Pass the "
            "spring of its MCAS results: kit import ma-mcas FILE --year 2016.",
            file=str(path),
            column="year",
        )
    ent = entities(frame[code_col], frame[name_col])
    if district_name_col:
        ent["district_name"] = frame[district_name_col].where(ent["entity_type"] != "state", None)
    blocks, empty, rejected = [], 0, []
    for column in cols:
        m = _PROFILE_BLOCK.match(str(column).strip())
        if not m:
            continue
        grade, subject = m.group(1), m.group(2)
        prefix = f"MCAS_{column.split('Grade_')[0].removeprefix('MCAS_')}Grade_{subject}_"
        own = {"n": f"{prefix}Stud. Incl. #", "published_index": f"{prefix}CPI"}
        for level, j in LEGACY_LEVELS.items():
            own[f"n_level_{j}"] = f"{prefix}{level} #"
            own[f"pct_level_{j}"] = f"% {prefix}{level}"
        own["published_n_proficient"] = f"{prefix}P+A #"
        own["published_pct_proficient"] = f"% {prefix}P+A"
        own = {a: find_column(cols, c) for a, c in own.items()}
        values = {a: clean_number(frame[c]) for a, c in own.items() if c is not None}
        filled = pd.DataFrame(values).notna().any(axis=1)
        empty += int((~filled).sum())
        bad = ent["bad"] & filled
        part, _ = first_failures(
            frame[filled],
            path.name,
            [
                RowCheck(
                    bad[filled],
                    code_col,
                    frame.loc[filled, code_col],
                    "entity_code",
                    "School Code is not a DESE org code (up to 8 digits)",
                )
            ],
        )
        rejected.append(part)
        keep = filled & ~bad
        blocks.append(
            pd.DataFrame(
                {
                    "year": str(year),
                    **{
                        c: ent[c]
                        for c in (
                            "entity_type",
                            "entity_id",
                            "district_id",
                            "entity_name",
                            "district_name",
                        )
                    },
                    "subject": subject_code(subject),
                    "grade": str(int(grade)),
                    "group": "all",
                    "levels_scheme": "ma_legacy",
                    **values,
                    "published_index_model": "ma_cpi",
                    "source_file": path.name,
                    "source_row": frame[ROW].astype(str),
                }
            )[keep.to_numpy()]
        )
    rows = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame()
    rejected = pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame()
    read = len(rows) + len(rejected)
    note = (
        f"{len(frame):,} school rows: {read:,} grade x subject blocks with results, "
        f"{empty:,} empty blocks (grades the school does not test) skipped"
    )
    return ParsedFile(
        path,
        "profile",
        rows,
        rejected,
        read=read,
        columns={"entity_id": code_col},
        note=note,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- values


def entities(codes: pd.Series, names: pd.Series) -> pd.DataFrame:
    """Entity columns from DESE org codes and names; ``bad`` marks unreadable codes.

    Computed once per distinct code and name: a file has a few thousand of each.
    """
    cache: dict[tuple, tuple] = {}
    rows = [
        cache.get(pair) or cache.setdefault(pair, _entity(*pair))
        for pair in zip(
            codes.to_numpy(object, na_value=""), names.to_numpy(object, na_value=""), strict=True
        )
    ]
    out = pd.DataFrame(
        rows,
        index=codes.index,
        columns=["entity_type", "entity_id", "district_id", "entity_name", "district_name", "bad"],
    )
    out["bad"] = out["bad"].astype(bool)
    return out


def _entity(code: str, name: str) -> tuple:
    code = re.sub(r"\.0$", "", code.strip())
    name = name.strip()
    if re.fullmatch(r"0+", code) or name.lower() in STATE_NAMES:
        return ("state", "STATE", None, "State", None, False)
    if not re.fullmatch(r"\d{1,8}", code):
        return (None, None, None, name or None, None, True)
    padded = code.zfill(8)
    district_id = padded[:4] + "0000"
    if padded == district_id:
        return ("district", padded, district_id, name or None, name or None, False)
    district, sep, school = name.partition(" - ")
    if sep:  # DESE's School Name is "District - School"
        return ("school", padded, district_id, school, district, False)
    return ("school", padded, district_id, name or None, None, False)


def subject_code(value) -> str | None:
    """DESE subject names as the kit's codes (``MTH`` and ``Math`` are ``MATH``)."""
    if value is None or not str(value).strip():
        return None
    s = re.sub(r"\s+", " ", str(value).strip().upper())
    return SUBJECTS.get(s, s)


def grade_label(value, file_grade: str | None = None) -> str | None:
    """A grade cell as the aggregate table's grade text, or None when unreadable.

    ``ALL`` in a file whose name gives a grade or span is that grade or span.
    """
    if value is None or not str(value).strip():
        return file_grade or "ALL"
    v = norm(value)
    if v in ("all", "all grades", "total"):
        return file_grade or "ALL"
    if v in ("hs", "hs sci", "high school", "hs science"):
        return "HS"
    if v in ("k", "kg", "kindergarten"):
        return "0"
    m = re.fullmatch(r"(\d{1,2})(?:\.0)?", v)
    if m and int(m.group(1)) <= 12:
        return str(int(m.group(1)))
    m = re.fullmatch(r"(\d{1,2})\s*-\s*(\d{1,2})", v)
    if m and int(m.group(1)) < int(m.group(2)) <= 12:
        return f"{int(m.group(1))}-{int(m.group(2))}"
    return None


def grade_from_name(path: Path) -> str | None:
    """``grades 3-8`` -> ``3-8``, ``grade 10`` / ``grade10`` -> ``10``, ``HS SCI`` -> ``HS``."""
    stem = path.stem.lower()
    m = re.search(r"grades?[ _-]*(\d{1,2})\s*-\s*(\d{1,2})", stem)
    if m:
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if re.search(r"grades?[ _-]*(hs|high school)\b", stem):
        return "HS"
    m = re.search(r"grades?[ _-]*(\d{1,2})(?!\d)", stem)
    if m and int(m.group(1)) <= 12:
        return str(int(m.group(1)))
    return None


def year_from_name(path: Path) -> int | None:
    """The last 4-digit year (19xx, 20xx) in a file name, or None."""
    found = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.stem)
    return int(found[-1]) if found else None


def group_from_name(path: Path, *, required: bool = True) -> str | None:
    """The group a file name states (``... grades 3-8 ever-EL 2022.csv`` -> ``ever_ell``).

    A name with no group words is all students.

    Raises
    ------
    DataError
        When the name holds words that are not a known group (and ``required``).
    """
    stem = path.stem.lower()
    stem = re.sub(r"grades?[ _-]*(\d{1,2}\s*-\s*\d{1,2}|\d{1,2}|hs( sci)?|high school)", " ", stem)
    stem = re.sub(r"(?<!\d)(19|20)\d\d(\s*-\s*\d{2,4})?(?!\d)", " ", stem)
    words = [w for w in group_key(stem).split() if w not in _NAME_WORDS]
    phrase = " ".join(words)
    if not phrase:
        return "all"
    found = group_id(phrase)
    if found is None and required:
        raise DataError(
            f'The student group of {path.name} is not clear: its name says "{phrase}", '
            f"which is not a group the kit knows ({known_group_labels()}). Add a "
            "student_group column to the file, or rename it with one of these groups.",
            file=str(path),
            column="student_group",
        )
    return found
