"""The aggregate input table: a state's published results, one row per entity x subject x
grade x group, instead of one row per student.

Public files hold counts or percents by achievement level, not students. The importers of
:mod:`kit.data.importers` write them as ``aggregates.csv`` in the columns of
:data:`AGGREGATES`; an analyst may also write the table by hand. Every row read is accepted
or rejected for one reason, like the student tables (docs/data.md, "The aggregate table"):
the checks are data here and run as DuckDB SQL built by :mod:`kit.data.sql`.

The levels of a row are numbered 1 (lowest) .. k as everywhere in the kit; ``levels_scheme``
names whose levels they are (:data:`SCHEMES`), and so how many there are.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from kit.data.readers import RawTable, load_table
from kit.data.rules import MALFORMED_MESSAGE, parsed_sql
from kit.data.schemas import GROUP_IDS, Column, Table
from kit.data.sql import FAIL, ROW, Check, describe_sql, literal, q, text_of
from kit.errors import DataError

MAX_LEVELS = 10
REJECTED_COLUMNS = ("source_file", "source_row", "column", "value", "rule", "message")
ENTITY_TYPES = ("state", "district", "school")
PCT_BASES = ("tested", "enrolled")
AGGREGATE_GROUPS: tuple[str, ...] = GROUP_IDS
KEY = ("year", "entity_type", "entity_id", "subject", "grade", "group")
# 'ALL', 'HS' (a high-school test taken in no one grade), a grade 0-12, or a span 'a-b'.
GRADE_PATTERN = r"ALL|HS|[0-9]|1[0-2]|([0-9]|1[0-2])-([0-9]|1[0-2])"


@dataclass(frozen=True)
class LevelsScheme:
    """Whose achievement levels a row's ``n_level_*`` / ``pct_level_*`` are.

    ``framework`` is the id of the framework that names the levels (kit/frameworks/);
    ``pct_base`` is what the source's level percents are percents of, unless a row says.
    """

    id: str
    framework: str
    n_levels: int
    levels: tuple[str, ...]
    pct_base: str = "tested"

    def to_dict(self) -> dict:
        return asdict(self)


SCHEMES: dict[str, LevelsScheme] = {
    s.id: s
    for s in (
        LevelsScheme("ma_nextgen", "ma_nextgen", 4, ("NM", "PM", "M", "E")),
        LevelsScheme("ma_legacy", "ma", 4, ("W/F", "NI", "P", "A")),
        LevelsScheme(
            "oh",
            "oh",
            6,
            ("Limited", "Basic", "Proficient", "Accomplished", "Advanced", "Advanced Plus"),
            pct_base="enrolled",
        ),
    )
}

_S, _I, _F = "VARCHAR", "INTEGER", "DOUBLE"


def _optional(name: str, type_: str) -> Column:
    return Column(name, type_, required=False, nullable=True)


AGGREGATES = Table(
    "aggregates",
    required=False,
    key=KEY,
    columns=(
        Column("year", _I),
        Column("entity_type", _S),
        Column("entity_id", _S),
        _optional("district_id", _S),
        _optional("entity_name", _S),
        _optional("district_name", _S),
        Column("subject", _S),
        Column("grade", _S),
        Column("group", _S),
        Column("levels_scheme", _S),
        Column("pct_base", _S, required=False, nullable=True),
        _optional("n", _I),
        *(_optional(f"n_level_{j}", _I) for j in range(1, MAX_LEVELS + 1)),
        *(_optional(f"pct_level_{j}", _F) for j in range(1, MAX_LEVELS + 1)),
        _optional("pct_not_tested", _F),
        _optional("participation_rate", _F),
        _optional("mean_scale_score", _F),
        _optional("published_n_proficient", _I),
        _optional("published_pct_proficient", _F),
        _optional("published_index", _F),
        _optional("published_index_model", _S),
        _optional("source_file", _S),
        _optional("source_row", _I),
    ),
)

PERCENT_COLUMNS = (
    *(f"pct_level_{j}" for j in range(1, MAX_LEVELS + 1)),
    "pct_not_tested",
    "participation_rate",
    "published_pct_proficient",
)
COUNT_COLUMNS = ("n", *(f"n_level_{j}" for j in range(1, MAX_LEVELS + 1)), "published_n_proficient")


def output_columns(n_levels: int) -> list[str]:
    """The columns of an ``aggregates.csv`` whose rows have at most ``n_levels`` levels."""
    drop = {f"{p}_level_{j}" for p in ("n", "pct") for j in range(n_levels + 1, MAX_LEVELS + 1)}
    return [c for c in AGGREGATES.column_names if c not in drop]


@dataclass(frozen=True)
class AggregateSummary:
    """Rows of one source: ``read == accepted + rejected``."""

    file: str
    read: int
    accepted: int
    rejected: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AggregateValidation:
    """What :func:`validate_aggregates` or :func:`check_aggregates` found.

    Attributes
    ----------
    con
        DuckDB connection holding the table ``aggregates``: the accepted rows in the columns
        and types of :data:`AGGREGATES`, codes normalised (``entity_type`` lower case,
        ``grade`` and ``subject`` upper case, state rows ``STATE``).
    summaries
        Rows read, accepted and rejected per source file.
    rejected
        The rejected rows: ``source_file, source_row, column, value, rule, message``.
    rejected_counts
        Rejected rows per rule.
    """

    con: duckdb.DuckDBPyConnection
    summaries: tuple[AggregateSummary, ...]
    rejected: pa.Table
    rejected_counts: dict[str, int]

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected.num_rows else 0

    def to_dict(self) -> dict:
        return {
            "files": [s.to_dict() for s in self.summaries],
            "rejected_counts": dict(self.rejected_counts),
            "exit_code": self.exit_code,
        }


# --------------------------------------------------------------------------- checks


def _scheme_levels_sql() -> str:
    whens = " ".join(f"WHEN {literal(s.id)} THEN {s.n_levels}" for s in SCHEMES.values())
    return f'(CASE lower("levels_scheme") {whens} END)'


def aggregate_checks(
    present: Collection[str], index_models: Collection[str] | None = None
) -> list[Check]:
    """The rules of the aggregate table, in the order a row is checked.

    ``present`` names the table's columns found in the file (level columns that are absent
    are not checked); ``index_models``, when given, are the allowed
    ``published_index_model`` ids.
    """
    checks: list[Check] = []
    for col in AGGREGATES.columns:
        if col.name not in present:
            continue
        c, t = q(col.name), text_of(col.name)
        if col.required:
            checks.append(
                Check(
                    "missing_value",
                    col.name,
                    f"{t} IS NULL",
                    f"{col.name} is empty; every aggregate row needs a {col.name}",
                )
            )
        if col.type == _I:
            checks.append(
                Check(
                    "type",
                    col.name,
                    f"{t} IS NOT NULL AND {c} IS NULL",
                    f'{col.name} "{{{col.name}}}" is not a whole number; write digits only, with '
                    "no separator or with a thousands separator followed by three digits (67,396)",
                )
            )
        elif col.type == _F:
            checks.append(
                Check(
                    "type",
                    col.name,
                    f"{t} IS NOT NULL AND {c} IS NULL",
                    f'{col.name} "{{{col.name}}}" is not a number; write digits and a decimal '
                    "point, e.g. 45.5",
                )
            )
    for name in COUNT_COLUMNS:
        if name in present:
            checks.append(
                Check(
                    "range",
                    name,
                    f"{q(name)} < 0",
                    f'{name} "{{{name}}}" is negative; a count is 0 or more',
                )
            )
    for name in PERCENT_COLUMNS:
        if name in present:
            checks.append(
                Check(
                    "range",
                    name,
                    f"{q(name)} NOT BETWEEN 0 AND 100",
                    f'{name} "{{{name}}}" is not a percentage 0-100; give percents (45.5, not '
                    "0.455)",
                )
            )
    checks += [
        Check(
            "range",
            "year",
            '"year" NOT BETWEEN 1990 AND 2100',
            'year "{year}" is not a year 1990-2100; use the spring of the test, e.g. 2024 '
            "for 2023-24",
        ),
        Check(
            "code",
            "entity_type",
            f'lower("entity_type") NOT IN {_tuple(ENTITY_TYPES)}',
            'entity_type "{entity_type}" is not state, district or school',
        ),
        Check(
            "state_id",
            "entity_id",
            "lower(\"entity_type\") = 'state' AND upper(\"entity_id\") <> 'STATE'",
            'entity_id "{entity_id}" on a state row; the state\'s entity_id is STATE',
        ),
        Check(
            "missing_value",
            "district_id",
            "lower(\"entity_type\") IN ('school', 'district') AND \"district_id\" IS NULL",
            "district_id is empty; a school or district row names its district",
        ),
        Check(
            "district_id",
            "district_id",
            'lower("entity_type") = \'district\' AND "district_id" <> "entity_id"',
            'district_id "{district_id}" differs from entity_id "{entity_id}" on a district '
            "row; a district is its own district",
        ),
        Check(
            "grade",
            "grade",
            f"NOT regexp_full_match(upper(\"grade\"), '{GRADE_PATTERN}') OR "
            "(contains(\"grade\", '-') AND TRY_CAST(split_part(\"grade\", '-', 1) AS INTEGER)"
            " >= TRY_CAST(split_part(\"grade\", '-', 2) AS INTEGER))",
            'grade "{grade}" is not ALL, HS, a grade 0-12 or a span such as 3-8 (lowest '
            "grade first)",
        ),
        Check(
            "group",
            "group",
            f'"group" NOT IN {_tuple(AGGREGATE_GROUPS)}',
            'group "{group}" is not a group id of CONTRACT.md (all, low_income, ell, '
            "ever_ell, swd, race_BL, gender_F, ...)",
        ),
        Check(
            "levels_scheme",
            "levels_scheme",
            f'lower("levels_scheme") NOT IN {_tuple(SCHEMES)}',
            'levels_scheme "{levels_scheme}" is not one of ' + ", ".join(SCHEMES),
        ),
        Check(
            "code",
            "pct_base",
            f'"pct_base" IS NOT NULL AND lower("pct_base") NOT IN {_tuple(PCT_BASES)}',
            'pct_base "{pct_base}" is not tested or enrolled',
        ),
    ]
    k = _scheme_levels_sql()
    for j in range(1, MAX_LEVELS + 1):
        cols = [c for c in (f"n_level_{j}", f"pct_level_{j}") if c in present]
        if cols:
            filled = " OR ".join(f"{q(c)} IS NOT NULL" for c in cols)
            checks.append(
                Check(
                    "level_beyond_scheme",
                    cols[0],
                    f"{k} < {j} AND ({filled})",
                    f"level {j} is filled in, but levels_scheme {{levels_scheme}} has fewer "
                    "levels; leave the columns of levels the scheme does not have empty",
                )
            )
    counts = [
        f"coalesce({q(f'n_level_{j}')}, 0)"
        for j in range(1, MAX_LEVELS + 1)
        if f"n_level_{j}" in present
    ]
    if counts and "n" in present:
        total = " + ".join(counts)
        checks.append(
            Check(
                "counts_exceed_n",
                "n",
                f'"n" IS NOT NULL AND ({total}) > "n"',
                "the level counts add up to more than n ({n}); n is every student included, so "
                "it is at least their sum",
                value=f"CAST(({total}) AS VARCHAR)",
            )
        )
    if {"n", "published_n_proficient"} <= set(present):
        checks.append(
            Check(
                "counts_exceed_n",
                "published_n_proficient",
                '"n" IS NOT NULL AND "published_n_proficient" > "n"',
                "published_n_proficient {published_n_proficient} is more than n ({n})",
            )
        )
    if "published_index" in present:
        checks.append(
            Check(
                "index_without_model",
                "published_index_model",
                '"published_index" IS NOT NULL AND "published_index_model" IS NULL',
                "published_index is given without published_index_model; name the index model "
                "(e.g. ma_cpi, oh_pi)",
            )
        )
    if index_models is not None and "published_index_model" in present:
        checks.append(
            Check(
                "index_model",
                "published_index_model",
                f'"published_index_model" NOT IN {_tuple(index_models)}',
                'published_index_model "{published_index_model}" is not an index model of '
                "kit/frameworks/index_models.yaml",
            )
        )
    return checks


def _tuple(values: Collection[str]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


# --------------------------------------------------------------------------- validation


def check_aggregates(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    types: dict[str, str],
    *,
    origin: str | None = None,
    index_models: Collection[str] | None = None,
) -> AggregateValidation:
    """Check the aggregate rows of ``relation`` and keep the accepted ones as ``aggregates``.

    Parameters
    ----------
    con
        The connection holding ``relation``; the accepted rows become its table
        ``aggregates`` (replaced if it exists).
    relation
        A DuckDB relation with ``__kit_row`` (unique) and the table's columns as found
        (names matched ignoring case); ``types`` maps each of its columns to its DuckDB type.
    origin
        The file the rows were read from: rejected rows name it and ``__kit_row``. When
        None, each row names its own ``source_file`` and ``source_row`` (the importers'
        output, whose rows come from several state files).
    index_models
        Allowed ``published_index_model`` ids (None: not checked).

    Raises
    ------
    DataError
        If a required column is missing.
    """
    sources = _resolve(types, origin or "the aggregate rows")
    present = [c for c, src in sources.items() if src is not None]
    checks = aggregate_checks(present, index_models)
    parsed, rejected = "__kit_parsed_aggregates", "__kit_rejected_aggregates"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {parsed} AS "
        + parsed_sql(AGGREGATES, sources, types, relation, checks)
    )
    file_sql, row_sql = (literal(origin), ROW) if origin else ('"source_file"', '"source_row"')
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {rejected} AS
        SELECT {ROW}, __sf AS source_file, CAST(__sr AS BIGINT) AS source_row,
            "column", value, rule, message
        FROM (SELECT {ROW}, __sf, __sr, {describe_sql(checks, AGGREGATES.column_names)}
              FROM (SELECT *, {file_sql} AS __sf, {row_sql} AS __sr FROM {parsed})
              WHERE {FAIL} IS NOT NULL)
    """)
    con.execute(f"CREATE OR REPLACE TABLE aggregates AS {_accepted_sql(parsed, origin)}")
    _reject_duplicates(con, rejected)
    con.execute(f"ALTER TABLE aggregates DROP COLUMN {ROW}")
    con.execute(f"DROP VIEW {parsed}")
    table = con.sql(
        f"SELECT {', '.join(q(c) for c in REJECTED_COLUMNS)} FROM {rejected} ORDER BY {ROW}"
    ).to_arrow_table()
    counts = dict(
        con.execute(f"SELECT rule, count(*) FROM {rejected} GROUP BY rule ORDER BY rule").fetchall()
    )
    summaries = _summaries(con, relation, rejected, origin)
    con.execute(f"DROP TABLE {rejected}")
    return AggregateValidation(con, summaries, table, counts)


