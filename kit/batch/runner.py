"""``kit batch``: every report for every school (and district) in the facts store.

Jobs are planned from the facts store and their parameters validated before any kernel
starts. Each worker process keeps one warm kernel (:mod:`kit.report.engine`) and renders
job after job in it; a failing report is recorded and the batch goes on, a kernel that
died or timed out is restarted and the job retried. ``manifest.json`` and ``index.html``
list every job. With ``resume`` a job whose inputs are unchanged since the last run and
whose files are all there is skipped. The same jobs run on Dask with ``dask=``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from kit._version import __version__
from kit.batch.manifest import read_manifest, write_manifest
from kit.data.readers import file_sha256
from kit.errors import KitError, ParameterError
from kit.facts import read_facts
from kit.report.registry import REPORTS, get_report, notebook_path
from kit.report.render import render_report, report_output_dir, validate_params

MAX_ATTEMPTS = 3  # a transient failure (kernel died, timed out) is tried this many times
MANIFEST_EVERY = 60.0  # seconds between manifest writes during a batch


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
    options: dict = field(default_factory=dict)  # extra report parameters (overrides)
    key: str = ""  # hash of every input: facts, parameters, notebook, kit version

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def id(self) -> str:
        return f"{self.report}:{self.entity_id}"

    @property
    def out_dir(self) -> Path:
        leaf = self.entity_id if self.entity_type == "school" else None
        return report_output_dir(Path(self.out), self.year, self.district_id, leaf)

    @property
    def parameters(self) -> dict:
        """The notebook's parameters, exactly as papermill would receive them."""
        return {**self.options, "facts_path": self.facts_path, "entity_id": self.entity_id,
                "year": self.year}


@dataclass(frozen=True)
class JobResult:
    job: Job
    status: str  # "ok" | "failed" | "skipped"
    seconds: float
    files: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    cell: int | None = None
    attempts: int = 1
    worker_peak_mb: int | None = None
    kernel_peak_mb: int | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("job")
        return {**self.job.to_dict(), **d}


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
        return {"out": self.out, "year": self.year, "seconds": self.seconds,
                "manifest": self.manifest, "index": self.index,
                "results": [r.to_dict() for r in self.results]}


