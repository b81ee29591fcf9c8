"""The demo's PBMAS monitoring tables: TELPAS ratings of English learners, discipline
actions and CTE course completions, one chunk of students and one year at a time.

Rates are in ``catalogue/rates.yaml`` (docs/data.md): TELPAS reading levels improve with
years in U.S. schools and the composite follows the reading level; ISS, OSS and DAEP
placements are more frequent for students with disabilities and rarer in elementary grades;
each CTE participant completes two courses a year, a course nontraditional for one's gender
drawing about a third as many students of that gender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from kit.data.schemas import DISCIPLINE_ACTIONS, GENDER_CODES, TELPAS_LEVELS
from kit.demo.base import DEMO_RATES, _choose
from kit.demo.enrolment import _Chunk
from kit.demo.programs import _Draws, _Programs


@dataclass
class _Elp:
    row: np.ndarray  # index into the chunk's students
    reading: np.ndarray  # index into TELPAS_LEVELS
    composite: np.ndarray
    years_in_us: np.ndarray


@dataclass
class _Discipline:
    row: np.ndarray
    action: np.ndarray  # index into DISCIPLINE_ACTIONS
    discretionary: np.ndarray
    day: np.ndarray  # days after the school year's first day


@dataclass
class _Courses:
    row: np.ndarray
    course: np.ndarray  # index into the catalogue's cte_courses
    completed: np.ndarray


def _elp(rng: np.random.Generator, draws: _Draws, chunk: _Chunk, year_index: int) -> _Elp:
    """One TELPAS row per English learner in grades K-12."""
    r = DEMO_RATES
    row = np.flatnonzero(chunk.ell & (chunk.roster.grade >= 0))
    sid, grade = chunk.roster.sid[row], chunk.roster.grade[row]
    years = draws.years_in_us_at_entry[sid] + (year_index - draws.entry_index[sid])
    years = np.clip(years, 1, grade + 1)
    probs = np.array([r["telpas_reading"][min(int(y), 3)] for y in years]).reshape(-1, 4)
    reading = _choose(rng, np.cumsum(probs, axis=1))
    shift = _choose(
        rng, np.broadcast_to(np.cumsum(r["telpas_composite_shift"]), (len(row), 3))
    ).astype(int)
    composite = np.clip(reading + shift - 1, 0, len(TELPAS_LEVELS) - 1)
    return _Elp(row, reading, composite, years.astype(int))


def _discipline(rng: np.random.Generator, chunk: _Chunk) -> _Discipline:
    """ISS, OSS and DAEP actions of the year: who has any, how many, discretionary or not."""
    r = DEMO_RATES
    grade, swd = chunk.roster.grade, chunk.swd
    n = len(grade)
    rows, actions, disc, days = [], [], [], []
    count_cum = np.cumsum(r["actions_per_student"])
    for action in ("ISS", "OSS", "DAEP"):
        spec = r["discipline"][action]
        p = np.where(grade <= 5, spec["rate"] * spec["elementary"], spec["rate"])
        p = np.where(grade < 0, 0.0, p)
        p = np.minimum(0.9, p * np.where(swd, r["discipline_swd_multiplier"], 1.0))
        who = np.flatnonzero(rng.random(n) < p)
        k = 1 + _choose(rng, np.broadcast_to(count_cum, (len(who), len(count_cum))))
        row = np.repeat(who, k)
        rows.append(row)
        actions.append(np.full(len(row), DISCIPLINE_ACTIONS.index(action)))
        disc.append(rng.random(len(row)) < spec["discretionary"])
        days.append(rng.integers(0, 280, len(row)))
    row, action, disc, day = (np.concatenate(x) for x in (rows, actions, disc, days))
    order = np.lexsort((action, day, row))
    return _Discipline(row[order], action[order], disc[order], day[order])


def school_year_date(year: int, day: int) -> str:
    """ISO date ``day`` days after August 20 of the school year ending in spring ``year``."""
    return (date(year - 1, 8, 20) + timedelta(days=int(day))).isoformat()


def _courses(rng: np.random.Generator, chunk: _Chunk, prog: _Programs) -> _Courses:
    """Two distinct CTE courses a year per participant, chosen with gender-dependent pull."""
    r = DEMO_RATES
    catalogue = r["cte_courses"]
    row = np.flatnonzero(prog.cte)
    k = r["courses_per_participant"]
    share = np.array([c[2] for c in catalogue], dtype=float)
    non_for = np.array([c[1] for c in catalogue])
    gender = np.array(GENDER_CODES)[chunk.gender[row]]
    weight = share[None, :] * np.where(
        non_for[None, :] == gender[:, None], r["nontraditional_weight"], 1.0
    )
    # k distinct courses by weight: the k largest of log(weight) + Gumbel noise
    keys = np.log(weight) + rng.gumbel(size=weight.shape)
    picked = np.argsort(-keys, axis=1, kind="stable")[:, :k]
    picked = np.sort(picked, axis=1)
    rows = np.repeat(row, k)
    course = picked.ravel()
    return _Courses(rows, course, rng.random(len(rows)) < r["course_completed"])
