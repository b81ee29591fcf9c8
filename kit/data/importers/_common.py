"""What the importers share: results, reading a file as text, cleaning published numbers,
group labels, and rejected rows.

A state file is read as it is (every cell text, the row number a spreadsheet shows) with
:func:`kit.data.readers.load_table`, which already copes with a UTF-8 BOM, CRLF, ``,`` or
``;`` separators and Latin-1 exports. Cleaning then turns the publisher's way of writing a
number into plain digits, leaving anything it cannot read untouched for validation to
reject with the value shown.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kit.data.readers import ROW, Malformed, load_table
from kit.data.rules import MALFORMED_MESSAGE
from kit.errors import DataError

REJECTED_COLUMNS = ("source_file", "source_row", "column", "value", "rule", "message")
TEXT = pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class FileSummary:
    """One input file: ``read == imported + rejected`` (rows, or blocks of a wide layout)."""

    file: str
    layout: str
    read: int
    imported: int
    rejected: int
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ImportResult:
    """What :func:`kit.data.importers.import_files` wrote.

    Attributes
    ----------
    source
        The source id (``ma-mcas``, ``oh-pi``, ``answers``).
    out_dir
        The folder written: input tables of the kit, and ``rejected/<table>.csv``.
    files
        Rows read, imported and rejected per input file, in the order given.
    tables
        Rows written per output table, e.g. ``{"aggregates": 104004}``.
    rejected_counts
        Rejected rows per ``"<table>.<rule>"``.
    warnings
        Things the analyst should know (defaults used, values not recognised); each a
        sentence.
    """

    source: str
    out_dir: str
    files: tuple[FileSummary, ...]
    tables: dict[str, int]
    rejected_counts: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 when every row was imported, 1 when some were rejected."""
        return 1 if self.rejected else 0

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "out_dir": self.out_dir,
            "files": [f.to_dict() for f in self.files],
            "tables": dict(self.tables),
            "rejected_counts": dict(self.rejected_counts),
            "warnings": list(self.warnings),
            "exit_code": self.exit_code,
        }


@dataclass(frozen=True)
class Layout:
    """A file layout an importer knows, for the message about a file it does not."""

    id: str
    description: str


def unrecognised(path: Path, source: str, layouts: list[Layout], found: list[str]) -> DataError:
    """The one-paragraph error for a file whose layout no importer of ``source`` knows."""
    known = "; ".join(f"{lay.id} ({lay.description})" for lay in layouts)
    shown = ", ".join(f'"{c}"' for c in found[:12]) + (", ..." if len(found) > 12 else "")
    return DataError(
        f"{path.name} is not a layout the {source} importer knows. Its columns are "
        f"{shown or '(none)'}. The layouts it reads are: {known}. Export the file again in "
        "one of these layouts (the state's own download, columns unchanged), or choose "
        "another source with kit import SOURCE.",
        file=str(path),
    )


# --------------------------------------------------------------------------- reading


def read_text(path: Path) -> tuple[pd.DataFrame, tuple[Malformed, ...]]:
    """A CSV or Excel file as text: columns as in the file plus ``__kit_row``.

    Raises
    ------
    DataError
        If the file is missing, unreadable or holds no rows.
    """
    with duckdb.connect() as con:
        raw = load_table(con, "import", Path(path))
        table = con.sql(f"SELECT * FROM {raw.relation}").to_arrow_table()
    # Arrow-backed strings: the cleaning below runs in Arrow, not a Python loop.
    frame = table.to_pandas(types_mapper={pa.string(): TEXT}.get)
    return frame, raw.malformed


def norm(name: str) -> str:
    """A header or label compared loosely: lower case, one space between words."""
    return re.sub(r"\s+", " ", str(name).replace("\ufeff", "")).strip().lower()


def find_column(columns, *names: str) -> str | None:
    """The first column of ``columns`` matching one of ``names`` loosely, or None."""
    by_norm = {norm(c): c for c in columns}
    for name in names:
        if norm(name) in by_norm:
            return by_norm[norm(name)]
    return None


# --------------------------------------------------------------------------- numbers

# What publishers write for "no value": suppressed, not calculated (Ohio NC), not rated
# (NR), not applicable. Each becomes an empty cell, never 0.
NO_VALUE = frozenset(
    {
        "",
        "nc",
        "nr",
        "n/a",
        "na",
        "*",
        "**",
        "-",
        "--",
        "\u2013",
        "\u2014",
        "suppressed",
        "null",
        "none",
        "nan",
    }
)
_NO_VALUE = pa.array(sorted(NO_VALUE), pa.string())
_THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"


