"""Tests that bite (issue 12): a warm kernel forgets the report before it, resume re-renders
what really changed, and failures leave nothing half made (the old facts store, no partial
report files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import nbformat
import pytest

from kit.batch.plan import plan_jobs
from kit.batch.runner import run_batch
from kit.errors import KitError
from kit.facts import write_facts
from kit.report.engine import RenderError, WarmKernel
from kit.report.registry import notebooks_dir

pytestmark = pytest.mark.slow


def _probe(*sources: str) -> nbformat.NotebookNode:
    params = nbformat.v4.new_code_cell("facts_path = None\nentity_id = None\nyear = None")
    params.metadata["tags"] = ["parameters"]
    return nbformat.v4.new_notebook(cells=[params, *map(nbformat.v4.new_code_cell, sources)])


# Report A leaves names behind (a variable, an import, a function); report B must not see
# them. Real notebooks redefine all their names, so only a probe pair can tell.
A = _probe("left_by_a = 1\nimport textwrap as left_import\ndef left_fn(): pass")
B = _probe(
    "leftovers = [n for n in ('left_by_a', 'left_import', 'left_fn') if n in globals()]\n"
    "assert not leftovers, f'report B sees {leftovers}'"
)
FAILS = _probe("left_by_a = 1", "raise ValueError('report A breaks')")


def test_a_warm_kernel_forgets_the_names_of_the_report_before():
    warm = WarmKernel()
    try:
        warm.run(A, {"entity_id": "A"})
        warm.run(B, {"entity_id": "B"})  # raises RenderError if B sees A's names
        with pytest.raises(RenderError, match="report A breaks"):
            warm.run(FAILS, {"entity_id": "A"})
        warm.run(B, {"entity_id": "B"})  # a good report after a failing one, same kernel
        assert warm.runs == 3
    finally:
        warm.shutdown()


def _jobs(facts_path, out, formats=("html",)):
    return plan_jobs(facts_path, out, schools=["D01S01"], reports=["subgroups"], formats=formats)


def _statuses(result):
    return [r.status for r in result.results]


def test_resume_rerenders_after_rebuilt_facts_an_edited_notebook_or_other_formats(
    facts_path, tmp_path, monkeypatch
):
    store = tmp_path / "facts.duckdb"
    shutil.copy(facts_path, store)
    out = tmp_path / "out"
    assert _statuses(run_batch(_jobs(store, out), workers=1)) == ["ok"]
    assert _statuses(run_batch(_jobs(store, out), workers=1, resume=True)) == ["skipped"]

    # Rebuilt facts: a new file at the same path, as kit build writes it (a school renamed,
    # so the report must change).
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(facts_path, rebuilt)
    with duckdb.connect(str(rebuilt)) as con:
        con.execute("UPDATE entities SET name = 'Renamed School' WHERE entity_id = 'D01S01'")
    rebuilt.replace(store)
    again = run_batch(_jobs(store, out), workers=1, resume=True)
    assert _statuses(again) == ["ok"]
    assert "Renamed School" in Path(again.results[0].files["html"]).read_text()

    # An edited notebook.
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), folder)
    nb = nbformat.read(folder / "subgroups.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A note the district added."))
    nbformat.write(nb, folder / "subgroups.ipynb")
    monkeypatch.setenv("KIT_NOTEBOOKS", str(folder))
    edited = run_batch(_jobs(store, out), workers=1, resume=True)
    assert _statuses(edited) == ["ok"]
    assert "A note the district added." in Path(edited.results[0].files["html"]).read_text()
    assert _statuses(run_batch(_jobs(store, out), workers=1, resume=True)) == ["skipped"]

    # Other formats: the ipynb asked for now is made.
    more = run_batch(_jobs(store, out, ("html", "ipynb")), workers=1, resume=True)
    assert _statuses(more) == ["ok"] and Path(more.results[0].files["ipynb"]).is_file()


def test_a_failing_report_leaves_no_partial_files(facts_path, tmp_path, monkeypatch):
    # The report fails in its last cell, after every table and chart was made: neither its
    # HTML nor its notebook may be left, and a report of the same school rendered before
    # stays as it was.
    out = tmp_path / "out"
    first = run_batch(_jobs(facts_path, out, ("html", "ipynb")), workers=1)
    html = Path(first.results[0].files["html"])
    before = html.read_bytes()
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), folder)
    nb = nbformat.read(folder / "subgroups.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('fails at the end')"))
    nbformat.write(nb, folder / "subgroups.ipynb")
    monkeypatch.setenv("KIT_NOTEBOOKS", str(folder))

    fresh = tmp_path / "fresh"
    failed = run_batch(_jobs(facts_path, fresh, ("html", "ipynb")), workers=1)
    assert _statuses(failed) == ["failed"]
    year = str(failed.results[0].job.year)
    left = sorted(p.name for p in (fresh / year).rglob("*") if p.is_file())
    assert left == ["index.html", "manifest.json"]

    again = run_batch(_jobs(facts_path, out, ("html", "ipynb")), workers=1)
    assert _statuses(again) == ["failed"]
    assert html.read_bytes() == before  # the good report of the last run is kept
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]


def test_a_failed_facts_write_keeps_the_old_store(facts_path, tmp_path):
    store = tmp_path / "facts.duckdb"
    shutil.copy(facts_path, store)
    old = store.read_bytes()
    with pytest.raises(duckdb.Error):
        write_facts(store, {}, queries={"runs": "SELECT 1 AS x", "broken": "SELECT * FROM nowhere"})
    assert store.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.duckdb"]


@pytest.mark.parametrize("where", ["item analysis", "writing the store"])
def test_a_failed_build_keeps_the_old_store(demo_dir, facts_path, tmp_path, monkeypatch, where):
    import kit.build

    store = tmp_path / "facts.duckdb"
    shutil.copy(facts_path, store)
    old = store.read_bytes()
    if where == "item analysis":  # late: validation and the results' facts are done

        def broken(*args, **kwargs):
            raise KitError("the item analysis failed (injected)")

        monkeypatch.setattr(kit.build, "item_facts", broken)
        expected: type[Exception] = KitError
    else:  # during the write itself: some tables are in the new file, one fails
        real = kit.build.write_facts

        def write_then_fail(path, tables, *, con=None, queries=None, views=None):
            # the last step of a write, a view over the tables just written, fails
            broken = {**(views or {}), "zz": "SELECT * FROM nowhere"}
            return real(path, tables, con=con, queries=queries, views=broken)

        monkeypatch.setattr(kit.build, "write_facts", write_then_fail)
        expected = duckdb.Error
    with pytest.raises(expected):
        kit.build.build_facts(demo_dir, store, rejected_dir=tmp_path / "rejected")
    assert store.read_bytes() == old
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["facts.duckdb"]
