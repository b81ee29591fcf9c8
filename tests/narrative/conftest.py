"""The narrative tests' stores: the demo district built under each framework whose wording
must agree with its tables."""

from __future__ import annotations

import pytest

import kit

FRAMEWORKS = ["ma", "ny", "sc"]


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework_store(request, facts_path, framework_facts):
    """The demo district's facts store under ``ma``, ``ny`` and ``sc`` in turn."""
    path = facts_path if request.param == "ma" else framework_facts(request.param)
    with kit.read_facts(path) as f:
        yield f
