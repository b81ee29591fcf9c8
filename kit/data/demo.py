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

Every rate and effect size is in `DEMO_RATES`. The output depends only on the arguments:
the same call writes byte-identical files.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kit.data.schemas import (
    GENDER_CODES,
    ITEM_TYPES,
    MC_OPTIONS,
    PARTICIPATION_CODES,
    RACE_CODES,
    SUBLEVELS,
    TABLES,
    TEST_TYPES,
)
from kit.errors import ParameterError

__all__ = ["DEMO_RATES", "FLAWS", "TABLE_NAMES", "DemoSummary", "generate_demo"]

# Rates, effect sizes and item parameters of the synthetic data. Proportions are 0-1;
# achievement effects are in theta units (1 theta = ``scale_slope`` scale-score points).
DEMO_RATES: dict[str, Any] = {
    # enrolment: share of students who come back next year
    "stay_in_school": 0.94,
    "stay_to_feeder": 0.90,
    # race shares of the district; each school shifts them with its neighbourhood need
    "race_share": {
        "AI": 0.008,
        "AS": 0.07,
        "BL": 0.10,
        "HI": 0.20,
        "MR": 0.04,
        "PI": 0.004,
        "WH": 0.578,
    },
    "race_need_loading": {
        "AI": 0.3,
        "AS": -0.2,
        "BL": 0.9,
        "HI": 0.9,
        "MR": 0.1,
        "PI": 0.2,
        "WH": -0.6,
    },
    "race_school_noise": 0.35,
    "gender_share": {"F": 0.49, "M": 0.50, "X": 0.01},
    # economically disadvantaged: school rate, and a shift by race within the school
    "low_income_center": 0.48,
    "low_income_need_slope": 0.10,
    "low_income_bounds": (0.35, 0.60),
    "low_income_race_logit": {
        "AI": 0.5,
        "AS": -0.3,
        "BL": 0.6,
        "HI": 0.6,
        "MR": 0.1,
        "PI": 0.3,
        "WH": -0.4,
    },
    # English learners: school rate, relative likelihood by race, yearly exit to former ELL
    "ell_bounds": (0.09, 0.16),
    "ell_race_weight": {
        "AI": 0.5,
        "AS": 2.5,
        "BL": 0.8,
        "HI": 3.0,
        "MR": 0.4,
        "PI": 1.5,
        "WH": 0.2,
    },
    "ell_exit_per_year": 0.10,
    "former_ell": 0.045,
    "swd_by_gender": {"F": 0.12, "M": 0.205, "X": 0.165},
    "alternate_share_of_swd": 0.06,
    "migrant": 0.01,
    "migrant_hispanic_ratio": 4.0,
    "homeless_share_of_low_income": 0.045,
    "title1_low_income_cut": 0.47,
    # full academic year and attendance
    "non_fay": 0.05,
    "non_fay_new_entrant": 0.30,
    "non_fay_homeless": 0.15,
    "days_in_year": 180,
    "absence_median": 0.042,
    "absence_log_effect": {"low_income": 0.45, "swd": 0.2, "homeless": 0.5},
    "absence_school_sd": 0.2,
    "absence_student_sd": 0.45,
    "absence_year_sd": 0.35,
    # achievement
    "scale_center": 240,
    "scale_slope": 16,
    "subject_intercept": {"ELA": 0.33, "MATH": 0.23, "SCI": 0.15},
    "grade_intercept_sd": 0.08,
    "school_effect_sd": 0.25,
    "school_need_effect": -0.15,
    "school_subject_sd": 0.10,
    "trend_points": {"improving": (1.5, 4.0), "flat": (-1.0, 1.0), "declining": (-3.5, -2.0)},
    "improving_share": 0.5,
    "group_effect": {
        "low_income": -0.45,
        "ell": -0.65,
        "former_ell": -0.10,
        "swd": -0.90,
        "homeless": -0.20,
        "migrant": -0.20,
    },
    "gap_multiplier_bounds": (0.6, 1.5),
    "race_effect": {
        "AI": -0.30,
        "AS": 0.30,
        "BL": -0.35,
        "HI": -0.30,
        "MR": 0.0,
        "PI": -0.20,
        "WH": 0.15,
    },
    "female_effect": {"ELA": 0.15, "MATH": 0.0, "SCI": -0.05},
    "person_sd": 0.75,
    "person_subject_sd": 0.35,
    "occasion_sd": 0.35,
    # participation and test type
    "not_tested_student": 0.025,
    "not_tested_subject": 0.01,
    "not_tested_codes": {"ABSENT": 0.50, "REFUSED": 0.25, "MEDICAL": 0.15, "EXEMPT": 0.10},
    "alternate_levels": (0.25, 0.35, 0.30, 0.10),
    # items (theta units; the logistic uses the 1.7 scaling constant)
    "items_per_test": (30, 40),
    "or_items": {"ELA": (4, 5), "MATH": (3, 5), "SCI": (2, 4)},
    "sr_items": {"ELA": (0, 2), "MATH": (4, 6), "SCI": (0, 2)},
    "mc_guessing": (0.12, 0.25),
    "discrimination_median": 1.0,
    "discrimination_log_sd": 0.25,
    "discrimination_min": 0.8,
    "typical_group_effect": -0.45,  # mean group effect: item difficulty is set around it
    "difficulty_mean": -0.25,
    "difficulty_sd": 0.6,
    "difficulty_bounds": (-1.0, 0.5),
    "or_step": (-1.2, -0.4, 0.4, 1.2),
    "category_offset_sd": 0.20,
    "plausible_distractor": (0.30, 0.45),
    "blank": {"MC": 0.01, "SR": 0.015, "OR": 0.03},
    "low_discrimination_share": 0.6,
    "flaw_negative": {"a": (-1.1, -0.8), "b": (-0.3, 0.3), "c": 0.05},
    "flaw_low": {"a": (0.0, 0.03), "b": (-0.6, -0.2), "c": 0.2},
    "flaw_distractor": {"a": (0.8, 1.1), "b": (1.5, 2.0), "c": 0.05, "weights": (0.85, 0.10, 0.05)},
    # graduation (logit scale) and college and career readiness
    "graduated_4yr": 0.92,
    "graduation_logit": {
        "low_income": -0.5,
        "ell": -0.7,
        "swd": -0.8,
        "ability": 0.5,
        "school_sd": 0.3,
    },
    "graduation_race_logit": {
        "AI": -0.4,
        "AS": 0.4,
        "BL": -0.3,
        "HI": -0.35,
        "MR": 0.0,
        "PI": -0.2,
        "WH": 0.1,
    },
    "graduated_5yr_of_rest": 0.30,
    "dropout_of_non_graduates": 0.55,
    "took_ccr": 0.74,
    "ccr_score_mean": 20.8,
    "ccr_score_sd": 5.0,
    "ccr_score_bounds": (12, 36),
    "ccr_benchmark": 22,
    "advanced_credit": 0.35,
    "postsecondary_placement": 0.70,
    "career_ed_completer": 0.20,
    "career_ed_placed": 0.80,
}

