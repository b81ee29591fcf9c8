"""The common end of the aggregate importers: check the rows, write ``aggregates.csv``.

An importer (``ma_mcas``, ``oh_pi``) turns each state file into rows of the aggregate
table as text, rejecting what it cannot place (a row without a readable school code, an
unknown group label). The rows of every file then pass the aggregate table's own checks
(:func:`kit.data.aggregates.check_aggregates`: types, codes, ranges, counts against n,
duplicates across files), so that ``aggregates.csv`` holds only rows ``kit build`` accepts,
and the rejected rows of both stages go to ``rejected/aggregates.csv`` naming the state
file, its row and its column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from kit.data.aggregates import AGGREGATES, SCHEMES, check_aggregates, output_columns
from kit.data.importers._common import (
    REJECTED_COLUMNS,
    TEXT,
    FileSummary,
    ImportResult,
    write_rejected,
)
from kit.data.readers import ROW
from kit.data.sql import literal, q

TABLE = "aggregates"


@dataclass
class ParsedFile:
    """One state file read into aggregate rows (all text) by an importer.

    ``rows`` has aggregate columns plus ``source_file`` and ``source_row``; ``rejected``
    the rows the importer could not place; ``read`` counts both (rows, or blocks of a wide
    layout); ``columns`` maps aggregate columns to the file's own, for messages.
    """

    path: Path
    layout: str
    rows: pd.DataFrame
    rejected: pd.DataFrame
    read: int
    columns: dict[str, str] = field(default_factory=dict)
    note: str = ""
    warnings: list[str] = field(default_factory=list)


def import_aggregate_files(
    source: str,
    files: Sequence[Path],
    out_dir: Path,
    parse: Callable[[Path], ParsedFile],
) -> ImportResult:
    """Parse every file with ``parse``, check the rows, write ``out_dir/aggregates.csv``."""
    parsed = [parse(Path(f)) for f in files]
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = [p.rows for p in parsed if len(p.rows)]
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*AGGREGATES.column_names])
    )
    table = pa.table(
        {
            **{
                c: _text(rows[c] if c in rows else [None] * len(rows))
                for c in AGGREGATES.column_names
            },
            ROW: pa.array(range(len(rows)), pa.int64()),
        }
    )
    with duckdb.connect() as con:
        con.register("__kit_import_rows", table)
        types = {c: "VARCHAR" for c in AGGREGATES.column_names}
        types[ROW] = "BIGINT"
        checked = check_aggregates(con, "__kit_import_rows", types)
        used = con.execute("SELECT DISTINCT levels_scheme FROM aggregates").fetchall()
        n_levels = max([SCHEMES[s].n_levels for (s,) in used] or [4])
        cols = ", ".join(q(c) for c in output_columns(n_levels))
        path = out_dir / f"{TABLE}.csv"
        con.execute(
            f"COPY (SELECT {cols} FROM aggregates ORDER BY source_file, source_row, subject, "
            f'grade, "group") TO {literal(str(path))} (FORMAT csv, HEADER)'
        )
        written = con.execute("SELECT count(*) FROM aggregates").fetchone()[0]
        imported = dict(
            con.execute(
                "SELECT source_file, count(*) FROM aggregates GROUP BY source_file"
            ).fetchall()
        )
    late = checked.rejected.to_pandas()
    late = _in_file_terms(late, {p.path.name: p.columns for p in parsed})
    rejected = pd.concat(
        [p.rejected for p in parsed if len(p.rejected)] + [late], ignore_index=True
    )[list(REJECTED_COLUMNS)]
    write_rejected(rejected, out_dir, TABLE)
    bad = rejected.groupby("source_file").size().to_dict() if len(rejected) else {}
    summaries = []
    for p in parsed:
        name = p.path.name
        summary = FileSummary(
            name, p.layout, p.read, imported.get(name, 0), bad.get(name, 0), p.note
        )
        if summary.read != summary.imported + summary.rejected:
            raise RuntimeError(f"kit bug: rows of {name} lost in import: {summary}")
        summaries.append(summary)
    counts = rejected.groupby("rule").size().to_dict() if len(rejected) else {}
    return ImportResult(
        source=source,
        out_dir=str(out_dir),
        files=tuple(summaries),
        tables={TABLE: int(written)},
        rejected_counts={f"{TABLE}.{rule}": int(n) for rule, n in sorted(counts.items())},
        warnings=tuple(w for p in parsed for w in p.warnings),
    )


def _text(values) -> pa.Array:
    return pa.Array.from_pandas(pd.Series(values, dtype=object).astype(TEXT))


def _in_file_terms(rejected: pd.DataFrame, columns: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Name the state file's column beside the aggregate column it fed."""
    if rejected.empty:
        return rejected

    def translate(row) -> pd.Series:
        own = columns.get(row["source_file"], {}).get(row["column"])
        if own is None:
            return pd.Series([row["column"], row["message"]])
        message = row["message"]
        if message.startswith(row["column"] + " "):
            message = f"{own} ({row['column']}){message[len(row['column']) :]}"
        return pd.Series([own, message])

    out = rejected.copy()
    out[["column", "message"]] = rejected.apply(translate, axis=1)
    return out
