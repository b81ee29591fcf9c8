"""kit batch: planning, warm-kernel isolation, failure isolation, resume, params-only, Dask."""

import csv
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from kit.batch.plan import Job, plan_jobs
from kit.batch.runner import run_batch, write_params_only
from kit.report.engine import WarmKernel
from kit.report.registry import notebooks_dir
from kit.report.render import render_report


def test_plan_has_every_school_and_the_district(facts_path, facts, tmp_path):
    from kit.report.registry import REPORTS, missing_needs

    jobs = plan_jobs(facts_path, tmp_path)
    schools = set(facts.schools()["entity_id"])
    for report, spec in REPORTS.items():
        mine = [j for j in jobs if j.report == report]
        if missing_needs(report, facts.tables):  # msip_apr, pbmas: not in an ``ma`` store
            assert not mine
            continue
        school_ids = {j.entity_id for j in mine if j.entity_type == "school"}
        assert school_ids == (schools if "school" in spec.scopes else set())
        n_district = [j.entity_type for j in mine].count("district")
        assert n_district == (len(facts.districts()) if "district" in spec.scopes else 0)
    assert len({j.key for j in jobs}) == len(jobs)  # every job's inputs differ


def test_unknown_override_key_is_rejected_before_any_kernel(facts_path, facts, tmp_path):
    district = facts.districts()["entity_id"][0]
    (tmp_path / "p" / "districts").mkdir(parents=True)
    (tmp_path / "p" / "districts" / f"{district}.yaml").write_text("colour: blue\n")
    with pytest.raises(Exception, match="colour"):
        plan_jobs(facts_path, tmp_path, params_dir=tmp_path / "p")


def test_a_report_does_not_depend_on_the_report_before_it(facts_path, facts, tmp_path):
    a, b = facts.schools()["entity_id"][:2]
    warm = WarmKernel()
    try:
        render_report(
            "subgroups",
            facts_path=facts_path,
            entity_id=a,
            out=tmp_path / "w",
            formats=("html",),
            kernel=warm,
        )
        after_a = render_report(
            "subgroups",
            facts_path=facts_path,
            entity_id=b,
            out=tmp_path / "w",
            formats=("html",),
            kernel=warm,
        )
    finally:
        warm.shutdown()
    alone = render_report(
        "subgroups", facts_path=facts_path, entity_id=b, out=tmp_path / "cold", formats=("html",)
    )
    assert after_a["html"].read_bytes() == alone["html"].read_bytes()


def _broken_notebooks(tmp_path: Path, bad_entity: str) -> Path:
    """A copy of the notebooks whose subgroups report raises for one entity."""
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), folder)
    nb = nbformat.read(folder / "subgroups.ipynb", as_version=4)
    nb.cells.insert(
        3,
        nbformat.v4.new_code_cell(
            f"if entity_id == {bad_entity!r}:\n    raise ValueError('broken on purpose')"
        ),
    )
    nbformat.write(nb, folder / "subgroups.ipynb")
    return folder


def test_a_failing_report_is_recorded_and_the_batch_goes_on(
    facts_path, facts, tmp_path, monkeypatch
):
    good, bad = facts.schools()["entity_id"][:2]
    monkeypatch.setenv("KIT_NOTEBOOKS", str(_broken_notebooks(tmp_path, bad)))
    jobs = plan_jobs(
        facts_path, tmp_path / "out", schools=[good, bad], formats=("html",), reports=["subgroups"]
    )
    result = run_batch(jobs, workers=1)
    assert result.exit_code == 1
    status = {r.job.entity_id: r for r in result.results}
    assert status[good].status == "ok" and Path(status[good].files["html"]).is_file()
    assert status[bad].status == "failed"
    assert status[bad].cell == 3 and "ValueError: broken on purpose" in status[bad].error
    manifest = json.loads((tmp_path / "out" / str(jobs[0].year) / "manifest.json").read_text())
    assert [j["status"] for j in manifest["jobs"]] == ["ok", "failed"]
    assert manifest["counts"] == {"ok": 1, "skipped": 0, "failed": 1}
    index = (tmp_path / "out" / str(jobs[0].year) / "index.html").read_text()
    assert "1 failed" in index and "broken on purpose" in index
    assert not (tmp_path / "out" / str(jobs[0].year) / jobs[1].district_id / bad).exists()


