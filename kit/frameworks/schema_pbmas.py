"""The ``pbmas`` section of a framework: Texas PBMAS indicators, cut points and staging.

One framework file holds one PBMAS year's rules (``year``): the program areas, every
indicator with its numerator and denominator (a ``kind`` over the kit's tables plus a
population), direction, PL 0 cut or explicit PL ranges (overridable per year under
``by_year``), minimum size, aggregation, SA / PJSA / RI availability and Report Only, and the
staging rule tables. Cut points are exact tenths (one decimal, as TEA publishes them).
``docs/accountability.md`` (PBMAS) explains every key with its source tag.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from kit.frameworks._schema_common import KeyedProblems, Sourced, Strict, to_tenths

KINDS = (
    "passing_rate",
    "test_type_rate",
    "dropout_rate",
    "diploma_rate",
    "graduation_rate",
    "telpas_rate",
    "nontraditional_completion",
    "setting_rate",
    "representation",
    "representation_difference",
    "discipline_difference",
)
Bound = float | None
PLS = ("pl0", "pl1", "pl2", "pl3", "pl4")


def _normalise_by_subject(value):
    """A bare number / range table applies to every subject: store it under ``ALL``."""
    if value is None or (isinstance(value, dict) and not set(value) & set(PLS)):
        return value
    return {"ALL": value}


class Ranges(Strict):
    """Closed PL ranges at one decimal, e.g. PL 0 [0, 8.5], PL 1 [8.6, 11.0] (EXT 16).

    ``null`` is an open end. Ranges must be contiguous: each begins 0.1 after the previous
    one ends (lower is better) or ends 0.1 before it begins (higher is better).
    """

    pl0: tuple[Bound, Bound]
    pl1: tuple[Bound, Bound]
    pl2: tuple[Bound, Bound] | None = None
    pl3: tuple[Bound, Bound] | None = None
    pl4: tuple[Bound, Bound] | None = None

    def tenths(self) -> list[tuple[int | None, int | None]]:
        out = []
        for name in PLS:
            r = getattr(self, name)
            if r is None:
                break
            out.append(tuple(None if b is None else to_tenths(b) for b in r))
        return out

    def direction(self) -> str:
        t = self.tenths()
        lo0 = t[0][0] if t[0][0] is not None else -(10**9)
        lo1 = t[1][0] if t[1][0] is not None else -(10**9)
        return "lower" if lo0 < lo1 else "higher"

    @model_validator(mode="after")
    def _contiguous(self):
        problems = []
        for name in PLS:
            r = getattr(self, name)
            if r is None:
                continue
            for b in r:
                if b is not None:
                    try:
                        to_tenths(b)
                    except ValueError as exc:
                        problems.append((f".{name}", str(exc)))
            if r[0] is not None and r[1] is not None and r[0] > r[1]:
                problems.append((f".{name}", f"range [{r[0]}, {r[1]}] runs backwards"))
        names = [n for n in PLS if getattr(self, n) is not None]
        if names != list(PLS[: len(names)]):
            problems.append(("", "give pl0, pl1, ... without gaps"))
        if problems:
            raise KeyedProblems(problems)
        t = self.tenths()
        lower = self.direction() == "lower"
        for k in range(1, len(t)):
            prev, cur = t[k - 1], t[k]
            ok = (
                (cur[0] is not None and prev[1] is not None and cur[0] == prev[1] + 1)
                if lower
                else (cur[1] is not None and prev[0] is not None and cur[1] == prev[0] - 1)
            )
            if not ok:
                problems.append(
                    (
                        f".pl{k}",
                        f"{list(getattr(self, f'pl{k}'))} does not continue "
                        f"pl{k - 1} {list(getattr(self, f'pl{k - 1}'))} at 0.1",
                    )
                )
        if problems:
            raise KeyedProblems(problems)
        return self


class Msr(Strict):
    """Minimum size: ``min`` students counted on the denominator (or numerator), over up to
    ``years`` years of data when the current year alone falls short."""

    count: Literal["denominator", "numerator"] = "denominator"
    min: Annotated[int, Field(ge=1)] = 30
    years: Annotated[int, Field(ge=1, le=3)] = 2


class Population(Strict):
    """Which students: flags that must hold, code columns, year after exit, grades, ages."""

    flags: dict[str, bool] = Field(default_factory=dict)
    codes: dict[str, list[str]] = Field(default_factory=dict)
    exclude_codes: dict[str, list[str]] = Field(default_factory=dict)
    year_after_exit: Literal["ell", "swd"] | None = None
    grades: tuple[int, int] | None = None
    ages: tuple[int, int] | None = None


class IndicatorYear(Sourced):
    """What changes for one year: cut, ranges, bands, MSR, Report Only."""

    cut: dict[str, float] | None = None
    ranges: dict[str, Ranges] | None = None
    bands: list[float] | None = None
    msr: Msr | None = None
    report_only: bool | None = None

    _norm_cut = field_validator("cut", "ranges", mode="before")(lambda v: _normalise_by_subject(v))


class Indicator(Sourced):
    """One PBMAS indicator. ``kind`` says how numerator and denominator are counted."""

    program_area: str
    number: Annotated[int, Field(ge=1)]
    name: str
    kind: Literal[KINDS]
    subjects: list[str] | None = None  # sub-parts (i)-(v); ids of pbmas.subjects
    population: Population = Field(default_factory=Population)
    numerator: Population | None = None  # extra conditions for the numerator (representation)
    compare: Population | None = None  # base group of a difference (default: all students)
    codes: list[str] | None = None  # test types, diploma programs, TELPAS levels, settings, actions
    test_types: list[str] = Field(default_factory=lambda: ["GENERAL"])
    telpas_field: Literal["reading", "composite"] | None = None
    min_years_in_us: Annotated[int, Field(ge=0)] | None = None
    gender: Literal["M", "F"] | None = None
    rate: Literal["4yr", "5yr"] = "4yr"
    direction: Literal["higher", "lower"]
    cut: dict[str, float] | None = None  # PL 0 cut; null = pbmas.standards by subject
    ranges: dict[str, Ranges] | None = None  # explicit PL ranges (replace cut + bands)
    bands: list[float] | None = None  # default: pbmas.standards.bands
    msr: Msr | None = None  # default: pbmas.msr
    sa: bool = False
    pjsa: bool = False
    ri: bool = False
    report_only: bool = False
    by_year: dict[int, IndicatorYear] = Field(default_factory=dict)

    _norm_cut = field_validator("cut", "ranges", mode="before")(lambda v: _normalise_by_subject(v))

    @property
    def label(self) -> str:
        return f"{self.program_area.replace('_', '/')} #{self.number}"

    @model_validator(mode="after")
    def _kind_needs(self):
        needs = {
            "passing_rate": ("subjects",),
            "test_type_rate": ("codes",),
            "diploma_rate": ("codes",),
            "telpas_rate": ("codes", "telpas_field"),
            "nontraditional_completion": ("gender",),
            "setting_rate": ("codes",),
            "representation": ("numerator",),
            "representation_difference": ("numerator",),
            "discipline_difference": ("codes",),
        }.get(self.kind, ())
        problems = [
            (f".{k}", f"a {self.kind} indicator needs {k}")
            for k in needs
            if getattr(self, k) is None
        ]
        for name in ("cut",):
            for subj, v in (getattr(self, name) or {}).items():
                try:
                    to_tenths(v)
                except ValueError as exc:
                    problems.append((f".{name}.{subj}" if subj != "ALL" else f".{name}", str(exc)))
        for subj, r in (self.ranges or {}).items():
            if r.direction() != self.direction:
                problems.append(
                    (
                        f".ranges.{subj}" if subj != "ALL" else ".ranges",
                        f"the ranges run {r.direction()}-is-better but direction is "
                        f"{self.direction}",
                    )
                )
        if problems:
            raise KeyedProblems(problems)
        return self


class Standards(Sourced):
    """PL 0 cuts of the passing-rate indicators by subject, and the PL band widths.

    ``bands: [10.0, 20.0]``: PL 1 up to 10.0 points from the cut, PL 2 10.1-20.0, PL 3
    20.1 or more (S003); mirrored for lower-is-better indicators.
    """

    cuts: dict[str, float]
    bands: Annotated[list[float], Field(min_length=1, max_length=4)] = Field(
        default_factory=lambda: [10.0, 20.0]
    )

    @model_validator(mode="after")
    def _exact(self):
        problems = []
        for subj, v in self.cuts.items():
            try:
                to_tenths(v)
            except ValueError as exc:
                problems.append((f".cuts.{subj}", str(exc)))
        try:
            widths = [to_tenths(b) for b in self.bands]
            if widths != sorted(set(widths)) or widths[0] <= 0:
                problems.append((".bands", "band widths must rise from a positive first band"))
        except ValueError as exc:
            problems.append((".bands", str(exc)))
        if problems:
            raise KeyedProblems(problems)
        return self


class Rounding(Sourced):
    decimals: Literal[1] = 1
    mode: Literal["half_up", "half_even"] = "half_up"


class Passing(Sourced):
    """A tested student passes at ``level`` or above (the kit's achievement levels)."""

    level: Annotated[int, Field(ge=1)] = 2
    fay_only: bool = False


class Aggregation(Sourced):
    """Years summed when the current year misses the MSR; ``marker`` labels the PL ("1 SA")."""

    marker: Literal["SA"] | None = None
    incremental: bool = True  # try 2 years, then 3; False: all ``msr.years`` at once


class RiRule(Sourced):
    rule: Literal["half_gap_two_years", "none"] = "half_gap_two_years"
    requires_msr_both_years: bool = True


class StageRule(Strict):
    """Conditions on the counts of PL 4 / 3 / 2 / 1 (inclusive [min, max], null max = any)."""

    stage: str
    pl4: tuple[int, int | None] | None = None
    pl3: tuple[int, int | None] | None = None
    pl2: tuple[int, int | None] | None = None
    pl1: tuple[int, int | None] | None = None

    def matches(self, counts: dict[int, int]) -> bool:
        for k in (4, 3, 2, 1):
            cond = getattr(self, f"pl{k}")
            if cond is None:
                continue
            lo, hi = cond
            n = counts.get(k, 0)
            if n < lo or (hi is not None and n > hi):
                return False
        return True


class StageTable(Sourced):
    program_area: str
    from_year: int = 0
    rules: Annotated[list[StageRule], Field(min_length=1)]
    otherwise: str = "Not Staged"


class Staging(Sourced):
    exclude_report_only: bool = True
    tables: list[StageTable] = Field(default_factory=list)

    def table(self, program_area: str, year: int) -> StageTable | None:
        found = [t for t in self.tables if t.program_area == program_area and t.from_year <= year]
        return max(found, key=lambda t: t.from_year) if found else None


class ProgramArea(Strict):
    id: str
    name: str


class PbmasRules(Sourced):
    """The ``pbmas`` section. Field names are the YAML keys."""

    year: int
    rounding: Rounding = Field(default_factory=Rounding)
    passing: Passing = Field(default_factory=Passing)
    subjects: dict[str, str]  # sub-part id (MATH, READING, ...) -> assessment subject code
    standards: Standards
    msr: Msr = Field(default_factory=Msr)
    msr_source: str = ""
    aggregation: Aggregation = Field(default_factory=Aggregation)
    ri: RiRule = Field(default_factory=RiRule)
    program_areas: Annotated[list[ProgramArea], Field(min_length=1)]
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    staging: Staging = Field(default_factory=Staging)

    @model_validator(mode="after")
    def _cross_checks(self):
        problems: list[tuple[str, str]] = []
        areas = [a.id for a in self.program_areas]
        seen: dict[tuple[str, int], int] = {}
        for i, ind in enumerate(self.indicators):
            where = f".indicators[{i}]"
            if ind.program_area not in areas:
                problems.append(
                    (
                        where + ".program_area",
                        f"{ind.program_area!r} is not among program_areas ({', '.join(areas)})",
                    )
                )
            key = (ind.program_area, ind.number)
            if key in seen:
                problems.append((where + ".number", f"{ind.label} is also indicators[{seen[key]}]"))
            seen.setdefault(key, i)
            for s in ind.subjects or []:
                if s not in self.subjects:
                    problems.append(
                        (
                            where + ".subjects",
                            f"{s!r} is not among pbmas.subjects ({', '.join(self.subjects)})",
                        )
                    )
            for year, spec in [(None, ind), *ind.by_year.items()]:
                at = where if year is None else f"{where}.by_year.{year}"
                for subj in ind.subjects or ["ALL"]:
                    if year is not None and spec.cut is None and spec.ranges is None:
                        break  # the year changes something else; the base cut applies
                    has_range = spec.ranges is not None and (
                        subj in spec.ranges or "ALL" in spec.ranges
                    )
                    has_cut = spec.cut is not None and (subj in spec.cut or "ALL" in spec.cut)
                    standard = spec.cut is None and subj in self.standards.cuts
                    if not (has_range or has_cut or standard):
                        problems.append(
                            (
                                at + ".cut",
                                f"no PL 0 cut or ranges for "
                                f"{'subject ' + subj if subj != 'ALL' else 'the indicator'}"
                                "; give cut (a number or subject -> number)"
                                " or ranges",
                            )
                        )
                        break
            for year, spec in [(None, ind), *ind.by_year.items()]:
                for name, widths in (("bands", spec.bands),):
                    if widths is None:
                        continue
                    try:
                        t = [to_tenths(b) for b in widths]
                        if t != sorted(set(t)) or t[0] <= 0:
                            raise ValueError("band widths must rise from a positive first band")
                    except ValueError as exc:
                        at = where if year is None else f"{where}.by_year.{year}"
                        problems.append((f"{at}.{name}", str(exc)))
        for i, t in enumerate(self.staging.tables):
            if t.program_area not in areas:
                problems.append(
                    (
                        f".staging.tables[{i}].program_area",
                        f"{t.program_area!r} is not among program_areas",
                    )
                )
        if problems:
            raise KeyedProblems(problems)
        return self

    def area_name(self, area: str) -> str:
        return next(a.name for a in self.program_areas if a.id == area)

    @property
    def unverified(self) -> list[str]:
        """Plain-language names of the rules and tables marked ``verified: false``."""
        out = [
            name
            for name, part in (
                ("PBMAS rounding", self.rounding),
                ("PBMAS passing standard", self.passing),
                ("PBMAS standards and bands", self.standards),
                ("PBMAS aggregation", self.aggregation),
                ("PBMAS required improvement", self.ri),
                ("PBMAS staging", self.staging),
            )
            if not part.verified
        ]
        out += [
            f"PBMAS staging table {t.program_area} ({t.from_year or 'all years'})"
            for t in self.staging.tables
            if not t.verified
        ]
        out += [f"PBMAS {ind.label} cut points" for ind in self.indicators if not ind.verified]
        out += [
            f"PBMAS {ind.label} {year}"
            for ind in self.indicators
            for year, spec in ind.by_year.items()
            if not spec.verified
        ]
        return out
