"""The ``msip`` section of a framework: Missouri MSIP 5 Annual Performance Report rules.

Every number of the APR is data here: standards and their points (K-12 and K-8), the
content-area split, the credit each level earns for status, progress and growth, the status
and progress targets, the growth rule, attendance, graduation, CCR and HSR rules and the
accreditation bands. ``docs/accountability.md`` (MSIP 5) explains every key with its source
tag from STATES.md; the shipped values are in ``kit/frameworks/mo_msip5.yaml``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from kit.frameworks._schema_common import KeyedProblems, Sourced, Strict
from kit.metrics.groups import GROUP_IDS

LEVELS = ("exceeding", "on_track", "approaching", "floor")
LEVEL_NAMES = {
    "exceeding": "Exceeding",
    "on_track": "On Track",
    "approaching": "Approaching",
    "floor": "Floor",
}
MEASURES = (
    "mpi",
    "attendance",
    "graduation_4yr",
    "graduation_5yr",
    "ccr_1_3",
    "ccr_4",
    "ccr_5_6",
    "hsr",
)
STANDARD_ROWS = {  # sub-measures a standard of each kind may list (content areas: see below)
    "ccr": ("ccr_1_3", "ccr_4", "ccr_5_6"),
    "hsr": ("hsr",),
    "attendance": ("attendance",),
    "graduation": ("graduation",),
}
Share = Annotated[float, Field(ge=0, le=1)]
Points = Annotated[float, Field(ge=0)]


class LevelCredits(Strict):
    """Share of a component's points possible that each level earns."""

    exceeding: Share
    on_track: Share
    approaching: Share
    floor: Share = 0.0

    @model_validator(mode="after")
    def _ordered(self):
        vals = [self.exceeding, self.on_track, self.approaching, self.floor]
        if vals != sorted(vals, reverse=True):
            raise ValueError("credits must not rise from exceeding to floor")
        return self

    def credit(self, level: str) -> float:
        return float(getattr(self, level))


class Component(Strict):
    """Status, progress or growth: points possible = ``share_of_status`` x the row's status points."""

    share_of_status: Annotated[float, Field(gt=0, le=1)] = 1.0
    credits: LevelCredits


class Scoring(Sourced):
    """Points by component and level; score = status + max(progress, growth), capped."""

    status: Component
    progress: Component
    growth: Component

    @model_validator(mode="after")
    def _status_whole(self):
        if self.status.share_of_status != 1.0:
            raise KeyedProblems(
                [
                    (
                        ".status.share_of_status",
                        "status points possible are the row's points: use 1.0",
                    )
                ]
            )
        return self


class Cuts(Strict):
    """Lowest value (status) or change (progress) that reaches each level; below approaching = floor."""

    exceeding: float
    on_track: float
    approaching: float

    @model_validator(mode="after")
    def _ordered(self):
        if not self.exceeding >= self.on_track >= self.approaching:
            raise ValueError("cuts must satisfy exceeding >= on_track >= approaching")
        return self


class TargetRow(Strict):
    """Cuts for one measure (optionally one content area / group), in force from ``from_year``."""

    measure: Literal[MEASURES]
    subject: str = "ALL"  # content area id for mpi rows; ALL = every content area
    group: Literal["all", "super_subgroup", "ALL"] = "ALL"
    from_year: int = 0
    cuts: Cuts
    verified: bool | None = None  # default: the table's
    note: str | None = None


class TargetTable(Sourced):
    rows: list[TargetRow] = Field(default_factory=list)

    def lookup(self, measure: str, subject: str, group: str, year: int) -> TargetRow | None:
        """The most specific row in force: exact subject and group beat ALL, then latest year."""
        best, best_key = None, None
        for row in self.rows:
            if row.measure != measure or row.from_year > year:
                continue
            if row.subject not in (subject, "ALL") or row.group not in (group, "ALL"):
                continue
            key = (row.subject == subject, row.group == group, row.from_year)
            if best_key is None or key > best_key:
                best, best_key = row, key
        return best

    def row_verified(self, row: TargetRow) -> bool:
        return self.verified if row.verified is None else row.verified


