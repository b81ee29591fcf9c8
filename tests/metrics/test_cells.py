"""Complementary suppression over cells tied by sums (issue: no published figure may reveal
fewer than ten students). Hand-worked cases, the demo district's regression case, and
properties over random districts checked with an exact linear-algebra audit."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.metrics.cells import crosstab_cells, group_cells
from kit.metrics.groups import GROUPS
from kit.metrics.suppression import audit, protect, recoverable, relations_as_dicts

SIZES = ["n_fay_tested", "n_tested", "n_enrolled"]
PARENTS = pd.DataFrame(
    {
        "entity_id": ["S1", "S2", "S3", "S4", "S5", "D1"],
        "parent_id": ["D1", "D1", "D1", "D1", "D1", "STATE"],
    }
)


def rows(entity, counts, *, entity_type="school", enrolled=None):
    """Performance-like rows of one entity: {group: n} (n_tested = n_enrolled = n unless
    ``enrolled`` gives another n_enrolled)."""
    enrolled = enrolled or {}
    return [
        {
            "year": 2024,
            "subject": "MATH",
            "grade": "ALL",
            "entity_type": entity_type,
            "entity_id": entity,
            "group": g,
            "n_fay_tested": n,
            "n_tested": n,
            "n_enrolled": enrolled.get(g, n),
        }
        for g, n in counts.items()
    ]


def decide(frame, min_n=10, parents=None):
    system = group_cells(pd.DataFrame(frame), size_cols=SIZES, parents=parents)
    decision = protect(system, min_n)
    out = decision.frame(system)
    out = out[out["suppression_reason"] != "unpublished"].set_index(["entity_id", "group"])
    return system, decision, out


def exact_revealed(system, hidden, min_n):
    """Cells of 1..min_n-1 students that linear algebra pins down from the published ones."""
    hidden = hidden | ~system.cells["published"].to_numpy(bool)
    got = recoverable(system.size[:, 0], relations_as_dicts(system), hidden)
    small = ((system.size > 0) & (system.size < min_n)).any(axis=1)
    return np.flatnonzero(got & small)


def test_group_ids_agree_with_the_input_contract():
    from kit.data.schemas import GROUP_IDS

    assert tuple(g.id for g in GROUPS) == GROUP_IDS


# --- the demo district (issue 10): two hidden race groups, one of them empty -----------------

DEMO_DISTRICT = {  # MATH 2024, district D01 of the default demo (accountable tested students)
    "all": 1128,
    "race_AI": 9,
    "race_AS": 64,
    "race_BL": 57,
    "race_HI": 102,
    "race_MR": 39,
    "race_PI": 0,
    "race_WH": 857,
    "gender_F": 563,
    "gender_M": 551,
    "gender_X": 14,
}


def test_demo_district_empty_group_does_not_protect_a_group_of_nine():
    # Old rule: AI (9) and PI (0 tested, 1 enrolled) both hidden, so "two hidden parts" and
    # nothing else; 1128 - (64 + 57 + 102 + 39 + 857) = 9 gave AI away. The empty PI cell
    # protects nothing: a third race group must be hidden.
    frame = rows(
        "D1",
        DEMO_DISTRICT,
        entity_type="district",
        enrolled={"race_PI": 1, "all": 1129, "gender_X": 15},
    )
    system, decision, out = decide(frame)
    race = out.loc["D1"].loc[[g for g in DEMO_DISTRICT if g.startswith("race_")]]
    assert race.loc["race_AI", "suppression_reason"] == "small"
    assert race.loc["race_PI", "suppression_reason"] == "small"  # 1 enrolled, 0 tested
    extra = race[race["suppression_reason"] == "complement"]
    # the smallest race group that closes the gap: multi-race, 39 students
    assert extra.index.tolist() == ["race_MR"]
    assert extra["protects"].tolist() == ["race/ethnicity"]
    assert audit(system, decision.hidden, 10).empty
    assert not len(exact_revealed(system, decision.hidden, 10))
    # the old decision, audited, shows the leak the issue found
    old = system.cells.assign(h=system.cells["group"].isin(["race_AI", "race_PI"]))["h"]
    found = audit(system, old.to_numpy(), 10)
    assert found[["finding", "group", "size", "via"]].values.tolist() == [
        ["small sum", "all", 9.0, "race/ethnicity"]
    ]


def test_a_schools_hidden_group_cannot_be_worked_out_from_the_district():
    # swd: S1 5, S2 30, S3 40; district 75. Without care, S1 = 75 - 30 - 40.
    base = {"all": 100}
    frame = (
        rows("S1", {**base, "swd": 5, "non_swd": 95})
        + rows("S2", {**base, "swd": 30, "non_swd": 70})
        + rows("S3", {**base, "swd": 40, "non_swd": 60})
        + rows("D1", {"all": 300, "swd": 75, "non_swd": 225}, entity_type="district")
    )
    system, decision, out = decide(frame, parents=PARENTS)
    assert out.loc[("S1", "swd"), "suppression_reason"] == "small"
    assert out.loc[("S1", "non_swd"), "suppressed"]
    # schools hide more than the district: the district keeps its figure, and the smallest
    # school cell that closes the district sum (S2, 30) is hidden with its complement
    assert not out.loc[("D1", "swd"), "suppressed"]
    assert out.loc[("S2", "swd"), "suppression_reason"] == "complement"
    assert out.loc[("S2", "swd"), "protects"] == "district total"
    assert out.loc[("S2", "non_swd"), "suppressed"]
    assert not out.loc[("S3", "swd"), "suppressed"]
    assert audit(system, decision.hidden, 10).empty
    assert not len(exact_revealed(system, decision.hidden, 10))


def test_small_groups_together_must_hold_ten():
    # AI 3 and PI 4 hidden: all - shown = 7 students' combined result. Hide one more.
    counts = {"all": 200, "race_AI": 3, "race_PI": 4, "race_AS": 40, "race_WH": 153}
    system, decision, out = decide(rows("S1", counts))
    o = out.loc["S1"]
    assert o.loc["race_AS", "suppression_reason"] == "complement"  # smallest sufficient
    assert not o.loc["race_WH", "suppressed"] and not o.loc["all", "suppressed"]
    assert audit(system, decision.hidden, 10).empty


def test_a_group_without_a_published_complement():
    # 95 of 100 students are Title I: all - title1 = the 5 others' result. Hide title1.
    system, decision, out = decide(rows("S1", {"all": 100, "title1": 95}))
    assert out.loc[("S1", "title1"), "suppression_reason"] == "complement"
    assert not out.loc[("S1", "all"), "suppressed"]
    assert audit(system, decision.hidden, 10).empty


def test_missing_gender_codes_form_an_unpublished_rest():
    # F 50 + M 45 of 100: 5 students have no gender code; F and M may both be shown only
    # if the 5 cannot be told apart from... they can: all - F - M = 5. One of F, M hides.
    system, decision, out = decide(rows("S1", {"all": 100, "gender_F": 50, "gender_M": 45}))
    o = out.loc["S1"]
    assert o.loc[["gender_F", "gender_M"], "suppressed"].sum() == 1
    assert o.loc["gender_M", "suppression_reason"] == "complement"  # the smaller one
    assert audit(system, decision.hidden, 10).empty


def test_everyone_shown_when_nothing_is_small():
    counts = {"all": 100, "swd": 20, "non_swd": 80, "race_AS": 30, "race_WH": 70}
    system, decision, out = decide(rows("S1", counts))
    assert not out["suppressed"].any()
    assert decision.rounds == 1


def test_decision_is_stable_across_runs_and_row_order():
    frame = pd.DataFrame(rows("D1", DEMO_DISTRICT, entity_type="district"))
    a = decide(frame)[2]
    b = decide(frame.sample(frac=1.0, random_state=3))[2]
    pd.testing.assert_series_equal(a["suppressed"].sort_index(), b["suppressed"].sort_index())


# --- crosstabs -------------------------------------------------------------------------------


def test_crosstab_cell_of_three_gets_partners_in_row_and_column():
    import itertools

    inner = {("Y", "Y"): 3, ("Y", "N"): 40, ("N", "Y"): 25, ("N", "N"): 60}
    data = []
    for cell in itertools.product(("Y", "N", "ALL"), repeat=2):
        n = sum(
            v
            for k, v in inner.items()
            if all(c in ("ALL", x) for c, x in zip(cell, k, strict=True))
        )
        data.append(
            {
                "year": 2024,
                "entity_type": "school",
                "entity_id": "S1",
                "low_income": cell[0],
                "swd": cell[1],
                "n": n,
            }
        )
    system = crosstab_cells(pd.DataFrame(data), dims=["low_income", "swd"])
    d = protect(system, 10)
    out = d.frame(system).set_index(["low_income", "swd"])
    assert out.loc[("Y", "Y"), "suppression_reason"] == "small"
    # (Y,N) 40 and (N,Y) 25 close the row and the column; then (N,N) closes both again
    assert set(out.index[out["suppressed"]]) == {("Y", "Y"), ("Y", "N"), ("N", "Y"), ("N", "N")}
    assert not out.loc[("ALL", "ALL"), "suppressed"]
    assert audit(system, d.hidden, 10).empty
    assert not len(exact_revealed(system, d.hidden, 10))


# --- properties over random districts ---------------------------------------------------------

_RACES = ["AI", "AS", "BL", "HI", "MR", "PI", "WH"]


def random_district(
    seed: int, n_schools: int, scale: int, grades: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Performance rows of a random district built from random students, so every sum holds
    exactly; group sizes run from 0 and 1 through just under and over ten."""
    rng = np.random.default_rng(seed)
    recs = []
    for s in range(n_schools):
        n = int(rng.integers(scale // 3, scale + 1))
        race_p = rng.dirichlet(np.full(7, 0.4))
        recs.append(
            pd.DataFrame(
                {
                    "school": f"S{s + 1}",
                    "race_ethnicity": rng.choice(_RACES, n, p=race_p),
                    "gender": rng.choice(["F", "M", "X", None], n, p=[0.47, 0.47, 0.02, 0.04]),
                    "low_income": rng.random(n) < rng.uniform(0.05, 0.95),
                    "ell": rng.random(n) < rng.uniform(0.0, 0.3),
                    "swd": rng.random(n) < rng.uniform(0.02, 0.3),
                    "title1": rng.random(n) < rng.uniform(0.0, 1.0),
                    "migrant": rng.random(n) < 0.05,
                    "tested": rng.random(n) < 0.96,
                    "fay": rng.random(n) < 0.95,
                    "grade": rng.choice(list(grades) or ["ALL"], n),
                }
            )
        )
    st_ = pd.concat(recs, ignore_index=True)
    st_["former_ell"] = ~st_["ell"] & (rng.random(len(st_)) < 0.08)
    member = {}
    for g in GROUPS:
        if g.kind == "race":
            member[g.id] = st_["race_ethnicity"] == g.id[-2:]
        elif g.kind == "gender":
            member[g.id] = st_["gender"] == g.id[-1]
        elif g.id == "all":
            member[g.id] = pd.Series(True, index=st_.index)
        elif g.id == "ever_ell":
            member[g.id] = st_["ell"] | st_["former_ell"]
        elif g.id == "high_needs":
            member[g.id] = st_["low_income"] | st_["ell"] | st_["former_ell"] | st_["swd"]
        elif g.id == "super_subgroup":
            member[g.id] = (
                st_["race_ethnicity"].isin(["BL", "HI"])
                | st_["low_income"]
                | st_["ell"]
                | st_["swd"]
            )
        elif g.complement:
            base = g.complement
            member[g.id] = ~(member[base] if base in member else st_[base])
        else:
            member[g.id] = st_[g.id]
    out = []
    for ent, sel, etype in [
        (f"S{s + 1}", st_["school"] == f"S{s + 1}", "school") for s in range(n_schools)
    ] + [("D1", slice(None), "district"), ("STATE", slice(None), "state")]:
        for grade in ["ALL", *grades]:
            part = st_.loc[sel]
            if grade != "ALL":
                part = part[part["grade"] == grade]
            for gid, m in member.items():
                mm = m.loc[part.index]
                out.append(
                    {
                        "year": 2024,
                        "subject": "MATH",
                        "grade": grade,
                        "entity_type": etype,
                        "entity_id": ent,
                        "group": gid,
                        "n_enrolled": int(mm.sum()),
                        "n_tested": int((mm & part["tested"]).sum()),
                        "n_fay_tested": int((mm & part["tested"] & part["fay"]).sum()),
                    }
                )
    return pd.DataFrame(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.integers(1, 5),
    st.sampled_from([12, 25, 40, 80, 200]),
    st.integers(5, 20),
)
def test_random_districts_reveal_nothing(seed, n_schools, scale, min_n):
    frame = random_district(seed, n_schools, scale)
    parents = pd.DataFrame(
        {
            "entity_id": [f"S{s + 1}" for s in range(n_schools)] + ["D1"],
            "parent_id": ["D1"] * n_schools + ["STATE"],
        }
    )
    system = group_cells(frame, size_cols=SIZES, parents=parents)
    d = protect(system, min_n)
    small = ((system.size > 0) & (system.size < min_n)).any(axis=1)
    assert d.hidden[small].all()  # every small cell is hidden
    assert audit(system, d.hidden, min_n).empty  # the subtraction closure finds nothing
    assert not len(exact_revealed(system, d.hidden, min_n))  # nor does linear algebra


@pytest.mark.parametrize("seed", range(6))
def test_random_district_with_grades_reveals_nothing(seed):
    # Grades as cells too: an entity's all-grades row is the sum of its grades' rows.
    frame = random_district(seed, 3, 90, grades=("3", "4", "5"))
    parents = pd.DataFrame(
        {"entity_id": ["S1", "S2", "S3", "D1"], "parent_id": ["D1", "D1", "D1", "STATE"]}
    )
    system = group_cells(frame, size_cols=SIZES, parents=parents)
    assert "grades" in set(system.kind)
    d = protect(system, 10)
    assert audit(system, d.hidden, 10).empty
    assert not len(exact_revealed(system, d.hidden, 10))
