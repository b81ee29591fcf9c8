"""The demo's schools and districts: feeder patterns, neighbourhood need, group mixes, school
effects and trends, and their names (words from ``catalogue/names.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kit.data.schemas import RACE_CODES
from kit.demo.base import (
    _CATEGORIES,
    _ELEMENTARY,
    _HIGH,
    _K8,
    _K12,
    _MIDDLE,
    _SPANS,
    _T_NAMES,
    _T_SCHOOLS,
    DEMO_RATES,
    SUBJECTS,
    _by_code,
    _rng,
    catalogue,
)

_STUDENTS_PER_CHUNK = 25_000  # students per year written per chunk of schools
_NAMES = catalogue("names")
_TREES, _PEOPLE, _PLACES, _TOWNS = (_NAMES[k] for k in ("trees", "people", "places", "towns"))


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
    capacity: np.ndarray  # students per grade the school enrols each year

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


def _k8_layout(n: int) -> tuple[list[int], list[int]]:
    """A K-8 district of n schools: elementary schools feeding middle schools, no high school
    (MSIP 5 scores such a district on high school readiness, S002)."""
    if n == 1:
        return [_K8], [-1]
    n_mid = max(1, round(n / 3))
    n_elem = n - n_mid
    return [_ELEMENTARY] * n_elem + [_MIDDLE] * n_mid, [
        n_elem + e % n_mid for e in range(n_elem)
    ] + [-1] * n_mid


def _district_kinds(districts: int) -> list[str]:
    """The kind of each district: 'regular' (K-12), 'k8' or 'small' (K-12, fewer students).

    One district is regular. With two, the second is a small K-8 district; with three or
    more, the second is K-8 and the last is small: every multi-district demo has a K-8
    district (MSIP 5 standard 3 is high school readiness there) and one small enough for
    PBMAS minimum sizes to need aggregation or end in NA.
    """
    kinds = ["regular"] * districts
    if districts == 2:
        kinds[1] = "small_k8"
    elif districts >= 3:
        kinds[1], kinds[-1] = "k8", "small"
    return kinds


def _zone(feeder: list[int]) -> np.ndarray:
    """The last school down each school's feeder chain: its high-school attendance zone."""
    zone = np.arange(len(feeder))
    for _ in range(3):
        zone = np.array([z if feeder[z] < 0 else feeder[z] for z in zone])
    return zone


def _build_schools(
    seed: int, districts: int, per_district: int, students_per_grade: int = 80
) -> _Schools:
    r = DEMO_RATES
    rng = _rng(seed, _T_SCHOOLS)
    name_rng = _rng(seed, _T_NAMES)
    width_d, width_s = max(2, len(str(districts))), max(2, len(str(per_district)))
    district_ids = [f"D{d + 1:0{width_d}d}" for d in range(districts)]
    district_names = _pick_names(name_rng, _district_name_forms(), districts)
    small = max(1, round(students_per_grade * r["small_district_capacity"]))
    ids, names, feeder, zone_need, declining, all_kinds, capacity = [], [], [], [], [], [], []
    for d, dkind in enumerate(_district_kinds(districts)):
        kinds, feeder_local = (
            _k8_layout(per_district) if "k8" in dkind else _district_layout(per_district)
        )
        zone_local = _zone(feeder_local)
        ids += [f"{district_ids[d]}S{s + 1:0{width_s}d}" for s in range(per_district)]
        names += _school_names(name_rng, kinds)
        base = d * per_district
        feeder += [f + base if f >= 0 else -1 for f in feeder_local]
        zone_need.append(rng.normal(size=per_district)[zone_local])
        declining.append(base + int(rng.integers(per_district)))
        all_kinds += kinds
        capacity += [small if "small" in dkind else students_per_grade] * per_district
    n = districts * per_district
    kind = np.array(all_kinds)
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
        capacity=np.array(capacity),
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
    return [f"{town} {form}" for town in _TOWNS for form in _NAMES["district_forms"]]


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


def _school_chunks(sch: _Schools) -> list[tuple[int, int]]:
    """Contiguous school ranges of about `_STUDENTS_PER_CHUNK` students each."""
    size = (sch.hi - sch.lo + 1) * sch.capacity
    bounds, start, running = [], 0, 0
    for s in range(sch.size):
        running += int(size[s])
        if running >= _STUDENTS_PER_CHUNK:
            bounds.append((start, s + 1))
            start, running = s + 1, 0
    if start < sch.size:
        bounds.append((start, sch.size))
    return bounds