class Standard(Sourced):
    """One of the five standards: its sub-measure rows and their status points possible."""

    number: Annotated[int, Field(ge=1, le=5)]
    kind: Literal["academic", "subgroup", "ccr", "hsr", "attendance", "graduation"]
    name: str
    rows: Annotated[dict[str, Points], Field(min_length=1)]

    @property
    def possible(self) -> float:
        return float(sum(self.rows.values()))


class DistrictType(Sourced):
    standards: Annotated[list[Standard], Field(min_length=1)]

    @property
    def possible(self) -> float:
        return float(sum(s.possible for s in self.standards))


class StatusWindow(Sourced):
    """Which years feed status: this year, or the mean / best of the last ``years``."""

    years: Annotated[int, Field(ge=1, le=3)] = 1
    rule: Literal["current", "mean", "best"] = "current"


class Population(Sourced):
    """Who is scored: minimum n, which tested students count, and rows without data."""

    min_n: Annotated[int, Field(ge=1)] = 30
    mpi_students: Literal["accountable", "tested"] = "accountable"
    exclude_missing_from_possible: bool = True


class GrowthRule(Sourced):
    """Growth levels from an estimate and its standard error (user table or kit proxy).

    Exceeding: estimate - z x se > 0; On Track: estimate >= 0; Approaching: estimate + z x se
    >= 0; Floor otherwise. A ``level`` column in the user's table is used as given.
    """

    standards: list[Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=lambda: [1, 2])
    z: Annotated[float, Field(gt=0)] = 1.96
    years: Annotated[int, Field(ge=1, le=5)] = 3
    proxy: bool = True
    proxy_label: str = "kit proxy, not the Missouri Growth Model"
    proxy_source: str = ""
    proxy_note: str | None = None


class AttendanceRule(Sourced):
    student_threshold: Annotated[float, Field(gt=0, le=100)] = 90.0
    inclusive: bool = True
    years: Annotated[int, Field(ge=1, le=5)] = 3
    combine: Literal["mean_of_years", "pooled"] = "mean_of_years"
    exclude_zero_hours: bool = True
    residency_included: list[str] | None = None  # None: every residency code (or no column)
    grades: tuple[int, int] = (0, 12)


class GraduationRule(Sourced):
    rates: list[Literal["4yr", "5yr"]] = Field(default_factory=lambda: ["4yr", "5yr"])
    combine: Literal["best_points"] = "best_points"
    # Which cohort each rate of APR year Y reads: cohort_year = Y - offset.
    cohort_offsets: dict[Literal["4yr", "5yr"], Annotated[int, Field(ge=0, le=3)]] = Field(
        default_factory=lambda: {"4yr": 0, "5yr": 1}
    )


class CcrRule(Sourced):
    """CCR 1-3 row: graduates at/above the standard, plus ``partial_credit`` per other taker."""

    partial_credit: Share = 0.0


class HsrRule(Sourced):
    eoc_subjects: Annotated[list[str], Field(min_length=1)]
    max_grade: Annotated[int, Field(ge=0, le=12)] = 8
    denominator: Literal["grade8_enrolled", "eoc_takers"] = "grade8_enrolled"


class Rounding(Sourced):
    """Values (MPI, rates, participation) are rounded half up to ``decimals`` before they are
    compared with a target or cut; ``null`` compares them unrounded."""

    decimals: Annotated[int, Field(ge=0, le=3)] | None = 1


class Band(Strict):
    min_percent: Annotated[float, Field(ge=0, le=100)]
    label: str


class AccreditationRule(Sourced):
    bands: Annotated[list[Band], Field(min_length=1)]
    round_to: Annotated[int, Field(ge=0, le=3)] | None = 1

    @model_validator(mode="after")
    def _ordered(self):
        mins = [b.min_percent for b in self.bands]
        if mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise KeyedProblems(
                [
                    (
                        ".bands",
                        "list bands from the highest min_percent down to "
                        "0 (the last band catches everything)",
                    )
                ]
            )
        return self


