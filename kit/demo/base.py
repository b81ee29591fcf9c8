"""What every part of the demo generator shares: the rates (``catalogue/rates.yaml``), the
tests given, the random streams, and the catalogue reader.

Catalogue data (rates, name lists, test content) live in YAML files in ``catalogue/``,
read with :mod:`importlib.resources`, lists as tuples: the generator's code holds the
simulation, the files hold the numbers and words it draws from.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from kit.data.schemas import RACE_CODES


def _tuples(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


@cache
def catalogue(name: str) -> dict[str, Any]:
    """The catalogue file ``catalogue/<name>.yaml`` as a dict, its lists as tuples."""
    text = (resources.files("kit.demo") / "catalogue" / f"{name}.yaml").read_text("utf-8")
    return _tuples(yaml.safe_load(text))


# Rates, effect sizes and item parameters of the synthetic data. Proportions are 0-1;
# achievement effects are in theta units (1 theta = ``scale_slope`` scale-score points).
DEMO_RATES: dict[str, Any] = catalogue("rates")

SUBJECTS = ("ELA", "MATH", "SCI")
TESTED_GRADES = (3, 4, 5, 6, 7, 8, 10)
SCIENCE_GRADES = (5, 8, 10)
LEVEL_CUTS = (220, 240, 260)  # lowest scale score of levels 2, 3 and 4 (MCAS)
SUBLEVEL_CUTS = (210, 230)  # lowest HIGH-half score of levels 1 and 2
FLAWS = ("negative discrimination", "low discrimination", "distractor beats key")
TABLE_NAMES = (
    "students",
    "assessments",
    "items",
    "item_responses",
    "graduation",
    "ccr",
    "elp_assessments",
    "discipline",
    "courses",
)

_MC, _SR, _OR = 0, 1, 2
_K12, _ELEMENTARY, _K8, _MIDDLE, _HIGH = range(5)
_SPANS = {_K12: (0, 12), _ELEMENTARY: (0, 5), _K8: (0, 8), _MIDDLE: (6, 8), _HIGH: (9, 12)}
# Stream tags: each random stream is seeded by (seed, tag, ...), so streams never overlap.
_T_SCHOOLS, _T_NAMES, _T_ROSTER, _T_YEAR, _T_SCORES, _T_ITEMS, _T_RESPONSES, _T_GRAD = range(8)
# Streams of the MSIP 5 / PBMAS inputs, added later: new tags leave the streams above as they were.
_T_PROGRAMS, _T_PROGRAM_YEAR, _T_PK, _T_MONITORING, _T_STATE_TESTS = range(8, 13)

# Reporting categories of every subject, in the order of the items table's dictionary.
_CONTENT = catalogue("content")
_CATEGORIES = sorted(
    {
        *_CONTENT["math_categories"].values(),
        *_CONTENT["ela_categories"].values(),
        *_CONTENT["sci_categories"].values(),
    }
)


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float | np.ndarray) -> float | np.ndarray:
    return np.log(p) - np.log1p(-p)


def _by_code(mapping: dict[str, float], codes: tuple[str, ...] = RACE_CODES) -> np.ndarray:
    return np.array([mapping[c] for c in codes], dtype=float)


def _test_list() -> list[tuple[int, int]]:
    """(subject index, grade) of every test, in output order."""
    return [
        (s, g)
        for s, subject in enumerate(SUBJECTS)
        for g in TESTED_GRADES
        if subject != "SCI" or g in SCIENCE_GRADES
    ]


def _choose(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """One categorical draw per row of cumulative probabilities ``cum`` (draws x categories)."""
    u = rng.random(cum.shape[0])
    return (u[:, None] > cum[:, :-1]).sum(axis=1).astype(np.int8)