def _job_key(facts_hash: str, notebook_hash: str, params: dict, formats: Sequence[str]) -> str:
    blob = json.dumps({"facts": facts_hash, "notebook": notebook_hash, "kit": __version__,
                       "params": params, "formats": sorted(formats)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def load_overrides(params_dir: str | Path | None, district_id: str) -> dict:
    """Per-district parameter overrides: ``PARAMS_DIR/districts/<district_id>.yaml``."""
    if not params_dir:
        return {}
    path = Path(params_dir) / "districts" / f"{district_id}.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{path} must be a mapping of parameter names to values.")
    fixed = {"facts_path", "entity_id", "year"} & set(data)
    if fixed:
        raise ParameterError(f"{path} sets {', '.join(sorted(fixed))}, which kit batch sets "
                             "itself; keep only report options (e.g. subjects).")
    return data


def plan_jobs(
    facts_path: str | Path,
    out: str | Path,
    *,
    year: int | None = None,
    district: str | None = None,
    schools: Sequence[str] | None = None,
    reports: Sequence[str] | None = None,
    formats: Sequence[str] = ("html", "pdf"),
    params_dir: str | Path | None = None,
) -> list[Job]:
    """One job per report per entity it is made for, parameters validated up front."""
    facts_path = str(Path(facts_path).resolve())
    specs = [get_report(r) for r in (reports or list(REPORTS))]
    with read_facts(facts_path) as facts:
        year = int(year or facts.latest_year())
        if year not in facts.years():
            raise ParameterError(f"No year {year} in the facts; it has {facts.years()}.")
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
    facts_hash = file_sha256(facts_path)
    nb_hash = {spec.id: file_sha256(notebook_path(spec.id)) for spec in specs}
    overrides = {d: load_overrides(params_dir, d)
                 for d in set(school_rows["district_id"]) | set(district_rows["entity_id"])}
    jobs = []
    for spec in specs:
        for scope, rows in (("district", district_rows), ("school", school_rows)):
            if scope not in spec.scopes:
                continue
            for rec in rows.to_dict("records"):
                job = Job(report=spec.id, entity_id=rec["entity_id"], entity_type=scope,
                          district_id=rec["district_id"], name=rec["name"], year=year,
                          facts_path=facts_path, out=str(out), formats=tuple(formats),
                          options=overrides.get(rec["district_id"], {}))
                validate_params(job.parameters)
                jobs.append(replace(job, key=_job_key(facts_hash, nb_hash[spec.id],
                                                      job.parameters, formats)))
    return jobs


def _peak_mb(pid: int | None = None) -> int | None:
    """Peak resident memory (VmHWM) of a process, in MB; None where /proc is unavailable."""
    try:
        with open(f"/proc/{pid or 'self'}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def run_job(job: Job) -> JobResult:
    """Render one job in this process's warm kernel; never raises (a failure is a result)."""
    from kit.report.engine import process_kernel

    kernel = process_kernel()
    t0 = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        try:
            files = render_report(job.report, facts_path=job.facts_path, entity_id=job.entity_id,
                                  out=job.out, year=job.year, formats=job.formats,
                                  kernel=kernel, options=job.options)
            status, error, cell = "ok", None, None
            files = {k: str(v) for k, v in files.items()}
        except KitError as exc:
            if getattr(exc, "transient", False) and attempt < MAX_ATTEMPTS:
                continue
            status, error, cell, files = "failed", str(exc), getattr(exc, "cell", None), {}
        except Exception as exc:  # a worker reports, it does not die: the batch goes on
            status, error, cell, files = "failed", f"{type(exc).__name__}: {exc}", None, {}
        return JobResult(job, status, round(time.perf_counter() - t0, 2), files, error, cell,
                         attempt, _peak_mb(), _peak_mb(kernel.pid))


def _skip_unchanged(jobs: Sequence[Job], out: Path, year: int) -> tuple[list[Job], list[JobResult]]:
    previous = {(e["report"], e["entity_id"]): e for e in read_manifest(out, year)}
    todo, skipped = [], []
    for job in jobs:
        prev = previous.get((job.report, job.entity_id))
        if (prev and prev.get("status") in ("ok", "skipped") and prev.get("key") == job.key
                and prev.get("files") and all(Path(p).is_file() for p in prev["files"].values())):
            skipped.append(JobResult(job, "skipped", 0.0, prev["files"]))
        else:
            todo.append(job)
    return todo, skipped


def _local_results(jobs: Sequence[Job], workers: int):
    if workers == 1:
        for job in jobs:
            yield run_job(job)
        return
    import multiprocessing as mp

    # forkserver: workers start from a clean interpreter, not a copy of this one's threads.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("forkserver"),
                               initializer=_init_worker, initargs=_parent_identity())
    try:
        for fut in as_completed([pool.submit(run_job, job) for job in jobs]):
            yield fut.result()
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM) or failed: do not run the queued jobs, and stop the
        # workers now; each kills its kernel on the way out (see _init_worker).
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def _stop_workers(pool: ProcessPoolExecutor, grace: float = 10.0) -> None:
    """Tell every worker to kill its kernel and leave, cancel what is queued, and SIGKILL
    any worker still alive after ``grace`` seconds in all (a hung worker must not hang the
    batch's exit)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    # Signal first: a worker told to finish through the pool's queue would shut its kernel
    # down while a report is running, and both would print tracebacks. SIGUSR1, not
    # SIGTERM: nbclient takes SIGTERM over while a notebook runs.
    for proc in procs:
        if proc.is_alive() and proc.pid:
            with contextlib.suppress(OSError):
                os.kill(proc.pid, signal.SIGUSR1)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


def _start_time(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat), or None if it is gone, a
    zombie, or /proc is not there. With the pid, it names one process even if pids wrap."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def _parent_identity() -> tuple[int, str | None]:
    return os.getpid(), _start_time(os.getpid())


def _batch_alive(pid: int, started: str | None) -> bool:
    if started is not None:  # Linux: same pid, same start time, not a zombie
        return _start_time(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours to signal
        return True
    return True


def _init_worker(parent_pid: int, parent_started: str | None = None) -> None:
    """Start the worker's kernel, and make sure the kernel never outlives the batch: on
    SIGUSR1 (the batch stopping), SIGTERM, or when the batch process is gone (killed with
    SIGKILL), kill the kernel and leave. Ctrl-C is the batch process's to handle."""
    import threading

    from kit.report.engine import process_kernel

    # Its own process group: Ctrl-C at the terminal goes to the batch process, which stops
    # the workers, not to each worker (nbclient would shut the kernel down mid-report).
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kernel = process_kernel()

    def leave(*_):
        try:
            kernel.kill()
        finally:
            os._exit(143)

    signal.signal(signal.SIGUSR1, leave)  # from _stop_workers
    signal.signal(signal.SIGTERM, leave)

    def watch():
        while _batch_alive(parent_pid, parent_started):
            time.sleep(1.0)
        leave()

    threading.Thread(target=watch, name="kit-watch-batch", daemon=True).start()


def _dask_results(jobs: Sequence[Job], address: str, workers: int):
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        cluster, client = None, Client(address)
    try:
        futures = client.map(run_job, list(jobs), pure=False, retries=1)
        for fut in dask_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    todo, results = _skip_unchanged(jobs, out, year) if resume else (list(jobs), [])
    for r in results:
        if on_done:
            on_done(r)
    # Costliest first: the last jobs to finish are short ones, so no worker idles at the end.
    todo.sort(key=lambda j: -REPORTS[j.report].cost)
    stream = _dask_results(todo, dask, workers) if dask else _local_results(todo, workers)
    order = {j.id: i for i, j in enumerate(jobs)}

    def record() -> tuple[Path, Path]:
        return write_manifest(out, year, sorted(results, key=lambda r: order[r.job.id]))

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
    manifest, index = write_manifest(out, year, results)
    return BatchResult(str(out), year, tuple(results), round(time.perf_counter() - t0, 2),
                       str(manifest), str(index))


def write_params_only(jobs: Sequence[Job]) -> Path:
    """Write each job's parameter YAML and ``jobs.csv`` (notebook, params, output); run nothing.

    Any row can then be run with plain papermill: ``papermill NOTEBOOK OUTPUT -f PARAMS``.
    """
    import csv

    out, year = Path(jobs[0].out), jobs[0].year
    root = out / str(year)
    rows = []
    for job in jobs:
        params_file = root / "params" / job.out_dir.relative_to(root) / f"{job.report}.yaml"
        params_file.parent.mkdir(parents=True, exist_ok=True)
        params_file.write_text(yaml.safe_dump(job.parameters, sort_keys=True), encoding="utf-8")
        rows.append({"notebook": str(notebook_path(job.report)), "params": str(params_file),
                     "output": str(job.out_dir / f"{job.report}.ipynb")})
    jobs_csv = root / "jobs.csv"
    with open(jobs_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["notebook", "params", "output"])
        writer.writeheader()
        writer.writerows(rows)
    return jobs_csv
