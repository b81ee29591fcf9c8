"""Helpers the accountability views share (index and district families).

Placeholders for SQL ``IN`` lists, JSON and boolean columns of the facts store, and the one
place a report reads which groups it hides (:func:`decisions`: the build decided).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from kit._frames import records
from kit.errors import FactsError
from kit.facts import Facts
from kit.fmt import shown_diff
from kit.views.context import ReportContext

PCT = "pct_proficient"


def _in(values) -> str:
    return ", ".join("?" * len(values))


def _json(text) -> Any:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    return json.loads(text) if isinstance(text, str) else text


def _true(x) -> bool:
    """A facts boolean (True, False, None or pandas NA) as a plain bool: only True is true."""
    return x is not None and x is not pd.NA and bool(x)


def has_accountability(facts: Facts) -> bool:
    """True when the facts store holds AYP results (the framework has AYP rules)."""
    return {"ayp", "accountability_rules", "amo_targets"} <= set(facts.tables)


def decisions(
    facts: Facts, entity_ids: list[str], years: list[int], *, grade: str = "ALL"
) -> pd.DataFrame:
    """What reports may show of each group of ``entity_ids`` in ``years``: the build's
    decision (``kit.protect``), read, never recomputed.

    One row per year x entity x subject x group (grade ``grade``): the keys, ``suppressed``,
    ``suppression_reason`` (``small``: 1 to the minimum - 1 students; ``complement``: hidden
    so that a smaller group's result cannot be worked out by subtraction; ``none``: no
    accountable tested students, nothing to show) and ``protects`` (the sum a complementary
    cell closes). Every report of a batch reads the same decisions, so the district's and
    the schools' reports hide consistently.
    """
    if not entity_ids or not years:
        return pd.DataFrame(columns=[*_DECISION_KEYS, "suppressed", "suppression_reason"])
    if "suppression_reason" not in facts.columns("performance"):
        raise FactsError(
            f"{facts.path} was built by an older kit without its suppression decisions.",
            fix="Run kit build again to rebuild the facts store.",
        )
    rows = _entity_decisions(facts, entity_ids, years, grade)
    if rows is None:
        rows = facts.sql(
            f"SELECT {_DECISION_COLUMNS} FROM performance "
            f"WHERE grade = ? AND entity_id IN ({_in(entity_ids)}) AND year IN ({_in(years)})",
            [grade, *entity_ids, *years],
        )
    empty = rows["n_fay_tested"].fillna(0).to_numpy() <= 0
    rows["suppressed"] = rows["suppressed"].fillna(True).astype(bool) | empty
    rows["suppression_reason"] = rows["suppression_reason"].where(
        ~(empty & (rows["suppression_reason"] == "")), "none"
    )
    return rows.drop(columns=["n_fay_tested"])


_DECISION_KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]
_DECISION_COLUMNS = (
    'year, entity_type, entity_id, subject, grade, "group", n_fay_tested, suppressed, '
    "suppression_reason, protects"
)


def _entity_decisions(
    facts: Facts, entity_ids: list[str], years: list[int], grade: str
) -> pd.DataFrame | None:
    """The rows :func:`decisions` reads for one entity, filtered from all of that entity's
    rows, read once per report (an index report asked nine times, for different years and
    grades). None (read them directly) for several entities, or when a column has a
    missing value: DuckDB types such a column by the rows it returns, and the direct read
    of fewer rows might type it otherwise."""
    if len(entity_ids) != 1:
        return None
    every = facts.kept_sql(
        f"SELECT {_DECISION_COLUMNS} FROM performance WHERE entity_id = ?", [entity_ids[0]]
    )
    if every.isna().any().any():
        return None
    keep = (every["grade"] == grade) & every["year"].isin(years)
    return every[keep].reset_index(drop=True)


def hidden_for(
    facts: Facts, ctx: ReportContext, entity_ids: list[str], years: list[int]
) -> pd.DataFrame:
    """:func:`decisions` of the groups of ``entity_ids`` in ``years`` (all grades)."""
    return decisions(facts, entity_ids, years)


def hide_other(
    df: pd.DataFrame, dec: pd.DataFrame, columns: list[str], *, on: list[str]
) -> pd.DataFrame:
    """``columns`` of ``df`` set to NaN where another entity's cell (``dec``, e.g. the
    state's decisions, joined on ``on``) is hidden: a comparison with a hidden figure would
    give it away. Rows without a decision are hidden too."""
    hidden = df[on].merge(dec[[*on, "suppressed"]], on=on, how="left")["suppressed"]
    hide = hidden.fillna(True).astype(bool).to_numpy()
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].astype("float64").where(~hide)
    return out


def shown_gap(a: pd.Series, b, digits=1) -> pd.Series:
    """``a - b`` row by row between the figures as shown (:func:`kit.fmt.shown_diff`):
    ``b`` a Series or one number, ``digits`` an int or a Series (per row). NaN where
    either figure is missing (hidden)."""
    n = len(a)
    bs = b.to_numpy() if isinstance(b, pd.Series) else [b] * n
    ds = digits.to_numpy() if isinstance(digits, pd.Series) else [digits] * n
    return pd.Series(
        [shown_diff(x, y, int(d)) for x, y, d in zip(a.to_numpy(), bs, ds, strict=True)],
        index=a.index,
        dtype="float64",
    )


def measure_digits(facts: Facts, measure: str) -> int:
    """Decimals a measure is shown with: 3 on a 0-1 scale (the PPI), else 1 (as in ``ayp.path``)."""
    if measure == PCT:
        return 1
    return model_digits(facts.table("index_models", model=measure)).get(measure, 1)


def measures_digits(facts: Facts, measures: pd.Series) -> pd.Series:
    """:func:`measure_digits` of each of ``measures``, reading ``index_models`` once (not
    once per row)."""
    digits = model_digits(facts.table("index_models")) if len(measures) else {}
    return measures.map(lambda m: digits.get(m, 1))


def model_digits(models: pd.DataFrame) -> dict[str, int]:
    """:func:`measure_digits` of every measure, from rows of ``index_models`` (one query for
    a whole view)."""
    out = {PCT: 1}
    for model, high in zip(models["model"], models["range_high"], strict=True):
        out[model] = 3 if high is not None and not pd.isna(high) and float(high) <= 1.0 else 1
    return out


def _rules(facts: Facts) -> pd.DataFrame:
    rules = facts.table("accountability_rules")
    rules["params"] = rules["params"].map(_json)
    return rules


def state_banner(facts: Facts, system: str, *, district_type: str | None = None) -> list[dict]:
    """The illustrative rules an MSIP 5 or PBMAS report rests on: ``{"label", "note"}`` for
    each rule or table of ``state_rules`` marked ``verified: false``.

    For MSIP 5 (``district_type`` K12 or K8) the rules of the other district type are left
    out (high school readiness for K-12, CCR and graduation for K-8, the other type's
    points). PBMAS indicator cut points are gathered into one entry naming the indicators
    (each one's note is in the framework file).
    """
    if "state_rules" not in facts.tables:
        return []
    rules = facts.table("state_rules", system=system)
    rules = rules[~rules["verified"].astype(bool)]
    if district_type is not None:
        points = rules["section"].isin(["district_types", "standards"])
        rules = rules[~points | rules["id"].astype(str).str.startswith(district_type)]
        other = ("hsr",) if district_type == "K12" else ("ccr", "graduation")
        rules = rules[~rules["section"].isin(other)]
    out = [
        {"label": str(r["label"]), "note": None if pd.isna(r["note"]) else str(r["note"])}
        for r in records(rules[rules["section"] != "indicator"])
    ]
    indicators = rules[rules["section"] == "indicator"]
    if len(indicators):
        out.append(
            {
                "label": f"Cut points of {len(indicators)} indicators",
                "note": "The year's cut points of "
                + ", ".join(indicators["id"].astype(str))
                + " are not known; the values used are illustrative (each indicator's note "
                "is in the framework file).",
            }
        )
    return out
