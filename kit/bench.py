"""``make bench``: time the demo generator and the facts build at state scale.

Each step runs in its own process so its peak memory (max RSS) is measured alone. Results
print as a table and are written to ``bench/results.json``; copy the figures into
``docs/performance.md`` when they change.

Usage: python -m kit.bench [--schools 1800] [--districts 72] [--students-per-grade 40]
                          [--quick] [--skip-build] [--skip-batch] [--skip-pdf]
                          [--state-batch]

The state is ``--schools`` schools in ``--districts`` districts of 25 schools (1,800 in 72
by default; Massachusetts has about 1,800 schools in about 400 districts); as in every
multi-district demo, one district is K-8 and one has a quarter of the students per grade.

The batch comparison renders every report of a 24-school demo district as HTML twice: with
``kit batch`` and with the loop a user would write by hand (papermill CLI, then
``jupyter nbconvert --to html --no-input``, per report, from the same parameter files).
The PDF step (``--skip-pdf`` to skip) lays out the HTML pages of five schools and the
district of that district, every report kind (MSIP 5 APR and PBMAS with their
frameworks), as PDFs in this process and prints each kind's median seconds against the
0.5 s goal, with an HTML + PDF figure per report for a state run.
``--state-batch`` also renders every report of every school and district of the state-size
facts (long: 5,616 reports, about 26 minutes on 2 cores; ``make bench-state``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kit.bench_floor import floor_lines

# Issue 16's goals for the state build (1,800 schools in 72 districts, 40 students a grade).
BUILD_GOALS = {"goal_seconds": 30, "goal_peak_mb": 2048, "goal_facts_mb": 600}


def verdicts(step: dict) -> str:
    """``goal <= 30 s: PASS`` etc. for each goal a bench step carries (empty without)."""
    out = []
    for key, unit, measured in (
        ("goal_seconds", "s", "seconds"),
        ("goal_peak_mb", "MB peak", "peak_mb"),
        ("goal_facts_mb", "MB facts file", "facts_mb"),
    ):
        goal = step.get(key)
        if goal is None or step.get(measured) is None:
            continue
        ok = step[measured] <= goal
        out.append(f"{step[measured]} {unit} (goal <= {goal}): {'PASS' if ok else 'MISS'}")
    return "; ".join(out)


def _run(label: str, code: str, tail: int = 400) -> dict:
    """Run ``code`` in a fresh interpreter; return wall seconds, its peak RSS in MB and the
    last ``tail`` characters of what it printed."""
    code += (
        "\nimport resource; print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench step {label!r} failed with status {proc.returncode}")
    lines = proc.stdout.strip().splitlines()
    peak_kb = int(lines[-1].split()[1])
    return {
        "step": label,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak_kb / 1024),
        "output": "\n".join(lines[:-1])[-tail:],
    }


def _floor(data: Path, facts: Path, root: Path) -> dict:
    """:func:`kit.bench_floor.measure_floor` in its own process (after the build's)."""
    code = (
        "import json; from kit.bench_floor import measure_floor; "
        f"print('FLOOR', json.dumps(measure_floor({str(data)!r}, {str(facts)!r}, "
        f"{str(root / 'floor_copy.duckdb')!r})))"
    )
    out = _run("floor", code, tail=10_000)["output"]
    return json.loads(out.split("FLOOR ", 1)[1])


def _batch_compare(root: Path, naive_sample: int | None) -> dict:
    """kit batch vs the naive papermill + nbconvert loop on a 24-school district (HTML)."""
    import csv

    from kit.batch.plan import plan_jobs
    from kit.batch.runner import write_params_only
    from kit.build import build_facts
    from kit.demo import generate_demo

    data, facts = root / "district24", root / "district24.duckdb"
    if not (data / "students.csv").exists():
        generate_demo(data, schools=24, seed=11)
    build_facts(data, facts, rejected_dir=root / "rejected24")
    jobs, result, kit_seconds, _ = _timed_batch(facts, root / "batch24")
    failed = [r for r in result.results if r.status != "ok"]
    if failed:
        raise SystemExit(f"kit batch failed: {failed[0].error}")
    naive_out = root / "naive24"
    shutil.rmtree(naive_out, ignore_errors=True)
    rows = list(
        csv.DictReader(open(write_params_only(plan_jobs(facts, naive_out, formats=("html",)))))
    )
    if naive_sample and naive_sample < len(rows):
        # An even sample across the job list, so every report type is in it.
        step = len(rows) / naive_sample
        rows = [rows[int(i * step)] for i in range(naive_sample)]
    t0 = time.perf_counter()
    for row in rows:
        executed = Path(row["output"])
        executed.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(Path(sys.executable).with_name("papermill")),
                row["notebook"],
                str(executed),
                "-f",
                row["params"],
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                str(Path(sys.executable).with_name("jupyter")),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(executed),
            ],
            check=True,
            capture_output=True,
        )
    naive_seconds = time.perf_counter() - t0
    per_kit = kit_seconds / len(jobs)
    per_report_kit = {}
    for r in result.results:
        per_report_kit.setdefault(r.job.report, []).append(r.seconds)
    per_naive = naive_seconds / len(rows)
    return {
        "reports": len(jobs),
        "kit_seconds": round(kit_seconds, 1),
        "kit_per_report": round(per_kit, 2),
        "naive_reports": len(rows),
        "naive_seconds": round(naive_seconds, 1),
        "naive_per_report": round(per_naive, 2),
        "speedup": round(per_naive / per_kit, 1),
        "workers": os.cpu_count(),
        "kit_job_seconds_by_report": {
            k: round(sum(v) / len(v), 2) for k, v in per_report_kit.items()
        },
        "worker_peak_mb": max(r.worker_peak_mb or 0 for r in result.results),
        "kernel_peak_mb": max(r.kernel_peak_mb or 0 for r in result.results),
    }


