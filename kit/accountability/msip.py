"""Missouri MSIP 5 Annual Performance Report: scoring and the ``msip_apr`` rows.

Every rule comes from the framework's ``msip`` section (:class:`~kit.frameworks.schema_msip.
MsipRules`); the measures from :mod:`kit.accountability.msip_measures` and growth from
:mod:`kit.accountability.msip_growth`. Public steps:

- :func:`apr_measures` gathers every measure of every district and school, every year, in
  one long frame (one row per year x entity x sub-measure x group x metric);
- :func:`score_apr` scores each row: status, progress, growth, the capped sum (STATES.md 2.4);
- :func:`apr_totals` adds the standard and APR total rows with percent and band;
- :func:`msip_apr` does all three from the input tables (the future ``msip_apr`` facts table).

The scoring of one row, as a formula (S002 + EXT 2)::

    participation < 95 % (assessment rows)  -> 0 points                          # S002
    otherwise  points = min(possible, status + max(progress, growth))          # S002, EXT 2
    status   = possible x credit_status[level of the value against the status targets]
    progress = share x possible x credit_progress[level of the change since last year]
    growth   = share x possible x credit_growth[growth level]                   # standards 1-2
    graduation: the better of the 4-year and 5-year rows                        # S002
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import pandas as pd

from kit.accountability._exact import as_float, fraction_of, pct, round_half_up
from kit.accountability.msip_growth import growth_levels, growth_proxy
from kit.accountability.msip_measures import (
    assessment_counts,
    attendance_measures,
    ccr_measures,
    graduation_measures,
    hsr_measures,
    mpi_measures,
)
from kit.frameworks.schema_msip import (
    LEVEL_NAMES,
    AccreditationRule,
    Component,
    Cuts,
    MsipRules,
)

COLUMNS = [
    "year",
    "entity_type",
    "entity_id",
    "district_type",
    "row_kind",
    "standard",
    "standard_name",
    "sub_measure",
    "group",
    "metric",
    "value",
    "value_prior",
    "change",
    "n",
    "participation_rate",
    "category",
    "next_status_cut",
    "to_next_status",
    "status_points",
    "progress_category",
    "progress_points",
    "growth_category",
    "growth_estimate",
    "growth_std_error",
    "growth_n",
    "growth_source",
    "growth_points",
    "earned",
    "possible",
    "counted",
    "points_to_gain",
    "percent",
    "band",
    "reason",
    "verified",
    "unverified",
]
TARGET_MEASURE = {
    "attendance": "attendance",
    "ccr_1_3": "ccr_1_3",
    "ccr_4": "ccr_4",
    "ccr_5_6": "ccr_5_6",
    "hsr": "hsr",
}


# --- one row ---------------------------------------------------------------------------------


def level_of(value, cuts: Cuts, decimals: int | None = 1) -> str:
    """Exceeding / On Track / Approaching / Floor (ids) of a value against cuts (>= each cut).

    The value is rounded half up to ``decimals`` first (the APR prints one decimal:
    [INFERRED] that targets are compared at that precision), exactly.
    """
    v = round_half_up(value, decimals)
    for level in ("exceeding", "on_track", "approaching"):
        if v >= fraction_of(getattr(cuts, level)):
            return level
    return "floor"


def component_points(possible, level: str | None, component: Component) -> Fraction | None:
    """Points a level earns: possible x share_of_status x credit (None when no level)."""
    if level is None:
        return None
    return (
        fraction_of(possible)
        * fraction_of(component.share_of_status)
        * fraction_of(component.credits.credit(level))
    )


def combine_points(possible, status, progress=None, growth=None) -> Fraction:
    """Status plus the better of progress or growth, not exceeding the points possible.

    Notes
    -----
    S002: "status is always used and the higher of either progress or growth is used"; EXT 2:
    total points earned are status and progress or status and growth, "not to exceed the
    total status points possible". STATES.md G8: ELA status 16 + max(12, 6) -> 16 (of 16);
    super subgroup ELA 3 + 3 -> 4 (of 4); Math 2 + 0 -> 2.
    """
    extra = max(fraction_of(progress or 0), fraction_of(growth or 0))
    return min(fraction_of(possible), fraction_of(status) + extra)


def apr_percent(earned, possible) -> Fraction | None:
    """Percent of points: earned / possible x 100, exactly (EXT 2: 10.0 / 140 -> 7.1 %)."""
    return pct(earned, possible)


def accreditation_band(percent, rule: AccreditationRule) -> str | None:
    """The classification band of an APR percent (EXT 8/9: >= 90, 70-89.9, 50-69.9, < 50).

    The percent is rounded half up to ``rule.round_to`` decimals first ([INFERRED]: the
    bands are printed at one decimal, so 69.95 reads 70.0 -> Accredited).
    """
    if percent is None:
        return None
    p = round_half_up(percent, rule.round_to)
    for band in rule.bands:
        if p >= fraction_of(band.min_percent):
            return band.label
    return rule.bands[-1].label


# --- gathering the measures --------------------------------------------------------------------


def district_types(students: pd.DataFrame, rules: MsipRules) -> pd.DataFrame:
    """K12 or K8 per year x entity: K12 when any student is in grade ``k12_min_grade`` or above.

    S002: standard 3 is high school readiness for K-8 districts and CCR for K-12 districts;
    graduation applies to K-12. Schools are typed the same way (a building APR, local use).
    """
    parts = []
    for etype, col in (("district", "district_id"), ("school", "school_id")):
        g = students.groupby(["year", col])["grade"].max().reset_index()
        parts.append(
            pd.DataFrame(
                {
                    "year": g["year"].astype(int),
                    "entity_type": etype,
                    "entity_id": g[col].astype(str),
                    "district_type": [
                        "K12" if gr >= rules.k12_min_grade else "K8" for gr in g["grade"]
                    ],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _window(frame: pd.DataFrame, years: int, rule: str) -> pd.DataFrame:
    """Status value over a window of years per entity x row: current, mean or best."""
    frame = frame.rename(columns={"value": "value_year"})
    if years == 1 or rule == "current":
        return frame.assign(value=frame["value_year"])
    index = {
        (r["entity_type"], r["entity_id"], r["sub_measure"], r["group"], r["year"]): r["value_year"]
        for r in frame.to_dict("records")
    }
    values = []
    for r in frame.to_dict("records"):
        vals = [
            index.get(
                (r["entity_type"], r["entity_id"], r["sub_measure"], r["group"], r["year"] - k)
            )
            for k in range(years)
        ]
        vals = [v for v in vals if v is not None]
        values.append(
            None
            if not vals
            else (max(vals) if rule == "best" else sum(vals, Fraction(0)) / len(vals))
        )
    return frame.assign(value=values)


def apr_measures(
    rules: MsipRules,
    *,
    points: dict[int, float],
    proficient_level: int = 3,
    counts: pd.DataFrame | None = None,
    students: pd.DataFrame | None = None,
    assessments: pd.DataFrame | None = None,
    attendance: pd.DataFrame | None = None,
    graduation: pd.DataFrame | None = None,
    ccr: pd.DataFrame | None = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Every measure the APR scores, one row per year x entity x sub-measure x group x metric.

    Parameters
    ----------
    points
        MPI points per level (the framework's ``mo_mpi`` model).
    counts
        The kit's ``counts`` relation; made from ``students`` and ``assessments`` if absent.
    attendance
        Per student per year with hours (or days) enrolled and attended; default: the
        ``students`` table when it has ``days_enrolled`` / ``days_attended``.
    graduation, ccr
        The contract's optional tables. An absent table leaves its standard without data.

    Returns
    -------
    DataFrame
        ``year, entity_type, entity_id, sub_measure, group, metric, n, value`` (Fraction),
        ``value_year``, ``participation`` (Fraction, assessment rows) and detail columns.
    """
    parts = []
    if counts is None and students is not None and assessments is not None:
        counts = assessment_counts(
            students, assessments, n_levels=len(points), proficient_level=proficient_level
        )
    if counts is not None:
        m = mpi_measures(
            counts,
            points=points,
            content_areas=rules.content_areas,
            groups=("all", rules.super_subgroup),
        )
        parts.append(_window(m, rules.status_window.years, rules.status_window.rule))
    if (
        attendance is None
        and students is not None
        and {"days_enrolled", "days_attended"} <= set(students.columns)
    ):
        attendance = students[students["days_enrolled"].notna()]
    if attendance is not None and len(attendance):
        parts.append(attendance_measures(attendance, rules.attendance))
    if years is None:
        found = set()
        for p in parts:
            found |= set(p["year"].astype(int))
        if students is not None:
            found |= set(students["year"].astype(int))
        years = sorted(found)
    if graduation is not None and len(graduation):
        parts.append(graduation_measures(graduation, rules.graduation, years))
    if ccr is not None and len(ccr):
        parts.append(ccr_measures(ccr, rules.ccr))
    if rules.hsr is not None and students is not None and assessments is not None:
        parts.append(
            hsr_measures(students, assessments, rules.hsr, proficient_level=proficient_level)
        )
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            columns=[
                "year",
                "entity_type",
                "entity_id",
                "sub_measure",
                "group",
                "metric",
                "n",
                "value",
            ]
        )
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out[out["year"].isin(years)].reset_index(drop=True)


