"""Numerators and denominators of the PBMAS indicators, from the kit's tables.

An indicator's ``kind`` (framework data) names how it counts; its ``population`` (and
``numerator`` / ``compare``) say which students. :func:`indicator_counts` returns one row
per year x district x sub-part with integer counts, or a reason string when the data the
indicator needs are absent (the engine then reports "ND" with that reason, never a crash).

==============================  ===============================================  ===========
kind                            numerator / denominator                          tables
==============================  ===============================================  ===========
``passing_rate``                tested at the passing level or above / tested     assessments
``test_type_rate``              tested on a test type in ``codes`` / expected     assessments
``dropout_rate``                annual dropouts / students in the grades          students.dropout
``diploma_rate``                graduates with a diploma program in ``codes``     graduation.diploma_program
``graduation_rate``             graduated in 4 (or 5) years / cohort              graduation
``telpas_rate``                 TELPAS level in ``codes`` / ELLs rated            elp_assessments
``nontraditional_completion``   completers of the indicator's gender / all        courses
                                completers of courses nontraditional for it
``setting_rate``                SPED in a setting in ``codes`` / SPED of the age  students.instructional_setting, age
``representation``              students meeting ``numerator`` / population       students
``representation_difference``   % of population meeting ``numerator`` minus the   students
                                same % in ``compare`` (default all students)
``discipline_difference``       % of population with a discretionary action in    discipline
                                ``codes`` minus the same % in ``compare``
==============================  ===============================================  ===========
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from kit.frameworks.schema_pbmas import Indicator, PbmasRules, Population

COUNT_COLUMNS = [
    "year",
    "district_id",
    "subject",
    "numerator",
    "denominator",
    "cmp_numerator",
    "cmp_denominator",
]
DIFFERENCE_KINDS = ("representation_difference", "discipline_difference")


class Absent(Exception):
    """The data an indicator needs are not in the input (the reason names table and column)."""


@dataclass(frozen=True)
class IndicatorCounts:
    """Counts of one indicator (:data:`COUNT_COLUMNS`) and, per sub-part (or ``ALL``), why
    there are none where the data are absent."""

    counts: pd.DataFrame
    absent: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"counts": self.counts.to_dict("records"), "absent": dict(self.absent)}


def _need(tables: Mapping[str, pd.DataFrame], table: str, columns: tuple[str, ...] = ()):
    frame = tables.get(table)
    if frame is None or len(frame) == 0:
        raise Absent(f"no {table} table in the data")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise Absent(f"{table} has no {', '.join(missing)} column")
    return frame


def population_mask(frame: pd.DataFrame, pop: Population) -> pd.Series:
    """Rows of a student-level frame (students columns, ``year``) in the population."""
    mask = pd.Series(True, index=frame.index)
    for col, want in pop.flags.items():
        if col not in frame.columns:
            raise Absent(f"students has no {col} column")
        mask &= frame[col].fillna(False).astype(bool) == want
    for col, codes in pop.codes.items():
        if col not in frame.columns:
            raise Absent(f"students has no {col} column")
        mask &= frame[col].astype(str).str.upper().isin([c.upper() for c in codes])
    for col, codes in pop.exclude_codes.items():
        if col in frame.columns:
            mask &= ~frame[col].astype(str).str.upper().isin([c.upper() for c in codes])
    if pop.year_after_exit is not None:
        col = f"{pop.year_after_exit}_exit_year"
        if col not in frame.columns:
            raise Absent(f"students has no {col} column (year-after-exit students)")
        mask &= pd.to_numeric(frame[col], errors="coerce") == frame["year"] - 1
    if pop.grades is not None:
        mask &= frame["grade"].between(*pop.grades)
    if pop.ages is not None:
        if "age" not in frame.columns:
            raise Absent("students has no age column")
        mask &= pd.to_numeric(frame["age"], errors="coerce").between(*pop.ages)
    return mask


def _count(
    frame: pd.DataFrame,
    in_den: pd.Series,
    in_num: pd.Series,
    *,
    student_level: bool,
    subject: str = "ALL",
) -> pd.DataFrame:
    """Count (distinct students, or rows) per year x district."""
    f = frame.assign(_den=in_den.to_numpy(), _num=(in_num & in_den).to_numpy())
    f = f[f["_den"]]
    if student_level:
        f = f.groupby(["year", "district_id", "student_id"], as_index=False)[["_num"]].max()
        f["_den"] = True
    agg = (
        f.groupby(["year", "district_id"])
        .agg(numerator=("_num", "sum"), denominator=("_den", "sum"))
        .reset_index()
    )
    return agg.assign(subject=subject)


def _students(tables) -> pd.DataFrame:
    return _need(tables, "students", ("year", "student_id", "district_id", "grade"))


def _with_students(
    frame: pd.DataFrame, students: pd.DataFrame, keep: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Attach the student's row of the same year (district of record, flags); the frame's
    own columns win where both have one. Rows of students not enrolled that year drop out."""
    own = [c for c in frame.columns if c not in ("student_id", "year", *keep)]
    add = students.drop(
        columns=[c for c in students.columns if c in own and c not in ("year", "student_id")]
    )
    out = frame.merge(add, on=["year", "student_id"], how="left", suffixes=("", "_student"))
    return out[out["district_id"].notna()]


