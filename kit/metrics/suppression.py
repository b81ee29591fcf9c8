"""Small-group suppression: the one place that decides what reports may show.

Everything the reports of a build publish is cells (the students of one group at one
entity, year, subject and grade) tied by sums (:mod:`kit.metrics.cells`): partitions of all
students, a group and its complement, a district = its schools, the state = its districts,
all grades = each grade, a crosstab's lines. :func:`protect` decides, once for the whole
system, which cells to hide:

- **primary suppression**: every cell of 1 to the reporting minimum - 1 students;
- **complementary suppression**: more cells, until no hidden small cell can be worked out
  by subtracting along the sums, repeatedly, and the hidden cells of every sum with a known
  total hold at least the minimum together (an empty group protects nothing).

The build stores the decision beside the figures (:mod:`kit.protect`); views read it and
hide figures with :func:`apply_hidden`, so the district's and the schools' reports hide
consistently. :func:`audit` lists what a decision would give away; :func:`recoverable` is
the exact linear-algebra test used by the property tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.metrics.cells import CellSystem

_KEY_ORDER = ("year", "entity_type", "entity_id", "subject", "grade", "model", "level")


MASK_SMALL_DENOMINATOR = "denominator below the reporting minimum"
MASK_SMALL_COUNT = "a count below the reporting minimum"


def mask_counts(
    numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray, *, min_n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which rates of a program population show their counts (PBMAS, STATES.md 5.2).

    TEA's PBMAS reports print a masked count as ``*``. The kit masks, with the framework's
    reporting minimum:

    - the numerator, the denominator and the rate when the denominator is 1 to ``min_n - 1``
      students (a small population: its figures are not shown);
    - the numerator and the rate when the numerator, or the students not counted in it
      (denominator - numerator), is 1 to ``min_n - 1``: with the denominator and the rate
      shown, a small count could be worked out by multiplying.

    A denominator of 0 (no students: "ND") and counts of 0 are not masked. The performance
    level is always shown: TEA publishes it.

    Returns
    -------
    (masked, reason)
        ``masked`` is 0 (shown), 1 (numerator and rate masked) or 2 (numerator, denominator
        and rate masked); ``reason`` the words for a masked row, else None.
    """
    num = pd.to_numeric(pd.Series(np.asarray(numerator, dtype=object)), errors="coerce")
    den = pd.to_numeric(pd.Series(np.asarray(denominator, dtype=object)), errors="coerce")
    small_den = (den > 0) & (den < min_n)
    rest = den - num
    small_count = ((num > 0) & (num < min_n)) | ((rest > 0) & (rest < min_n))
    masked = np.where(small_den, 2, np.where(small_count.fillna(False), 1, 0))
    reason = np.where(
        masked == 2, MASK_SMALL_DENOMINATOR, np.where(masked == 1, MASK_SMALL_COUNT, None)
    )
    return masked.astype(int), reason


