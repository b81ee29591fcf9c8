"""``kit build`` on published results: ``aggregates.csv`` -> the build's temp tables.

A data folder holding ``aggregates.csv`` (as ``kit import`` writes it) instead of students
and assessments is built by the same pipeline as student data (:mod:`kit.build`): this
module validates the aggregate table, picks the framework from its ``levels_scheme``, and
makes the temp tables ``counts`` and ``perf`` that the build already consumes
(:mod:`kit.metrics.aggregate_counts`); the build then computes the index models, decides
suppression (:func:`kit.protect.protect_results`), and runs accountability (gaps, ranking,
goals, AYP) unchanged. What only published figures need is here too: which index models
cannot be computed from levels (:func:`absent_models`), the entities as published
(:func:`aggregate_entities`), and the state's figures side by side with the facts
(:func:`published_checks`, the ``published_checks`` table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from kit.data.aggregates import SCHEMES, validate_aggregates
from kit.data.readers import FORMATS, file_sha256
from kit.data.validate import TableSummary, ValidationResult
from kit.errors import DataError
from kit.frameworks.loader import Framework, LevelPointsModel, index_model_library, load_framework
from kit.metrics.aggregate_counts import (
    KEYS,
    aggregate_count_sql,
    aggregate_level_counts_sql,
    aggregate_performance_sql,
    aggregate_rows_sql,
    grade_plan_sql,
    source_rows_sql,
)
from kit.metrics.reconcile import (
    CHECK_COLUMNS,
    MCAS_ALT_NOTE,
    STATE_DISAGREES,
    check_computed,
    check_index_bounds,
    check_level_counts,
    check_level_percents,
    check_weighted_percents,
    weighted_percent_tolerance,
)

SOURCE_NAMES = {
    "ma_nextgen": "Massachusetts DESE's MCAS achievement results (Next-Generation MCAS)",
    "ma_legacy": "Massachusetts DESE's MCAS results (legacy MCAS, with the CPI)",
    "oh": "the Ohio Department of Education's report card (Performance Index)",
}
SUBLEVELS_REASON = (
    "gives points to halves of achievement levels (sublevels), which published results "
    "do not give; computing it from whole levels would be a guess"
)
GRADES_REASON = (
    "weights each grade's distance from its AMO by the grade's students, and the published "
    "file's all-grades rows do not come with grade rows for every group"
)
_K = ", ".join(f'"{k}"' for k in KEYS)


def find_aggregates(data_dir: str | Path) -> Path | None:
    """The ``aggregates`` file of a data folder (``.csv``, ``.parquet`` or ``.xlsx``), if any.

    Raises
    ------
    DataError
        If the folder holds both students and aggregates (which one to build is unclear),
        or the aggregate table twice.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return None
    found = [
        p
        for p in sorted(data_dir.iterdir())
        if p.is_file() and p.stem.lower() == "aggregates" and p.suffix.lower() in FORMATS
    ]
    if not found:
        return None
    if len(found) > 1:
        raise DataError(
            f"The aggregates table is given twice in {data_dir}: "
            + " and ".join(p.name for p in found)
            + ". Keep one file and move the other out of the folder.",
            file=str(found[1]),
        )
    students = [p for p in data_dir.iterdir() if p.stem.lower() in ("students", "assessments")]
    if students:
        raise DataError(
            f"{data_dir} holds both {found[0].name} (published results) and "
            f"{students[0].name} (student records), and kit build reads one or the other. "
            "Put the published results in a folder of their own.",
            file=str(found[0]),
        )
    return found[0]


@dataclass(frozen=True)
class AggregateInput:
    """The validated aggregate rows and what the build needs to know about them."""

    path: Path
    framework: Framework
    scheme: str
    summary: TableSummary
    file_hash: str
    source_files: tuple[str, ...]
    absent: dict[str, str]  # index model -> why it is not computed
    rows_unused: int  # rows with neither every level count nor every level percent
    rows_other_schemes: int
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def computable_models(self) -> list[str]:
        return [m for m in self.framework.index_models if m not in self.absent]


def absent_models(fw: Framework) -> dict[str, str]:
    """Index models of ``fw`` that published level counts cannot give, with the reason."""
    out = {}
    for mid, spec in fw.index_models.items():
        if isinstance(spec, LevelPointsModel):
            if spec.split_levels:
                out[mid] = SUBLEVELS_REASON
        else:
            out[mid] = GRADES_REASON
    return out


