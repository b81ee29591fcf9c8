"""The examples in the docstrings run, so the documentation of the public verbs stays true.

Every module of the kit is searched for examples (``python -m doctest`` style). The examples
of the verbs that need data read three names the suite provides: ``demo_data`` (a folder
``kit demo-data`` wrote), ``facts_path`` (the store ``kit build`` made of it) and ``tmp`` (an
empty folder).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kit

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(kit.__path__, "kit.")
    if m.name not in ("kit.__main__", "kit.notebooks")
)

# The public verbs must carry a runnable example (numpydoc "Examples").
VERBS = {
    "kit.demo": "generate_demo",
    "kit.data.validate": "validate_data",
    "kit.build": "build_facts",
    "kit.facts": "read_facts",
    "kit.report.render": "render_report",
    "kit.batch.runner": "run_batch",
}


def _tests(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module, name) if t.examples]


WITH_EXAMPLES = [name for name in ["kit", *MODULES] if _tests(name)]


def test_examples_are_found():
    assert set(VERBS) | {"kit", "kit.fmt"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name, request, tmp_path):
    tests = _tests(name)
    needs_data = any("demo_data" in t.docstring or "facts_path" in t.docstring for t in tests)
    extra = {"tmp": tmp_path}
    if needs_data:
        extra["demo_data"] = request.getfixturevalue("demo_dir")
        extra["facts_path"] = request.getfixturevalue("facts_path")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for t in tests:
        t.globs.update(extra)
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


@pytest.mark.parametrize(("module", "verb"), sorted(VERBS.items()))
def test_public_verbs_have_parameters_returns_and_an_example(module, verb):
    doc = getattr(importlib.import_module(module), verb).__doc__ or ""
    for section in ("Parameters\n", "Returns\n", "Examples\n"):
        assert section in doc, f"{module}.{verb} has no numpydoc {section.strip()} section"
    assert ">>> " in doc
