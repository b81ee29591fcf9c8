"""The demo's students: who enrols each year, moves up a grade or to the feeder school, or
leaves; the attributes fixed at entry; and each year's status (ELL exit, homelessness, full
academic year, attendance) of a chunk of schools' students."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kit.data.schemas import GENDER_CODES, RACE_CODES
from kit.demo.base import (
    _T_ROSTER,
    DEMO_RATES,
    SUBJECTS,
    _by_code,
    _choose,
    _logit,
    _rng,
    _sigmoid,
)
from kit.demo.schools import _Schools

_ID_MULTIPLIER = 7_919_993  # odd, not a multiple of 5: a bijection modulo 10**9


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
    seed: int, sch: _Schools, years: list[int]
) -> tuple[list[_Roster], _Students]:
    """Rosters for every year, and the attributes of every student who ever enrols."""
    slot_school = np.repeat(np.arange(sch.size), sch.hi - sch.lo + 1)
    slot_grade = np.concatenate([np.arange(a, b + 1) for a, b in zip(sch.lo, sch.hi, strict=True)])
    offset = _id_offset(seed)
    rosters: list[_Roster] = []
    parts: list[dict[str, np.ndarray]] = []
    n_students = 0
    for t, year in enumerate(years):
        rng = _rng(seed, _T_ROSTER, t + 1)
        if t == 0:
            kept = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
        else:
            kept = _promote(rng, sch, rosters[-1])
        taken = np.bincount(kept[0] * 13 + kept[1], minlength=sch.size * 13)
        need = sch.capacity[slot_school] - taken[slot_school * 13 + slot_grade]
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


def _id_offset(seed: int) -> int:
    """The offset of the id bijection of a seed (shared with the pre-kindergarten children)."""
    return int(_rng(seed, _T_ROSTER).integers(10**9))


def _id_number(sid: np.ndarray, offset: int) -> np.ndarray:
    """Opaque, unique 10-digit state ids from internal numbers (an affine bijection)."""
    return 1_000_000_000 + (sid.astype(np.int64) * _ID_MULTIPLIER + offset) % 1_000_000_000


def _promote(
    rng: np.random.Generator, sch: _Schools, prev: _Roster
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
    keep = rank < sch.capacity[school]
    return school[keep], grade[keep], sid[keep]


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
