"""The state's own numbers reproduced through the built facts (../shared/realdata).

kit import -> kit build -> published_checks: every published MA percent and count, every
Ohio Performance Index, compared with the facts store; then the reports a district gets
from DESE's 2021-2022 files, and the item analysis of a real classroom test (HCI).
"""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pandas as pd
import pytest

from kit.batch.plan import plan_jobs
from kit.batch.runner import run_batch
from kit.build import build_facts
from kit.checks import reconcile_facts
from kit.data.importers import import_files
from kit.facts import read_facts
from kit.report.render import render_report

DISTRICT = "00070000"  # Amesbury: four schools in both years (elementary, middle, high)
LEVEL_MEASURES = ["pct_level_1", "pct_level_2", "pct_level_3", "pct_level_4", "pct_proficient"]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def query(facts, sql, params=None) -> pd.DataFrame:
    # through kit.facts, as the kit reads a store: DuckDB refuses a second connection to a
    # file this process already holds open (kit.facts caches one) with other settings
    with read_facts(facts) as f:
        return f.sql(sql, params or [])


def text(page: str) -> str:
    page = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'")


@pytest.fixture(scope="module")
def ma(nextgen_files, tmp_path_factory):
    """Every MA Next-Generation file imported and built, timed (docs/performance.md)."""
    tmp = tmp_path_factory.mktemp("ma-facts")
    t0, c0 = time.perf_counter(), _cpu()
    import_files("ma-mcas", nextgen_files, tmp / "data")
    facts = tmp / "facts.duckdb"
    build_facts(tmp / "data", facts)
    elapsed, cpu = time.perf_counter() - t0, _cpu() - c0
    print(f"\nimport + build of {len(nextgen_files)} MA files: {elapsed:.1f} s, CPU {cpu:.1f} s")
    return tmp, facts, elapsed


def test_every_published_percent_is_reproduced_through_the_facts(ma):
    _, facts, _ = ma
    checks = query(facts, "SELECT * FROM published_checks")
    by = checks.groupby("measure")["agrees"].agg(["size", "sum"])
    for measure in LEVEL_MEASURES:  # NM %, PM %, M %, E %, M+E % of every imported row
        assert by.loc[measure].tolist() == [104_004, 104_004], measure
    assert by.loc["n_proficient"].tolist() == [104_004, 104_004]  # M+E # = M # + E #
    assert by.loc["n"].tolist() == [104_004, 104_003]


def test_the_only_disagreement_is_deses_own(ma):
    _, facts, _ = ma
    [bad] = query(facts, "SELECT * FROM published_checks WHERE NOT agrees").to_dict("records")
    # HS biology 2022, state row: the levels add to 55,496, DESE prints N = 55,498.
    assert (bad["year"], bad["entity_id"], bad["subject"], bad["source_grade"]) == (
        2022,
        "STATE",
        "BIO",
        "HS",
    )
    assert (bad["published"], bad["computed"], bad["state_inconsistent"]) == (55_498, 55_496, True)
    result = reconcile_facts(facts)
    assert (result.kit_disagrees, result.state_inconsistent, result.exit_code) == (0, 1, 0)
    # The mangled "15,01" never reached the facts: it is listed as rejected at import.
    [rej] = result.rejected_at_import.to_dict("records")
    assert (rej["source_row"], rej["value"]) == (1142, "15,01")


def test_facts_hold_the_published_figures(ma):
    _, facts, _ = ma
    state = query(
        facts,
        "SELECT * FROM performance WHERE entity_id = 'STATE' AND year = 2022 AND grade = '10' "
        "AND subject = 'ELA' AND \"group\" = 'all'",
    ).iloc[0]
    assert (state["n_fay_tested"], state["participation_rate"], state["mean_scale_score"]) == (
        67_396,
        98,
        pytest.approx(502.6),
    )
    # DESE publishes no district rows: a district is the sum of its schools' counts.
    sums = query(
        facts,
        """
        SELECT d.n_fay_tested AS district, sum(s.n_fay_tested) AS schools
        FROM performance d JOIN entities e ON e.district_id = d.entity_id
             AND e.entity_type = 'school' AND e.year = d.year
        JOIN performance s ON s.entity_id = e.entity_id AND s.year = d.year
             AND s.subject = d.subject AND s.grade = d.grade AND s."group" = d."group"
        WHERE d.entity_id = ? AND d.year = 2022 AND d.grade = 'ALL' AND d.subject = 'MATH'
        GROUP BY d.n_fay_tested, d."group"
        """,
        [DISTRICT],
    )
    assert len(sums) > 5 and (sums["district"] == sums["schools"]).all()
    cov = query(facts, "SELECT * FROM grade_coverage WHERE year = 2022 AND subject = 'ELA'")
    assert cov[["all_grades", "grades_apart"]].iloc[0].tolist() == ["3-8", "10"]


