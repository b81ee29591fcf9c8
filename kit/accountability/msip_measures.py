"""The measures MSIP 5 scores, computed from the kit's tables (STATES.md section 2).

Each function takes tidy DataFrames and plain rule objects and returns one row per year x
entity (district and school) with the counts and the exact value (``value``, a
:class:`~fractions.Fraction`, so that a boundary such as 90.0 % is decided exactly; the
scoring in :mod:`kit.accountability.msip` rounds it by the framework's rule).

=======================  =====================================================  ==========
function                 measure                                                source
=======================  =====================================================  ==========
:func:`mpi`              MAP Performance Index of level counts                  EXT 3
:func:`mpi_measures`     MPI and participation per content area x group         S002, EXT 3
:func:`attendance_*`     students attending >= 90 % of enrolled time            S002, EXT 10
:func:`graduation_*`     4- and 5-year cohort rates                             S002
:func:`ccr_measures`     CCR 1-6 (graduates at/above standard, placement, ...)  S002, EXT 2
:func:`hsr_measures`     proficient on an EOC while in grade 8 or below         S002
=======================  =====================================================  ==========
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import pandas as pd

from kit.accountability._exact import fraction_of, pct
from kit.frameworks.schema_msip import AttendanceRule, CcrRule, GraduationRule, HsrRule
from kit.metrics.performance import count_sql, run_sql_on

ENTITY = ["year", "entity_type", "entity_id"]


def _entities(
    frame: pd.DataFrame, *, district: str = "district_id", school: str = "school_id"
) -> pd.DataFrame:
    """Stack a student-level frame twice: once per district and once per school."""
    parts = []
    for etype, col in (("district", district), ("school", school)):
        if col in frame.columns:
            parts.append(frame.assign(entity_type=etype, entity_id=frame[col].astype(str)))
    return pd.concat(parts, ignore_index=True)


# --- MAP Performance Index -------------------------------------------------------------------


def mpi(level_counts: Mapping[int, int], points: Mapping[int, float]) -> Fraction | None:
    """MAP Performance Index of students counted by achievement level, exactly.

    Parameters
    ----------
    level_counts
        Students at each level (1 = Below Basic .. 4 = Advanced).
    points
        Points per level, already x100: the ``mo_mpi`` model's {1: 100, 2: 300, 3: 400, 4: 500}.

    Notes
    -----
    MPI = sum(n_level x points_level) / n, range 100-500 (EXT 3: Below Basic 1, Basic 3,
    Proficient 4, Advanced 5, x100). Worked example (EXT 3): 25 students at each level ->
    (25 x 100 + 25 x 300 + 25 x 400 + 25 x 500) / 100 = 325; all Basic 300, all Proficient
    400, all Advanced 500. None when no student is counted.
    """
    n = sum(int(v) for v in level_counts.values())
    if n == 0:
        return None
    return sum(int(c) * fraction_of(points[lv]) for lv, c in level_counts.items()) / n


def assessment_counts(
    students: pd.DataFrame,
    assessments: pd.DataFrame,
    *,
    n_levels: int = 4,
    proficient_level: int = 3,
) -> pd.DataFrame:
    """The kit's ``counts`` relation (:func:`kit.metrics.performance.count_sql`) from frames.

    The build already holds this relation; this helper makes it from raw ``students`` and
    ``assessments`` frames (tests, notebooks). The ``super_subgroup`` rows count each
    student once (one predicate over the row: BL or HI or low income or ELL or SWD, S002).
    """
    students = students.copy()
    for col in ("former_ell", "migrant", "homeless", "title1"):
        if col not in students.columns:
            students[col] = False
    if "gender" not in students.columns:
        students["gender"] = None
    assessments = assessments.copy()
    if "achievement_sublevel" not in assessments.columns:
        assessments["achievement_sublevel"] = None
    sql = count_sql(n_levels=n_levels, proficient_level=proficient_level, sublevel_cuts={})
    return run_sql_on({"students": students, "assessments": assessments}, sql)


def mpi_measures(
    counts: pd.DataFrame,
    *,
    points: Mapping[int, float],
    content_areas: Mapping[str, str],
    groups: tuple[str, ...] = ("all", "super_subgroup"),
) -> pd.DataFrame:
    """MPI and participation per year x entity x content area x group (grade ``ALL``).

    Parameters
    ----------
    counts
        The kit's ``counts`` relation (:func:`assessment_counts`): ``n_enrolled`` (expected
        to test), ``n_tested``, ``n_fay_tested`` and ``n_l{level}_{low|high}``.
    content_areas
        Content-area row id -> assessment subject code (``msip.content_areas``).

    Returns
    -------
    DataFrame
        ``year, entity_type, entity_id, sub_measure, group, metric ('mpi'), n (accountable
        tested), n_expected, n_tested, participation (Fraction, percent), value (Fraction MPI)``.

    Notes
    -----
    Participation = tested / expected to test x 100 (S002: below 95 % the content area earns
    0 points for that group). MPI over the accountable tested students (tested and full
    academic year); which students MSIP 5 counted (FAY, first-year ELL, retests) is
    [UNKNOWN] in STATES.md 2.3.
    """
    by_subject = {code: area for area, code in content_areas.items()}
    rows = counts[
        (counts["grade"] == "ALL")
        & counts["group"].isin(groups)
        & counts["subject"].isin(by_subject)
        & counts["entity_type"].isin(["district", "school"])
    ]
    levels = sorted({int(c.split("_")[1][1:]) for c in counts.columns if c.startswith("n_l")})
    out = []
    for rec in rows.to_dict("records"):
        lc = {lv: int(rec[f"n_l{lv}_low"]) + int(rec[f"n_l{lv}_high"]) for lv in levels}
        out.append(
            {
                "year": int(rec["year"]),
                "entity_type": rec["entity_type"],
                "entity_id": str(rec["entity_id"]),
                "sub_measure": by_subject[rec["subject"]],
                "group": rec["group"],
                "metric": "mpi",
                "n": int(rec["n_fay_tested"]),
                "n_expected": int(rec["n_enrolled"]),
                "n_tested": int(rec["n_tested"]),
                "participation": pct(int(rec["n_tested"]), int(rec["n_enrolled"])),
                "value": mpi(lc, points),
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            *ENTITY,
            "sub_measure",
            "group",
            "metric",
            "n",
            "n_expected",
            "n_tested",
            "participation",
            "value",
        ],
    )


# --- attendance 90/90 ------------------------------------------------------------------------


def attendance_rates(attendance: pd.DataFrame, rule: AttendanceRule) -> pd.DataFrame:
    """Each student's attendance rate and whether they count and attend >= 90 % of the time.

    Parameters
    ----------
    attendance
        One row per student per year: ``year, student_id, district_id, school_id, grade`` and
        ``hours_enrolled, hours_attended`` (or ``days_enrolled, days_attended``); optional
        ``residency_code``.

    Returns
    -------
    DataFrame
        The input's ids plus ``unit`` (hours / days), ``rate`` (float, percent), ``included``
        and ``meets`` (bools) and ``excluded_reason``.

    Notes
    -----
    S002: every student in grades K-12 reported during the year; residency Resident I,
    Non-Resident, DESEG-IN, Federal Lands, Parent Tuition; students with zero hours of
    attendance excluded; the expectation is that 90 % of students attend 90 % of the time.
    A rate of exactly 90.0 meets it ([INFERRED]: "90 % of the time" read as >=); decided in
    exact arithmetic (attended x 100 >= 90 x enrolled), so 945 of 1050 hours (90.0 %) meets.
    """
    unit = "hours" if {"hours_enrolled", "hours_attended"} <= set(attendance.columns) else "days"
    enrolled = attendance[f"{unit}_enrolled"]
    attended = attendance[f"{unit}_attended"]
    out = attendance.copy()
    out["unit"] = unit
    out["rate"] = (100.0 * attended / enrolled.where(enrolled > 0)).astype(float)
    reason = pd.Series(None, index=out.index, dtype=object)
    lo, hi = rule.grades
    if "grade" in out.columns:
        reason[~out["grade"].between(lo, hi)] = "grade outside K-12"
    if rule.residency_included is not None and "residency_code" in out.columns:
        ok = (
            out["residency_code"]
            .astype(str)
            .str.upper()
            .isin([r.upper() for r in rule.residency_included])
        )
        reason[reason.isna() & ~ok] = "residency code not included"
    reason[reason.isna() & ~(enrolled > 0)] = f"no {unit} enrolled"
    if rule.exclude_zero_hours:
        reason[reason.isna() & (attended.fillna(0) <= 0)] = f"zero {unit} of attendance"
    out["included"] = reason.isna()
    thr = fraction_of(rule.student_threshold)
    lhs = attended.astype(float) * thr.denominator * 100
    rhs = enrolled.astype(float) * thr.numerator
    out["meets"] = out["included"] & ((lhs >= rhs) if rule.inclusive else (lhs > rhs))
    out["excluded_reason"] = reason
    return out


def attendance_measures(attendance: pd.DataFrame, rule: AttendanceRule) -> pd.DataFrame:
    """Percent of included students meeting 90/90 per year x entity, and its 3-year status.

    Returns
    -------
    DataFrame
        ``year, entity_type, entity_id, sub_measure ('attendance'), group ('all'), metric,
        n (included students this year), n_meeting, pct_year (Fraction), value (Fraction:
        the status over ``rule.years`` years), years_used``.

    Notes
    -----
    Yearly percent = students meeting / included students x 100 (S002). Status = the mean of
    the yearly percents of this year and the previous ``years - 1`` years that have data
    (EXT 10; mean-of-years versus pooled is [UNKNOWN], ``combine`` chooses): 88.0, 90.5 and
    91.5 give 90.0.
    """
    rates = _entities(attendance_rates(attendance, rule))
    rates = rates[rates["included"]]
    yearly = rates.groupby(ENTITY)["meets"].agg(n="size", n_meeting="sum").reset_index()
    yearly["pct_year"] = [pct(m, n) for m, n in zip(yearly["n_meeting"], yearly["n"], strict=True)]
    out = []
    index = {(r.entity_type, r.entity_id, r.year): r for r in yearly.itertuples()}
    for r in yearly.itertuples():
        window = [index.get((r.entity_type, r.entity_id, r.year - k)) for k in range(rule.years)]
        window = [w for w in window if w is not None]
        if rule.combine == "pooled":
            value = pct(sum(w.n_meeting for w in window), sum(w.n for w in window))
        else:
            value = sum((w.pct_year for w in window), Fraction(0)) / len(window)
        out.append(
            {
                "year": int(r.year),
                "entity_type": r.entity_type,
                "entity_id": r.entity_id,
                "sub_measure": "attendance",
                "group": "all",
                "metric": f"pct_attending_{rule.student_threshold:g}",
                "n": int(r.n),
                "n_meeting": int(r.n_meeting),
                "pct_year": r.pct_year,
                "value": value,
                "years_used": len(window),
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            *ENTITY,
            "sub_measure",
            "group",
            "metric",
            "n",
            "n_meeting",
            "pct_year",
            "value",
            "years_used",
        ],
    )


# --- graduation ------------------------------------------------------------------------------


def graduation_rates(graduation: pd.DataFrame) -> pd.DataFrame:
    """4- and 5-year rates per cohort year x entity: ``cohort_year, entity_type, entity_id,
    n_cohort, n_4yr, n_5yr, rate_4yr, rate_5yr`` (Fractions, percent)."""
    g = _entities(graduation)
    five = g["graduated_5yr"].astype(bool) if "graduated_5yr" in g.columns else None
    g = g.assign(
        g4=g["graduated_4yr"].astype(bool),
        g5=(five if five is not None else g["graduated_4yr"].astype(bool))
        | g["graduated_4yr"].astype(bool),
    )
    agg = (
        g.groupby(["cohort_year", "entity_type", "entity_id"])
        .agg(n_cohort=("g4", "size"), n_4yr=("g4", "sum"), n_5yr=("g5", "sum"))
        .reset_index()
    )
    agg["rate_4yr"] = [pct(a, n) for a, n in zip(agg["n_4yr"], agg["n_cohort"], strict=True)]
    agg["rate_5yr"] = [pct(a, n) for a, n in zip(agg["n_5yr"], agg["n_cohort"], strict=True)]
    return agg


def graduation_measures(
    graduation: pd.DataFrame, rule: GraduationRule, years: list[int]
) -> pd.DataFrame:
    """The graduation candidates of each APR year: one row per rate (4yr, 5yr).

    Notes
    -----
    S002: "Both four- and five-year graduation rates are calculated, and the better of the
    two is used"; the scoring keeps the candidate with more points. APR year Y reads the
    cohort ``Y - cohort_offsets[rate]`` ([INFERRED]: the 5-year rate of a cohort is known a
    year after its 4-year rate).
    """
    rates = graduation_rates(graduation)
    out = []
    for rate in rule.rates:
        off = rule.cohort_offsets.get(rate, 0)
        for y in years:
            sel = rates[rates["cohort_year"] == y - off]
            for r in sel.itertuples():
                out.append(
                    {
                        "year": y,
                        "entity_type": r.entity_type,
                        "entity_id": r.entity_id,
                        "sub_measure": "graduation",
                        "group": "all",
                        "metric": f"graduation_rate_{rate}",
                        "cohort_year": int(r.cohort_year),
                        "n": int(r.n_cohort),
                        "value": getattr(r, f"rate_{rate}"),
                    }
                )
    return pd.DataFrame(
        out, columns=[*ENTITY, "sub_measure", "group", "metric", "cohort_year", "n", "value"]
    )


# --- college and career readiness ------------------------------------------------------------


def ccr_measures(ccr: pd.DataFrame, rule: CcrRule) -> pd.DataFrame:
    """CCR indicators per year x entity over the graduates of that year.

    Returns
    -------
    DataFrame
        One row per entity x year x APR row (``ccr_1_3``, ``ccr_4``, ``ccr_5_6``) with ``n``
        (graduates), ``value`` (Fraction, percent) and the detail columns ``ccr_1`` (percent
        at/above the standard), ``ccr_2`` (mean composite of takers, float), ``ccr_3``
        (percent participating).

    Notes
    -----
    S002: CCR 1 = graduates scoring at or above the state standard / graduates x 100, "partial
    points are awarded for students taking these assessments" (weight [UNKNOWN]: the row
    value adds ``partial_credit`` per taker below the standard); CCR 4 = graduates with a
    qualifying AP/IB/TSA score or college credit / graduates; post-secondary placement =
    graduates in post-secondary education, training or the military within six months, or
    career-education completers placed in a related occupation / graduates x 100, each
    graduate once. Worked example (STATES.md G7): 54 of 120 at the standard -> 45.0; 66
    placed + 6 further completers placed -> 60.0. How CCR 1, 2 and 3 combine into the
    10-point row is [UNKNOWN]; the row scores CCR 1 with partial credit.
    """
    c = _entities(ccr)
    flag = {
        col: (c[col].fillna(False).astype(bool) if col in c.columns else None)
        for col in (
            "took_ccr_assessment",
            "met_ccr_standard",
            "advanced_credit",
            "postsecondary_placement",
            "career_ed_completer",
            "career_ed_placed",
        )
    }
    false = pd.Series(False, index=c.index)
    met = flag["met_ccr_standard"] if flag["met_ccr_standard"] is not None else false
    took = (flag["took_ccr_assessment"] if flag["took_ccr_assessment"] is not None else false) | met
    placed = (
        flag["postsecondary_placement"] if flag["postsecondary_placement"] is not None else false
    )
    if flag["career_ed_completer"] is not None and flag["career_ed_placed"] is not None:
        placed = placed | (flag["career_ed_completer"] & flag["career_ed_placed"])
    c = c.assign(
        _met=met,
        _took=took,
        _adv=flag["advanced_credit"] if flag["advanced_credit"] is not None else false,
        _placed=placed,
        _score=c["ccr_score"] if "ccr_score" in c.columns else float("nan"),
    )
    agg = (
        c.groupby(ENTITY)
        .agg(
            n=("_met", "size"),
            n_met=("_met", "sum"),
            n_took=("_took", "sum"),
            n_adv=("_adv", "sum"),
            n_placed=("_placed", "sum"),
            ccr_2=("_score", "mean"),
        )
        .reset_index()
    )
    w = fraction_of(rule.partial_credit)
    out = []
    for r in agg.itertuples():
        n = int(r.n)
        base = {
            "year": int(r.year),
            "entity_type": r.entity_type,
            "entity_id": r.entity_id,
            "group": "all",
            "n": n,
            "ccr_1": pct(int(r.n_met), n),
            "ccr_2": None if pd.isna(r.ccr_2) else float(r.ccr_2),
            "ccr_3": pct(int(r.n_took), n),
        }
        partial = int(r.n_met) + w * (int(r.n_took) - int(r.n_met))
        out += [
            {
                **base,
                "sub_measure": "ccr_1_3",
                "metric": "pct_graduates_ccr_partial_credit",
                "value": pct(partial, n),
            },
            {
                **base,
                "sub_measure": "ccr_4",
                "metric": "pct_graduates_advanced_credit",
                "value": pct(int(r.n_adv), n),
            },
            {
                **base,
                "sub_measure": "ccr_5_6",
                "metric": "pct_graduates_placed",
                "value": pct(int(r.n_placed), n),
            },
        ]
    return pd.DataFrame(
        out,
        columns=[
            *ENTITY,
            "sub_measure",
            "group",
            "metric",
            "n",
            "value",
            "ccr_1",
            "ccr_2",
            "ccr_3",
        ],
    )


# --- high school readiness (K-8) -------------------------------------------------------------


def hsr_measures(
    students: pd.DataFrame, assessments: pd.DataFrame, rule: HsrRule, *, proficient_level: int
) -> pd.DataFrame:
    """Percent of students proficient on one or more EOC assessments while in grade <= 8.

    Notes
    -----
    S002: "the percent of students who earn a proficient score on one (1) or more of the
    high school end-of-course (EOC) assessments while in elementary school". The denominator
    is [UNKNOWN]; ``denominator: grade8_enrolled`` counts every student enrolled in grade 8
    (``max_grade``) this year, ``eoc_takers`` those of them who took an EOC while in grade
    <= 8. A student counts if any EOC result up to this year, taken in grade <= 8, is at or
    above the proficient level. Data without any EOC result give no rows (no data), not 0 %.
    """
    if not assessments["subject"].isin(rule.eoc_subjects).any():
        # no end-of-course results at all: the standard has no data (not 0 % proficient)
        return pd.DataFrame(columns=[*ENTITY, "sub_measure", "group", "metric", "n", "value"])
    eoc = assessments[
        assessments["subject"].isin(rule.eoc_subjects) & (assessments["grade"] <= rule.max_grade)
    ]
    tested = eoc[eoc["participation"] == "TESTED"]
    prof = tested[tested["achievement_level"] >= proficient_level]
    cohort = students[students["grade"] == rule.max_grade]
    out = []
    for year, st in cohort.groupby("year"):
        took_ids = set(tested.loc[tested["year"] <= year, "student_id"])
        prof_ids = set(prof.loc[prof["year"] <= year, "student_id"])
        st = st.assign(_took=st["student_id"].isin(took_ids), _prof=st["student_id"].isin(prof_ids))
        if rule.denominator == "eoc_takers":
            st = st[st["_took"]]
        for r in (
            _entities(st)
            .groupby(["entity_type", "entity_id"])
            .agg(n=("_prof", "size"), n_prof=("_prof", "sum"))
            .reset_index()
            .itertuples()
        ):
            out.append(
                {
                    "year": int(year),
                    "entity_type": r.entity_type,
                    "entity_id": r.entity_id,
                    "sub_measure": "hsr",
                    "group": "all",
                    "metric": "pct_proficient_eoc_by_grade_8",
                    "n": int(r.n),
                    "value": pct(int(r.n_prof), int(r.n)),
                }
            )
    return pd.DataFrame(out, columns=[*ENTITY, "sub_measure", "group", "metric", "n", "value"])