def _cohort_with_students(grad: pd.DataFrame, students: pd.DataFrame) -> pd.DataFrame:
    """Graduation rows with program flags from the student's latest row up to the cohort year.

    The district is the graduation row's own (a student who left before the cohort year, a
    dropout for instance, stays in the cohort); flags missing from the graduation row (e.g.
    ``title1``, ``migrant``, ``cte_participant``) come from ``students``, default false.
    """
    g = grad.assign(
        year=grad["cohort_year"].astype("int64"),
        student_id=grad["student_id"].astype(str),
        _row=range(len(grad)),
    )
    add = students.drop(
        columns=[c for c in students.columns if c in g.columns and c not in ("year", "student_id")]
    )
    add = add.assign(year=add["year"].astype("int64"), student_id=add["student_id"].astype(str))
    out = pd.merge_asof(
        g.sort_values("year"),
        add.sort_values("year"),
        on="year",
        by="student_id",
        direction="backward",
    )
    return out.sort_values("_row").drop(columns="_row").reset_index(drop=True)


def indicator_counts(
    ind: Indicator, tables: Mapping[str, pd.DataFrame], rules: PbmasRules, cache: dict | None = None
) -> IndicatorCounts:
    """Counts per year x district x sub-part (:data:`COUNT_COLUMNS`), and why any are absent.

    Districts with students but nobody in the population are missing from ``counts``; the
    engine gives them denominator 0 (ND). ``cmp_*`` are the comparison group's counts of a
    difference kind. ``cache`` (a dict kept across the indicators of one run) holds the
    assessments joined to students, made once.
    """
    empty = pd.DataFrame(columns=COUNT_COLUMNS)
    try:
        out = _counts(ind, tables, rules, {} if cache is None else cache)
    except Absent as exc:
        return IndicatorCounts(empty, {s: str(exc) for s in (ind.subjects or ["ALL"])})
    if isinstance(out, tuple):
        frame, absent = out
        return IndicatorCounts(frame if frame is not None else empty, absent)
    return IndicatorCounts(out.reindex(columns=COUNT_COLUMNS), {})


def _tested_frame(tables, st: pd.DataFrame, cache: dict) -> pd.DataFrame:
    """Assessments joined to the students of that year, with upper-cased codes (cached)."""
    if "tested" not in cache:
        a = _need(
            tables,
            "assessments",
            ("year", "student_id", "subject", "participation", "test_type", "achievement_level"),
        )
        a = a.merge(st, on=["year", "student_id"], how="inner", suffixes=("", "_student"))
        cache["tested"] = a.assign(
            _tested=a["participation"].astype(str).str.upper() == "TESTED",
            _ttype=a["test_type"].astype(str).str.upper(),
            _subject=a["subject"].astype(str).str.upper(),
            _level=pd.to_numeric(a["achievement_level"], errors="coerce"),
        )
    return cache["tested"]


