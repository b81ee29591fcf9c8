"""Planning a batch: one :class:`Job` per report per entity it is made for, with the
district's parameter overrides and a key that hashes every input of the job.

Jobs are planned from the facts store and their parameters validated before any kernel
starts (:func:`plan_jobs`); the key (facts, notebook, parameters, formats, kit version) is
what ``--resume`` compares with the last manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from kit._version import __version__
from kit.data.readers import file_sha256
from kit.errors import ParameterError
from kit.facts import read_facts, resolve_facts_path
from kit.report.registry import REPORTS, get_report, missing_needs, notebook_path
from kit.report.render import report_output_dir, validate_params


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
        return {
            **self.options,
            "facts_path": self.facts_path,
            "entity_id": self.entity_id,
            "year": self.year,
        }


def _job_key(facts_hash: str, notebook_hash: str, params: dict, formats: Sequence[str]) -> str:
    blob = json.dumps(
        {
            "facts": facts_hash,
            "notebook": notebook_hash,
            "kit": __version__,
            "params": params,
            "formats": sorted(formats),
        },
        sort_keys=True,
    )
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
        raise ParameterError(
            f"{path} sets {', '.join(sorted(fixed))}, which kit batch sets "
            "itself; keep only report options (e.g. subjects)."
        )
    return data


def check_out_folder(out: str | Path) -> Path:
    """The output root of a batch: a folder (created later), never a file.

    Raises
    ------
    ParameterError
        When ``out`` is a file, e.g. a facts store an earlier ``kit build --out output`` wrote.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(
            f"--out {out} is a file, not a folder; kit batch writes its reports into a folder "
            "(OUT/<year>/<district>/<school>/). A file there may be a facts store that an "
            "earlier kit build --out wrote.",
            fix=f"Give kit batch a folder (--out {out.parent / 'reports'}), or move the file "
            f"away; a facts store belongs at e.g. {out.parent / 'output' / 'facts.duckdb'}.",
        )
    if out.suffix.lower() == ".duckdb":
        raise ParameterError(
            f"--out {out} looks like a facts store; kit batch --out takes the output folder.",
            fix=f"Pass the store with --facts {out} and the folder with --out {out.parent}.",
        )
    return out


def catalogue(facts_path: str | Path, year: int | None = None) -> dict:
    """What a facts store holds, for ``kit list``: its years, framework, districts with their
    schools, and each report with the entities it is made for (or why it has nothing)."""
    with read_facts(facts_path) as facts:
        years = facts.years()
        year = facts.check_year(year) if year else facts.latest_year()
        run = facts.run()
        schools = facts.schools(year)
        districts = facts.districts(year)
        tables = facts.tables
        path = str(facts.path)
    reports = [
        {
            "id": spec.id,
            "title": spec.title,
            "scopes": list(spec.scopes),
            "unavailable": missing_needs(spec.id, tables),
        }
        for spec in REPORTS.values()
    ]
    return {
        "facts": path,
        "framework": str(run.get("framework_name") or run.get("framework")),
        "built": str(run.get("finished_at", "")),
        "years": years,
        "year": year,
        "districts": [
            {
                "id": d["entity_id"],
                "name": d["name"],
                "schools": [
                    {"id": s["entity_id"], "name": s["name"], "grades": s.get("grades")}
                    for s in schools[schools["district_id"] == d["entity_id"]].to_dict("records")
                ],
            }
            for d in districts.to_dict("records")
        ],
        "reports": reports,
    }


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
    options: dict | None = None,
    on_skip: Callable[[str], None] | None = None,
) -> list[Job]:
    """One job per report per entity it is made for, parameters validated up front.

    ``options`` are report parameters for every job (a district's overrides win over them).
    No job is planned where a report would have nothing to show: a report whose facts
    tables are missing (item analysis without item data), an entity without assessment
    results; each is said in one line to ``on_skip``. Asking for such a report by name is
    an error.
    """
    check_out_folder(out)
    say = on_skip or (lambda _line: None)
    facts_path = str(resolve_facts_path(facts_path).resolve())
    specs = [get_report(r) for r in (reports or list(REPORTS))]
    with read_facts(facts_path) as facts:
        year = facts.check_year(year) if year else facts.latest_year()
        school_rows = facts.schools(year, district)
        district_rows = facts.districts(year)
        if facts.run().get("input") == "aggregates":
            # A state's published results hold no answers to items: no item analysis to plan
            # (run alone, the report says so).
            if reports and "item_analysis" in reports:
                raise ParameterError(
                    "No item_analysis reports can be made: the facts store was built from a "
                    "state's published results, which hold no answers to items."
                )
            if any(spec.id == "item_analysis" for spec in specs):
                say(
                    "item_analysis: not planned, the facts store holds published results, "
                    "which have no answers to items."
                )
            specs = [spec for spec in specs if spec.id != "item_analysis"]
        tables = facts.tables
        with_results = set(
            facts.sql("SELECT DISTINCT entity_id FROM performance WHERE year = ?", [year])[
                "entity_id"
            ]
        )
    for spec in list(specs):
        why = missing_needs(spec.id, tables)
        if why and reports:
            raise ParameterError(f"No {spec.id} reports can be made: {why}.")
        if why:
            if not spec.state_report:
                say(f"{spec.id}: not planned, {why}.")
            specs.remove(spec)
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
    if not with_results:
        raise ParameterError(
            f"The facts store {facts_path} holds no assessment results for {year}: every "
            "assessment row was rejected, or none was given.",
            fix="Run kit validate on the data folder, fix what it reports, and build again.",
        )
    idle = school_rows[~school_rows["entity_id"].isin(with_results)]
    if len(idle):
        listed = ", ".join(f"{r.entity_id} ({r.name})" for r in idle.itertuples())
        say(
            f"{len(idle)} school(s) have no assessment results in {year} and get no report: "
            f"{listed}."
        )
        school_rows = school_rows[school_rows["entity_id"].isin(with_results)]
    district_rows = district_rows[district_rows["entity_id"].isin(with_results)]
    facts_hash = file_sha256(facts_path)
    nb_hash = {spec.id: file_sha256(notebook_path(spec.id)) for spec in specs}
    overrides = {
        d: load_overrides(params_dir, d)
        for d in set(school_rows["district_id"]) | set(district_rows["entity_id"])
    }
    jobs = []
    for spec in specs:
        for scope, rows in (("district", district_rows), ("school", school_rows)):
            if scope not in spec.scopes:
                continue
            for rec in rows.to_dict("records"):
                job = Job(
                    report=spec.id,
                    entity_id=rec["entity_id"],
                    entity_type=scope,
                    district_id=rec["district_id"],
                    name=rec["name"],
                    year=year,
                    facts_path=facts_path,
                    out=str(out),
                    formats=tuple(formats),
                    options={**(options or {}), **overrides.get(rec["district_id"], {})},
                )
                validate_params(job.parameters)
                jobs.append(
                    replace(
                        job, key=_job_key(facts_hash, nb_hash[spec.id], job.parameters, formats)
                    )
                )
    return jobs
