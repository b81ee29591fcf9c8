"""``kit batch``: every report for every school (and district) in the facts store.

:func:`run_batch` runs planned jobs (:mod:`kit.batch.plan`) on the local worker pool or on
Dask (:mod:`kit.batch.workers`), costliest first, and writes ``manifest.json`` and
``index.html`` listing every job (:mod:`kit.batch.manifest`). With ``resume`` a job whose
inputs are unchanged since the last run and whose files are all there is skipped.
:func:`write_params_only` writes the parameter files for plain papermill instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kit.batch.manifest import read_manifest, write_manifest
from kit.batch.plan import Job
from kit.batch.workers import JobResult, dask_results, local_results
from kit.errors import ParameterError
from kit.report.registry import REPORTS, notebook_path

MANIFEST_EVERY = 60.0  # seconds between manifest writes during a batch


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
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def to_dict(self) -> dict:
        return {
            "out": self.out,
            "year": self.year,
            "seconds": self.seconds,
            "manifest": self.manifest,
            "index": self.index,
            "results": [r.to_dict() for r in self.results],
        }


def _skip_unchanged(jobs: Sequence[Job], out: Path, year: int) -> tuple[list[Job], list[JobResult]]:
    previous = {(e["report"], e["entity_id"]): e for e in read_manifest(out, year)}
    return _split(jobs, previous)


def _split(jobs: Sequence[Job], previous: dict) -> tuple[list[Job], list[JobResult]]:
    todo, skipped = [], []
    for job in jobs:
        prev = previous.get((job.report, job.entity_id))
        if (
            prev
            and prev.get("status") in ("ok", "skipped")
            and prev.get("key") == job.key
            and prev.get("files")
            and all(Path(p).is_file() for p in prev["files"].values())
        ):
            skipped.append(JobResult(job, "skipped", 0.0, prev["files"]))
        else:
            todo.append(job)
    return todo, skipped


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    resume: bool = False,
    dask: str | None = None,
    on_done: Callable[[JobResult], None] | None = None,
) -> BatchResult:
    """Run ``jobs`` on ``workers`` processes (default: the machine's cores) or on Dask.

    Parameters
    ----------
    resume
        Skip jobs whose inputs (facts, parameters, notebook, kit version) are unchanged
        since the manifest of the last run and whose files all exist.
    dask
        ``"local"`` for a LocalCluster on this machine, or a scheduler address
        (``tcp://host:8786``); the output folder must be one the workers share.
    """
    if not jobs:
        raise ParameterError("Nothing to render: no school or district matched the selection.")
    t0 = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    out, year = Path(jobs[0].out), jobs[0].year
    # Entries of reports this run does not touch stay in the manifest (a subset batch adds).
    previous = read_manifest(out, year)
    by_key = {(e.get("report"), e.get("entity_id")): e for e in previous}
    todo, results = _split(jobs, by_key) if resume else (list(jobs), [])
    for r in results:
        if on_done:
            on_done(r)
    # Costliest first: the last jobs to finish are short ones, so no worker idles at the end.
    todo.sort(key=lambda j: -REPORTS[j.report].cost)
    stream = dask_results(todo, dask, workers) if dask else local_results(todo, workers)
    order = {j.id: i for i, j in enumerate(jobs)}

    def record() -> tuple[Path, Path]:
        return write_manifest(
            out, year, sorted(results, key=lambda r: order[r.job.id]), previous=previous
        )

    saved = time.monotonic()
    try:
        for result in stream:
            results.append(result)
            if on_done:
                on_done(result)
            # The manifest of the jobs so far, once a minute: a batch killed even with
            # SIGKILL can be finished with --resume without redoing them.
            if time.monotonic() - saved > MANIFEST_EVERY:
                record()
                saved = time.monotonic()
    except BaseException:
        stream.close()  # stops the workers if the interrupt landed here, not in the stream
        if results:
            record()
        raise
    results.sort(key=lambda r: order[r.job.id])
    manifest, index = write_manifest(out, year, results, previous=previous)
    return BatchResult(
        str(out),
        year,
        tuple(results),
        round(time.perf_counter() - t0, 2),
        str(manifest),
        str(index),
    )


def write_params_only(jobs: Sequence[Job]) -> Path:
    """Write each job's parameter YAML and ``jobs.csv`` (notebook, params, output); run nothing.

    Any row can then be run with plain papermill: ``papermill NOTEBOOK OUTPUT -f PARAMS``
    (the output folders are created here), and the executed notebook turned into a page
    without code or the instruction cell by ``jupyter nbconvert --to html --no-input
    --TagRemovePreprocessor.enabled=True --TagRemovePreprocessor.remove_cell_tags remove-cell
    OUTPUT`` (docs/scaling.md).
    """
    import csv

    out, year = Path(jobs[0].out), jobs[0].year
    root = out / str(year)
    rows = []
    for job in jobs:
        params_file = root / "params" / job.out_dir.relative_to(root) / f"{job.report}.yaml"
        params_file.parent.mkdir(parents=True, exist_ok=True)
        job.out_dir.mkdir(parents=True, exist_ok=True)  # papermill does not create it
        params_file.write_text(yaml.safe_dump(job.parameters, sort_keys=True), encoding="utf-8")
        rows.append(
            {
                "notebook": str(notebook_path(job.report)),
                "params": str(params_file),
                "output": str(job.out_dir / f"{job.report}.ipynb"),
            }
        )
    jobs_csv = root / "jobs.csv"
    with open(jobs_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["notebook", "params", "output"])
        writer.writeheader()
        writer.writerows(rows)
    return jobs_csv


def record_render(
    report: str,
    files: dict,
    *,
    facts_path: str | Path,
    entity_id: str,
    out: str | Path,
    year: int | None = None,
    formats: Sequence[str] = ("html", "pdf"),
    options: dict | None = None,
    seconds: float = 0.0,
) -> Path:
    """Enter a report rendered by ``kit render`` in ``OUT/<year>/manifest.json`` and the
    index, with the key ``kit batch`` would give it, so ``--resume`` skips it while its
    inputs are unchanged. Returns the manifest's path."""
    from kit.batch.plan import plan_jobs

    jobs = [
        j
        for j in plan_jobs(
            facts_path, out, year=year, reports=[report], formats=formats, options=options
        )
        if j.entity_id == entity_id
    ]
    if not jobs:
        raise ParameterError(f"{entity_id} has no {report} report in the batch's plan.")
    job = jobs[0]
    result = JobResult(job, "ok", round(seconds, 2), {k: str(v) for k, v in files.items()})
    manifest, _ = write_manifest(
        Path(job.out), job.year, [result], previous=read_manifest(job.out, job.year)
    )
    return manifest
