"""kit build on the demo district: every table, every entity, every model."""

import json
import shutil

import pandas as pd
import pytest

from kit.build import build_facts
from kit.frameworks.loader import load_framework
from kit.metrics.groups import GROUP_IDS


def test_every_contract_table_is_written(facts):
    for table in ("runs", "performance", "level_counts", "index_scores", "entities"):
        assert len(facts.table(table)) > 0, table


def test_state_and_district_rows_add_up_from_schools(facts):
    perf = facts.table("performance", grade="ALL", group="all")
    for (_year, _subject), rows in perf.groupby(["year", "subject"]):
        schools = rows[rows.entity_type == "school"]
        state = rows[rows.entity_type == "state"].iloc[0]
        districts = rows[rows.entity_type == "district"]
        assert state.n_enrolled == schools.n_enrolled.sum() == districts.n_enrolled.sum()
        assert state.n_proficient == schools.n_proficient.sum()
        assert state.pct_proficient == pytest.approx(100 * state.n_proficient / state.n_fay_tested)


def test_grade_all_is_the_sum_of_grades(facts):
    perf = facts.table("performance", entity_type="school", group="all")
    by_grade = perf[perf.grade != "ALL"].groupby(["year", "entity_id", "subject"])["n_tested"].sum()
    total = perf[perf.grade == "ALL"].set_index(["year", "entity_id", "subject"])["n_tested"]
    pd.testing.assert_series_equal(by_grade.sort_index(), total.sort_index(), check_names=False)


def test_every_shipped_model_for_every_row(facts):
    fw = load_framework("ma")
    n_rows = len(facts.table("performance"))
    scores = facts.table("index_scores")
    for model, spec in fw.index_models.items():
        rows = scores[scores.model == model]
        if spec.kind == "level_points":
            assert len(rows) == n_rows, model
        else:  # grade-weighted: every row with a graded AMO and tested students
            assert len(rows) > 0, model


def test_groups_and_level_counts_agree_with_performance(facts):
    perf = facts.table("performance", entity_type="school", grade="ALL")
    assert set(perf["group"]) <= set(GROUP_IDS)
    assert {"all", "low_income", "swd", "high_needs", "race_WH"} <= set(perf["group"])
    levels = facts.table("level_counts", entity_type="school", grade="ALL")
    summed = levels.groupby(["year", "entity_id", "subject", "group"])["n"].sum()
    n = perf.set_index(["year", "entity_id", "subject", "group"])["n_fay_tested"]
    pd.testing.assert_series_equal(summed.sort_index(), n.sort_index(), check_names=False)


def test_runs_records_provenance(facts):
    run = facts.run()
    assert run["framework"] == "ma"
    assert run["rows_read"] == run["rows_accepted"] + run["rows_rejected"]
    assert {"students", "assessments"} <= {c["table"] for c in run["row_counts"]}
    assert len(run["data_hash"]) == 64


def test_build_with_rejected_rows_succeeds_and_reports_them(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    lines = (data / "assessments.csv").read_text().splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("grade")] = "13"  # not a grade
    lines[1] = ",".join(bad)
    (data / "assessments.csv").write_text("\n".join(lines) + "\n")
    result = build_facts(data, tmp_path / "facts.duckdb")
    assert result.rejected["assessments"] >= 1
    assert result.warnings and "rejected" in result.warnings[0]
    rejected = pd.read_csv(tmp_path / "rejected" / "assessments.csv", dtype=str)
    assert (rejected["column"] == "grade").any()
    from kit.facts import read_facts

    with read_facts(tmp_path / "facts.duckdb") as f:
        counts = {c["table"]: c for c in f.run()["row_counts"]}
    assert counts["assessments"]["rejected"] >= 1
    assert json.dumps(counts)  # stored as JSON


def test_reading_caps_duckdb_memory_per_process(facts_path, tmp_path, monkeypatch):
    """Every batch kernel keeps the store open: its page cache is capped (256 MB by default,
    KIT_READ_MEMORY_LIMIT to change), not DuckDB's default of 80 % of the machine."""
    import shutil

    from kit.facts import read_facts

    with read_facts(facts_path) as f:
        default = f.sql("SELECT current_setting('memory_limit') AS m")["m"][0]
    assert default == "244.1 MiB"  # 256MB = 256 x 10^6 bytes, shown in MiB
    copy = tmp_path / "copy.duckdb"
    shutil.copy(facts_path, copy)
    monkeypatch.setenv("KIT_READ_MEMORY_LIMIT", "300MB")
    with read_facts(copy) as f:
        assert f.sql("SELECT current_setting('memory_limit') AS m")["m"][0] == "286.1 MiB"