def validate_aggregates(
    path: str | Path,
    *,
    rejected_dir: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    index_models: Collection[str] | None = None,
) -> AggregateValidation:
    """Read and check an aggregate table (``aggregates.csv``, ``.parquet`` or ``.xlsx``).

    Rejected rows go to ``<rejected_dir>/aggregates.csv`` with ``source_file, source_row,
    column, value, rule, message`` and then the row's original values, like
    :func:`kit.data.validate.validate_data`; ``source_row`` is the row number a spreadsheet
    shows (header = row 1).

    Raises
    ------
    DataError
        If the file is missing, unreadable or empty, or lacks a required column.
    """
    path = Path(path)
    con = duckdb.connect() if con is None else con
    raw = load_table(con, "aggregates", path)
    try:
        result = check_aggregates(
            con, raw.relation, dict(raw.columns), origin=path.name, index_models=index_models
        )
        if raw.malformed:
            result = _with_malformed(result, raw)
        if rejected_dir is not None and result.rejected.num_rows:
            out = Path(rejected_dir)
            out.mkdir(parents=True, exist_ok=True)
            _write_with_originals(con, raw, result.rejected, out / "aggregates.csv")
    finally:
        con.execute(f"DROP VIEW IF EXISTS {raw.relation}")
    return result


def _resolve(types: dict[str, str], origin: str) -> dict[str, str | None]:
    by_lower: dict[str, str] = {}
    for name in types:
        by_lower.setdefault(name.lower(), name)
    sources = {
        c.name: c.name if c.name in types else by_lower.get(c.name) for c in AGGREGATES.columns
    }
    missing = [c for c in AGGREGATES.required_columns if sources[c] is None]
    if missing:
        names = ", ".join(f'"{m}"' for m in missing)
        found = ", ".join(c for c in types if c != ROW)
        raise DataError(
            f"{origin} has no column {names}, which the aggregate table needs. Columns "
            f'found: {found}. Add or rename the columns (docs/data.md, "The aggregate '
            'table", lists every column).',
            file=origin,
            column=missing[0],
        )
    return sources


