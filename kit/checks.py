"""The state's numbers side by side with the kit's: the ``published_checks`` of a facts store.

``kit build`` on published results (``aggregates.csv``) writes ``published_checks``: every
figure the source published beside the same figure computed from the built facts
(:func:`kit.build_aggregates.published_checks`). :func:`reconcile_facts` reads it and sums
it up per measure; ``kit reconcile`` prints that and exits 1 when the *kit* disagrees with
the state beyond the tolerance.

Two kinds of disagreement are kept apart (docs/data.md, "Reconciliation"):

- **the kit's**: the facts give another figure than the state published while the state's
  own figures agree with each other. The kit is at fault: exit status 1.
- **the state's own** (``state_inconsistent``): the published figures disagree among
  themselves, whatever the kit does (DESE's 2022 high-school biology state row: the four
  level counts add to 55,496 and N is printed 55,498; legacy CPIs above what the counts
  allow, the MCAS-Alt effect). They are listed, named as the state's, and do not fail the
  check: the kit reproduces the state's figures as far as they agree with each other.

Rows the importer could not read (DESE's ``15,01``) never reach the facts; the build keeps
them as ``import_rejected`` and :func:`reconcile_facts` lists them as unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kit.errors import FactsError
from kit.facts import read_facts

KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]


@dataclass(frozen=True)
class MeasureSummary:
    """One measure's checks: how many, how many agree, and the disagreements by kind."""

    measure: str
    checked: int
    agree: int
    state_inconsistent: int
    kit_disagrees: int
    max_abs_difference: float
    tolerance: float

    def to_dict(self) -> dict:
        return {
            "measure": self.measure,
            "checked": self.checked,
            "agree": self.agree,
            "state_inconsistent": self.state_inconsistent,
            "kit_disagrees": self.kit_disagrees,
            "max_abs_difference": self.max_abs_difference,
            "tolerance": self.tolerance,
        }


@dataclass(frozen=True)
class Reconciliation:
    """What :func:`reconcile_facts` found.

    Attributes
    ----------
    facts
        The facts store read.
    measures
        One summary per measure, in the order of the table.
    worst
        The rows furthest outside their tolerance (every disagreement first, then the
        largest differences), at most ``limit`` per measure.
    checks
        Every row of ``published_checks``.
    rejected_at_import
        Rows of the state's files that ``kit import`` rejected (never checked), or empty.
    """

    facts: str
    measures: tuple[MeasureSummary, ...]
    worst: pd.DataFrame
    checks: pd.DataFrame = field(repr=False)
    rejected_at_import: pd.DataFrame = field(repr=False)

    @property
    def kit_disagrees(self) -> int:
        return sum(m.kit_disagrees for m in self.measures)

    @property
    def state_inconsistent(self) -> int:
        return sum(m.state_inconsistent for m in self.measures)

    @property
    def checked(self) -> int:
        return sum(m.checked for m in self.measures)

    @property
    def agree(self) -> int:
        return sum(m.agree for m in self.measures)

    @property
    def exit_code(self) -> int:
        """1 when the kit's facts disagree with the state's figures beyond tolerance; the
        state's own inconsistencies (and rows rejected at import) do not count."""
        return 1 if self.kit_disagrees else 0

    def to_dict(self) -> dict:
        return {
            "facts": self.facts,
            "checked": self.checked,
            "agree": self.agree,
            "state_inconsistent": self.state_inconsistent,
            "kit_disagrees": self.kit_disagrees,
            "rejected_at_import": len(self.rejected_at_import),
            "measures": [m.to_dict() for m in self.measures],
            "exit_code": self.exit_code,
        }


def read_published_checks(facts_path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``published_checks`` and ``import_rejected`` tables of a facts store.

    Raises
    ------
    FactsError
        If the store is missing, or was built from student records (no published figures).
    """
    path = Path(facts_path)
    if not path.is_file():
        raise FactsError(
            f"No facts store at {path}.",
            fix="Build it first: kit build DATA_DIR --out " + str(path),
        )
    # through kit.facts: a process that already reads this store (a batch worker, a test
    # session) holds it open with its own settings, and DuckDB refuses a second connection
    # to the same file with other settings
    with read_facts(path) as facts:
        if "published_checks" not in facts.tables:
            raise FactsError(
                f"{path} has no published_checks: it was built from student records, not from "
                "a state's published results, so there is nothing of the state's to compare.",
                fix="Import the state's files (kit import ma-mcas|oh-pi FILES --out DIR), "
                "build from DIR (kit build DIR), then run kit reconcile on that store.",
            )
        checks = facts.sql("SELECT * FROM published_checks")
        rejected = (
            facts.sql("SELECT * FROM import_rejected")
            if "import_rejected" in facts.tables
            else pd.DataFrame(
                columns=["source_file", "source_row", "column", "value", "rule", "message"]
            )
        )
    return checks, rejected


def summarise_checks(
    checks: pd.DataFrame, *, limit: int = 5
) -> tuple[list[MeasureSummary], pd.DataFrame]:
    """Per-measure summaries and the worst rows (see :class:`Reconciliation`)."""
    if checks.empty:
        return [], checks
    c = checks.copy()
    c["agrees"] = c["agrees"].astype(bool)
    inconsistent = c.get("state_inconsistent", pd.Series(False, index=c.index))
    c["state_inconsistent"] = inconsistent.fillna(False).astype(bool)
    c["kit_disagrees"] = ~c["agrees"] & ~c["state_inconsistent"]
    c["_abs"] = c["difference"].abs()
    c["_excess"] = c["_abs"] - c["tolerance"]
    summaries = []
    for measure, rows in c.groupby("measure", sort=True):
        summaries.append(
            MeasureSummary(
                measure=str(measure),
                checked=len(rows),
                agree=int(rows["agrees"].sum()),
                state_inconsistent=int(rows["state_inconsistent"].sum()),
                kit_disagrees=int(rows["kit_disagrees"].sum()),
                max_abs_difference=float(rows["_abs"].max()),
                tolerance=float(rows["tolerance"].max()),
            )
        )
    worst = (
        c.sort_values(
            ["measure", "agrees", "_excess", "_abs"], ascending=[True, True, False, False]
        )
        .groupby("measure", sort=False)
        .head(limit)
        .drop(columns=["_abs", "_excess"])
        .reset_index(drop=True)
    )
    return summaries, worst


def reconcile_facts(
    facts_path: str | Path, *, out: str | Path | None = None, limit: int = 5
) -> Reconciliation:
    """Sum up how the facts store's figures agree with the state's published ones.

    Parameters
    ----------
    facts_path
        A facts store built from ``aggregates.csv``.
    out
        If given, every check row is written there as CSV (e.g. ``checks.csv``).
    limit
        Worst rows kept per measure.

    Raises
    ------
    FactsError
        If the store is missing or holds no published figures.
    """
    checks, rejected = read_published_checks(facts_path)
    summaries, worst = summarise_checks(checks, limit=limit)
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        checks.to_csv(out, index=False)
    return Reconciliation(str(facts_path), tuple(summaries), worst, checks, rejected)
