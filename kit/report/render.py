"""Render one report: validate its parameters, execute the notebook, export HTML and PDF.

The Python API behind ``kit render`` and every job of ``kit batch``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import nbformat
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from kit._params import as_subject_list
from kit._version import __version__
from kit.errors import ParameterError, RenderError
from kit.facts import read_facts, resolve_facts_path
from kit.report.engine import WarmKernel, ipc_kernel_manager_class
from kit.report.export import ReportMeta, export_notebook, safe_name
from kit.report.registry import get_report, missing_needs, notebook_path


class ReportParams(BaseModel):
    """The parameters every report notebook takes. Unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")

    facts_path: str
    entity_id: str
    year: int | None = None
    subjects: list[str] | None = None  # None: every subject the entity has

    @field_validator("subjects", mode="before")
    @classmethod
    def _subjects(cls, value: object) -> list[str] | None:
        return as_subject_list(value)  # "ELA", "ELA,MATH" or '["ELA"]', as papermill passes


def validate_params(params: dict) -> ReportParams:
    """Check a parameter set before any kernel starts."""
    try:
        return ReportParams.model_validate(params)
    except ParameterError:
        raise
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ParameterError(
            f"Report parameter {key!r}: {err['msg']}. Allowed parameters: "
            f"{', '.join(ReportParams.model_fields)}."
        ) from None


def report_output_dir(out_root: Path, year: int, district_id: str, entity_id: str | None) -> Path:
    """``OUT/<year>/<district>/<school or _district>/`` (CONTRACT.md section 5)."""
    leaf = safe_name(entity_id) if entity_id else "_district"
    return Path(out_root) / str(int(year)) / safe_name(district_id) / leaf


def report_meta(report_id: str, params: ReportParams) -> tuple[ReportMeta, dict]:
    """Title-block and provenance data for a report, read from the facts store."""
    spec = get_report(report_id)
    with read_facts(params.facts_path) as facts:
        why = missing_needs(report_id, facts.tables)
        if why and facts.run().get("input") != "aggregates":  # published results say why
            raise ParameterError(f"No {report_id} report can be made: {why}.")
        year = params.year or facts.latest_year()
        ent = facts.entity(params.entity_id, year)
        run = facts.run()
    if ent["entity_type"] not in spec.scopes:
        raise ParameterError(
            f"Report {report_id!r} is made for {' and '.join(spec.scopes)} entities; "
            f"{params.entity_id!r} is a {ent['entity_type']}."
        )
    is_school = ent["entity_type"] == "school"
    meta = ReportMeta(
        report=report_id,
        title=spec.title,
        school=str(ent["name"]) if is_school else None,
        district=str(ent["district_name"]) if ent.get("district_name") else None,
        year=int(year),
        framework=str(run["framework_name"]),
        kit_version=__version__,
        data_hash=str(run["data_hash"]),
        parameters={
            "entity_id": params.entity_id,
            "year": int(year),
            **({"subjects": ", ".join(params.subjects)} if params.subjects else {}),
        },
        run_date=dt.date.today().isoformat(),
    )
    return meta, ent


def execute_notebook(
    report_id: str, params: ReportParams, workdir: Path, kernel: WarmKernel | None = None
) -> nbformat.NotebookNode:
    """Run the report notebook and return the executed notebook.

    With ``kernel`` the notebook runs in that warm kernel (``kit batch``); without, papermill
    starts a kernel for it alone (``kit render``).
    """
    if kernel is not None:
        nb = nbformat.read(notebook_path(report_id), as_version=4)
        try:
            return kernel.run(nb, params.model_dump(), workdir)
        except RenderError as exc:
            exc.message = f"Report {report_id} for {params.entity_id} failed: {exc.message}"
            raise
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out = workdir / f"{safe_name(report_id)}.ipynb"
    try:
        pm.execute_notebook(
            str(notebook_path(report_id)),
            str(out),
            parameters=params.model_dump(),
            cwd=str(workdir),
            progress_bar=False,
            log_output=False,
            kernel_name="python3",
            kernel_manager_class=ipc_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        raise RenderError(
            f"Report {report_id} for {params.entity_id} failed in cell {exc.exec_count}: "
            f"{exc.ename}: {exc.evalue}",
            cell=exc.exec_count,
        ) from None
    return nbformat.read(out, as_version=4)


def render_report(
    report_id: str,
    *,
    facts_path: str | Path,
    entity_id: str,
    out: str | Path = "output",
    year: int | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    keep_notebook: bool = False,
    kernel: WarmKernel | None = None,
    options: dict | None = None,
    engine: str = "papermill",
) -> dict[str, Path]:
    """Render one report for one school or district into the output layout.

    Returns
    -------
    dict
        Format -> path of each file written.
    """
    params = validate_params(
        {
            **(options or {}),
            "facts_path": str(resolve_facts_path(facts_path).resolve()),
            "entity_id": entity_id,
            "year": year,
        }
    )
    meta, ent = report_meta(report_id, params)
    params = params.model_copy(update={"year": meta.year})
    district = ent.get("district_id") or entity_id
    leaf = entity_id if ent["entity_type"] == "school" else None
    out_dir = report_output_dir(Path(out), meta.year, district, leaf)
    if engine == "quarto":
        from kit.report.quarto import render_with_quarto

        return render_with_quarto(
            notebook_path(report_id),
            params.model_dump(),
            out_dir,
            tuple(f for f in formats if f != "ipynb"),
        )
    if engine != "papermill":
        raise ParameterError(f"Unknown engine {engine!r}: use papermill (default) or quarto.")
    wanted = tuple(formats) + (("ipynb",) if keep_notebook else ())
    with tempfile.TemporaryDirectory(prefix="kit-render-") as tmp:
        nb = execute_notebook(report_id, params, Path(tmp), kernel)
        return export_notebook(nb, meta, out_dir, formats=wanted, stem=safe_name(report_id))
