"""Helpers for accountability tests: a framework from a few keys, a measure frame from rows.

Imported by name (``from acc_helpers import ...``); the fixtures are re-exported by
``conftest.py`` of this folder.
"""

import copy

import pandas as pd
import pytest
import yaml

from kit.frameworks.loader import _parse

BASE = {
    "id": "t",
    "name": "Test framework",
    "source": "tests",
    "verified": True,
    "subjects": ["ELA", "MATH"],
    "levels": [{"level": i, "name": f"Level {i}"} for i in range(1, 5)],
    "proficient_level": 3,
    "reporting_min_n": 5,
    "accountability_min_n": 10,
    "headline_model": "sc_pi",
    "index_models": ["sc_pi", "ma_cpi", "pa_ppi"],
    "amos": {
        "pct": {
            "measure": "pct_proficient",
            "schedule": {"ALL": {2008: 70.0}},
            "after_schedule": "hold_last",
            "target_year": 2014,
        },
        "sc_pi": {"measure": "sc_pi", "schedule": {"ALL": {2008: 68.3}}, "target_year": 2014},
    },
    "ayp": {
        "subjects": ["ELA"],
        "measure": "pct_proficient",
        "amo": "pct",
        "participation": {"min_rate": 95},
        "tests": [{"id": "status", "kind": "status"}, {"id": "safe_harbor", "kind": "safe_harbor"}],
    },
}


def build_framework(**changes):
    """The BASE framework with top-level keys replaced (``ayp_tests`` replaces the tests)."""
    data = copy.deepcopy(BASE)
    tests = changes.pop("ayp_tests", None)
    participation = changes.pop("participation", None)
    data.update(changes)
    if tests is not None:
        data["ayp"]["tests"] = tests
    if participation is not None:
        data["ayp"]["participation"] = participation
    return _parse(yaml.safe_dump(data, sort_keys=False), "test")


def measure_row(
    year,
    *,
    n=20,
    prof=None,
    pct=None,
    group="all",
    entity="S1",
    subject="ELA",
    enrolled=None,
    tested=None,
    entity_type="school",
    **models,
):
    """One row of the measure frame; ``pct`` or ``prof`` (proficient count) gives the result."""
    if prof is None:
        prof = round(pct * n / 100) if pct is not None else 0
    pct = 100.0 * prof / n if pct is None else pct
    tested = n if tested is None else tested
    enrolled = tested if enrolled is None else enrolled
    row = {
        "year": year,
        "entity_type": entity_type,
        "entity_id": entity,
        "subject": subject,
        "group": group,
        "n_enrolled": enrolled,
        "n_tested": tested,
        "n": n,
        "n_proficient": prof,
        "pct_proficient": pct,
        "participation_rate": 100.0 * tested / enrolled,
    }
    for model, value in models.items():
        row[f"v_{model}"] = value
        row[f"n_{model}"] = n
    return row


@pytest.fixture
def make_framework():
    return build_framework


@pytest.fixture
def frame_of():
    def make(*rows):
        df = pd.DataFrame(list(rows))
        for col in ("v_sc_pi", "n_sc_pi", "v_ma_cpi", "n_ma_cpi", "v_pa_ppi", "n_pa_ppi"):
            if col not in df.columns:
                df[col] = float("nan")
        return df

    return make
