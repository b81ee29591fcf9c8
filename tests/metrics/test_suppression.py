"""Suppression decisions applied to facts rows, the exact recoverability test, and level
counts and crosstabs under the build's decisions (the engine itself: test_cells.py)."""

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.metrics.cells import crosstab_cells, group_cells
from kit.metrics.suppression import apply_hidden, audit, protect, recoverable, relations_as_dicts

KEY = {"year": 2024, "entity_type": "school", "entity_id": "S1", "subject": "ELA", "grade": "ALL"}


def test_recoverable_finds_a_subtraction():
    # all = swd + non_swd: with all (30) and non_swd (25) published, swd (5) is recovered;
    # with non_swd hidden as well it is not.
    rel = [{0: 1.0, 1: -1.0, 2: -1.0}]
    assert recoverable([30, 5, 25], rel, [False, True, False]).tolist() == [False, True, False]
    assert not recoverable([30, 5, 25], rel, [False, True, True]).any()


def test_apply_hidden_uses_one_decision_for_derived_tables():
    decisions = pd.DataFrame(
        [
            {**KEY, "group": "all", "suppressed": False, "suppression_reason": "", "protects": ""},
            {
                **KEY,
                "group": "swd",
                "suppressed": True,
                "suppression_reason": "complement",
                "protects": "a group and its complement",
            },
        ]
    )
    ayp = pd.DataFrame(
        [
            {**KEY, "group": "all", "value": 70.0, "met": True},
            {**KEY, "group": "swd", "value": 68.0, "met": True},
            {**KEY, "group": "ell", "value": 50.0, "met": False},  # no decision: hidden
        ]
    )
    out = apply_hidden(ayp, decisions, value_cols=["value"]).set_index("group")
    assert (
        np.isnan(out.loc["swd", "value"]) and out.loc["swd", "suppression_reason"] == "complement"
    )
    assert out.loc["swd", "protects"] == "a group and its complement"
    assert out.loc["all", "value"] == 70.0 and not out.loc["all", "suppressed"]
    assert np.isnan(out.loc["ell", "value"]) and out.loc["ell", "suppressed"]
    assert ayp.loc[1, "value"] == 68.0  # input untouched


_STUDENT = st.tuples(
    st.booleans(), st.booleans(), st.sampled_from(["AS", "BL", "WH"]), st.integers(1, 4)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_STUDENT, max_size=80), st.integers(1, 15))
def test_no_published_level_count_lets_a_hidden_group_be_derived(students, min_n):
    """Group counts, complements, a partition and the level counts of every shown group:
    with the decision taken on group counts, no hidden count (of a group or of one of its
    levels) can be pinned down from the published ones."""
    members = {
        "all": lambda s: True,
        "swd": lambda s: s[0],
        "non_swd": lambda s: not s[0],
        "low_income": lambda s: s[1],
        "non_low_income": lambda s: not s[1],
        **{f"race_{r}": (lambda s, r=r: s[2] == r) for r in ("AS", "BL", "WH")},
    }
    groups = list(members)
    perf = pd.DataFrame(
        [{**KEY, "group": g, "n_fay_tested": sum(members[g](s) for s in students)} for g in groups]
    )
    system = group_cells(perf, size_cols=["n_fay_tested"], grade_col=None)
    decision = protect(system, min_n)
    cells = system.cells.reset_index(drop=True)
    hidden_cell = dict(zip(cells["group"], decision.hidden, strict=True))
    # Values: each cell's count, then its count at each of the four levels.
    pos = {g: i for i, g in enumerate(cells["group"])}
    n_cells = len(cells)
    values, hidden = list(system.size[:, 0]), list(decision.hidden)
    lvl = {}
    for g in cells["group"]:
        for lv in range(1, 5):
            lvl[(g, lv)] = len(values)
            if g in members:
                values.append(sum(members[g](s) and s[3] == lv for s in students))
            else:  # the unpublished rest of the race partition: the others' difference
                values.append(0.0)
            hidden.append(hidden_cell[g])
    rels = relations_as_dicts(system)
    for rel in list(rels):  # every sum holds at each level too
        for lv in range(1, 5):
            rels.append({lvl[(cells["group"][i], lv)]: c for i, c in rel.items() if i < n_cells})
    for g in cells["group"]:  # the levels of a group add up to its count
        rels.append({pos[g]: 1.0, **{lvl[(g, lv)]: -1.0 for lv in range(1, 5)}})
    vals = np.asarray(values, float)
    found = recoverable(vals, rels, hidden)
    small = (vals > 0) & (vals < min_n)
    # a level count of a shown group may be small (MCAS shows every level of a shown group);
    # what must never be derivable is a hidden one.
    assert not (found & small & np.asarray(hidden)).any()


def _cube(counts, dims=("low_income", "ell", "swd")):
    inner = dict(zip(itertools.product("YN", repeat=len(dims)), counts, strict=True))
    rows = []
    for cell in itertools.product(("Y", "N", "ALL"), repeat=len(dims)):
        n = sum(
            v
            for key, v in inner.items()
            if all(c in ("ALL", k) for c, k in zip(cell, key, strict=True))
        )
        rows.append({**KEY, **dict(zip(dims, cell, strict=True)), "n": n})
    return pd.DataFrame(rows)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=8, max_size=8), st.integers(1, 20))
def test_no_crosstab_cell_can_be_derived(counts, min_n):
    dims = ["low_income", "ell", "swd"]
    system = crosstab_cells(_cube(counts, dims), dims=dims)
    d = protect(system, min_n)
    small = (system.size[:, 0] > 0) & (system.size[:, 0] < min_n)
    assert d.hidden[small].all()  # every small cell is hidden
    assert audit(system, d.hidden, min_n).empty
    found = recoverable(system.size[:, 0], relations_as_dicts(system), d.hidden)
    assert not (found & small).any()
