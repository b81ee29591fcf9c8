"""Index models against the seed documents' worked examples and hand-built cases."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.frameworks.loader import load_framework
from kit.metrics.indexes import level_points_index, proficiency_index
from kit.metrics.performance import KEYS


def counts_row(l1=(0, 0), l2=(0, 0), l3=(0, 0), l4=(0, 0), not_tested=0):
    """One counts row: (low, high) students at each level, plus FAY students not tested."""
    levels = {1: l1, 2: l2, 3: l3, 4: l4}
    row = {
        "year": 2024,
        "entity_type": "school",
        "entity_id": "S1",
        "subject": "ELA",
        "grade": "ALL",
        "group": "all",
    }
    for lv, (lo, hi) in levels.items():
        row[f"n_l{lv}_low"], row[f"n_l{lv}_high"] = lo, hi
    tested = sum(lo + hi for lo, hi in levels.values())
    row["n_fay_tested"] = tested
    row["n_fay_enrolled"] = tested + not_tested
    return pd.DataFrame([row])


def model_value(counts, model_id):
    spec = load_framework("ma").index_models[model_id]
    out = level_points_index(
        counts,
        model=model_id,
        points=spec.points,
        denominator=spec.denominator,
        not_tested_points=spec.not_tested_points,
        scale=spec.scale,
    )
    return out["value"].iloc[0]


def test_ny_pi_seed_example_is_150():
    # seed 004, New York: 5 / 40 / 40 / 15 percent at levels 1-4 -> 40 + 2 x 55 = 150
    assert model_value(counts_row(l1=(5, 0), l2=(40, 0), l3=(40, 0), l4=(15, 0)), "ny_pi") == 150


def test_sc_pi_seed_table_is_71_4():
    # seed 004, South Carolina: BB1 100 x 25, BB2 200 x 50, Basic 100 x 75, P/A 300 x 100
    value = model_value(counts_row(l1=(100, 200), l2=(100, 0), l3=(300, 0)), "sc_pi")
    assert value == pytest.approx(50_000 / 700)
    assert round(value, 1) == 71.4


def test_mo_mpi_25_at_each_level_is_325():
    assert model_value(counts_row(l1=(25, 0), l2=(25, 0), l3=(25, 0), l4=(25, 0)), "mo_mpi") == 325


def test_ma_cpi_halves_by_hand():
    # 2 W/F low (0) + 2 W/F high (25) + 2 NI low (50) + 2 NI high (75) + 2 P (100):
    # (0 + 50 + 100 + 150 + 200) / 10 = 50
    assert model_value(counts_row(l1=(2, 2), l2=(2, 2), l3=(2, 0)), "ma_cpi") == 50


def test_pa_ppi_counts_not_tested_as_zero():
    # 8 tested proficient (1.0 each) + 2 FAY students not tested (0) -> 8 / 10 = 0.8
    assert model_value(counts_row(l3=(8, 0), not_tested=2), "pa_ppi") == pytest.approx(0.8)


def test_index_of_empty_group_is_missing_and_suppressed():
    out = level_points_index(counts_row(), model="x", points={1: 0, 2: 1, 3: 2, 4: 2})
    assert np.isnan(out["value"].iloc[0])
    assert bool(out["suppressed"].iloc[0])


def test_alabama_proficiency_index_seed_example_is_minus_7():
    # seed 004, Alabama: grade 4 AMO 49, 54 % proficient (n 20); grade 5 AMO 35, 20 % (n 30)
    base = {
        "year": 2024,
        "entity_type": "school",
        "entity_id": "S1",
        "subject": "ELA",
        "group": "race_HI",
    }
    perf = pd.DataFrame(
        [
            {**base, "grade": "4", "pct_proficient": 54.0, "n_fay_tested": 20},
            {**base, "grade": "5", "pct_proficient": 20.0, "n_fay_tested": 30},
            {**base, "grade": "ALL", "pct_proficient": 32.0, "n_fay_tested": 50},
        ]
    )
    out = proficiency_index(perf, model="al_pi", amo_by_grade={"ELA": {4: 49, 5: 35}})
    by_grade = out.set_index("grade")["value"]
    assert by_grade["4"] == pytest.approx(5)
    assert by_grade["5"] == pytest.approx(-15)
    assert by_grade["ALL"] == pytest.approx(-7)
    assert out.set_index("grade").loc["ALL", "n"] == 50
    assert list(out.columns) == KEYS + ["model", "n", "value", "suppressed"]


level_counts = st.tuples(*[st.integers(0, 50)] * 8)
FW = load_framework("ma")
LEVEL_MODELS = {m: spec for m, spec in FW.index_models.items() if spec.kind == "level_points"}


def many_rows(cells_list, not_tested_list):
    return pd.concat(
        [
            counts_row(l1=c[0:2], l2=c[2:4], l3=c[4:6], l4=c[6:8], not_tested=nt)
            for c, nt in zip(cells_list, not_tested_list, strict=True)
        ],
        ignore_index=True,
    )


def all_values(counts, mid):
    spec = LEVEL_MODELS[mid]
    return level_points_index(
        counts,
        model=mid,
        points=spec.points,
        denominator=spec.denominator,
        not_tested_points=spec.not_tested_points,
        scale=spec.scale,
    )["value"].to_numpy()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(level_counts, st.integers(0, 20)), min_size=1, max_size=40))
def test_every_shipped_level_model_stays_in_its_range(rows):
    counts = many_rows([r[0] for r in rows], [r[1] for r in rows])
    for mid, spec in LEVEL_MODELS.items():
        values = all_values(counts, mid)
        n = counts["n_fay_enrolled" if spec.denominator == "enrolled" else "n_fay_tested"]
        assert np.isnan(values[n.to_numpy() == 0]).all()
        low = (
            min(spec.range[0], spec.not_tested_points)
            if spec.denominator == "enrolled"
            else spec.range[0]
        )
        shown = values[n.to_numpy() > 0]
        assert ((shown >= low - 1e-9) & (shown <= spec.range[1] + 1e-9)).all(), mid


@settings(max_examples=25, deadline=None)
@given(st.lists(level_counts, min_size=1, max_size=40), st.integers(1, 3))
def test_moving_a_student_up_a_level_never_lowers_an_index(cells_list, lv):
    before = many_rows([(*c[:6], c[6] + 1, 0) for c in cells_list], [0] * len(cells_list))
    col = f"n_l{lv}_low"
    movable = before[col] > 0
    after = before.copy()
    after.loc[movable, col] -= 1
    after.loc[movable, f"n_l{lv + 1}_low"] += 1
    for mid in LEVEL_MODELS:
        assert (all_values(after, mid) >= all_values(before, mid) - 1e-9).all(), mid
