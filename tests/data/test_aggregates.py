"""The aggregate input table (kit.data.aggregates): its rules, one rejected row per rule."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.data.aggregates import (
    AGGREGATE_GROUPS,
    AGGREGATES,
    SCHEMES,
    output_columns,
    validate_aggregates,
)
from kit.errors import DataError

GOOD = {
    "year": "2022",
    "entity_type": "school",
    "entity_id": "04450105",
    "district_id": "04450000",
    "subject": "ELA",
    "grade": "3-8",
    "group": "all",
    "levels_scheme": "ma_nextgen",
    "n": "100",
    "n_level_1": "10",
    "n_level_2": "20",
    "n_level_3": "30",
    "n_level_4": "40",
    "pct_level_1": "10",
    "published_index": "",
    "published_index_model": "",
}


def write(tmp_path, rows: list[dict], name: str = "aggregates.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def rejected_rules(tmp_path, change: dict) -> list[tuple[str, str]]:
    path = write(tmp_path, [GOOD, {**GOOD, "entity_id": "04450205", **change}])
    result = validate_aggregates(path)
    return [(r["rule"], r["column"]) for r in result.rejected.to_pylist()]


def test_a_clean_row_is_accepted_and_normalised(tmp_path):
    path = write(
        tmp_path,
        [
            {
                **GOOD,
                "entity_type": "School",
                "subject": "ela",
                "grade": "all",
                "levels_scheme": "MA_NEXTGEN",
            }
        ],
    )
    result = validate_aggregates(path)
    assert result.exit_code == 0
    row = result.con.sql("SELECT * FROM aggregates").df().iloc[0]
    assert (row["entity_type"], row["subject"], row["grade"], row["levels_scheme"]) == (
        "school",
        "ELA",
        "ALL",
        "ma_nextgen",
    )
    assert row["pct_base"] == "tested"  # the scheme's default
    assert (row["source_file"], row["source_row"]) == ("aggregates.csv", 2)


@pytest.mark.parametrize(
    ("change", "rule", "column"),
    [
        ({"year": "22"}, "range", "year"),
        ({"n_level_1": "1,2"}, "type", "n_level_1"),
        ({"n_level_1": "-1"}, "range", "n_level_1"),
        ({"pct_level_1": "110"}, "range", "pct_level_1"),
        ({"entity_type": "county"}, "code", "entity_type"),
        ({"entity_type": "state"}, "state_id", "entity_id"),
        ({"district_id": ""}, "missing_value", "district_id"),
        ({"entity_type": "district"}, "district_id", "district_id"),
        ({"grade": "8-3"}, "grade", "grade"),
        ({"grade": "13"}, "grade", "grade"),
        ({"group": "white"}, "group", "group"),
        ({"levels_scheme": "tx"}, "levels_scheme", "levels_scheme"),
        ({"n": "99"}, "counts_exceed_n", "n"),
        ({"published_index": "88.1"}, "index_without_model", "published_index_model"),
        ({"subject": ""}, "missing_value", "subject"),
        (
            {"entity_id": "04450105"},
            "duplicate",
            "year, entity_type, entity_id, subject, grade, group",
        ),
    ],
)
def test_each_rule_rejects_its_row(tmp_path, change, rule, column):
    assert rejected_rules(tmp_path, change) == [(rule, column)]


def test_levels_beyond_the_scheme_are_rejected(tmp_path):
    rows = [GOOD, {**GOOD, "entity_id": "04450205", "n_level_5": "1"}]
    result = validate_aggregates(write(tmp_path, rows))
    assert [r["rule"] for r in result.rejected.to_pylist()] == ["level_beyond_scheme"]


def test_percent_only_rows_need_no_counts(tmp_path):
    row = {k: v for k, v in GOOD.items() if not k.startswith("n")}
    row.update(
        levels_scheme="oh",
        entity_id="000059",
        district_id="045187",
        grade="ALL",
        subject="ALL",
        pct_level_6="0.0",
        published_index="89.9",
        published_index_model="oh_pi",
    )
    result = validate_aggregates(write(tmp_path, [row]), index_models=["oh_pi"])
    assert result.exit_code == 0
    assert result.con.execute("SELECT pct_base FROM aggregates").fetchone() == ("enrolled",)


def test_ever_ell_is_a_valid_group():
    assert "ever_ell" in AGGREGATE_GROUPS


def test_rejected_rows_are_written_with_the_original_values(tmp_path):
    path = write(tmp_path, [GOOD, {**GOOD, "entity_id": "x", "n": "abc"}])
    validate_aggregates(path, rejected_dir=tmp_path / "rejected")
    out = pd.read_csv(tmp_path / "rejected" / "aggregates.csv", dtype=str)
    assert list(out.columns[:6]) == [
        "source_file",
        "source_row",
        "column",
        "value",
        "rule",
        "message",
    ]
    assert out.iloc[0][["source_row", "column", "value", "rule", "entity_id"]].tolist() == [
        "3",
        "n",
        "abc",
        "type",
        "x",
    ]


def test_a_missing_required_column_is_one_paragraph(tmp_path):
    path = write(tmp_path, [{k: v for k, v in GOOD.items() if k != "levels_scheme"}])
    with pytest.raises(DataError) as error:
        validate_aggregates(path)
    assert "levels_scheme" in str(error.value) and "\n" not in str(error.value)


def test_output_columns_stop_at_the_levels_used():
    cols = output_columns(4)
    assert "n_level_4" in cols and "n_level_5" not in cols and "pct_level_5" not in cols
    assert set(cols) <= set(AGGREGATES.column_names)


def test_schemes_name_their_frameworks_levels():
    from kit.frameworks.loader import load_framework

    for scheme in SCHEMES.values():
        fw = load_framework(scheme.framework)
        assert fw.n_levels == scheme.n_levels == len(scheme.levels), scheme.id


cell = st.one_of(st.just(""), st.integers(-5, 150).map(str), st.sampled_from(["x", "1,5", "7.5"]))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(cell, cell, cell, st.sampled_from(["all", "ell", "bad"])), min_size=1, max_size=12
    )
)
def test_read_is_accepted_plus_rejected(tmp_path, cells):
    rows = [
        {**GOOD, "entity_id": f"0445{i:04d}", "n": n, "n_level_1": c1, "pct_level_1": p, "group": g}
        for i, (n, c1, p, g) in enumerate(cells, start=1)
    ]
    result = validate_aggregates(write(tmp_path, rows))
    [s] = result.summaries
    assert s.read == len(rows) == s.accepted + s.rejected
    assert result.con.execute("SELECT count(*) FROM aggregates").fetchone()[0] == s.accepted
