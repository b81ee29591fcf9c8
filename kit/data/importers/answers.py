"""A teacher's or scanner's answer sheet -> the kit's item tables (source ``answers``).

The common shape of a classroom test export: one row per student, one column per item,
answers as letters (``B``; several letters such as ``CD`` for a multiple-select item), and a
key, given as a file or as a row of the sheet labelled ``KEY``. The importer scores every
answer and writes the input tables the item analysis reads:

- ``items``: one row per item column, in sheet order. An item is ``MC`` when its key is one
  letter A-D, it is worth 1 point and every answer to it is A-D or blank (what
  ``kit validate`` allows); any other item (a key of several letters, a fifth option E, more
  than one point) is written as ``SR`` with ``key`` empty, the key kept in the extra column
  ``answer_key`` and the reason in ``import_note`` (extra columns are kept and ignored).
- ``item_responses``: one row per student per item with the answer as given (upper case,
  separators removed) and the points earned.
- ``students`` and ``assessments``: one synthetic district, school and year, so that
  ``kit validate`` and ``kit build`` accept the folder (see :func:`import_answers` for the
  defaults and options).

Scoring: an answer earns the item's points when its set of letters equals the key's
(``match="exact"``, the default: a multiple-select item is right only with exactly the right
options), or, with ``match="any"``, when it is one letter among the key's (a key ``BCD``
listing several acceptable single answers). Blank earns 0.

Privacy: students get pseudonymous ids ``S0001``, ``S0002``, ... in sheet order. Only item
columns and recognised group columns (gender, race/ethnicity, program flags) are read; every
other column (names, local ids, e-mail, totals) is left out of the tables and named in the
result's warnings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kit.data.importers._common import (
    FileSummary,
    ImportResult,
    Layout,
    Rejects,
    find_column,
    norm,
    read_text,
    unrecognised,
    write_rejected,
)
from kit.data.readers import ROW
from kit.errors import DataError

LAYOUTS = [
    Layout(
        "sheet",
        "an answer sheet: one row per student, one column per item with answers "
        "as letters (A, CD, ...), optional group columns (gender, race_ethnicity, "
        "low_income, ell, swd, ...), and a key file (a 'key' column, one row per item, "
        "optional 'item' and 'points' columns; or one row under the item headers) or a "
        "row of the sheet labelled KEY",
    ),
]
OPTIONS = (
    "key",
    "year",
    "district_id",
    "school_id",
    "subject",
    "grade",
    "match",
    "gender_codes",
    "level_cuts",
    "race_ethnicity",
)
DEFAULTS = {
    "district_id": "LOCAL",
    "school_id": "CLASSROOM",
    "subject": "TEST",
    "grade": 12,
    "match": "exact",
    "level_cuts": (40.0, 60.0, 80.0),
    "race_ethnicity": "MR",
}
MC_LETTERS = set("ABCD")

_GENDER_WORDS = {
    "f": "F",
    "female": "F",
    "girl": "F",
    "w": "F",
    "woman": "F",
    "m": "M",
    "male": "M",
    "boy": "M",
    "man": "M",
    "x": "X",
    "nonbinary": "X",
    "non-binary": "X",
    "non binary": "X",
}
_RACE_WORDS = {
    **{c.lower(): c for c in ("AI", "AS", "BL", "HI", "MR", "PI", "WH")},
    "white": "WH",
    "black": "BL",
    "african american": "BL",
    "black or african american": "BL",
    "hispanic": "HI",
    "latino": "HI",
    "hispanic or latino": "HI",
    "asian": "AS",
    "american indian": "AI",
    "american indian or alaska native": "AI",
    "native american": "AI",
    "pacific islander": "PI",
    "native hawaiian or pacific islander": "PI",
    "native hawaiian or other pacific islander": "PI",
    "multi-race": "MR",
    "multiracial": "MR",
    "two or more races": "MR",
}
_FLAGS = {
    "low_income": (
        "low_income",
        "low income",
        "economically_disadvantaged",
        "economically disadvantaged",
        "frl",
    ),
    "ell": ("ell", "el", "english_learner", "english learner"),
    "swd": ("swd", "iep", "sped", "students_with_disabilities"),
    "former_ell": ("former_ell", "former el"),
    "migrant": ("migrant",),
    "homeless": ("homeless",),
    "title1": ("title1", "title 1", "title_1", "title i"),
}
_TRUE, _FALSE = {"true", "t", "1", "1.0", "y", "yes"}, {"false", "f", "0", "0.0", "n", "no"}
_GENDER_COLUMNS = ("gender", "sex")
_RACE_COLUMNS = ("race_ethnicity", "race", "ethnicity", "race/ethnicity")
_TOTAL_COLUMNS = ("total", "score", "total score", "sum")
_NOT_ITEMS = re.compile(
    r"(^|[^a-z])(id|name|first|last|student|email|e-mail|class|teacher|"
    r"section|period|date|time|school|district|grade)([^a-z]|$)"
)
_KEY_LABELS = {"key", "answer key", "answers", "correct", "correct answers", "keys"}
_POINTS_LABELS = {"points", "point", "max points", "max_points", "weight", "weights"}
_ANSWER = re.compile(r"[A-Za-z](?:[\s,;/|+]*[A-Za-z])*")


def import_answers(
    files: Sequence[Path],
    out_dir: Path,
    *,
    key: str | Path | None = None,
    year: int | None = None,
    district_id: str = DEFAULTS["district_id"],
    school_id: str = DEFAULTS["school_id"],
    subject: str = DEFAULTS["subject"],
    grade: int | None = None,
    match: str = DEFAULTS["match"],
    gender_codes: Mapping[str, str] | str | None = None,
    level_cuts: Sequence[float] | str = DEFAULTS["level_cuts"],
    race_ethnicity: str = DEFAULTS["race_ethnicity"],
) -> ImportResult:
    """Score answer sheets against a key and write items, responses, students, assessments.

    Parameters
    ----------
    files
        Answer sheets (CSV or Excel, first sheet) of one test: the same item columns; the
        students of all of them are one school.
    key
        The key file; None to use a row of the sheet labelled ``KEY`` (and optionally a row
        labelled ``POINTS``) in a column that holds no answers.
    year
        Spring year of the test; default the spring of the current school year (July on
        counts as the next spring).
    district_id, school_id
        The synthetic district and school (default ``LOCAL`` and ``CLASSROOM``).
    subject
        Subject code (default ``TEST``; ``ELA``, ``MATH``, ``SCI`` or any code).
    grade
        Tested grade 0-12 (default 12, reported as a warning: pass the real grade).
    match
        ``exact`` (the default: the answer's letters must be exactly the key's) or ``any``
        (one letter among the key's).
    gender_codes
        How a gender column's codes read, e.g. ``{"0": "M", "1": "F"}`` or ``"0=M,1=F"``;
        the words female/male/F/M/X are always understood. Other values are left empty.
    level_cuts
        Percent of the test's points at which achievement levels 2, 3, ... begin (default
        40, 60, 80: four levels, the kit's own classroom default, not a standard). The
        ``assessments`` table needs a level for every tested student; the score itself is
        written as ``scale_score`` (points earned).
    race_ethnicity
        Code written for students whose race/ethnicity the sheet does not give (default
        ``MR``): ``students`` requires one. It is a placeholder, reported as a warning.

    Returns
    -------
    ImportResult
        Per sheet: student rows read, imported, rejected (an answer that is not letters,
        e.g. ``7`` or ``?``, rejects the student's row, written to
        ``rejected/students.csv``); rows written per table; warnings (defaults used,
        columns left out, values not recognised, totals that differ from the sheet's own).

    Raises
    ------
    DataError
        If there is no key, the key is not letters, or the item columns cannot be matched
        to the key.
    """
    warnings: list[str] = []
    if match not in ("exact", "any"):
        raise DataError(f"match must be exact or any, not {match!r}.", column="match")
    if year is None:
        today = dt.date.today()
        year = today.year + (1 if today.month >= 7 else 0)
        warnings.append(
            f"No year given: written as {year}, the spring of the current school year; pass --year."
        )
    if grade is None:
        grade = DEFAULTS["grade"]
        warnings.append(f"No grade given: written as grade {grade}; pass --grade.")
    grade = int(grade)
    if not 0 <= grade <= 12:
        raise DataError(f"grade must be 0-12, not {grade}.", column="grade")
    subject = str(subject).strip().upper()
    cuts = _cuts(level_cuts)
    codes = _codes(gender_codes)
    sheets = [(Path(f), *read_text(Path(f))) for f in files]
    key_items = _read_key(Path(key)) if key is not None else None
    rejects = Rejects()
    students, answers, summaries = [], [], []
    spec = None
    for path, frame, malformed in sheets:
        rejects.add_malformed(path.name, malformed)
        item_cols, this_spec, key_rows = _items_of(path, frame, key_items)
        if spec is None:
            spec = this_spec
        elif [i["item_id"] for i in spec] != [i["item_id"] for i in this_spec]:
            raise DataError(
                f"{path.name} has other item columns than {sheets[0][0].name}. Import the "
                "sheets of one test together, each with the same item columns.",
                file=str(path),
            )
        body = frame.drop(index=key_rows)
        good, bad = _answers(path, body, item_cols)
        rejects.add_frame(bad)
        ids = good.index
        students.append((path, body.loc[ids]))
        answers.append(good)
        read = len(body) + len(malformed)
        summaries.append((path, read, len(ids), len(bad) + len(malformed), len(key_rows)))
    out_dir.mkdir(parents=True, exist_ok=True)
    all_answers = pd.concat(answers, ignore_index=True)
    n = len(all_answers)
    width = max(4, len(str(n)))
    sids = [f"S{i:0{width}d}" for i in range(1, n + 1)]
    all_answers.index = sids
    bodies = pd.concat([b for _, b in students], ignore_index=True)
    bodies.index = sids
    items = _items_table(spec, all_answers, year, subject, grade)
    responses, totals = _score(spec, all_answers, year, subject, grade, match)
    people = _students(bodies, year, district_id, school_id, grade, codes, race_ethnicity, warnings)
    tests = _assessments(totals, spec, year, school_id, grade, subject, cuts)
    _compare_totals(bodies, totals, warnings)
    dropped = _dropped_columns(sheets, spec)
    if dropped:
        warnings.append(
            "Columns not written (names, local ids and totals stay out of the "
            "kit's tables): " + ", ".join(dropped) + "."
        )
    tables = {"items": items, "item_responses": responses, "students": people, "assessments": tests}
    for name, table in tables.items():
        table.to_csv(out_dir / f"{name}.csv", index=False)
    write_rejected(rejects.frame(), out_dir, "students")
    rejected = rejects.frame()
    counts = rejected.groupby("rule").size().to_dict() if len(rejected) else {}
    files_out = tuple(
        FileSummary(
            p.name,
            "sheet",
            read,
            ok,
            bad,
            note=f"{len(spec)} items; key row{'s' if k > 1 else ''} not counted as students"
            if k
            else f"{len(spec)} items",
        )
        for p, read, ok, bad, k in summaries
    )
    return ImportResult(
        "answers",
        str(out_dir),
        files_out,
        {name: len(t) for name, t in tables.items()},
        {f"students.{r}": int(c) for r, c in sorted(counts.items())},
        tuple(warnings),
    )


# --------------------------------------------------------------------------- the key


def _blank(value) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
        or not str(value).strip()
    )


def _letters(value) -> str | None:
    """An answer or key as upper-case letters without separators; '' for blank; None when
    it is not letters."""
    if _blank(value):
        return ""
    text = str(value).strip()
    if not text:
        return ""
    if not _ANSWER.fullmatch(text):
        return None
    return re.sub(r"[^A-Za-z]", "", text).upper()


def _read_key(path: Path) -> list[dict]:
    """The key as a list of {item, key, points, standard, ...} (item None when unnamed)."""
    frame, malformed = read_text(path)
    cols = [c for c in frame.columns if c != ROW]
    key_col = find_column(
        cols, "key", "answer", "answers", "correct", "answer_key", "correct answer"
    )
    items: list[dict] = []
    if key_col is not None:
        item_col = find_column(cols, "item", "item_id", "question", "item id", "name")
        points_col = find_column(cols, "points", "max_points", "max points", "weight")
        extra = {c: find_column(cols, c) for c in ("standard", "reporting_category", "description")}
        for _, row in frame.iterrows():
            items.append(
                {
                    "item": None if item_col is None else str(row[item_col]).strip(),
                    "key": row[key_col],
                    "points": row[points_col] if points_col else None,
                    "row": int(row[ROW]),
                    **{k: row[c] for k, c in extra.items() if c is not None},
                }
            )
    else:  # the item headers, the key row under them, optionally a row of points
        first = frame.iloc[0]
        second = frame.iloc[1] if len(frame) > 1 else None
        items = [
            {
                "item": c,
                "key": first[c],
                "row": int(first[ROW]),
                "points": None if second is None else second[c],
            }
            for c in cols
        ]
    for item in items:
        letters = _letters(item["key"])
        if not letters:
            raise DataError(
                f"{path.name} row {item['row']}: the key {item['key']!r} is not one or more "
                "letters (A, B, CD, ...). Correct the key and run again.",
                file=str(path),
            )
        item["key"] = "".join(sorted(set(letters)))
        item["points"] = _points(item["points"], path, item["row"])
    return items


def _points(value, path: Path, row: int) -> int:
    if _blank(value):
        return 1
    try:
        points = float(str(value).strip())
    except ValueError:
        points = -1
    if points < 1 or not points.is_integer():
        raise DataError(
            f"{path.name} row {row}: points {value!r} is not a whole number of points, 1 or more.",
            file=str(path),
            column="points",
        )
    return int(points)


def _items_of(
    path: Path, frame: pd.DataFrame, key_items: list[dict] | None
) -> tuple[list[str], list[dict], list]:
    """The sheet's item columns, the item specs, and the index of key/points rows."""
    cols = [c for c in frame.columns if c != ROW]
    groupish = {
        c
        for c in cols
        if _NOT_ITEMS.search(norm(c))
        or find_column([c], *_GENDER_COLUMNS, *_RACE_COLUMNS, *_TOTAL_COLUMNS)
        or any(find_column([c], *names) for names in _FLAGS.values())
    }
    key_rows: list = []
    if key_items is None:
        found, label_cols = {}, set()
        for c in cols:
            texts = frame[c].map(lambda v: "" if _blank(v) else norm(v))
            for kind, labels in (("key", _KEY_LABELS), ("points", _POINTS_LABELS)):
                hits = texts.index[texts.isin(labels)]
                if len(hits) and kind not in found:
                    found[kind] = hits[0]
                    label_cols.add(c)
        if "key" not in found:
            raise DataError(
                f"{path.name}: no answer key. Pass the key file (kit import answers SHEET "
                "--key KEY.csv: a 'key' column with one row per item, in item order, or "
                "named by an 'item' column), or add a row to the sheet labelled KEY in a "
                "column such as the name column.",
                file=str(path),
                column="key",
            )
        key_row = frame.loc[found["key"]]
        points_row = frame.loc[found["points"]] if "points" in found else None
        # The items are the columns whose KEY cell holds letters.
        candidates = [
            c for c in cols if c not in groupish and c not in label_cols and _letters(key_row[c])
        ]
        key_items = [
            {
                "item": c,
                "key": "".join(sorted(set(_letters(key_row[c])))),
                "points": _points(
                    None if points_row is None else points_row[c], path, int(key_row[ROW])
                ),
            }
            for c in candidates
        ]
        key_rows = [found[k] for k in ("key", "points") if k in found]
    else:
        candidates = [c for c in cols if c not in groupish and _answer_like(frame[c])]
    if not candidates:
        raise unrecognised(path, "answers", LAYOUTS, cols)
    named = [i for i in key_items if i.get("item")]
    if len(named) == len(key_items):
        item_cols = []
        for item in key_items:
            col = find_column(cols, item["item"])
            if col is None:
                raise DataError(
                    f"{path.name} has no column for item {item['item']!r} of the key. Name "
                    "the key's items like the sheet's columns, or leave the key's item "
                    "column out to match items in column order.",
                    file=str(path),
                    column=item["item"],
                )
            item_cols.append(col)
    else:
        if len(candidates) != len(key_items):
            raise DataError(
                f"{path.name}: the key has {len(key_items)} items but the sheet has "
                f"{len(candidates)} columns of letter answers ({', '.join(candidates[:30])}). "
                "Give the key an 'item' column naming each item's column, or make the counts "
                "agree.",
                file=str(path),
            )
        item_cols = candidates
    spec = [
        {**item, "item_id": str(col).strip(), "column": col}
        for item, col in zip(key_items, item_cols, strict=True)
    ]
    return item_cols, spec, key_rows


def _answer_like(values: pd.Series) -> bool:
    """Most filled cells (80 %) are a few letters, none twice: a column of answers (a stray
    ``7`` or ``?`` is then rejected with its row, not taken for another column)."""
    filled = values[~values.map(_blank)].astype(str).str.strip()
    if filled.empty:
        return False
    letters = filled.str.replace(r"[\s,;/|+]", "", regex=True)
    ok = letters.str.fullmatch(r"[A-Za-z]{1,10}") & letters.map(
        lambda t: len(set(t.upper())) == len(t)
    )
    return bool(ok.mean() >= 0.8)


# --------------------------------------------------------------------------- scoring


def _answers(
    path: Path, body: pd.DataFrame, item_cols: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalised answers of the readable rows, and the rejected rows (first bad cell)."""
    letters = body[item_cols].apply(lambda col: col.map(_letters))
    bad_cell = letters.isna()
    bad_rows = bad_cell.any(axis=1)
    rejected = []
    for idx in body.index[bad_rows]:
        col = bad_cell.columns[bad_cell.loc[idx].to_numpy()][0]
        value = body.at[idx, col]
        rejected.append(
            {
                "source_file": path.name,
                "source_row": int(body.at[idx, ROW]),
                "column": col,
                "value": value,
                "rule": "bad_answer",
                "message": f'answer "{value}" to {col} is not letters (A, B, CD, ...) or blank; '
                "correct the cell, or leave it blank for no answer",
            }
        )
    return letters[~bad_rows], pd.DataFrame(
        rejected, columns=["source_file", "source_row", "column", "value", "rule", "message"]
    )


def _score(
    spec: list[dict], answers: pd.DataFrame, year: int, subject: str, grade: int, match: str
) -> tuple[pd.DataFrame, pd.Series]:
    """item_responses rows (students with at least one answer) and each student's total."""
    answered = answers.ne("").any(axis=1)
    points = pd.DataFrame(0, index=answers.index, columns=answers.columns)
    for item in spec:
        col = answers[item["column"]]
        key = set(item["key"])
        if match == "exact":
            right = col.map(lambda a, key=key: bool(a) and set(a) == key and len(a) == len(key))
        else:
            right = col.map(lambda a, key=key: len(a) == 1 and a in key)
        points[item["column"]] = np.where(right, item["points"], 0)
    totals = points.sum(axis=1).where(answered)
    long = answers[answered].stack().rename("response").to_frame()
    long["points"] = points[answered].stack()
    long = long.reset_index(names=["student_id", "column"])
    ids = {item["column"]: item["item_id"] for item in spec}
    order = {item["column"]: i for i, item in enumerate(spec)}
    long["item_no"] = long["column"].map(order)
    long = long.sort_values(["student_id", "item_no"], kind="stable")
    responses = pd.DataFrame(
        {
            "year": year,
            "student_id": long["student_id"],
            "subject": subject,
            "grade": grade,
            "item_id": long["column"].map(ids),
            "response": long["response"].replace("", None),
            "points": long["points"].astype(int),
        }
    )
    return responses.reset_index(drop=True), totals


def _items_table(
    spec: list[dict], answers: pd.DataFrame, year: int, subject: str, grade: int
) -> pd.DataFrame:
    rows = []
    for item in spec:
        given = set(answers[item["column"]].unique()) - {""}
        reasons = []
        if len(item["key"]) != 1:
            reasons.append(f"several right answers ({item['key']})")
        elif item["key"] not in MC_LETTERS:
            reasons.append(f"key {item['key']} is not A-D")
        if item["points"] != 1:
            reasons.append(f"worth {item['points']} points")
        odd = sorted(a for a in given if a not in MC_LETTERS)
        if odd:
            reasons.append("answers other than A-D (" + ", ".join(odd[:5]) + ")")
        mc = not reasons
        rows.append(
            {
                "year": year,
                "subject": subject,
                "grade": grade,
                "item_id": item["item_id"],
                "item_type": "MC" if mc else "SR",
                "max_points": item["points"],
                "key": item["key"] if mc else None,
                "standard": item.get("standard"),
                "reporting_category": item.get("reporting_category"),
                "description": item.get("description"),
                "answer_key": item["key"],
                "import_note": None
                if mc
                else "scored from the answer key, written as SR "
                "because the kit's MC items have one key A-D, 1 point and answers A-D: "
                + "; ".join(reasons),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- students


def _students(
    bodies: pd.DataFrame,
    year: int,
    district_id: str,
    school_id: str,
    grade: int,
    codes: dict[str, str],
    race_default: str,
    warnings: list[str],
) -> pd.DataFrame:
    cols = list(bodies.columns)
    out = pd.DataFrame(
        {
            "year": year,
            "student_id": bodies.index,
            "district_id": district_id,
            "school_id": school_id,
            "grade": grade,
        },
        index=bodies.index,
    )
    gender_col = find_column(cols, *_GENDER_COLUMNS)
    if gender_col:
        raw = bodies[gender_col].map(
            lambda v: None if _blank(v) else re.sub(r"\.0$", "", str(v).strip())
        )
        words = {**_GENDER_WORDS, **{k.lower(): v for k, v in codes.items()}}
        out["gender"] = raw.map(lambda v: None if _blank(v) else words.get(v.lower()))
        unknown = sorted(
            {v for v, g in zip(raw, out["gender"], strict=True) if not _blank(v) and _blank(g)}
        )
        if unknown:
            warnings.append(
                f"{gender_col} values {', '.join(unknown[:6])} are not F/M/X or female/male: "
                "left empty; say what they mean with --gender-codes (e.g. 0=M,1=F)."
            )
    else:
        out["gender"] = None
    race_col = find_column(cols, *_RACE_COLUMNS)
    race = (
        bodies[race_col].map(lambda v: None if _blank(v) else _RACE_WORDS.get(norm(v)))
        if race_col
        else pd.Series(None, index=bodies.index, dtype=object)
    )
    missing = int(race.isna().sum())
    if missing:
        warnings.append(
            f"race_ethnicity {'is not in the sheet' if not race_col else 'is not recognised'}"
            f" for {missing:,} students: written as the placeholder {race_default} because "
            "the students table requires a code; race/ethnicity groups of this folder are "
            "not real."
        )
    out["race_ethnicity"] = race.fillna(race_default)
    for flag, names in _FLAGS.items():
        col = find_column(cols, *names)
        if col is None:
            out[flag] = False
            continue
        text = bodies[col].map(lambda v: "" if _blank(v) else str(v).strip().lower())
        out[flag] = text.isin(_TRUE)
        odd = sorted(set(text[~text.isin(_TRUE | _FALSE) & (text != "")]))
        if odd:
            warnings.append(f"{col} values {', '.join(odd[:6])} are not yes/no: counted as no.")
    out["fay"] = True
    return out.reset_index(drop=True)


def _assessments(
    totals: pd.Series,
    spec: list[dict],
    year: int,
    school_id: str,
    grade: int,
    subject: str,
    cuts: list[float],
) -> pd.DataFrame:
    max_points = sum(item["points"] for item in spec)
    tested = totals.notna()
    pct = 100 * totals / max_points
    level = pd.Series(
        np.searchsorted(cuts, pct.fillna(0), side="right") + 1, index=totals.index
    ).where(tested)
    return pd.DataFrame(
        {
            "year": year,
            "student_id": totals.index,
            "school_id": school_id,
            "grade": grade,
            "subject": subject,
            "participation": np.where(tested, "TESTED", "ABSENT"),
            "test_type": "GENERAL",
            "scale_score": totals.astype("Int64"),
            "achievement_level": level.astype("Int64"),
        }
    ).reset_index(drop=True)


def _compare_totals(bodies: pd.DataFrame, totals: pd.Series, warnings: list[str]) -> None:
    col = find_column(list(bodies.columns), *_TOTAL_COLUMNS)
    if col is None:
        return
    given = pd.to_numeric(bodies[col], errors="coerce")
    both = given.notna() & totals.notna()
    differ = int((given[both] != totals[both]).sum())
    if differ:
        warnings.append(
            f"The sheet's own {col} differs from the kit's score for {differ:,} "
            f"of {int(both.sum()):,} students: check the key."
        )


def _dropped_columns(sheets, spec) -> list[str]:
    used = {item["column"] for item in spec}
    kept = set()
    for _, frame, _ in sheets:
        cols = [c for c in frame.columns if c != ROW]
        for names in (_GENDER_COLUMNS, _RACE_COLUMNS, *_FLAGS.values()):
            col = find_column(cols, *names)
            if col:
                kept.add(col)
    out = []
    for _, frame, _ in sheets:
        for c in frame.columns:
            if c != ROW and c not in used and c not in kept and c not in out:
                out.append(c)
    return out


def _cuts(value: Sequence[float] | str) -> list[float]:
    cuts = (
        [float(v) for v in value.split(",") if v.strip()]
        if isinstance(value, str)
        else [float(v) for v in value]
    )
    if not cuts or cuts != sorted(cuts) or not all(0 < c <= 100 for c in cuts):
        raise DataError(
            f"level cuts {value!r} must be rising percents 0-100, e.g. 40,60,80.",
            column="level_cuts",
        )
    return cuts


def _codes(value: Mapping[str, str] | str | None) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        pairs = [p.split("=", 1) for p in value.split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise DataError(
                f"gender codes {value!r} must read like 0=M,1=F.", column="gender_codes"
            )
        value = {k.strip(): v.strip() for k, v in pairs}
    out = {str(k).strip(): str(v).strip().upper()[:1] for k, v in value.items()}
    bad = [v for v in out.values() if v not in ("F", "M", "X")]
    if bad:
        raise DataError(
            f"gender codes must map to F, M or X, not {', '.join(bad)}.", column="gender_codes"
        )
    return out
