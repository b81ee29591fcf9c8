"""Small-group suppression: the one place that decides what a report may show.

Every table, chart and sentence reads figures through :func:`suppress`, which hides the
figures of any row whose count is below the framework's reporting minimum (primary
suppression) and, where a hidden count could be recovered by subtraction, hides its
partner too (complementary suppression):

- a group and its complement add up to all students (``swd`` + ``non_swd`` = ``all``), so
  when one of the pair is hidden the other is hidden as well;
- the parts of a partition (race/ethnicity, gender) add up to all students, so when just
  one part is hidden the smallest shown part is hidden too.

The stored facts keep every figure (for internal checks); only the view is suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.metrics.cells import CellSystem
from kit.metrics.groups import GROUPS, PARTITIONS

SUPPRESSED_TEXT = "fewer than {min_n} students — not reported"

COMPLEMENT_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (g.complement, g.id) for g in GROUPS if g.complement
)


def is_small(n: pd.Series | np.ndarray, min_n: int) -> np.ndarray:
    """True where a count is below the reporting minimum (and not missing)."""
    arr = np.asarray(n, dtype="float64")
    return np.nan_to_num(arr, nan=0.0) < min_n


def _complementary(
    df: pd.DataFrame, hidden: np.ndarray, key_cols: Sequence[str], n: np.ndarray
) -> np.ndarray:
    """Extend ``hidden`` so no hidden group can be recovered by subtraction."""
    if "group" not in df.columns:
        return hidden
    hidden = hidden.copy()
    frame = df[list(key_cols) + ["group"]].assign(_hidden=hidden, _pos=np.arange(len(df)))
    hidden = _pairs(frame, hidden, key_cols)
    return _partitions(frame.assign(_hidden=hidden, _n=n), hidden, key_cols)


def _partitions(frame: pd.DataFrame, hidden: np.ndarray, key_cols: Sequence[str]) -> np.ndarray:
    """Where one part of a partition is hidden, hide its smallest shown part as well."""
    for members in PARTITIONS:
        parts = frame[frame["group"].isin(members)]
        if parts.empty:
            continue
        keys = list(key_cols) or ["_all"]
        parts = parts.assign(_all=0)
        n_hidden = parts.groupby(keys, sort=False)["_hidden"].transform("sum")
        lone = parts[(n_hidden == 1) & ~parts["_hidden"]]
        if lone.empty:
            continue
        smallest = (
            lone.sort_values(["_n", "group"], kind="stable").groupby(keys, sort=False).head(1)
        )
        hidden[smallest["_pos"].to_numpy()] = True
    return hidden


def _pairs(frame: pd.DataFrame, hidden: np.ndarray, key_cols: Sequence[str]) -> np.ndarray:
    """Hide both of a group and its complement when either is hidden (one grouped pass)."""
    pair_of = {g: i for i, pair in enumerate(COMPLEMENT_PAIRS) for g in pair}
    members = frame[frame["group"].isin(pair_of)]
    if members.empty:
        return hidden
    members = members.assign(_pair=members["group"].map(pair_of))
    by = members.groupby([*key_cols, "_pair"], sort=False, dropna=False)["_hidden"]
    both = (by.transform("size") == 2) & by.transform("any")
    hidden[members.loc[both, "_pos"].to_numpy()] = True
    return hidden


def suppress(
    df: pd.DataFrame,
    *,
    min_n: int,
    n_col: str = "n",
    value_cols: Sequence[str] = (),
    key_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` safe to publish.

    Parameters
    ----------
    df
        Facts rows (one per key and group).
    min_n
        The framework's reporting minimum.
    n_col
        The count that decides suppression.
    value_cols
        Columns hidden (set to NaN) in suppressed rows; ``n_col`` is hidden too.
    key_cols
        Columns that identify a row apart from ``group``; rows of a group and its complement
        with equal keys are suppressed together. Default: every column named in
        CONTRACT.md's keys that ``df`` has, other than ``group``.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` set, ``suppression_reason`` (``"small"`` below the
        minimum, ``"complement"`` hidden to protect its partner, else ``""``) and the hidden
        figures NaN. The input is unchanged.
    """
    if key_cols is None:
        key_cols = [
            c
            for c in ("year", "entity_type", "entity_id", "subject", "grade", "model", "level")
            if c in df.columns
        ]
    small = is_small(df[n_col], min_n)
    n = np.nan_to_num(np.asarray(df[n_col], dtype="float64"), nan=0.0)
    hidden = _complementary(df, small, key_cols, n)
    out = df.copy()
    cols = [n_col, *[c for c in value_cols if c != n_col]]
    for col in cols:
        out[col] = out[col].astype("float64").where(~hidden)
    out["suppressed"] = hidden
    out["suppression_reason"] = np.where(small, "small", np.where(hidden, "complement", ""))
    return out


