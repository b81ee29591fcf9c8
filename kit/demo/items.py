"""The demo's tests and item responses: item parameters (3PL, 2PL, graded response) with a
few deliberately weak items, content from ``catalogue/content.yaml``, and each student's
responses at their ability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kit.data.schemas import ITEM_TYPES
from kit.demo.base import (
    _CATEGORIES,
    _CONTENT,
    _MC,
    _OR,
    _SR,
    _T_ITEMS,
    DEMO_RATES,
    SUBJECTS,
    _rng,
    _sigmoid,
)
from kit.demo.schools import _Schools
from kit.demo.scores import _grade_intercepts

# (domain code, number of standards) by grade; reporting categories by domain
_MATH_DOMAINS = _CONTENT["math_domains"]
_MATH_CATEGORY = _CONTENT["math_categories"]
_ELA_STRANDS = _CONTENT["ela_strands"]
_ELA_CATEGORY = _CONTENT["ela_categories"]
_SCI_DCIS = _CONTENT["sci_dcis"]
_SCI_CATEGORY = _CONTENT["sci_categories"]
_DESCRIPTIONS = _CONTENT["descriptions"]


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
