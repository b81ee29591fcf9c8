"""The demo's assessment results: participation, latent ability (school, trend, group gaps,
person and noise), scale score, achievement level and sublevel."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from kit.data.schemas import PARTICIPATION_CODES
from kit.demo.base import (
    DEMO_RATES,
    LEVEL_CUTS,
    SCIENCE_GRADES,
    SUBJECTS,
    SUBLEVEL_CUTS,
    TESTED_GRADES,
    _by_code,
    _choose,
)
from kit.demo.enrolment import _Chunk, _Students
from kit.demo.schools import _Schools


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
