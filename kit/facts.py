"""Write and read the facts store (CONTRACT.md section 3): one DuckDB file.

The build writes every table at once into a temporary file that replaces the target only
when complete, so a reader never sees half a store. Notebooks open it read-only through
:func:`read_facts` and ask for one entity's rows; the store is never re-derived per report.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from kit._sql import ident, literal
from kit.errors import FactsError, ParameterError

# Tables whose rows are the same for every report on a store (the framework as applied, the
# build's record): :meth:`Facts.table` reads them through :meth:`Facts.store_sql`.
STORE_WIDE = frozenset(
    {"runs", "index_models", "accountability_rules", "levels", "groups", "state_rules"}
)

REQUIRED_TABLES = (
    "runs",
    "entities",
    "groups",
    "index_models",
    "performance",
    "level_counts",
    "index_scores",
)


def relations(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Names of the tables and views of the store open on ``con`` (a reader does not tell
    them apart: some tables are stored as views, see :func:`write_facts`)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() UNION "
        "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return frozenset(r[0] for r in rows)


def write_facts(
    path: str | Path,
    frames: dict[str, pd.DataFrame],
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    queries: dict[str, str] | None = None,
    views: dict[str, str] | None = None,
) -> Path:
    """Write a new facts store at ``path`` atomically.

    ``frames`` are small tables given as DataFrames; ``queries`` are large tables given as
    SQL run on ``con``, so their rows go from DuckDB to the file without passing through
    Python. ``views`` are tables a reader sees but the file stores as a view over other
    tables of the store (SQL naming only the store's tables): figures derivable cheaply
    from stored sufficient statistics when a report reads them (docs/metrics.md, "What the
    store keeps"). The file replaces ``path`` only once every table is written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # duckdb wants to create the file itself
    own = con is None
    con = con or duckdb.connect()
    try:
        con.execute(f"ATTACH {literal(tmp)} AS _facts")
        try:
            for name, frame in frames.items():
                con.register("_frame", frame)
                con.execute(f"CREATE TABLE _facts.{ident(name)} AS SELECT * FROM _frame")
                con.unregister("_frame")
            for name, sql in (queries or {}).items():
                con.execute(f"CREATE TABLE _facts.{ident(name)} AS {sql}")
            for name, sql in (views or {}).items():
                con.execute(f"CREATE VIEW _facts.{ident(name)} AS {sql}")
        finally:
            con.execute("DETACH _facts")
        os.replace(tmp, path)
    finally:
        if own:
            con.close()
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


def _project_folders(start: Path) -> list[Path]:
    """Folders above ``start`` that look like the kit's project folder (they hold
    ``pyproject.toml`` or an ``output/`` folder), nearest first."""
    return [p for p in start.parents if (p / "pyproject.toml").is_file() or (p / "output").is_dir()]


def facts_path_candidates(path: str | Path) -> list[Path]:
    """Where a facts path is looked for: as given when absolute; else against the current
    folder, then against the project folder above it (a notebook's kernel starts in
    ``notebooks/``, papermill and the command line usually in the project folder)."""
    path = Path(path).expanduser()
    if path.is_absolute():
        return [path]
    here = Path.cwd()
    tried = [here / path] + [folder / path for folder in _project_folders(here)[:1]]
    return list(dict.fromkeys(tried))


def resolve_facts_path(path: str | Path) -> Path:
    """The facts store ``path`` names (see :func:`facts_path_candidates`).

    Raises
    ------
    FactsError
        When no candidate is a file: the message names every absolute path tried and the
        current folder.
    """
    tried = facts_path_candidates(path)
    for candidate in tried:
        if candidate.is_file():
            return candidate
    where = " and ".join(str(t) for t in tried)
    build_to = tried[-1]
    raise FactsError(
        f"No facts store at {path}: looked for {where} (the current folder is {Path.cwd()}).",
        fix=f"Build it first with kit build DATA_DIR --out {build_to} (make demo builds the "
        "demo's), or set facts_path to the absolute path of an existing store.",
    )


_OPEN: dict[tuple, tuple[duckdb.DuckDBPyConnection, frozenset, dict]] = {}
_MAX_OPEN = 4


def _connect(path: Path) -> tuple[duckdb.DuckDBPyConnection, frozenset, dict]:
    """A read-only connection to ``path``, its table names and the store-wide answers read
    so far (:meth:`Facts.store_sql`), shared within the process.

    A batch worker renders report after report from the same store: opening it once saves
    the connection and catalogue queries per report. The key includes the file's size and
    modification time, so a rebuilt store is opened afresh (and the old one closed, its
    answers with it).
    """
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _OPEN:
        # A store rebuilt at the same path: close the connections to the old file first.
        # DuckDB keeps one database per path in a process, so a connection left open would
        # make the new one read the old, replaced file (a warm kernel or a Dask worker
        # rendering the next batch after a rebuild showed the old figures).
        for stale in [k for k in _OPEN if k[0] == key[0]]:
            _OPEN.pop(stale)[0].close()
        # A report reads only its entity's rows; the cap keeps DuckDB's page cache from
        # growing towards its default of 80 % of RAM in every worker's kernel. 256 MB: a
        # state batch's kernel peaks near 500 MB with it (1.3 GB with 1 GB) and its report
        # queries take the same CPU time (docs/performance.md).
        limit = os.environ.get("KIT_READ_MEMORY_LIMIT", "256MB")
        try:
            # The limit is SET after connecting, not given as config: DuckDB refuses a second
            # connection to the same file with another config in one process (kit reconcile,
            # a notebook's own duckdb.connect), and a SET applies to them all alike.
            con = duckdb.connect(str(path), read_only=True)
            con.execute(f"SET memory_limit = {literal(limit)}")
        except duckdb.Error as exc:
            if "memory" in str(exc).lower():
                raise FactsError(
                    f"KIT_READ_MEMORY_LIMIT={limit!r} is not a memory size DuckDB accepts.",
                    fix="Use a size such as 512MB or 2GB, or unset it (default 256MB).",
                ) from None
            raise FactsError(f"{path} is not a readable facts store: {exc}") from None
        tables = relations(con)
        while len(_OPEN) >= _MAX_OPEN:
            _OPEN.pop(next(iter(_OPEN)))[0].close()
        _OPEN[key] = (con, tables, {})
    return _OPEN[key]


class Facts:
    """A read-only view of one facts store.

    Parameters
    ----------
    path
        The DuckDB file written by ``kit build``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = resolve_facts_path(path)
        shared, present, self._store_answers = _connect(self.path)
        self.con = shared.cursor()  # its own cursor over the shared, read-only database
        missing = [t for t in REQUIRED_TABLES if t not in present]
        if missing:
            raise FactsError(
                f"{self.path} lacks the table(s) {', '.join(missing)}: it was built by another "
                "version of the kit or is not a facts store.",
                fix="Rebuild it with kit build.",
            )
        self.tables = sorted(present)
        self._kept: dict[tuple, pd.DataFrame] = {}

    def close(self) -> None:
        self.con.close()  # the cursor; the shared connection stays open for the next report

    def __enter__(self) -> Facts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        """Run a read-only SQL query against the store."""
        return self.con.execute(query, params or []).df()

    def store_sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        """:meth:`sql` for a query whose answer is the same for every report on the store (a
        framework table, the build's record, the years): run once per store opened and kept
        with its connection, each caller given its own copy. A warm kernel renders
        thousands of reports from one store; these queries were a tenth of a report's.
        Never for a query about one entity: its figures must come from the store each time.
        """
        key = (query, tuple(params or ()))
        answer = self._store_answers.get(key)
        if answer is None:
            answer = self._store_answers[key] = self.sql(query, params)
        return answer.copy()

    def kept_sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        """:meth:`sql` run once for this ``Facts`` (one report) and kept: for an entity's
        rows that several views of a report read and filter each in its own way. Each
        caller gets its own copy."""
        key = (query, tuple(params or ()))
        answer = self._kept.get(key)
        if answer is None:
            answer = self._kept[key] = self.sql(query, params)
        return answer.copy()

    def table(self, name: str, **filters) -> pd.DataFrame:
        """Rows of one table where each ``column=value`` filter holds (lists mean IN).
        A table of :data:`STORE_WIDE` is read through :meth:`store_sql`."""
        if name not in self.tables:
            raise FactsError(
                f"The facts store has no table {name!r}; it has {', '.join(self.tables)}."
            )
        where, params = [], []
        for col, val in filters.items():
            if val is None:
                continue
            if isinstance(val, list | tuple | set):
                vals = list(val)
                where.append(f"{ident(col)} IN ({', '.join('?' * len(vals))})")
                params += vals
            else:
                where.append(f"{ident(col)} = ?")
                params.append(val)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        read = self.store_sql if name in STORE_WIDE else self.sql
        return read(f"SELECT * FROM {ident(name)}{clause}", params)

    def columns(self, name: str) -> list[str]:
        """The column names of one table (empty when the store has no such table)."""
        if name not in self.tables:
            return []
        by_table = self._store_answers.get(("columns",))
        if by_table is None:  # every table's columns in one query, once per store opened
            by_table = {}
            for table, column in self.con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
            ).fetchall():
                by_table.setdefault(table, []).append(column)
            self._store_answers[("columns",)] = by_table
        return list(by_table.get(name, []))

    def run(self) -> dict:
        """The latest build's provenance (kit version, framework, input hashes, counts)."""
        row = (
            self.store_sql("SELECT * FROM runs ORDER BY finished_at DESC LIMIT 1").iloc[0].to_dict()
        )
        for key in ("input_hashes", "row_counts", "parameters", "framework_unverified"):
            if isinstance(row.get(key), str):
                row[key] = json.loads(row[key])
        return row

    def applied_framework(self) -> dict:
        """The framework as the build applied it (``runs.framework_json``), as plain data.

        Reports take every rule from here (or from the tables derived from it), never by
        loading the framework again: a user's own file may have moved or changed since.

        Raises
        ------
        FactsError
            When the store was built by a kit that did not record it.
        """
        text = self.run().get("framework_json")
        if not isinstance(text, str):
            raise FactsError(
                f"{self.path} does not record the framework its build applied (it was built "
                "by an older kit).",
                fix="Run kit build again to rebuild the facts store.",
            )
        return json.loads(text)

    @property
    def framework(self) -> str:
        return str(self.run()["framework"])

    def years(self) -> list[int]:
        return [
            int(y)
            for y in self.store_sql("SELECT DISTINCT year FROM entities ORDER BY year")["year"]
        ]

    def latest_year(self) -> int:
        years = self.years()
        if not years:
            raise FactsError(
                f"The facts store {self.path} holds no school or district: every student row "
                "was rejected when it was built, or it was built from empty tables.",
                fix="Run kit validate on the data folder, fix what it reports, and run kit build "
                "again.",
            )
        return years[-1]

    def check_year(self, year: int) -> int:
        """``year`` as an int if the store has it; else a ParameterError naming the years."""
        years = self.years()
        if int(year) not in years:
            raise ParameterError(
                f"No year {year} in the facts store {self.path.name}; it has "
                f"{', '.join(map(str, years)) or 'no year at all'}.",
                fix="Set year to one of these, or to None for the latest.",
            )
        return int(year)

    def entity(self, entity_id: str, year: int | None = None) -> dict:
        """The entity's row of ``entities`` (type, name, district) for the year."""
        year = self.check_year(year) if year else self.latest_year()
        rows = self.table("entities", entity_id=entity_id, year=year)
        if rows.empty:
            known = self.sql(
                "SELECT entity_id FROM entities WHERE year = ? AND entity_type = 'school' "
                "ORDER BY entity_id LIMIT 8",
                [year],
            )["entity_id"].tolist()
            raise ParameterError(
                f"No entity {entity_id!r} in the facts for {year}. Schools include: "
                f"{', '.join(known)}."
            )
        return rows.iloc[0].to_dict()

    def schools(self, year: int | None = None, district_id: str | None = None) -> pd.DataFrame:
        """Schools of the year (optionally of one district), ordered by id."""
        year = year or self.latest_year()
        rows = self.table("entities", year=year, entity_type="school", district_id=district_id)
        return rows.sort_values("entity_id").reset_index(drop=True)

    def districts(self, year: int | None = None) -> pd.DataFrame:
        year = year or self.latest_year()
        rows = self.store_sql(  # the same for every report on the store
            "SELECT * FROM entities WHERE year = ? AND entity_type = 'district'", [year]
        )
        return rows.sort_values("entity_id").reset_index(drop=True)


def read_facts(path: str | Path = "output/facts.duckdb") -> Facts:
    """Open a facts store read-only (what every notebook does first).

    Parameters
    ----------
    path
        The store ``kit build`` wrote; a relative path is looked for from the current folder,
        then from the project folder above it.

    Returns
    -------
    Facts
        The open store; use it in a ``with`` block, or let the process end.

    Examples
    --------
    >>> with read_facts(facts_path) as facts:
    ...     facts.latest_year(), sorted(facts.schools()["entity_id"])[:2]
    (2024, ['D01S01', 'D01S02'])
    """
    return Facts(path)


def check_store_path(out: str | Path) -> Path:
    """The facts store's path for ``kit build --out``: a file whose name ends in ``.duckdb``.

    Raises
    ------
    ParameterError
        When ``out`` is a folder or lacks the suffix: ``kit build --out output`` once wrote
        a database named ``output`` that the next ``kit batch --out output`` tripped on.
    """
    out = Path(out)
    example = out / "facts.duckdb"
    if out.is_dir():
        raise ParameterError(
            f"{out} is a folder; kit build --out takes the facts store's file name, ending in "
            ".duckdb.",
            fix=f"Use --out {example} (kit batch --out then takes the folder {out}).",
        )
    if out.suffix.lower() != ".duckdb":
        raise ParameterError(
            f"The facts store {out} does not end in .duckdb; kit build --out takes the store's "
            "file name, so that it is never mistaken for the output folder.",
            fix=f"Use --out {example} or --out {out.with_suffix('.duckdb')}.",
        )
    return out