def test_a_bad_read_memory_limit_is_named_with_the_fix(facts_path, tmp_path, monkeypatch):
    import shutil

    from kit.errors import FactsError
    from kit.facts import read_facts

    copy = tmp_path / "copy.duckdb"
    shutil.copy(facts_path, copy)
    monkeypatch.setenv("KIT_READ_MEMORY_LIMIT", "lots")
    with pytest.raises(FactsError, match="KIT_READ_MEMORY_LIMIT='lots'") as info:
        read_facts(copy)
    assert "512MB" in str(info.value)


# --------------------------------------------------------------------------- issue 11, item 5


def _only_required(demo_dir, tmp_path, break_column=None, value=None, table="students"):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("students", "assessments"):
        shutil.copy(demo_dir / f"{name}.csv", data / f"{name}.csv")
    if break_column:
        frame = pd.read_csv(data / f"{table}.csv", dtype=str)
        frame[break_column] = value
        frame.to_csv(data / f"{table}.csv", index=False)
    return data


@pytest.mark.parametrize(
    "table, column, value, words",
    [
        ("students", "fay", "maybe", 'fay "maybe" is not a yes/no value'),
        ("assessments", "participation", "Present", 'participation "Present"'),
    ],
)
def test_build_refuses_when_a_required_table_has_no_accepted_row(
    demo_dir, tmp_path, table, column, value, words
):
    from kit.errors import DataError

    data = _only_required(demo_dir, tmp_path, column, value, table)
    out = tmp_path / "out" / "facts.duckdb"
    with pytest.raises(DataError) as caught:
        build_facts(data, out)
    error = caught.value
    assert error.exit_code == 2 and f"Every row of {table}.csv was rejected" in error.message
    assert words in error.message and str(out.parent / "rejected" / f"{table}.csv") in str(error)
    assert not out.exists()
    assert (out.parent / "rejected" / f"{table}.csv").is_file()  # the reasons are kept


def test_an_empty_store_is_refused_by_batch_and_render(facts_path, tmp_path):
    """A store with no school (built before this check, or by hand) is refused in words."""
    import duckdb

    from kit.batch.plan import plan_jobs
    from kit.errors import KitError
    from kit.report.render import render_report

    empty = tmp_path / "empty.duckdb"
    shutil.copy(facts_path, empty)
    with duckdb.connect(str(empty)) as con:
        con.execute("DELETE FROM entities")
        con.execute("DELETE FROM performance")
    with pytest.raises(KitError, match="holds no school"):
        plan_jobs(empty, tmp_path / "out")
    with pytest.raises(KitError, match="holds no school"):
        render_report("subgroups", facts_path=empty, entity_id="D01S01", out=tmp_path / "o")


def test_a_school_without_results_gets_no_report(facts_path, tmp_path):
    """Schools whose every assessment was rejected are in entities but have no results: the
    batch plans no report for them and says so; a report on one is refused in words."""
    import duckdb

    from kit.batch.plan import plan_jobs
    from kit.errors import KitError
    from kit.facts import read_facts
    from kit.views.context import report_context

    store = tmp_path / "f.duckdb"
    shutil.copy(facts_path, store)
    with duckdb.connect(str(store)) as con:
        year = con.execute("SELECT max(year) FROM entities").fetchone()[0]
        for t in ("performance", "level_counts", "index_scores"):
            con.execute(f"DELETE FROM {t} WHERE entity_id = 'D01S02' AND year = {year}")
    said = []
    jobs = plan_jobs(store, tmp_path / "out", on_skip=said.append)
    assert "D01S02" not in {j.entity_id for j in jobs}
    assert any("D01S02" in line and "no assessment results" in line for line in said)
    with read_facts(store) as facts, pytest.raises(KitError, match="no assessment results"):
        report_context(facts, "D01S02")
