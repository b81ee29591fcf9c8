"""Shared fixtures: a small demo district and its facts store, made once per test process."""

from __future__ import annotations

import pytest

from kit.build import build_facts
from kit.demo import generate_demo


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, seed=7, schools=4, students_per_grade=30, years=3)
    return out


@pytest.fixture(scope="session")
def facts_path(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("facts") / "facts.duckdb"
    build_facts(demo_dir, out)
    return out


@pytest.fixture
def facts(facts_path):
    from kit.facts import read_facts

    with read_facts(facts_path) as f:
        yield f


@pytest.fixture(scope="session")
def framework_facts(demo_dir, tmp_path_factory):
    """The demo built under another shipped framework: ``framework_facts("ny")`` is the
    path of its facts store (built once per test process)."""
    built = {}

    def get(framework: str):
        if framework not in built:
            out = tmp_path_factory.mktemp(f"facts-{framework}") / "facts.duckdb"
            build_facts(demo_dir, out, framework=framework)
            built[framework] = out
        return built[framework]

    return get


# --- MSIP 5 and PBMAS: a Missouri- and Texas-styled demo of three districts --------------------
# D01 regular K-12, D02 K-8 (MSIP 5 high school readiness), D03 small (PBMAS minimum sizes);
# --state-tests adds social studies, writing and the EOC tests.


@pytest.fixture(scope="session")
def state_demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("state_demo")
    generate_demo(
        out, seed=7, districts=3, schools=4, students_per_grade=30, years=3, state_tests=True
    )
    return out


@pytest.fixture(scope="session")
def msip_facts_path(state_demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("msip") / "facts.duckdb"
    build_facts(state_demo_dir, out, framework="mo_msip5")
    return out


@pytest.fixture(scope="session")
def pbmas_facts_path(state_demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pbmas") / "facts.duckdb"
    build_facts(state_demo_dir, out, framework="tx_pbmas")
    return out


@pytest.fixture
def sql_queries(monkeypatch):
    """The queries ``Facts.sql`` runs from here on, in order (the list fills as they run)."""
    from kit.facts import Facts

    queries: list[str] = []
    real = Facts.sql

    def recording(self, query, params=None):
        queries.append(query)
        return real(self, query, params)

    monkeypatch.setattr(Facts, "sql", recording)
    return queries
