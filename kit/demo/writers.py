"""The demo's Arrow tables, with exactly the columns of :mod:`kit.data.schemas`, and the
streaming writers that put them in CSV or Parquet files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kit.data.schemas import (
    DIPLOMA_PROGRAMS,
    DISCIPLINE_ACTIONS,
    GENDER_CODES,
    INSTRUCTIONAL_SETTINGS,
    ITEM_TYPES,
    LEP_PROGRAMS,
    MC_OPTIONS,
    PARTICIPATION_CODES,
    RACE_CODES,
    RESIDENCY_CODES,
    SUBLEVELS,
    TABLES,
    TELPAS_LEVELS,
    TEST_TYPES,
)
from kit.demo.base import _CATEGORIES, _OR, DEMO_RATES, SUBJECTS, TABLE_NAMES
from kit.demo.enrolment import _Chunk
from kit.demo.graduation import _Graduation
from kit.demo.items import _respond, _Test
from kit.demo.monitoring import _Courses, _Discipline, _Elp, school_year_date
from kit.demo.programs import _CohortFlags, _Programs
from kit.demo.schools import _Schools
from kit.demo.scores import _Scores
from kit.demo.state_tests import STATE_SUBJECTS, _StateScores

# Columns written as Arrow dictionaries (pandas categoricals): repeated labels and codes.
_DICTIONARY_COLUMNS = frozenset(
    {
        "district_id",
        "school_id",
        "district_name",
        "school_name",
        "race_ethnicity",
        "gender",
        "subject",
        "participation",
        "test_type",
        "achievement_sublevel",
        "item_id",
        "item_type",
        "key",
        "standard",
        "reporting_category",
        "description",
        "response",
        "demo_flaw",
        "residency_code",
        "lep_program",
        "instructional_setting",
        "diploma_program",
        "telpas_reading_level",
        "telpas_composite_level",
        "action",
        "course_code",
        "nontraditional_for",
    }
)
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
}


def _schema(table: str) -> pa.Schema:
    cols = [(c.name, c.type) for c in TABLES[table].columns]
    if table == "items":
        cols.append(("demo_flaw", "VARCHAR"))
    return pa.schema(
        [
            pa.field(
                name,
                pa.dictionary(pa.int32(), pa.string())
                if name in _DICTIONARY_COLUMNS
                else _ARROW_TYPES[kind],
            )
            for name, kind in cols
        ]
    )


def _codes(index: np.ndarray, labels: list[str] | tuple[str, ...] | pa.Array) -> pa.Array:
    """A dictionary column from label indices (negative = missing)."""
    index = np.asarray(index)
    dictionary = labels if isinstance(labels, pa.Array) else pa.array(list(labels), pa.string())
    indices = pa.array(index.astype(np.int32), mask=index < 0)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _int(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values).astype(np.int32), mask=missing)


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = _schema(name)
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _year_or_empty(values: np.ndarray) -> pa.Array:
    values = np.asarray(values)
    return _int(values, values <= 0)


def _students_table(sch: _Schools, chunk: _Chunk, prog: _Programs) -> pa.Table:
    school = chunk.roster.school
    district = sch.district[school]
    return _table(
        "students",
        {
            "year": _int(np.full(len(school), chunk.year)),
            "student_id": chunk.student_id,
            "district_id": _codes(district, sch.district_ids),
            "school_id": _codes(school, sch.ids),
            "district_name": _codes(district, sch.district_names),
            "school_name": _codes(school, sch.names),
            "grade": _int(chunk.roster.grade),
            "race_ethnicity": _codes(chunk.race, RACE_CODES),
            "gender": _codes(chunk.gender, GENDER_CODES),
            "low_income": pa.array(chunk.low_income),
            "ell": pa.array(chunk.ell),
            "swd": pa.array(chunk.swd),
            "former_ell": pa.array(chunk.former_ell),
            "migrant": pa.array(chunk.migrant),
            "homeless": pa.array(chunk.homeless),
            "title1": pa.array(sch.title1[school]),
            "fay": pa.array(chunk.fay),
            "days_enrolled": _int(chunk.days_enrolled),
            "days_attended": _int(chunk.days_attended),
            "hours_enrolled": pa.array(prog.hours_enrolled, pa.float64()),
            "hours_attended": pa.array(prog.hours_attended, pa.float64()),
            "residency_code": _codes(prog.residency, RESIDENCY_CODES),
            "lep_program": _codes(prog.lep_program, LEP_PROGRAMS),
            "ell_exit_year": _year_or_empty(prog.ell_exit_year),
            "swd_exit_year": _year_or_empty(prog.swd_exit_year),
            "cte_participant": pa.array(prog.cte),
            "dropout": pa.array(prog.dropout),
            "age": _int(prog.age),
            "instructional_setting": _codes(prog.setting, INSTRUCTIONAL_SETTINGS),
        },
    )


def _assessments_table(sch: _Schools, chunk: _Chunk, scores: _Scores) -> pa.Table:
    n, row = len(scores.row), scores.row
    return _table(
        "assessments",
        {
            "year": _int(np.full(n, chunk.year)),
            "student_id": chunk.student_id.take(pa.array(row)),
            "school_id": _codes(chunk.roster.school[row], sch.ids),
            "grade": _int(chunk.roster.grade[row]),
            "subject": _codes(scores.subject, SUBJECTS),
            "participation": _codes(scores.participation, PARTICIPATION_CODES),
            "test_type": _codes(scores.alternate.astype(int), TEST_TYPES),
            "scale_score": pa.array(scores.scale_score, from_pandas=True),
            "achievement_level": _int(scores.level, scores.level == 0),
            "achievement_sublevel": _codes(scores.sublevel, SUBLEVELS),
        },
    )


def _state_assessments_table(sch: _Schools, chunk: _Chunk, scores: _StateScores) -> pa.Table:
    n, row = len(scores.row), scores.row
    return _table(
        "assessments",
        {
            "year": _int(np.full(n, chunk.year)),
            "student_id": chunk.student_id.take(pa.array(row)),
            "school_id": _codes(chunk.roster.school[row], sch.ids),
            "grade": _int(chunk.roster.grade[row]),
            "subject": _codes(scores.subject, STATE_SUBJECTS),
            "participation": _codes(np.where(scores.tested, 0, 1), PARTICIPATION_CODES),
            "test_type": _codes(np.zeros(n, int), TEST_TYPES),
            "scale_score": pa.array(scores.scale_score, from_pandas=True),
            "achievement_level": _int(scores.level, scores.level == 0),
            "achievement_sublevel": _codes(scores.sublevel, SUBLEVELS),
        },
    )


def _elp_table(chunk: _Chunk, elp: _Elp) -> pa.Table:
    n = len(elp.row)
    return _table(
        "elp_assessments",
        {
            "year": _int(np.full(n, chunk.year)),
            "student_id": chunk.student_id.take(pa.array(elp.row, pa.int64())),
            "telpas_reading_level": _codes(elp.reading, TELPAS_LEVELS),
            "telpas_composite_level": _codes(elp.composite, TELPAS_LEVELS),
            "years_in_us_schools": _int(elp.years_in_us),
        },
    )


def _discipline_table(chunk: _Chunk, disc: _Discipline) -> pa.Table:
    n = len(disc.row)
    return _table(
        "discipline",
        {
            "year": _int(np.full(n, chunk.year)),
            "student_id": chunk.student_id.take(pa.array(disc.row, pa.int64())),
            "action": _codes(disc.action, DISCIPLINE_ACTIONS),
            "discretionary": pa.array(disc.discretionary, pa.bool_()),
            "incident_date": pa.array(
                [school_year_date(chunk.year, d) for d in disc.day], pa.string()
            ),
        },
    )


def _courses_table(chunk: _Chunk, courses: _Courses) -> pa.Table:
    catalogue = DEMO_RATES["cte_courses"]
    codes = [c[0] for c in catalogue]
    non_for = np.array([("M", "F").index(c[1]) if c[1] else -1 for c in catalogue])
    n = len(courses.row)
    return _table(
        "courses",
        {
            "year": _int(np.full(n, chunk.year)),
            "student_id": chunk.student_id.take(pa.array(courses.row, pa.int64())),
            "course_code": _codes(courses.course, codes),
            "completed": pa.array(courses.completed, pa.bool_()),
            "nontraditional_for": _codes(non_for[courses.course], ("M", "F")),
        },
    )


def _responses_table(
    rng: np.random.Generator,
    sch: _Schools,
    chunk: _Chunk,
    scores: _Scores,
    tests: list[_Test],
    item_dictionary: pa.Array,
) -> pa.Table:
    """Item responses of every tested student taking the general test, test by test."""
    lookup = {item: i for i, item in enumerate(item_dictionary.to_pylist())}
    general = (scores.participation == 0) & ~scores.alternate
    grade = chunk.roster.grade[scores.row]
    parts = []
    for test in tests:
        rows = np.flatnonzero(general & (scores.subject == test.subject) & (grade == test.grade))
        if not len(rows):
            continue
        option, points = _respond(
            rng, test, scores.theta[rows], chunk.roster.school[scores.row[rows]], sch
        )
        k = len(test.kind)
        student = np.repeat(scores.row[rows], k)
        item = np.tile(np.array([lookup[i] for i in test.item_ids]), len(rows))
        parts.append(
            _table(
                "item_responses",
                {
                    "year": _int(np.full(len(student), test.year)),
                    "student_id": chunk.student_id.take(pa.array(student)),
                    "subject": _codes(np.full(len(student), test.subject), SUBJECTS),
                    "grade": _int(np.full(len(student), test.grade)),
                    "item_id": _codes(item, item_dictionary),
                    "response": _codes(option.ravel(), MC_OPTIONS),
                    "points": _int(points.ravel()),
                },
            )
        )
    return pa.concat_tables(parts) if parts else _schema("item_responses").empty_table()


def _items_table(tests: list[_Test]) -> pa.Table:
    def cat(f: Callable[[_Test], Any]) -> list[Any]:
        return [v for t in tests for v in f(t)]

    kind = np.array(cat(lambda t: t.kind), dtype=int)
    key = np.array(cat(lambda t: t.key), dtype=int)
    n = len(kind)
    return (
        _table(
            "items",
            {
                "year": pa.array(cat(lambda t: [t.year] * len(t.kind)), pa.int32()),
                "subject": _codes(
                    np.array(cat(lambda t: [t.subject] * len(t.kind)), int), SUBJECTS
                ),
                "grade": pa.array(cat(lambda t: [t.grade] * len(t.kind)), pa.int32()),
                "item_id": pa.array(cat(lambda t: t.item_ids), pa.string()).dictionary_encode(),
                "item_type": _codes(kind, ITEM_TYPES),
                "max_points": _int(np.where(kind == _OR, 4, 1)),
                "key": _codes(key, MC_OPTIONS),
                "standard": pa.array(cat(lambda t: t.standard), pa.string()).dictionary_encode(),
                "reporting_category": _codes(np.array(cat(lambda t: t.category), int), _CATEGORIES),
                "description": pa.array(
                    cat(lambda t: t.description), pa.string()
                ).dictionary_encode(),
                "state_pct_correct": pa.nulls(n, pa.float64()),
                "demo_flaw": pa.array(cat(lambda t: t.flaw), pa.string()).dictionary_encode(),
            },
        )
        if n
        else _schema("items").empty_table()
    )


def _graduation_table(sch: _Schools, grad: _Graduation, flags: _CohortFlags) -> pa.Table:
    return _table(
        "graduation",
        {
            "cohort_year": _int(grad.cohort_year),
            "student_id": pa.array(grad.id_number).cast(pa.string()),
            "district_id": _codes(sch.district[grad.school], sch.district_ids),
            "school_id": _codes(grad.school, sch.ids),
            "race_ethnicity": _codes(grad.race, RACE_CODES),
            "low_income": pa.array(grad.low_income),
            "ell": pa.array(grad.ell),
            "swd": pa.array(grad.swd),
            "graduated_4yr": pa.array(grad.graduated_4yr),
            "graduated_5yr": pa.array(grad.graduated_5yr),
            "dropout": pa.array(grad.dropout),
            "diploma_program": _codes(flags.diploma, DIPLOMA_PROGRAMS),
            "title1": pa.array(flags.title1),
            "migrant": pa.array(flags.migrant),
            "cte_participant": pa.array(flags.cte),
        },
    )


def _ccr_table(sch: _Schools, ccr: dict[str, np.ndarray]) -> pa.Table:
    flags = (
        "took_ccr_assessment",
        "met_ccr_standard",
        "advanced_credit",
        "postsecondary_placement",
        "career_ed_completer",
        "career_ed_placed",
    )
    return _table(
        "ccr",
        {
            "year": _int(ccr["year"]),
            "student_id": pa.array(ccr["id_number"]).cast(pa.string()),
            "district_id": _codes(sch.district[ccr["school"]], sch.district_ids),
            "school_id": _codes(ccr["school"], sch.ids),
            "ccr_score": pa.array(ccr["ccr_score"], from_pandas=True),
            **{f: pa.array(ccr[f]) for f in flags},
        },
    )


class _Writers:
    """One streaming writer per table (Parquet or CSV), opened on first use."""

    def __init__(self, out: Path, fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.rows: dict[str, int] = dict.fromkeys(TABLE_NAMES, 0)
        self._open: dict[str, Any] = {}
        self._files: list[Any] = []

    def __enter__(self) -> _Writers:
        return self

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self._open:
            path = self.out / f"{name}.{self.fmt}"
            if self.fmt == "parquet":
                self._open[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
            else:
                # Arrow quotes header names even when told not to quote; write the header
                # ourselves so the file is plain unquoted CSV throughout.
                sink = open(path, "wb")  # closed in __exit__
                sink.write((",".join(table.schema.names) + "\n").encode())
                self._files.append(sink)
                options = pacsv.WriteOptions(include_header=False, quoting_style="none")
                self._open[name] = pacsv.CSVWriter(sink, table.schema, write_options=options)
        self._open[name].write_table(table)
        self.rows[name] += table.num_rows

    def __exit__(self, exc_type: object, *exc: object) -> None:
        for name in TABLE_NAMES:
            if exc_type is None and name not in self._open:  # an empty table keeps its header
                self.write(name, _schema(name).empty_table())
        for writer in self._open.values():
            writer.close()
        for sink in self._files:
            sink.close()
