"""The ``kit`` command: a thin layer over the Python API, one function per command.

A user's mistake (bad data, an unknown school, a broken framework file) prints a short
message with the fix and exits with the error's status; it never shows a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kit._version import __version__
from kit.errors import KitError

app = typer.Typer(
    name="kit",
    help=(
        "School report kit: student assessment files in, narrative school and district "
        "reports out.\n\nTry it: kit demo. The usual journey: kit demo-data (or your own files) "
        "-> kit validate -> kit build -> kit batch. Run any command with --help for its options."
    ),
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["--help", "-h"]},
)
out = Console()
err = Console(stderr=True, soft_wrap=True)  # messages wrap at the terminal, never mid-word


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _params(pairs: list[str] | None) -> dict:
    """``-p name=value`` pairs as report options; values are read as YAML (``2023`` is a
    number, ``[ELA, MATH]`` a list)."""
    import yaml

    options = {}
    for pair in pairs or []:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{pair!r} is not name=value, e.g. -p subjects=ELA,MATH")
        try:
            options[name.strip()] = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            options[name.strip()] = text
    fixed = sorted({"facts_path", "entity_id", "year"} & set(options))
    if fixed:
        raise typer.BadParameter(
            f"set {', '.join(fixed)} with --facts, --entity and --year, not with -p"
        )
    return options


_ENTITY_HELP = "School id (or district id) the command is about; --school is the same option."


def _version(value: bool) -> None:
    if value:
        out.print(f"kit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


@app.command()
def demo(
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Output root: facts store, rejected rows and every report."),
    ] = Path("output"),
    data_dir: Annotated[
        Path | None,
        typer.Option("--data", help="Where the demo tables are written; default OUT/demo-data."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Parallel workers; default the cores.")
    ] = None,
) -> None:
    """Try the kit end to end: demo data, validate, build, then every report as HTML and PDF.

    The steps of `make demo`, for a machine without make: kit demo-data, kit validate, kit
    build and kit batch, ending with where the index of the reports is.
    """
    from kit.facts import read_facts

    data_dir = data_dir or out_dir / "demo-data"
    facts = out_dir / "facts.duckdb"
    demo_data(out_dir=data_dir)
    try:
        validate(data_dir, rejected=out_dir / "rejected")
    except typer.Exit as exc:
        if exc.exit_code not in (0, 1):  # 1: rows rejected, which the build leaves out
            raise
    build(data_dir, out_path=facts)
    code = 0
    try:
        batch(facts=facts, out_dir=out_dir, formats="html,pdf", workers=workers)
    except typer.Exit as exc:
        code = exc.exit_code
    with read_facts(facts) as store:
        year = store.latest_year()
    out.print(
        f"\nReports are in {out_dir}/<year>/<district>/<school>/ ; "
        f"open {out_dir / str(year) / 'index.html'}"
    )
    raise typer.Exit(code)


@app.command("demo-data")
def demo_data(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the tables into.")] = Path(
        "data/demo"
    ),
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same files.")
    ] = 42,
    districts: Annotated[int, typer.Option(min=1, help="Number of districts.")] = 1,
    schools: Annotated[int, typer.Option(min=1, help="Schools per district.")] = 6,
    students_per_grade: Annotated[
        int, typer.Option(min=1, help="Students in each tested grade of each school.")
    ] = 80,
    years: Annotated[int, typer.Option(min=1, max=10, help="School years of results.")] = 3,
    fmt: Annotated[
        str, typer.Option("--format", help="csv or parquet (parquet for large runs).")
    ] = "csv",
    state_tests: Annotated[
        bool,
        typer.Option(
            "--state-tests",
            help="Also write social studies, writing and Missouri end-of-course tests "
            "(ALG1, ENG2, BIO, GOV) for MSIP 5 and PBMAS.",
        ),
    ] = False,
) -> None:
    """Write a synthetic district (students, assessments, items, responses, graduation, CCR,
    and the PBMAS tables elp_assessments, discipline and courses).

    No real student records are needed to try, test or teach the kit. Example for a state-size
    data set: kit demo-data --schools 1800 --students-per-grade 40 --format parquet. With
    --districts 2 or more, one district is K-8 and one is small (MSIP 5 high school
    readiness; PBMAS minimum sizes).
    """
    from kit.demo import generate_demo

    if fmt not in ("csv", "parquet"):
        raise KitError(f"--format must be csv or parquet, not {fmt!r}.")
    with _progress() as bar:
        task = bar.add_task("generating", total=None)
        summary = generate_demo(
            out_dir,
            seed=seed,
            districts=districts,
            schools=schools,
            students_per_grade=students_per_grade,
            years=years,
            fmt=fmt,
            state_tests=state_tests,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    info = summary.to_dict()
    table = Table("table", "rows", title=f"Demo data in {out_dir}")
    for name, n in info.get("rows", info.get("row_counts", {})).items():
        table.add_row(name, f"{n:,}")
    out.print(table)


@app.command()
def validate(
    data_dir: Annotated[
        Path,
        typer.Argument(help="Folder with students.csv, assessments.csv, ... or aggregates.csv"),
    ],
    framework: Annotated[
        str, typer.Option(help="Framework id (ma) or path to a YAML file.")
    ] = "ma",
    rejected: Annotated[
        Path, typer.Option(help="Where rejected rows are written, one CSV per table.")
    ] = Path("output/rejected"),
) -> None:
    """Check input files: required tables and columns, types, codes, ranges, duplicates, references.

    Every row is accepted or written to REJECTED/<table>.csv with its file, row, column, value
    and reason. Exit status: 0 clean, 1 some rows rejected, 2 a fatal problem (missing table or
    column, unreadable file).
    """
    from kit.build_aggregates import find_aggregates, validate_aggregate_dir
    from kit.data.validate import ValidationResult, reason_lines, require_rows, validate_data
    from kit.frameworks.loader import load_framework

    if find_aggregates(data_dir) is not None:
        result = validate_aggregate_dir(data_dir, rejected_dir=rejected)
    else:
        fw = load_framework(framework)
        result = validate_data(data_dir, rejected_dir=rejected, levels=fw.n_levels)
    students = isinstance(result, ValidationResult)
    table = Table(title="Validation")
    for name in ("table", "file", "read", "accepted", "rejected", "left empty"):
        table.add_column(name, overflow="fold")  # long file names wrap, never cut
    for s in result.summaries:
        table.add_row(
            s.table,
            Path(s.file).name,
            f"{s.read:,}",
            f"{s.accepted:,}",
            f"[bold]{s.rejected:,}[/bold]" if s.rejected else "0",
            f"{getattr(s, 'warnings', 0):,}",
        )
    out.print(table)
    lines = reason_lines(result) if students else []
    if lines:
        out.print(
            "What was read, and the main reasons for rejected rows (row kept: value left empty):",
            soft_wrap=True,
        )
        for line in lines:
            out.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    if result.exit_code or getattr(result, "warning_counts", None):
        out.print(
            f"Every rejected row (and every value left empty), with its reason, is in {rejected}/.",
            soft_wrap=True,
        )
    if students:
        require_rows(result, rejected)
    raise typer.Exit(result.exit_code)


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="ma-mcas, oh-pi or answers.")],
    files: Annotated[list[Path], typer.Argument(help="The state's (or teacher's) files.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the kit's input tables.")],
    year: Annotated[
        int | None,
        typer.Option(help="Spring year of files that state none (answers: of the test)."),
    ] = None,
    key: Annotated[Path | None, typer.Option(help="answers: the key file.")] = None,
    school_id: Annotated[str | None, typer.Option(help="answers: school id.")] = None,
    district_id: Annotated[str | None, typer.Option(help="answers: district id.")] = None,
    subject: Annotated[str | None, typer.Option(help="answers: subject code.")] = None,
    grade: Annotated[int | None, typer.Option(help="answers: tested grade 0-12.")] = None,
    match: Annotated[str | None, typer.Option(help="answers: exact or any.")] = None,
    gender_codes: Annotated[str | None, typer.Option(help="answers: e.g. 0=M,1=F.")] = None,
    level_cuts: Annotated[str | None, typer.Option(help="answers: e.g. 40,60,80.")] = None,
) -> None:
    """Turn published state files or an answer sheet into the kit's input tables.

    ma-mcas and oh-pi write aggregates.csv (published results by school, subject, grade and
    group); answers writes items, item_responses, students and assessments. Rows that cannot
    be read go to OUT/rejected/<table>.csv. Exit status: 0 clean, 1 some rows rejected, 2 a
    file the importer does not know. See docs/data.md, "kit import".
    """
    from kit.data.importers import import_files

    options = dict(
        year=year,
        key=key,
        school_id=school_id,
        district_id=district_id,
        subject=subject,
        grade=grade,
        match=match,
        gender_codes=gender_codes,
        level_cuts=level_cuts,
    )
    result = import_files(source, files, out_dir, **options)
    table = Table("file", "layout", "read", "imported", "rejected", title=f"kit import {source}")
    for f in result.files:
        table.add_row(
            f.file,
            f.layout,
            f"{f.read:,}",
            f"{f.imported:,}",
            f"[bold]{f.rejected:,}[/bold]" if f.rejected else "0",
        )
    out.print(table)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    written = ", ".join(f"{name}.csv ({n:,} rows)" for name, n in result.tables.items())
    out.print(f"Wrote {written} to {out_dir}.")
    if result.exit_code:
        out.print(f"Rejected rows, with the reason for each, are in {out_dir}/rejected/.")
    raise typer.Exit(result.exit_code)


@app.command()
def build(
    data_dir: Annotated[
        Path, typer.Argument(help="Folder of input tables (CSV, Parquet or XLSX).")
    ],
    out_path: Annotated[
        Path,
        typer.Option(
            "--out", help="The facts store file to write, ending in .duckdb (not a folder)."
        ),
    ] = Path("output/facts.duckdb"),
    framework: Annotated[
        str | None,
        typer.Option(
            help="Framework id (ma) or path to a YAML file; default ma for student data, and "
            "for aggregates.csv the framework of its levels_scheme."
        ),
    ] = None,
) -> None:
    """Validate the data and compute every figure for the state, each district and school.

    DATA_DIR holds student records (students, assessments, ...) or a state's published
    results (aggregates.csv, as kit import writes it). Rejected rows are left out and
    listed in rejected/ beside the facts store; the build still succeeds (with a warning).
    """
    from kit.build import build_facts

    with _progress() as bar:
        task = bar.add_task("building", total=None)
        result = build_facts(
            data_dir,
            out_path,
            framework=framework,
            progress=lambda msg: bar.update(task, description=msg),
        )
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    out.print(
        f"Facts written to {result.facts} in {result.seconds:.1f} s "
        f"({result.table_rows['performance']:,} performance rows)."
    )


@app.command()
def reconcile(
    facts: Annotated[Path, typer.Option(help="A facts store built from aggregates.csv.")] = Path(
        "output/facts.duckdb"
    ),
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write every check row to this CSV.")
    ] = None,
    worst: Annotated[int, typer.Option(min=0, help="Worst rows shown per measure.")] = 3,
) -> None:
    """Compare the facts with the state's published figures, measure by measure.

    For each measure: rows checked, how many agree within the tolerance (docs/data.md,
    "Reconciliation"), and the worst rows. Exit status: 0 when every figure the kit computed
    agrees with the state's (disagreements among the state's own figures are listed as
    such and do not count), 1 when the kit disagrees with the state beyond the tolerance.
    """
    from kit.checks import reconcile_facts

    result = reconcile_facts(facts, out=out_path, limit=worst)
    table = Table(
        "measure",
        "checked",
        "agree",
        "state's own",
        "kit disagrees",
        "largest |difference|",
        "tolerance",
        title=f"Published figures reproduced from {facts}",
    )
    for m in result.measures:
        table.add_row(
            m.measure,
            f"{m.checked:,}",
            f"{m.agree:,}",
            f"{m.state_inconsistent:,}",
            f"[bold red]{m.kit_disagrees:,}[/bold red]" if m.kit_disagrees else "0",
            f"{m.max_abs_difference:.3g}",
            f"{m.tolerance:.3g}",
        )
    out.print(table)
    shown = result.worst[~result.worst["agrees"]] if len(result.worst) else result.worst
    for rec in shown.to_dict("records"):
        who = "the state's own figures" if rec.get("state_inconsistent") else "KIT DISAGREES"
        out.print(
            f"{who}: {rec['measure']} {rec['year']} {rec['entity_type']} {rec['entity_id']} "
            f"{rec['subject']} grade {rec['grade']} {rec['group']}: published "
            f"{rec['published']:g}, computed {rec['computed']:g}. {rec['note']}",
            highlight=False,
        )
    for rec in result.rejected_at_import.to_dict("records"):
        out.print(
            f"not checked (rejected at import): {rec['source_file']} row {rec['source_row']}, "
            f"{rec['column']} = {rec['value']!r}: {rec['message']}",
            highlight=False,
        )
    out.print(
        f"{result.agree:,} of {result.checked:,} published figures reproduced; "
        f"{result.state_inconsistent:,} where the state's own figures disagree; "
        f"{result.kit_disagrees:,} where the kit disagrees with the state."
        + (f" Every check is in {out_path}." if out_path else "")
    )
    raise typer.Exit(result.exit_code)


@app.command()
def render(
    report: Annotated[str, typer.Argument(help="Report id, e.g. subgroups.")],
    facts: Annotated[Path, typer.Option(help="The facts store.")] = Path("output/facts.duckdb"),
    entity: Annotated[str, typer.Option("--entity", "--school", help=_ENTITY_HELP)] = ...,
    year: Annotated[int | None, typer.Option(help="School year; default the latest.")] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Output folder (the report lands in OUT/<year>/...).")
    ] = Path("output"),
    formats: Annotated[str, typer.Option(help="Comma-separated: html,pdf,ipynb.")] = "html,pdf",
    subjects: Annotated[
        str | None,
        typer.Option(help="Only these subjects, comma-separated (e.g. ELA,MATH); default all."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A report parameter as name=value (repeatable), e.g. -p subjects=ELA,MATH.",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="papermill (default: kit template, WeasyPrint PDF) or quarto (needs the "
            "quarto command on PATH)."
        ),
    ] = "papermill",
) -> None:
    """Render one report for one school or district (papermill, then HTML and PDF)."""
    from kit.batch.runner import record_render
    from kit.report.render import render_report

    options = _params(param)
    if subjects:
        options["subjects"] = subjects
    started = time.perf_counter()
    files = render_report(
        report,
        facts_path=facts,
        entity_id=entity,
        out=out_dir,
        year=year,
        formats=tuple(_csv(formats) or ["html"]),
        engine=engine,
        options=options,
    )
    for fmt, path in files.items():
        out.print(f"{fmt}: {path}")
    if engine == "papermill":  # the batch's record knows this report is done
        manifest = record_render(
            report,
            files,
            facts_path=facts,
            entity_id=entity,
            out=out_dir,
            year=year,
            formats=tuple(_csv(formats) or ["html"]),
            options=options,
            seconds=time.perf_counter() - started,
        )
        out.print(f"listed in {manifest}")


@app.command()
def batch(
    facts: Annotated[Path, typer.Option(help="The facts store.")] = Path("output/facts.duckdb"),
    out_dir: Annotated[
        Path, typer.Option("--out", help="Output folder (not a file): OUT/<year>/... .")
    ] = Path("output"),
    year: Annotated[int | None, typer.Option(help="School year; default the latest.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
    schools: Annotated[
        str | None, typer.Option(help="Only these schools (comma-separated ids).")
    ] = None,
    reports: Annotated[
        str | None, typer.Option(help="Reports (comma-separated); default all.")
    ] = None,
    formats: Annotated[str, typer.Option(help="Comma-separated: html,pdf.")] = "html,pdf",
    workers: Annotated[
        int | None, typer.Option(min=1, help="Parallel workers; default the cores.")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="Skip reports whose inputs (facts, parameters, notebook, kit version) are "
            "unchanged since the last run and whose files exist."
        ),
    ] = False,
    keep_notebooks: Annotated[
        bool, typer.Option(help="Also keep each executed notebook (.ipynb) beside its report.")
    ] = False,
    params_only: Annotated[
        bool,
        typer.Option(
            help="Write each job's parameter YAML and jobs.csv (notebook, params, output) and "
            "execute nothing: run any job with `papermill NOTEBOOK OUTPUT -f PARAMS`."
        ),
    ] = False,
    params_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder with per-district overrides, districts/<district_id>.yaml "
            "(e.g. subjects: [ELA, MATH])."
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            help="Run on Dask: 'local' for a LocalCluster here, or a scheduler address "
            "tcp://host:8786 (the output folder must be shared by the workers)."
        ),
    ] = None,
) -> None:
    """Render every report for every school (and district) in the facts store.

    Outputs land in OUT/<year>/<district>/<school or _district>/<report>.html|pdf, with
    OUT/<year>/manifest.json and index.html listing each one. Each worker keeps a warm
    kernel; a failing report is recorded (with the failing cell) and the batch goes on;
    the exit status is 1 if any report failed. Re-run with --resume after a fix to render
    only what is missing or stale.
    """
    from kit.batch.plan import plan_jobs
    from kit.batch.runner import run_batch, write_params_only

    fmts = tuple(_csv(formats) or ["html"]) + (("ipynb",) if keep_notebooks else ())
    jobs = plan_jobs(
        facts,
        out_dir,
        year=year,
        district=district,
        schools=_csv(schools),
        reports=_csv(reports),
        formats=fmts,
        params_dir=params_dir,
        on_skip=lambda line: err.print(f"[yellow]note:[/yellow] {line}", highlight=False),
    )
    if params_only:
        jobs_csv = write_params_only(jobs)
        out.print(f"{len(jobs)} parameter sets written; the job list is {jobs_csv}")
        return
    n_workers = 1 if workers is None and os.cpu_count() is None else workers or os.cpu_count()
    log = _BatchLog(jobs, plain=not err.is_terminal, workers=n_workers)
    with _progress(eta=True) as bar:
        task = bar.add_task(f"rendering {len(jobs)} reports", total=len(jobs), left="")

        def done(result) -> None:
            log.add(result)
            left = log.seconds_left(time.monotonic())
            bar.update(
                task,
                advance=1,
                description=(f"rendering ({log.failed} failed)" if log.failed else "rendering"),
                left="" if left is None else f"about {left / 60:.1f} min left",
            )

        import signal

        # SIGTERM (a scheduler stopping the job) stops the batch like Ctrl-C does.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            result = run_batch(jobs, workers=workers, resume=resume, dask=dask, on_done=done)
        except KeyboardInterrupt:
            bar.stop()
            err.print(
                f"stopped: {log.finished} of {len(jobs)} reports finished "
                f"({log.failed} failed). Finished reports are in place and listed in "
                f"the manifest; run the same command with --resume to do the rest."
            )
            raise typer.Exit(130) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    for r in result.failed:
        where = f" (cell {r.cell})" if r.cell else ""
        err.print(f"[red]failed[/red] {r.job.report} {r.job.entity_id}{where}: {r.error}")
    counts = {s: sum(r.status == s for r in result.results) for s in ("ok", "skipped", "failed")}
    out.print(
        f"{counts['ok']} rendered, {counts['skipped']} unchanged, {counts['failed']} failed "
        f"in {result.seconds:.1f} s. Open {result.index}"
    )
    raise typer.Exit(result.exit_code)


@app.command()
def goals(
    school: Annotated[str, typer.Option("--entity", "--school", help=_ENTITY_HELP)],
    facts: Annotated[Path, typer.Option(help="The facts store.")] = Path("output/facts.duckdb"),
    out_path: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")] = Path(
        "goals.xlsx"
    ),
    year: Annotated[
        int | None, typer.Option(help="Last year of results shown; default the latest.")
    ] = None,
) -> None:
    """Write the PIM 2-A goal spreadsheet: one sheet per subject, one row per reported group.

    Baseline, goal and year-by-year targets are visible formulas (edit the goal and the
    targets follow); results so far sit beside them with an on-track check. Header rows
    are protected. Groups too small to report are left out.
    """
    from kit.accountability.workbook import write_goal_workbook

    path = write_goal_workbook(facts, school, out_path, year=year)
    out.print(f"Goal workbook written to {path}")


@app.command()
def audit(
    facts: Annotated[Path, typer.Option(help="The facts store.")] = Path("output/facts.duckdb"),
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write every finding to this CSV.")
    ] = None,
) -> None:
    """Check that no report of a facts store gives away a group of fewer than the minimum.

    Reads every figure the reports may show and subtracts along every sum a reader could
    use (groups and their complements, race and gender, a district and its schools, the
    state and its districts, grades, crosstab lines), repeatedly. Lists any cell of 1 to
    the minimum - 1 students it can work out, and any sum whose hidden parts hold fewer
    than the minimum together. Exit status 0 when there is none, 1 otherwise.
    """
    from kit.facts import read_facts
    from kit.protect import audit_facts

    with read_facts(facts) as f:  # a clear message when the store is missing or old
        min_n = int(f.run()["reporting_min_n"])
    found = audit_facts(facts)
    if out_path is not None:
        found.to_csv(out_path, index=False)
    if found.empty:
        out.print(
            f"No figure in {facts} reveals a group of fewer than {min_n} students "
            "(subtraction along every sum, repeatedly)."
        )
        return
    out.print(f"{len(found)} finding(s): figures that reveal fewer than {min_n} students.")
    cols = [
        c
        for c in (
            "family",
            "finding",
            "year",
            "entity_id",
            "subject",
            "grade",
            "group",
            "size",
            "via",
        )
        if c in found.columns
    ]
    typer.echo(found[cols].head(20).to_string(index=False))
    if len(found) > 20:
        typer.echo(f"... and {len(found) - 20} more" + ("" if out_path else " (--out FILE.csv)"))
    raise typer.Exit(1)


@app.command("list")
def list_(
    facts: Annotated[Path, typer.Option(help="The facts store.")] = Path("output/facts.duckdb"),
    year: Annotated[int | None, typer.Option(help="School year; default the latest.")] = None,
) -> None:
    """What a facts store holds: its years, districts and schools (the ids --entity takes),
    and the reports each can have."""
    from kit.batch.plan import catalogue

    info = catalogue(facts, year)
    out.print(f"Facts store {info['facts']} ({info['framework']}, built {info['built']})")
    out.print(f"Years: {', '.join(map(str, info['years']))} (listing {info['year']})")
    table = Table("district", "school id", "school", "tested grades", title="Schools")
    for d in info["districts"]:
        table.add_row(d["id"], "", f"[bold]{d['name']}[/bold] (district)", "")
        for s in d["schools"]:
            table.add_row("", s["id"], s["name"], s["grades"] or "none")
    out.print(table)
    reports = Table("report", "title", "for", "available", title="Reports")
    for r in info["reports"]:
        reports.add_row(r["id"], r["title"], ", ".join(r["scopes"]), r["unavailable"] or "yes")
    out.print(reports)


def _raise_interrupt(*_) -> None:
    raise KeyboardInterrupt


class _BatchLog:
    """Progress for logs and CI (not a terminal): a line every ``every`` seconds with done,
    failed and the time left, and each failure as it happens.

    ``jobs`` is the planned jobs (or just their number). The time left comes from job
    kinds: each report kind's mean seconds so far (a kind not seen yet: its registry cost,
    scaled by the kinds seen), summed over the jobs left and shared by the ``workers``. A
    batch starts with its costliest reports, so the first jobs' pace alone would overstate
    the rest (12.3 minutes announced for a batch of 1.9).
    """

    def __init__(self, jobs, *, plain: bool, every: float = 10.0, workers: int = 1) -> None:
        self.kinds = [j.report for j in jobs] if not isinstance(jobs, int) else None
        self.total = jobs if isinstance(jobs, int) else len(jobs)
        self.plain, self.every, self.workers = plain, every, max(1, workers)
        self.finished = self.failed = 0
        self.start = self.last = time.monotonic()
        self.left_kinds: dict[str, int] = {}
        for kind in self.kinds or []:
            self.left_kinds[kind] = self.left_kinds.get(kind, 0) + 1
        self.seconds: dict[str, list[float]] = {}

    def add(self, result, now: float | None = None) -> None:
        self.finished += 1
        kind = getattr(result.job, "report", None)
        if self.kinds is not None and self.left_kinds.get(kind):
            self.left_kinds[kind] -= 1
            if result.status != "skipped" and getattr(result, "seconds", None) is not None:
                self.seconds.setdefault(kind, []).append(float(result.seconds))
        if result.status == "failed":
            self.failed += 1
            if self.plain:
                err.print(
                    f"failed  {result.job.report} {result.job.entity_id}: {result.error}",
                    highlight=False,
                )
        now = time.monotonic() if now is None else now
        if self.plain and (now - self.last >= self.every or self.finished == self.total):
            self.last = now
            err.print(self.line(now), highlight=False)

    def seconds_left(self, now: float) -> float | None:
        """Estimated seconds until the batch ends; None before any job has finished."""
        if not self.finished:
            return None
        if self.kinds is None or not self.seconds:
            elapsed = now - self.start
            return elapsed / self.finished * (self.total - self.finished)
        from kit.report.registry import REPORTS

        mean = {k: sum(v) / len(v) for k, v in self.seconds.items()}
        per_cost = sum(mean[k] for k in mean) / sum(REPORTS[k].cost for k in mean)
        work = sum(n * mean.get(k, REPORTS[k].cost * per_cost) for k, n in self.left_kinds.items())
        return work / self.workers

    def line(self, now: float) -> str:
        elapsed = now - self.start
        left = self.seconds_left(now) or 0.0
        return (
            f"[{self.finished}/{self.total}] {100 * self.finished / self.total:.0f}% done, "
            f"{self.failed} failed, {elapsed / 60:.1f} min elapsed, "
            f"about {left / 60:.1f} min left"
        )


def _progress(eta: bool = False) -> Progress:
    # A batch's time left comes from its job kinds (_BatchLog), not from rich's count pace.
    remaining = TextColumn("{task.fields[left]}") if eta else TimeRemainingColumn()
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        remaining,
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _reflow_help() -> None:
    """Join the hard-wrapped lines of each command's docstring into paragraphs, so help
    text wraps at the terminal's width instead of at the source's."""
    import inspect
    import re

    for command in app.registered_commands:
        doc = inspect.getdoc(command.callback) or ""
        paragraphs = [re.sub(r"\s*\n\s*", " ", p.strip()) for p in doc.split("\n\n")]
        command.callback.__doc__ = "\n\n".join(p for p in paragraphs if p)


_reflow_help()


def _usage_errors() -> tuple[type[Exception], ...]:
    """Click's usage-error base class, whether Typer uses click or its own vendored copy."""
    import click

    vendored = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return (click.ClickException, vendored)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning a KitError into a message and an exit status."""
    try:
        rv = app(args=argv, prog_name="kit", standalone_mode=False)
    except KitError as exc:
        err.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err.print("aborted")
        return 130
    except Exception as exc:
        if isinstance(exc, _usage_errors()):  # unknown option, missing argument, bad value
            exc.show()
            return exc.exit_code
        raise
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
