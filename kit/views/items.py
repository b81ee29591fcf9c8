"""Suppression-aware views over the item tables for one entity, year, subject and grade.

PIM step 3 (3-A identify the items, 3-B analyse the questions, 3-C the skills students
lack, 3-D learning objectives) and Appendix B read four facts tables - ``item_stats``,
``item_options``, ``reliability`` and ``standard_stats`` (docs/item-analysis.md). Every
figure is shown as the build decided (``kit.protect``: the test's group cell in ``reliability``), with all the groups
of a test loaded together so that a group and its complement (or the parts of a
partition) are hidden together; an item row whose ``n`` is below the reporting minimum
never reaches a table, chart or sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.errors import FactsError
from kit.facts import Facts
from kit.views._common import shown_gap
from kit.views.context import ReportContext

_ITEM_VALUES = [
    "points_earned",
    "pct_correct",
    "state_pct_correct",
    "district_pct_correct",
    "diff_vs_state",
    "diff_vs_district",
    "point_biserial",
    "alpha_if_deleted",
]
_STANDARD_VALUES = [
    "n_items",
    "points_earned",
    "points_possible",
    "pct_earned",
    "state_pct_earned",
    "district_pct_earned",
    "gap_vs_state",
    "gap_vs_district",
]
_OPTION_VALUES = ["n_choosing", "pct", "point_biserial"]
_RELIABILITY_VALUES = ["n_incomplete", "mean_total", "sd_total", "alpha", "sem"]

# Flags that say an item measures badly (test quality), as opposed to "hard"/"easy" or
# "trails the state", which describe how students did.
QUALITY_FLAGS = ("negative discrimination", "low discrimination", "distractor beats key")


@dataclass(frozen=True)
class ItemRules:
    """The framework's item-analysis thresholds (framework YAML ``item_analysis``), as the
    build applied them (:func:`item_rules`; the defaults live in the framework schema only)."""

    hard_below: float
    easy_above: float
    min_point_biserial: float
    trails_state_by: float
    min_n: int


def item_rules(facts: Facts) -> ItemRules:
    """The item-analysis thresholds the build judged the stored flags by (the framework as
    applied, :meth:`~kit.facts.Facts.applied_framework`), so a sentence and its table agree."""
    rules = facts.applied_framework()["item_analysis"]
    return ItemRules(**{k: rules[k] for k in ItemRules.__dataclass_fields__})


@dataclass(frozen=True)
class ItemTestView:
    """Everything the report shows about one test (subject x grade) at one entity.

    ``items``: one row per item for all students (``item_stats`` columns plus
    ``suppressed`` and ``suppression_reason``), sorted by ``diff_vs_state``. ``standards``,
    ``categories`` and ``types``: the ``standard_stats`` roll-ups, weakest first.
    ``options``: the MC options of every item (``item_options``). ``state_items``: the
    state's own rows of the same items (for test-quality flags judged on every student).
    ``focus``: the chosen group's item rows (empty when there is no focus group);
    ``focus_suppressed`` is true when the group is hidden on this test, and
    ``focus_reason`` says why (``small``, or ``complement``: hidden so that a smaller group's
    result cannot be worked out by subtraction).
    """

    subject: str
    grade: str
    n: float | None
    suppressed: bool
    reliability: dict
    items: pd.DataFrame
    standards: pd.DataFrame
    categories: pd.DataFrame
    types: pd.DataFrame
    options: pd.DataFrame
    state_items: pd.DataFrame
    rules: ItemRules
    state_source: str
    compare_district: bool
    focus_group: str | None = None
    focus_noun: str | None = None
    focus_label: str | None = None
    focus_n: float | None = None
    focus_suppressed: bool = False
    focus: pd.DataFrame = field(default_factory=pd.DataFrame)
    focus_reason: str = ""

    @property
    def has_distractors(self) -> bool:
        """True when a wrong answer beat the key on some reported item (a distractor chart
        to draw)."""
        return not self.suppressed and not distractors_beating_key(self).empty

    def to_dict(self) -> dict:
        return {
            "subject": self.subject,
            "grade": self.grade,
            "n": self.n,
            "suppressed": self.suppressed,
            "reliability": self.reliability,
            "items": self.items.to_dict("records"),
            "standards": self.standards.to_dict("records"),
            "focus_group": self.focus_group,
            "focus_suppressed": self.focus_suppressed,
        }


def item_tests(facts: Facts, ctx: ReportContext, subject: str) -> list[str]:
    """The tested grades of ``subject`` with item data at the entity, in grade order."""
    grades = facts.sql(
        "SELECT DISTINCT grade FROM item_stats WHERE year = ? AND entity_id = ? AND subject = ?",
        [ctx.year, ctx.entity_id, subject],
    )["grade"].tolist()
    return sorted(grades, key=lambda g: (len(g), g))


def choose_focus_group(facts: Facts, ctx: ReportContext, subject: str) -> str | None:
    """The group whose missed items the report lists: the targeted group furthest below all
    students on the headline index in ``subject`` (``group_ranking``, grade ``ALL``), or
    ``None`` when no reportable group is targeted (PIM 1-A feeds 3-A)."""
    if "group_ranking" not in facts.tables:
        return None
    rows = facts.sql(
        """
        SELECT "group", gap_all, n FROM group_ranking
        WHERE year = ? AND entity_id = ? AND subject = ? AND grade = 'ALL' AND targeted
          AND NOT suppressed AND gap_all < 0
        ORDER BY gap_all, "group"
        """,
        [ctx.year, ctx.entity_id, subject],
    )
    rows = rows[rows["n"] >= ctx.reporting_min_n]
    return str(rows["group"].iloc[0]) if len(rows) else None


_TEST_KEYS = ["year", "entity_id", "subject", "grade", "group"]


@dataclass
class _ItemTables:
    """The entity's rows of the item tables for every test of a report, read with one query
    per table (not one per table and test) and made into what reports may show once for all
    the tests (:func:`_shown_tables`); :meth:`rows` gives one test's rows as a query of that
    test alone would, shown (same columns, rows in the store's order, a fresh index)."""

    frames: dict[str, pd.DataFrame]
    compare_district: bool
    rules: ItemRules
    shown: dict[str, pd.DataFrame] = field(init=False)
    _tests: dict[str, dict[tuple, pd.DataFrame]] = field(init=False)

    def __post_init__(self) -> None:
        self.shown = _shown_tables(self.frames)
        self._tests = {}

    @classmethod
    def read(cls, facts: Facts, ctx: ReportContext, subjects: list[str]) -> _ItemTables:
        ids = [e for e in {ctx.entity_id, ctx.district_id or ctx.entity_id, "STATE"} if e]
        where = f"year = ? AND subject IN ({', '.join('?' * len(subjects))})"
        base = [ctx.year, *subjects]
        frames = {
            # the build's decisions for the tests' item cells at the entity, its district
            # and the state
            "decisions": facts.sql(
                'SELECT year, entity_id, subject, grade, "group", suppressed, '
                f"suppression_reason FROM reliability WHERE {where} "
                f"AND entity_id IN ({', '.join('?' * len(ids))})",
                [*base, *ids],
            ),
            "item_stats": facts.sql(
                f"SELECT * FROM item_stats WHERE {where} AND entity_id = ?",
                [*base, ctx.entity_id],
            ),
            "standard_stats": facts.sql(
                f"SELECT * FROM standard_stats WHERE {where} AND entity_id = ? "
                "AND \"group\" = 'all'",
                [*base, ctx.entity_id],
            ),
            "item_options": facts.sql(
                f"SELECT * FROM item_options WHERE {where} AND entity_id = ? AND \"group\" = 'all'",
                [*base, ctx.entity_id],
            ),
            "reliability": facts.sql(
                f"SELECT * FROM reliability WHERE {where} AND entity_id = ? AND \"group\" = 'all'",
                [*base, ctx.entity_id],
            ),
            "state_items": facts.sql(
                f"""
                SELECT year, entity_id, subject, grade, "group", item_id, n, pct_correct,
                       point_biserial, flag, suppressed FROM item_stats
                WHERE {where} AND entity_id = 'STATE' AND "group" = 'all'
                """,
                base,
            ),
        }
        # One district in the data: the district is the state, so a second comparison adds
        # nothing (and would read as a separate finding).
        compare = ctx.entity_type == "school" and len(facts.districts(ctx.year)) > 1
        return cls(frames, compare, item_rules(facts))

    def rows(self, table: str, subject: str, grade: str) -> pd.DataFrame:
        """One test's rows of a table as read."""
        return _test_rows(self.frames[table], subject, grade)

    def shown_rows(self, table: str, subject: str, grade: str) -> pd.DataFrame:
        """One test's rows of a table of :attr:`shown`, as reports may show them (the table
        split by test once, not filtered once per test)."""
        tests = self._tests.get(table)
        if tests is None:
            by_test = self.shown[table].groupby(["subject", "grade"], sort=False)
            tests = self._tests[table] = {k: g.reset_index(drop=True) for k, g in by_test}
        found = tests.get((subject, grade))
        if found is None:
            return _test_rows(self.shown[table], subject, grade)
        return found.copy(deep=False)  # copy on write: the caller's own frame

    def grades(self, subject: str) -> list[str]:
        """The tested grades of ``subject`` with item data at the entity (:func:`item_tests`)."""
        df = self.frames["item_stats"]
        grades = df.loc[df["subject"] == subject, "grade"].unique().tolist()
        return sorted(grades, key=lambda g: (len(g), g))


def _test_rows(df: pd.DataFrame, subject: str, grade: str) -> pd.DataFrame:
    return df[(df["subject"] == subject) & (df["grade"] == grade)].reset_index(drop=True)


def _shown_tables(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The item tables as reports may show them (:func:`_stored`), worked out once for all
    of a report's tests (every step is row by row, a test's rows and decisions found by
    the test's keys): ``items`` (``item_stats``, every group), ``standard_stats``,
    ``item_options``, ``reliability`` and ``state_items``."""
    dec = frames["decisions"]
    rel = frames["reliability"].drop(columns=["suppression_reason", "protects"])
    state = _stored(
        frames["state_items"], dec, ["n", "pct_correct", "point_biserial"], compare=False
    )
    state["flag"] = state["flag"].where(~state["suppressed"])
    return {
        "items": _items(frames["item_stats"], dec),
        "standard_stats": _stored(frames["standard_stats"], dec, _STANDARD_VALUES),
        "item_options": _stored(frames["item_options"], dec, _OPTION_VALUES),
        "reliability": _stored(rel, dec, ["n", *_RELIABILITY_VALUES], compare=False),
        "state_items": state,
    }


def _stored(
    rows: pd.DataFrame, dec: pd.DataFrame, value_cols: list[str], *, compare: bool = True
) -> pd.DataFrame:
    """Rows of an item table as reports may show them: hidden where the build hid them
    (``suppressed``: their group's test is hidden, or fewer than the minimum answered the
    item), with the test's ``suppression_reason``; a comparison with the district or the
    state is hidden where that entity's figure for the group is (unless the state's figure
    is a published reference, ``state_source`` = ``items``)."""
    out = _with_reason(rows, dec)
    hide = out["suppressed"].fillna(True).astype(bool).to_numpy()
    out["suppressed"] = hide
    out["suppression_reason"] = (
        out["suppression_reason"]
        .fillna("small")
        .where(~hide | (out["suppression_reason"].fillna("") != ""), "small")
    )
    for col in value_cols:
        if col in out.columns:
            out[col] = out[col].astype("float64").where(~hide)
    if not compare:
        return out
    shown = dec.assign(_shown=~dec["suppressed"].astype(bool))
    for prefix, entity in (("state", "STATE"), ("district", None)):
        cols = [
            c
            for c in out.columns
            if c.startswith(f"{prefix}_pct") or c in (f"diff_vs_{prefix}", f"gap_vs_{prefix}")
        ]
        if not cols:
            continue
        if entity is None:
            other = shown[~shown["entity_id"].isin(["STATE", *rows["entity_id"].unique()])]
        else:
            other = shown[shown["entity_id"] == entity]
        # The other entity's cell of the same test and group.
        first = other.drop_duplicates(_CELL)
        shown_of = dict(zip(_keys(first, _CELL), first["_shown"], strict=True))
        ok = np.array([bool(shown_of.get(k, False)) for k in _keys(out, _CELL)], dtype=bool)
        if prefix == "state" and "state_source" in out.columns:
            ok = ok | (out["state_source"] == "items").to_numpy()
        for col in cols:
            out[col] = out[col].astype("float64").where(ok)
    # Differences between the figures as shown (kit.fmt.shown_diff); hidden stays hidden.
    for gap, own, other in _DIFFS:
        if {gap, own, other} <= set(out.columns):
            out[gap] = shown_gap(out[own].astype("float64"), out[other].astype("float64"))
    return out


_CELL = ["subject", "grade", "group"]


def _keys(df: pd.DataFrame, columns: list[str]):
    return zip(*(df[c] for c in columns), strict=True)


def _with_reason(rows: pd.DataFrame, dec: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the decision's ``suppression_reason`` of each row's test cell (a left
    join on the test's keys), by lookup: a pandas merge of a few hundred rows costs several
    milliseconds, and a report makes about a hundred."""
    keys = list(zip(*(dec[k] for k in _TEST_KEYS), strict=True))
    if len(set(keys)) != len(keys) or "suppression_reason" in rows.columns:
        return rows.merge(dec[[*_TEST_KEYS, "suppression_reason"]], on=_TEST_KEYS, how="left")
    reason = dict(zip(keys, dec["suppression_reason"], strict=True))
    out = rows.reset_index(drop=True)
    found = [reason.get(k) for k in zip(*(out[k] for k in _TEST_KEYS), strict=True)]
    out["suppression_reason"] = pd.Series(
        found, index=out.index, dtype=dec["suppression_reason"].dtype
    )
    return out


_DIFFS = [
    ("diff_vs_state", "pct_correct", "state_pct_correct"),
    ("diff_vs_district", "pct_correct", "district_pct_correct"),
    ("gap_vs_state", "pct_earned", "state_pct_earned"),
    ("gap_vs_district", "pct_earned", "district_pct_earned"),
]


def _items(rows: pd.DataFrame, dec: pd.DataFrame) -> pd.DataFrame:
    """One test's ``item_stats`` rows at the entity (every group), as reports may show them."""
    out = _stored(rows, dec, ["n", *_ITEM_VALUES])
    # The flag is judged from the hidden figures: it goes with them.
    out["flag"] = out["flag"].where(~out["suppressed"])
    return out


def _nan(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def view_item_test(
    facts: Facts, ctx: ReportContext, subject: str, grade: str, *, focus_group: str | None = None
) -> ItemTestView:
    """The item analysis of one test at the report's entity, suppression applied."""
    return _item_test(
        facts, ctx, subject, grade, _ItemTables.read(facts, ctx, [subject]), focus_group
    )


def _item_test(
    facts: Facts,
    ctx: ReportContext,
    subject: str,
    grade: str,
    tables: _ItemTables,
    focus_group: str | None,
) -> ItemTestView:
    every = tables.shown_rows("items", subject, grade)
    items = (
        every[every["group"] == "all"]
        .sort_values(["diff_vs_state", "item_id"], kind="stable", na_position="last")
        .reset_index(drop=True)
    )

    std = tables.shown_rows("standard_stats", subject, grade).sort_values(
        ["rollup", "rank", "category"]
    )
    rollups = {
        r: std[std["rollup"] == r].reset_index(drop=True)
        for r in ("standard", "reporting_category", "item_type")
    }

    opts = tables.shown_rows("item_options", subject, grade)
    rel_all = tables.shown_rows("reliability", subject, grade)
    reliability = {k: _nan(v) for k, v in rel_all.iloc[0].to_dict().items()} if len(rel_all) else {}

    state_items = tables.shown_rows("state_items", subject, grade)

    n_all = reliability.get("n")
    n_max = items["n"].max() if len(items) else None
    sources = items["state_source"].dropna().unique().tolist() if len(items) else []
    compare_district = tables.compare_district

    focus = pd.DataFrame()
    label = noun = None
    focus_n = None
    focus_hidden = False
    focus_reason = ""
    if focus_group:
        g = facts.store_sql('SELECT label, noun FROM "groups" WHERE "group" = ?', [focus_group])
        if len(g):
            label, noun = str(g["label"].iloc[0]), str(g["noun"].iloc[0])
        focus = (
            every[every["group"] == focus_group]
            .sort_values(["pct_correct", "item_id"], kind="stable", na_position="last")
            .reset_index(drop=True)
        )
        focus_hidden = focus.empty or bool(focus["suppressed"].all())
        if focus_hidden:
            reasons = focus["suppression_reason"] if len(focus) else pd.Series(dtype=str)
            focus_reason = "complement" if (reasons == "complement").any() else "small"
        else:
            focus_n = float(focus["n"].max())
            focus = focus.merge(
                items[["item_id", "pct_correct"]].rename(
                    columns={"pct_correct": "all_pct_correct"}
                ),
                on="item_id",
                how="left",
            )
            focus["diff_vs_all"] = shown_gap(focus["pct_correct"], focus["all_pct_correct"])

    return ItemTestView(
        subject=subject,
        grade=grade,
        n=_nan(float(n_max)) if n_max is not None else _nan(n_all),
        suppressed=bool(items.empty or items["suppressed"].all()),
        reliability=reliability,
        items=items,
        standards=rollups["standard"],
        categories=rollups["reporting_category"],
        types=rollups["item_type"],
        options=opts,
        state_items=state_items,
        rules=tables.rules,
        state_source=sources[0] if len(sources) == 1 else ("mixed" if sources else ""),
        compare_district=compare_district,
        focus_group=focus_group,
        focus_noun=noun,
        focus_label=label,
        focus_n=focus_n,
        focus_suppressed=focus_hidden,
        focus=focus,
        focus_reason=focus_reason,
    )


def view_item_tests(facts: Facts, ctx: ReportContext) -> list[ItemTestView]:
    """Every test (subject x grade) of the report, subjects in the report's order; the focus
    group of each subject is chosen by :func:`choose_focus_group`. Empty when the facts
    hold a state's published results (the report then says there is no item analysis).

    Raises
    ------
    FactsError
        When a store of student data has no item data (built without items and
        item_responses): a report on it would have nothing to show.
    """
    if "item_stats" not in facts.tables:
        if getattr(ctx, "source", None) == "aggregates":
            return []
        raise FactsError(
            f"There is no item analysis for {ctx.name}: the facts store has no item data (it "
            "was built from a data folder without the items and item_responses tables).",
            fix="Add items.csv and item_responses.csv to the data folder and run kit build again.",
        )
    out = []
    tables = _ItemTables.read(facts, ctx, list(ctx.subjects))
    for subject in ctx.subjects:
        focus = choose_focus_group(facts, ctx, subject)
        for grade in tables.grades(subject):
            out.append(_item_test(facts, ctx, subject, grade, tables, focus))
    return out


# --- derived lists the narrative, charts and tables share ----------------------------------


def trailing_items(view: ItemTestView, limit: int = 6) -> pd.DataFrame:
    """The reported items furthest below the state (most negative ``diff_vs_state``),
    only items below the state, at most ``limit`` (PIM 3-A)."""
    shown = view.items[~view.items["suppressed"] & (view.items["diff_vs_state"].round(1) < 0)]
    return shown.head(limit).reset_index(drop=True)


_PER_VIEW: dict[tuple[int, str], tuple[ItemTestView, pd.DataFrame]] = {}


def _per_view(view: ItemTestView, compute) -> pd.DataFrame:
    """``compute(view)``, computed once per view (the chart, the sentences and the
    report's questions ask for the same lists); each caller gets its own copy."""
    key = (id(view), compute.__name__)
    hit = _PER_VIEW.get(key)
    if hit is None or hit[0] is not view:
        if len(_PER_VIEW) > 128:
            _PER_VIEW.clear()
        hit = _PER_VIEW[key] = (view, compute(view))
    return hit[1].copy()


def distractors_beating_key(view: ItemTestView) -> pd.DataFrame:
    """One row per reported MC item where a wrong option (A-D) drew more students than the
    key: ``item_id``, ``key``, ``key_pct``, ``option``, ``option_pct``, plus the item's
    standard and description (PIM 3-B: what misconception the wrong answer shows).
    Computed once per view."""
    return _per_view(view, _distractors_beating_key)


def _distractors_beating_key(view: ItemTestView) -> pd.DataFrame:
    o = view.options[~view.options["suppressed"]]
    if o.empty:
        return pd.DataFrame(
            columns=[
                "item_id",
                "key",
                "key_pct",
                "option",
                "option_pct",
                "standard",
                "description",
                "pct_correct",
            ]
        )
    # Row by row (a test has a few hundred options; two pandas merges a test cost more):
    # each key, and its item's most chosen wrong answer (ties: the first by letter; a
    # missing share last), where that answer drew more students than the key.
    rows = list(zip(o["item_id"], o["option"], o["pct"], o["is_key"], strict=True))
    top: dict = {}
    for item, option, pct, _ in sorted(
        (r for r in rows if not r[3] and r[1] != "BLANK"),
        key=lambda r: (r[0], math.isnan(r[2]), -r[2] if not math.isnan(r[2]) else 0.0, r[1]),
    ):
        top.setdefault(item, (option, pct))
    beat = [
        (item, key, key_pct, *top[item])
        for item, key, key_pct, is_key in rows
        if is_key and item in top and top[item][1] > key_pct
    ]
    info = {
        i: (s, d, p)
        for i, s, d, p in reversed(
            list(
                zip(
                    view.items["item_id"],
                    view.items["standard"],
                    view.items["description"],
                    view.items["pct_correct"],
                    strict=True,
                )
            )
        )
    }
    missing = (math.nan, math.nan, math.nan)
    columns = {
        "item_id": (o["item_id"].dtype, [b[0] for b in beat]),
        "key": (o["option"].dtype, [b[1] for b in beat]),
        "key_pct": (o["pct"].dtype, [b[2] for b in beat]),
        "option": (o["option"].dtype, [b[3] for b in beat]),
        "option_pct": (o["pct"].dtype, [b[4] for b in beat]),
        "standard": (view.items["standard"].dtype, [info.get(b[0], missing)[0] for b in beat]),
        "description": (
            view.items["description"].dtype,
            [info.get(b[0], missing)[1] for b in beat],
        ),
        "pct_correct": (
            view.items["pct_correct"].dtype,
            [info.get(b[0], missing)[2] for b in beat],
        ),
    }
    both = pd.DataFrame({c: pd.Series(v, dtype=t) for c, (t, v) in columns.items()})
    both["margin"] = both["option_pct"] - both["key_pct"]
    return both.sort_values(["margin", "item_id"], ascending=[False, True]).reset_index(drop=True)


def quality_items(view: ItemTestView) -> pd.DataFrame:
    """Items whose state-wide statistics say they measure badly (a test-quality caveat):
    negative or low discrimination or a distractor beating the key for all students in the
    state. Columns: ``item_id``, ``reasons`` (a list), ``point_biserial`` (state).
    Computed once per view."""
    return _per_view(view, _quality_items)


def _quality_items(view: ItemTestView) -> pd.DataFrame:
    s = view.state_items[~view.state_items["suppressed"]].copy()
    s["reasons"] = (
        s["flag"].fillna("").map(lambda f: [r for r in QUALITY_FLAGS if r in f.split("; ")])
    )
    s = s[s["reasons"].map(len) > 0]
    return s.sort_values("item_id")[["item_id", "reasons", "point_biserial"]].reset_index(drop=True)


def weakest_standards(view: ItemTestView, limit: int = 3) -> pd.DataFrame:
    """Reported standards below the state, largest shortfall first (PIM 3-C), with the
    descriptions of their items joined as ``skill``."""
    s = view.standards[
        ~view.standards["suppressed"]
        & view.standards["category"].notna()
        & (view.standards["gap_vs_state"].round(1) < 0)
    ]
    s = s.sort_values(["gap_vs_state", "category"]).head(limit).copy()
    s["skill"] = s["category"].map(_skills(view))
    return s.reset_index(drop=True)


def _by_standard(view: ItemTestView, column: str):
    """``(standard, value)`` of each item with a standard, in the items' order."""
    return (
        (s, v)
        for s, v in zip(view.items["standard"], view.items[column], strict=True)
        if isinstance(s, str)
    )


def _skills(view: ItemTestView) -> pd.Series:
    """Each standard's item descriptions, each once, joined by "; " (indexed by standard)."""
    joined: dict[str, dict] = {}
    for standard, text in _by_standard(view, "description"):
        joined.setdefault(standard, {})
        if isinstance(text, str):
            joined[standard][text] = None
    return pd.Series({k: "; ".join(v) for k, v in sorted(joined.items())}, dtype=object)


def skills_to_reteach(view: ItemTestView, limit: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The weakest standards a report may turn into skills to reteach (PIM 3-C), and those
    it must not: a standard whose items on this test include one the report flags as not
    measuring well (:func:`quality_items`: negative or low discrimination, a distractor
    beating the key) is held back - check the question before reteaching - so that no
    skill is ever drawn from a faulty item.

    Returns ``(teach, check)``: :func:`weakest_standards` rows (at most ``limit`` to
    teach), ``check`` with ``flagged_items`` (the flagged items behind each)."""
    weak = weakest_standards(view, limit=len(view.standards))
    flagged = set(quality_items(view)["item_id"])
    behind: dict = {}
    for standard, item in _by_standard(view, "item_id"):
        behind.setdefault(standard, [])
        if item in flagged:
            behind[standard].append(item)
    weak["flagged_items"] = weak["category"].map(lambda c: sorted(behind.get(c, [])))
    held = weak["flagged_items"].map(len) > 0
    teach = weak[~held].head(limit).reset_index(drop=True)
    check = weak[held].head(limit).reset_index(drop=True)
    return teach, check


def has_starting_list(view: ItemTestView) -> bool:
    """True when some reported item trails the state by the framework's threshold or more
    (PIM 3-A's starting list): the item-difference chart and the table of the items
    furthest below are drawn for such a test only. A test without one is told in a
    sentence (the items furthest below, named); where the entity is the state in the data
    (one district) every difference is zero and there is nothing to draw."""
    if view.suppressed:
        return False
    shown = view.items[~view.items["suppressed"]]
    return bool((shown["diff_vs_state"] <= -view.rules.trails_state_by).any())
