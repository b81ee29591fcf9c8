"""Issue 11, item 1: the facts path a notebook names is found from JupyterLab, nbconvert and
papermill alike, wherever the kernel starts; a missing store names every path tried."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from kit.errors import FactsError
from kit.facts import read_facts, resolve_facts_path
from kit.report.registry import notebooks_dir


@pytest.fixture
def project(tmp_path, facts_path):
    """A checkout as `make demo` leaves it: pyproject.toml, notebooks/, output/facts.duckdb."""
    root = tmp_path / "proj"
    (root / "output").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copy(facts_path, root / "output" / "facts.duckdb")
    shutil.copytree(notebooks_dir(), root / "notebooks")
    return root


def test_relative_path_is_found_from_the_notebooks_folder(project, monkeypatch):
    monkeypatch.chdir(project / "notebooks")
    found = resolve_facts_path("output/facts.duckdb")
    assert found == (project / "output" / "facts.duckdb").resolve()
    with read_facts("output/facts.duckdb") as facts:
        assert facts.years()


def test_the_current_folder_comes_first(project, monkeypatch):
    here = project / "notebooks"
    (here / "output").mkdir()
    shutil.copy(project / "output" / "facts.duckdb", here / "output" / "facts.duckdb")
    monkeypatch.chdir(here)
    assert resolve_facts_path("output/facts.duckdb") == (here / "output" / "facts.duckdb")


def test_missing_store_names_the_paths_tried_and_the_current_folder(project, monkeypatch):
    (project / "output" / "facts.duckdb").unlink()
    monkeypatch.chdir(project / "notebooks")
    with pytest.raises(FactsError) as caught:
        read_facts("output/facts.duckdb")
    text = str(caught.value)
    assert str(project / "notebooks" / "output" / "facts.duckdb") in text
    assert str(project / "output" / "facts.duckdb") in text
    assert f"current folder is {project / 'notebooks'}" in text
    assert "Build it first" not in text or "kit build" in text


def test_notebook_runs_with_the_kernel_in_notebooks(project):
    """What JupyterLab and `jupyter nbconvert --execute` do: the kernel's cwd is notebooks/."""
    from nbclient import NotebookClient

    nb = nbformat.read(project / "notebooks" / "subgroups.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(project / "notebooks")}},
    )
    client.execute()
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert '"output_type": "error"' not in text
    assert "accountable students at" in text


def test_papermill_from_the_repository_root(project):
    import papermill as pm

    out = project / "run.ipynb"
    pm.execute_notebook(
        str(project / "notebooks" / "subgroups.ipynb"),
        str(out),
        parameters={"entity_id": "D01S02"},
        cwd=str(project),
        progress_bar=False,
        kernel_name="python3",
    )
    assert "error" not in json.dumps([c.get("outputs", []) for c in nbformat.read(out, 4).cells])


def test_absolute_path_is_used_as_given(project, tmp_path):
    os.chdir(tmp_path)
    path = project / "output" / "facts.duckdb"
    assert resolve_facts_path(str(path)) == path
    assert resolve_facts_path(Path(path)) == path


def test_missing_store_in_a_notebook_is_one_paragraph(project):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    (project / "output" / "facts.duckdb").unlink()
    nb = nbformat.read(project / "notebooks" / "subgroups.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(project / "notebooks")}},
    )
    with pytest.raises(CellExecutionError):
        client.execute()
    error = next(o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")
    assert error.ename == "FactsError"
    shown = "\n".join(error.traceback)
    assert str(project / "output" / "facts.duckdb") in shown
    assert "Traceback" not in shown and "site-packages" not in shown
