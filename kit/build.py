"""``kit build``: validated data -> every figure for every entity -> the facts store.

The orchestration layer: it reads the framework, validates the data into DuckDB, runs the
metric functions once over the whole data set and writes the facts tables. No state's
rule is decided here; the framework supplies every number.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from kit._sql import View, derived_view, ident
from kit._version import __version__
from kit.accountability.build import accountability_facts
from kit.build_aggregates import (
    SOURCE_NAMES,
    aggregate_entities,
    apart_grades,
    find_aggregates,
    grade_coverage,
    import_rejected,
    level_counts_query,
    load_aggregate_input,
    published_checks,
)
from kit.data.validate import reason_lines, require_rows, validate_data
from kit.facts import check_store_path, write_facts
from kit.frameworks.loader import Framework, LevelPointsModel, load_framework
from kit.metrics.aggregate_counts import blank_percent_sizes_sql
from kit.metrics.gaps import GROUP_GAPS_DERIVED
from kit.metrics.groups import groups_frame
from kit.metrics.indexes import level_points_sql, level_step, proficiency_index_sql
from kit.metrics.item_stats import ITEM_STATS_DERIVED, STANDARD_STATS_DERIVED
from kit.metrics.items import item_facts
from kit.metrics.performance import KEYS, count_sql, level_counts_sql, performance_sql
from kit.protect import decide_crosstab, parents_frame, protect_items, protect_results


@dataclass(frozen=True)
class BuildResult:
    facts: str
    framework: str
    seconds: float
    table_rows: dict[str, int]
    rejected: dict[str, int]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase of the build

    def to_dict(self) -> dict:
        return asdict(self)


def _entities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """School, district and state rows per year with display names and tested grades."""
    return con.execute(
        """
        WITH tested AS (
            SELECT year, school_id, string_agg(DISTINCT CAST(grade AS VARCHAR), ',' ORDER BY
                   CAST(grade AS VARCHAR)) AS grades
            FROM assessments GROUP BY year, school_id
        ),
        schools AS (
            SELECT s.year, s.school_id, min(s.district_id) AS district_id,
                   coalesce(mode(s.school_name), s.school_id) AS name,
                   coalesce(mode(s.district_name), min(s.district_id)) AS district_name,
                   count(*) AS n_students
            FROM students s GROUP BY s.year, s.school_id
        )
        SELECT year, 'school' AS entity_type, school_id AS entity_id, name, district_id,
               district_name, n_students, t.grades
        FROM schools LEFT JOIN tested t USING (year, school_id)
        UNION ALL
        SELECT year, 'district', district_id, district_name, district_id, district_name,
               sum(n_students), NULL
        FROM schools GROUP BY year, district_id, district_name
        UNION ALL
        SELECT year, 'state', 'STATE', 'State', NULL, NULL, sum(n_students), NULL
        FROM schools GROUP BY year
        ORDER BY year, entity_type, entity_id
        """
    ).df()


def _index_models_frame(fw: Framework) -> pd.DataFrame:
    rows = []
    for mid, spec in fw.index_models.items():
        rng = getattr(spec, "range", None)
        rows.append(
            {
                "model": mid,
                "name": spec.name,
                "kind": spec.kind,
                "range_low": rng[0] if rng else None,
                "range_high": rng[1] if rng else None,
                "verified": spec.verified,
                "source": spec.source,
                "note": spec.note,
                "headline": mid == fw.headline_model,
                # Index points one student adds by moving up a level below proficient (what
                # would change an AYP result); None where that is not a fixed step.
                "level_step": (
                    level_step(
                        spec.points,
                        fw.proficient_level,
                        scale=spec.scale,
                        denominator=spec.denominator,
                    )
                    if isinstance(spec, LevelPointsModel)
                    else None
                ),
            }
        )
    return pd.DataFrame(rows)


def index_scores_sql(
    counts: str, performance: str, fw: Framework, models: list[str] | None = None
) -> str:
    """SQL for every index model of the framework (or those of ``models``) over the counts /
    performance relations."""
    parts = []
    for mid, spec in fw.index_models.items():
        if models is not None and mid not in models:
            continue
        if isinstance(spec, LevelPointsModel):
            parts.append(
                level_points_sql(
                    counts,
                    model=mid,
                    points=spec.points,
                    denominator=spec.denominator,
                    not_tested_points=spec.not_tested_points,
                    scale=spec.scale,
                    reporting_min_n=fw.reporting_min_n,
                )
            )
        else:
            parts.append(
                proficiency_index_sql(
                    performance,
                    model=mid,
                    amo_by_grade=spec.amo_by_grade,
                    reporting_min_n=fw.reporting_min_n,
                )
            )
    if not parts:
        keys = ", ".join(ident(k) for k in KEYS)
        return (
            f"SELECT {keys}, CAST(NULL AS VARCHAR) AS model, CAST(NULL AS BIGINT) AS n, "
            f"CAST(NULL AS DOUBLE) AS value, FALSE AS suppressed FROM {counts} WHERE FALSE"
        )
    return "\nUNION ALL\n".join(f"SELECT * FROM ({p})" for p in parts)


# Facts tables with columns that are one expression over the row's other columns (a
# difference, a percentage of two counts): the store keeps the rest as <table>_stored and
# <table> is a view adding them back, in the contract's column order.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "item_stats": ITEM_STATS_DERIVED,
    "standard_stats": STANDARD_STATS_DERIVED,
    "group_gaps": GROUP_GAPS_DERIVED,
}


# Sort order of the large facts tables: a report reads one entity's rows.
ENTITY_ORDER = ", ".join(ident(k) for k in ("entity_id", "year", "subject", "grade", "group"))


def store_derived_as_views(
    con: duckdb.DuckDBPyConnection, queries: dict[str, str], views: dict[str, str]
) -> None:
    """Move each table of :data:`DERIVED_COLUMNS` in ``queries`` to ``<table>_stored``
    (without its derived columns) and a view of the table's name in ``views``."""
    for name, derived in DERIVED_COLUMNS.items():
        if name not in queries:
            continue
        sql = queries.pop(name)
        columns = [d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
        drop = ", ".join(ident(c) for c in derived)
        queries[f"{name}_stored"] = f"SELECT * EXCLUDE ({drop}) FROM ({sql})"
        views[name] = derived_view(f"{name}_stored", columns, derived)


def _has_items(con: duckdb.DuckDBPyConnection) -> bool:
    present = set(con.execute("SELECT table_name FROM duckdb_tables()").df()["table_name"])
    return {"items", "item_responses"} <= present


def duckdb_config() -> dict:
    """DuckDB settings for the build: a memory ceiling (spilling to disk beyond it).

    ``KIT_MEMORY_LIMIT`` (e.g. ``8GB``) overrides the default of 1GB, which keeps a
    state-size build (1,800 schools) inside 2 GB of RAM: it peaked at 1.75 GB in 93 s, where
    3GB peaked at 3.5 GB in 86 s (docs/performance.md). Beyond the ceiling DuckDB spills
    to the system temp folder; a larger ceiling buys a few seconds.
    """
    return {
        "memory_limit": os.environ.get("KIT_MEMORY_LIMIT", "1GB"),
        "preserve_insertion_order": False,
        # Spill files go to the system's temp folder, not a .tmp folder where the user is.
        "temp_directory": os.path.join(tempfile.gettempdir(), f"kit-duckdb-{os.getpid()}"),
    }


def remove_stale_spill_dirs() -> list[str]:
    """Remove the spill folders of builds whose process is gone (killed, out of disk, ...).

    A state-size build can spill tens of GB; a build stopped hard never reaches its own
    clean-up, and the next build on a full disk would fail for a reason the user cannot see.
    """
    removed = []
    for path in Path(tempfile.gettempdir()).glob("kit-duckdb-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
        except OSError:  # alive, another user's process
            continue
    return removed


def _data_hash(file_hashes: dict[str, str]) -> str:
    joined = "\n".join(f"{k}:{v}" for k, v in sorted(file_hashes.items()))
    return hashlib.sha256(joined.encode()).hexdigest()


def build_facts(
    data_dir: str | Path,
    out: str | Path = "output/facts.duckdb",
    *,
    framework: str | Path | None = None,
    rejected_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Validate ``data_dir`` and write the facts store ``out``.

    ``data_dir`` holds students and assessments (and the optional tables), or
    ``aggregates.csv``: a state's published results, as ``kit import`` writes them
    (:mod:`kit.build_aggregates`). ``framework`` defaults to ``ma`` for student data and
    to the framework of the rows' ``levels_scheme`` for published results.

    Rejected rows are excluded, written to ``rejected_dir`` (default: ``rejected/`` beside
    the facts store) and counted in the ``runs`` table; the build still succeeds.

    Parameters
    ----------
    data_dir
        Folder of input tables (.csv, .parquet or .xlsx), or one holding ``aggregates.csv``.
    out
        The facts store to write, a ``.duckdb`` file. It is replaced atomically: a build that
        fails leaves the previous store as it was.
    framework
        A framework id (``ma``, ``ny``, ``pa``, ``sc``, ``mo_msip5``, ``tx_pbmas``) or the
        path of a framework YAML file.
    rejected_dir
        Where the rejected rows go, one CSV per table.
    progress
        Called with a short message as each phase starts.

    Returns
    -------
    BuildResult
        The store's path, the framework applied, rows per facts table, rejected rows per
        input table, warnings and seconds per phase.

    Raises
    ------
    DataError, FrameworkError
        Input or framework the build cannot use (the message names the file and the fix).

    Examples
    --------
    ``demo_data`` is a folder ``kit demo-data`` wrote:

    >>> result = build_facts(demo_data, tmp / "facts.duckdb")
    >>> result.framework, result.rejected["students"], result.table_rows["entities"] > 0
    ('ma', 0, True)
    """
    say = progress or (lambda _msg: None)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    out = check_store_path(out)
    rejected_dir = Path(rejected_dir) if rejected_dir else out.parent / "rejected"
    aggregates_path = find_aggregates(data_dir)
    fw = load_framework(framework or "ma") if aggregates_path is None else None
    remove_stale_spill_dirs()
    con = duckdb.connect(config=duckdb_config())
    # the build says what it is doing itself; DuckDB's own bars would interleave with it
    con.execute("SET enable_progress_bar = false")
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 2)
        mark = now

    say("validating input")
    agg = None
    if aggregates_path is not None:
        agg = load_aggregate_input(
            aggregates_path, con, framework=framework, rejected_dir=rejected_dir
        )
        fw = agg.framework
        summaries = (agg.summary,)
        file_hashes = {aggregates_path.name: agg.file_hash}
        phase("validate and read published results")
        con.execute(
            "CREATE TEMP TABLE idx AS "
            + index_scores_sql("counts", "perf", fw, models=agg.computable_models)
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE idx AS " + blank_percent_sizes_sql("idx", "counts")
        )
    else:
        result = validate_data(data_dir, rejected_dir=rejected_dir, levels=fw.n_levels, con=con)
        require_rows(result, rejected_dir)
        summaries, file_hashes = result.summaries, result.file_hashes
        phase("validate")
        say("counting students by entity, grade and group")
        con.execute(
            "CREATE TEMP TABLE counts AS "
            + count_sql(
                n_levels=fw.n_levels,
                proficient_level=fw.proficient_level,
                sublevel_cuts=fw.sublevel_cuts,
            )
        )
        con.execute(
            "CREATE TEMP TABLE perf AS "
            + performance_sql("counts", reporting_min_n=fw.reporting_min_n)
        )
        con.execute("CREATE TEMP TABLE idx AS " + index_scores_sql("counts", "perf", fw))
    phase("performance and indexes")
    say("deciding what reports may show (small groups, complementary suppression)")
    protect_results(
        con, min_n=fw.reporting_min_n, apart=apart_grades(con) if agg is not None else None
    )
    phase("suppression")
    order = ", ".join(ident(k) for k in KEYS)
    queries = {
        "performance": f"SELECT * FROM perf ORDER BY {order}",
        "level_counts": f"SELECT * FROM ({level_counts_sql('counts', n_levels=fw.n_levels)}) "
        f"ORDER BY {order}, level",
        # By entity: a report reads one entity's rows, which then sit in a few row groups.
        "index_scores": f"SELECT * FROM idx ORDER BY {ENTITY_ORDER}, model",
    }
    views: dict[str, str] = {}
    tables = {
        "entities": _entities(con) if agg is None else aggregate_entities(con),
        "groups": groups_frame(),
        "index_models": _index_models_frame(fw),
        "levels": pd.DataFrame([lv.model_dump() for lv in fw.levels]),
    }
    if agg is not None:
        queries["level_counts"] = level_counts_query(fw)
        tables["index_models"]["absent_reason"] = tables["index_models"]["model"].map(agg.absent)
        tables["grade_coverage"] = grade_coverage(con)
        say("checking the facts against the published figures")
        tables["published_checks"] = published_checks(con, fw)
        rejected_at_import = import_rejected(Path(data_dir))
        if rejected_at_import is not None:
            tables["import_rejected"] = rejected_at_import
        phase("published checks")
    say("accountability: gaps, AYP, goals, impact")
    extras = [accountability_facts(con, fw)]
    phase("accountability")
    if _has_items(con):
        say("item analysis")
        extras.append(protect_items(con, item_facts(con, fw), min_n=fw.reporting_min_n))
        phase("item analysis")
    for extra in extras:
        for name, value in extra.items():
            if isinstance(value, View):
                views[name] = value
            elif isinstance(value, str):
                queries[name] = value
            else:
                tables[name] = value
    if "crosstab" in queries:
        crosstab = con.execute(queries.pop("crosstab")).df()
        parents = parents_frame(tables["entities"])
        tables["crosstab"] = decide_crosstab(crosstab, parents, fw.reporting_min_n)
    store_derived_as_views(con, queries, views)
    rejected = {s.table: s.rejected for s in summaries}
    warnings = list(agg.warnings) if agg is not None else []
    if any(rejected.values()):
        total = sum(rejected.values())
        warnings.append(
            f"{total} input row(s) were rejected and left out; see {rejected_dir}/ for each "
            "row, column and reason."
        )
    if agg is None:
        warnings += reason_lines(result)
    finished = datetime.now(UTC)
    assert fw is not None  # the aggregates' framework is loaded by now
    tables["runs"] = pd.DataFrame(
        [
            {
                "kit_version": __version__,
                "framework": fw.id,
                "framework_name": fw.name,
                "framework_verified": fw.verified,
                "framework_unverified": json.dumps(fw.unverified),
                # The framework as this build applied it (a user's file may be gone or edited
                # by the time a report is rendered): reports read their rules from here.
                "framework_json": fw.model_dump_json(),
                "reporting_min_n": fw.reporting_min_n,
                "accountability_min_n": fw.accountability_min_n,
                "proficient_level": fw.proficient_level,
                "headline_model": fw.headline_model,
                "data_dir": str(data_dir),
                "data_hash": _data_hash(file_hashes),
                "input_hashes": json.dumps(file_hashes, sort_keys=True),
                "row_counts": json.dumps([s.to_dict() for s in summaries]),
                "rows_read": sum(s.read for s in summaries),
                "rows_accepted": sum(s.accepted for s in summaries),
                "rows_rejected": sum(s.rejected for s in summaries),
                "phase_seconds": json.dumps(phases),
                "started_at": started.isoformat(timespec="seconds"),
                "finished_at": finished.isoformat(timespec="seconds"),
            }
        ]
    )
    if agg is not None:
        # Only an aggregate build has these columns: the store of student data is unchanged.
        tables["runs"] = tables["runs"].assign(
            input="aggregates",
            levels_scheme=agg.scheme,
            source_name=SOURCE_NAMES.get(agg.scheme, "published results"),
            source_files=json.dumps(list(agg.source_files)),
        )
    say("computing indexes and writing the facts store")
    write_facts(out, tables, con=con, queries=queries, views=views)
    phase("write facts")
    table_rows = {name: len(frame) for name, frame in tables.items()}
    with duckdb.connect(str(out), read_only=True) as fcon:
        for name in [*queries, *views]:
            table_rows[name] = fcon.execute(f"SELECT count(*) FROM {ident(name)}").fetchone()[0]
    con.close()
    shutil.rmtree(duckdb_config()["temp_directory"], ignore_errors=True)
    return BuildResult(
        facts=str(out),
        framework=fw.id,
        seconds=round(time.perf_counter() - t0, 2),
        table_rows=table_rows,
        rejected=rejected,
        warnings=tuple(warnings),
        phases=phases,
    )