def test_resume_renders_only_what_is_missing_or_stale(facts_path, facts, tmp_path):
    schools = list(facts.schools()["entity_id"][:3])
    out = tmp_path / "out"
    jobs = plan_jobs(facts_path, out, schools=schools, formats=("html",), reports=["subgroups"])
    first = run_batch(jobs, workers=2)
    assert [r.status for r in first.results] == ["ok"] * 3
    Path(first.results[1].files["html"]).unlink()  # missing
    stale = plan_jobs(facts_path, out, schools=schools, formats=("html",), reports=["subgroups"])
    stale[2] = Job(**{**stale[2].to_dict(), "key": "changed-inputs"})  # stale
    second = run_batch(stale, workers=2, resume=True)
    assert [r.status for r in second.results] == ["skipped", "ok", "ok"]


def test_params_only_jobs_run_with_plain_papermill(facts_path, facts, tmp_path):
    jobs = plan_jobs(
        facts_path,
        tmp_path / "out",
        schools=[facts.schools()["entity_id"][0]],
        formats=("html",),
        reports=["subgroups"],
    )
    jobs_csv = write_params_only(jobs)
    rows = list(csv.DictReader(open(jobs_csv)))
    assert len(rows) == 1 and set(rows[0]) == {"notebook", "params", "output"}
    out = tmp_path / "run.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            rows[0]["notebook"],
            str(out),
            "-f",
            rows[0]["params"],
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "accountable students at" in text and '"output_type": "error"' not in text


