"""Issue 11, items 9-11: batches an operator can trust (subset runs merge into the
manifest, params-only jobs run as documented, a job's files land as a set, an honest ETA)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kit.batch.manifest import read_manifest
from kit.batch.plan import plan_jobs
from kit.batch.runner import run_batch, write_params_only
from kit.cli import main


def _entries(out, year):
    return {(e["report"], e["entity_id"]): e for e in read_manifest(out, year)}


def test_a_subset_batch_merges_into_the_manifest(facts_path, facts, tmp_path):
    a, b = facts.schools()["entity_id"][:2]
    out = tmp_path / "out"
    first = run_batch(
        plan_jobs(facts_path, out, schools=[a], reports=["subgroups"], formats=("html",)), workers=1
    )
    year = first.year
    run_batch(
        plan_jobs(facts_path, out, schools=[b], reports=["subgroups"], formats=("html",)), workers=1
    )
    entries = _entries(out, year)
    assert {("subgroups", a), ("subgroups", b)} <= set(entries)
    manifest = json.loads((out / str(year) / "manifest.json").read_text())
    assert manifest["counts"]["ok"] == 2
    index = (out / str(year) / "index.html").read_text()
    assert f">{a}<" in index and f">{b}<" in index
    # a later resume of both keeps both
    again = run_batch(
        plan_jobs(facts_path, out, schools=[a, b], reports=["subgroups"], formats=("html",)),
        workers=1,
        resume=True,
    )
    assert [r.status for r in again.results] == ["skipped", "skipped"]


def test_kit_render_updates_the_manifest(facts_path, facts, tmp_path):
    school = facts.schools()["entity_id"][2]
    out = tmp_path / "out"
    code = main(
        [
            "render",
            "subgroups",
            "--facts",
            str(facts_path),
            "--entity",
            school,
            "--out",
            str(out),
            "--formats",
            "html",
        ]
    )
    assert code == 0
    year = facts.latest_year()
    entry = _entries(out, year)[("subgroups", school)]
    assert entry["status"] == "ok" and Path(entry["files"]["html"]).is_file()
    # the batch sees the rendered report as up to date
    jobs = plan_jobs(facts_path, out, schools=[school], reports=["subgroups"], formats=("html",))
    result = run_batch(jobs, workers=1, resume=True)
    assert [r.status for r in result.results] == ["skipped"]


def test_params_only_creates_the_output_folders_and_runs_as_documented(facts_path, facts, tmp_path):
    jobs = plan_jobs(
        facts_path,
        tmp_path / "out",
        schools=[facts.schools()["entity_id"][0]],
        reports=["subgroups"],
        formats=("html",),
    )
    rows = list(csv.DictReader(open(write_params_only(jobs))))
    output = Path(rows[0]["output"])
    assert output.parent.is_dir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            rows[0]["notebook"],
            str(output),
            "-f",
            rows[0]["params"],
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # docs/scaling.md: nbconvert drops the instruction cell with TagRemovePreprocessor
    docs = (Path(__file__).parents[2] / "docs" / "scaling.md").read_text()
    command = next(line for line in docs.splitlines() if "TagRemovePreprocessor" in line)
    assert "remove-cell" in command and "--no-input" in command
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbconvert",
            "--to",
            "html",
            "--no-input",
            "--TagRemovePreprocessor.enabled=True",
            "--TagRemovePreprocessor.remove_cell_tags",
            "remove-cell",
            str(output),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = output.with_suffix(".html").read_text()
    assert "This cell is left out of the rendered report" not in page
    assert "accountable students at" in page


def test_a_job_s_files_land_as_a_set(facts_path, facts, tmp_path, monkeypatch):
    """Stopped while its PDF is laid out, a report leaves neither file (not an HTML alone)."""
    import kit.report.export as export
    from kit.report.render import render_report

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # what SIGTERM raises in the batch

    monkeypatch.setattr(export, "html_to_pdf", stopped)
    monkeypatch.setattr(export, "pdf_bytes", stopped, raising=False)
    with pytest.raises(KeyboardInterrupt):
        render_report(
            "subgroups",
            facts_path=facts_path,
            entity_id="D01S01",
            out=tmp_path,
            formats=("html", "pdf"),
        )
    assert not list(tmp_path.rglob("*.html")) and not list(tmp_path.rglob("*.pdf"))


def _simulate(durations, workers=2, warmup=6.0):
    """(finish time, report) of each job on ``workers`` workers, costliest first."""
    free = [warmup] * workers  # each worker's first job also starts its kernel
    done = []
    for report, seconds in durations:
        w = min(range(workers), key=free.__getitem__)
        free[w] += seconds
        done.append((free[w], report, seconds))
    return sorted(done)


def test_the_first_eta_comes_from_job_kinds_not_the_costliest_job():
    from types import SimpleNamespace as NS

    from kit.cli import _BatchLog
    from kit.report.registry import REPORTS

    seconds = {"item_analysis": 9.0, "district_summary": 6.0, "index": 2.5, "subgroups": 2.0}
    kinds = ["item_analysis"] * 7 + ["district_summary"] + ["index"] * 6 + ["subgroups"] * 7
    kinds.sort(key=lambda k: -REPORTS[k].cost)
    events = _simulate([(k, seconds[k]) for k in kinds])
    total = events[-1][0]
    log = _BatchLog([NS(report=k) for k in kinds], plain=False, workers=2)
    log.start = 0.0
    errors = []
    for at, report, took in events[:-1]:
        log.add(NS(status="ok", seconds=took, job=NS(report=report, entity_id="x")), now=at)
        left = log.seconds_left(at)
        if left is not None:
            errors.append(abs(at + left - total) / total)
    assert errors and errors[0] < 0.5, errors  # the first estimate is within half the truth
    assert max(errors) < 0.5, errors