def clean_number(values: pd.Series) -> pd.Series:
    """Published numbers as plain text: ``67,396`` -> ``67396``, ``  95`` -> ``95``.

    Suppression markers (:data:`NO_VALUE`) become missing. A trailing ``%`` is dropped.
    Anything else is left as written, so that validation rejects it showing the value
    (``15,01`` is not a number: a thousands separator is followed by three digits).
    """
    text = pc.utf8_trim_whitespace(pa.array(values.astype(TEXT)))
    text = pc.utf8_rtrim(pc.replace_substring_regex(text, r"%$", ""), characters=" ")
    blank = pc.fill_null(pc.is_in(pc.utf8_lower(text), value_set=_NO_VALUE), True)
    thousands = pc.fill_null(pc.match_substring_regex(text, f"^{_THOUSANDS}$"), False)
    text = pc.if_else(thousands, pc.replace_substring(text, ",", ""), text)
    text = pc.if_else(blank, pa.scalar(None, pa.string()), text)
    return pd.Series(pd.arrays.ArrowStringArray(text), index=values.index, dtype=TEXT)


def map_values(values: pd.Series, function) -> pd.Series:
    """``values.map(function)`` calling it once per distinct value (a file has few);
    missing values get ``function(None)``."""
    plain = values.to_numpy(object, na_value=None)
    lookup = {v: function(v) for v in set(plain) if v is not None}
    missing = function(None)
    return pd.Series(
        [missing if v is None else lookup[v] for v in plain], index=values.index, dtype=object
    )


def spring_year(text: str | None) -> int | None:
    """The spring year of a school year written ``2022``, ``2021-22`` or ``2021-2022``."""
    if text is None:
        return None
    s = str(text).strip()
    m = re.fullmatch(r"((?:19|20)\d\d)(?:\.0)?", s)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"((?:19|20)\d\d)\s*[-/\u2013]\s*(\d\d|(?:19|20)\d\d)", s)
    if m:
        first = int(m.group(1))
        return first + 1
    return None


# --------------------------------------------------------------------------- groups

# Labels states print for a student group (in a column or a file name), compared after
# norm() and with punctuation as spaces, mapped to CONTRACT.md section 2 group ids.
GROUP_LABELS: dict[str, str] = {
    **dict.fromkeys(["all", "all students", "total", "all student"], "all"),
    **dict.fromkeys(
        [
            "el",
            "ell",
            "els",
            "english learner",
            "english learners",
            "english language learner",
            "english language learners",
            "current el",
            "lep",
            "limited english proficient",
        ],
        "ell",
    ),
    **dict.fromkeys(
        [
            "ever el",
            "ever ell",
            "el and former el",
            "ell and former ell",
            "ever english learner",
            "ever english learners",
            "el former el",
        ],
        "ever_ell",
    ),
    **dict.fromkeys(
        ["former el", "former ell", "former english learner", "former english learners"],
        "former_ell",
    ),
    **dict.fromkeys(
        ["non el", "non ell", "not el", "not ell", "non english learner", "non english learners"],
        "non_ell",
    ),
    **dict.fromkeys(
        [
            "afr american black",
            "afr american",
            "african american",
            "african american black",
            "black",
            "black african american",
            "black or african american",
        ],
        "race_BL",
    ),
    **dict.fromkeys(["hispanic latino", "hispanic", "latino", "hispanic or latino"], "race_HI"),
    **dict.fromkeys(["white"], "race_WH"),
    **dict.fromkeys(["asian"], "race_AS"),
    **dict.fromkeys(
        [
            "multi race",
            "multi race non hispanic",
            "multiracial",
            "multi racial",
            "two or more races",
            "multi race non hispanic latino",
        ],
        "race_MR",
    ),
    **dict.fromkeys(
        [
            "amer ind alaska nat",
            "american indian",
            "american indian or alaska native",
            "american indian alaska native",
            "american indian alaskan native",
            "native american",
        ],
        "race_AI",
    ),
    **dict.fromkeys(
        [
            "nat haw pacif isl",
            "native hawaiian pacific islander",
            "native hawaiian or pacific islander",
            "native hawaiian or other pacific islander",
            "pacific islander",
        ],
        "race_PI",
    ),
    **dict.fromkeys(["female", "females", "girls"], "gender_F"),
    **dict.fromkeys(["male", "males", "boys"], "gender_M"),
    **dict.fromkeys(["non binary", "nonbinary"], "gender_X"),
    **dict.fromkeys(["high needs", "high need"], "high_needs"),
    **dict.fromkeys(["non high needs", "not high needs"], "non_high_needs"),
    **dict.fromkeys(
        [
            "low income",
            "economically disadvantaged",
            "econ disadvantaged",
            "econ disadv",
            "low income students",
        ],
        "low_income",
    ),
    **dict.fromkeys(
        [
            "non low income",
            "not low income",
            "non economically disadvantaged",
            "not economically disadvantaged",
        ],
        "non_low_income",
    ),
    **dict.fromkeys(
        [
            "students with disabilities",
            "students with disabillities",
            "student with disabilities",
            "with disabilities",
            "disabilities",
            "disabled",
            "swd",
        ],
        "swd",
    ),
    **dict.fromkeys(
        [
            "non disabled",
            "students without disabilities",
            "without disabilities",
            "non swd",
            "not disabled",
        ],
        "non_swd",
    ),
    **dict.fromkeys(["title 1", "title i", "title1", "title one"], "title1"),
    **dict.fromkeys(["migrant", "migrant students"], "migrant"),
}