def _accepted_sql(parsed: str, origin: str | None) -> str:
    """The accepted rows, codes normalised, ``pct_base`` defaulted from the scheme."""
    scheme_base = " ".join(
        f"WHEN {literal(s.id)} THEN {literal(s.pct_base)}" for s in SCHEMES.values()
    )
    normal = {
        "entity_type": 'lower("entity_type")',
        "entity_id": "CASE WHEN lower(\"entity_type\") = 'state' THEN 'STATE' "
        'ELSE "entity_id" END',
        "district_id": 'CASE WHEN lower("entity_type") <> \'state\' THEN "district_id" END',
        "grade": 'upper("grade")',
        "levels_scheme": 'lower("levels_scheme")',
        "pct_base": f'coalesce(lower("pct_base"), CASE lower("levels_scheme") {scheme_base} END)',
    }
    if origin:
        normal["source_file"] = f'coalesce("source_file", {literal(origin)})'
        normal["source_row"] = f'coalesce("source_row", {ROW})'
    cols = [f"{normal.get(c, q(c))} AS {q(c)}" for c in AGGREGATES.column_names]
    return f"SELECT {', '.join(cols)}, {ROW} FROM {parsed} WHERE {FAIL} IS NULL"


def _reject_duplicates(con: duckdb.DuckDBPyConnection, rejected: str) -> None:
    """Reject every row whose key an earlier accepted row has; the message names that row."""
    keys = ", ".join(q(k) for k in KEY)
    key = ", ".join(KEY)
    value = "concat_ws(', ', " + ", ".join(f"CAST({q(k)} AS VARCHAR)" for k in KEY) + ")"
    con.execute(f"""
        INSERT INTO {rejected}
        SELECT {ROW}, source_file, source_row, {literal(key)}, {value}, 'duplicate',
            'same {key} as ' || first_file || ' row ' || first_row
            || '; keep one row per {key}'
        FROM (
            SELECT *, first_value(source_file) OVER w AS first_file,
                first_value(source_row) OVER w AS first_row,
                row_number() OVER w AS nth
            FROM aggregates WINDOW w AS (PARTITION BY {keys} ORDER BY {ROW})
        ) WHERE nth > 1
    """)
    con.execute(
        f"DELETE FROM aggregates WHERE {ROW} IN "
        f"(SELECT {ROW} FROM {rejected} WHERE rule = 'duplicate')"
    )


