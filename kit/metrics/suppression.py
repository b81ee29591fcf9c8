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
        smallest = lone.sort_values(["_n", "group"], kind="stable").groupby(keys, sort=False).head(1)
        hidden[smallest["_pos"].to_numpy()] = True
    return hidden


def _pairs(frame: pd.DataFrame, hidden: np.ndarray, key_cols: Sequence[str]) -> np.ndarray:
    """Hide both of a group and its complement when either is hidden."""
    for group, complement in COMPLEMENT_PAIRS:
        a = frame[frame["group"] == group]
        b = frame[frame["group"] == complement]
        if a.empty or b.empty:
            continue
        pair = a.merge(b, on=list(key_cols), suffixes=("_a", "_b"))
        either = pair["_hidden_a"] | pair["_hidden_b"]
        hidden[pair.loc[either, "_pos_a"].to_numpy()] = True
        hidden[pair.loc[either, "_pos_b"].to_numpy()] = True
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
            c for c in ("year", "entity_type", "entity_id", "subject", "grade", "model", "level")
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
