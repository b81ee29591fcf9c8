"""The report notebooks the kit knows, by id (add a report: add a notebook and a line here)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from kit.errors import ParameterError


@dataclass(frozen=True)
class ReportSpec:
    id: str
    title: str
    notebook: str
    scopes: tuple[str, ...]  # entity types the report is made for: "school", "district"
    cost: float = 1.0  # relative rendering time; a batch starts the costliest reports first
    needs: tuple[str, ...] = ()  # facts tables without which the report has nothing to show
    needs_why: str = ""  # what is missing, said when a store lacks them
    # a state framework's report: a store built with another framework lacks its tables by
    # design, so a batch leaves it out without a word (asked for by name, it still explains)
    state_report: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


REPORTS: dict[str, ReportSpec] = {
    spec.id: spec
    for spec in (
        ReportSpec("subgroups", "Student group results", "subgroups.ipynb", ("school", "district")),
        ReportSpec("index", "Index and accountability", "index.ipynb", ("school",)),
        ReportSpec(
            "district_summary",
            "District summary",
            "district_summary.ipynb",
            ("district",),
            cost=3.0,
        ),
        ReportSpec(
            "item_analysis",
            "Item analysis",
            "item_analysis.ipynb",
            ("school", "district"),
            cost=4.0,
            needs=("item_stats",),
            needs_why="the facts store has no item data (it was built from a data folder "
            "without the items and item_responses tables)",
        ),
        ReportSpec(
            "msip_apr",
            "MSIP 5 Annual Performance Report",
            "msip_apr.ipynb",
            ("school", "district"),
            needs=("msip_apr", "state_rules"),
            needs_why="the facts store has no MSIP 5 results (build it with kit build DATA "
            "--framework mo_msip5)",
            state_report=True,
        ),
        ReportSpec(
            "pbmas",
            "PBMAS district report",
            "pbmas.ipynb",
            ("district",),
            needs=("pbmas", "pbmas_stage", "state_rules"),
            needs_why="the facts store has no PBMAS results (build it with kit build DATA "
            "--framework tx_pbmas)",
            state_report=True,
        ),
    )
}


def notebooks_dir() -> Path:
    """Where the report notebooks are: ``$KIT_NOTEBOOKS``, else the notebooks shipped in the
    package as ``kit.notebooks`` (``notebooks/`` of a checkout, mapped into the package by
    pyproject.toml, so an editable install reads the notebooks analysts edit)."""
    env = os.environ.get("KIT_NOTEBOOKS")
    if env:
        return Path(env)
    return Path(str(resources.files("kit.notebooks")))


def get_report(report_id: str) -> ReportSpec:
    try:
        return REPORTS[report_id]
    except KeyError:
        raise ParameterError(
            f"No report {report_id!r}. Reports: {', '.join(REPORTS)}.",
            fix="Pick one of the reports listed (kit render --help).",
        ) from None


def notebook_path(report_id: str) -> Path:
    path = notebooks_dir() / get_report(report_id).notebook
    if not path.is_file():
        raise ParameterError(
            f"The notebook for report {report_id!r} is missing: {path}.",
            fix="Reinstall the kit (its notebooks ship inside it), or set KIT_NOTEBOOKS to a "
            "folder holding the report notebooks.",
        )
    return path


def missing_needs(report_id: str, tables: list[str] | set[str]) -> str | None:
    """Why a store with ``tables`` cannot give report ``report_id`` anything to show, or None."""
    spec = get_report(report_id)
    if set(spec.needs) <= set(tables):
        return None
    return spec.needs_why or f"the facts store has no {', '.join(spec.needs)} table"
