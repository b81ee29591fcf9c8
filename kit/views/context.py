"""Who and what a report is about (:class:`ReportContext`), read once from the facts store.

Every view, sentence, chart and table of a report takes the context: the entity, its
year, the framework's headline model, levels and reporting minimum, the subjects shown.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from kit._params import as_subject_list
from kit.errors import ParameterError
from kit.facts import Facts


@dataclass(frozen=True)
class ReportContext:
    """Who and what a report is about, read once from the facts store."""

    entity_id: str
    entity_type: str
    name: str
    district_id: str | None
    district_name: str | None
    year: int
    framework: str
    framework_name: str
    headline_model: str
    headline_model_name: str
    reporting_min_n: int
    proficient_level: int
    level_names: tuple[str, ...]
    unverified: tuple[str, ...]
    subjects: tuple[str, ...]
    data_hash: str
    # Where the figures come from: "students" (student records) or "aggregates" (a state's
    # published file, named by source_name and source_files; kit/build_aggregates.py).
    source: str = "students"
    source_name: str = ""
    source_files: tuple[str, ...] = ()
    # Published results: what grade ALL stands for in the report's subjects (e.g. "3-8")
    # and the grades published beside it but not in it (e.g. "10").
    all_grades: str = ""
    grades_apart: str = ""
    percent_only: bool = False  # the entity's results are percents only (no counts)
    has_ayp: bool = True  # the facts hold AYP results (the framework has AYP rules)

    def to_dict(self) -> dict:
        return asdict(self)


def report_context(
    facts: Facts, entity_id: str, year: int | None = None, subjects: list[str] | None = None
) -> ReportContext:
    """The context of a report on ``entity_id`` for ``year`` (default: the latest year).

    ``subjects`` limits the report to those subjects (default: every subject the entity has):
    a list, one code or a comma list (``"ELA,MATH"``), as papermill's ``-p`` passes it.
    """
    subjects = as_subject_list(subjects)
    year = int(year or facts.latest_year())
    ent = facts.entity(entity_id, year)
    run = facts.run()
    models = facts.table("index_models").set_index("model")
    levels = facts.table("levels").sort_values("level")
    subjects_found = facts.sql(
        "SELECT DISTINCT subject FROM performance WHERE year = ? AND entity_id = ? "
        "ORDER BY CASE subject WHEN 'ELA' THEN 0 WHEN 'MATH' THEN 1 WHEN 'SCI' THEN 2 ELSE 3 END,"
        " subject",
        [year, entity_id],
    )["subject"].tolist()
    if not subjects_found:
        raise ParameterError(
            f"{entity_id} ({ent['name']}) has no assessment results in {year}: its students "
            "took no test in the data, or every assessment row of theirs was rejected.",
            fix="Pick another school (kit list shows them), or run kit validate on the data "
            "and see rejected/assessments.csv.",
        )
    if subjects:
        wanted = subjects
        missing = [x for x in wanted if x not in subjects_found]
        if missing:
            raise ParameterError(
                f"{entity_id} has no {', '.join(missing)} results in {year}; it has "
                f"{', '.join(subjects_found)}."
            )
        subjects_found = [x for x in subjects_found if x in wanted]
    return ReportContext(
        entity_id=entity_id,
        entity_type=str(ent["entity_type"]),
        name=str(ent["name"]),
        district_id=ent.get("district_id"),
        district_name=ent.get("district_name"),
        year=year,
        framework=str(run["framework"]),
        framework_name=str(run["framework_name"]),
        headline_model=str(run["headline_model"]),
        headline_model_name=str(models.loc[run["headline_model"], "name"]),
        reporting_min_n=int(run["reporting_min_n"]),
        proficient_level=int(run["proficient_level"]),
        level_names=tuple(levels["name"]),
        # Caveats that bear on what reports show: other models' placeholders do not.
        unverified=tuple(
            u
            for u in run["framework_unverified"]
            if not u.startswith("index model") or u == f"index model {run['headline_model']}"
        ),
        subjects=tuple(subjects_found),
        data_hash=str(run["data_hash"]),
        has_ayp="ayp" in facts.tables,
        **_published_source(facts, run, entity_id, year, subjects_found),
    )


def _published_source(
    facts: Facts, run: dict, entity_id: str, year: int, subjects: list[str]
) -> dict:
    """The context fields of a store built from a state's published file (else none)."""
    if run.get("input") != "aggregates":
        return {}
    files = run.get("source_files") or "[]"
    out = {
        "source": "aggregates",
        "source_name": str(run.get("source_name") or "the state's published results"),
        "source_files": tuple(json.loads(files) if isinstance(files, str) else files),
    }
    if "grade_coverage" in facts.tables and subjects:
        cov = facts.table("grade_coverage", year=year, subject=list(subjects))
        spans = sorted({str(g) for g in cov["all_grades"] if "-" in str(g)})
        apart = sorted({g.strip() for x in cov["grades_apart"] for g in str(x).split(",") if g})
        out["all_grades"] = ", ".join(spans)
        out["grades_apart"] = ", ".join(apart)
    origins = facts.sql(
        "SELECT DISTINCT origin FROM performance WHERE year = ? AND entity_id = ?",
        [year, entity_id],
    )["origin"].tolist()
    out["percent_only"] = origins == ["published_percents"]
    return out
