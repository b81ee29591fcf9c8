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

import numpy as np
import pandas as pd

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
