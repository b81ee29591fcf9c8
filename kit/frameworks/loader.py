"""Load and validate framework YAML files (CONTRACT.md section 4).

A framework is data: level names and cuts, minimum n, index models. Shipped frameworks
live beside this module and are read with :mod:`importlib.resources`; a user's own file is
accepted by path. Every problem becomes a :class:`~kit.errors.FrameworkError` that names
the key and what is allowed.
"""

from __future__ import annotations

import re
import types
import typing
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kit.errors import FrameworkError
from kit.frameworks.schema_states import (
    FrameworkProblems,
    MsipRules,
    PbmasRules,
    check_state_sections,
)
from kit.metrics.groups import GROUP_IDS, GROUPS

Points = float | tuple[float, float]

# The grammar of the ids a framework names (the framework, its index models, AMO schedules,
# AYP tests, goal methods): they become facts values, SQL column names (``v_<model>``), file
# names and CSS classes, so a letter first, then letters, digits or underscores.
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def _check_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise PydanticCustomError(
            "id_grammar",
            "{value} is not a valid id: use a letter, then letters, digits or underscores "
            "(at most 64 characters), e.g. ma_cpi",
            {"value": repr(value)},
        )
    return value


Id = Annotated[str, AfterValidator(_check_id)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    level: Annotated[int, Field(ge=1)]
    name: str
    short: str | None = None
    min_score: float | None = None


class LevelPointsModel(_Strict):
    """An index that gives each achievement level (or half level) a number of points."""

    kind: Literal["level_points"] = "level_points"
    name: str
    points: dict[int, Points]
    denominator: Literal["tested", "enrolled"] = "tested"
    not_tested_points: float = 0.0
    scale: float = 1.0
    range: tuple[float, float]
    source: str
    verified: bool
    note: str | None = None

    @property
    def split_levels(self) -> list[int]:
        return sorted(lv for lv, p in self.points.items() if isinstance(p, tuple))

    def points_for(self, level: int, high: bool) -> float:
        p = self.points[level]
        if isinstance(p, tuple):
            return p[1] if high else p[0]
        return p


class ProficiencyIndexModel(_Strict):
    """Grade-weighted difference between percent proficient and each grade's AMO."""

    kind: Literal["proficiency_index"]
    name: str
    amo_by_grade: dict[str, dict[int, float]]
    source: str
    verified: bool
    note: str | None = None


IndexModel = Annotated[LevelPointsModel | ProficiencyIndexModel, Field(discriminator="kind")]


class ItemAnalysisRules(_Strict):
    """Thresholds that turn item statistics into flags (PIM step 3, DOMAIN.md)."""

    hard_below: float = 20.0  # pct_correct below this is "hard"
    easy_above: float = 90.0  # pct_correct above this is "easy"
    min_point_biserial: float = 0.20  # below this is "low discrimination"
    trails_state_by: float = 10.0  # school pct_correct this many points under the state
    min_n: Annotated[int, Field(ge=1)] = 10  # fewer students: statistics not flagged


# --- accountability sections (AMOs, AYP rules, goals, subgroup thresholds, impact) ---------
# Every section is optional, so a framework written before them still loads. Field names are
# the YAML keys; docs/accountability.md explains each with an example.

PCT = "pct_proficient"  # the measure id of percent proficient (any other measure is a model id)


class _KeyedError(ValueError):
    """A cross-reference error that knows the YAML key it is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


class _Sourced(_Strict):
    source: str = ""
    verified: bool = True
    note: str | None = None


class StartingPoint(_Strict):
    """An NCLB starting point recomputed from the data, then a straight line to the goal.

    Seed 004 (South Carolina): schools sorted by the measure, the value of the school at the
    20th percentile of the state's enrolment is the baseline; the AMO rises in equal steps
    to the goal (100) by the target year.
    """

    percentile: Annotated[float, Field(gt=0, lt=100)] = 20.0
    goal: float | None = None  # default: the top of the measure's range (100, 200, 1.0)
    years: Annotated[int, Field(ge=1)] = 12  # baseline year to the year the goal is due
    step_years: Annotated[int, Field(ge=1)] = 1  # the AMO rises every step_years years
    baseline_year: int | None = None  # default: first year of data after the schedule


class AmoSchedule(_Sourced):
    """Annual measurable objectives for one measure, by subject and year.

    ``schedule`` maps a subject (or ``ALL`` for every subject) to {first year in effect:
    target}; a target holds until the next listed year. Past the last listed year
    ``after_schedule`` decides: ``hold_last`` keeps the last target, ``starting_point``
    recomputes an NCLB starting point from the data (``starting_point``), ``none`` leaves
    no AMO (status is then not determined).
    """

    measure: str = PCT
    schedule: dict[str, dict[int, float]] = Field(default_factory=dict)
    target_year: int | None = None  # year the schedule reaches its goal (2014 under NCLB)
    after_schedule: Literal["hold_last", "starting_point", "none"] = "hold_last"
    starting_point: StartingPoint = Field(default_factory=StartingPoint)


class ParticipationRule(_Strict):
    """Participation: tested / enrolled x 100 >= ``min_rate``, this year or averaged."""

    min_rate: Annotated[float, Field(ge=0, le=100)] = 95.0
    average_years: list[Annotated[int, Field(ge=2, le=5)]] = Field(default_factory=list)


class _Test(_Sourced):
    id: Id
    label: str | None = None
    # False: computed and shown in the impact analysis, but not part of the determination.
    in_determination: bool = True


class StatusTest(_Test):
    """Status: the value this year >= the AMO."""

    kind: Literal["status"]
    measure: str | None = None  # default: ayp.measure
    amo: str | None = None  # default: ayp.amo


class CiTest(_Test):
    """Status with a confidence interval: the upper bound reaches the AMO."""

    kind: Literal["ci"]
    measure: str | None = None
    amo: str | None = None
    method: Literal["wilson", "wald", "wald_target", "exact"] = "wilson"
    level: Annotated[float, Field(gt=0, lt=1)] = 0.95
    sided: Literal["one", "two"] = "one"


class SafeHarborTest(_Test):
    """Safe harbor: (goal - v_t) <= (1 - reduction) x (goal - v_{t-1}), plus the other indicator."""

    kind: Literal["safe_harbor"]
    measure: str = PCT
    reduction: Annotated[float, Field(gt=0, lt=1)] = 0.10
    goal: float | None = None  # default: top of the measure's range (100 % proficient)
    other_indicator: Literal["participation", "none"] = "participation"
    prior_min_n: Annotated[int, Field(ge=1)] | None = None  # default: reporting_min_n


class AveragingTest(_Test):
    """Uniform averaging: the mean over the last k years (any k listed) >= this year's AMO."""

    kind: Literal["averaging"]
    measure: str | None = None
    amo: str | None = None
    years: list[Annotated[int, Field(ge=2, le=5)]] = Field(default_factory=lambda: [2, 3])
    weighting: Literal["pooled", "mean"] = "pooled"


class IndexTest(_Test):
    """Index pathway: an index model meets its own AMO."""

    kind: Literal["index"]
    model: str
    amo: str
    other_indicator: Literal["participation", "none"] = "none"


class IndexGainTest(_Test):
    """Index gain: v_t - v_{t-1} >= the required gain.

    Required gain = ``gap_fraction`` x (goal - v_{t-1}) (Massachusetts improvement), or
    (goal - v_{t-1}) / (target_year - t + 1) (South Carolina option 5, Pennsylvania PPI:
    the gap divided by the years left); ``target_year: amo`` takes the year the AMO
    trajectory in force reaches its goal.
    """

    kind: Literal["index_gain"]
    model: str
    gap_fraction: Annotated[float, Field(gt=0, le=1)] | None = None
    target_year: int | Literal["amo"] | None = None
    goal: float | None = None
    other_indicator: Literal["participation", "none"] = "participation"
    prior_min_n: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> IndexGainTest:
        if (self.gap_fraction is None) == (self.target_year is None):
            raise ValueError("give exactly one of gap_fraction or target_year")
        return self


AypTest = Annotated[
    StatusTest | CiTest | SafeHarborTest | AveragingTest | IndexTest | IndexGainTest,
    Field(discriminator="kind"),
]
TEST_FAMILY = {  # which contract column of `ayp` a test kind feeds
    "status": "status_met",
    "ci": "ci_met",
    "safe_harbor": "safe_harbor_met",
    "index_gain": "safe_harbor_met",
    "index": "index_met",
    "averaging": "averaging_met",
}


class AypRules(_Sourced):
    """AYP: participation, then an ordered list of tests; the first one met is the path."""

    subjects: list[str] = Field(default_factory=lambda: ["ELA", "MATH"])
    groups: list[str] | None = None  # groups whose result counts for the entity
    measure: str = PCT  # what status compares with the AMO
    amo: str  # id in `amos`
    participation: ParticipationRule = Field(default_factory=ParticipationRule)
    tests: Annotated[list[AypTest], Field(min_length=1)]

    def accountable_groups(self) -> list[str]:
        if self.groups is not None:
            return list(self.groups)
        return [
            g.id
            for g in GROUPS
            if g.kind in ("all", "program", "race", "composite")
            and g.id not in ("title1", "super_subgroup", "former_ell")
        ]


class GoalMethod(_Sourced):
    """One way to set a goal and its annual targets from a baseline B (DOMAIN.md, Goals).

    - ``linear``: straight line from B to ``goal`` (top of range) by the horizon;
    - ``gap_fraction``: goal = B + fraction x (top - B), equal annual increments
      (Massachusetts: one-third in six years; halve the gap by 2017);
    - ``annual_gap_fraction``: each year closes ``fraction`` of what is left,
      t_k = t_{k-1} + fraction x (top - t_{k-1}) (Tennessee: p + (100 - p) / 16).
    The horizon is ``years`` after the baseline year, or the absolute ``target_year``.
    """

    kind: Literal["linear", "gap_fraction", "annual_gap_fraction"]
    label: str
    measure: str = PCT
    fraction: Annotated[float, Field(gt=0, le=1)] | None = None
    goal: float | None = None  # the top of the scale; default: top of the measure's range
    years: Annotated[int, Field(ge=1)] | None = None
    target_year: int | None = None
    min_n: Annotated[int, Field(ge=1)] | None = None  # default: goals.min_n

    @model_validator(mode="after")
    def _consistent(self) -> GoalMethod:
        if (self.years is None) == (self.target_year is None):
            raise ValueError("give exactly one of years or target_year")
        if self.kind == "linear" and self.fraction is not None:
            raise ValueError("a linear goal runs to the top of the scale; drop fraction")
        if self.kind != "linear" and self.fraction is None:
            raise ValueError(f"a {self.kind} goal needs fraction")
        return self


class GoalRules(_Strict):
    """Goals and AMO trajectories (PIM step 2-A)."""

    baseline_year: int | Literal["first", "latest"] = "first"
    primary: str  # the method the goal workbook shows
    min_n: Annotated[int, Field(ge=1)] | None = None  # default: reporting_min_n
    on_track_tolerance: Annotated[float, Field(ge=0)] = 0.0
    methods: Annotated[dict[Id, GoalMethod], Field(min_length=1)]


class LowestRule(_Strict):
    """PIM 1-A: a group is among the lowest when it trails all students by min_gap or more."""

    min_gap: Annotated[float, Field(ge=0)] = 10.0
    min_n: Annotated[int, Field(ge=1)] | None = None  # default: accountability_min_n


class TargetedRule(_Strict):
    """PIM 1-B: the groups the plan targets: the lowest, plus groups that missed AYP or
    trail all students by ``min_gap``, the weakest ``max_groups`` of them."""

    min_gap: Annotated[float, Field(ge=0)] = 5.0
    include_ayp_not_met: bool = True
    max_groups: Annotated[int, Field(ge=1)] | None = 3


class SubgroupRules(_Strict):
    """Subgroup analysis (PIM 0-B, 0-C, 1-A, 1-B)."""

    measure: str | None = None  # default: headline_model
    ranking_groups: list[str] | None = None  # default: every group except all and complements
    lowest: LowestRule = Field(default_factory=LowestRule)
    targeted: TargetedRule = Field(default_factory=TargetedRule)
    crosstabs: list[Annotated[list[str], Field(min_length=2, max_length=3)]] = Field(
        default_factory=lambda: [["low_income", "ell", "swd"]]
    )

    def groups_ranked(self) -> list[str]:
        if self.ranking_groups is not None:
            return list(self.ranking_groups)
        return [g.id for g in GROUPS if g.kind not in ("all", "complement")]


class ImpactRuleSet(_Strict):
    label: str
    tests: Annotated[list[str], Field(min_length=1)]


class ImpactRules(_Strict):
    """Impact analysis: how many schools meet targets under each rule set (seed 004, Table 2)."""

    rule_sets: list[ImpactRuleSet] | None = None  # default: each test alone and cumulatively
    models: list[str] | None = None  # default: pct_proficient and every index model
    model_targets: Literal["starting_point", "scaled"] = "starting_point"


class Framework(_Strict):
    """A validated framework. Field names are the YAML keys."""

    id: Id
    name: str
    source: str
    verified: bool
    subjects: list[str]
    levels: list[Level]
    proficient_level: int
    sublevel_cuts: dict[int, float] = Field(default_factory=dict)
    sublevel_cuts_verified: bool = False
    reporting_min_n: Annotated[int, Field(ge=1)] = 10
    accountability_min_n: Annotated[int, Field(ge=1)] = 30
    accountability_min_n_all: Annotated[int, Field(ge=1)] | None = None
    headline_model: str
    index_models: dict[Id, IndexModel]
    item_analysis: ItemAnalysisRules = Field(default_factory=ItemAnalysisRules)
    notes: list[str] = Field(default_factory=list)
    amos: dict[Id, AmoSchedule] = Field(default_factory=dict)
    ayp: AypRules | None = None
    goals: GoalRules | None = None
    subgroups: SubgroupRules = Field(default_factory=SubgroupRules)
    impact: ImpactRules = Field(default_factory=ImpactRules)
    msip: MsipRules | None = None  # Missouri MSIP 5 APR (schema_msip.py)
    pbmas: PbmasRules | None = None  # Texas PBMAS (schema_pbmas.py)

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        numbers = [lv.level for lv in self.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"levels must be numbered 1..k in order; got {numbers}")
        if not 1 <= self.proficient_level <= len(numbers):
            raise ValueError(
                f"proficient_level {self.proficient_level} is not one of the levels {numbers}"
            )
        if self.headline_model not in self.index_models:
            raise ValueError(
                f"headline_model {self.headline_model!r} is not among index_models "
                f"({', '.join(self.index_models)})"
            )
        for mid, model in self.index_models.items():
            if isinstance(model, LevelPointsModel) and sorted(model.points) != numbers:
                raise ValueError(
                    f"index model {mid!r} gives points for levels {sorted(model.points)}, "
                    f"but the framework has levels {numbers}"
                )
        self._check_accountability()
        return self

    # --- accountability cross-references ------------------------------------------------

    def _measure_ok(self, measure: str, where: str, *, ranged: bool = False) -> None:
        allowed = [PCT, *self.index_models]
        if measure not in allowed:
            raise _KeyedError(
                where,
                f"measure {measure!r} is neither {PCT} nor one of the "
                f"index_models ({', '.join(self.index_models)})",
            )
        if ranged and self.measure_range(measure) is None:
            raise _KeyedError(
                where,
                f"{measure!r} is a grade-weighted proficiency index, "
                "which has no top of scale; use percent proficient or a "
                "level-points index here",
            )

    def _check_accountability(self) -> None:
        for aid, amo in self.amos.items():
            self._measure_ok(amo.measure, f"amos.{aid}")
            if (
                amo.after_schedule == "starting_point"
                and amo.starting_point.goal is None
                and self.measure_range(amo.measure) is None
            ):
                raise _KeyedError(
                    f"amos.{aid}.starting_point",
                    f"{amo.measure!r} has no top of scale; give starting_point.goal",
                )
        for key, groups in (
            ("ayp.groups", self.ayp.groups if self.ayp else None),
            ("subgroups.ranking_groups", self.subgroups.ranking_groups),
            *((f"subgroups.crosstabs.{i}", c) for i, c in enumerate(self.subgroups.crosstabs)),
        ):
            bad = [g for g in groups or [] if g not in GROUP_IDS]
            if bad:
                raise _KeyedError(
                    key, f"unknown group(s) {', '.join(bad)}; allowed: {', '.join(GROUP_IDS)}"
                )
        if self.subgroups.measure is not None:
            self._measure_ok(self.subgroups.measure, "subgroups.measure")
        if self.ayp is not None:
            self._check_ayp(self.ayp)
        if self.goals is not None:
            if self.goals.primary not in self.goals.methods:
                raise _KeyedError(
                    "goals.primary",
                    f"{self.goals.primary!r} is not among "
                    f"goals.methods ({', '.join(self.goals.methods)})",
                )
            for mid, m in self.goals.methods.items():
                self._measure_ok(m.measure, f"goals.methods.{mid}", ranged=True)
        ids = [t.id for t in self.ayp.tests] if self.ayp else []
        for i, rs in enumerate(self.impact.rule_sets or []):
            bad = [t for t in rs.tests if t not in ids]
            if bad:
                raise _KeyedError(
                    f"impact.rule_sets.{i}",
                    f"unknown test id(s) {', '.join(bad)}; "
                    f"allowed: {', '.join(ids) or '(no ayp.tests)'}",
                )
        for m in self.impact.models or []:
            self._measure_ok(m, "impact.models")

    def _check_ayp(self, ayp: AypRules) -> None:
        def amo_ok(aid: str, where: str) -> None:
            if aid not in self.amos:
                raise _KeyedError(
                    where,
                    f"amo {aid!r} is not among amos ({', '.join(self.amos) or 'none defined'})",
                )

        amo_ok(ayp.amo, "ayp.amo")
        self._measure_ok(ayp.measure, "ayp.measure")
        seen: set[str] = set()
        for i, t in enumerate(ayp.tests):
            where = f"ayp.tests.{i}"
            if t.id in seen:
                raise _KeyedError(where, f"test id {t.id!r} is used twice")
            seen.add(t.id)
            if isinstance(t, StatusTest | CiTest | AveragingTest):
                measure = t.measure or ayp.measure
                self._measure_ok(measure, where, ranged=isinstance(t, CiTest))
                amo_ok(t.amo or ayp.amo, where)
            elif isinstance(t, SafeHarborTest):
                self._measure_ok(t.measure, where, ranged=True)
            elif isinstance(t, IndexTest):
                self._measure_ok(t.model, where)
                amo_ok(t.amo, where)
            elif isinstance(t, IndexGainTest):
                self._measure_ok(t.model, where, ranged=True)
                if t.target_year == "amo":
                    amo_ok(ayp.amo, where)

    def measure_range(self, measure: str) -> tuple[float, float] | None:
        """(bottom, top) of a measure's scale; None for a grade-weighted proficiency index."""
        if measure == PCT:
            return (0.0, 100.0)
        spec = self.index_models[measure]
        return tuple(spec.range) if isinstance(spec, LevelPointsModel) else None

    def measure_name(self, measure: str) -> str:
        return "percent proficient" if measure == PCT else self.index_models[measure].name

    @property
    def accountability_unverified(self) -> list[str]:
        """AMO schedules, AYP tests and goal methods marked ``verified: false``."""
        out = [f"AMO schedule {k}" for k, a in self.amos.items() if not a.verified]
        if self.ayp is not None:
            if not self.ayp.verified:
                out.append("AYP rules")
            out += [f"AYP test {t.id}" for t in self.ayp.tests if not t.verified]
        if self.goals is not None:
            out += [f"goal method {k}" for k, m in self.goals.methods.items() if not m.verified]
        return out

    @property
    def n_levels(self) -> int:
        return len(self.levels)

    def level_name(self, level: int) -> str:
        return self.levels[level - 1].name

    @property
    def unverified(self) -> list[str]:
        """Plain-language list of figures that are not verified, for report caveats."""
        out = [] if self.verified else [f"framework {self.id}"]
        if self.sublevel_cuts and not self.sublevel_cuts_verified:
            out.append("sublevel scale-score cuts")
        out += [f"index model {m}" for m, spec in self.index_models.items() if not spec.verified]
        out += (self.msip.unverified if self.msip else []) + (
            self.pbmas.unverified if self.pbmas else []
        )
        return out


_SHIPPED_DIR = resources.files("kit.frameworks")


def shipped_frameworks() -> list[str]:
    """Ids of the frameworks shipped with the kit."""
    return sorted(
        p.name.removesuffix(".yaml")
        for p in _SHIPPED_DIR.iterdir()
        if p.name.endswith(".yaml") and p.name != "index_models.yaml"
    )


@lru_cache(maxsize=1)
def index_model_library() -> dict[str, dict]:
    """The shipped index models, as plain YAML data keyed by id."""
    return yaml.safe_load((_SHIPPED_DIR / "index_models.yaml").read_text(encoding="utf-8"))


def _read_yaml(text: str, origin: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FrameworkError(
            f"Framework file {origin} is not valid YAML: {exc}",
            fix="Check indentation and quoting near the line named above.",
        ) from None
    if not isinstance(data, dict):
        raise FrameworkError(
            f"Framework file {origin} must be a YAML mapping of keys (id, name, levels, ...).",
        )
    return data


def _resolve_models(data: dict, origin: str) -> dict:
    """Replace index model ids in ``index_models`` by their library definitions."""
    models = data.get("index_models")
    library = index_model_library()
    if isinstance(models, list):
        resolved = {}
        for mid in models:
            if mid not in library:
                raise FrameworkError(
                    f"Framework {origin}: index_models names {mid!r}, which is not a shipped "
                    f"index model. Allowed: {', '.join(sorted(library))}; or define it inline "
                    "as a mapping.",
                    key="index_models",
                )
            resolved[mid] = library[mid]
        data = {**data, "index_models": resolved}
    elif isinstance(models, dict):
        data = {
            **data,
            "index_models": {
                mid: (library[mid] if spec is None and mid in library else spec)
                for mid, spec in models.items()
            },
        }
    return data


def _unwrap(tp):
    """Strip Annotated / Optional from an annotation; a union of models stays a union."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp


def _step(tp, part):
    """The annotation one step down ``part`` of an error location, or None."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return field.annotation if field else None
    if origin is list and isinstance(part, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (Union, types.UnionType):  # a discriminated union: the tag names the member
        for member in typing.get_args(tp):
            kind = getattr(member, "model_fields", {}).get("kind")
            if kind is not None and part in typing.get_args(kind.annotation):
                return member
    return None


def _allowed_keys(loc: tuple) -> list[str] | None:
    """The keys allowed in the mapping that holds the key at ``loc`` (None if unknown)."""
    tp = Framework
    for part in loc[:-1]:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return sorted(tp.model_fields)
    return None


def _problem(err: Any) -> tuple[str, str]:
    """One pydantic error as (key, message with what is allowed)."""
    tags = {"status", "ci", "safe_harbor", "averaging", "index", "index_gain"}
    loc = tuple(err["loc"])
    shown = [
        p
        for i, p in enumerate(loc)  # hide the union tag pydantic inserts in the path
        if not (p in tags and i > 0 and isinstance(loc[i - 1], int))
    ]
    if err["type"] == "id_grammar" or (shown and shown[-1] == "[key]"):
        shown = [p for p in shown if p != "[key]"]
    key = ".".join(str(p) for p in shown) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    keyed = (err.get("ctx") or {}).get("error")
    if isinstance(keyed, _KeyedError):
        key, msg = keyed.key, str(keyed).removeprefix(f"{keyed.key}: ")
    allowed = ""
    if err["type"] == "extra_forbidden":
        keys = _allowed_keys(loc) or sorted(Framework.model_fields)
        allowed = f" Allowed keys: {', '.join(keys)}."
    elif err["type"] == "literal_error":
        allowed = f" Allowed: {err.get('ctx', {}).get('expected', '')}."
    elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        allowed = f" Allowed kinds: {', '.join(sorted(tags))}."
    return key, f"{msg.rstrip('.')}.{allowed}"


def _explain(exc: ValidationError, origin: str) -> FrameworkError:
    """Every problem pydantic collected, each with its key, in one error."""
    problems = list(dict.fromkeys(_problem(err) for err in exc.errors()))
    sections = {key.split(".")[0] for key, _ in problems}
    fix = "Compare with a shipped framework, e.g. kit/frameworks/ma.yaml."
    if sections & {"amos", "ayp", "goals", "subgroups", "impact"}:
        fix += " Every accountability key is explained in docs/accountability.md."
    if len(problems) == 1:
        key, msg = problems[0]
        return FrameworkProblems(
            f"Framework {origin}: key {key!r}: {msg}", problems=problems, fix=fix
        )
    lines = "\n".join(f"  - {key}: {msg}" for key, msg in problems)
    return FrameworkProblems(
        f"Framework {origin}: {len(problems)} problems:\n{lines}", problems=problems, fix=fix
    )


def load_framework(name_or_path: str | Path = "ma") -> Framework:
    """Load a shipped framework by id (``"ma"``) or a user's YAML file by path.

    Raises
    ------
    FrameworkError
        When the file is missing, not YAML, or breaks the schema; the message names the key.
    """
    if str(name_or_path) in shipped_frameworks():
        return _load_shipped(str(name_or_path))
    text_path = Path(str(name_or_path))
    if text_path.suffix in (".yaml", ".yml") and text_path.is_file():
        origin = str(text_path)
        text = text_path.read_text(encoding="utf-8")
    else:
        raise FrameworkError(
            f"No framework {str(name_or_path)!r}: it is neither a shipped framework "
            f"({', '.join(shipped_frameworks())}) nor a .yaml file that exists.",
            key="framework",
            fix="Pass --framework ma, or the path to your own framework YAML file.",
        )
    return _parse(text, origin)


@lru_cache(maxsize=16)
def _load_shipped(name: str) -> Framework:
    return _parse((_SHIPPED_DIR / f"{name}.yaml").read_text(encoding="utf-8"), f"{name} (shipped)")


def _parse(text: str, origin: str) -> Framework:
    data = _resolve_models(_read_yaml(text, origin), origin)
    check_state_sections(data, origin)  # msip / pbmas: every problem at once, keys named
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, origin) from None
