"""The demo's MSIP 5 and PBMAS columns of the students table, and its pre-kindergarten children.

Every draw here comes from streams of its own (``_T_PROGRAMS``, ``_T_PROGRAM_YEAR``,
``_T_PK``), so the columns the generator wrote before these were added keep their values:
the new columns are read off the simulated students (their grade, flags, attendance, and
whether they come back next year), not drawn in place of anything. Rates are in
``catalogue/rates.yaml`` (docs/data.md, "Inputs for MSIP 5 and PBMAS"):

* attendance in hours (days x 7, minus a few part-day hours; a few enrolled students who
  never attend) and the residency code (MSIP 5 standard 4, S002);
* English learners' program (BE in grades K-5 for most, ESL otherwise, NONE for parental
  denial) and the year former ELLs left LEP status (BE/ESL #4 year-after-exit);
* the year a few students left special education (SPED #2);
* CTE participation in grades 9-12, rising with grade;
* annual dropouts in grades 7-12: some of the students who do not come back next year (and
  the graduation cohort's dropouts in grade 12), more often English learners, students with
  disabilities and low-income students;
* age (grade + 5, a tenth a year older) and the instructional setting of students with
  disabilities (early-childhood settings at ages 3-5);
* pre-kindergarten children (grade -1, ages 3-4) of early-childhood special education in the
  schools that have a kindergarten (SPED #6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kit.data.schemas import (
    DIPLOMA_PROGRAMS,
    INSTRUCTIONAL_SETTINGS,
    LEP_PROGRAMS,
    RESIDENCY_CODES,
)
from kit.demo.base import _T_PK, _T_PROGRAMS, DEMO_RATES, _choose, _rng
from kit.demo.enrolment import _Chunk, _id_number, _id_offset, _Roster, _Students
from kit.demo.graduation import _Graduation
from kit.demo.schools import _Schools

_BE, _ESL, _NONE = (LEP_PROGRAMS.index(c) for c in ("BE", "ESL", "NONE"))
_EC_REGULAR, _EC_SEPARATE = (INSTRUCTIONAL_SETTINGS.index(c) for c in ("EC_REGULAR", "EC_SEPARATE"))


@dataclass
class _Draws:
    """Per-student draws made once (index = internal student number)."""

    u_be: np.ndarray
    u_none: np.ndarray
    u_cte: np.ndarray
    older: np.ndarray
    u_setting: np.ndarray
    residency: np.ndarray
    former_exit: np.ndarray  # exit year of students who entered as former ELLs, else 0
    swd_exit: np.ndarray  # year a non-SWD student left special education, else 0
    entry_index: np.ndarray  # index of the first year the student is enrolled
    years_in_us_at_entry: np.ndarray


@dataclass
class _Programs:
    """The new students columns of one chunk (or of its pre-kindergarten children)."""

    hours_enrolled: np.ndarray
    hours_attended: np.ndarray
    residency: np.ndarray  # index into RESIDENCY_CODES
    lep_program: np.ndarray  # index into LEP_PROGRAMS, -1 = none
    ell_exit_year: np.ndarray  # 0 = empty
    swd_exit_year: np.ndarray  # 0 = empty
    cte: np.ndarray
    dropout: np.ndarray
    age: np.ndarray
    setting: np.ndarray  # index into INSTRUCTIONAL_SETTINGS, -1 = none


def _residency_cum() -> np.ndarray:
    cum = np.cumsum([DEMO_RATES["residency"].get(c, 0.0) for c in RESIDENCY_CODES])
    return cum / cum[-1]


def _student_draws(seed: int, sch: _Schools, stu: _Students, rosters: list[_Roster], years):
    r = DEMO_RATES
    n = len(stu.id_number)
    rng = _rng(seed, _T_PROGRAMS)
    entry = np.full(n, -1)
    for t, roster in enumerate(rosters):
        new = roster.sid[entry[roster.sid] < 0]
        entry[new] = t
    first_school = np.zeros(n, dtype=int)
    for roster in reversed(rosters):
        first_school[roster.sid] = roster.school
    residency = _choose(rng, np.broadcast_to(_residency_cum(), (n, len(RESIDENCY_CODES))))
    # DESEG-IN (St. Louis / Kansas City transfer students) only in the first district
    deseg = RESIDENCY_CODES.index("DESEG_IN")
    residency[(residency == deseg) & (sch.district[first_school] != 0)] = 0
    entry_year = np.asarray(years)[np.maximum(entry, 0)]
    back = rng.geometric(r["former_exit_years_back"], n)
    swd_exited = ~stu.swd & (rng.random(n) < r["swd_exited_share_of_non_swd"])
    swd_year = rng.integers(years[0] - 1, years[-1], n)
    years_in_us = 1 + rng.geometric(r["years_in_us_at_entry"], n) - 1
    return _Draws(
        u_be=rng.random(n),
        u_none=rng.random(n),
        u_cte=rng.random(n),
        older=rng.random(n) < r["older_for_grade"],
        u_setting=rng.random(n),
        residency=residency,
        former_exit=np.where(stu.former_entry, entry_year - back, 0),
        swd_exit=np.where(swd_exited, swd_year, 0),
        entry_index=entry,
        years_in_us_at_entry=years_in_us,
    )


def _hours(rng: np.random.Generator, days_enrolled, days_attended):
    r = DEMO_RATES
    n = len(days_enrolled)
    enrolled = days_enrolled.astype(np.float64) * r["hours_per_day"]
    lo, hi = r["part_day_hours"]
    attended = days_attended.astype(np.float64) * r["hours_per_day"] - rng.integers(lo, hi + 1, n)
    attended = np.clip(attended, 0, enrolled)
    attended[rng.random(n) < r["zero_hours"]] = 0.0
    return enrolled, attended


def _lep_program(draws: _Draws, sid, ell, grade) -> np.ndarray:
    r = DEMO_RATES
    be = (grade <= 5) & (draws.u_be[sid] < r["be_share_k5"])
    prog = np.where(be, _BE, _ESL)
    prog = np.where(draws.u_none[sid] < r["lep_not_served"], _NONE, prog)
    return np.where(ell, prog, -1)


def _setting(draws: _Draws, sid, swd, age) -> np.ndarray:
    r = DEMO_RATES
    u = draws.u_setting[sid]
    school_age = list(r["settings_6_21"].items())
    cum = np.cumsum([p for _, p in school_age])
    index = np.array([INSTRUCTIONAL_SETTINGS.index(c) for c, _ in school_age])
    older = index[np.minimum((u[:, None] > cum[None, :-1]).sum(axis=1), len(index) - 1)]
    early = np.where(u < r["ec_regular"], _EC_REGULAR, _EC_SEPARATE)
    return np.where(swd, np.where(age <= 5, early, older), -1)


def _programs(
    rng: np.random.Generator,
    sch: _Schools,
    draws: _Draws,
    stu: _Students,
    chunk: _Chunk,
    next_roster: _Roster | None,
    grad: _Graduation,
) -> _Programs:
    """The new columns of a chunk's students in one year."""
    r = DEMO_RATES
    sid, grade, year = chunk.roster.sid, chunk.roster.grade, chunk.year
    n = len(sid)
    enrolled, attended = _hours(rng, chunk.days_enrolled, chunk.days_attended)
    # the last year LEP status held, for students who left it in the data's years
    exited_here = stu.ell_entry[sid] & ~chunk.ell
    ell_exit = np.where(exited_here, stu.ell_exit_year[sid].astype(int) - 1, draws.former_exit[sid])
    ell_exit = np.where(chunk.former_ell & (ell_exit < year), ell_exit, 0)
    swd_exit = np.where(draws.swd_exit[sid] < year, draws.swd_exit[sid], 0)
    cte_p = np.array([r["cte_by_grade"].get(g, 0.0) for g in range(13)])[grade]
    # annual dropouts: leavers of grades 7-11, the cohort's dropouts in grade 12
    if next_roster is None:
        leaving = rng.random(n) < r["leaver_share_last_year"]
    else:
        leaving = ~np.isin(sid, next_roster.sid)
    share = r["dropout_of_leavers"]
    p = np.where(grade >= 9, share["high"], np.where(grade >= 7, share["middle"], 0.0))
    m = r["dropout_multiplier"]
    p = p * np.where(chunk.ell, m["ell"], 1) * np.where(chunk.swd, m["swd"], 1)
    p = np.minimum(0.95, p * np.where(chunk.low_income, m["low_income"], 1))
    # leaving a school's top grade is moving on (a place at the feeder school), not dropping out
    top = grade >= sch.hi[chunk.roster.school]
    dropout = leaving & ~top & (grade <= 11) & (rng.random(n) < p)
    cohort = grad.cohort_year == year
    grade12_out = np.isin(sid, grad.sid[cohort & grad.dropout])
    dropout |= (grade == 12) & grade12_out
    age = grade + 5 + draws.older[sid]
    return _Programs(
        hours_enrolled=enrolled,
        hours_attended=attended,
        residency=draws.residency[sid],
        lep_program=_lep_program(draws, sid, chunk.ell, grade),
        ell_exit_year=ell_exit,
        swd_exit_year=np.where(chunk.swd, 0, swd_exit),
        cte=(grade >= 9) & (draws.u_cte[sid] < cte_p),
        dropout=dropout,
        age=age,
        setting=_setting(draws, sid, chunk.swd, age),
    )