def group_key(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", norm(label)).strip()


def group_id(label: str | None) -> str | None:
    """The CONTRACT.md group id of a state's group label, or None when unknown."""
    if label is None:
        return None
    return GROUP_LABELS.get(group_key(label))


def known_group_labels() -> str:
    """A short list of the labels understood, for messages."""
    return (
        "all students, EL, ever EL, former EL, afr american/black, hispanic/latino, white, "
        "asian, multi-race, amer. ind., nat. haw., female, male, high needs, low income, "
        "students with disabilities, non-disabled, title 1, migrant"
    )


# --------------------------------------------------------------------------- rejections


@dataclass
class Rejects:
    """Rejected rows gathered while reading, in ``kit validate``'s columns."""

    rows: list[dict] = field(default_factory=list)

    def add(self, file: str, row: int, column: str, value, rule: str, message: str) -> None:
        self.rows.append(
            {
                "source_file": file,
                "source_row": int(row),
                "column": column,
                "value": None if value is None else str(value),
                "rule": rule,
                "message": message,
            }
        )

    def add_malformed(self, file: str, malformed) -> None:
        for m in malformed:
            self.add(
                file,
                m.row,
                "",
                m.text,
                "malformed_row",
                MALFORMED_MESSAGE.format(values=m.n_values, columns=m.n_columns),
            )

    def add_frame(self, frame: pd.DataFrame) -> None:
        self.rows.extend(frame[list(REJECTED_COLUMNS)].to_dict("records"))

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(REJECTED_COLUMNS))


@dataclass(frozen=True)
class RowCheck:
    """A stage-1 check of an importer: rows where ``bad`` is true are rejected."""

    bad: pd.Series
    column: str
    value: pd.Series
    rule: str
    message: pd.Series | str


def first_failures(
    frame: pd.DataFrame, file: str, checks: list[RowCheck]
) -> tuple[pd.DataFrame, pd.Series]:
    """Rejected rows (the first check each row fails) and the mask of rows that pass."""
    failed = pd.Series(False, index=frame.index)
    out = []
    for check in checks:
        hit = check.bad.fillna(False).astype(bool) & ~failed
        if hit.any():
            message = check.message if isinstance(check.message, str) else check.message[hit]
            out.append(
                pd.DataFrame(
                    {
                        "source_file": file,
                        "source_row": frame.loc[hit, ROW].astype(np.int64),
                        "column": check.column,
                        "value": check.value[hit].astype(object),
                        "rule": check.rule,
                        "message": message,
                    }
                )
            )
            failed |= hit
    rejected = (
        pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=list(REJECTED_COLUMNS))
    )
    return rejected, ~failed


def write_rejected(rejected: pd.DataFrame, out_dir: Path, table: str) -> Path | None:
    """Write ``out_dir/rejected/<table>.csv`` (or remove a stale one when nothing is)."""
    path = out_dir / "rejected" / f"{table}.csv"
    if rejected.empty:
        path.unlink(missing_ok=True)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = rejected[list(REJECTED_COLUMNS)].sort_values(
        ["source_file", "source_row"], kind="stable"
    )
    frame.to_csv(path, index=False)
    return path
