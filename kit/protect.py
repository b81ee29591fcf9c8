"""Disclosure control for the whole facts store: decide once, at build time, what reports hide.

Reports are published together (every school's and the district's), so what one shows and
another hides must be decided together: a school's hidden group could otherwise be worked
out from the district's figure minus the other schools'. The build therefore decides, for
every cell of every entity at once, with :func:`kit.metrics.suppression.protect`, and
stores the decision beside the figures:

=============  ==========================================  ===========================
family         cells (one per ...)                         decision stored in
=============  ==========================================  ===========================
results        year x entity x subject x grade x group     ``performance.suppressed``,
               (accountable tested, tested, enrolled)      ``suppression_reason``,
                                                           ``protects``; followed by
                                                           ``index_scores`` and every
                                                           view of level counts, AYP,
                                                           goals, gaps and rankings
items          year x entity x subject x grade (test) x    ``reliability`` (the same
               group (students who took the test)          columns); followed by
                                                           ``item_stats``,
                                                           ``item_options``,
                                                           ``standard_stats``
enrolment      year x entity x crosstab combination        ``crosstab``
=============  ==========================================  ===========================

:func:`audit_facts` re-reads a facts store and performs the reader's subtraction closure on
every family, listing any cell of fewer than the minimum students that could be worked out
(``kit audit``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd

from kit.errors import FactsError
from kit.facts import read_facts, relations
from kit.metrics.cells import CellSystem, crosstab_cells, group_cells
from kit.metrics.suppression import audit, protect

RESULT_SIZES = ("n_fay_tested", "n_tested", "n_enrolled")
#: Groups whose results a report may show grade by grade. Reports show group results for all
#: grades together; by grade, only all students. The other groups' grade rows stay hidden
#: ("unpublished"), so protecting them never costs a figure that reports do show.
GRADE_GROUPS = ("all",)
ITEM_SIZES = ("n_students", "n")
KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]
_KEY_SQL = ", ".join(f'"{k}"' for k in KEYS)


def parents_frame(entities: pd.DataFrame) -> pd.DataFrame:
    """``entity_id`` -> ``parent_id``: a school's district, a district's state (``STATE``)."""
    ent = entities[["entity_type", "entity_id", "district_id"]].drop_duplicates(
        ["entity_type", "entity_id"]
    )
    schools = ent[ent["entity_type"] == "school"]
    districts = ent[ent["entity_type"] == "district"]
    return pd.concat(
        [
            pd.DataFrame({"entity_id": schools["entity_id"], "parent_id": schools["district_id"]}),
            pd.DataFrame({"entity_id": districts["entity_id"], "parent_id": "STATE"}),
        ],
        ignore_index=True,
    )


def _by_system(rows: pd.DataFrame, system_cols: Sequence[str], decide) -> pd.DataFrame:
    """Run ``decide`` on each independent system (no sum crosses ``system_cols``)."""
    parts = [decide(sub) for _, sub in rows.groupby(list(system_cols), sort=True)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def result_systems(
    perf: pd.DataFrame, parents: pd.DataFrame, apart: pd.DataFrame | None = None
) -> Iterator[tuple[str, pd.DataFrame, CellSystem]]:
    """The independent systems of the ``performance`` cells: (label, rows, system).

    From student data: one system per year and subject, holding the groups of each entity
    and grade, the schools of each district and the districts of the state, and each
    entity's grades (the all-grades row is the sum of the grade rows; by grade only all
    students are published, :data:`GRADE_GROUPS`).

    From a state's published results (``apart`` given: ``year, subject, grade`` of the
    grades that are not parts of the all-grades row, e.g. grade 10 beside a 3-8 span): the
    kit's minimum n applies to every published row, and what the kit adds is protected -
    its sums (a district of its schools, the state of its districts, ALL of the grades)
    must not give a hidden row away. The sums *between groups* (a partition's rest, a
    group's complement) are left out: each of their terms is a row of the state's own
    public file, so hiding one in the reports could not keep it from a reader, and the
    students in no published group are the state's to protect (its own suppression). One
    system per year x subject x group; grades named in ``apart`` form systems of their own.
    """
    if apart is None:
        for key, sub in perf.groupby(["year", "subject"], sort=True):
            yield (
                f"results {key}",
                sub,
                group_cells(
                    sub,
                    size_cols=RESULT_SIZES,
                    parents=parents,
                    system_cols=("year", "subject"),
                    grade_col="grade",
                    grade_total="ALL",
                    grade_groups=GRADE_GROUPS,
                ),
            )
        return
    key = ["year", "subject", "grade"]
    flag = perf[key].merge(apart[key].drop_duplicates().assign(_apart=True), on=key, how="left")
    is_apart = flag["_apart"].fillna(False).astype(bool).to_numpy()
    rows = perf.assign(_sys_group=perf["group"])
    for grades, part, by in (
        (True, rows[~is_apart], ["year", "subject", "_sys_group"]),
        (False, rows[is_apart], ["year", "subject", "grade", "_sys_group"]),
    ):
        for k, sub in part.groupby(by, sort=True):
            system = group_cells(
                sub,
                size_cols=RESULT_SIZES,
                parents=parents,
                system_cols=("year", "subject", "_sys_group") + (() if grades else ("grade",)),
                grade_col="grade" if grades else None,
                grade_total="ALL",
            )
            yield f"results {k}", sub, system


def decide_results(
    perf: pd.DataFrame,
    parents: pd.DataFrame,
    min_n: int,
    apart: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Decisions for the ``performance`` cells (:func:`result_systems`): ``KEYS`` +
    ``suppressed``, ``suppression_reason``, ``protects``."""
    parts = []
    for _, sub, system in result_systems(perf, parents, apart):
        sizes = sub[list(RESULT_SIZES)].apply(pd.to_numeric).to_numpy("float64")
        if apart is not None and not ((sizes > 0) & (sizes < min_n)).any():
            # No published row of 1 to min_n - 1 students: nothing to hide or protect.
            parts.append(sub[KEYS].assign(suppressed=False, suppression_reason="", protects=""))
            continue
        parts.append(protect(system, min_n).frame(system))
    parts = [p[[*KEYS, "suppressed", "suppression_reason", "protects"]] for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def decide_items(tests: pd.DataFrame, parents: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Decisions for the item-analysis cells (``reliability`` rows: one per entity x test x
    group with ``n_students`` who took the test and ``n`` who answered every item).

    One system per test (year x subject x grade): groups and the hierarchy, as for
    results; a test's grade is not summed with other grades (tests differ).
    """

    def decide(sub: pd.DataFrame) -> pd.DataFrame:
        system = group_cells(
            sub,
            size_cols=ITEM_SIZES,
            parents=parents,
            system_cols=("year", "subject", "grade"),
            grade_col=None,
        )
        return protect(system, min_n).frame(system)

    out = _by_system(tests, ["year", "subject", "grade"], decide)
    return out[[*KEYS, "suppressed", "suppression_reason", "protects"]] if len(out) else out


def crosstab_dims(crosstab: pd.DataFrame) -> list[str]:
    """The group columns of a ``crosstab`` facts table (its dimensions)."""
    fixed = {*KEYS, "crosstab", "n", "suppressed", "suppression_reason", "protects"}
    return [c for c in crosstab.columns if c not in fixed]


def decide_crosstab(crosstab: pd.DataFrame, parents: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """The ``crosstab`` rows with ``suppressed``, ``suppression_reason``, ``protects``
    decided over every crosstab of each year (a margin shared by two crosstabs is one
    cell)."""
    if crosstab.empty:
        return crosstab.assign(suppression_reason="", protects="")
    dims = crosstab_dims(crosstab)

    def decide(sub: pd.DataFrame) -> pd.DataFrame:
        system = crosstab_cells(
            sub.drop(columns=["suppressed"], errors="ignore"), dims=dims, parents=parents
        )
        return protect(system, min_n).frame(system)

    decided = _by_system(crosstab, ["year"], decide)
    key = ["year", "entity_type", "entity_id", *dims]
    norm = crosstab.copy()
    for d in dims:
        norm[d] = norm[d].fillna("ALL").replace("", "ALL")
    dec = decided[[*key, "suppressed", "suppression_reason", "protects"]]
    for d in dims:
        dec[d] = dec[d].astype(str)
        norm[d] = norm[d].astype(str)
    out = norm.drop(columns=["suppressed"], errors="ignore").merge(dec, on=key, how="left")
    for d in dims:  # restore the NULL of a column that is not a dimension of its crosstab
        out[d] = crosstab[d].to_numpy()
    out["suppressed"] = out["suppressed"].fillna(True).astype(bool)
    return out


# --- the build's hooks ---------------------------------------------------------------------


def protect_results(
    con: duckdb.DuckDBPyConnection,
    *,
    min_n: int,
    perf: str = "perf",
    idx: str = "idx",
    apart: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Decide the results cells and write the decision into the temp tables ``perf`` and
    ``idx`` (``suppressed``, plus ``suppression_reason`` and ``protects`` in ``perf``).
    ``apart``: grades outside the all-grades row (:func:`decide_results`)."""
    rows = con.execute(f"SELECT {_KEY_SQL}, {', '.join(RESULT_SIZES)} FROM {perf}").df()
    parents = parents_frame(
        con.execute("SELECT DISTINCT entity_type, entity_id, district_id FROM counts").df()
    )
    dec = decide_results(rows, parents, min_n, apart)
    con.register("_decisions", dec)
    keys = _KEY_SQL
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {perf} AS
        SELECT p.* EXCLUDE (suppressed), coalesce(d.suppressed, TRUE) AS suppressed,
               coalesce(d.suppression_reason, 'small') AS suppression_reason,
               coalesce(d.protects, '') AS protects
        FROM {perf} p LEFT JOIN _decisions d USING ({keys})
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {idx} AS
        SELECT i.* REPLACE (coalesce(d.suppressed, TRUE) OR i.suppressed AS suppressed)
        FROM {idx} i LEFT JOIN _decisions d USING ({keys})
    """)
    con.unregister("_decisions")
    return dec


def protect_items(
    con: duckdb.DuckDBPyConnection, queries: dict[str, str], *, min_n: int
) -> dict[str, str]:
    """The item-analysis queries with the item cells' decision applied.

    ``reliability`` carries the decision (``suppressed``, ``suppression_reason``,
    ``protects``); ``item_stats``, ``item_option_sums`` (so ``item_options``) and
    ``standard_stats`` rows are hidden
    with their group's test, and item rows answered by fewer than ``min_n`` students are
    hidden as well.
    """
    if "reliability" not in queries:
        return queries
    tests = con.execute(
        f"SELECT {_KEY_SQL}, n + n_incomplete AS n_students, n FROM ({queries['reliability']})"
    ).df()
    parents = parents_frame(
        con.execute("SELECT DISTINCT entity_type, entity_id, district_id FROM counts").df()
    )
    dec = decide_items(tests, parents, min_n)
    con.register("_item_dec", dec)
    con.execute("CREATE OR REPLACE TEMP TABLE _item_decisions AS SELECT * FROM _item_dec")
    con.unregister("_item_dec")
    keys = _KEY_SQL
    out = dict(queries)
    out["reliability"] = f"""
        SELECT r.* EXCLUDE (suppressed), coalesce(d.suppressed, TRUE) AS suppressed,
               coalesce(d.suppression_reason, 'small') AS suppression_reason,
               coalesce(d.protects, '') AS protects
        FROM ({queries["reliability"]}) r LEFT JOIN _item_decisions d USING ({keys})
        ORDER BY {keys}
    """
    for name in ("item_stats", "item_option_sums", "standard_stats"):
        if name not in queries:
            continue
        out[name] = f"""
            SELECT t.* REPLACE (coalesce(d.suppressed, TRUE) OR t.suppressed AS suppressed)
            FROM ({queries[name]}) t LEFT JOIN _item_decisions d USING ({keys})
        """
    return out


# --- audit of a facts store ----------------------------------------------------------------


def _systems(con) -> list[tuple[str, CellSystem, np.ndarray, int]]:
    """(family, system, hidden, min_n) for every system of a facts store."""
    tables = relations(con)
    min_n = int(con.execute("SELECT reporting_min_n FROM runs").fetchone()[0])
    parents = parents_frame(
        con.execute("SELECT DISTINCT entity_type, entity_id, district_id FROM entities").df()
    )
    out = []
    perf = con.execute(
        f"SELECT {_KEY_SQL}, {', '.join(RESULT_SIZES)}, suppressed FROM performance"
    ).df()
    apart = None
    if "grade_coverage" in tables:  # built from a state's published results
        cov = con.execute("SELECT year, subject, grades_apart FROM grade_coverage").df()
        apart = pd.DataFrame(
            [
                {"year": r.year, "subject": r.subject, "grade": g.strip()}
                for r in cov.itertuples()
                for g in str(r.grades_apart or "").split(",")
                if g.strip()
            ],
            columns=["year", "subject", "grade"],
        )
    for label, sub, system in result_systems(perf, parents, apart):
        out.append((label, system, _hidden(system, sub), min_n))
    if "reliability" in tables:
        rel = con.execute(
            f"SELECT {_KEY_SQL}, n + n_incomplete AS n_students, n, suppressed FROM reliability"
        ).df()
        for key, sub in rel.groupby(["year", "subject", "grade"], sort=True):
            system = group_cells(
                sub,
                size_cols=ITEM_SIZES,
                parents=parents,
                system_cols=("year", "subject", "grade"),
                grade_col=None,
            )
            out.append((f"items {key}", system, _hidden(system, sub), min_n))
    if "crosstab" in tables:
        ct = con.execute("SELECT * FROM crosstab").df()
        dims = crosstab_dims(ct)
        for d in dims:
            ct[d] = ct[d].fillna("ALL")
        for key, sub in ct.groupby("year", sort=True):
            system = crosstab_cells(sub, dims=dims, parents=parents)
            cells = system.cells.merge(
                sub[["year", "entity_type", "entity_id", *dims, "suppressed"]].drop_duplicates(
                    ["year", "entity_type", "entity_id", *dims]
                ),
                on=["year", "entity_type", "entity_id", *dims],
                how="left",
                suffixes=("_x", ""),
            )
            hidden = cells["suppressed"].fillna(True).astype(bool).to_numpy()
            out.append((f"crosstab {key}", system, hidden, min_n))
    return out


def _hidden(system: CellSystem, rows: pd.DataFrame) -> np.ndarray:
    """The stored decision of each cell of ``system`` (a cell without a row: no students)."""
    keys = [k for k in KEYS if k in system.cells.columns]
    got = system.cells[keys].merge(rows[[*keys, "suppressed"]], on=keys, how="left")
    return got["suppressed"].fillna(False).astype(bool).to_numpy()


def audit_facts(facts_path: str) -> pd.DataFrame:
    """Every cell of fewer than the reporting minimum that a reader of all the reports built
    from ``facts_path`` could work out by subtraction (an empty frame when none)."""
    with read_facts(facts_path) as facts:
        if "suppression_reason" not in facts.columns("performance"):
            raise FactsError(
                f"{facts.path} was built by an older kit, before suppression was decided "
                "for the whole store.",
                fix="Run kit build again, then kit audit.",
            )
        systems = _systems(facts.con)
    found = [
        audit(system, hidden, min_n).assign(family=family)
        for family, system, hidden, min_n in systems
    ]
    found = [f for f in found if len(f)]
    return (
        pd.concat(found, ignore_index=True)
        if found
        else pd.DataFrame(columns=["family", "finding", "size", "via"])
    )
