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