# --- derived tables: hide what the group suppression hides ----------------------------------

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


def hidden_groups(
    rows: pd.DataFrame, *, min_n: int, n_col: str = "n", key_cols: Sequence[str] | None = None
) -> pd.DataFrame:
    """Which groups a report must hide, decided once from their counts.

    ``rows`` hold every group of each key (e.g. ``performance`` rows, ``n_col`` =
    ``n_fay_tested``). Returns the key columns, ``group``, ``suppressed`` and
    ``suppression_reason`` from :func:`suppress` (small groups, complements, partitions).
    Derived tables (``ayp``, ``group_ranking``, ``goals``) are hidden through this
    decision with :func:`apply_hidden`, so every table hides the same groups.
    """
    keys = list(key_cols) if key_cols is not None else _default_keys(rows)
    out = suppress(rows[[*keys, "group", n_col]], min_n=min_n, n_col=n_col, key_cols=keys)
    return out[[*keys, "group", "suppressed", "suppression_reason"]]


def apply_hidden(
    df: pd.DataFrame,
    hidden: pd.DataFrame,
    *,
    value_cols: Sequence[str],
    key_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` with ``value_cols`` NaN where :func:`hidden_groups` hides the group.

    Rows whose group has no decision (no count at all) are hidden too: what is not known to
    be safe is not shown. Adds ``suppressed`` and ``suppression_reason``.
    """
    keys = (
        list(key_cols)
        if key_cols is not None
        else [c for c in _default_keys(df) if c in hidden.columns]
    )
    merged = df.drop(columns=[c for c in ("suppressed", "suppression_reason") if c in df.columns])
    merged = merged.merge(
        hidden[[*keys, "group", "suppressed", "suppression_reason"]],
        on=[*keys, "group"],
        how="left",
    )
    hide = merged["suppressed"].fillna(True).astype(bool).to_numpy()
    for col in value_cols:
        if col in merged.columns:
            merged[col] = merged[col].astype("float64").where(~hide)
    merged["suppressed"] = hide
    merged["suppression_reason"] = merged["suppression_reason"].fillna("small")
    return merged


def suppress_level_counts(
    levels: pd.DataFrame,
    group_rows: pd.DataFrame,
    *,
    min_n: int,
    n_col: str = "n_fay_tested",
    key_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``level_counts`` rows safe to publish: a level count is hidden with its group.

    The level counts of a group add up to its n, so showing them would give away a hidden
    n; they follow the group's decision in :func:`hidden_groups` (run on ``group_rows``,
    e.g. the ``performance`` rows of the same keys). Cells are not suppressed one by one:
    for a reported group every level is shown, as MCAS reports percentages at each level
    for every reported group.
    """
    keys = list(key_cols) if key_cols is not None else _default_keys(levels, exclude=("level",))
    hidden = hidden_groups(group_rows, min_n=min_n, n_col=n_col, key_cols=keys)
    return apply_hidden(levels, hidden, value_cols=["n"], key_cols=keys)


_GAP_OWN = (
    "n",
    "pct_proficient",
    "index_value",
    "gap_all_pct",
    "gap_all_index",
    "gap_state_pct",
    "gap_state_index",
    "gap_district_pct",
    "gap_district_index",
)
_GAP_COMPLEMENT = (
    "complement_n",
    "complement_pct_proficient",
    "complement_index_value",
    "gap_complement_pct",
    "gap_complement_index",
)


def _hide_by_pseudo_rows(df: pd.DataFrame, prefix: str, min_n: int, keys: list[str]) -> np.ndarray:
    """Hidden flags of another entity's groups (district, state) from the columns in ``df``."""
    n = df[f"{prefix}_n"]
    pseudo = df[[*keys, "group"]].assign(_n=n.astype("float64"))
    return suppress(pseudo, min_n=min_n, n_col="_n", key_cols=keys)["suppressed"].to_numpy()


def suppress_group_gaps(df: pd.DataFrame, *, min_n: int) -> pd.DataFrame:
    """``group_gaps`` rows safe to publish.

    - the group's own figures and its gaps: hidden as :func:`suppress` hides the group
      (small, complement of a small group, lone part of a partition);
    - the complement's figures: hidden when the group is hidden (all - complement = group)
      or when the complement itself is below the minimum (all - group = complement);
    - the district's and the state's figures: hidden as those entities' own suppression
      would hide that group; the gaps to them likewise.
    """
    keys = _default_keys(df)
    out = suppress(
        df,
        min_n=min_n,
        n_col="n",
        value_cols=[c for c in _GAP_OWN if c in df.columns],
        key_cols=keys,
    )
    own_hidden = out["suppressed"].to_numpy()
    comp_small = is_small(df["complement_n"], min_n) & df["complement_group"].notna().to_numpy()
    comp_hidden = own_hidden | comp_small
    for col in _GAP_COMPLEMENT:
        if col in out.columns:
            out[col] = out[col].astype("float64").where(~comp_hidden)
    for prefix in ("district", "state"):
        if f"{prefix}_n" not in df.columns:
            continue
        other = _hide_by_pseudo_rows(df, prefix, min_n, keys)
        for col in (
            f"{prefix}_n",
            f"{prefix}_pct_proficient",
            f"{prefix}_index_value",
            f"gap_{prefix}_pct",
            f"gap_{prefix}_index",
        ):
            if col in out.columns:
                out[col] = out[col].astype("float64").where(~other)
    out["complement_suppressed"] = comp_hidden
    return out


# --- cross-tabulations ---------------------------------------------------------------------

_MARGIN = "ALL"


def _crosstab_dims(df: pd.DataFrame) -> list[str]:
    from kit.metrics.groups import GROUP_IDS

    return [c for c in df.columns if c in GROUP_IDS]


def suppress_crosstab(
    df: pd.DataFrame, *, min_n: int, n_col: str = "n", key_cols: Sequence[str] | None = None
) -> pd.DataFrame:
    """``crosstab`` rows safe to publish (PIM 0-C).

    Every line of a cross-tabulation - the cells that differ in one dimension only, Y, N
    and the margin ALL - satisfies Y + N = ALL. Primary suppression hides cells below
    ``min_n``; complementary suppression then repeats until no line has exactly one hidden
    cell, hiding in such a line its smallest shown cell (an inner cell before a margin on
    ties). The hypothesis property in ``tests/metrics/test_suppression.py`` checks with
    :func:`recoverable` that no hidden count can then be solved from the published ones.
    """
    keys = (
        list(key_cols)
        if key_cols is not None
        else [
            c
            for c in ("year", "entity_type", "entity_id", "subject", "grade", "crosstab")
            if c in df.columns
        ]
    )
    dims_all = _crosstab_dims(df)
    hidden = is_small(df[n_col], min_n)
    n = np.nan_to_num(np.asarray(df[n_col], dtype="float64"), nan=0.0)
    frame = df[keys + dims_all].reset_index(drop=True).fillna({d: "" for d in dims_all})
    frame["_n"] = n
    frame["_pos"] = np.arange(len(df))
    # Work crosstab by crosstab: its dimensions are the columns it fills.
    label = frame["crosstab"] if "crosstab" in frame.columns else pd.Series("", index=frame.index)
    blocks = []
    for _, idx in frame.groupby(label, sort=False).groups.items():
        block = frame.loc[idx]
        dims = [d for d in dims_all if (block[d] != "").any()]
        blocks.append((block, dims))
    for _ in range(100):
        changed = False
        for block, dims in blocks:
            for d in dims:
                line = keys + [x for x in dims if x != d]
                b = block.assign(_hidden=hidden[block["_pos"].to_numpy()])
                n_hidden = b.groupby(line, sort=False)["_hidden"].transform("sum")
                lone = b[(n_hidden == 1) & ~b["_hidden"]]
                if lone.empty:
                    continue
                lone = lone.assign(_margin=(lone[d] == _MARGIN).astype(int))
                pick = (
                    lone.sort_values(["_n", "_margin"], kind="stable")
                    .groupby(line, sort=False)
                    .head(1)
                )
                hidden[pick["_pos"].to_numpy()] = True
                changed = True
        if not changed:
            break
    small = is_small(df[n_col], min_n)
    out = df.copy()
    out[n_col] = out[n_col].astype("float64").where(~hidden)
    out["suppressed"] = hidden
    out["suppression_reason"] = np.where(small, "small", np.where(hidden, "complement", ""))
    return out


# --- audit: can a hidden count be solved for? ----------------------------------------------


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
        """The system's published cells with ``suppressed``, ``suppression_reason``,
        ``protects``."""
        out = system.cells.assign(
            suppressed=self.hidden, suppression_reason=self.reason, protects=self.protects
        )
        return out[out["published"]].drop(columns=["published", "order"]).reset_index(drop=True)


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
    w = system.size[system.parts] * unknown[system.parts][:, None]
    out = np.zeros((system.n_relations, system.size.shape[1]))
    np.add.at(out, rel_of_part, w)
    return out


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
    students to close the gap, then a part before the total (so schools hide more and
    districts and all students keep their figures), then one whose hiding does not expose it
    in another sum, then the smallest, then the earliest in a fixed order (stable across
    runs).
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
        chosen: dict[int, str] = {}
        for c in revealed:
            size_c = system.size[c]
            deficit = np.where((size_c > 0) & (size_c < min_n), min_n - size_c, 0.0)
            r = int(derived_by[c])
            got = fixer.fix(r, deficit)
            if got is not None:
                chosen.setdefault(got, str(system.kind[r]))
        for r in small_sums:
            deficit = np.where((sums[r] > 0) & (sums[r] < min_n), min_n - sums[r], 0.0)
            got = fixer.fix(int(r), deficit)
            if got is not None:
                chosen.setdefault(got, str(system.kind[r]))
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
        u_rel = np.bincount(m_rel, weights=unknown[m_cell], minlength=self.system.n_relations)
        # sums in which a cell would be the only unknown if it were hidden now
        self.exposed = np.bincount(
            m_cell, weights=(u_rel[m_rel] == 0), minlength=self.system.n_cells
        )

    def _cells(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.rel_ptr[r], self.rel_ptr[r + 1]
        return self.rel_cells[lo:hi], self.rel_is_total[lo:hi]

    def fix(self, r: int, deficit: np.ndarray, depth: int = 0) -> int | None:
        """A published cell to hide in relation ``r`` (or in the sum where the protection of
        ``r`` broke), holding at least ``deficit`` students per size measure if one does."""
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
        key = np.lexsort(
            (self.order[cand], self.size[cand][:, 0], self.exposed[cand], is_tot, short)
        )
        return int(cand[key[0]])


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
                "size": float(system.size[c].max()),
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