def _timed_batch(facts: Path, out: Path):
    """Every report of ``facts`` as HTML into a fresh ``out``: (jobs, result, seconds,
    results in the order they finished)."""
    from kit.batch.plan import plan_jobs
    from kit.batch.runner import run_batch

    shutil.rmtree(out, ignore_errors=True)
    jobs = plan_jobs(facts, out, formats=("html",))
    t0 = time.perf_counter()
    finished: list = []
    result = run_batch(jobs, on_done=finished.append)
    return jobs, result, time.perf_counter() - t0, finished


def _state_batch(root: Path, facts: Path) -> dict:
    """Every report of every school and district of the state-size facts, HTML."""
    jobs, result, seconds, finished = _timed_batch(facts, root / "batch_state")
    return {
        "reports": len(jobs),
        "seconds": round(seconds, 1),
        "per_report": round(seconds / len(jobs), 3),
        "failed": sum(r.status != "ok" for r in result.results),
        "worker_peak_mb": max(r.worker_peak_mb or 0 for r in result.results),
        "kernel_peak_mb": max(r.kernel_peak_mb or 0 for r in result.results),
        **growth(finished),
    }


def _state_sample(root: Path, facts: Path, schools: int) -> dict:
    """A sample of the state batch: every report of ``schools`` schools spread over the
    districts and of two districts, on 2 workers; the state's time estimated from the
    median job time of each report kind x its number of jobs / 2 workers."""
    import statistics

    from kit.batch.plan import plan_jobs
    from kit.batch.runner import run_batch

    out = root / "batch_state_sample"
    shutil.rmtree(out, ignore_errors=True)
    jobs = plan_jobs(facts, out, formats=("html",))
    school_ids = sorted({j.entity_id for j in jobs if j.entity_type == "school"})
    district_ids = sorted({j.entity_id for j in jobs if j.entity_type == "district"})
    step = max(len(school_ids) // max(schools, 1), 1)
    picked = set(school_ids[step // 2 :: step][:schools])
    dstep = max(len(district_ids) // 2, 1)
    picked |= set(district_ids[dstep // 2 :: dstep][:2])
    sample = [j for j in jobs if j.entity_id in picked]
    t0 = time.perf_counter()
    result = run_batch(sample, workers=2)
    seconds = time.perf_counter() - t0

    def kind(job) -> str:
        return f"{job.report} ({job.entity_type})"

    by_kind: dict[str, list[float]] = {}
    for r in result.results:
        by_kind.setdefault(kind(r.job), []).append(r.seconds)
    counts: dict[str, int] = {}
    for j in jobs:
        counts[kind(j)] = counts.get(kind(j), 0) + 1
    median = {k: round(statistics.median(v), 2) for k, v in by_kind.items()}
    estimate = sum(median[k] * n for k, n in counts.items() if k in median) / 2
    return {
        "reports": len(sample),
        "seconds": round(seconds, 1),
        "failed": sum(r.status != "ok" for r in result.results),
        "job_seconds_median": median,
        "jobs_by_kind": counts,
        "estimate_seconds": round(estimate, 1),
        "worker_peak_mb": max(r.worker_peak_mb or 0 for r in result.results),
        "kernel_peak_mb": max(r.kernel_peak_mb or 0 for r in result.results),
        "load_average": round(os.getloadavg()[0], 1),
    }


# The rendering goals of issue 16 (HTML batch).
GOAL_RATIO = 20.0  # kit batch per report against the naive loop, 24-school district
GOAL_STATE_SECONDS = 20 * 60  # every report of the 1,800-school state on 2 cores
GOAL_KERNEL_MB = 600  # a batch kernel's peak at state scale


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def rendering_goals(result: dict) -> list[str]:
    """PASS/MISS lines for the rendering goals, from what this run (or the last state batch)
    measured; a goal nothing measured is left out."""
    lines = []
    b = result.get("batch")
    if b:
        lines.append(
            f"{_verdict(b['speedup'] >= GOAL_RATIO)} kit batch {b['speedup']}x the naive loop "
            f"per report (goal >= {GOAL_RATIO:g}x)"
        )
    state = result.get("state_batch") or result.get("state_sample")
    if state:
        if "estimate_seconds" in state:
            seconds, how = state["estimate_seconds"], "estimated from a sample's median jobs"
        else:  # a whole state batch: its wall time
            seconds, how = state["seconds"], "the whole state batch"
        lines.append(
            f"{_verdict(seconds <= GOAL_STATE_SECONDS)} every report of the state in "
            f"{seconds / 60:.1f} min on 2 workers, {how} (goal <= {GOAL_STATE_SECONDS // 60} min)"
        )
        lines.append(
            f"{_verdict(state['kernel_peak_mb'] <= GOAL_KERNEL_MB)} kernel peak "
            f"{state['kernel_peak_mb']} MB at state scale (goal <= {GOAL_KERNEL_MB} MB)"
        )
    return lines


#: The PDF goal of issue 16: median seconds of WeasyPrint layout per report, by kind.
PDF_GOAL_SECONDS = 0.5
#: Reports of each kind in the state batch (1,800 schools in 72 districts), to estimate a
#: state run of HTML + PDF from the per-report figures.
STATE_REPORTS = {
    ("subgroups", "school"): 1800,
    ("index", "school"): 1800,
    ("item_analysis", "school"): 1800,
    ("subgroups", "district"): 72,
    ("district_summary", "district"): 72,
    ("item_analysis", "district"): 72,
}


def _pdf_costs(root: Path, sample_schools: int = 5, repeats: int = 3) -> dict:
    """PDF cost per report kind, WeasyPrint only, in this (warm) process.

    The HTML pages of ``sample_schools`` schools and of the district of the 24-school demo
    district (``district24``, as the batch comparison makes it; made here if missing),
    with the MSIP 5 APR and PBMAS reports of the same district built with their
    frameworks, are written by ``kit batch``; each page is then laid out as a PDF
    ``repeats`` times by :func:`kit.report.export.pdf_bytes`, after one page to warm the
    process as a batch worker is. CPU seconds (``time.process_time``, the guide on a
    shared machine) and wall seconds, median per kind, against :data:`PDF_GOAL_SECONDS`.
    Each page's "HTML + PDF" figure is its batch job's seconds plus its PDF's wall
    seconds; weighted by :data:`STATE_REPORTS` they estimate a state run on 2 workers.
    """
    import statistics

    from kit.batch.plan import plan_jobs
    from kit.batch.runner import run_batch
    from kit.build import build_facts
    from kit.demo import generate_demo
    from kit.report.export import pdf_bytes

    data = root / "district24"
    if not (data / "students.csv").exists():
        generate_demo(data, schools=24, seed=11)
    stores = {"ma": root / "district24.duckdb"}
    if not stores["ma"].exists():
        build_facts(data, stores["ma"], rejected_dir=root / "rejected24")
    for framework in ("mo_msip5", "tx_pbmas"):
        stores[framework] = root / f"district24_{framework}.duckdb"
        if not stores[framework].exists():
            build_facts(
                data, stores[framework], framework=framework, rejected_dir=root / "rejected24"
            )
    out = root / "pdf24"
    shutil.rmtree(out, ignore_errors=True)
    jobs = []
    for framework, facts in stores.items():
        planned = plan_jobs(facts, out / framework, formats=("html",))
        if framework != "ma":
            planned = [j for j in planned if j.report in ("msip_apr", "pbmas")]
        schools = sorted({j.entity_id for j in planned if j.entity_type == "school"})
        keep = set(schools[:sample_schools])
        jobs += [j for j in planned if j.entity_type != "school" or j.entity_id in keep]
    batch = run_batch(jobs)
    pages = [
        (r.job.report, r.job.entity_type, Path(r.files["html"]), r.seconds)
        for r in batch.results
        if r.status == "ok" and "html" in r.files
    ]
    if not pages:
        raise SystemExit("PDF bench: no report was rendered")
    pdf_bytes(pages[0][2].read_text(encoding="utf-8"), base_url=str(pages[0][2].parent))
    samples = []
    for report, level, page, html_seconds in pages:
        html = page.read_text(encoding="utf-8")
        cpu, wall = [], []
        for _ in range(repeats):
            c0, w0 = time.process_time(), time.perf_counter()
            pdf_bytes(html, base_url=page.parent.resolve().as_uri() + "/")
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        samples.append(
            (report, level, html_seconds, statistics.median(cpu), statistics.median(wall))
        )
    return {**pdf_summary(samples), "load_average": [round(x, 2) for x in os.getloadavg()]}


def pdf_summary(samples) -> dict:
    """Per report kind, the median (and largest) PDF CPU seconds and median wall seconds
    of ``samples`` (report, level, HTML job seconds, PDF CPU s, PDF wall s), PASS when the
    CPU median is within :data:`PDF_GOAL_SECONDS`; each (report, level)'s median HTML + PDF
    seconds, and the state run they add up to on 2 workers (:data:`STATE_REPORTS`)."""
    import statistics

    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    both: dict[tuple[str, str], list[float]] = {}
    for report, level, html_seconds, pdf_cpu, pdf_wall in samples:
        cpu.setdefault(report, []).append(pdf_cpu)
        wall.setdefault(report, []).append(pdf_wall)
        both.setdefault((report, level), []).append(html_seconds + pdf_wall)
    kinds = {
        report: {
            "reports": len(cpu[report]),
            "cpu_median": round(statistics.median(cpu[report]), 3),
            "cpu_max": round(max(cpu[report]), 3),
            "wall_median": round(statistics.median(wall[report]), 3),
            "pass": statistics.median(cpu[report]) <= PDF_GOAL_SECONDS,
        }
        for report in sorted(cpu)
    }
    state_seconds = sum(
        n * statistics.median(both[key]) for key, n in STATE_REPORTS.items() if key in both
    )
    return {
        "goal_seconds": PDF_GOAL_SECONDS,
        "kinds": kinds,
        "html_plus_pdf_per_report": {
            f"{r}/{lv}": round(statistics.median(v), 2) for (r, lv), v in both.items()
        },
        "state_reports": sum(STATE_REPORTS.values()),
        "state_estimate_hours_2_workers": round(state_seconds / 2 / 3600, 2),
    }


def growth(results) -> dict:
    """Job seconds by report kind, and memory over the run (the first tenth of the jobs to
    finish against the last tenth): does a worker slow down or grow as it goes?"""
    import statistics

    by_kind: dict[str, list[float]] = {}
    for r in results:
        by_kind.setdefault(r.job.report, []).append(r.seconds)
    tenth = max(len(results) // 10, 1)
    first, last = results[:tenth], results[-tenth:]

    def peak(rs, attr):
        return max((getattr(r, attr) or 0) for r in rs)

    return {
        "job_seconds_median": {k: round(statistics.median(v), 2) for k, v in by_kind.items()},
        "jobs_by_kind": {k: len(v) for k, v in by_kind.items()},
        "first_tenth": {
            "median_s": round(statistics.median(r.seconds for r in first), 2),
            "worker_peak_mb": peak(first, "worker_peak_mb"),
            "kernel_peak_mb": peak(first, "kernel_peak_mb"),
        },
        "last_tenth": {
            "median_s": round(statistics.median(r.seconds for r in last), 2),
            "worker_peak_mb": peak(last, "worker_peak_mb"),
            "kernel_peak_mb": peak(last, "kernel_peak_mb"),
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=1800)
    ap.add_argument("--districts", type=int, default=72)
    ap.add_argument("--students-per-grade", type=int, default=40)
    ap.add_argument("--dir", default="bench")
    ap.add_argument("--quick", action="store_true", help="a 50-school run, for a smoke test")
    ap.add_argument("--skip-build", action="store_true", help="skip generation and build")
    ap.add_argument("--skip-batch", action="store_true", help="skip the batch comparison")
    ap.add_argument(
        "--realdata",
        default=str(Path.cwd().parent / "shared" / "realdata"),
        help="folder of the real state files (../shared/realdata of a checkout): time "
        "kit import + kit build of every MA Next-Generation file (goal: under 30 s)",
    )
    ap.add_argument(
        "--naive-sample",
        type=int,
        default=None,
        help="time the naive loop on this many reports only (default all)",
    )
    ap.add_argument(
        "--skip-pdf",
        action="store_true",
        help="skip the PDF step (WeasyPrint seconds per report kind, goal 0.5 s)",
    )
    ap.add_argument(
        "--state-sample",
        type=int,
        default=None,
        metavar="SCHOOLS",
        help="render every report of this many schools of the state-size facts (spread "
        "over its districts) and of two districts, and estimate the whole state's time",
    )
    ap.add_argument(
        "--state-facts",
        default=None,
        help="the state-size facts store for --state-batch / --state-sample (default: the "
        "one this bench builds in --dir)",
    )
    ap.add_argument(
        "--state-batch",
        action="store_true",
        help="also render every report of every school and district of the "
        "state-size facts (long: about 26 minutes on 2 cores)",
    )
    ap.add_argument(
        "--memory-limit",
        default=None,
        metavar="SIZE",
        help="also build the state under this DuckDB memory ceiling (KIT_MEMORY_LIMIT, "
        "e.g. 1200MB) and print its time and peak against the goals",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.schools, args.districts = 50, 2
    per_district = max(args.schools // args.districts, 1)
    args.schools = per_district * args.districts
    root = Path(args.dir)
    name = f"{args.schools}x{args.students_per_grade}_{args.districts}d"
    data = root / f"demo_{name}"
    facts = root / f"facts_{name}.duckdb"
    root.mkdir(parents=True, exist_ok=True)
    steps = []
    floor = None
    if not args.skip_build:
        steps.append(
            _run(
                "demo-data (parquet)",
                "from kit.demo import generate_demo; "
                f"s = generate_demo({str(data)!r}, districts={args.districts}, "
                f"schools={per_district}, "
                f"students_per_grade={args.students_per_grade}, fmt='parquet'); print(s.to_dict())",
            )
        )
        build = _run(
            "build (validate + facts)",
            "from kit.build import build_facts; "
            f"r = build_facts({str(data)!r}, {str(facts)!r}); print(r.to_dict())",
        )
        if args.schools == 1800 and args.districts == 72:  # the goals are for this state
            build.update(BUILD_GOALS)
        build["facts_mb"] = round(facts.stat().st_size / 1e6)
        steps.append(build)
        floor = _floor(data, facts, root)
        if args.memory_limit:
            capped = _run(
                f"build, KIT_MEMORY_LIMIT={args.memory_limit}",
                f"import os; os.environ['KIT_MEMORY_LIMIT'] = {args.memory_limit!r}; "
                "from kit.build import build_facts; "
                f"r = build_facts({str(data)!r}, {str(root / 'facts_capped.duckdb')!r}); "
                "print(r.to_dict())",
            )
            if args.schools == 1800 and args.districts == 72:
                capped.update(BUILD_GOALS)
            steps.append(capped)
    ma_files = sorted((Path(args.realdata) / "ma-nextgen").glob("*.csv"))
    if ma_files and not args.quick:
        steps.append(
            _run(
                f"MA import + build ({len(ma_files)} files)",
                "from kit.data.importers import import_files; from kit.build import build_facts; "
                f"import_files('ma-mcas', {[str(f) for f in ma_files]!r}, {str(root / 'ma')!r}); "
                f"r = build_facts({str(root / 'ma')!r}, {str(root / 'ma.duckdb')!r}); "
                "print(r.to_dict())",
            )
        )
        steps[-1]["goal_seconds"] = 30
    result = {
        "schools": args.schools,
        "districts": args.districts,
        "students_per_grade": args.students_per_grade,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "steps": steps,
    }
    if steps:
        print(f"{'step':32} {'seconds':>8} {'peak MB':>8}")
        for s in steps:
            print(f"{s['step']:32} {s['seconds']:>8} {s['peak_mb'] or '-':>8}")
            if verdicts(s):
                print(f"{'':32} {verdicts(s)}")
        print(
            f"(schools={args.schools} in {args.districts} districts, "
            f"students per grade={args.students_per_grade})"
        )
    if floor is not None:
        result["floor"] = floor
        print("\nthe floor of the build: its irreducible steps, each timed alone")
        for line in floor_lines(floor):
            print(line)
    if not args.skip_batch:
        b = _batch_compare(root, args.naive_sample)
        result["batch"] = b
        print(
            f"\nbatch, {b['reports']} reports (HTML) of a 24-school district, "
            f"{b['workers']} workers:"
        )
        print(f"  kit batch   {b['kit_seconds']:>7} s  {b['kit_per_report']:>6} s/report")
        print(
            f"  naive loop  {b['naive_seconds']:>7} s  {b['naive_per_report']:>6} s/report "
            f"({b['naive_reports']} reports)"
        )
        print(
            f"  kit batch is {b['speedup']}x faster per report "
            f"(peak MB: worker {b['worker_peak_mb']}, kernel {b['kernel_peak_mb']})"
        )
    if not args.skip_pdf:
        pdf = _pdf_costs(root)
        result["pdf"] = pdf
        print(
            f"\nPDF (WeasyPrint, warm process), median seconds per report, goal "
            f"<= {pdf['goal_seconds']} s CPU (load average {pdf['load_average'][0]}):"
        )
        for kind, k in pdf["kinds"].items():
            print(
                f"  {kind:18} CPU {k['cpu_median']:>6} wall {k['wall_median']:>6} "
                f"({k['reports']} reports, max CPU {k['cpu_max']})  "
                f"{'PASS' if k['pass'] else 'MISS'}"
            )
        print(f"  HTML + PDF per report (job + PDF wall): {pdf['html_plus_pdf_per_report']}")
        print(
            f"  a state run ({pdf['state_reports']} reports, HTML + PDF) on 2 workers: about "
            f"{pdf['state_estimate_hours_2_workers']} h"
        )
    state_facts = Path(args.state_facts) if args.state_facts else facts
    if args.state_sample:
        ss = _state_sample(root, state_facts, args.state_sample)
        result["state_sample"] = ss
        print(
            f"\nstate sample: {ss['reports']} reports in {ss['seconds']} s on 2 workers "
            f"({ss['failed']} failed; load average {ss['load_average']}; peak MB: worker "
            f"{ss['worker_peak_mb']}, kernel {ss['kernel_peak_mb']})"
        )
        print(f"  median job seconds: {ss['job_seconds_median']}")
    state_file = root / "state_batch.json"
    if args.state_batch:
        sb = _state_batch(root, state_facts)
        sb["date"] = time.strftime("%Y-%m-%d")
        state_file.write_text(json.dumps(sb, indent=2))
    elif state_file.exists():
        sb = json.loads(state_file.read_text())
        print(f"\nlast state batch (make bench-state, {sb.get('date', 'date unknown')}):")
    if args.state_batch or state_file.exists():
        result["state_batch"] = sb
        print(
            f"state batch: {sb['reports']} reports in {sb['seconds']} s "
            f"({sb['per_report']} s/report, {sb['failed']} failed; peak MB: worker "
            f"{sb['worker_peak_mb']}, kernel {sb['kernel_peak_mb']})"
        )
        if "job_seconds_median" in sb:
            print(f"  median job seconds: {sb['job_seconds_median']}")
            print(f"  first tenth of jobs: {sb['first_tenth']}; last tenth: {sb['last_tenth']}")
    goals = rendering_goals(result)
    if goals:
        print("\nrendering goals (issue 16):")
        for line in goals:
            print(f"  {line}")
    (root / "results.json").write_text(json.dumps(result, indent=2))
    print(f"details in {root / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