def _pick_framework(
    con: duckdb.DuckDBPyConnection, path: Path, framework: str | Path | None
) -> tuple[Framework, str, int]:
    schemes = dict(
        con.execute(
            "SELECT levels_scheme, count(*) FROM aggregates GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    if not schemes:
        raise DataError(
            f"{path.name} has no row that could be used (every row was rejected); see the "
            "rejected rows and fix them.",
            file=str(path),
        )
    if framework is None:
        if len(schemes) > 1:
            listed = ", ".join(
                f"{s} ({n:,} rows, framework {SCHEMES[s].framework})" for s, n in schemes.items()
            )
            raise DataError(
                f"{path.name} mixes levels schemes: {listed}. A build uses one framework; "
                "pass --framework with one of them, or split the file.",
                file=str(path),
                column="levels_scheme",
            )
        [scheme] = schemes
        fw = load_framework(SCHEMES[scheme].framework)
        return fw, scheme, 0
    fw = load_framework(framework)
    matching = [s for s in schemes if SCHEMES[s].framework == fw.id]
    if not matching:
        matching = [s for s in schemes if SCHEMES[s].n_levels == fw.n_levels]
    if len(matching) != 1:
        have = ", ".join(f"{s} ({SCHEMES[s].n_levels} levels)" for s in schemes)
        raise DataError(
            f"Framework {fw.id} has {fw.n_levels} achievement levels, and {path.name} has "
            f"rows of {have}: "
            + ("none matches" if not matching else "more than one matches")
            + ". Pass the framework of one scheme (or none: kit picks it from levels_scheme).",
            file=str(path),
            column="levels_scheme",
        )
    scheme = matching[0]
    return fw, scheme, sum(n for s, n in schemes.items() if s != scheme)


def load_aggregate_input(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    *,
    framework: str | Path | None,
    rejected_dir: Path,
) -> AggregateInput:
    """Validate ``path`` into ``con`` and make the temp tables ``counts`` and ``perf``
    (and ``_agg_rows``, every row published or summed; ``_agg_plan``, how each year and
    subject's all-grades row is made).

    The framework is ``framework``, else the one of the rows' ``levels_scheme``.
    """
    library = index_model_library()
    validation = validate_aggregates(
        path, rejected_dir=rejected_dir, con=con, index_models=list(library)
    )
    s = validation.summaries[0]
    summary = TableSummary("aggregates", path.name, s.read, s.accepted, s.rejected)
    fw, scheme, other = _pick_framework(con, path, framework)
    k = fw.n_levels
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _agg_src AS " + source_rows_sql(scheme=scheme, n_levels=k)
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _agg_plan AS " + grade_plan_sql("_agg_src"))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _agg_rows AS "
        + aggregate_rows_sql("_agg_src", "_agg_plan", n_levels=k)
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE counts AS "
        + aggregate_count_sql(
            "_agg_rows", "_agg_plan", n_levels=k, proficient_level=fw.proficient_level
        )
    )
    con.execute("CREATE OR REPLACE TEMP TABLE perf AS " + aggregate_performance_sql("counts"))
    unused = con.execute("SELECT count(*) FROM _agg_src WHERE row_kind IS NULL").fetchone()[0]
    files = tuple(
        f
        for (f,) in con.execute(
            "SELECT DISTINCT source_file FROM _agg_src WHERE source_file IS NOT NULL ORDER BY 1"
        ).fetchall()
    )
    warnings = []
    if other:
        warnings.append(
            f"{other:,} row(s) of {path.name} have another levels scheme than {scheme} "
            f"(framework {fw.id}) and were left out."
        )
    if unused:
        warnings.append(
            f"{unused:,} row(s) of {path.name} have neither every level count (with n) nor "
            "every level percent, so no result can be computed from them; they were left out."
        )
    if fw.id != SCHEMES[scheme].framework:
        warnings.append(
            f"The rows are {scheme} results read with framework {fw.id}: its level names "
            f"and rules apply to {SCHEMES[scheme].framework}'s levels."
        )
    return AggregateInput(
        path=path,
        framework=fw,
        scheme=scheme,
        summary=summary,
        file_hash=file_sha256(path),
        source_files=files,
        absent=absent_models(fw),
        rows_unused=int(unused),
        rows_other_schemes=int(other),
        warnings=tuple(warnings),
    )


def apart_grades(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``year, subject, grade`` of the grade rows that are not parts of the ALL row (grade
    10 beside a 3-8 span): suppression decides them without the grade sum."""
    return con.execute(
        "SELECT DISTINCT year, subject, grade FROM counts "
        "WHERE grade <> 'ALL' AND NOT part_of_all ORDER BY ALL"
    ).df()


def level_counts_query(fw: Framework) -> str:
    """The ``level_counts`` table of an aggregate build (with ``pct`` and ``origin``)."""
    sql = aggregate_level_counts_sql("counts", "_agg_rows", n_levels=fw.n_levels)
    return f"SELECT * FROM ({sql}) ORDER BY {_K}, level"


def aggregate_entities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """School, district and state rows per year with their published names and grades
    (``n_students`` is empty: published files count tested students only)."""
    return con.execute(
        """
        SELECT CAST(year AS BIGINT) AS year, entity_type, entity_id,
            CASE WHEN entity_type = 'state' THEN 'State'
                 ELSE coalesce(mode(entity_name), entity_id) END AS name,
            min(district_id) AS district_id,
            CASE WHEN entity_type = 'state' THEN NULL
                 ELSE coalesce(mode(district_name), min(district_id)) END AS district_name,
            CAST(NULL AS BIGINT) AS n_students,
            CASE WHEN entity_type = 'school' THEN string_agg(DISTINCT source_grade, ','
                ORDER BY source_grade) FILTER (WHERE regexp_full_match(source_grade,
                '[0-9]+|HS')) END AS grades
        FROM _agg_rows
        GROUP BY year, entity_type, entity_id
        ORDER BY year, entity_type, entity_id
        """
    ).df()


def grade_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per year x subject: what grade ALL stands for (``all_grades``: the
    published span such as ``3-8``, ``ALL`` as published, or the grades summed) and the
    grades published beside it that are not in it (``grades_apart``)."""
    return con.execute(
        """
        WITH apart AS (
            SELECT year, subject, string_agg(DISTINCT grade, ', ' ORDER BY grade) AS grades
            FROM counts WHERE grade <> 'ALL' AND NOT part_of_all GROUP BY ALL
        ),
        parts AS (
            SELECT year, subject, string_agg(DISTINCT grade, ', ' ORDER BY grade) AS grades
            FROM counts WHERE part_of_all GROUP BY ALL
        )
        SELECT CAST(p.year AS BIGINT) AS year, p.subject,
            CASE WHEN p.all_from = 'sum' THEN coalesce(parts.grades, '') ELSE p.all_from END
                AS all_grades,
            p.all_from = 'sum' AS summed, coalesce(apart.grades, '') AS grades_apart
        FROM _agg_plan p LEFT JOIN apart USING (year, subject)
        LEFT JOIN parts USING (year, subject)
        ORDER BY year, subject
        """
    ).df()


# --------------------------------------------------------------------------- reconciliation


def _frames(con: duckdb.DuckDBPyConnection, fw: Framework) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published rows twice: with the facts' figures (counts and performance as built)
    and with the source's own, in the columns :mod:`kit.metrics.reconcile` reads."""
    k = fw.n_levels
    on = " AND ".join(f'c."{c}" = r."{c}"' for c in KEYS)
    facts_levels = ", ".join(
        f"c.n_l{j}_low + c.n_l{j}_high AS n_level_{j}" for j in range(1, k + 1)
    )
    raw_levels = ", ".join(f"r.n_level_{j}" for j in range(1, k + 1))
    pcts = ", ".join(f"r.pct_level_{j}" for j in range(1, k + 1))
    keys = ", ".join(f'r."{c}"' for c in KEYS)
    common = (
        f"{keys}, {pcts}, r.pct_not_tested, r.published_n_proficient, r.published_pct_proficient, "
        "r.published_index, r.published_index_model, r.source_file, r.source_row, "
        "r.percent_only, i.value AS facts_index"
    )
    models = "i.model = r.published_index_model"
    base = f"""
        FROM _agg_rows r JOIN counts c ON {on}
        JOIN perf p ON {on.replace("c.", "p.")}
        LEFT JOIN idx i ON {on.replace("c.", "i.")} AND {models}
        WHERE r.origin IN ('published', 'published_percents')
    """
    facts = con.execute(f"SELECT {common}, p.n_fay_tested AS n, {facts_levels} {base}").df()
    raw = con.execute(f"SELECT {common}, r.n, {raw_levels} {base}").df()
    return facts, raw


def _checks(rows: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    k, p = fw.n_levels, fw.proficient_level
    counted = rows[~rows["percent_only"].astype(bool)]
    parts = []
    if len(counted):
        parts.append(check_level_percents(counted, n_levels=k, proficient_level=p))
        parts.append(check_level_counts(counted, n_levels=k, proficient_level=p))
    library = index_model_library()
    for model in sorted(rows["published_index_model"].dropna().unique()):
        spec = fw.index_models.get(model)
        lib = library.get(model, {})
        sub = rows[rows["published_index_model"] == model]
        points = {int(j): v for j, v in (lib.get("points") or {}).items()}
        scale = float(lib.get("scale", 1.0))
        split = any(isinstance(v, list | tuple) for v in points.values())
        pct_rows = sub[sub["percent_only"].astype(bool)]
        cnt_rows = sub[~sub["percent_only"].astype(bool)]
        if len(cnt_rows) and split and points:
            parts.append(
                check_index_bounds(
                    cnt_rows,
                    model=model,
                    points={j: tuple(v) if isinstance(v, list) else v for j, v in points.items()},
                    scale=scale,
                    above_note=MCAS_ALT_NOTE if model == "ma_cpi" else None,
                )
            )
        elif len(cnt_rows) and spec is not None and model not in absent_models(fw):
            parts.append(
                check_computed(
                    cnt_rows,
                    measure=model,
                    published="published_index",
                    computed="facts_index",
                    tolerance=0.05,
                    disagree_note=f"more than 0.05 from the index of the level counts: "
                    f"{STATE_DISAGREES}",
                )
            )
        if len(pct_rows) and points and not split:
            weights = {f"pct_level_{j}": v * scale / 100.0 for j, v in points.items()}
            if lib.get("denominator") == "enrolled":
                weights["pct_not_tested"] = float(lib.get("not_tested_points", 0)) * scale / 100
            if "facts_index" in pct_rows and spec is not None:
                parts.append(
                    check_computed(
                        pct_rows,
                        measure=model,
                        published="published_index",
                        computed="facts_index",
                        tolerance=weighted_percent_tolerance(weights),
                        disagree_note="the index of the published percents is more than "
                        f"{weighted_percent_tolerance(weights):g} from the published "
                        f"index: {STATE_DISAGREES}",
                    )
                )
            else:
                parts.append(check_weighted_percents(pct_rows, model=model, weights=weights))
    parts = [x for x in parts if len(x)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CHECK_COLUMNS)


def published_checks(con: duckdb.DuckDBPyConnection, fw: Framework) -> pd.DataFrame:
    """The ``published_checks`` facts table: every figure the source published beside the
    same figure computed from the built facts (CONTRACT.md section 3).

    Columns: the keys (grade as in the facts: a span that stands for ALL is ``ALL``),
    ``measure``, ``published``, ``computed``, ``difference``, ``tolerance``, ``agrees``,
    ``note``, then ``state_inconsistent`` (the disagreement is among the source's own
    figures: the same check on the published figures alone fails too, so the facts are
    not at fault), ``source_file`` and ``source_row`` (where the published figure is) and
    ``source_grade``.
    """
    facts, raw = _frames(con, fw)
    checks = _checks(facts, fw)
    if checks.empty:
        return checks.assign(state_inconsistent=pd.Series(dtype=bool))
    own = _checks(raw, fw)[[*KEYS, "measure", "agrees"]].rename(columns={"agrees": "_raw"})
    out = checks.merge(own, on=[*KEYS, "measure"], how="left")
    out["state_inconsistent"] = ~out["agrees"].astype(bool) & ~out["_raw"].fillna(True).astype(bool)
    where = facts[[*KEYS, "source_file", "source_row"]].drop_duplicates(KEYS)
    out = out.drop(columns=["_raw"]).merge(where, on=KEYS, how="left")
    grades = con.execute(
        f"SELECT {_K}, source_grade FROM _agg_rows WHERE source_grade IS NOT NULL"
    ).df()
    out = out.merge(grades, on=KEYS, how="left")
    out["agrees"] = out["agrees"].astype(bool)
    out["year"] = out["year"].astype("int64")
    out["source_row"] = pd.to_numeric(out["source_row"]).astype("Int64")
    order = [*KEYS, "measure"]
    return out.sort_values(order, kind="stable").reset_index(drop=True)


def import_rejected(data_dir: Path) -> pd.DataFrame | None:
    """Rows ``kit import`` rejected from the state's files (``DATA/rejected/aggregates.csv``),
    kept with the facts so that ``kit reconcile`` can name them; None when there are none."""
    path = Path(data_dir) / "rejected" / "aggregates.csv"
    if not path.is_file():
        return None
    cols = ["source_file", "source_row", "column", "value", "rule", "message"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not set(cols) <= set(frame.columns):
        return None
    frame = frame[cols].copy()
    frame["source_row"] = pd.to_numeric(frame["source_row"], errors="coerce").astype("Int64")
    return frame


def validate_aggregate_dir(
    data_dir: str | Path, *, rejected_dir: str | Path | None = None
) -> ValidationResult:
    """``kit validate`` on a folder of published results: the aggregate table's checks,
    summed up like :func:`kit.data.validate.validate_data` (``read = accepted + rejected``)."""
    path = find_aggregates(data_dir)
    if path is None:
        raise DataError(f"{data_dir} holds no aggregates.csv.", file=str(data_dir))
    con = duckdb.connect()
    result = validate_aggregates(
        path, rejected_dir=rejected_dir, con=con, index_models=list(index_model_library())
    )
    s = result.summaries[0]
    summary = TableSummary("aggregates", path.name, s.read, s.accepted, s.rejected)
    counts = {f"aggregates.{rule}": n for rule, n in result.rejected_counts.items()}
    return ValidationResult(con, (summary,), counts, {path.name: file_sha256(path)})