class MsipRules(Sourced):
    """The ``msip`` section. Field names are the YAML keys."""

    version: str = "MSIP 5"
    mpi_model: str = "mo_mpi"
    participation_min: Annotated[float, Field(ge=0, le=100)] = 95.0
    super_subgroup: str = "super_subgroup"
    rounding: Rounding = Field(default_factory=lambda: Rounding())
    content_areas: dict[str, str]  # content-area row id -> assessment subject code
    k12_min_grade: Annotated[int, Field(ge=1, le=12)] = 9
    district_types: dict[Literal["K12", "K8"], DistrictType]
    population: Population = Field(default_factory=Population)
    status_window: StatusWindow = Field(default_factory=StatusWindow)
    scoring: Scoring
    status_targets: TargetTable
    progress_targets: TargetTable
    growth: GrowthRule = Field(default_factory=GrowthRule)
    attendance: AttendanceRule = Field(default_factory=AttendanceRule)
    graduation: GraduationRule = Field(default_factory=GraduationRule)
    ccr: CcrRule = Field(default_factory=CcrRule)
    hsr: HsrRule | None = None
    accreditation: AccreditationRule

    @model_validator(mode="after")
    def _cross_checks(self):
        problems: list[tuple[str, str]] = []
        if self.super_subgroup not in GROUP_IDS:
            problems.append((".super_subgroup", f"unknown group {self.super_subgroup!r}"))
        for dt in ("K12", "K8"):
            if dt not in self.district_types:
                problems.append((".district_types", f"give both K12 and K8; {dt} is missing"))
        for dt, spec in self.district_types.items():
            seen: set[int] = set()
            for i, st in enumerate(spec.standards):
                where = f".district_types.{dt}.standards[{i}]"
                if st.number in seen:
                    problems.append((where + ".number", f"standard {st.number} is listed twice"))
                seen.add(st.number)
                allowed = (
                    tuple(self.content_areas)
                    if st.kind in ("academic", "subgroup")
                    else STANDARD_ROWS[st.kind]
                )
                for row in st.rows:
                    if row not in allowed:
                        problems.append(
                            (
                                f"{where}.rows.{row}",
                                f"not a {st.kind} row; allowed: {', '.join(allowed)}",
                            )
                        )
                if st.kind == "hsr" and self.hsr is None:
                    problems.append((where, "an hsr standard needs the msip.hsr section"))
        areas = set(self.content_areas) | {"ALL"}
        for name in ("status_targets", "progress_targets"):
            for i, row in enumerate(getattr(self, name).rows):
                if row.subject not in areas:
                    problems.append(
                        (
                            f".{name}.rows[{i}].subject",
                            f"{row.subject!r} is not a content area ({', '.join(sorted(areas))})",
                        )
                    )
        if problems:
            raise KeyedProblems(problems)
        return self

    def standards(self, district_type: str) -> list[Standard]:
        return list(self.district_types[district_type].standards)

    @property
    def unverified(self) -> list[str]:
        """Plain-language names of the tables and rules marked ``verified: false``."""
        out = []
        parts = {
            "MSIP scoring credits": self.scoring,
            "MSIP status targets": self.status_targets,
            "MSIP progress targets": self.progress_targets,
            "MSIP growth rule": self.growth,
            "MSIP attendance rule": self.attendance,
            "MSIP graduation rule": self.graduation,
            "MSIP CCR rule": self.ccr,
            "MSIP HSR rule": self.hsr,
            "MSIP minimum n and scored population": self.population,
            "MSIP status window": self.status_window,
            "MSIP rounding before comparing with targets": self.rounding,
            "MSIP accreditation bands": self.accreditation,
        }
        out += [name for name, part in parts.items() if part is not None and not part.verified]
        for dt, spec in self.district_types.items():
            if not spec.verified:
                out.append(f"MSIP {dt} points")
            out += [
                f"MSIP {dt} standard {s.number} points" for s in spec.standards if not s.verified
            ]
        return out
