"""Reconciliation: the state's published figures beside the same figures computed again.

Each function takes rows of the aggregate table (:mod:`kit.data.aggregates`: counts and
percents by level as the state published them) and plain numbers (level points, weights),
and returns a tidy frame, one row per entity key x ``measure``::

    year, entity_type, entity_id, subject, grade, group,
    measure, published, computed, difference, tolerance, agrees, note

``difference`` is published - computed; ``agrees`` is ``|difference| <= tolerance``. A row
lacking what a check needs (no count, no published value) is not checked and not returned.
The frame is the future ``published_checks`` facts table (CONTRACT.md section 3).

Tolerances follow from how the publisher rounds, derived in each function's Notes and in
docs/data.md ("Reconciliation"): a check that fails beyond them is a real disagreement
between the state's own figures (or the counts), never rounding.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]
CHECK_COLUMNS = [
    *KEYS,
    "measure",
    "published",
    "computed",
    "difference",
    "tolerance",
    "agrees",
    "note",
]
STATE_DISAGREES = "the state's own figures disagree"


def round_half_up_percent(count: pd.Series, n: pd.Series) -> pd.Series:
    """round-half-up(100 x count / n) as whole numbers, exactly (integer arithmetic).

    ``floor(100 c / n + 1/2) = floor((200 c + n) / (2 n))`` for whole c >= 0, n > 0, so no
    binary fraction can round 12.5 down. Missing where n is 0 or either is missing.
    """
    c = pd.to_numeric(count).astype("Int64")
    d = pd.to_numeric(n).astype("Int64")
    out = (200 * c + d) // (2 * d)
    return out.where(d > 0).astype("Int64")


def _frame(
    rows: pd.DataFrame,
    measure: str,
    published: pd.Series,
    computed: pd.Series,
    tolerance,
    explain,
    note: pd.Series | str = "",
) -> pd.DataFrame:
    """The tidy check rows; ``explain(index)`` gives the notes of the rows that disagree
    (built for those rows only: most rows agree)."""
    keep = published.notna() & computed.notna()
    pub = pd.to_numeric(published[keep]).astype(float)
    com = pd.to_numeric(computed[keep]).astype(float)
    tol = (
        tolerance[keep].astype(float)
        if isinstance(tolerance, pd.Series)
        else pd.Series(float(tolerance), index=pub.index)
    )
    diff = pub - com
    # A margin of 1e-9 so that binary noise (0.1 + 0.2) is never a disagreement.
    agrees = diff.abs() <= tol + 1e-9
    notes = pd.Series(
        note[keep] if isinstance(note, pd.Series) else note, index=pub.index, dtype=object
    )
    wrong = agrees.index[~agrees]
    if len(wrong):
        notes[wrong] = explain(wrong) if callable(explain) else explain
    out = rows.loc[keep, KEYS].copy()
    out["measure"] = measure
    out["published"] = pub
    out["computed"] = com
    out["difference"] = diff
    out["tolerance"] = tol
    out["agrees"] = agrees
    out["note"] = notes
    return out


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CHECK_COLUMNS]


def check_level_percents(
    aggregates: pd.DataFrame, *, n_levels: int, proficient_level: int | None = None
) -> pd.DataFrame:
    """Each published whole percent against round-half-up(100 x count / n).

    Parameters
    ----------
    aggregates
        Aggregate rows with ``n``, ``n_level_j`` and ``pct_level_j`` (j = 1..n_levels) and,
        for the proficient share, ``published_pct_proficient``.
    n_levels
        Levels of the rows' scheme.
    proficient_level
        The lowest proficient level (3 = Meeting for MA Next-Generation, Proficient for
        legacy); when given, ``published_pct_proficient`` is checked as measure
        ``pct_proficient`` against the counts at that level and above.

    Returns
    -------
    pandas.DataFrame
        Measures ``pct_level_1`` .. ``pct_level_k`` and ``pct_proficient``; tolerance 0.

    Notes
    -----
    DESE prints every percent as a whole number, rounded half up from the exact share:

    .. math:: p_j = \\lfloor 100\\, c_j / N + 1/2 \\rfloor
              = \\lfloor (200\\, c_j + N) / (2N) \\rfloor

    (``M+E %`` likewise from :math:`c_3 + c_4`). Recomputed in integers from the published
    counts the result is exact, so the tolerance is 0: any difference means the published
    percent and count disagree (realdata README: 5 of 794,810 cells in the full collection;
    legacy MCAS: none). Half-to-even rounding would differ at exact halves (12.5 % -> 12),
    which DESE's figures rule out.
    """
    aggregates = aggregates.reset_index(drop=True)
    parts = []
    n = aggregates["n"]
    for j in range(1, n_levels + 1):
        count, pct = aggregates[f"n_level_{j}"], aggregates[f"pct_level_{j}"]
        computed = round_half_up_percent(count, n)
        parts.append(
            _frame(aggregates, f"pct_level_{j}", pct, computed, 0, _percent_note(pct, count, n))
        )
    if proficient_level is not None and "published_pct_proficient" in aggregates:
        top = _sum_levels(aggregates, proficient_level, n_levels)
        pct = aggregates["published_pct_proficient"]
        parts.append(
            _frame(
                aggregates,
                "pct_proficient",
                pct,
                round_half_up_percent(top, n),
                0,
                _percent_note(pct, top, n),
            )
        )
    return _concat(parts)


def check_level_counts(
    aggregates: pd.DataFrame, *, n_levels: int, proficient_level: int | None = None
) -> pd.DataFrame:
    """The published n against the sum of the level counts (and the proficient count).

    Returns
    -------
    pandas.DataFrame
        Measure ``n`` (published n vs the sum of ``n_level_1..k``) and, with
        ``proficient_level``, ``n_proficient`` (``published_n_proficient``, DESE's ``M+E #``
        or ``P+A #``, vs the counts at that level and above); tolerance 0.

    Notes
    -----
    Every student included is at exactly one level, so :math:`N = \\sum_j c_j` and
    :math:`c_{M+E} = c_3 + c_4`, exactly: counts are not rounded. A difference is a
    disagreement between the state's own figures (realdata README: 3 of 158,962 rows of the
    full Next-Generation collection). A row is checked only when every level count is given.
    """
    aggregates = aggregates.reset_index(drop=True)
    counts = aggregates[[f"n_level_{j}" for j in range(1, n_levels + 1)]].apply(pd.to_numeric)
    complete = counts.notna().all(axis=1)
    total = counts.sum(axis=1).where(complete)
    n = aggregates["n"]
    parts = [
        _frame(
            aggregates,
            "n",
            n,
            total,
            0,
            lambda i: (
                "the level counts add up to "
                + _num(total[i])
                + ", not the published n "
                + _num(n[i])
                + f": {STATE_DISAGREES}"
            ),
        )
    ]
    if proficient_level is not None and "published_n_proficient" in aggregates:
        top = _sum_levels(aggregates, proficient_level, n_levels)
        pub = aggregates["published_n_proficient"]
        parts.append(
            _frame(
                aggregates,
                "n_proficient",
                pub,
                top,
                0,
                lambda i: (
                    "published " + _num(pub[i]) + f" proficient, but levels {proficient_level}-"
                    f"{n_levels} hold " + _num(top[i]) + f": {STATE_DISAGREES}"
                ),
            )
        )
    return _concat(parts)


def check_index_bounds(
    aggregates: pd.DataFrame,
    *,
    model: str,
    points: Mapping[int, float | tuple[float, float]],
    scale: float = 1.0,
    decimals: int = 1,
    above_note: str | None = None,
) -> pd.DataFrame:
    """A published index that counts cannot pin down, against the bounds they allow.

    For a split-level index (points ``[low, high]`` for the two halves of a level), level
    counts fix the index only between every student of a split level scoring its low half
    and every one its high half. The published value should lie in that interval.

    Parameters
    ----------
    aggregates
        Rows with ``n``, ``n_level_1..k``, ``published_index`` and
        ``published_index_model``; only rows of ``model`` are checked.
    model
        The index model id (``ma_cpi``).
    points
        Points per level (a number, or ``(low, high)`` for a split level), as in
        kit/frameworks/index_models.yaml.
    scale
        The model's scale (index = scale x points / N).
    decimals
        Decimals of the published index.
    above_note
        Note for a value above the upper bound (a known reason), else a generic one.

    Returns
    -------
    pandas.DataFrame
        Measure ``model``; ``computed`` is the middle of the interval, ``tolerance`` half
        its width plus half a unit of the published last decimal, so ``agrees`` is true
        exactly when the published value lies in the interval widened by rounding.

    Notes
    -----
    The Massachusetts CPI (seed 004, Table 4; DESE) gives 100 points to Proficient and
    Advanced, 75 or 50 to Needs Improvement (high or low half, by scaled score), 25 or 0 to
    Warning/Failing, and divides by the students included :math:`N`. From the counts alone:

    .. math:: L = \\frac{100 (P + A) + 50\\, NI}{N} \\le CPI \\le
              U = \\frac{100 (P + A) + 75\\, NI + 25\\, W/F}{N}

    The published CPI has one decimal, so it may exceed the interval by 0.05 through
    rounding: agrees iff :math:`L - 0.05 \\le CPI \\le U + 0.05`, i.e.
    :math:`|CPI - (L + U)/2| \\le (U - L)/2 + 0.05`. A CPI above :math:`U` is not rounding:
    students taking the MCAS-Alt who score "Progressing" earn 100 points while counted in a
    lower level (realdata README: 13.5 % of the 2016 school rows). A CPI below :math:`L` has
    no such explanation.
    """
    rows = aggregates[aggregates["published_index_model"] == model].reset_index(drop=True)
    low = pd.Series(0.0, index=rows.index)
    high = pd.Series(0.0, index=rows.index)
    complete = pd.Series(True, index=rows.index)
    for level, pts in points.items():
        lo, hi = pts if isinstance(pts, tuple | list) else (pts, pts)
        c = pd.to_numeric(rows[f"n_level_{level}"])
        complete &= c.notna()
        low += lo * c.fillna(0)
        high += hi * c.fillna(0)
    n = pd.to_numeric(rows["n"]).where(lambda v: v > 0)
    lower = (scale * low / n).where(complete)
    upper = (scale * high / n).where(complete)
    half_unit = 0.5 * 10.0**-decimals
    published = pd.to_numeric(rows["published_index"])
    reason = above_note or "more points than the level counts allow"

    def explain(i: pd.Index) -> pd.Series:
        over = (
            "above the upper bound of "
            + _num(upper[i].round(2))
            + " by "
            + _num((published[i] - upper[i]).round(2))
            + ": "
            + reason
        )
        under = (
            "below the lower bound of "
            + _num(lower[i].round(2))
            + ": fewer points than the level counts allow; check the counts"
        )
        return over.where(published[i] > upper[i], under)

    within = "within [" + _num(lower.round(2)) + ", " + _num(upper.round(2)) + "]"
    return _concat(
        [
            _frame(
                rows,
                model,
                published,
                (lower + upper) / 2,
                (upper - lower) / 2 + half_unit,
                explain,
                within,
            )
        ]
    )


MCAS_ALT_NOTE = (
    "the MCAS-Alt effect: students on the alternate assessment scoring "
    "'Progressing' earn 100 CPI points while counted in a lower level"
)


def check_weighted_percents(
    aggregates: pd.DataFrame,
    *,
    model: str,
    weights: Mapping[str, float],
    percent_decimals: int = 1,
    index_decimals: int = 1,
) -> pd.DataFrame:
    """A published index that is a weighted sum of published percents, recomputed from them.

    Parameters
    ----------
    aggregates
        Rows with the percent columns named in ``weights`` and ``published_index``; only
        rows whose ``published_index_model`` is ``model`` are checked, and only when every
        weighted percent is given.
    weights
        Weight per percent column, e.g. Ohio's ``{"pct_not_tested": 0, "pct_level_1": 0.3,
        ..., "pct_level_6": 1.3}``.
    percent_decimals, index_decimals
        Decimals of the published percents and of the published index.

    Returns
    -------
    pandas.DataFrame
        Measure ``model``; computed :math:`\\sum_i w_i p_i`; tolerance
        :math:`\\tfrac12 10^{-d_p} \\sum_i |w_i| + \\tfrac12 10^{-d_I}`.

    Notes
    -----
    Ohio's Performance Index is :math:`PI = \\sum_i w_i \\pi_i` over the exact percents
    :math:`\\pi_i` of students at each level (Not Tested 0, Limited 0.3, Basic 0.6,
    Proficient 1.0, Accomplished 1.1, Advanced 1.2, Advanced Plus 1.3). Ohio publishes the
    percents rounded to one decimal, :math:`|p_i - \\pi_i| \\le 0.05`, so

    .. math:: \\Big|\\sum_i w_i p_i - \\sum_i w_i \\pi_i\\Big| \\le 0.05 \\sum_i |w_i|
              = 0.05 \\times 5.5 = 0.275

    and the published index is itself rounded (by at most 0.05 at one decimal), so the
    published PI lies within :math:`0.05 \\sum w + 0.05 = 0.325` of the weighted sum of the
    published percents. Beyond that the percents and the index disagree. (The 2020-21 file
    prints the index to three decimals; the bound used is the one-decimal one, which holds
    a fortiori.)
    """
    rows = aggregates[aggregates["published_index_model"] == model].reset_index(drop=True)
    values = rows[list(weights)].apply(pd.to_numeric)
    complete = values.notna().all(axis=1)
    computed = sum(w * values[c] for c, w in weights.items()).where(complete)
    tolerance = weighted_percent_tolerance(
        weights, percent_decimals=percent_decimals, index_decimals=index_decimals
    )
    return _concat(
        [
            _frame(
                rows,
                model,
                rows["published_index"],
                computed,
                tolerance,
                lambda i: (
                    "the weighted sum of the published percents is "
                    + _num(computed[i].round(3))
                    + f", more than {tolerance:g} from "
                    f"the published index: {STATE_DISAGREES}"
                ),
            )
        ]
    )


def check_computed(
    rows: pd.DataFrame,
    *,
    measure: str,
    published: str,
    computed: str,
    tolerance: float | pd.Series,
    note: str | pd.Series = "",
    disagree_note: str | None = None,
) -> pd.DataFrame:
    """A published figure against the same figure computed elsewhere (e.g. the facts).

    ``rows`` has the keys and the columns ``published`` and ``computed``; rows lacking
    either are not checked. ``disagree_note`` is the note of a row outside ``tolerance``.
    """
    rows = rows.reset_index(drop=True)
    tol = tolerance.reset_index(drop=True) if isinstance(tolerance, pd.Series) else tolerance
    within = f"{tolerance:g}" if isinstance(tolerance, int | float) else "the tolerance"
    why = disagree_note or f"more than {within} from the computed value"
    return _concat([_frame(rows, measure, rows[published], rows[computed], tol, why, note)])


def weighted_percent_tolerance(
    weights: Mapping[str, float], *, percent_decimals: int = 1, index_decimals: int = 1
) -> float:
    """The tolerance of :func:`check_weighted_percents`: half a unit of each published
    percent times its weight, plus half a unit of the published index."""
    return (
        0.5 * 10.0**-percent_decimals * sum(abs(w) for w in weights.values())
        + 0.5 * 10.0**-index_decimals
    )


def _percent_note(pct: pd.Series, count: pd.Series, n: pd.Series):
    def explain(i: pd.Index) -> pd.Series:
        exact = (100 * pd.to_numeric(count[i]) / pd.to_numeric(n[i])).round(2)
        return (
            "published "
            + _num(pct[i])
            + " %, but "
            + _num(count[i])
            + " of "
            + _num(n[i])
            + " is "
            + _num(exact)
            + f" %: {STATE_DISAGREES}"
        )

    return explain


def _sum_levels(aggregates: pd.DataFrame, first: int, last: int) -> pd.Series:
    cols = aggregates[[f"n_level_{j}" for j in range(first, last + 1)]].apply(pd.to_numeric)
    return cols.sum(axis=1).where(cols.notna().all(axis=1))


def _num(values: pd.Series) -> pd.Series:
    """Numbers as text for notes: 55,498, 23, 74.5."""
    v = pd.to_numeric(values)
    text = [
        "" if pd.isna(x) else (f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0"))
        for x in v
    ]
    return pd.Series(text, index=v.index, dtype=object)