# --- scoring ---------------------------------------------------------------------------------


def _growth_index(growth: pd.DataFrame | None, rules: MsipRules) -> dict:
    if growth is None or growth.empty:
        return {}
    g = growth_levels(growth, rules.growth)
    by_subject = {code: area for area, code in rules.content_areas.items()}
    index = {}
    for r in g.to_dict("records"):
        area = by_subject.get(r["subject"], r["subject"])
        index[(int(r["year"]), r["entity_type"], str(r["entity_id"]), area, r["group"])] = r
    return index


def _score_candidate(
    rec: dict,
    prior: dict | None,
    growth: dict | None,
    *,
    possible: Fraction,
    standard,
    rules: MsipRules,
    year: int,
    target_measure: str,
) -> dict:
    """Score one measure row for one sub-measure (see the module docstring)."""
    dec = rules.rounding.decimals
    out = {
        "metric": rec["metric"],
        "n": rec.get("n"),
        "value": rec.get("value"),
        "value_prior": None if prior is None else prior.get("value"),
        "participation": rec.get("participation"),
    }
    unverified: list[str] = []
    if rec.get("value") is None or not rec.get("n"):
        return {**out, "scored": False, "reason": "no data"}
    if rec["n"] < rules.population.min_n:
        return {
            **out,
            "scored": False,
            "reason": f"n = {rec['n']} below the minimum of {rules.population.min_n}",
        }
    part = rec.get("participation")
    if (
        part is not None
        and not pd.isna(part)
        and round_half_up(part, dec) < fraction_of(rules.participation_min)
    ):
        return {
            **out,
            "scored": True,
            "status_points": Fraction(0),
            "earned": Fraction(0),
            "reason": f"participation below {rules.participation_min:g}%: 0 points (S002)",
            "unverified": unverified,
        }
    area = rec["sub_measure"] if target_measure == "mpi" else "ALL"
    target = rules.status_targets.lookup(target_measure, area, rec["group"], year)
    if target is None:
        return {
            **out,
            "scored": False,
            "reason": f"no status target for {target_measure} {area} {year}",
        }
    if not rules.status_targets.row_verified(target):
        unverified.append("status targets")
    status_level = level_of(rec["value"], target.cuts, dec)
    status = component_points(possible, status_level, rules.scoring.status)
    above = {"floor": "approaching", "approaching": "on_track", "on_track": "exceeding"}
    next_cut = to_next = None
    if status_level in above:  # what the next status level needs (for "what would move it")
        next_cut = fraction_of(getattr(target.cuts, above[status_level]))
        to_next = next_cut - round_half_up(rec["value"], dec)
    progress_level = change = None
    if prior is not None and prior.get("value") is not None:
        ptarget = rules.progress_targets.lookup(target_measure, area, rec["group"], year)
        if ptarget is not None:
            change = round_half_up(rec["value"], dec) - round_half_up(prior["value"], dec)
            progress_level = level_of(change, ptarget.cuts, dec)
            if not rules.progress_targets.row_verified(ptarget):
                unverified.append("progress targets")
    progress = component_points(possible, progress_level, rules.scoring.progress)
    growth_level = None
    if (
        growth is not None
        and standard.number in rules.growth.standards
        and growth.get("growth_level")
        and (
            growth.get("n") is None
            or pd.isna(growth.get("n"))
            or growth["n"] >= rules.population.min_n
        )
    ):
        growth_level = growth["growth_level"]
        if not rules.growth.verified or str(growth.get("source", "")).startswith("kit proxy"):
            unverified.append("growth")
    growth_pts = component_points(possible, growth_level, rules.scoring.growth)
    if not rules.scoring.verified:
        unverified.append("point credits")
    earned = combine_points(possible, status, progress, growth_pts)
    return {
        **out,
        "scored": True,
        "status_level": status_level,
        "status_points": status,
        "next_status_cut": next_cut,
        "to_next_status": to_next,
        "progress_level": progress_level,
        "change": change,
        "progress_points": progress,
        "growth_level": growth_level,
        "growth_points": growth_pts,
        "growth_estimate": None if growth is None else growth.get("estimate"),
        "growth_std_error": None if growth is None else growth.get("std_error"),
        "growth_n": None if growth is None else growth.get("n"),
        "growth_source": None if growth_level is None else growth.get("source"),
        "earned": earned,
        "reason": None,
        "unverified": unverified,
    }


