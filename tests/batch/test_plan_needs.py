"""Issue 11, item 3: a store built from the two required tables only has no item data; no
item report is planned or rendered, and each place says so in a sentence."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from kit.batch.plan import plan_jobs
from kit.build import build_facts
from kit.errors import KitError
from kit.report.registry import notebooks_dir
from kit.report.render import render_report


@pytest.fixture(scope="module")
def required_only(demo_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("required")
    (root / "data").mkdir()
    for name in ("students", "assessments"):
        shutil.copy(demo_dir / f"{name}.csv", root / "data" / f"{name}.csv")
    build_facts(root / "data", root / "facts.duckdb")
    return root / "facts.duckdb"


def test_batch_plans_no_item_report_and_says_so_once(required_only, tmp_path):
    said = []
    jobs = plan_jobs(required_only, tmp_path / "out", on_skip=said.append)
    assert jobs and "item_analysis" not in {j.report for j in jobs}
    assert len(said) == 1 and said[0].startswith("item_analysis: not planned")
    assert "no item data" in said[0]


def test_asking_for_item_reports_by_name_is_an_error(required_only, tmp_path):
    with pytest.raises(KitError, match="no item data"):
        plan_jobs(required_only, tmp_path / "out", reports=["item_analysis"])


def test_render_refuses_before_any_kernel(required_only, tmp_path):
    with pytest.raises(KitError, match="no item data") as caught:
        render_report("item_analysis", facts_path=required_only, entity_id="D01S01", out=tmp_path)
    assert "Table item_stats does not exist" not in str(caught.value)


def test_the_notebook_alone_says_it_in_a_sentence(required_only, tmp_path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebooks_dir() / "item_analysis.ipynb", as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = f"facts_path = {str(required_only)!r}\nentity_id = 'D01S01'\n"
            cell.source += "year = None\nsubjects = None\n"
    client = NotebookClient(nb, timeout=300, kernel_name="python3")
    with pytest.raises(CellExecutionError):
        client.execute()
    error = next(o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")
    shown = "\n".join(error.traceback)
    assert "no item data" in shown and "does not exist" not in shown
    assert "Traceback" not in shown
    assert json.dumps(error.traceback).count("\\n") <= 2  # one sentence and its fix