SUBJECTS = ("ELA", "MATH", "SCI")
TESTED_GRADES = (3, 4, 5, 6, 7, 8, 10)
SCIENCE_GRADES = (5, 8, 10)
LEVEL_CUTS = (220, 240, 260)  # lowest scale score of levels 2, 3 and 4 (MCAS)
SUBLEVEL_CUTS = (210, 230)  # lowest HIGH-half score of levels 1 and 2
FLAWS = ("negative discrimination", "low discrimination", "distractor beats key")
TABLE_NAMES = ("students", "assessments", "items", "item_responses", "graduation", "ccr")

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
    }
)
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
}
_STUDENTS_PER_CHUNK = 25_000  # students per year written per chunk of schools
_ID_MULTIPLIER = 7_919_993  # odd, not a multiple of 5: a bijection modulo 10**9
_MC, _SR, _OR = 0, 1, 2
_K12, _ELEMENTARY, _K8, _MIDDLE, _HIGH = range(5)
_SPANS = {_K12: (0, 12), _ELEMENTARY: (0, 5), _K8: (0, 8), _MIDDLE: (6, 8), _HIGH: (9, 12)}
# Stream tags: each random stream is seeded by (seed, tag, ...), so streams never overlap.
_T_SCHOOLS, _T_NAMES, _T_ROSTER, _T_YEAR, _T_SCORES, _T_ITEMS, _T_RESPONSES, _T_GRAD = range(8)


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
    progress
        Called as ``progress(done, total)`` after each chunk is written.

    Returns
    -------
    DemoSummary
        Output folder, seed, rows per table and seconds taken.

    Notes
    -----
    Tables are ``students``, ``assessments``, ``items``, ``item_responses``, ``graduation``
    and ``ccr`` with exactly the columns of `kit.data.schemas` (optional ones included),
    plus ``items.demo_flaw``: empty for ordinary items, else one of `FLAWS`. State
    reference columns (``state_pct_correct``) are left empty because the data hold every
    student's responses.
    """
    started = time.perf_counter()
    _check_arguments(seed, districts, schools, students_per_grade, years, fmt, item_years)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    year_list = list(range(last_year - years + 1, last_year + 1))
    item_year_list = year_list[len(year_list) - item_years :] if item_years else []

    sch = _build_schools(seed, districts, schools)
    rosters, stu = _simulate_enrolment(seed, sch, year_list, students_per_grade)
    tests = [
        _build_test(seed, year, subject, grade)
        for year in item_year_list
        for subject, grade in _test_list()
    ]
    item_dictionary = pa.array(sorted({i for t in tests for i in t.item_ids}))
    chunks = _school_chunks(sch, students_per_grade)
    total, done = len(year_list) * len(chunks) + 1, 0

    with _Writers(out, fmt) as writers:
        for t, year in enumerate(year_list):
            year_tests = [x for x in tests if x.year == year]
            for c, (first, stop) in enumerate(chunks):
                roster = rosters[t].slice_schools(first, stop)
                chunk = _student_year(_rng(seed, _T_YEAR, t, c), sch, stu, roster, year)
                writers.write("students", _students_table(sch, chunk))
                scores = _assess(_rng(seed, _T_SCORES, t, c), sch, stu, chunk, t)
                writers.write("assessments", _assessments_table(sch, chunk, scores))
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
        graduation = _graduation(seed, sch, stu, rosters, year_list)
        writers.write("graduation", _graduation_table(sch, graduation))
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


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float | np.ndarray) -> float | np.ndarray:
    return np.log(p) - np.log1p(-p)


def _by_code(mapping: dict[str, float], codes: tuple[str, ...] = RACE_CODES) -> np.ndarray:
    return np.array([mapping[c] for c in codes], dtype=float)


def _test_list() -> list[tuple[int, int]]:
    """(subject index, grade) of every test, in output order."""
    return [
        (s, g)
        for s, subject in enumerate(SUBJECTS)
        for g in TESTED_GRADES
        if subject != "SCI" or g in SCIENCE_GRADES
    ]


# --- schools -------------------------------------------------------------------------------


@dataclass
class _Schools:
    """Per-school arrays for every school of every district (index = global school number)."""

    district: np.ndarray
    district_ids: list[str]
    district_names: list[str]
    ids: list[str]
    names: list[str]
    lo: np.ndarray
    hi: np.ndarray
    feeder: np.ndarray
    race_cum: np.ndarray
    low_income: np.ndarray
    low_income_shift: np.ndarray
    ell: np.ndarray
    ell_norm: np.ndarray
    title1: np.ndarray
    effect: np.ndarray
    trend: np.ndarray
    gap: np.ndarray
    absence: np.ndarray
    graduation: np.ndarray
    category_offset: np.ndarray

    @property
    def size(self) -> int:
        return len(self.ids)


def _district_layout(n: int) -> tuple[list[int], list[int]]:
    """School kinds and feeder targets (local index, -1 = none) of an n-school district."""
    if n == 1:
        return [_K12], [-1]
    if n == 2:
        return [_K8, _HIGH], [1, -1]
    n_high, n_mid, n_k8 = max(1, round(n / 6)), max(1, round(n / 3)), n // 12
    n_elem = n - n_high - n_mid - n_k8
    kinds = [_ELEMENTARY] * n_elem + [_K8] * n_k8 + [_MIDDLE] * n_mid + [_HIGH] * n_high
    first_mid, first_high = n_elem + n_k8, n_elem + n_k8 + n_mid
    feeder = (
        [first_mid + e % n_mid for e in range(n_elem)]
        + [first_high + k % n_high for k in range(n_k8)]
        + [first_high + m % n_high for m in range(n_mid)]
        + [-1] * n_high
    )
    return kinds, feeder


def _zone(feeder: list[int]) -> np.ndarray:
    """The last school down each school's feeder chain: its high-school attendance zone."""
    zone = np.arange(len(feeder))
    for _ in range(3):
        zone = np.array([z if feeder[z] < 0 else feeder[z] for z in zone])
    return zone