def score_apr(
    measures: pd.DataFrame,
    entity_types: pd.DataFrame,
    rules: MsipRules,
    *,
    growth: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score every sub-measure row of every entity and year (``row_kind = 'sub_measure'``).

    Parameters
    ----------
    measures
        :func:`apr_measures`.
    entity_types
        :func:`district_types`: which standards (K12 or K8) each entity has.
    growth
        A growth table (user's or :func:`~kit.accountability.msip_growth.growth_proxy`).

    Notes
    -----
    A row without data, below the minimum n or without a status target is not scored
    (``counted`` false: left out of the points possible when
    ``population.exclude_missing_from_possible``, [UNKNOWN] STATES.md 2.11). Graduation keeps
    the better of its 4- and 5-year candidates (S002).
    """
    index: dict[tuple, list[dict]] = defaultdict(list)
    for rec in measures.to_dict("records"):
        index[
            (
                int(rec["year"]),
                rec["entity_type"],
                str(rec["entity_id"]),
                rec["sub_measure"],
                rec["group"],
            )
        ].append(rec)
    gindex = _growth_index(growth, rules)
    rows = []
    for ent in entity_types.to_dict("records"):
        year, etype, eid, dtype = (
            int(ent["year"]),
            ent["entity_type"],
            str(ent["entity_id"]),
            ent["district_type"],
        )
        for standard in rules.standards(dtype):
            group = rules.super_subgroup if standard.kind == "subgroup" else "all"
            for sub, possible in standard.rows.items():
                possible = fraction_of(possible)
                key = (year, etype, eid, sub, group)
                target_measure = (
                    "mpi"
                    if standard.kind in ("academic", "subgroup")
                    else TARGET_MEASURE.get(sub, sub)
                )
                best = None
                for rec in index.get(key, []) or [
                    {"metric": None, "value": None, "n": 0, "sub_measure": sub, "group": group}
                ]:
                    prior = next(
                        (
                            p
                            for p in index.get((year - 1, etype, eid, sub, group), [])
                            if p["metric"] == rec["metric"]
                        ),
                        None,
                    )
                    tm = target_measure
                    if standard.kind == "graduation" and rec["metric"]:
                        tm = "graduation_" + rec["metric"].rsplit("_", 1)[-1]
                    cand = _score_candidate(
                        rec,
                        prior,
                        gindex.get(key),
                        possible=possible,
                        standard=standard,
                        rules=rules,
                        year=year,
                        target_measure=tm,
                    )
                    rank = (cand["scored"], cand.get("earned", -1), cand.get("value") or -1)
                    if best is None or rank > best[0]:
                        best = (rank, cand)
                cand = best[1]
                counted = cand["scored"] or not rules.population.exclude_missing_from_possible
                unver = list(
                    dict.fromkeys(
                        cand.get("unverified", [])
                        + (
                            []
                            if standard.verified and rules.district_types[dtype].verified
                            else ["points possible"]
                        )
                    )
                )
                earned = cand.get("earned", Fraction(0)) if counted else None
                rows.append(
                    {
                        "year": year,
                        "entity_type": etype,
                        "entity_id": eid,
                        "district_type": dtype,
                        "row_kind": "sub_measure",
                        "standard": str(standard.number),
                        "standard_name": standard.name,
                        "sub_measure": sub,
                        "group": group,
                        "metric": cand["metric"],
                        "value": as_float(cand["value"]),
                        "value_prior": as_float(cand.get("value_prior")),
                        "change": as_float(cand.get("change")),
                        "n": cand.get("n"),
                        "participation_rate": as_float(cand.get("participation")),
                        "category": LEVEL_NAMES.get(cand.get("status_level")),
                        "next_status_cut": as_float(cand.get("next_status_cut")),
                        "to_next_status": as_float(cand.get("to_next_status")),
                        "status_points": as_float(cand.get("status_points")),
                        "progress_category": LEVEL_NAMES.get(cand.get("progress_level")),
                        "progress_points": as_float(cand.get("progress_points")),
                        "growth_category": LEVEL_NAMES.get(cand.get("growth_level")),
                        "growth_estimate": cand.get("growth_estimate"),
                        "growth_std_error": cand.get("growth_std_error"),
                        "growth_n": cand.get("growth_n"),
                        "growth_source": cand.get("growth_source"),
                        "growth_points": as_float(cand.get("growth_points")),
                        "earned": as_float(earned),
                        "possible": float(possible),
                        "counted": counted,
                        "points_to_gain": as_float(possible - earned) if counted else None,
                        "percent": as_float(apr_percent(earned, possible)) if counted else None,
                        "band": None,
                        "reason": cand.get("reason"),
                        "verified": not unver,
                        "unverified": ", ".join(unver) or None,
                        "_earned": earned if counted else Fraction(0),
                        "_possible": possible if counted else Fraction(0),
                    }
                )
    return pd.DataFrame(rows, columns=[*COLUMNS, "_earned", "_possible"])


def apr_totals(scored: pd.DataFrame, rules: MsipRules) -> pd.DataFrame:
    """Standard rows (``sub_measure = 'ALL'``) and the APR row (``standard = 'ALL'``).

    Notes
    -----
    Standard points = sum of its counted rows; APR points = sum of the standards; percent =
    earned / possible x 100 unrounded (EXT 2 prints one decimal: 10.0 / 140 -> 7.1 %);
    ``band`` from the accreditation bands (EXT 8/9) on the APR row. Only the district APR
    decides accreditation (S002); a school's band is for local planning.
    """
    keys = ("year", "entity_type", "entity_id", "district_type")
    groups: dict[tuple, dict[str, dict]] = {}
    for r in scored.to_dict("records"):
        std = groups.setdefault(tuple(r[k] for k in keys), {}).setdefault(
            r["standard"],
            {"name": r["standard_name"], "e": Fraction(0), "p": Fraction(0), "unverified": []},
        )
        std["e"] += r["_earned"]
        std["p"] += r["_possible"]
        if isinstance(r["unverified"], str):
            std["unverified"] += r["unverified"].split(", ")
    rows = []
    for k, standards in groups.items():
        base = dict(zip(keys, k, strict=True))
        tot_e, tot_p = Fraction(0), Fraction(0)
        unver_all: list[str] = []
        for number, std in standards.items():
            e, p = std["e"], std["p"]
            tot_e, tot_p = tot_e + e, tot_p + p
            unver = list(dict.fromkeys(std["unverified"]))
            unver_all += unver
            rows.append(
                {
                    **base,
                    "row_kind": "standard",
                    "standard": number,
                    "standard_name": std["name"],
                    "sub_measure": "ALL",
                    "group": None,
                    "earned": float(e),
                    "possible": float(p),
                    "counted": p > 0,
                    "points_to_gain": float(p - e),
                    "percent": as_float(apr_percent(e, p)),
                    "verified": not unver,
                    "unverified": ", ".join(unver) or None,
                }
            )
        unver_all = list(dict.fromkeys(unver_all))
        if not rules.accreditation.verified:
            unver_all.append("accreditation bands")
        percent = apr_percent(tot_e, tot_p)
        rows.append(
            {
                **base,
                "row_kind": "apr",
                "standard": "ALL",
                "standard_name": "APR total",
                "sub_measure": "ALL",
                "group": None,
                "earned": float(tot_e),
                "possible": float(tot_p),
                "counted": tot_p > 0,
                "points_to_gain": float(tot_p - tot_e),
                "percent": as_float(percent),
                "band": accreditation_band(percent, rules.accreditation),
                "verified": not unver_all,
                "unverified": ", ".join(unver_all) or None,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def msip_apr(
    rules: MsipRules,
    *,
    points: dict[int, float],
    students: pd.DataFrame,
    proficient_level: int = 3,
    assessments: pd.DataFrame | None = None,
    counts: pd.DataFrame | None = None,
    attendance: pd.DataFrame | None = None,
    graduation: pd.DataFrame | None = None,
    ccr: pd.DataFrame | None = None,
    growth: pd.DataFrame | None = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """The ``msip_apr`` rows for every district and school and every year of the data.

    Growth: the user's ``growth`` table when given; otherwise, if ``rules.growth.proxy`` and
    ``assessments`` are given, the kit proxy (every row it feeds says so in
    ``growth_source``); otherwise no growth points.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, sorted: sub-measure rows, then per standard a total row
        (``sub_measure = 'ALL'``), then the APR row (``standard = 'ALL'``) with percent and
        band.
    """
    measures = apr_measures(
        rules,
        points=points,
        proficient_level=proficient_level,
        counts=counts,
        students=students,
        assessments=assessments,
        attendance=attendance,
        graduation=graduation,
        ccr=ccr,
        years=years,
    )
    types = district_types(students, rules)
    if years is not None:
        types = types[types["year"].isin(years)]
    if growth is None and rules.growth.proxy and assessments is not None:
        growth = growth_proxy(
            students,
            assessments,
            years=rules.growth.years,
            label=rules.growth.proxy_label,
            super_subgroup=rules.super_subgroup,
        )
    scored = score_apr(measures, types, rules, growth=growth)
    totals = apr_totals(scored, rules)
    out = pd.concat([scored[COLUMNS], totals], ignore_index=True)
    order = {"sub_measure": 0, "standard": 1, "apr": 2}
    out["_o"] = out["row_kind"].map(order)
    out["_s"] = out["standard"].replace({"ALL": "9"})
    out = out.sort_values(["year", "entity_type", "entity_id", "_s", "_o"], kind="stable")
    return out.drop(columns=["_o", "_s"]).reset_index(drop=True)