def _pk_children(
    seed: int, sch: _Schools, first: int, stop: int, year: int, year_index: int, first_sid: int
) -> tuple[_Chunk, _Programs]:
    """Pre-kindergarten children (grade -1, ages 3-4) of early-childhood special education in
    the schools ``first`` to ``stop`` that have a kindergarten; new ids every year."""
    r = DEMO_RATES
    rng = _rng(seed, _T_PK, year_index, first)
    schools = np.arange(first, stop)
    schools = schools[sch.lo[schools] == 0]
    per = np.maximum(1, np.round(sch.capacity[schools] * r["pk_swd_per_school"])).astype(int)
    school = np.repeat(schools, per)
    n = len(school)
    sid = first_sid + np.arange(n)
    race = _choose(rng, sch.race_cum[school])
    gender_cum = np.cumsum([r["gender_share"][g] for g in ("F", "M", "X")])
    gender = _choose(rng, np.broadcast_to(gender_cum, (n, 3)))
    low_income = rng.random(n) < sch.low_income[school]
    ell = rng.random(n) < sch.ell[school]
    days = np.full(n, r["pk_days"], dtype=np.int32)
    attended = (days - rng.poisson(9, n).clip(0, 60)).astype(np.int32)
    order = np.lexsort((sid, school))
    roster = _Roster(sid[order], school[order], np.full(n, -1), np.zeros(n, bool))
    race, gender, low_income, ell = race[order], gender[order], low_income[order], ell[order]
    offset = _id_offset(seed)
    chunk = _Chunk(
        year,
        roster,
        pa.array(_id_number(roster.sid, offset)).cast(pa.string()),
        race,
        gender,
        low_income,
        ell,
        np.zeros(n, bool),
        np.ones(n, bool),
        rng.random(n) < r["migrant"],
        np.zeros(n, bool),
        np.ones(n, bool),
        days,
        attended[order],
    )
    enrolled, hours = _hours(rng, days, attended[order])
    age = 3 + (rng.random(n) < 0.5)
    u_be, u_set = rng.random(n), rng.random(n)
    residency = _choose(rng, np.broadcast_to(_residency_cum(), (n, len(RESIDENCY_CODES))))
    residency[(residency == RESIDENCY_CODES.index("DESEG_IN")) & (sch.district[school] != 0)] = 0
    prog = np.where(u_be < r["be_share_k5"], _BE, _ESL)
    return chunk, _Programs(
        hours_enrolled=enrolled,
        hours_attended=hours,
        residency=residency,
        lep_program=np.where(ell, prog, -1),
        ell_exit_year=np.zeros(n, int),
        swd_exit_year=np.zeros(n, int),
        cte=np.zeros(n, bool),
        dropout=np.zeros(n, bool),
        age=age,
        setting=np.where(u_set < r["ec_regular"], _EC_REGULAR, _EC_SEPARATE),
    )