def _build_schools(seed: int, districts: int, per_district: int) -> _Schools:
    r = DEMO_RATES
    rng = _rng(seed, _T_SCHOOLS)
    name_rng = _rng(seed, _T_NAMES)
    kinds, feeder_local = _district_layout(per_district)
    zone_local = _zone(feeder_local)
    width_d, width_s = max(2, len(str(districts))), max(2, len(str(per_district)))
    district_ids = [f"D{d + 1:0{width_d}d}" for d in range(districts)]
    district_names = _pick_names(name_rng, _district_name_forms(), districts)
    ids, names, feeder, zone_need, declining = [], [], [], [], []
    for d in range(districts):
        ids += [f"{district_ids[d]}S{s + 1:0{width_s}d}" for s in range(per_district)]
        names += _school_names(name_rng, kinds)
        base = d * per_district
        feeder += [f + base if f >= 0 else -1 for f in feeder_local]
        zone_need.append(rng.normal(size=per_district)[zone_local])
        declining.append(base + int(rng.integers(per_district)))
    n = districts * per_district
    kind = np.tile(np.array(kinds), districts)
    # neighbourhood need: shared along a feeder pattern, but mostly the school's own
    need = 0.6 * np.concatenate(zone_need) + 0.8 * rng.normal(size=n)

    log_share = (
        np.log(_by_code(r["race_share"]))[None, :]
        + need[:, None] * _by_code(r["race_need_loading"])[None, :]
        + rng.normal(0, r["race_school_noise"], (n, len(RACE_CODES)))
    )
    share = np.exp(log_share)
    share /= share.sum(axis=1, keepdims=True)
    low_income = np.clip(
        r["low_income_center"] + r["low_income_need_slope"] * need + rng.normal(0, 0.04, n),
        *r["low_income_bounds"],
    )
    ell = rng.uniform(*r["ell_bounds"], n)
    effect = (rng.normal(0, r["school_effect_sd"], n) + r["school_need_effect"] * need)[:, None]
    effect = effect + rng.normal(0, r["school_subject_sd"], (n, len(SUBJECTS)))
    return _Schools(
        district=np.repeat(np.arange(districts), per_district),
        district_ids=district_ids,
        district_names=district_names,
        ids=ids,
        names=names,
        lo=np.array([_SPANS[k][0] for k in kind]),
        hi=np.array([_SPANS[k][1] for k in kind]),
        feeder=np.array(feeder),
        race_cum=np.cumsum(share, axis=1),
        low_income=low_income,
        low_income_shift=share @ _by_code(r["low_income_race_logit"]),
        ell=ell,
        ell_norm=share @ _by_code(r["ell_race_weight"]),
        title1=(low_income >= r["title1_low_income_cut"]) & (kind != _HIGH),
        effect=effect,
        trend=_school_trends(rng, n, declining),
        gap=rng.uniform(*r["gap_multiplier_bounds"], (n, 3)),
        absence=rng.normal(0, r["absence_school_sd"], n) + 0.1 * need,
        graduation=rng.normal(0, r["graduation_logit"]["school_sd"], n) - 0.2 * need,
        category_offset=rng.normal(0, r["category_offset_sd"], (n, len(_CATEGORIES))),
    )


def _school_trends(rng: np.random.Generator, n: int, declining: list[int]) -> np.ndarray:
    """Yearly change in theta: some schools improve several points a year, one per district declines."""
    r = DEMO_RATES
    improving = rng.random(n) < r["improving_share"]
    points = np.where(
        improving,
        rng.uniform(*r["trend_points"]["improving"], n),
        rng.uniform(*r["trend_points"]["flat"], n),
    )
    points[declining] = rng.uniform(*r["trend_points"]["declining"], len(declining))
    return points / r["scale_slope"]


def _pick_names(rng: np.random.Generator, forms: list[str], k: int) -> list[str]:
    """k distinct names drawn from forms; numbered ("No. 2") once the forms run out."""
    order = rng.permutation(len(forms))
    return [
        forms[order[i % len(forms)]] + (f" No. {i // len(forms) + 1}" if i >= len(forms) else "")
        for i in range(k)
    ]


def _district_name_forms() -> list[str]:
    return [
        f"{town} {form}"
        for town in _TOWNS
        for form in (
            "Unified",
            "Public Schools",
            "School District",
            "Regional School District",
            "Community Schools",
            "Unified School District",
        )
    ]


def _school_names(rng: np.random.Generator, kinds: list[int]) -> list[str]:
    forms = {
        _ELEMENTARY: (
            [f"{w} {s} Elementary" for w in _TREES for s in ("Street", "Avenue")]
            + [f"{w} Elementary" for w in _PEOPLE + _PLACES]
            + [f"{w} Elementary School" for w in _PEOPLE + _PLACES]
        ),
        _K8: [f"{w} K-8 School" for w in _PEOPLE + _PLACES],
        _MIDDLE: (
            [f"{w} Middle School" for w in _PEOPLE + _PLACES]
            + [f"{w} Intermediate School" for w in _PLACES]
        ),
        _HIGH: (
            [f"{w} High School" for w in _PLACES + _PEOPLE]
            + [f"{w} Regional High School" for w in _PLACES]
        ),
        _K12: [f"{w} Academy" for w in _PLACES + _PEOPLE],
    }
    picked = {k: iter(_pick_names(rng, forms[k], kinds.count(k))) for k in sorted(set(kinds))}
    return [next(picked[k]) for k in kinds]


def _school_chunks(sch: _Schools, students_per_grade: int) -> list[tuple[int, int]]:
    """Contiguous school ranges of about `_STUDENTS_PER_CHUNK` students each."""
    size = (sch.hi - sch.lo + 1) * students_per_grade
    bounds, start, running = [], 0, 0
    for s in range(sch.size):
        running += int(size[s])
        if running >= _STUDENTS_PER_CHUNK:
            bounds.append((start, s + 1))
            start, running = s + 1, 0
    if start < sch.size:
        bounds.append((start, sch.size))
    return bounds


# --- enrolment -----------------------------------------------------------------------------


@dataclass
class _Roster:
    """One year's enrolment, sorted by school, grade and student id."""

    sid: np.ndarray
    school: np.ndarray
    grade: np.ndarray
    entrant: np.ndarray  # new to the district this year, after kindergarten

    def slice_schools(self, first: int, stop: int) -> _Roster:
        a, b = np.searchsorted(self.school, [first, stop])
        return _Roster(self.sid[a:b], self.school[a:b], self.grade[a:b], self.entrant[a:b])


@dataclass
class _Students:
    """Attributes fixed when a student first enrols (index = internal student number)."""

    id_number: np.ndarray
    race: np.ndarray
    gender: np.ndarray
    low_income: np.ndarray
    swd: np.ndarray
    alternate: np.ndarray
    migrant: np.ndarray
    ell_entry: np.ndarray
    former_entry: np.ndarray
    ell_exit_year: np.ndarray
    ability: np.ndarray
    subject_ability: np.ndarray
    attendance: np.ndarray


def _simulate_enrolment(
    seed: int, sch: _Schools, years: list[int], per_grade: int
) -> tuple[list[_Roster], _Students]:
    """Rosters for every year, and the attributes of every student who ever enrols."""
    slot_school = np.repeat(np.arange(sch.size), sch.hi - sch.lo + 1)
    slot_grade = np.concatenate([np.arange(a, b + 1) for a, b in zip(sch.lo, sch.hi, strict=True)])
    offset = int(_rng(seed, _T_ROSTER).integers(10**9))
    rosters: list[_Roster] = []
    parts: list[dict[str, np.ndarray]] = []
    n_students = 0
    for t, year in enumerate(years):
        rng = _rng(seed, _T_ROSTER, t + 1)
        if t == 0:
            kept = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
        else:
            kept = _promote(rng, sch, rosters[-1], per_grade)
        taken = np.bincount(kept[0] * 13 + kept[1], minlength=sch.size * 13)
        need = per_grade - taken[slot_school * 13 + slot_grade]
        new_school, new_grade = np.repeat(slot_school, need), np.repeat(slot_grade, need)
        new_sid = n_students + np.arange(len(new_school))
        n_students += len(new_school)
        parts.append(_new_students(rng, sch, new_school, new_grade, year))
        school = np.concatenate([kept[0], new_school])
        grade = np.concatenate([kept[1], new_grade])
        sid = np.concatenate([kept[2], new_sid])
        entrant = np.concatenate([np.zeros(len(kept[0]), bool), (new_grade > 0) & (t > 0)])
        id_number = _id_number(sid, offset)
        order = np.lexsort((id_number, grade, school))
        rosters.append(_Roster(sid[order], school[order], grade[order], entrant[order]))
    attrs = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    all_ids = _id_number(np.arange(n_students), offset)
    return rosters, _Students(id_number=all_ids, **attrs)