def _counts(ind: Indicator, tables, rules: PbmasRules, cache: dict) -> pd.DataFrame:
    st = _students(tables)
    kind = ind.kind
    if kind in ("passing_rate", "test_type_rate"):
        a = _tested_frame(tables, st, cache)
        in_pop = population_mask(a, ind.population)
        if rules.passing.fay_only and "fay" in a.columns:
            in_pop &= a["fay"].fillna(False).astype(bool)
        tested, ttype = a["_tested"], a["_ttype"]
        if kind == "test_type_rate":
            codes = [c.upper() for c in ind.codes]
            if not ttype.isin(codes).any():
                raise Absent(f"no assessments of test type {', '.join(codes)} in the data")
            return _count(a, in_pop, tested & ttype.isin(codes), student_level=False)
        parts = []
        for sub in ind.subjects:
            code = rules.subjects[sub]
            subj = a["_subject"] == code.upper()
            if not subj.any():
                parts.append(f"no {code} assessments in the data")
                continue
            den = in_pop & subj & tested & ttype.isin([t.upper() for t in ind.test_types])
            passed = a["_level"] >= rules.passing.level
            parts.append(_count(a, den, passed, student_level=False, subject=sub))
        frames = [p for p in parts if not isinstance(p, str)]
        absent = {sub: p for sub, p in zip(ind.subjects, parts, strict=True) if isinstance(p, str)}
        counts = (
            pd.concat(frames, ignore_index=True).reindex(columns=COUNT_COLUMNS) if frames else None
        )
        return counts, absent
    if kind == "dropout_rate":
        if "dropout" not in st.columns:
            raise Absent("students has no dropout column (annual dropouts)")
        return _count(
            st,
            population_mask(st, ind.population),
            st["dropout"].fillna(False).astype(bool),
            student_level=True,
        )
    if kind in ("diploma_rate", "graduation_rate"):
        cols = ("cohort_year", "student_id", "graduated_4yr") + (
            ("diploma_program",) if kind == "diploma_rate" else ()
        )
        g = _need(tables, "graduation", cols)
        if "district_id" not in g.columns:
            raise Absent("graduation has no district_id column")
        g = _cohort_with_students(g, st)
        in_pop = population_mask(g, ind.population)
        if kind == "diploma_rate":
            grads = g["graduated_4yr"].fillna(False).astype(bool)
            prog = g["diploma_program"].astype(str).str.upper().isin([c.upper() for c in ind.codes])
            return _count(g, in_pop & grads, prog, student_level=True)
        col = f"graduated_{ind.rate}"
        if col not in g.columns:
            raise Absent(f"graduation has no {col} column")
        done = g[col].fillna(False).astype(bool) | g["graduated_4yr"].fillna(False).astype(bool)
        return _count(g, in_pop, done, student_level=True)
    if kind == "telpas_rate":
        col = f"telpas_{ind.telpas_field}_level"
        e = _need(tables, "elp_assessments", ("year", "student_id", col))
        e = _with_students(e, st)
        in_pop = population_mask(e, ind.population) & e[col].notna()
        if ind.min_years_in_us is not None:
            if "years_in_us_schools" not in e.columns:
                raise Absent("elp_assessments has no years_in_us_schools column")
            in_pop &= (
                pd.to_numeric(e["years_in_us_schools"], errors="coerce") >= ind.min_years_in_us
            )
        hit = e[col].astype(str).str.upper().isin([c.upper() for c in ind.codes])
        return _count(e, in_pop, hit, student_level=True)
    if kind == "nontraditional_completion":
        c = _need(tables, "courses", ("year", "student_id", "completed", "nontraditional_for"))
        if "gender" not in st.columns:
            raise Absent("students has no gender column")
        c = _with_students(c, st)
        in_pop = (
            population_mask(c, ind.population)
            & c["completed"].fillna(False).astype(bool)
            & (c["nontraditional_for"].astype(str).str.upper() == ind.gender)
        )
        return _count(
            c, in_pop, c["gender"].astype(str).str.upper() == ind.gender, student_level=True
        )
    if kind == "setting_rate":
        if "instructional_setting" not in st.columns:
            raise Absent("students has no instructional_setting column")
        hit = (
            st["instructional_setting"].astype(str).str.upper().isin([c.upper() for c in ind.codes])
        )
        return _count(st, population_mask(st, ind.population), hit, student_level=True)
    if kind == "representation":
        return _count(
            st,
            population_mask(st, ind.population),
            population_mask(st, ind.numerator),
            student_level=True,
        )
    if kind in DIFFERENCE_KINDS:
        if kind == "representation_difference":
            frame, hit = st, population_mask(st, ind.numerator)
        else:
            d = _need(tables, "discipline", ("year", "student_id", "action"))
            act = d["action"].astype(str).str.upper().isin([c.upper() for c in ind.codes])
            if "discretionary" in d.columns:
                act &= d["discretionary"].fillna(False).astype(bool)
            acted = d.loc[act, ["year", "student_id"]].astype({"student_id": str})
            acted = acted.drop_duplicates().assign(_acted=True)
            frame = st.astype({"student_id": str}).merge(
                acted, on=["year", "student_id"], how="left"
            )
            hit = frame["_acted"].fillna(False).astype(bool)
        focus = _count(frame, population_mask(frame, ind.population), hit, student_level=True)
        base = _count(
            frame, population_mask(frame, ind.compare or Population()), hit, student_level=True
        ).rename(columns={"numerator": "cmp_numerator", "denominator": "cmp_denominator"})
        return focus.merge(
            base[["year", "district_id", "cmp_numerator", "cmp_denominator"]],
            on=["year", "district_id"],
            how="left",
        )
    raise Absent(f"kind {kind!r} has no counting rule")  # pragma: no cover - schema forbids
