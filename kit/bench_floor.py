"""The floor of a state build: the steps no build of this design can skip, each timed alone.

``make bench`` runs :func:`measure_floor` after the state build, on the same input and the
facts store that build wrote, and prints it beside the build's phases (issue 16: "where the
time goes now and what the floor is"). Each step is the least work of its kind:

- **read**: the input files into DuckDB tables, with no check at all;
- **item sums**: the one pass over every response, each expanded to its student's groups
  and summed by item x school x group: the kit's own SQL (:mod:`kit.metrics.items`), and
  the same pass keeping only two sums (n and points), which any per-group item statistic
  needs;
- **write**: the finished store's tables copied into a new file (compressing and writing
  the bytes; a smaller store writes faster).

Wall and process CPU seconds are both given: on a busy machine CPU is the steadier figure.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import duckdb

from kit._sql import ident, literal
from kit.build import duckdb_config
from kit.data.readers import find_tables
from kit.metrics import items as item_pass

_READERS = {".parquet": "read_parquet", ".csv": "read_csv_auto"}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _bare_sums_sql() -> str:
    """The response x group pass with two sums only: its join, expansion and grouping."""
    return """
    SELECT s.entity_no, i.item_no, g AS grp, count(*) AS n, sum(r.points) AS sx
    FROM item_responses r
    JOIN _item_students s USING (year, student_id, subject, grade)
    JOIN _item_items i USING (year, subject, grade, item_id), unnest(s.groups) AS u(g)
    GROUP BY ALL
    """


def measure_floor(data_dir: str | Path, facts: str | Path, scratch: str | Path) -> dict:
    """Time the floor steps on ``data_dir`` (the build's input) and ``facts`` (its store).

    ``scratch`` is a file path for the copy of the store (removed afterwards). Returns the
    steps (name, wall and CPU seconds) and the store's size; :func:`floor_lines` prints it.
    """
    con = duckdb.connect(config=duckdb_config())
    con.execute("SET enable_progress_bar = false")
    steps: list[dict] = []

    def timed(name: str, run) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        run()
        steps.append(
            {
                "step": name,
                "wall": round(time.perf_counter() - wall, 1),
                "cpu": round(_cpu() - cpu, 1),
            }
        )

    paths = find_tables(Path(data_dir))

    def read() -> None:
        for table in ("students", "assessments", "items", "item_responses"):
            path = paths[table]
            reader = _READERS.get(path.suffix.lower(), "read_csv_auto")
            con.execute(
                f"CREATE TABLE {ident(table)} AS SELECT * FROM {reader}({literal(str(path))})"
            )

    def stage() -> None:
        for name, sql in (
            ("_item_items", item_pass.items_sql()),
            ("_item_students", item_pass.students_sql()),
        ):
            con.execute(f"CREATE TEMP TABLE {name} AS {sql}")

    def sums() -> None:
        subjects = [
            r[0] for r in con.execute("SELECT DISTINCT subject FROM _item_items").fetchall()
        ]
        for subject in subjects:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _sums AS {item_pass.school_sums_sql(subject)}"
            )

    def bare() -> None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _bare AS {_bare_sums_sql()}")

    scratch = Path(scratch)

    def write() -> None:
        for leftover in (scratch, Path(f"{scratch}.wal")):
            leftover.unlink(missing_ok=True)
        with duckdb.connect(str(scratch)) as out:
            out.execute("SET enable_progress_bar = false")
            out.execute(f"ATTACH {literal(str(facts))} AS src (READ_ONLY)")
            tables = out.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src'"
            ).fetchall()
            for (table,) in tables:
                out.execute(f"CREATE TABLE {ident(table)} AS SELECT * FROM src.{ident(table)}")
            out.execute("CHECKPOINT")

    timed("read the input files (no checks)", read)
    timed("item pass: students' totals and groups", stage)
    timed("item pass: responses x groups, the kit's 25 sums", sums)
    timed("item pass: responses x groups, 2 sums", bare)
    (response_group_rows,) = con.execute(
        "SELECT count(*) FROM item_responses r "
        "JOIN _item_students s USING (year, student_id, subject, grade), unnest(s.groups)"
    ).fetchall()[0]
    con.close()
    timed("write: the finished store copied to a new file", write)
    copy_mb = round(scratch.stat().st_size / 1e6)
    scratch.unlink(missing_ok=True)
    return {
        "steps": steps,
        "response_group_rows": response_group_rows,
        "facts_mb": round(Path(facts).stat().st_size / 1e6),
        "copy_mb": copy_mb,
        "cpus": os.cpu_count(),
    }


def floor_wall(floor: dict) -> float:
    """Seconds of the floor: read + the 25-sum pass + write (the 2-sum pass is a comparison)."""
    return round(sum(s["wall"] for s in floor["steps"] if "2 sums" not in s["step"]), 1)


def floor_lines(floor: dict) -> list[str]:
    """The floor as ``make bench`` prints it."""
    lines = [f"  {s['step']:52} wall {s['wall']:>5} s  CPU {s['cpu']:>5} s" for s in floor["steps"]]
    lines.append(
        f"  {floor['response_group_rows']:,} response x group rows summed; the store copied "
        f"is {floor['copy_mb']} MB"
    )
    lines.append(f"  floor (read + 25-sum pass + write): {floor_wall(floor)} s wall")
    return lines