def _default_keys(df: pd.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    return [c for c in _KEY_ORDER if c in df.columns and c not in exclude]


def apply_hidden(
    df: pd.DataFrame,
    hidden: pd.DataFrame,
    *,
    value_cols: Sequence[str],
    key_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` with ``value_cols`` NaN where a decision hides the group.

    ``hidden`` holds the decisions (key columns, ``group``, ``suppressed``,
    ``suppression_reason`` and optionally ``protects``), e.g. the build's, as
    :func:`kit.views._common.decisions` reads them. Rows whose group has no decision are
    hidden too: what is not known to be safe is not shown. Adds ``suppressed``,
    ``suppression_reason`` (and ``protects`` when the decisions have it).
    """
    keys = (
        list(key_cols)
        if key_cols is not None
        else [c for c in _default_keys(df) if c in hidden.columns]
    )
    extra = ["protects"] if "protects" in hidden.columns else []
    merged = df.drop(
        columns=[c for c in ("suppressed", "suppression_reason", *extra) if c in df.columns]
    )
    merged = merged.merge(
        hidden[[*keys, "group", "suppressed", "suppression_reason", *extra]],
        on=[*keys, "group"],
        how="left",
    )
    hide = merged["suppressed"].fillna(True).astype(bool).to_numpy()
    for col in value_cols:
        if col in merged.columns:
            merged[col] = merged[col].astype("float64").where(~hide)
    merged["suppressed"] = hide
    merged["suppression_reason"] = merged["suppression_reason"].fillna("small")
    if extra:
        merged["protects"] = merged["protects"].fillna("")
    return merged


def recoverable(
    values: Sequence[float], relations: Sequence[dict[int, float]], hidden: Sequence[bool]
) -> np.ndarray:
    """True for each hidden cell whose value the published cells and the relations pin down.

    ``relations`` are linear identities among the cells, each {cell index: coefficient}
    meaning sum(coefficient x value) = 0 (e.g. {all: 1, swd: -1, non_swd: -1}). A hidden
    cell is recoverable when every solution of the identities, given the published values,
    gives it the same value: its unit vector lies in the row space of the identities
    restricted to the hidden cells (checked with an SVD null space). Bounds (counts are
    non-negative) are not used: this is the exact-derivation test.
    """
    hidden = np.asarray(hidden, dtype=bool)
    n_cells = len(values)
    out = np.zeros(n_cells, dtype=bool)
    h_idx = np.flatnonzero(hidden)
    if not len(h_idx) or not relations:
        return out
    a = np.zeros((len(relations), n_cells))
    for r, rel in enumerate(relations):
        for i, c in rel.items():
            a[r, i] += c
    a_h = a[:, h_idx]
    _, s, vt = np.linalg.svd(a_h, full_matrices=True)
    rank = int((s > 1e-9 * max(1.0, s.max() if len(s) else 1.0)).sum())
    null = vt[rank:].T  # columns span the hidden cells' freedom
    free = np.abs(null).max(axis=1) > 1e-9 if null.size else np.zeros(len(h_idx), bool)
    out[h_idx] = ~free
    return out


# --- complementary suppression over cells tied by sums (kit.metrics.cells) -----------------


@dataclass(frozen=True)
class Decision:
    """Which cells of a :class:`~kit.metrics.cells.CellSystem` a report may not show.

    ``hidden`` per cell (unpublished cells are always hidden); ``reason`` ``"small"`` (1 to
    the minimum - 1 students), ``"complement"`` (hidden so that a smaller group's result
    cannot be worked out by subtraction), ``"unpublished"`` (a cell no report prints), else
    ``""``; ``protects`` names the sum a complementary cell was hidden in (``race/ethnicity``,
    ``district total`` ...); ``rounds`` the passes the decision took.
    """

    hidden: np.ndarray
    reason: np.ndarray
    protects: np.ndarray
    rounds: int

    def frame(self, system: CellSystem) -> pd.DataFrame:
        """The system's cells with ``suppressed``, ``suppression_reason``, ``protects``
        (unpublished cells included, with the reason ``unpublished``)."""
        out = system.cells.assign(
            suppressed=self.hidden, suppression_reason=self.reason, protects=self.protects
        )
        return out.drop(columns=["published", "order"]).reset_index(drop=True)


def _small(size: np.ndarray, min_n: int) -> np.ndarray:
    """Cells with 1 to ``min_n`` - 1 students in any size measure."""
    return ((size > 0) & (size < min_n)).any(axis=1)


def _empty(size: np.ndarray) -> np.ndarray:
    return (size <= 0).all(axis=1)


def _closure(members, n_rel: int, unknown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What a reader can work out: subtract along every sum with one unknown, repeatedly.

    Returns the cells still unknown and, for each cell worked out, the relation that gave it
    away (-1 otherwise).
    """
    m_rel, m_cell, _ = members
    unknown = unknown.copy()
    derived_by = np.full(len(unknown), -1, dtype=np.int64)
    while True:
        u = np.bincount(m_rel, weights=unknown[m_cell], minlength=n_rel)
        sel = (u[m_rel] == 1) & unknown[m_cell]
        if not sel.any():
            return unknown, derived_by
        cells, rels = m_cell[sel], m_rel[sel]
        first = np.unique(cells, return_index=True)[1]
        derived_by[cells[first]] = rels[first]
        unknown[cells] = False


def _unknown_sums(system: CellSystem, unknown: np.ndarray) -> np.ndarray:
    """Per relation and size measure: students in the parts a reader cannot see."""
    n_parts = np.diff(system.parts_ptr)
    rel_of_part = np.repeat(np.arange(system.n_relations), n_parts)
    hid = unknown[system.parts]
    return np.stack(
        [
            np.bincount(
                rel_of_part,
                weights=system.size[system.parts, j] * hid,
                minlength=system.n_relations,
            )
            for j in range(system.size.shape[1])
        ],
        axis=1,
    ).reshape(system.n_relations, system.size.shape[1])


def _violations(system: CellSystem, members, hidden: np.ndarray, min_n: int):
    """Cells of 1-9 worked out, and sums whose hidden parts hold 1-9 students."""
    empty = _empty(system.size)
    unknown, derived_by = _closure(members, system.n_relations, hidden & ~empty)
    small = _small(system.size, min_n)
    revealed = np.flatnonzero(hidden & small & ~unknown & ~empty)
    sums = _unknown_sums(system, unknown)
    total_known = ~unknown[system.total]
    small_sum = total_known & ((sums > 0) & (sums < min_n)).any(axis=1)
    return unknown, derived_by, revealed, np.flatnonzero(small_sum), sums


def protect(system: CellSystem, min_n: int, *, max_rounds: int = 10_000) -> Decision:
    """Decide which cells to hide so no cell of 1 to ``min_n`` - 1 students can be worked out.

    Notes
    -----
    The reader knows every published cell and subtracts along any sum, repeatedly; a cell
    worked out counts as published for every other sum (the closure). The decision must
    leave, after the closure:

    - no cell of 1 to ``min_n`` - 1 students known (primary suppression hides them, and
      complementary suppression keeps them from being worked out);
    - in every sum whose total is known, the hidden parts that have students hold at least
      ``min_n`` students together (a hidden empty group protects nothing, and several small
      groups together must not reveal their combined result).

    Each pass finds what breaks these rules and hides one more published cell in the sum at
    fault. Where a cell hidden earlier to protect another was itself worked out through a
    second sum, that second sum is the one fixed (so the protection holds rather than moving
    along the same row). The cell chosen, as statistical agencies do: one with enough
    students to close the gap, then one whose hiding does not leave it alone among the
    hidden cells of another sum (which would need a partner there too), then a part before
    the total (so schools hide more and districts and all students keep their figures;
    except where the total is itself a sum of groups, ``ever_ell``, hidden first), then the
    smallest, then the earliest in a fixed order (stable across runs).
    """
    members = system.members()
    published = system.cells["published"].to_numpy(bool)
    primary = _small(system.size, min_n) & published
    hidden = primary | ~published
    reason = np.where(~published, "unpublished", np.where(primary, "small", "")).astype(object)
    protects = np.full(system.n_cells, "", dtype=object)
    fixer = _Fixer(system, members)
    for rounds in range(1, max_rounds + 1):
        unknown, derived_by, revealed, small_sums, sums = _violations(
            system, members, hidden, min_n
        )
        if not len(revealed) and not len(small_sums):
            return Decision(hidden=hidden, reason=reason, protects=protects, rounds=rounds)
        fixer.start_round(hidden, unknown, derived_by)
        # Each violation names the sum to mend and the students its hidden part lacks.
        size_c = system.size[revealed]
        rels = np.concatenate([derived_by[revealed], small_sums]).astype(np.int64)
        deficit = np.concatenate(
            [
                np.where((size_c > 0) & (size_c < min_n), min_n - size_c, 0.0),
                np.where(
                    (sums[small_sums] > 0) & (sums[small_sums] < min_n),
                    min_n - sums[small_sums],
                    0.0,
                ),
            ]
        ).reshape(len(rels), system.size.shape[1])
        rels, first = np.unique(rels, return_inverse=True)
        worst = np.zeros((len(rels), system.size.shape[1]))
        np.maximum.at(worst, first, deficit)
        chosen: dict[int, str] = {}
        # Where the sum's protection broke (a hidden cell worked out through another sum),
        # mend that other sum instead, following the chain.
        target, need = rels.copy(), worst.copy()
        for _ in range(50):
            via = fixer.first_broken(target)
            moved = via >= 0
            if not moved.any():
                break
            target[moved] = derived_by[via[moved]]
            need[moved] = 0.0
        pos, cells = fixer.choose(target, need)
        for p_, c in zip(pos, cells, strict=True):
            chosen.setdefault(int(c), str(system.kind[target[p_]]))
        for r, d in zip(np.delete(rels, pos), np.delete(worst, pos, axis=0), strict=True):
            got = fixer.fix(int(r), d)  # no candidate along the chain: search it all
            if got is not None:
                chosen.setdefault(*got)
        if not chosen:
            raise RuntimeError(
                "complementary suppression could not protect every small cell; "
                f"{len(revealed)} cell(s) and {len(small_sums)} sum(s) remain exposed"
            )
        for c, kind in chosen.items():
            hidden[c] = True
            reason[c] = "complement"
            protects[c] = kind
    raise RuntimeError(f"complementary suppression did not settle in {max_rounds} passes")


class _Fixer:
    """Chooses the cell to hide for one violation (see :func:`protect`)."""

    def __init__(self, system: CellSystem, members) -> None:
        m_rel, m_cell, m_tot = members
        self.system = system
        self.members = members
        self.size = system.size
        self.empty = _empty(system.size)
        self.order = system.cells["order"].to_numpy()
        by_rel = np.argsort(m_rel, kind="stable")
        self.rel_ptr = np.concatenate(
            [[0], np.cumsum(np.bincount(m_rel, minlength=system.n_relations))]
        )
        self.rel_cells, self.rel_is_total = m_cell[by_rel], m_tot[by_rel]

    def start_round(self, hidden: np.ndarray, unknown: np.ndarray, derived_by: np.ndarray) -> None:
        m_rel, m_cell, _ = self.members
        self.hidden, self.derived_by = hidden, derived_by
        # hidden cells a reader works out anyway (protection that broke)
        self.broken = hidden & ~unknown & ~self.empty
        # sums in which a cell would be the only hidden one if it were hidden now (it would
        # need a partner there too); empty cells hide nothing
        h_rel = np.bincount(
            m_rel, weights=(hidden & ~self.empty)[m_cell], minlength=self.system.n_relations
        )
        self.exposed = np.bincount(
            m_cell, weights=(h_rel[m_rel] == 0), minlength=self.system.n_cells
        )

    def _gather(self, rels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(position of the relation, cell, is_total) of every member of ``rels``."""
        lo, hi = self.rel_ptr[rels], self.rel_ptr[rels + 1]
        cnt = hi - lo
        pos = np.repeat(np.arange(len(rels)), cnt)
        idx = np.repeat(lo, cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        return pos, self.rel_cells[idx], self.rel_is_total[idx]

    def first_broken(self, rels: np.ndarray) -> np.ndarray:
        """For each relation, its first hidden cell (in the fixed order) worked out through
        another sum, or -1."""
        out = np.full(len(rels), -1, dtype=np.int64)
        if not len(rels):
            return out
        pos, cells, _ = self._gather(rels)
        b = (
            self.broken[cells]
            & (self.derived_by[cells] >= 0)
            & (self.derived_by[cells] != rels[pos])
        )
        if not b.any():
            return out
        pos, cells = pos[b], cells[b]
        key = np.lexsort((self.order[cells], pos))
        first = key[np.unique(pos[key], return_index=True)[1]]
        out[pos[first]] = cells[first]
        return out

    def choose(self, rels: np.ndarray, deficits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The cell to hide in each of many relations at once (the rule of :meth:`fix`
        without following broken protection): positions in ``rels`` that have a candidate,
        and the cells chosen."""
        if not len(rels):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        pos, cells, is_tot = self._gather(rels)
        ok = ~self.hidden[cells] & ~self.empty[cells]
        d = deficits[pos]
        short = ((self.size[cells] < d) & (d > 0)).any(axis=1)
        redundant = np.isin(self.system.kind[rels], list(self.system.redundant))
        is_tot = is_tot ^ redundant[pos]
        key = np.lexsort(
            (
                self.order[cells],
                self.size[cells][:, 0],
                is_tot,
                self.exposed[cells],
                short,
                ~ok,
                pos,
            )
        )
        first = key[np.unique(pos[key], return_index=True)[1]]
        first = first[ok[first]]
        return pos[first], cells[first]

    def _cells(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.rel_ptr[r], self.rel_ptr[r + 1]
        return self.rel_cells[lo:hi], self.rel_is_total[lo:hi]

    def fix(self, r: int, deficit: np.ndarray, depth: int = 0) -> tuple[int, str] | None:
        """A published cell to hide in relation ``r`` (or in the sum where the protection of
        ``r`` broke), holding at least ``deficit`` students per size measure if one does;
        returns the cell and the kind of the sum it closes."""
        if depth > 50:
            return None
        cells, is_total = self._cells(r)
        broken = cells[
            self.broken[cells] & (self.derived_by[cells] >= 0) & (self.derived_by[cells] != r)
        ]
        for b in sorted(broken.tolist(), key=lambda c: self.order[c]):
            got = self.fix(int(self.derived_by[b]), np.zeros_like(deficit), depth + 1)
            if got is not None:
                return got
        ok = ~self.hidden[cells] & ~self.empty[cells]
        if not ok.any():
            return None
        cand, is_tot = cells[ok], is_total[ok]
        need = deficit > 0
        short = (
            (self.size[cand][:, need] < deficit[need]).any(axis=1)
            if need.any()
            else np.zeros(len(cand), bool)
        )
        if str(self.system.kind[r]) in self.system.redundant:
            is_tot = ~is_tot  # the total is a sum of published groups: hide it first
        key = np.lexsort(
            (self.order[cand], self.size[cand][:, 0], is_tot, self.exposed[cand], short)
        )
        return int(cand[key[0]]), str(self.system.kind[r])


def audit(system: CellSystem, hidden: np.ndarray, min_n: int) -> pd.DataFrame:
    """Every way a published set of cells gives away fewer than ``min_n`` students.

    ``hidden`` marks the cells not published (unpublished cells are hidden whatever it
    says). The reader subtracts along every sum, repeatedly (the closure of
    :func:`protect`). Returns one row per finding: ``finding`` = ``revealed`` (a cell of 1
    to ``min_n`` - 1 students worked out, with the sum that gave it away) or ``small sum``
    (a sum whose total is known and whose hidden parts hold 1 to ``min_n`` - 1 students
    together), the cell's identity columns (for a small sum, its total's), ``size`` and
    ``via`` (the sum's kind). Empty when the decision is safe.
    """
    hidden = np.asarray(hidden, bool) | ~system.cells["published"].to_numpy(bool)
    _, derived_by, revealed, small_sums, sums = _violations(system, system.members(), hidden, min_n)
    ident = system.cells.drop(columns=["published", "order"])
    rows = []
    for c in revealed:
        rows.append(
            {
                "finding": "revealed",
                **ident.iloc[int(c)].to_dict(),
                "size": float(system.size[c][system.size[c] > 0].min()),
                "via": str(system.kind[derived_by[c]]),
            }
        )
    for r in small_sums:
        t = int(system.total[r])
        rows.append(
            {
                "finding": "small sum",
                **ident.iloc[t].to_dict(),
                "size": float(sums[r][sums[r] > 0].min()),
                "via": str(system.kind[r]),
            }
        )
    return pd.DataFrame(rows, columns=["finding", *ident.columns, "size", "via"])


def relations_as_dicts(system: CellSystem) -> list[dict[int, float]]:
    """The system's sums as {cell: coefficient} identities for :func:`recoverable`."""
    out = []
    for r in range(system.n_relations):
        t, parts = system.relation_cells(r)
        rel: dict[int, float] = {t: 1.0}
        for p in parts:
            rel[int(p)] = rel.get(int(p), 0.0) - 1.0
        out.append(rel)
    return out