def test_every_ohio_building_pi_agrees_through_the_facts(ohio, tmp_path_factory):
    folder = Path(ohio.result.out_dir)
    facts = tmp_path_factory.mktemp("oh-facts") / "facts.duckdb"
    result = build_facts(folder, facts)
    assert result.framework == "oh"
    checks = query(facts, "SELECT * FROM published_checks")
    assert set(checks["measure"]) == {"oh_pi"}
    assert len(checks) == 9_591 and checks["agrees"].all()
    assert set(checks["year"]) == {2021, 2022, 2023}
    assert checks["difference"].abs().max() == pytest.approx(0.236, abs=1e-3)
    # Percents only: no sizes, never summed into districts, marked for the reports.
    perf = query(facts, "SELECT DISTINCT entity_type, origin FROM performance")
    assert perf.values.tolist() == [["school", "published_percents"]]
    assert query(facts, "SELECT count(n_fay_tested) AS n FROM performance")["n"][0] == 0


@pytest.fixture(scope="module")
def district_reports(nextgen_files, tmp_path_factory):
    """kit import + build + batch for one district's rows of the 2021 and 2022 files."""
    tmp = tmp_path_factory.mktemp("ma-district")
    import_files("ma-mcas", nextgen_files, tmp / "all")
    agg = pd.read_csv(tmp / "all" / "aggregates.csv", dtype=str, keep_default_na=False)
    part = agg[(agg["district_id"] == DISTRICT) | (agg["entity_type"] == "state")]
    (tmp / "data").mkdir()
    part.to_csv(tmp / "data" / "aggregates.csv", index=False)
    facts = tmp / "facts.duckdb"
    build_facts(tmp / "data", facts)
    jobs = plan_jobs(facts, tmp / "out", district=DISTRICT, formats=("html",))
    result = run_batch(jobs, workers=1)
    return facts, tmp / "out", jobs, result


def test_batch_renders_subgroups_and_index_for_a_real_district(district_reports):
    _, out, jobs, result = district_reports
    assert {j.report for j in jobs} == {"subgroups", "index", "district_summary"}
    assert result.exit_code == 0, [r.error for r in result.failed]
    base = out / "2022" / DISTRICT
    schools = sorted(p.name for p in base.iterdir() if p.name != "_district")
    assert len(schools) == 4
    page = text((base / "_district" / "subgroups.html").read_text())
    assert "Amesbury" in page
    assert "of the 832 accountable students at Amesbury scored proficient" in page
    assert "Massachusetts DESE's MCAS achievement results" in page
    assert "mcas public schools" in page and "suppressed small groups before publishing" in page
    assert (
        "grades 3-8 results" in page
        and "grade 10 results are published for all students only" in page
    )
    assert "full academic year" not in page  # the student-records wording is gone
    index = text((base / schools[0] / "index.html").read_text())
    assert "has no rules for adequate yearly progress" in index
    assert "Every reported group made AYP" not in index
    assert "AYP by group and subject" not in index  # no empty section without AYP rules


def test_the_kits_sums_of_published_rows_reveal_no_small_group(district_reports):
    # The district and the state are sums the kit adds; its audit knows the published
    # structure (groups are the state's own rows; grades apart from ALL stand alone).
    from kit.protect import audit_facts

    facts, *_ = district_reports
    found = audit_facts(facts)
    assert found.empty, found.head().to_string()


def test_district_summary_says_it_agrees_with_the_state(district_reports):
    _, out, _, _ = district_reports
    page = text((out / "2022" / DISTRICT / "_district" / "district_summary.html").read_text())
    assert "Agrees with the state." in page
    assert re.search(r"reproduces every one of the [\d,]+ figures the state published", page)


def test_the_item_report_says_why_it_is_absent(district_reports, tmp_path):
    facts, _, jobs, _ = district_reports
    assert "item_analysis" not in {j.report for j in jobs}
    files = render_report(
        "item_analysis", facts_path=facts, entity_id=DISTRICT, out=tmp_path, formats=("html",)
    )
    page = text(files["html"].read_text())
    assert "There is no item analysis for Amesbury" in page
    assert "not students' answers to each question" in page


def test_hci_item_analysis_renders_from_a_real_answer_sheet(realdata, tmp_path):
    items = realdata / "items"
    import_files(
        "answers",
        [items / "HCItest.csv"],
        tmp_path / "data",
        key=items / "HCIkey.csv",
        year=2017,
        subject="SCI",
        grade=12,
        gender_codes="0=M,1=F",
    )
    facts = tmp_path / "facts.duckdb"
    build_facts(tmp_path / "data", facts)
    stats = query(
        facts, "SELECT * FROM item_stats WHERE entity_type = 'school' AND \"group\" = 'all'"
    ).set_index("item_id")
    hci = pd.read_csv(items / "HCI.csv")
    items_cols = [c for c in hci.columns if c.startswith("Item ")]
    assert len(stats) == 20 == len(items_cols)
    assert (stats["n"] == 651).all()
    for item in items_cols:  # the published 0/1 scores, through the facts
        assert stats.loc[item, "pct_correct"] == pytest.approx(100 * hci[item].mean())
    files = render_report(
        "item_analysis",
        facts_path=facts,
        entity_id="CLASSROOM",
        out=tmp_path / "out",
        formats=("html",),
    )
    page = text(files["html"].read_text())
    total = 100 * hci["total"].sum() / (20 * len(hci))
    assert "651 students at CLASSROOM took the grade 12 science test (20 items)" in page
    assert f"earned {total:.1f}% of the points" in page
    assert "a wrong answer drew more students than the correct one" in page
