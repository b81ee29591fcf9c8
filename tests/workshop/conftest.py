"""One warm kernel per test file: the lessons run in it one after another, each in a clean
namespace and its own temporary folder (papermill's parameter injection)."""

import pytest

from kit.facts import read_facts
from kit.report.engine import WarmKernel


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    k = WarmKernel(timeout=300, workdir=tmp_path_factory.mktemp("lessons"))
    yield k
    k.shutdown()


@pytest.fixture(scope="module")
def schools(facts_path):
    with read_facts(facts_path) as f:
        return f.schools()["entity_id"].tolist()
