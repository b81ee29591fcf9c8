"""Running jobs: each worker process keeps one warm kernel (:mod:`kit.report.engine`) and
renders job after job in it; a failing report is a result, not a crash, and a kernel that
died or timed out is restarted and the job retried.

The local pool starts its workers from a clean interpreter (forkserver); each worker
kills its kernel and leaves when the batch stops (SIGUSR1), on SIGTERM, or when the batch
process is gone. The same :func:`run_job` runs on Dask (:func:`dask_results`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kit.batch.plan import Job
from kit.errors import KitError
from kit.report.render import render_report

MAX_ATTEMPTS = 3  # a transient failure (kernel died, timed out) is tried this many times


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
            files = render_report(
                job.report,
                facts_path=job.facts_path,
                entity_id=job.entity_id,
                out=job.out,
                year=job.year,
                formats=job.formats,
                kernel=kernel,
                options=job.options,
            )
            status, error, cell = "ok", None, None
            files = {k: str(v) for k, v in files.items()}
        except KitError as exc:
            if getattr(exc, "transient", False) and attempt < MAX_ATTEMPTS:
                continue
            status, error, cell, files = "failed", str(exc), getattr(exc, "cell", None), {}
        except Exception as exc:  # a worker reports, it does not die: the batch goes on
            status, error, cell, files = "failed", f"{type(exc).__name__}: {exc}", None, {}
        return JobResult(
            job,
            status,
            round(time.perf_counter() - t0, 2),
            files,
            error,
            cell,
            attempt,
            _peak_mb(),
            _peak_mb(kernel.pid),
        )


def local_results(jobs: Sequence[Job], workers: int):
    if workers == 1:
        for job in jobs:
            yield run_job(job)
        return
    import multiprocessing as mp

    # forkserver: workers start from a clean interpreter, not a copy of this one's threads.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("forkserver"),
        initializer=_init_worker,
        initargs=_parent_identity(),
    )
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


def dask_results(jobs: Sequence[Job], address: str, workers: int):
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    if address == "local":
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
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