def _id_number(sid: np.ndarray, offset: int) -> np.ndarray:
    """Opaque, unique 10-digit state ids from internal numbers (an affine bijection)."""
    return 1_000_000_000 + (sid.astype(np.int64) * _ID_MULTIPLIER + offset) % 1_000_000_000


def _promote(
    rng: np.random.Generator, sch: _Schools, prev: _Roster, per_grade: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last year's students one grade up, at the same or the feeder school, up to capacity."""
    r = DEMO_RATES
    grade = prev.grade + 1
    same = grade <= sch.hi[prev.school]
    target = np.where(same, prev.school, sch.feeder[prev.school])
    stay = rng.random(len(grade)) < np.where(same, r["stay_in_school"], r["stay_to_feeder"])
    ok = (grade <= 12) & (target >= 0) & stay
    school, grade, sid = target[ok], grade[ok], prev.sid[ok]
    order = np.lexsort((rng.random(len(school)), grade, school))
    school, grade, sid = school[order], grade[order], sid[order]
    key = school * 13 + grade
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    rank = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    keep = rank < per_grade
    return school[keep], grade[keep], sid[keep]


def _choose(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """One categorical draw per row of cumulative probabilities ``cum`` (draws x categories)."""
    u = rng.random(cum.shape[0])
    return (u[:, None] > cum[:, :-1]).sum(axis=1).astype(np.int8)


def _new_students(
    rng: np.random.Generator, sch: _Schools, school: np.ndarray, grade: np.ndarray, year: int
) -> dict[str, np.ndarray]:
    """Attributes of students enrolling for the first time, drawn from their school's rates."""
    r = DEMO_RATES
    n = len(school)
    race = _choose(rng, sch.race_cum[school])
    gender_cum = np.cumsum(_by_code(r["gender_share"], GENDER_CODES))
    gender = _choose(rng, np.broadcast_to(gender_cum, (n, len(GENDER_CODES))))
    # the race shift is centred on the school's mix so the school keeps its rate
    low_income = rng.random(n) < _sigmoid(
        _logit(sch.low_income[school])
        + _by_code(r["low_income_race_logit"])[race]
        - sch.low_income_shift[school]
    )
    swd = rng.random(n) < _by_code(r["swd_by_gender"], GENDER_CODES)[gender]
    ell_weight = _by_code(r["ell_race_weight"])[race] / sch.ell_norm[school]
    u = rng.random(n)
    ell_entry = u < np.minimum(0.9, sch.ell[school] * ell_weight)
    former_entry = ~ell_entry & (u > 1 - r["former_ell"] * ell_weight) & (grade > 0)
    hispanic = race == RACE_CODES.index("HI")
    migrant_p = r["migrant"] / (1 + (r["migrant_hispanic_ratio"] - 1) * 0.2)
    return {
        "race": race,
        "gender": gender,
        "low_income": low_income,
        "swd": swd,
        "alternate": swd & (rng.random(n) < r["alternate_share_of_swd"]),
        "migrant": rng.random(n) < np.where(hispanic, r["migrant_hispanic_ratio"], 1) * migrant_p,
        "ell_entry": ell_entry,
        "former_entry": former_entry,
        "ell_exit_year": (year + rng.geometric(r["ell_exit_per_year"], n)).astype(np.int16),
        "ability": rng.normal(size=n).astype(np.float32),
        "subject_ability": rng.normal(size=(n, len(SUBJECTS))).astype(np.float32),
        "attendance": rng.normal(size=n).astype(np.float32),
    }


# --- one year of one chunk of schools -------------------------------------------------------


@dataclass
class _Chunk:
    """Students of a chunk of schools in one year, with their attributes that year."""

    year: int
    roster: _Roster
    student_id: pa.Array
    race: np.ndarray
    gender: np.ndarray
    low_income: np.ndarray
    ell: np.ndarray
    former_ell: np.ndarray
    swd: np.ndarray
    migrant: np.ndarray
    homeless: np.ndarray
    fay: np.ndarray
    days_enrolled: np.ndarray
    days_attended: np.ndarray


def _student_year(
    rng: np.random.Generator, sch: _Schools, stu: _Students, roster: _Roster, year: int
) -> _Chunk:
    """Year-specific status (ELL exit, homelessness, FAY, attendance) of a chunk's students."""
    r = DEMO_RATES
    sid, school, n = roster.sid, roster.school, len(roster.sid)
    ell = stu.ell_entry[sid] & (year < stu.ell_exit_year[sid])
    former = stu.former_entry[sid] | (stu.ell_entry[sid] & ~ell)
    low_income = stu.low_income[sid]
    homeless = low_income & (rng.random(n) < r["homeless_share_of_low_income"])
    p_non_fay = np.where(roster.entrant, r["non_fay_new_entrant"], r["non_fay"])
    fay = rng.random(n) >= p_non_fay + homeless * r["non_fay_homeless"]
    days = r["days_in_year"]
    enrolled = np.where(fay, days - rng.poisson(0.6, n).clip(0, 10), rng.integers(40, days - 14, n))
    effect = r["absence_log_effect"]
    log_absence = (
        np.log(r["absence_median"])
        + sch.absence[school]
        + effect["low_income"] * low_income
        + effect["swd"] * stu.swd[sid]
        + effect["homeless"] * homeless
        + r["absence_student_sd"] * stu.attendance[sid]
        + rng.normal(0, r["absence_year_sd"], n)
    )
    absence = np.clip(np.exp(log_absence), 0, 0.6)
    attended = np.round(enrolled * (1 - absence)).astype(np.int32)
    student_id = pa.array(stu.id_number[sid]).cast(pa.string())
    return _Chunk(
        year,
        roster,
        student_id,
        stu.race[sid],
        stu.gender[sid],
        low_income,
        ell,
        former,
        stu.swd[sid],
        stu.migrant[sid],
        homeless,
        fay,
        enrolled.astype(np.int32),
        attended,
    )


@dataclass
class _Scores:
    """Assessment rows of a chunk: one per tested-grade student per subject."""

    row: np.ndarray  # index into the chunk's students
    subject: np.ndarray
    participation: np.ndarray
    alternate: np.ndarray
    theta: np.ndarray
    scale_score: np.ndarray  # NaN when not reported
    level: np.ndarray  # 0 when not tested
    sublevel: np.ndarray  # -1 when none


def _assess(
    rng: np.random.Generator, sch: _Schools, stu: _Students, chunk: _Chunk, year_index: int
) -> _Scores:
    """Participation, latent ability, scale score and level for each student and subject."""
    r = DEMO_RATES
    grades = chunk.roster.grade
    tested = np.flatnonzero(np.isin(grades, TESTED_GRADES))
    n_subjects = 2 + np.isin(grades[tested], SCIENCE_GRADES)
    row = np.repeat(tested, n_subjects)
    subject = np.arange(len(row)) - np.repeat(np.cumsum(n_subjects) - n_subjects, n_subjects)
    theta = _theta(rng, sch, stu, chunk, row, subject, year_index)
    participation = _participation(rng, row, len(chunk.roster.sid))
    alternate = stu.alternate[chunk.roster.sid[row]]
    general = (participation == 0) & ~alternate
    scale = np.clip(2 * np.round((r["scale_center"] + r["scale_slope"] * theta) / 2), 200, 280)
    level = np.where(general, np.searchsorted(LEVEL_CUTS, scale, side="right") + 1, 0)
    alt_tested = (participation == 0) & alternate
    alt_level = (
        _choose(rng, np.broadcast_to(np.cumsum(r["alternate_levels"]), (int(alt_tested.sum()), 4)))
        + 1
    )
    level[alt_tested] = alt_level
    high_half = np.where(level == 1, scale >= SUBLEVEL_CUTS[0], scale >= SUBLEVEL_CUTS[1])
    high_half = np.where(alternate, rng.random(len(row)) < 0.5, high_half)
    sublevel = np.where((level == 1) | (level == 2), high_half.astype(int), -1)
    return _Scores(
        row,
        subject,
        participation,
        alternate,
        theta,
        np.where(general, scale, np.nan),
        level,
        sublevel,
    )


def _theta(
    rng: np.random.Generator,
    sch: _Schools,
    stu: _Students,
    chunk: _Chunk,
    row: np.ndarray,
    subject: np.ndarray,
    year_index: int,
) -> np.ndarray:
    """Latent ability: school, trend, group gaps (scaled per school), person and noise."""
    r = DEMO_RATES
    sid, school = chunk.roster.sid[row], chunk.roster.school[row]
    grade = chunk.roster.grade[row]
    g, gap = r["group_effect"], sch.gap[school]
    intercept = _grade_intercepts()[subject, grade]
    groups = (
        gap[:, 0] * g["low_income"] * chunk.low_income[row]
        + gap[:, 1] * g["ell"] * chunk.ell[row]
        + gap[:, 2] * g["swd"] * chunk.swd[row]
        + g["former_ell"] * chunk.former_ell[row]
        + g["homeless"] * chunk.homeless[row]
        + g["migrant"] * chunk.migrant[row]
        + _by_code(r["race_effect"])[chunk.race[row]]
        + _by_code(r["female_effect"], SUBJECTS)[subject] * (chunk.gender[row] == 0)
    )
    person = (
        r["person_sd"] * stu.ability[sid]
        + r["person_subject_sd"] * stu.subject_ability[sid, subject]
    )
    return (
        intercept
        + sch.effect[school, subject]
        + sch.trend[school] * year_index
        + groups
        + person
        + rng.normal(0, r["occasion_sd"], len(row))
    )


@functools.cache
def _grade_intercepts() -> np.ndarray:
    """Subject x grade intercepts; fixed (not seeded) so tests are comparable across seeds."""
    r = DEMO_RATES
    wobble = np.random.default_rng(20240).normal(0, r["grade_intercept_sd"], (len(SUBJECTS), 13))
    return _by_code(r["subject_intercept"], SUBJECTS)[:, None] + wobble


def _participation(rng: np.random.Generator, row: np.ndarray, n_students: int) -> np.ndarray:
    """Index into PARTICIPATION_CODES: whole-student absences plus single-subject ones."""
    r = DEMO_RATES
    codes = r["not_tested_codes"]
    cum = np.cumsum([codes[c] for c in PARTICIPATION_CODES[1:]])
    student_out = rng.random(n_students) < r["not_tested_student"]
    student_code = 1 + (rng.random(n_students)[:, None] > cum[None, :-1]).sum(axis=1)
    subject_out = rng.random(len(row)) < r["not_tested_subject"]
    subject_code = 1 + (rng.random(len(row))[:, None] > cum[None, :-1]).sum(axis=1)
    out = np.where(student_out[row], student_code[row], np.where(subject_out, subject_code, 0))
    return out.astype(np.int8)


# --- items and item responses ---------------------------------------------------------------


@dataclass
class _Test:
    """Items of one test (year x subject x grade) with their response-model parameters."""

    year: int
    subject: int
    grade: int
    item_ids: list[str]
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    thresholds: np.ndarray  # (items, 4) graded-response thresholds; used for OR items
    key: np.ndarray  # option index of the key, -1 if not MC
    options: np.ndarray  # (items, 4) option index by attractiveness: key, then distractors
    distractor_cum: np.ndarray  # (items, 3) cumulative pull of the three distractors
    category: np.ndarray  # index into _CATEGORIES
    standard: list[str]
    description: list[str]
    flaw: list[str | None]


def _build_test(seed: int, year: int, subject: int, grade: int) -> _Test:
    r = DEMO_RATES
    rng = _rng(seed, _T_ITEMS, year, subject, grade)
    name = SUBJECTS[subject]
    n = int(rng.integers(r["items_per_test"][0], r["items_per_test"][1] + 1))
    n_or = int(rng.integers(r["or_items"][name][0], r["or_items"][name][1] + 1))
    n_sr = int(rng.integers(r["sr_items"][name][0], r["sr_items"][name][1] + 1))
    kind = rng.permutation(
        np.r_[np.full(n - n_or - n_sr, _MC), np.full(n_sr, _SR), np.full(n_or, _OR)]
    ).astype(np.int8)
    a = np.maximum(
        r["discrimination_min"],
        r["discrimination_median"] * np.exp(rng.normal(0, r["discrimination_log_sd"], n)),
    )
    b = np.clip(rng.normal(r["difficulty_mean"], r["difficulty_sd"], n), *r["difficulty_bounds"])
    c = np.where(kind == _MC, rng.uniform(*r["mc_guessing"], n), 0.0)
    thresholds = b[:, None] + 0.4 + np.array(r["or_step"])[None, :] + rng.normal(0, 0.15, (n, 4))
    thresholds.sort(axis=1)
    key = np.where(kind == _MC, rng.integers(0, 4, n), -1)
    options = np.array(
        [[k, *rng.permutation([o for o in range(4) if o != k])] for k in np.maximum(key, 0)]
    )
    plausible = rng.uniform(*r["plausible_distractor"], n)
    rest = 1 - plausible
    weights = np.c_[plausible, rest * 0.6, rest * 0.4]
    flaw: list[str | None] = [None] * n
    _plant_flaws(rng, kind, a, b, c, weights, flaw)
    # difficulty is relative to the typical student taking this test
    shift = _grade_intercepts()[subject, grade] + r["typical_group_effect"]
    b, thresholds = b + shift, thresholds + shift
    category, standard, description = _content(rng, name, grade, kind)
    prefix = name[0]
    return _Test(
        year,
        subject,
        grade,
        [f"{prefix}{grade}-{i + 1:02d}" for i in range(n)],
        kind,
        a,
        b,
        c,
        thresholds,
        key,
        options,
        np.cumsum(weights, axis=1),
        category,
        standard,
        description,
        flaw,
    )


def _plant_flaws(
    rng: np.random.Generator,
    kind: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    weights: np.ndarray,
    flaw: list[str | None],
) -> None:
    """Make 2-3 MC items weak on purpose (in place) and name the weakness in `flaw`."""
    r = DEMO_RATES
    mc = np.flatnonzero(kind == _MC)
    n_flaws = 3 if rng.random() < r["low_discrimination_share"] else 2
    picked = rng.choice(mc, size=n_flaws, replace=False)
    plans = [
        ("negative discrimination", r["flaw_negative"]),
        ("distractor beats key", r["flaw_distractor"]),
        ("low discrimination", r["flaw_low"]),
    ][:n_flaws]
    for i, (label, plan) in zip(picked, plans, strict=True):
        a[i], b[i], c[i] = rng.uniform(*plan["a"]), rng.uniform(*plan["b"]), plan["c"]
        if "weights" in plan:
            weights[i] = plan["weights"]
        flaw[i] = label


def _content(
    rng: np.random.Generator, subject: str, grade: int, kind: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    """Reporting category index, standard code and description of each item."""
    if subject == "ELA":
        strands = np.where(kind == _OR, 3, rng.choice(3, len(kind), p=[0.4, 0.4, 0.2]))
        domains = [_ELA_STRANDS[s] for s in strands]
    elif subject == "MATH":
        table = _MATH_DOMAINS[grade]
        domains = [table[i] for i in rng.integers(0, len(table), len(kind))]
    else:
        table = _SCI_DCIS[grade]
        domains = [table[i] for i in rng.integers(0, len(table), len(kind))]
    numbers = [int(rng.integers(1, d[1] + 1)) for d in domains]
    standard = [
        _standard_code(subject, grade, d[0], k) for d, k in zip(domains, numbers, strict=True)
    ]
    category = np.array([_CATEGORIES.index(_category(subject, d[0])) for d in domains])
    descriptions = [
        _DESCRIPTIONS[d[0]][(k - 1) % len(_DESCRIPTIONS[d[0]])]
        for d, k in zip(domains, numbers, strict=True)
    ]
    return category, standard, descriptions


def _standard_code(subject: str, grade: int, domain: str, number: int) -> str:
    if subject == "ELA":
        return f"{domain}.{'9-10' if grade == 10 else grade}.{number}"
    if subject == "MATH":
        return f"{domain}.{number}" if grade == 10 else f"{grade}.{domain}.{number}"
    band = {5: "5", 8: "MS", 10: "HS"}[grade]
    if domain == "ETS1" and grade == 5:
        band = "3-5"
    return f"{band}-{domain}-{number}"


def _category(subject: str, domain: str) -> str:
    if subject == "ELA":
        return _ELA_CATEGORY[domain]
    if subject == "MATH":
        return _MATH_CATEGORY[domain]
    return _SCI_CATEGORY[domain[:2]]


def _respond(
    rng: np.random.Generator, test: _Test, theta: np.ndarray, school: np.ndarray, sch: _Schools
) -> tuple[np.ndarray, np.ndarray]:
    """Chosen option (-1 = blank or not MC) and points, each (students, items)."""
    r = DEMO_RATES
    n, k = len(theta), len(test.kind)
    ability = theta[:, None] + sch.category_offset[school[:, None], test.category[None, :]]
    p_correct = test.c + (1 - test.c) * _sigmoid(1.7 * test.a * (ability - test.b))
    u = rng.random((n, k))
    points = (u < p_correct).astype(np.int32)
    is_or = np.flatnonzero(test.kind == _OR)
    if len(is_or):
        steps = _sigmoid(
            1.7 * test.a[is_or, None] * (ability[:, is_or, None] - test.thresholds[None, is_or, :])
        )
        points[:, is_or] = (u[:, is_or, None] < steps).sum(axis=2)
    choice = 1 + (rng.random((n, k))[:, :, None] > test.distractor_cum[None, :, :2]).sum(axis=2)
    rank = np.where(points > 0, 0, choice)
    option = np.take_along_axis(np.broadcast_to(test.options, (n, k, 4)), rank[:, :, None], axis=2)[
        :, :, 0
    ]
    blank_rate = np.array([r["blank"][ITEM_TYPES[t]] for t in test.kind])
    blank = rng.random((n, k)) < blank_rate[None, :]
    points[blank] = 0
    option = np.where((test.kind == _MC)[None, :] & ~blank, option, -1)
    return option.astype(np.int8), points


# --- graduation and ccr ---------------------------------------------------------------------


@dataclass
class _Graduation:
    cohort_year: np.ndarray
    sid: np.ndarray
    school: np.ndarray
    race: np.ndarray
    low_income: np.ndarray
    ell: np.ndarray
    swd: np.ndarray
    graduated_4yr: np.ndarray
    graduated_5yr: np.ndarray
    dropout: np.ndarray
    ability: np.ndarray
    id_number: np.ndarray


def _graduation(
    seed: int, sch: _Schools, stu: _Students, rosters: list[_Roster], years: list[int]
) -> _Graduation:
    """One four-year cohort per year: the school's grade-12 students that year."""
    r = DEMO_RATES
    g = r["graduation_logit"]
    parts = []
    for t, year in enumerate(years):
        rng = _rng(seed, _T_GRAD, t)
        roster = rosters[t]
        sid, school = roster.sid[roster.grade == 12], roster.school[roster.grade == 12]
        n = len(sid)
        ell = stu.ell_entry[sid] & (year < stu.ell_exit_year[sid])
        logit = (
            _logit(r["graduated_4yr"])
            + sch.graduation[school]
            + g["low_income"] * stu.low_income[sid]
            + g["ell"] * ell
            + g["swd"] * stu.swd[sid]
            + g["ability"] * stu.ability[sid]
            + _by_code(r["graduation_race_logit"])[stu.race[sid]]
        )
        grad4 = rng.random(n) < _sigmoid(logit)
        grad5 = grad4 | (rng.random(n) < r["graduated_5yr_of_rest"])
        dropout = ~grad5 & (rng.random(n) < r["dropout_of_non_graduates"])
        parts.append(
            dict(
                cohort_year=np.full(n, year),
                sid=sid,
                school=school,
                race=stu.race[sid],
                low_income=stu.low_income[sid],
                ell=ell,
                swd=stu.swd[sid],
                graduated_4yr=grad4,
                graduated_5yr=grad5,
                dropout=dropout,
                ability=stu.ability[sid],
                id_number=stu.id_number[sid],
            )
        )
    return _Graduation(**{k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def _ccr(seed: int, grad: _Graduation, years: list[int]) -> dict[str, np.ndarray]:
    """One row per graduate in the year they graduate (4-year, or 5-year one year later)."""
    r = DEMO_RATES
    late = grad.graduated_5yr & ~grad.graduated_4yr & (grad.cohort_year < years[-1])
    rows = np.flatnonzero(grad.graduated_4yr | late)
    year = grad.cohort_year[rows] + late[rows]
    order = np.lexsort((grad.id_number[rows], grad.school[rows], year))
    rows, year = rows[order], year[order]
    rng = _rng(seed, _T_GRAD, len(years))
    n, ability = len(rows), grad.ability[rows]
    low_income = grad.low_income[rows]
    took = rng.random(n) < _sigmoid(_logit(r["took_ccr"]) + 0.6 * ability - 0.3 * low_income)
    score = np.clip(
        np.round(
            r["ccr_score_mean"] + r["ccr_score_sd"] * (0.8 * ability + 0.6 * rng.normal(size=n))
        ),
        *r["ccr_score_bounds"],
    )
    completer = rng.random(n) < r["career_ed_completer"]
    return {
        "year": year,
        "id_number": grad.id_number[rows],
        "school": grad.school[rows],
        "took_ccr_assessment": took,
        "met_ccr_standard": took & (score >= r["ccr_benchmark"]),
        "ccr_score": np.where(took, score, np.nan),
        "advanced_credit": rng.random(n) < _sigmoid(_logit(r["advanced_credit"]) + 0.8 * ability),
        "postsecondary_placement": rng.random(n)
        < _sigmoid(_logit(r["postsecondary_placement"]) + 0.5 * ability - 0.3 * low_income),
        "career_ed_completer": completer,
        "career_ed_placed": completer & (rng.random(n) < r["career_ed_placed"]),
    }


# --- Arrow tables and writers ---------------------------------------------------------------


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


def _students_table(sch: _Schools, chunk: _Chunk) -> pa.Table:
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


def _graduation_table(sch: _Schools, grad: _Graduation) -> pa.Table:
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


# --- catalogs: names, standards, reporting categories ---------------------------------------

_TREES = (
    "Maple",
    "Oak",
    "Cedar",
    "Willow",
    "Birch",
    "Elm",
    "Pine",
    "Chestnut",
    "Walnut",
    "Hawthorn",
    "Juniper",
    "Magnolia",
    "Sycamore",
    "Linden",
    "Hickory",
    "Spruce",
    "Laurel",
    "Poplar",
    "Cherry",
    "Locust",
)
_PEOPLE = (
    "Lincoln",
    "Washington",
    "Jefferson",
    "Roosevelt",
    "Kennedy",
    "Adams",
    "Franklin",
    "Madison",
    "Hamilton",
    "Douglass",
    "Tubman",
    "King",
    "Parks",
    "Chavez",
    "Keller",
    "Carver",
    "Edison",
    "Whitman",
    "Emerson",
    "Thoreau",
    "Alcott",
    "Dickinson",
    "Longfellow",
    "Frost",
    "Revere",
    "Hancock",
    "Bradford",
    "Mann",
    "Barton",
    "Earhart",
    "Marshall",
    "Jackson",
    "Truman",
    "Wilson",
    "Grant",
    "Monroe",
    "Bethune",
    "Clemente",
    "Lowell",
    "Sojourner Truth",
)
_PLACES = (
    "Riverside",
    "Lakeside",
    "Hillcrest",
    "Brookside",
    "Fairview",
    "Pleasant Valley",
    "Sunnyside",
    "Meadowbrook",
    "Westwood",
    "Eastwood",
    "Northfield",
    "Southfield",
    "Greenfield",
    "Highland",
    "Harbor View",
    "Bayview",
    "Stonebridge",
    "Mill Creek",
    "Fox Run",
    "Cherry Hill",
    "Spring Valley",
    "Prospect Hill",
    "Summit",
    "Woodland",
    "Forest Glen",
    "Crestview",
    "Ridgeway",
    "Clearwater",
    "Silver Lake",
    "Pine Ridge",
    "Oakdale",
    "Glenwood",
    "Kingsley",
    "Ashford",
    "Willowbrook",
    "Edgewood",
    "Parkside",
    "Valley View",
    "Cedar Creek",
    "Bridgewater",
)
_TOWNS = (
    "Riverside",
    "Maplewood",
    "Fairhaven",
    "Brookfield",
    "Westbrook",
    "Ashland",
    "Clearwater",
    "Greenville",
    "Millbrook",
    "Springdale",
    "Lakewood",
    "Oakridge",
    "Franklin",
    "Cedar Falls",
    "Stonington",
    "Hartwell",
    "Belmont",
    "Northport",
    "Kingston",
    "Marlow",
    "Easton",
    "Weston",
    "Salem",
    "Bristol",
    "Dover",
    "Milton",
    "Harmony",
    "Granite City",
    "Pine Bluff",
    "Fair Oaks",
)

# (domain code, number of standards) by grade; reporting categories by domain
_MATH_DOMAINS = {
    3: (("OA", 9), ("NBT", 3), ("NF", 3), ("MD", 8), ("G", 2)),
    4: (("OA", 5), ("NBT", 6), ("NF", 7), ("MD", 7), ("G", 3)),
    5: (("OA", 3), ("NBT", 7), ("NF", 7), ("MD", 5), ("G", 4)),
    6: (("RP", 3), ("NS", 8), ("EE", 9), ("G", 4), ("SP", 5)),
    7: (("RP", 3), ("NS", 3), ("EE", 4), ("G", 6), ("SP", 8)),
    8: (("NS", 2), ("EE", 8), ("F", 5), ("G", 9), ("SP", 4)),
    10: (
        ("N-RN", 3),
        ("N-Q", 3),
        ("A-SSE", 4),
        ("A-CED", 4),
        ("A-REI", 12),
        ("F-IF", 9),
        ("F-LE", 5),
        ("G-CO", 13),
        ("G-SRT", 8),
        ("S-ID", 9),
    ),
}
_MATH_CATEGORY = {
    "OA": "Operations and Algebraic Thinking",
    "NBT": "Number and Operations in Base Ten",
    "NF": "Number and Operations - Fractions",
    "MD": "Measurement and Data",
    "G": "Geometry",
    "RP": "Ratios and Proportional Relationships",
    "NS": "The Number System",
    "EE": "Expressions and Equations",
    "F": "Functions",
    "SP": "Statistics and Probability",
    "N-RN": "Number and Quantity",
    "N-Q": "Number and Quantity",
    "A-SSE": "Algebra",
    "A-CED": "Algebra",
    "A-REI": "Algebra",
    "F-IF": "Functions",
    "F-LE": "Functions",
    "G-CO": "Geometry",
    "G-SRT": "Geometry",
    "S-ID": "Statistics and Probability",
}
_ELA_STRANDS = (("RL", 7), ("RI", 8), ("L", 6), ("W", 3))
_ELA_CATEGORY = {
    "RL": "Reading Literature",
    "RI": "Reading Informational Text",
    "L": "Language",
    "W": "Writing",
}
_SCI_DCIS = {
    5: (
        ("PS1", 4),
        ("PS2", 1),
        ("PS3", 1),
        ("LS1", 1),
        ("LS2", 2),
        ("ESS1", 2),
        ("ESS2", 2),
        ("ESS3", 1),
        ("ETS1", 3),
    ),
    8: (
        ("PS1", 6),
        ("PS2", 5),
        ("PS3", 5),
        ("LS1", 8),
        ("LS2", 5),
        ("LS3", 2),
        ("LS4", 6),
        ("ESS1", 4),
        ("ESS2", 6),
        ("ESS3", 5),
        ("ETS1", 4),
    ),
    10: (
        ("PS1", 8),
        ("PS2", 6),
        ("PS3", 5),
        ("LS1", 7),
        ("LS2", 8),
        ("LS3", 3),
        ("LS4", 5),
        ("ESS1", 6),
        ("ESS2", 7),
        ("ESS3", 6),
        ("ETS1", 4),
    ),
}
_SCI_CATEGORY = {
    "PS": "Physical Science",
    "LS": "Life Science",
    "ES": "Earth and Space Science",
    "ET": "Technology/Engineering",
}
_CATEGORIES = sorted({*_MATH_CATEGORY.values(), *_ELA_CATEGORY.values(), *_SCI_CATEGORY.values()})

# Short descriptions by domain (no commas: CSV is written unquoted)
_DESCRIPTIONS = {
    "OA": (
        "Solve a two-step word problem",
        "Interpret products of whole numbers",
        "Find an unknown number in a multiplication equation",
        "Identify an arithmetic pattern",
        "Apply properties of operations",
    ),
    "NBT": (
        "Round whole numbers using place value",
        "Compare multi-digit numbers",
        "Multiply multi-digit whole numbers",
        "Divide using place-value strategies",
        "Read and write decimals",
    ),
    "NF": (
        "Compare two fractions",
        "Recognize equivalent fractions",
        "Add and subtract fractions with like denominators",
        "Multiply a fraction by a whole number",
        "Place a fraction on a number line",
        "Use decimal notation for fractions",
    ),
    "MD": (
        "Solve a problem involving elapsed time",
        "Find the area of a rectangle",
        "Find the perimeter of a polygon",
        "Read a line plot",
        "Find the volume of a rectangular prism",
        "Measure an angle",
    ),
    "G": (
        "Classify two-dimensional shapes",
        "Identify lines of symmetry",
        "Find the area of a composite figure",
        "Graph points in the coordinate plane",
        "Apply the Pythagorean theorem",
        "Describe a transformation",
    ),
    "RP": (
        "Use ratio language",
        "Find a unit rate",
        "Solve a percent problem",
        "Recognize a proportional relationship",
    ),
    "NS": (
        "Divide a fraction by a fraction",
        "Add and subtract rational numbers",
        "Order rational numbers",
        "Approximate an irrational number",
    ),
    "EE": (
        "Write an expression with variables",
        "Solve a one-variable equation",
        "Solve a one-variable inequality",
        "Apply the laws of exponents",
        "Solve a system of two linear equations",
    ),
    "F": (
        "Decide whether a relation is a function",
        "Compare two functions",
        "Interpret the rate of change",
        "Construct a linear function",
    ),
    "SP": (
        "Describe a data distribution",
        "Find the mean and median",
        "Use a random sample to draw inferences",
        "Find the probability of a compound event",
        "Interpret a scatter plot",
    ),
    "N-RN": (
        "Rewrite expressions with rational exponents",
        "Explain sums of rational and irrational numbers",
    ),
    "N-Q": ("Choose units in a multi-step problem", "Choose an appropriate level of accuracy"),
    "A-SSE": (
        "Interpret parts of an expression",
        "Factor a quadratic expression",
        "Rewrite an expression in an equivalent form",
    ),
    "A-CED": ("Create an equation to model a situation", "Rearrange a formula"),
    "A-REI": (
        "Solve a linear equation",
        "Solve a quadratic equation",
        "Solve a system of equations",
        "Graph the solutions of an inequality",
    ),
    "F-IF": (
        "Use function notation",
        "Interpret key features of a graph",
        "Find an average rate of change",
        "Graph a quadratic function",
    ),
    "F-LE": ("Distinguish linear from exponential growth", "Construct an exponential function"),
    "G-CO": (
        "Describe a rigid motion",
        "Prove two triangles congruent",
        "Prove a theorem about lines and angles",
    ),
    "G-SRT": ("Use similarity to find a length", "Use trigonometric ratios in right triangles"),
    "S-ID": (
        "Compare the center and spread of data sets",
        "Fit a linear model to data",
        "Interpret a correlation coefficient",
    ),
    "RL": (
        "Cite evidence to support an inference",
        "Determine the theme of a story",
        "Describe how a character changes",
        "Determine the meaning of a word or phrase",
        "Explain how the structure of a text shapes its meaning",
        "Describe how point of view shapes a story",
        "Compare a story with its film version",
    ),
    "RI": (
        "Cite evidence to support an analysis",
        "Determine the central idea of a text",
        "Explain the relationship between events or ideas",
        "Determine the meaning of a domain-specific word",
        "Analyze how a text is organized",
        "Identify the author's purpose",
        "Integrate information from a chart or graph",
        "Evaluate an argument and its claims",
    ),
    "L": (
        "Use standard English grammar",
        "Use capitalization and punctuation correctly",
        "Choose words for effect",
        "Use context clues to determine meaning",
        "Interpret figurative language",
        "Use grade-level academic vocabulary",
    ),
    "W": (
        "Write an argument supported by evidence",
        "Write an informative text",
        "Write a narrative using effective technique",
    ),
    "PS1": (
        "Describe the structure and properties of matter",
        "Model how particles combine in a chemical reaction",
        "Show that mass is conserved in a change",
    ),
    "PS2": ("Analyze the forces acting on an object", "Predict motion from balanced forces"),
    "PS3": ("Trace the transfer of energy", "Relate kinetic energy to mass and speed"),
    "LS1": (
        "Relate the structure of an organism to its function",
        "Explain how cells carry out life processes",
    ),
    "LS2": ("Model the flow of energy in a food web", "Explain interactions in an ecosystem"),
    "LS3": ("Explain how traits are inherited", "Relate mutations to traits"),
    "LS4": ("Use fossil evidence of change over time", "Explain natural selection"),
    "ESS1": ("Model the motion of the Earth and Moon", "Interpret the rock record"),
    "ESS2": ("Describe the water cycle", "Explain how weather and climate differ"),
    "ESS3": (
        "Evaluate ways to reduce human impact on the environment",
        "Relate natural resources to human activity",
    ),
    "ETS1": (
        "Define a design problem and its criteria",
        "Compare solutions to a design problem",
        "Plan a fair test of a prototype",
    ),
}
