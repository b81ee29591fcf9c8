"""The tables the facts store keeps as views over smaller stored tables (docs/metrics.md,
"What the store keeps"): the reader's names and columns are the contract's, and each
view's figures are checked against an independent computation from stored counts."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from kit.facts import read_facts, relations

KEYS = ["year", "entity_type", "entity_id", "subject", "grade", "group"]

# The columns of each table, in order, as the store wrote them when they were tables.
CONTRACT_COLUMNS = {
    "item_options": [
        *KEYS,
        *"item_id option is_key n n_choosing pct point_biserial suppressed".split(),
    ],
    "item_stats": [
        *KEYS,
        *"item_id item_type max_points key standard reporting_category description n "
        "points_earned pct_correct state_pct_correct state_source district_pct_correct "
        "diff_vs_state diff_vs_district point_biserial alpha_if_deleted flag suppressed".split(),
    ],
    "standard_stats": [
        *KEYS,
        *"rollup category n_items n points_earned points_possible pct_earned "
        "state_pct_earned district_pct_earned gap_vs_state gap_vs_district rank "
        "suppressed".split(),
    ],
    "group_gaps": [
        *KEYS,
        *"measure n pct_proficient index_value all_n all_pct_proficient all_index_value "
        "gap_all_pct gap_all_index complement_group complement_n complement_pct_proficient "
        "complement_index_value gap_complement_pct gap_complement_index district_id "
        "district_n district_pct_proficient district_index_value gap_district_pct "
        "gap_district_index state_n state_pct_proficient state_index_value gap_state_pct "
        "gap_state_index suppressed".split(),
    ],
}


@pytest.fixture(scope="module")
def con(facts_path):
    with duckdb.connect(str(facts_path), read_only=True) as c:
        yield c


def test_views_keep_the_contract_names_and_columns(con, facts_path):
    views = {
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    assert views == set(CONTRACT_COLUMNS)
    assert set(CONTRACT_COLUMNS) <= relations(con)
    for name, columns in CONTRACT_COLUMNS.items():
        assert [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()] == columns, name
    with read_facts(facts_path) as facts:  # a reader lists them and reads them by name
        assert set(CONTRACT_COLUMNS) <= set(facts.tables)
        assert facts.columns("item_options") == CONTRACT_COLUMNS["item_options"]
        assert len(facts.table("index_scores", entity_id="STATE", model="ny_pi")) > 0


def test_item_options_add_up_and_match_their_sums(con):
    opts = con.execute("SELECT * FROM item_options").df()
    sums = con.execute("SELECT * FROM item_option_sums").df()
    assert len(opts) == 5 * len(sums)  # A-D and BLANK for every MC item row
    by_row = opts.groupby([*KEYS, "item_id"])
    assert (by_row["n_choosing"].sum() == by_row["n"].first()).all()
    assert np.allclose(by_row["pct"].sum(), 100.0)
    assert (by_row["is_key"].sum() == 1).all()  # the demo's MC items all have a key
    np.testing.assert_allclose(
        opts["pct"], 100.0 * opts["n_choosing"] / opts["n"].where(opts["n"] > 0), equal_nan=True
    )
    # the key's point-biserial from the stored sums, by hand: r of 0/1 "chose" with y
    row = sums[(sums["n"] > 30) & (sums["group"] == "all")].iloc[0]
    key = row["key"]
    n, k, sy, syy, sky = row["n"], row[f"chose_{key}"], row["sy"], row["syy"], row[f"rest_{key}"]
    r = (n * sky - k * sy) / np.sqrt((n * k - k * k) * (n * syy - sy * sy))
    got = opts[
        (opts["entity_id"] == row["entity_id"])
        & (opts["year"] == row["year"])
        & (opts["subject"] == row["subject"])
        & (opts["grade"] == row["grade"])
        & (opts["group"] == "all")
        & (opts["item_id"] == row["item_id"])
        & opts["is_key"]
    ]
    assert got["point_biserial"].iloc[0] == pytest.approx(r, rel=1e-12)


def test_index_scores_are_the_level_counts_weighted(con):
    # kept as a table (docs/metrics.md): its rows must still agree with the counts
    """ny_pi = (0 n1 + 100 n2 + 200 n3 + 200 n4) / n over accountable tested students
    (CCSSO index paper, New York), from level_counts in pandas, for every row."""
    lc = con.execute("SELECT * FROM level_counts").df()
    wide = lc.pivot_table(index=KEYS, columns="level", values="n", aggfunc="sum").fillna(0)
    n = wide.sum(axis=1)
    expected = (100 * wide[2] + 200 * wide[3] + 200 * wide[4]) / n.where(n > 0)
    got = con.execute("SELECT * FROM index_scores WHERE model = 'ny_pi'").df().set_index(KEYS)
    both = got.join(expected.rename("expected"), how="inner")
    assert len(both) == len(got) > 1000
    np.testing.assert_allclose(both["value"], both["expected"], rtol=1e-12, equal_nan=True)
    # hidden where the result cell is hidden, as performance decides it
    perf = con.execute("SELECT * FROM performance").df()[[*KEYS, "suppressed"]]
    merged = got.reset_index().merge(perf, on=KEYS, suffixes=("", "_cell"))
    assert (merged["suppressed"] == (merged["suppressed_cell"] | (merged["n"] < 10))).all()
    assert merged["suppressed"].any() and not merged["suppressed"].all()


def test_derived_columns_are_their_expressions(con):
    items = con.execute("SELECT * FROM item_stats").df()
    pct = 100.0 * items["points_earned"] / (items["n"] * items["max_points"])
    assert (items["pct_correct"] == pct).all()  # the same double, not merely close
    d = items["pct_correct"] - items["state_pct_correct"]
    assert ((items["diff_vs_state"] == d) | d.isna()).all()
    gaps = con.execute("SELECT * FROM group_gaps").df()
    for who in ("all", "complement", "district", "state"):
        for short, col in (("pct", "pct_proficient"), ("index", "index_value")):
            want = gaps[col] - gaps[f"{who}_{col}"]
            got = gaps[f"gap_{who}_{short}"]
            assert ((got == want) | want.isna()).all(), (who, short)
    std = con.execute("SELECT * FROM standard_stats").df()
    want = 100.0 * std["points_earned"] / std["points_possible"]
    assert (std["pct_earned"] == want).all()


def test_standard_ranks_order_ties_by_percent_earned(con):
    """Rank 1 = the largest shortfall against the state; gaps equal to 9 decimals are ties,
    ordered by percent earned, then category. Summing the state reference in another order
    gives the same gap to within 1e-14, so without the rounding the order of tied
    categories was rounding noise (in a one-district state every district gap is 0)."""
    std = con.execute("SELECT * FROM standard_stats").df()
    std["g"] = std["gap_vs_state"].round(9)
    part = [*KEYS, "rollup"]
    expected = (
        std.sort_values([*part, "g", "pct_earned", "category"], na_position="last")
        .groupby(part, dropna=False)
        .cumcount()
        + 1
    )
    assert (std["rank"] == expected.reindex(std.index)).all()
    district = std[(std["entity_type"] == "district") & std["g"].eq(0)]
    assert len(district) > 0  # the ties the rule orders are there
