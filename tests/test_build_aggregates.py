"""kit build on aggregates.csv: hand-checkable published results -> the facts store.

Small tables written here, every figure worked out by hand; the state's real files are
checked in tests/data/importers/test_realdata_facts.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kit.build import build_facts
from kit.checks import reconcile_facts, summarise_checks
from kit.cli import main
from kit.errors import DataError, FactsError
from kit.facts import read_facts

COLUMNS = [
    "year",
    "entity_type",
    "entity_id",
    "district_id",
    "entity_name",
    "district_name",
    "subject",
    "grade",
    "group",
    "levels_scheme",
    "n",
    "n_level_1",
    "n_level_2",
    "n_level_3",
    "n_level_4",
    "pct_level_1",
    "pct_level_2",
    "pct_level_3",
    "pct_level_4",
    "participation_rate",
    "mean_scale_score",
    "published_pct_proficient",
]


def row(year, etype, eid, grade, group, counts, *, subject="ELA", part=99, mean=500.0):
    n = sum(counts)
    pcts = [int(100 * c / n + 0.5) for c in counts]
    district = None if etype == "state" else eid[:2] + "00"
    return [
        year,
        etype,
        eid,
        district,
        f"School {eid}",
        f"District {eid[:2]}",
        subject,
        grade,
        group,
        "ma_nextgen",
        n,
        *counts,
        *pcts,
        part,
        mean,
        int(100 * (counts[2] + counts[3]) / n + 0.5),
    ]


def write(tmp_path, rows, name="agg") -> str:
    folder = tmp_path / name
    folder.mkdir()
    pd.DataFrame(rows, columns=COLUMNS).to_csv(folder / "aggregates.csv", index=False)
    return folder


def table(facts, sql) -> pd.DataFrame:
    # through kit.facts, as the kit reads a store: DuckDB refuses a second connection to a
    # file this process already holds open (kit.facts caches one) with other settings
    with read_facts(facts) as f:
        return f.sql(sql)


@pytest.fixture(scope="module")
def two_schools(tmp_path_factory):
    """Two schools of district 0100, grades 3 and 4 and the 3-8 span, two groups, two
    years, and a published state row."""
    tmp = tmp_path_factory.mktemp("agg")
    rows = []
    for year, bump in ((2021, 0), (2022, 2)):
        for sid, base in (("0101", 10), ("0102", 20)):
            g3 = [base, 10, 10 + bump, 5]
            g4 = [base, 12, 8, 5 + bump]
            span = [a + b for a, b in zip(g3, g4, strict=True)]
            rows += [
                row(year, "school", sid, "3", "all", g3),
                row(year, "school", sid, "4", "all", g4),
                row(year, "school", sid, "3-8", "all", span, mean=None if sid == "0102" else 500),
                row(year, "school", sid, "3-8", "swd", [5, 3, 2, 1]),
                row(
                    year,
                    "school",
                    sid,
                    "3-8",
                    "non_swd",
                    [s - x for s, x in zip(span, [5, 3, 2, 1], strict=True)],
                ),
                row(year, "school", sid, "10", "all", [3, 4, 5, 6]),
            ]
        rows.append(row(year, "state", "STATE", "3-8", "all", [500, 400, 300, 200]))
    folder = write(tmp, rows)
    facts = tmp / "facts.duckdb"
    result = build_facts(folder, facts)
    return folder, facts, result


def test_framework_comes_from_the_levels_scheme(two_schools):
    _, facts, result = two_schools
    assert result.framework == "ma_nextgen"
    run = table(facts, "SELECT input, levels_scheme, source_name FROM runs").iloc[0]
    assert (run["input"], run["levels_scheme"]) == ("aggregates", "ma_nextgen")


def test_the_span_is_the_all_grades_row_and_grade_10_stands_apart(two_schools):
    _, facts, _ = two_schools
    perf = table(
        facts,
        "SELECT grade, n_fay_tested, origin FROM performance WHERE year = 2022 "
        "AND entity_id = '0101' AND \"group\" = 'all' ORDER BY grade",
    )
    assert perf["grade"].tolist() == ["10", "3", "4", "ALL"]
    assert perf.set_index("grade")["n_fay_tested"].to_dict() == {
        "10": 18,
        "3": 37,
        "4": 37,
        "ALL": 74,
    }
    cov = table(facts, "SELECT * FROM grade_coverage WHERE year = 2022").iloc[0]
    assert (cov["all_grades"], cov["grades_apart"]) == ("3-8", "10")


def test_district_rows_are_sums_of_the_schools_counts(two_schools):
    _, facts, _ = two_schools
    lc = table(
        facts,
        "SELECT entity_id, level, n FROM level_counts WHERE year = 2021 AND grade = 'ALL' "
        "AND \"group\" = 'all' AND entity_type <> 'state' ORDER BY entity_id, level",
    )
    by = lc.pivot(index="entity_id", columns="level", values="n")
    assert by.loc["0100"].tolist() == (by.loc["0101"] + by.loc["0102"]).tolist()
    perf = table(
        facts,
        "SELECT origin, participation_rate, mean_scale_score, pct_proficient, n_fay_tested "
        "FROM performance WHERE year = 2021 AND entity_id = '0100' AND grade = 'ALL' "
        "AND \"group\" = 'all'",
    ).iloc[0]
    # Participation is a published rate, not summed; a school without a published mean
    # leaves the district's mean blank rather than guessed.
    assert perf["origin"] == "sum_of_schools"
    assert pd.isna(perf["participation_rate"]) and pd.isna(perf["mean_scale_score"])
    # 2021: 0101 has 35 + 35 students, 0102 45 + 45; at M or E (10 + 5) + (8 + 5) in each
    # school -> 56 of 160.
    assert perf["n_fay_tested"] == 160
    assert perf["pct_proficient"] == pytest.approx(100 * 56 / 160)


def test_the_published_state_row_is_kept_not_summed(two_schools):
    _, facts, _ = two_schools
    perf = table(
        facts,
        "SELECT origin, n_fay_tested FROM performance WHERE entity_id = 'STATE' "
        "AND year = 2022 AND grade = 'ALL' AND \"group\" = 'all'",
    ).iloc[0]
    assert (perf["origin"], perf["n_fay_tested"]) == ("published", 1400)


def test_models_that_need_sublevels_are_absent_with_a_reason(tmp_path):
    rows = [
        row(2016, "school", "0101", "4", "all", [10, 20, 30, 40]),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS).assign(levels_scheme="ma_legacy")
    folder = tmp_path / "legacy"
    folder.mkdir()
    frame.to_csv(folder / "aggregates.csv", index=False)
    facts = tmp_path / "facts.duckdb"
    build_facts(folder, facts)
    models = table(facts, "SELECT model, absent_reason FROM index_models").set_index("model")
    assert "sublevels" in models.loc["ma_cpi", "absent_reason"]
    assert pd.isna(models.loc["ny_pi", "absent_reason"])
    scored = set(table(facts, "SELECT DISTINCT model FROM index_scores")["model"])
    assert "ma_cpi" not in scored and "ny_pi" in scored


def test_goals_and_ayp_come_from_the_accountability_hook(two_schools, tmp_path):
    folder, facts, _ = two_schools
    goals = table(facts, "SELECT * FROM goals WHERE entity_id = '0101' AND \"group\" = 'all'")
    assert set(goals["baseline_year"]) == {2021} and len(goals)
    # A framework with AYP rules (New York's, four levels) over the same published counts.
    ny = tmp_path / "ny.duckdb"
    result = build_facts(folder, ny, framework="ny")
    assert any("framework ny" in w for w in result.warnings)
    ayp = table(ny, "SELECT * FROM ayp WHERE year = 2022 AND entity_id = '0100'")
    assert len(ayp) and ayp["met"].notna().all()


def test_published_checks_reproduce_the_percents(two_schools):
    _, facts, _ = two_schools
    checks = table(facts, "SELECT * FROM published_checks")
    assert checks["agrees"].all()
    assert set(checks["measure"]) == {
        "n",
        "pct_level_1",
        "pct_level_2",
        "pct_level_3",
        "pct_level_4",
        "pct_proficient",
    }
    # Only published rows are checked: none of the district's summed rows.
    assert not (checks["entity_type"] == "district").any()


def test_the_states_own_disagreement_is_not_a_kit_failure(tmp_path, capsys):
    bad = row(2022, "school", "0101", "3", "all", [10, 10, 10, 10])
    bad[COLUMNS.index("pct_level_1")] = 30  # 10 of 40 is 25 %
    folder = write(tmp_path, [bad])
    facts = tmp_path / "facts.duckdb"
    build_facts(folder, facts)
    result = reconcile_facts(facts, out=tmp_path / "checks.csv")
    assert (result.state_inconsistent, result.kit_disagrees, result.exit_code) == (1, 0, 0)
    assert main(["reconcile", "--facts", str(facts)]) == 0
    assert "the state's own figures" in capsys.readouterr().out
    assert (tmp_path / "checks.csv").is_file()


def test_a_kit_disagreement_exits_1():
    checks = pd.DataFrame(
        {
            "year": [2022, 2022],
            "entity_type": ["school"] * 2,
            "entity_id": ["1", "2"],
            "subject": ["ELA"] * 2,
            "grade": ["ALL"] * 2,
            "group": ["all"] * 2,
            "measure": ["pct_proficient"] * 2,
            "published": [40.0, 50.0],
            "computed": [40.0, 52.0],
            "difference": [0.0, -2.0],
            "tolerance": [0.0, 0.0],
            "agrees": [True, False],
            "note": ["", "off"],
            "state_inconsistent": [False, False],
        }
    )
    [summary], worst = summarise_checks(checks)
    assert (summary.checked, summary.agree, summary.kit_disagrees) == (2, 1, 1)
    assert worst.iloc[0]["entity_id"] == "2"  # the disagreement first


def test_percent_only_rows_are_never_summed_and_have_no_sizes(tmp_path):
    rows = [
        [
            2022,
            "school",
            "000101",
            "000100",
            "A",
            "D",
            "ALL",
            "ALL",
            "all",
            "oh",
            None,
            20.0,
            20.0,
            20.0,
            20.0,
            10.0,
            5.0,
            5.0,
            98.0,
            "oh_pi",
        ],
        [
            2022,
            "school",
            "000102",
            "000100",
            "B",
            "D",
            "ALL",
            "ALL",
            "all",
            "oh",
            None,
            10.0,
            10.0,
            30.0,
            20.0,
            20.0,
            5.0,
            5.0,
            90.0,
            "oh_pi",
        ],
    ]
    cols = ["year", "entity_type", "entity_id", "district_id", "entity_name", "district_name",
            "subject", "grade", "group", "levels_scheme", "n",
            *(f"pct_level_{j}" for j in range(1, 7)), "pct_not_tested", "published_index",
            "published_index_model"]  # fmt: skip
    folder = tmp_path / "oh"
    folder.mkdir()
    pd.DataFrame(rows, columns=cols).to_csv(folder / "aggregates.csv", index=False)
    facts = tmp_path / "facts.duckdb"
    result = build_facts(folder, facts)
    assert result.framework == "oh"
    perf = table(facts, "SELECT * FROM performance ORDER BY entity_id")
    assert perf["entity_type"].tolist() == ["school", "school"]  # no district, no state
    assert perf["n_fay_tested"].isna().all() and (perf["origin"] == "published_percents").all()
    assert perf["participation_rate"].tolist() == [95.0, 95.0]
    # A: 0.3*20 + 0.6*20 + 1.0*20 + 1.1*20 + 1.2*10 + 1.3*5 = 78.5
    idx = table(facts, "SELECT entity_id, n, value FROM index_scores ORDER BY entity_id")
    assert idx["value"].round(6).tolist() == [78.5, 91.5] and idx["n"].isna().all()
    checks = table(facts, "SELECT * FROM published_checks ORDER BY entity_id")
    # A publishes 98.0 against 78.5, B 90.0 against 91.5: beyond 0.325, and the percents
    # alone say so too.
    assert checks["agrees"].tolist() == [False, False]
    assert checks["state_inconsistent"].tolist() == [True, True]


def test_a_folder_with_students_and_aggregates_is_refused(tmp_path, two_schools):
    folder, _, _ = two_schools
    both = tmp_path / "both"
    both.mkdir()
    (both / "aggregates.csv").write_text((folder / "aggregates.csv").read_text())
    (both / "students.csv").write_text("year\n")
    with pytest.raises(DataError, match="both"):
        build_facts(both, tmp_path / "f.duckdb")


def test_mixed_schemes_ask_for_a_framework(tmp_path):
    rows = [row(2022, "school", "0101", "3", "all", [1, 2, 3, 4])]
    legacy = row(2016, "school", "0101", "3", "all", [1, 2, 3, 4])
    legacy[COLUMNS.index("levels_scheme")] = "ma_legacy"
    folder = write(tmp_path, [*rows, legacy])
    with pytest.raises(DataError, match="mixes levels schemes"):
        build_facts(folder, tmp_path / "f.duckdb")


def test_kit_validate_knows_aggregates(two_schools, tmp_path):
    folder, _, _ = two_schools
    assert main(["validate", str(folder), "--rejected", str(tmp_path / "rej")]) == 0


def test_reconcile_on_student_facts_says_why_not(facts_path):
    with pytest.raises(FactsError, match="student records"):
        reconcile_facts(facts_path)
    assert main(["reconcile", "--facts", str(facts_path)]) == 2
