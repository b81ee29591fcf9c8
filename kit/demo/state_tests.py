"""Extra tests of a Missouri- and Texas-styled demo (``generate_demo(state_tests=True)``).

Social studies (grades 8 and 11) and writing (grades 4 and 7), as PBMAS sub-parts (iv) and
(v) need, and Missouri's end-of-course tests: Algebra I (the strongest 15 % of 8th graders,
who count for MSIP 5 high school readiness, and every 9th grader), English II and Biology
(grade 10) and Government (grade 11). Each score comes from the same ability model as the
ordinary tests (:func:`kit.demo.scores._theta`), on the related subject, with its own stream,
so the ordinary rows are unchanged. Off by default: the Massachusetts-styled reports of the
default demo have no such subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kit.demo.base import DEMO_RATES, LEVEL_CUTS, SUBJECTS, SUBLEVEL_CUTS
from kit.demo.enrolment import _Chunk, _Students
from kit.demo.schools import _Schools
from kit.demo.scores import _theta

STATE_SUBJECTS = tuple(DEMO_RATES["state_tests"])


@dataclass
class _StateScores:
    row: np.ndarray
    subject: np.ndarray  # index into STATE_SUBJECTS
    tested: np.ndarray
    scale_score: np.ndarray
    level: np.ndarray
    sublevel: np.ndarray


def _state_tests(
    rng: np.random.Generator, sch: _Schools, stu: _Students, chunk: _Chunk, year_index: int
) -> _StateScores:
    r = DEMO_RATES
    grade = chunk.roster.grade
    rows, subjects, shifts = [], [], []
    for s, (code, (grades, _related, shift)) in enumerate(r["state_tests"].items()):
        take = np.isin(grade, grades)
        boost = np.zeros(len(grade))
        if code == "ALG1":
            ability = stu.ability[chunk.roster.sid]
            eighth = np.flatnonzero(grade == 8)
            if len(eighth):
                cut = np.quantile(ability[eighth], 1 - r["algebra_in_grade_8"])
                early = eighth[ability[eighth] >= cut]
                take[early] = True
                boost[early] = r["algebra_grade_8_shift"]
        take &= ~stu.alternate[chunk.roster.sid]
        row = np.flatnonzero(take)
        rows.append(row)
        subjects.append(np.full(len(row), s))
        shifts.append(shift + boost[row])
    row, subject, shift = (np.concatenate(x) for x in (rows, subjects, shifts))
    related = np.array([SUBJECTS.index(v[1]) for v in r["state_tests"].values()])[subject]
    theta = _theta(rng, sch, stu, chunk, row, related, year_index) + shift
    tested = rng.random(len(row)) >= r["not_tested_student"]
    scale = np.clip(2 * np.round((r["scale_center"] + r["scale_slope"] * theta) / 2), 200, 280)
    level = np.where(tested, np.searchsorted(LEVEL_CUTS, scale, side="right") + 1, 0)
    high = np.where(level == 1, scale >= SUBLEVEL_CUTS[0], scale >= SUBLEVEL_CUTS[1])
    sublevel = np.where(tested & ((level == 1) | (level == 2)), high.astype(int), -1)
    order = np.lexsort((subject, row))
    return _StateScores(
        row[order],
        subject[order],
        tested[order],
        np.where(tested, scale, np.nan)[order],
        level[order],
        sublevel[order],
    )
