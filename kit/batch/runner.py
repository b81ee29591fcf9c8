"""``kit batch``: every report for every school (and district) in the facts store.

Jobs are planned from the facts store, their parameters validated before any kernel
starts, then run by a pool of worker processes. A failing report is recorded and the batch
goes on; ``manifest.json`` and ``index.html`` list every job with its status.
"""

from __future__ import annotations

import html
import json
import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kit._version import __version__
from kit.errors import KitError, ParameterError
from kit.facts import read_facts
from kit.report.export import safe_name
from kit.report.registry import REPORTS, get_report
from kit.report.render import render_report, report_output_dir, validate_params


@dataclass(frozen=True)
class Job:
    report: str
    entity_id: str
    entity_type: str
    district_id: str
    name: str
    year: int
    facts_path: str
    out: str
    formats: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def out_dir(self) -> Path:
        leaf = self.entity_id if self.entity_type == "school" else None
        return report_output_dir(Path(self.out), self.year, self.district_id, leaf)


@dataclass(frozen=True)
class JobResult:
    job: Job
    status: str  # "ok" | "failed"
    seconds: float
    files: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        return {**self.job.to_dict(), "status": self.status, "seconds": self.seconds,
                "files": self.files, "error": self.error}


@dataclass(frozen=True)
class BatchResult:
    out: str
    year: int
    results: tuple[JobResult, ...]
    seconds: float
    manifest: str
    index: str

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def to_dict(self) -> dict:
        return {"out": self.out, "year": self.year, "seconds": self.seconds,
                "manifest": self.manifest, "index": self.index,
                "results": [r.to_dict() for r in self.results]}


def plan_jobs(
    facts_path: str | Path,
    out: str | Path,
    *,
    year: int | None = None,
    district: str | None = None,
    schools: Sequence[str] | None = None,
    reports: Sequence[str] | None = None,
    formats: Sequence[str] = ("html", "pdf"),
) -> list[Job]:
    """One job per report per entity it is made for, parameters validated up front."""
    facts_path = str(Path(facts_path).resolve())
    specs = [get_report(r) for r in (reports or list(REPORTS))]
    with read_facts(facts_path) as facts:
        year = int(year or facts.latest_year())
        school_rows = facts.schools(year, district)
        district_rows = facts.districts(year)
    if district:
        district_rows = district_rows[district_rows["entity_id"] == district]
        if district_rows.empty:
            raise ParameterError(f"No district {district!r} in the facts for {year}.")
    if schools:
        unknown = sorted(set(schools) - set(school_rows["entity_id"]))
        if unknown:
            raise ParameterError(f"No school(s) {', '.join(unknown)} in the facts for {year}.")
        school_rows = school_rows[school_rows["entity_id"].isin(schools)]
        district_rows = district_rows.iloc[0:0]
    jobs = []
    for spec in specs:
        for scope, rows in (("district", district_rows), ("school", school_rows)):
            if scope not in spec.scopes:
                continue
            for rec in rows.to_dict("records"):
                validate_params({"facts_path": facts_path, "entity_id": rec["entity_id"],
                                 "year": year})
                jobs.append(Job(report=spec.id, entity_id=rec["entity_id"], entity_type=scope,
                                district_id=rec["district_id"], name=rec["name"], year=year,
                                facts_path=facts_path, out=str(out), formats=tuple(formats)))
    return jobs


def run_job(job: Job) -> JobResult:
    """Render one job; never raises (a failure is a result)."""
    t0 = time.perf_counter()
    try:
        files = render_report(job.report, facts_path=job.facts_path, entity_id=job.entity_id,
                              out=job.out, year=job.year, formats=job.formats)
        return JobResult(job, "ok", round(time.perf_counter() - t0, 2),
                         {k: str(v) for k, v in files.items()})
    except KitError as exc:
        return JobResult(job, "failed", round(time.perf_counter() - t0, 2), error=str(exc))
    except Exception as exc:  # a worker must report, not die: the batch goes on
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return JobResult(job, "failed", round(time.perf_counter() - t0, 2), error=tb)


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    on_done: Callable[[JobResult], None] | None = None,
) -> BatchResult:
    """Run ``jobs`` on ``workers`` processes (default: the machine's cores)."""
    if not jobs:
        raise ParameterError("Nothing to render: no school or district matched the selection.")
    t0 = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    results: list[JobResult] = []
    if workers == 1:
        for job in jobs:
            results.append(run_job(job))
            if on_done:
                on_done(results[-1])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_job, job) for job in jobs]
            for fut in as_completed(futures):
                results.append(fut.result())
                if on_done:
                    on_done(results[-1])
    order = {(j.report, j.entity_id): i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order[(r.job.report, r.job.entity_id)])
    out = Path(jobs[0].out)
    year = jobs[0].year
    manifest, index = write_manifest(out, year, results)
    return BatchResult(str(out), year, tuple(results), round(time.perf_counter() - t0, 2),
                       str(manifest), str(index))


def write_manifest(out: Path, year: int, results: Sequence[JobResult]) -> tuple[Path, Path]:
    """``OUT/<year>/manifest.json`` and ``OUT/<year>/index.html`` listing every job."""
    root = Path(out) / str(year)
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / "manifest.json"
    data = {"kit_version": __version__, "year": year,
            "jobs": [r.to_dict() for r in results]}
    tmp = manifest.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, manifest)
    index = root / "index.html"
    tmp = index.with_suffix(".html.tmp")
    tmp.write_text(_index_html(root, year, results), encoding="utf-8")
    os.replace(tmp, index)
    return manifest, index


def _index_html(root: Path, year: int, results: Sequence[JobResult]) -> str:
    rows = []
    for r in results:
        links = " ".join(
            f'<a href="{html.escape(os.path.relpath(p, root))}">{fmt.upper()}</a>'
            for fmt, p in sorted(r.files.items())
        )
        status = "ok" if r.status == "ok" else f"failed: {r.error or ''}"
        rows.append(
            f"<tr><td>{html.escape(r.job.district_id)}</td><td>{html.escape(r.job.name)}</td>"
            f"<td>{html.escape(r.job.report)}</td><td class='{safe_name(r.status)}'>"
            f"{html.escape(status)}</td><td>{r.seconds:.1f}</td><td>{links}</td></tr>"
        )
    n_failed = sum(r.status != "ok" for r in results)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Reports {year}</title>
<style>body{{font-family:system-ui,sans-serif;color:#1a1a1a;max-width:70em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;width:100%}}th,td{{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd}}
.failed{{color:#a6561b;font-weight:bold}}</style></head>
<body><h1>Reports for {year}</h1>
<p>{len(results)} reports, {n_failed} failed.</p>
<table><thead><tr><th scope="col">District</th><th scope="col">School</th><th scope="col">Report</th>
<th scope="col">Status</th><th scope="col">Seconds</th><th scope="col">Files</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
