"""Load and validate framework YAML files (CONTRACT.md section 4).

A framework is data: level names and cuts, minimum n, index models. Shipped frameworks
live beside this module and are read with :mod:`importlib.resources`; a user's own file is
accepted by path. Every problem becomes a :class:`~kit.errors.FrameworkError` that names
the key and what is allowed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kit.errors import FrameworkError

Points = float | tuple[float, float]


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


class Framework(_Strict):
    """A validated framework. Field names are the YAML keys."""

    id: str
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
    index_models: dict[str, IndexModel]
    item_analysis: ItemAnalysisRules = Field(default_factory=ItemAnalysisRules)
    notes: list[str] = Field(default_factory=list)

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
        return self

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


def _explain(exc: ValidationError, origin: str) -> FrameworkError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    allowed = ""
    if err["type"] == "extra_forbidden":
        allowed = f" Allowed keys: {', '.join(sorted(Framework.model_fields))}."
    elif err["type"] == "literal_error":
        allowed = f" Allowed: {err.get('ctx', {}).get('expected', '')}."
    return FrameworkError(
        f"Framework {origin}: key {key!r}: {err['msg']}.{allowed}",
        key=key,
        fix="Compare with a shipped framework, e.g. kit/frameworks/ma.yaml.",
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
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, origin) from None