@dataclass
class _CohortFlags:
    """Graduation columns for PBMAS: diploma program of graduates and the cohort's flags."""

    diploma: np.ndarray  # index into DIPLOMA_PROGRAMS, -1 = none (not a graduate)
    title1: np.ndarray
    migrant: np.ndarray
    cte: np.ndarray


def _cohort_flags(
    seed: int, sch: _Schools, stu: _Students, draws: _Draws, grad: _Graduation, rosters
) -> _CohortFlags:
    """Diploma programs (RHSP 70 %, DAP 15 %, MHSP 15 %; MHSP for half the graduates with
    disabilities and a quarter of English learners) and the cohort's Title I (a Title I
    school in any year of the data), migrant and CTE flags."""
    r = DEMO_RATES
    rng = _rng(seed, _T_PROGRAMS, 1)
    n = len(grad.sid)
    shares = r["diploma"]
    mhsp = np.where(grad.swd, r["mhsp_swd"], np.where(grad.ell, r["mhsp_ell"], shares["MHSP"]))
    rest = (1 - mhsp) / (shares["RHSP"] + shares["DAP"])
    cum = np.stack([rest * shares["RHSP"], rest * (shares["RHSP"] + shares["DAP"])], axis=1)
    pick = (rng.random(n)[:, None] > cum).sum(axis=1)  # 0 RHSP, 1 DAP, 2 MHSP
    codes = np.array([DIPLOMA_PROGRAMS.index(c) for c in ("RHSP", "DAP", "MHSP")])[pick]
    graduated = grad.graduated_4yr | grad.graduated_5yr
    served = np.zeros(len(stu.id_number), bool)
    for roster in rosters:
        served[roster.sid[sch.title1[roster.school]]] = True
    return _CohortFlags(
        diploma=np.where(graduated, codes, -1),
        title1=served[grad.sid],
        migrant=stu.migrant[grad.sid],
        cte=draws.u_cte[grad.sid] < r["cte_by_grade"][12],
    )