def _summaries(
    con: duckdb.DuckDBPyConnection, relation: str, rejected: str, origin: str | None
) -> tuple[AggregateSummary, ...]:
    file_sql = literal(origin) if origin else "source_file"
    rows = con.execute(f"""
        SELECT {file_sql} AS file, count(*) AS read,
            count(*) FILTER (WHERE {ROW} IN (SELECT {ROW} FROM {rejected})) AS bad
        FROM {relation} GROUP BY file ORDER BY min({ROW})
    """).fetchall()
    return tuple(AggregateSummary(f, n, n - bad, bad) for f, n, bad in rows)


def _with_malformed(result: AggregateValidation, raw: RawTable) -> AggregateValidation:
    n = len(raw.malformed)
    extra = pa.table(
        {
            "source_file": pa.array([raw.path.name] * n, pa.string()),
            "source_row": pa.array([m.row for m in raw.malformed], pa.int64()),
            "column": pa.array([""] * n, pa.string()),
            "value": pa.array([m.text for m in raw.malformed], pa.string()),
            "rule": pa.array(["malformed_row"] * n, pa.string()),
            "message": pa.array(
                [
                    MALFORMED_MESSAGE.format(values=m.n_values, columns=m.n_columns)
                    for m in raw.malformed
                ],
                pa.string(),
            ),
        }
    )
    rejected = pa.concat_tables([result.rejected.cast(extra.schema), extra])
    rejected = rejected.sort_by("source_row")
    counts = {**result.rejected_counts, "malformed_row": n}
    s = result.summaries[0] if result.summaries else AggregateSummary(raw.path.name, 0, 0, 0)
    summary = AggregateSummary(s.file, s.read + n, s.accepted, s.rejected + n)
    return AggregateValidation(result.con, (summary,), rejected, counts)


def _write_with_originals(
    con: duckdb.DuckDBPyConnection, raw: RawTable, rejected: pa.Table, path: Path
) -> None:
    taken = {c.lower() for c in REJECTED_COLUMNS}
    original = []
    for name in raw.columns:
        alias = f"original_{name}" if name.lower() in taken else name
        taken.add(alias.lower())
        original.append(f"o.{q(name)} AS {q(alias)}")
    con.register("__kit_rejected_rows", rejected)
    try:
        fixed = ", ".join(f"r.{q(c)}" for c in REJECTED_COLUMNS)
        con.execute(
            f"COPY (SELECT {fixed}, {', '.join(original)} FROM __kit_rejected_rows r "
            f"LEFT JOIN {raw.relation} o ON o.{ROW} = r.source_row ORDER BY r.source_row) "
            f"TO {literal(str(path))} (FORMAT csv, HEADER)"
        )
    except duckdb.IOException as error:
        raise DataError(
            f"The rejected rows could not be written to {path} ({str(error).splitlines()[0]})."
            " Choose a folder you can write to.",
            file=str(path),
        ) from None
    finally:
        con.unregister("__kit_rejected_rows")
