import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.metrics.suppression import suppress


def frame(rows):
    return pd.DataFrame(rows, columns=["year", "entity_id", "subject", "grade", "group", "n",
                                       "pct_proficient"])


def test_small_group_hidden_and_input_untouched():
    df = frame([[2024, "S1", "ELA", "ALL", "all", 120, 55.0],
                [2024, "S1", "ELA", "ALL", "race_AS", 9, 77.7]])
    out = suppress(df, min_n=10, n_col="n", value_cols=["pct_proficient"])
    assert out["suppressed"].tolist() == [False, True]
    assert out["suppression_reason"].tolist() == ["", "small"]
    assert np.isnan(out.loc[1, "pct_proficient"]) and np.isnan(out.loc[1, "n"])
    assert out.loc[0, "pct_proficient"] == 55.0
    assert df.loc[1, "pct_proficient"] == 77.7  # input not mutated


def test_complement_hidden_when_group_is_small():
    # swd n = 8 could be recovered as all (100) - non_swd (92): hide non_swd too.
    df = frame([[2024, "S1", "ELA", "ALL", "all", 100, 50.0],
                [2024, "S1", "ELA", "ALL", "swd", 8, 25.0],
                [2024, "S1", "ELA", "ALL", "non_swd", 92, 52.2],
                [2024, "S1", "MATH", "ALL", "swd", 30, 20.0],
                [2024, "S1", "MATH", "ALL", "non_swd", 70, 60.0]])
    out = suppress(df, min_n=10, n_col="n", value_cols=["pct_proficient"])
    assert out["suppression_reason"].tolist() == ["", "small", "complement", "", ""]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 30))
def test_no_hidden_count_is_recoverable_from_all_minus_complement(n_swd, n_non, min_n):
    df = frame([[2024, "S1", "ELA", "ALL", "all", n_swd + n_non, 50.0],
                [2024, "S1", "ELA", "ALL", "swd", n_swd, 40.0],
                [2024, "S1", "ELA", "ALL", "non_swd", n_non, 60.0]])
    out = suppress(df, min_n=min_n, n_col="n", value_cols=["pct_proficient"]).set_index("group")
    for hidden, partner in (("swd", "non_swd"), ("non_swd", "swd")):
        if out.loc[hidden, "suppressed"]:
            # the only subtraction that recovers it needs the partner: it must be hidden too
            assert out.loc[partner, "suppressed"]
            assert np.isnan(out.loc[partner, "n"])
