"""The demo's graduation cohorts (four- and five-year graduation, dropout) and college and
career readiness records of the graduates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kit.demo.base import _T_GRAD, DEMO_RATES, _by_code, _logit, _rng, _sigmoid
from kit.demo.enrolment import _Roster, _Students
from kit.demo.schools import _Schools


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
