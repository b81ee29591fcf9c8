"""Synthetic demo district: every input table of CONTRACT.md section 1, with realistic structure.

`generate_demo` writes ``students``, ``assessments``, ``items``, ``item_responses``,
``graduation`` and ``ccr`` (CSV or Parquet) for one or more made-up districts. The data are
not uniform noise; they have the structure the reports are meant to find:

* **Schools and feeders.** A district is a set of feeder patterns: elementary (K-5) ->
  middle (6-8) -> high (9-12), plus a K-8 school per dozen schools. One school makes a K-12
  district, two make a K-8 and a high school.
* **Students persist.** Each year every school enrols ``students_per_grade`` students in
  each grade it serves. Students move up a grade each year, to the feeder school after the
  school's top grade; a few leave, new entrants fill the places. Ids are stable.
* **Achievement.** A student's latent ability in a subject is
  ``subject/grade intercept + school effect + school trend x year + group effects (scaled by
  school-specific gap multipliers) + person effects + noise``, and the scale score is
  ``240 + 16 theta`` rounded to an even integer in 200-280 (MCAS scale).
* **Items.** Responses follow a 3PL model (MC, with distractors of unequal pull), a 2PL
  model (SR) and the graded response model (OR, 0-4) at the same ability, shifted by a
  per-school strength in each reporting category. Each test has 2-3 deliberately weak items,
  named in the extra column ``items.demo_flaw``.

Every rate and effect size is in ``catalogue/rates.yaml`` (`DEMO_RATES`), the names and
test content in ``catalogue/names.yaml`` and ``catalogue/content.yaml``. The output depends
only on the arguments: the same call writes byte-identical files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from kit.demo.base import (
    _T_MONITORING,
    _T_PROGRAM_YEAR,
    _T_RESPONSES,
    _T_SCORES,
    _T_STATE_TESTS,
    _T_YEAR,
    DEMO_RATES,
    FLAWS,
    TABLE_NAMES,
    _rng,
    _test_list,
)
from kit.demo.enrolment import _simulate_enrolment, _student_year
from kit.demo.graduation import _ccr, _graduation
from kit.demo.items import _build_test
from kit.demo.monitoring import _courses, _discipline, _elp
from kit.demo.programs import _cohort_flags, _pk_children, _programs, _student_draws
from kit.demo.schools import _build_schools, _school_chunks
from kit.demo.scores import _assess
from kit.demo.state_tests import _state_tests
from kit.demo.writers import (
    _assessments_table,
    _ccr_table,
    _courses_table,
    _discipline_table,
    _elp_table,
    _graduation_table,
    _items_table,
    _responses_table,
    _state_assessments_table,
    _students_table,
    _Writers,
)
from kit.errors import ParameterError

__all__ = ["DEMO_RATES", "FLAWS", "TABLE_NAMES", "DemoSummary", "generate_demo"]


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo` wrote.

    Attributes
    ----------
    out : str
        The output folder.
    seed : int
        The random seed used.
    fmt : str
        ``"csv"`` or ``"parquet"``.
    rows : dict of str to int
        Rows written per table.
    seconds : float
        Wall time of the run.
    """

    out: str
    seed: int
    fmt: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain Python types (for JSON or a CLI table)."""
        return {
            "out": self.out,
            "seed": self.seed,
            "fmt": self.fmt,
            "rows": dict(self.rows),
            "seconds": self.seconds,
        }


def generate_demo(
    out: str | Path,
    *,
    seed: int = 42,
    districts: int = 1,
    schools: int = 6,
    students_per_grade: int = 80,
    years: int = 3,
    fmt: str = "csv",
    last_year: int = 2024,
    item_years: int = 1,
    state_tests: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a synthetic district data folder that follows CONTRACT.md section 1.

    Parameters
    ----------
    out
        Folder to write into (created if missing); existing files of the same names are
        replaced.
    seed
        Random seed (>= 0). The same arguments always give byte-identical files.
    districts
        Number of districts.
    schools
        Schools per district. Grades 3-8 and 10 are tested in every district.
    students_per_grade
        Students enrolled per grade per school per year.
    years
        Number of school years, ending with `last_year`.
    fmt
        ``"csv"`` (booleans as true/false, empty = missing) or ``"parquet"``.
    last_year
        Spring year of the most recent school year.
    item_years
        Item tables are written for this many of the most recent years (0 to `years`).
    state_tests
        Also write the tests of a Missouri- and Texas-styled demo: social studies (grades 8
        and 11), writing (4 and 7) and the end-of-course tests ALG1 (grade 9, and the
        strongest 8th graders), ENG2, BIO (10) and GOV (11), which MSIP 5 high school
        readiness and the PBMAS sub-parts (iv) and (v) read. Off by default.
    progress
        Called as ``progress(done, total)`` after each chunk is written.

    Returns
    -------
    DemoSummary
        Output folder, seed, rows per table and seconds taken.

    Notes
    -----
    Tables are ``students``, ``assessments``, ``items``, ``item_responses``, ``graduation``
    and ``ccr``, and the PBMAS monitoring tables ``elp_assessments``, ``discipline`` and
    ``courses``, with exactly the columns of `kit.data.schemas` (optional ones included),
    plus ``items.demo_flaw``: empty for ordinary items, else one of `FLAWS`. State
    reference columns (``state_pct_correct``) are left empty because the data hold every
    student's responses. No ``growth`` table is written (MSIP 5 uses the kit's labelled
    proxy) and no ``attendance`` table (the hours are columns of ``students``). With more
    than one district, one is a K-8 district and one a small district.
    """
    started = time.perf_counter()
    _check_arguments(seed, districts, schools, students_per_grade, years, fmt, item_years)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    year_list = list(range(last_year - years + 1, last_year + 1))
    item_year_list = year_list[len(year_list) - item_years :] if item_years else []

    sch = _build_schools(seed, districts, schools, students_per_grade)
    rosters, stu = _simulate_enrolment(seed, sch, year_list)
    tests = [
        _build_test(seed, year, subject, grade)
        for year in item_year_list
        for subject, grade in _test_list()
    ]
    item_dictionary = pa.array(sorted({i for t in tests for i in t.item_ids}))
    chunks = _school_chunks(sch)
    total, done = len(year_list) * len(chunks) + 1, 0
    graduation = _graduation(seed, sch, stu, rosters, year_list)
    draws = _student_draws(seed, sch, stu, rosters, year_list)
    pk_sid = len(stu.id_number)  # pre-kindergarten ids follow every enrolled student's

    with _Writers(out, fmt) as writers:
        for t, year in enumerate(year_list):
            year_tests = [x for x in tests if x.year == year]
            for c, (first, stop) in enumerate(chunks):
                roster = rosters[t].slice_schools(first, stop)
                chunk = _student_year(_rng(seed, _T_YEAR, t, c), sch, stu, roster, year)
                following = rosters[t + 1] if t + 1 < len(rosters) else None
                prog = _programs(
                    _rng(seed, _T_PROGRAM_YEAR, t, c), sch, draws, stu, chunk, following, graduation
                )
                writers.write("students", _students_table(sch, chunk, prog))
                pk, pk_prog = _pk_children(seed, sch, first, stop, year, t, pk_sid)
                pk_sid += len(pk.roster.sid)
                writers.write("students", _students_table(sch, pk, pk_prog))
                scores = _assess(_rng(seed, _T_SCORES, t, c), sch, stu, chunk, t)
                writers.write("assessments", _assessments_table(sch, chunk, scores))
                if state_tests:
                    extra = _state_tests(_rng(seed, _T_STATE_TESTS, t, c), sch, stu, chunk, t)
                    writers.write("assessments", _state_assessments_table(sch, chunk, extra))
                mon = _rng(seed, _T_MONITORING, t, c)
                writers.write("elp_assessments", _elp_table(chunk, _elp(mon, draws, chunk, t)))
                writers.write("discipline", _discipline_table(chunk, _discipline(mon, chunk)))
                writers.write("courses", _courses_table(chunk, _courses(mon, chunk, prog)))
                if year_tests:
                    writers.write(
                        "item_responses",
                        _responses_table(
                            _rng(seed, _T_RESPONSES, t, c),
                            sch,
                            chunk,
                            scores,
                            year_tests,
                            item_dictionary,
                        ),
                    )
                done += 1
                if progress is not None:
                    progress(done, total)
        writers.write("items", _items_table(tests))
        flags = _cohort_flags(seed, sch, stu, draws, graduation, rosters)
        writers.write("graduation", _graduation_table(sch, graduation, flags))
        writers.write("ccr", _ccr_table(sch, _ccr(seed, graduation, year_list)))
        rows = writers.rows
    if progress is not None:
        progress(total, total)
    return DemoSummary(
        out=str(out), seed=seed, fmt=fmt, rows=rows, seconds=round(time.perf_counter() - started, 3)
    )


def _check_arguments(
    seed: int,
    districts: int,
    schools: int,
    students_per_grade: int,
    years: int,
    fmt: str,
    item_years: int,
) -> None:
    for name, value in (
        ("districts", districts),
        ("schools", schools),
        ("students_per_grade", students_per_grade),
        ("years", years),
    ):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(f"demo data: {name} must be a whole number >= 1, got {value!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"demo data: seed must be a whole number >= 0, got {seed!r}")
    if fmt not in ("csv", "parquet"):
        raise ParameterError(f"demo data: fmt must be 'csv' or 'parquet', got {fmt!r}")
    if not isinstance(item_years, int) or not 0 <= item_years <= years:
        raise ParameterError(
            f"demo data: item_years must be 0..years ({years}), got {item_years!r}"
        )
