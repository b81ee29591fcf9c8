"""Tests of the synthetic demo district (kit.demo)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.data.schemas import TABLES
from kit.demo import FLAWS, TABLE_NAMES, DemoSummary, generate_demo
from kit.errors import ParameterError

YEARS = [2022, 2023, 2024]
TABLE_NAMES_CSV = [f"{name}.csv" for name in TABLE_NAMES]
ID_COLUMNS = {"student_id": str}


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=ID_COLUMNS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The default district (6 schools, 80 per grade, 3 years) with items for two years."""
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(out, item_years=2)


@pytest.fixture(scope="module")
def tables(demo: tuple[Path, DemoSummary]) -> dict[str, pd.DataFrame]:
    return {name: _read(demo[0], name) for name in TABLE_NAMES}


@pytest.fixture(scope="module")
def item_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Responses joined to their items."""
    items = tables["items"]
    return tables["item_responses"].merge(
        items[
            ["year", "subject", "grade", "item_id", "item_type", "max_points", "key", "demo_flaw"]
        ],
        on=["year", "subject", "grade", "item_id"],
        how="left",
        validate="many_to_one",
    )


def _files_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- API, files and schema ------------------------------------------------------------------


def test_summary_matches_the_files(
    demo: tuple[Path, DemoSummary], tables: dict[str, pd.DataFrame]
) -> None:
    out, summary = demo
    assert summary.out == str(out) and summary.seed == 42 and summary.fmt == "csv"
    assert {name: len(df) for name, df in tables.items()} == summary.rows
    as_dict = summary.to_dict()
    assert set(as_dict) >= {"out", "seed", "rows", "seconds"}
    assert as_dict["rows"] == summary.rows and as_dict["seconds"] >= 0
    with pytest.raises(AttributeError):
        summary.seed = 1  # type: ignore[misc]


def test_default_run_row_counts(demo: tuple[Path, DemoSummary]) -> None:
    rows = demo[1].rows
    # 3 elementary (K-5), 2 middle (6-8), 1 high (9-12) x 80 students x 3 years, and 6
    # pre-kindergarten children (8 % of 80) in each of the 3 schools with a kindergarten
    assert rows["students"] == (3 * 6 + 2 * 3 + 4) * 80 * 3 + 3 * 6 * 3
    assert rows["graduation"] == 80 * 3
    assert all(n > 0 for n in rows.values())


def test_progress_is_reported_to_completion(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    generate_demo(
        tmp_path, schools=2, students_per_grade=5, progress=lambda d, t: calls.append((d, t))
    )
    assert calls and calls[-1][0] == calls[-1][1]
    done = [d for d, _ in calls]
    assert done == sorted(done) and len({t for _, t in calls}) == 1


def test_every_table_has_exactly_the_schema_columns(
    demo: tuple[Path, DemoSummary], tables: dict[str, pd.DataFrame]
) -> None:
    assert sorted(p.name for p in demo[0].iterdir()) == sorted(f"{t}.csv" for t in TABLE_NAMES)
    for name, df in tables.items():
        expected = TABLES[name].column_names + (["demo_flaw"] if name == "items" else [])
        assert list(df.columns) == expected, name
        for column in TABLES[name].columns:
            if not column.nullable:
                assert df[column.name].notna().all(), f"{name}.{column.name} has empty values"


def test_codes_are_valid(tables: dict[str, pd.DataFrame]) -> None:
    for name, df in tables.items():
        for column in TABLES[name].columns:
            if column.codes is not None:
                values = set(df[column.name].dropna())
                assert values <= set(column.codes), f"{name}.{column.name}: {values}"
    assert set(tables["students"].race_ethnicity) == set(
        TABLES["students"].column("race_ethnicity").codes
    )
    assert set(tables["assessments"].subject) == {"ELA", "MATH", "SCI"}
    assert set(tables["items"].demo_flaw.dropna()) <= set(FLAWS)


def test_booleans_are_written_as_true_false(demo: tuple[Path, DemoSummary]) -> None:
    text = (demo[0] / "students.csv").read_text().splitlines()
    header = text[0].split(",")
    for line in text[1:50]:
        fields = dict(zip(header, line.split(","), strict=True))
        assert fields["low_income"] in ("true", "false")
        assert fields["fay"] in ("true", "false")


def test_ids_are_opaque_stable_strings(tables: dict[str, pd.DataFrame]) -> None:
    students = tables["students"]
    assert students.district_id.eq("D01").all()
    assert students.school_id.str.fullmatch(r"D01S0[1-6]").all()
    assert not students.duplicated(["year", "student_id"]).any()
    assert students.student_id.str.fullmatch(r"\d{10}").all()
    assert students.groupby("school_id").school_name.nunique().eq(1).all()
    assert students.school_name.nunique() == 6


def test_students_persist_and_move_up_a_grade(tables: dict[str, pd.DataFrame]) -> None:
    students = tables["students"]
    students = students[students.grade >= 0]  # pre-kindergarten children have ids of a year
    lo = students.groupby("school_id").grade.min()
    for year in YEARS[:-1]:
        before = students[students.year == year]
        after = students[students.year == year + 1]
        both = before.merge(after, on="student_id", suffixes=("", "_next"))
        assert len(both) > 0.75 * len(after)
        assert (both.grade_next == both.grade + 1).all()
        assert (both.race_ethnicity_next == both.race_ethnicity).all()
        moved = both[both.school_id_next != both.school_id]
        # a student changes school only to start the next school's first grade
        assert len(moved) > 0
        assert (moved.grade_next.to_numpy() == lo[moved.school_id_next].to_numpy()).all()


def test_each_school_enrols_students_per_grade(tables: dict[str, pd.DataFrame]) -> None:
    students = tables["students"]
    counts = students[students.grade >= 0].groupby(["year", "school_id", "grade"]).size()
    assert counts.eq(80).all()


# --- grades, subjects, scores ---------------------------------------------------------------


def test_grades_and_subjects_tested(tables: dict[str, pd.DataFrame]) -> None:
    a = tables["assessments"]
    by_subject = a.groupby("subject").grade.unique().map(lambda g: sorted(int(x) for x in g))
    assert by_subject["ELA"] == [3, 4, 5, 6, 7, 8, 10]
    assert by_subject["MATH"] == [3, 4, 5, 6, 7, 8, 10]
    assert by_subject["SCI"] == [5, 8, 10]
    students = tables["students"]
    tested_grades = students[students.grade.isin([3, 4, 5, 6, 7, 8, 10])]
    expected = len(tested_grades) * 2 + tested_grades.grade.isin([5, 8, 10]).sum()
    assert len(a) == expected
    assert not a.duplicated(["year", "student_id", "subject"]).any()
    merged = a.merge(students, on=["year", "student_id"], suffixes=("", "_s"))
    assert len(merged) == len(a)
    assert (merged.school_id == merged.school_id_s).all() and (merged.grade == merged.grade_s).all()


def test_levels_match_scale_score_cuts(tables: dict[str, pd.DataFrame]) -> None:
    a = tables["assessments"]
    general = a[(a.participation == "TESTED") & (a.test_type == "GENERAL")]
    ss = general.scale_score
    assert ss.between(200, 280).all() and (ss % 2 == 0).all()
    expected = np.select([ss < 220, ss < 240, ss < 260], [1, 2, 3], 4)
    assert (general.achievement_level.to_numpy() == expected).all()
    low = general.achievement_level <= 2
    expected_sub = np.where((ss % 20) < 10, "LOW", "HIGH")  # 200-208 / 220-228 are LOW
    assert (general.achievement_sublevel[low].to_numpy() == expected_sub[low.to_numpy()]).all()
    assert general.achievement_sublevel[~low].isna().all()
    assert set(general.achievement_level) == {1, 2, 3, 4}


def test_not_tested_and_alternate_rows(tables: dict[str, pd.DataFrame]) -> None:
    a = tables["assessments"]
    absent = a[a.participation != "TESTED"]
    assert len(absent) > 0
    assert absent[["scale_score", "achievement_level", "achievement_sublevel"]].isna().all().all()
    alternate = a[(a.test_type == "ALTERNATE") & (a.participation == "TESTED")]
    assert len(alternate) > 0
    assert alternate.scale_score.isna().all() and alternate.achievement_level.notna().all()
    swd = tables["students"].set_index(["year", "student_id"]).swd
    assert swd.loc[list(zip(alternate.year, alternate.student_id, strict=True))].all()


def test_rates_are_plausible(tables: dict[str, pd.DataFrame]) -> None:
    s, a = tables["students"], tables["assessments"]
    assert 0.30 <= s.low_income.mean() <= 0.65
    assert 0.06 <= s.ell.mean() <= 0.18
    assert 0.02 <= s.former_ell.mean() <= 0.09
    assert 0.12 <= s.swd.mean() <= 0.21
    assert s.migrant.mean() <= 0.03 and 0.005 <= s.homeless.mean() <= 0.04
    assert 0.03 <= 1 - s.fay.mean() <= 0.10
    assert s.gender.value_counts(normalize=True).get("X", 0) < 0.03
    assert s.days_enrolled.between(1, 180).all() and (s.days_attended <= s.days_enrolled).all()
    rate = s.days_attended / s.days_enrolled
    assert 0.70 <= (rate >= 0.9).mean() <= 0.97
    assert (rate[s.low_income] >= 0.9).mean() < (rate[~s.low_income] >= 0.9).mean()
    assert 0.93 <= (a.participation == "TESTED").mean() <= 0.99
    assert 0.002 <= (a.test_type == "ALTERNATE").mean() <= 0.03
    tested = a[a.participation == "TESTED"]
    assert 0.40 <= (tested.achievement_level >= 3).mean() <= 0.65


def test_achievement_gaps_and_school_differences(tables: dict[str, pd.DataFrame]) -> None:
    s, a = tables["students"], tables["assessments"]
    m = a[a.scale_score.notna()].merge(s, on=["year", "student_id", "school_id", "grade"])
    for group in ("low_income", "ell", "swd"):
        means = m.groupby(group).scale_score.mean()
        assert means[False] - means[True] > 4, group
    by_school = m.groupby("school_id").scale_score.mean()
    assert by_school.max() - by_school.min() > 4
    trend = m.groupby(["school_id", "year"]).scale_score.mean().unstack()
    change = trend[YEARS[-1]] - trend[YEARS[0]]
    assert change.max() > 3 and change.min() < -2  # improving and declining schools
    title1 = s.groupby("school_id").title1.agg(["min", "max"])
    assert (title1["min"] == title1["max"]).all()  # a school-level flag


# --- items and item responses ---------------------------------------------------------------


def test_items_per_test(tables: dict[str, pd.DataFrame]) -> None:
    items = tables["items"]
    assert set(items.year) == {2023, 2024}
    per_test = items.groupby(["year", "subject", "grade"])
    assert len(per_test) == 2 * 17
    assert per_test.size().between(30, 40).all()
    assert not items.duplicated(["year", "subject", "grade", "item_id"]).any()
    assert items.item_id.str.fullmatch(r"[EMS](\d|10)-\d\d").all()
    mc = items.item_type == "MC"
    assert items.key[mc].isin(list("ABCD")).all() and items.key[~mc].isna().all()
    assert (items.max_points == np.where(items.item_type == "OR", 4, 1)).all()
    assert mc.mean() > 0.6 and (items.item_type == "OR").any() and (items.item_type == "SR").any()
    assert items.state_pct_correct.isna().all()
    assert items.standard.notna().all() and items.reporting_category.notna().all()
    patterns = {
        "MATH": r"(\d\.[A-Z]{1,3}\.\d+|[NAFGS]-[A-Z]{1,3}\.\d+)",
        "ELA": r"(RL|RI|L|W)\.(\d|9-10)\.\d+",
        "SCI": r"(5|3-5|MS|HS)-(PS|LS|ESS|ETS)\d-\d+",
    }
    for subject, pattern in patterns.items():
        assert items.standard[items.subject == subject].str.fullmatch(pattern).all(), subject
    flaws = items.groupby(["year", "subject", "grade"]).demo_flaw.count()
    assert flaws.between(2, 3).all()


def test_item_responses_cover_tested_general_students(
    tables: dict[str, pd.DataFrame], item_frame: pd.DataFrame
) -> None:
    a, items = tables["assessments"], tables["items"]
    assert set(item_frame.year) == {2023, 2024}
    assert item_frame.item_type.notna().all()  # every response names a known item
    eligible = a[(a.participation == "TESTED") & (a.test_type == "GENERAL") & (a.year >= 2023)]
    n_items = items.groupby(["year", "subject", "grade"]).size().rename("k")
    expected = eligible.merge(n_items.reset_index(), on=["year", "subject", "grade"]).k.sum()
    assert len(item_frame) == expected
    assert not item_frame.duplicated(["year", "student_id", "subject", "item_id"]).any()
    taken = item_frame[["year", "student_id", "subject"]].drop_duplicates()
    assert len(taken) == len(eligible)


def test_points_and_responses_are_consistent(item_frame: pd.DataFrame) -> None:
    r = item_frame
    assert r.points.between(0, r.max_points).all()
    mc = r[r.item_type == "MC"]
    assert (mc.points == (mc.response == mc.key).astype(int)).all()
    assert mc.response.dropna().isin(list("ABCD")).all()
    assert 0.002 <= mc.response.isna().mean() <= 0.03  # blanks
    assert r.response[r.item_type != "MC"].isna().all()
    open_response = r[r.item_type == "OR"].points
    assert set(open_response) == {0, 1, 2, 3, 4}


def _item_statistics(item_frame: pd.DataFrame) -> pd.DataFrame:
    """Corrected point-biserial, key share and top distractor share of every item."""
    rows = []
    for (year, subject, grade), test in item_frame.groupby(["year", "subject", "grade"]):
        points = test.pivot(index="student_id", columns="item_id", values="points")
        total = points.sum(axis=1).to_numpy()
        meta = test.drop_duplicates("item_id").set_index("item_id")
        for item in points.columns:
            x = points[item].to_numpy(dtype=float)
            r = np.corrcoef(x, total - x)[0, 1]
            chosen = test.response[test.item_id == item]
            key = meta.key[item]
            shares = chosen.value_counts() / len(chosen)
            key_share = shares.get(key, 0.0) if isinstance(key, str) else np.nan
            top = shares.drop(key, errors="ignore").max() if isinstance(key, str) else np.nan
            rows.append(
                (
                    year,
                    subject,
                    grade,
                    item,
                    meta.item_type[item],
                    meta.demo_flaw[item],
                    r,
                    key_share,
                    top,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "year",
            "subject",
            "grade",
            "item_id",
            "item_type",
            "flaw",
            "r",
            "key_share",
            "top_distractor",
        ],
    )


def test_weak_items_behave_as_flagged(item_frame: pd.DataFrame) -> None:
    stats = _item_statistics(item_frame)
    negative = stats[stats.flaw == "negative discrimination"]
    low = stats[stats.flaw == "low discrimination"]
    lure = stats[stats.flaw == "distractor beats key"]
    normal = stats[stats.flaw.isna()]
    assert len(negative) == len(lure) == 34 and len(low) > 0
    assert (negative.r < 0).all()
    assert (low.r.abs() < 0.3).all() and low.r.abs().mean() < 0.15
    assert (lure.top_distractor > lure.key_share).all()
    assert normal.r.median() > 0.35 and (normal.r > 0.1).all()
    normal_mc = normal[normal.item_type == "MC"]
    assert (normal_mc.top_distractor < normal_mc.key_share).mean() > 0.97


# --- graduation and ccr ---------------------------------------------------------------------


def test_graduation_cohorts(tables: dict[str, pd.DataFrame]) -> None:
    g, s = tables["graduation"], tables["students"]
    assert set(g.cohort_year) == set(YEARS)
    assert not g.duplicated(["cohort_year", "student_id"]).any()
    assert (~g.graduated_4yr | g.graduated_5yr).all()  # a 4-year graduate is a 5-year one
    assert (~(g.dropout & g.graduated_5yr)).all()
    assert 0.70 <= g.graduated_4yr.mean() <= 0.97
    assert g.graduated_5yr.mean() >= g.graduated_4yr.mean()
    seniors = s[s.grade == 12].rename(columns={"year": "cohort_year"})
    joined = g.merge(seniors, on=["cohort_year", "student_id"], suffixes=("", "_s"))
    assert len(joined) == len(g) and (joined.school_id == joined.school_id_s).all()


def test_ccr_rows_are_graduates(tables: dict[str, pd.DataFrame]) -> None:
    c, g = tables["ccr"], tables["graduation"]
    on_time = g[g.graduated_4yr].rename(columns={"cohort_year": "year"})[["year", "student_id"]]
    late = g[g.graduated_5yr & ~g.graduated_4yr].assign(year=lambda d: d.cohort_year + 1)
    graduates = pd.concat([on_time, late[["year", "student_id"]]])
    joined = c.merge(graduates, on=["year", "student_id"], how="left", indicator=True)
    assert (joined._merge == "both").all()
    assert len(c) == len(graduates[graduates.year <= YEARS[-1]])
    assert (~c.met_ccr_standard | c.took_ccr_assessment).all()
    assert (c.ccr_score.notna() == c.took_ccr_assessment).all()
    assert c.ccr_score.dropna().between(12, 36).all()
    assert (~c.career_ed_placed | c.career_ed_completer).all()
    assert 0.55 <= c.took_ccr_assessment.mean() <= 0.85


# --- determinism, formats, arguments --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_same_bytes(tmp_path: Path, fmt: str) -> None:
    args = dict(schools=2, students_per_grade=20, fmt=fmt)
    generate_demo(tmp_path / "a", seed=3, **args)
    generate_demo(tmp_path / "b", seed=3, **args)
    generate_demo(tmp_path / "c", seed=4, **args)
    first, second, other = (_files_bytes(tmp_path / x) for x in "abc")
    assert first == second
    assert all(first[name] != other[name] for name in first)


# sha256 of the CSV files of ``generate_demo(out, seed=42, schools=2, students_per_grade=20,
# years=2)``. A deliberate change of the generator or its catalogue changes them: check the
# new data, then paste the new digests (the failure message prints them).
# History: the split into modules and catalogue files changed no byte. The MSIP 5 / PBMAS
# inputs (issue 14) appended columns to students and graduation, added pre-kindergarten rows
# to students and three new tables; assessments, items, item_responses and ccr kept their
# bytes, and the columns students and graduation had keep theirs
# (test_the_new_inputs_leave_the_old_columns_as_they_were, against the digests below).
PINNED_SHA256 = {
    "assessments.csv": "9d776afbc94080e072511371ab319b48ba04dbbd7afd23fd982c804875d8c959",
    "ccr.csv": "2a0c630e519558a2dcb831dd2b213c579186243b5fffb32c57a2d1aeb10df71f",
    "courses.csv": "7c87d0dffb8ce1d3b17c268e8e479a65ee41938e72f199df516c5ea3508f21b4",
    "discipline.csv": "e34e04f12339e6d687b8ed642b7f42dc9b294dc0aa478a1f5f1c7bb9d0c06d00",
    "elp_assessments.csv": "d63523e1a9e61da99b90160cce1d43549f8815356538a25c615ae549a75f2154",
    "graduation.csv": "23d9605c0b07d0a9f16eac9d5c2aed72dd488ea47b3c5f4e2e4a7b5c747ab34b",
    "item_responses.csv": "8b50d7858d92f1ed470bd9153e0ce4005ef70a7a4b0a710086e92128b4fba061",
    "items.csv": "3a58ef7ef79db318b69245948e9a3662c012ce6cdc446bb28f20249682b7ef84",
    "students.csv": "1abfe6d83eed2b2505187b1f7b2c639a52a5536554bd289aca7181b974b4e5a5",
}
# The pinned students.csv and graduation.csv before the MSIP 5 / PBMAS columns, rows and
# tables were added (columns: the first 19 of students and 11 of graduation).
PINNED_BEFORE_STATE_INPUTS = {
    "students.csv": ("962582d91aca2b7350a3d04df15b5ff8d3f178167fa0029702e70a468ec7950e", 19),
    "graduation.csv": ("1427784ca23ca20a1613f439d7b7fb391782e00f551f3265afe1e6721fa15d85", 11),
}


def test_output_for_a_seed_is_pinned(tmp_path: Path) -> None:
    generate_demo(tmp_path, seed=42, schools=2, students_per_grade=20, years=2)
    digests = {
        name: hashlib.sha256(data).hexdigest() for name, data in _files_bytes(tmp_path).items()
    }
    assert digests == PINNED_SHA256, f"the demo data changed; new digests: {digests}"


def test_the_new_inputs_leave_the_old_columns_as_they_were(tmp_path: Path) -> None:
    """The columns appended for MSIP 5 / PBMAS are drawn from streams of their own: cut off
    (and the pre-kindergarten rows left out), the files are byte for byte the old ones."""
    generate_demo(tmp_path, seed=42, schools=2, students_per_grade=20, years=2)
    for name, (digest, width) in PINNED_BEFORE_STATE_INPUTS.items():
        lines = (tmp_path / name).read_text().splitlines()
        grade = lines[0].split(",").index("grade") if name == "students.csv" else None
        kept = [
            ",".join(line.split(",")[:width])
            for line in lines
            if grade is None or line.split(",")[grade] != "-1"
        ]
        text = "\n".join(kept) + "\n"
        assert hashlib.sha256(text.encode()).hexdigest() == digest, name


def test_same_seed_same_bytes_in_fresh_processes(tmp_path: Path) -> None:
    """Two interpreters (no shared caches) write the same bytes for a seed; another seed differs."""
    code = (
        "import sys; from kit.demo import generate_demo; "
        "generate_demo(sys.argv[1], seed=int(sys.argv[2]), schools=2, students_per_grade=10, "
        "years=2)"
    )
    for folder, seed in (("a", 11), ("b", 11), ("c", 12)):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / folder), str(seed)], check=True)
    first, second, other = (_files_bytes(tmp_path / x) for x in "abc")
    assert first == second
    assert set(first) == set(TABLE_NAMES_CSV) and all(first[n] != other[n] for n in first)


def test_parquet_and_csv_hold_the_same_data(tmp_path: Path) -> None:
    args = dict(seed=5, schools=2, students_per_grade=20, years=2, item_years=2)
    generate_demo(tmp_path / "csv", fmt="csv", **args)
    generate_demo(tmp_path / "pq", fmt="parquet", **args)
    for name in TABLE_NAMES:
        parquet = pq.read_table(tmp_path / "pq" / f"{name}.parquet")
        plain = pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in parquet.schema
            ]
        )
        parquet = parquet.cast(plain)
        options = pacsv.ConvertOptions(column_types=plain, strings_can_be_null=True)
        csv = pacsv.read_csv(tmp_path / "csv" / f"{name}.csv", convert_options=options)
        assert csv.equals(parquet), name


def test_parquet_types_follow_the_schema(tmp_path: Path) -> None:
    generate_demo(tmp_path, schools=2, students_per_grade=5, fmt="parquet")
    arrow = {
        "VARCHAR": pa.string(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
    }
    for name in TABLE_NAMES:
        schema = pq.read_schema(tmp_path / f"{name}.parquet")
        for column in TABLES[name].columns:
            kind = schema.field(column.name).type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            assert kind == arrow[column.type], f"{name}.{column.name}"


def test_several_districts_and_no_item_years(tmp_path: Path) -> None:
    summary = generate_demo(
        tmp_path,
        districts=2,
        schools=3,
        students_per_grade=5,
        item_years=0,
        years=2,
        last_year=2019,
    )
    s = _read(tmp_path, "students")
    assert sorted(s.district_id.unique()) == ["D01", "D02"]
    assert s.groupby("district_id").district_name.nunique().eq(1).all()
    assert s.district_name.nunique() == 2
    assert set(s.year) == {2018, 2019}
    assert not s.duplicated(["year", "student_id"]).any()
    assert summary.rows["items"] == summary.rows["item_responses"] == 0
    assert list(_read(tmp_path, "items").columns)[-1] == "demo_flaw"


@pytest.mark.parametrize(
    "bad",
    [
        dict(fmt="xlsx"),
        dict(schools=0),
        dict(years=0),
        dict(item_years=4),
        dict(seed=-1),
        dict(students_per_grade=2.5),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, bad: dict) -> None:
    with pytest.raises(ParameterError):
        generate_demo(tmp_path, **bad)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    schools=st.integers(1, 8),
    per_grade=st.integers(1, 6),
    years=st.integers(1, 3),
)
def test_any_layout_tests_every_grade_and_keeps_invariants(
    seed: int, schools: int, per_grade: int, years: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        generate_demo(out, seed=seed, schools=schools, students_per_grade=per_grade, years=years)
        s, a = _read(out, "students"), _read(out, "assessments")
        assert (s[s.grade == -1].age <= 4).all() and s[s.grade == -1].swd.all()
        s = s[s.grade >= 0]
        assert s.groupby(["year", "school_id", "grade"]).size().eq(per_grade).all()
        assert set(s.grade) == set(range(13))
        assert set(a.grade) == {3, 4, 5, 6, 7, 8, 10}
        assert not s.duplicated(["year", "student_id"]).any()
        scored = a.dropna(subset=["scale_score"])
        level = np.select(
            [scored.scale_score < 220, scored.scale_score < 240, scored.scale_score < 260],
            [1, 2, 3],
            4,
        )
        assert (scored.achievement_level.to_numpy() == level).all()
        assert all(re.fullmatch(r"D01S\d\d", x) for x in s.school_id.unique())


# --- inputs of MSIP 5 and PBMAS (docs/data.md) ------------------------------------------------


def test_state_columns_of_students_are_plausible(tables: dict[str, pd.DataFrame]) -> None:
    s = tables["students"]
    k12 = s[s.grade >= 0]
    assert (k12.hours_enrolled == k12.days_enrolled * 7).all()
    assert (s.hours_attended <= s.hours_enrolled).all()
    came = k12[k12.hours_attended > 0]
    share_90 = (came.hours_attended >= 0.9 * came.hours_enrolled).groupby(came.year).mean()
    assert share_90.between(0.84, 0.92).all()  # about 85-90 % attend 90 % of their hours
    assert 0 < (k12.hours_attended == 0).mean() < 0.01  # a few never attend (S002: excluded)
    res = s.residency_code.value_counts(normalize=True)
    assert res["RESIDENT_I"] > 0.95 and set(res.index) <= set(
        TABLES["students"].column("residency_code").codes
    )
    # BE/ESL programs for English learners only; BE mostly in grades K-5
    assert s.lep_program.notna().eq(s.ell).all()
    ells = s[s.ell & (s.grade.between(0, 5))]
    assert 0.45 <= (ells.lep_program == "BE").mean() <= 0.70
    assert (s[s.ell & (s.grade >= 6)].lep_program != "BE").all()
    assert 0.02 <= (s[s.ell].lep_program == "NONE").mean() <= 0.10
    # exit years: past years of students no longer in the program; some year-after-exit
    assert (s.ell_exit_year.dropna() < s.year[s.ell_exit_year.notna()]).all()
    assert (
        s.ell_exit_year.notna().eq(s.former_ell).all()
        and not (s.ell & s.ell_exit_year.notna()).any()
    )
    assert not (s.swd & s.swd_exit_year.notna()).any()
    assert (s.ell_exit_year == s.year - 1).sum() > 10 and (s.swd_exit_year == s.year - 1).sum() > 5
    # CTE participants in grades 9-12, more in the upper grades
    cte = s[s.grade >= 9].groupby("grade").cte_participant.mean()
    assert 0.35 <= cte[9] < cte[12] <= 0.75 and not s[s.grade < 9].cte_participant.any()
    # annual dropouts in grades 7-12 only, about 1-2 % a year in high school, more for ELLs
    assert not s[~s.grade.between(7, 12)].dropout.any()
    high = s[s.grade >= 9]
    assert 0.005 <= high.dropout.mean() <= 0.03
    assert s[s.grade.between(7, 12) & s.ell].dropout.mean() > high.dropout.mean()
    # ages and settings
    assert ((s.age - s.grade - 5).isin([0, 1]) | (s.grade == -1)).all()
    assert 0.05 <= (s.age - s.grade - 5 == 1).mean() <= 0.15
    assert s.instructional_setting.notna().eq(s.swd).all()
    early = s[s.swd & (s.age <= 5)].instructional_setting
    assert (
        set(early) == {"EC_REGULAR", "EC_SEPARATE"}
        and 0.25 <= (early == "EC_REGULAR").mean() <= 0.55
    )
    later = s[s.swd & (s.age >= 6)].instructional_setting.value_counts(normalize=True)
    assert 0.55 <= later["REGULAR_80"] <= 0.75 and not later.index.str.startswith("EC_").any()
    pk = s[s.grade == -1]
    assert len(pk) and pk.swd.all() and pk.age.isin([3, 4]).all()


def test_graduation_diploma_programs_and_cohort_flags(tables: dict[str, pd.DataFrame]) -> None:
    g = tables["graduation"]
    graduates = g.graduated_4yr | g.graduated_5yr
    assert g.diploma_program.notna().eq(graduates).all()
    share = g.diploma_program.value_counts(normalize=True)
    assert 0.55 <= share["RHSP"] <= 0.85 and share["MHSP"] > 0.08 and share["DAP"] > 0.05
    mhsp = g[graduates].groupby("swd").diploma_program.apply(lambda x: (x == "MHSP").mean())
    assert mhsp[True] > 2 * mhsp[False]
    assert g.cte_participant.between(0, 1).all() and 0.5 <= g.cte_participant.mean() <= 0.8


def test_monitoring_tables(tables: dict[str, pd.DataFrame]) -> None:
    s = tables["students"].set_index(["year", "student_id"])
    elp = tables["elp_assessments"]
    keys = list(zip(elp.year, elp.student_id, strict=True))
    assert s.loc[keys].ell.all() and (s.loc[keys].grade >= 0).all()
    assert len(elp) == int((s.ell & (s.grade >= 0)).sum())  # every ELL K-12 is rated
    level = {
        c: i for i, c in enumerate(TABLES["elp_assessments"].column("telpas_reading_level").codes)
    }
    reading = elp.telpas_reading_level.map(level)
    first, later = reading[elp.years_in_us_schools == 1], reading[elp.years_in_us_schools >= 3]
    assert (first == 0).mean() > 0.3 > (later == 0).mean()  # Beginning falls with years in the U.S.
    assert (elp.telpas_composite_level.map(level) - reading).abs().max() <= 1
    d = tables["discipline"]
    assert set(d.action) == {"ISS", "OSS", "DAEP"}
    students = tables["students"]
    k12 = students[students.grade >= 0]
    rate = d.groupby(["year", "action"]).student_id.nunique() / k12.groupby("year").size()
    assert rate.xs("ISS", level=1).between(0.03, 0.10).all()
    assert rate.xs("DAEP", level=1).between(0.002, 0.02).all()
    flagged = d.merge(students[["year", "student_id", "swd", "grade"]], on=["year", "student_id"])
    assert (flagged[flagged.action == "DAEP"].grade >= 6).all()
    swd_rate = flagged[flagged.swd].student_id.nunique() / k12.swd.sum()
    assert swd_rate > flagged[~flagged.swd].student_id.nunique() / (~k12.swd).sum()
    assert (
        0.9 <= d[d.action == "ISS"].discretionary.mean()
        and d.incident_date.str.match(r"\d{4}-\d\d-\d\d").all()
    )
    c = tables["courses"].merge(students[["year", "student_id", "gender", "cte_participant"]])
    assert c.cte_participant.all() and (c.groupby(["year", "student_id"]).size() == 2).all()
    for gender in ("M", "F"):
        done = c[c.completed & (c.nontraditional_for == gender)]
        assert 0.12 <= (done.gender == gender).mean() <= 0.38  # about a quarter


def test_several_districts_have_a_k8_and_a_small_district(tmp_path: Path) -> None:
    generate_demo(tmp_path / "three", districts=3, schools=4, students_per_grade=20, years=1)
    s = _read(tmp_path / "three", "students")
    top = s.groupby("district_id").grade.max()
    size = s.groupby("district_id").size()
    assert top.to_dict() == {"D01": 12, "D02": 8, "D03": 12}  # D02 is K-8
    assert size["D03"] < size["D01"] / 3  # D03 is small
    assert not _read(tmp_path / "three", "graduation").district_id.eq("D02").any()
    generate_demo(tmp_path / "two", districts=2, schools=3, students_per_grade=20, years=1)
    s = _read(tmp_path / "two", "students")
    assert s[s.district_id == "D02"].grade.max() == 8
    assert (s.district_id == "D02").sum() < (s.district_id == "D01").sum() / 3


def test_state_tests_add_rows_and_leave_the_others(tmp_path: Path) -> None:
    args = dict(seed=9, schools=3, students_per_grade=15, years=2)
    generate_demo(tmp_path / "plain", **args)
    generate_demo(tmp_path / "state", state_tests=True, **args)
    plain, state = (
        _read(tmp_path / "plain", "assessments"),
        _read(tmp_path / "state", "assessments"),
    )
    ordinary = state[state.subject.isin(["ELA", "MATH", "SCI"])].reset_index(drop=True)
    assert ordinary.equals(plain)
    extra = state[~state.subject.isin(["ELA", "MATH", "SCI"])]
    by_subject = extra.groupby("subject").grade.unique().map(lambda g: sorted(int(x) for x in g))
    assert by_subject.to_dict() == {
        "ALG1": [8, 9],
        "BIO": [10],
        "ENG2": [10],
        "GOV": [11],
        "SS": [8, 11],
        "WRITING": [4, 7],
    }
    eighth = extra[(extra.subject == "ALG1") & (extra.grade == 8)]
    grade8 = _read(tmp_path / "state", "students").query("grade == 8")
    assert 0.08 <= len(eighth) / len(grade8) <= 0.25
    tested = eighth[eighth.participation == "TESTED"]
    assert (tested.achievement_level >= 3).mean() >= 0.6  # strong students take it early
    for name in ("students", "graduation", "courses"):
        assert (tmp_path / "plain" / f"{name}.csv").read_bytes() == (
            tmp_path / "state" / f"{name}.csv"
        ).read_bytes()