def test_killed_batch_leaves_no_half_written_report(facts_path, tmp_path):
    out = tmp_path / "out"
    code = (
        "from kit.batch.plan import plan_jobs; from kit.batch.runner import run_batch; "
        f"run_batch(plan_jobs({str(facts_path)!r}, {str(out)!r}, formats=('html', 'pdf'),"
        " reports=['subgroups']), workers=2)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.rglob("*.pdf")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = list(out.rglob("*.html")) + list(out.rglob("*.pdf"))
    assert finished, "the batch was killed before any report was written"
    for path in finished:
        data = path.read_bytes()
        assert data.rstrip().endswith(b"</html>" if path.suffix == ".html" else b"%%EOF")


def _report_text(path: str | Path) -> str:
    """What a reader sees of a rendered report, without the provenance footer (its run
    time differs from run to run)."""
    spec = importlib.util.spec_from_file_location(
        "_pages", Path(__file__).parents[1] / "report" / "_pages.py"
    )
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    page = Path(path).read_text(encoding="utf-8")
    page = re.sub(r'<footer\b[^>]*class="kit-provenance".*?</footer>', " ", page, flags=re.S)
    return pages.page_text(page)


def test_dask_local_cluster_runs_the_same_jobs(facts_path, facts, tmp_path):
    """The same two reports through a Dask LocalCluster and through the process pool: the
    same pages (every figure, sentence and chart description), the same files, and a
    manifest that records each job as the pool's does."""
    schools = sorted(facts.schools()["entity_id"][:2])

    def plan(out):
        return plan_jobs(facts_path, out, schools=schools, formats=("html",), reports=["subgroups"])

    dask_jobs, pool_jobs = plan(tmp_path / "dask"), plan(tmp_path / "pool")
    dask = run_batch(dask_jobs, workers=2, dask="local")
    pool = run_batch(pool_jobs, workers=1)
    assert [r.status for r in dask.results] == ["ok", "ok"]
    assert [r.status for r in pool.results] == ["ok", "ok"]
    by_school = {r.job.entity_id: r for r in dask.results}
    assert sorted(by_school) == schools
    for r in pool.results:
        d = by_school[r.job.entity_id]
        assert d.job.key == r.job.key  # same inputs, same job
        assert Path(d.files["html"]).relative_to(tmp_path / "dask") == Path(
            r.files["html"]
        ).relative_to(tmp_path / "pool")
        text = _report_text(d.files["html"])
        assert text == _report_text(r.files["html"])
        # The report is the school's: its name and its all-students result are on the page.
        name = facts.schools().set_index("entity_id").loc[r.job.entity_id, "name"]
        assert name in text
    for run, root in ((dask, tmp_path / "dask"), (pool, tmp_path / "pool")):
        manifest = json.loads(Path(run.manifest).read_text())
        assert manifest["counts"] == {"ok": 2, "skipped": 0, "failed": 0}
        entries = sorted(manifest["jobs"], key=lambda e: e["entity_id"])
        assert [(e["entity_id"], e["report"], e["status"]) for e in entries] == [
            (s, "subgroups", "ok") for s in schools
        ]
        for e in entries:
            assert set(e["files"]) == {"html"} and Path(e["files"]["html"]).is_file()
            assert Path(e["files"]["html"]).is_relative_to(root)
    dask_keys = sorted(e["key"] for e in json.loads(Path(dask.manifest).read_text())["jobs"])
    pool_keys = sorted(e["key"] for e in json.loads(Path(pool.manifest).read_text())["jobs"])
    assert dask_keys == pool_keys


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (kernels run in their own session, but are still
    children of their worker)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _kernels(pids: set[int]) -> set[int]:
    found = set()
    for pid in pids:
        try:
            if b"ipykernel_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            pass
    return found


def _start_batch(facts_path, out):
    """Start `kit batch` (2 workers) and return once both kernels run and the batch
    process has results in hand (three reports written, then a moment)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kit.cli",
            "batch",
            "--facts",
            str(facts_path),
            "--out",
            str(out),
            "--formats",
            "html",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 180
    while time.time() < deadline and len(list(out.rglob("*.html"))) < 3:
        time.sleep(0.1)
    time.sleep(0.5)
    kids = _descendants(proc.pid)
    assert len(_kernels(kids)) == 2, "expected a kernel for each of the 2 workers"
    return proc, kids


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.time() + seconds
    while time.time() < deadline and _alive(pids):
        time.sleep(0.2)
    return _alive(pids)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
def test_sigterm_stops_the_batch_its_workers_and_kernels_and_resume_finishes(
    facts_path, facts, tmp_path
):
    out = tmp_path / "out"
    proc, kids = _start_batch(facts_path, out)
    assert proc.poll() is None, "the batch finished before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-2000:]
    assert "stopped:" in stderr and "--resume" in stderr and "Traceback" not in stderr
    assert not _gone_within(kids, 10), "a worker or kernel outlived the stopped batch"
    # The reports finished before the stop are in the manifest, and --resume keeps them.
    done = json.loads(next(out.rglob("manifest.json")).read_text())["jobs"]
    ok = [j for j in done if j["status"] == "ok"]
    assert ok and all(Path(j["files"]["html"]).is_file() for j in ok)
    total = len(plan_jobs(facts_path, out, formats=("html",)))
    assert len(ok) < total
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "kit.cli",
            "batch",
            "--facts",
            str(facts_path),
            "--out",
            str(out),
            "--formats",
            "html",
            "--workers",
            "2",
            "--resume",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{total - len(ok)} rendered, {len(ok)} unchanged, 0 failed" in again.stdout


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
def test_a_batch_killed_with_sigkill_leaves_no_worker_or_kernel_running(facts_path, tmp_path):
    proc, kids = _start_batch(facts_path, tmp_path / "out")
    proc.kill()
    proc.communicate(timeout=30)
    assert not _gone_within(kids, 15), "a worker or kernel outlived the killed batch"
