"""Tests of input validation (kit.data.validate, kit.data.rules, kit.data.readers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.data.readers import find_tables, read_table
from kit.data.schemas import TABLES
from kit.data.validate import REJECTED_COLUMNS, validate_data
from kit.errors import DataError

# --------------------------------------------------------------------------- fixtures


def valid_tables() -> dict[str, pd.DataFrame]:
    """A small clean data set, every cell as text: 6 students, 2 subjects, 3 items each."""
    ids = [f"S{i}" for i in range(1, 7)]
    students = pd.DataFrame(
        {
            "year": "2024",
            "student_id": ids,
            "district_id": "D1",
            "school_id": ["SC1", "SC1", "SC1", "SC2", "SC2", "SC2"],
            "grade": "4",
            "race_ethnicity": ["WH", "BL", "HI", "AS", "MR", "WH"],
            "gender": ["F", "M", "F", "M", "X", "F"],
            "low_income": ["Y", "N", "Y", "N", "Y", "N"],
            "ell": ["N", "N", "Y", "N", "N", "N"],
            "swd": ["N", "Y", "N", "N", "N", "N"],
            "fay": "Y",
            "days_enrolled": "180",
            "days_attended": ["170", "180", "150", "160", "175", "179"],
            # the optional MSIP 5 / PBMAS columns (docs/data.md)
            "hours_enrolled": "1260",
            "hours_attended": ["1190", "1260", "1049.5", "1120", "1225", "1250"],
            "residency_code": ["RESIDENT_I", "RESIDENT_I", "NON_RESIDENT", "", "DESEG_IN", "OTHER"],
            "lep_program": ["", "", "BE", "", "", ""],
            "ell_exit_year": ["", "", "", "2023", "", ""],
            "swd_exit_year": ["", "", "", "", "2022", ""],
            "cte_participant": ["N", "N", "N", "", "", ""],
            "dropout": "",
            "age": ["9", "9", "10", "9", "9", "9"],
            "instructional_setting": ["", "REGULAR_80", "", "", "", ""],
        }
    )
    assessments = pd.DataFrame(
        [
            {
                "year": "2024",
                "student_id": sid,
                "school_id": school,
                "grade": "4",
                "subject": subject,
                "participation": "TESTED",
                "test_type": "GENERAL",
                "scale_score": str(230 + i),
                "achievement_level": str(1 + i % 4),
            }
            for i, (sid, school) in enumerate(zip(ids, students["school_id"], strict=True))
            for subject in ("ELA", "MATH")
        ]
    )
    last = assessments.index[-1]
    assessments.loc[last, ["participation", "scale_score", "achievement_level"]] = [
        "ABSENT",
        "",
        "",
    ]
    items = pd.DataFrame(
        [
            {
                "year": "2024",
                "subject": subject,
                "grade": "4",
                "item_id": item,
                "item_type": kind,
                "max_points": points,
                "key": key,
                "standard": "4.NF.3",
                "reporting_category": "Fractions",
                "state_pct_correct": "61.5",
            }
            for subject in ("ELA", "MATH")
            for item, kind, points, key in (
                ("I1", "MC", "1", "A"),
                ("I2", "MC", "1", "B"),
                ("I3", "SR", "2", ""),
            )
        ]
    )
    item_responses = pd.DataFrame(
        [
            {
                "year": "2024",
                "student_id": sid,
                "subject": subject,
                "grade": "4",
                "item_id": item,
                "response": response,
                "points": points,
            }
            for sid in ids[:5]
            for subject in ("ELA", "MATH")
            for item, response, points in (("I1", "A", "1"), ("I2", "C", "0"), ("I3", "", "2"))
        ]
    )
    graduation = pd.DataFrame(
        {
            "cohort_year": "2024",
            "student_id": ["G1", "G2", "G3"],
            "district_id": "D1",
            "school_id": "SC9",
            "race_ethnicity": ["WH", "HI", "BL"],
            "low_income": ["Y", "N", "N"],
            "ell": "N",
            "swd": "N",
            "graduated_4yr": ["Y", "N", "N"],
            "graduated_5yr": ["Y", "Y", "N"],
            "dropout": ["N", "N", "Y"],
        }
    )
    ccr = pd.DataFrame(
        {
            "year": "2024",
            "student_id": ["G1", "G2"],
            "district_id": "D1",
            "school_id": "SC9",
            "took_ccr_assessment": "Y",
            "met_ccr_standard": ["Y", "N"],
            "ccr_score": ["24", "17.5"],
            "advanced_credit": "N",
            "postsecondary_placement": "Y",
            "career_ed_completer": "N",
            "career_ed_placed": "N",
        }
    )
    graduation["diploma_program"] = ["RHSP", "DAP", ""]
    attendance = pd.DataFrame(
        {
            "year": "2024",
            "student_id": ["S1", "S2", "S3"],
            "district_id": "D1",
            "school_id": ["SC1", "SC1", "SC1"],
            "grade": "4",
            "hours_enrolled": ["1260", "1260", "630"],
            "hours_attended": ["1190", "0", "600.5"],
            "residency_code": ["RESIDENT_I", "PARENT_TUITION", ""],
        }
    )
    elp = pd.DataFrame(
        {
            "year": "2024",
            "student_id": ["S3"],
            "telpas_reading_level": ["intermediate"],
            "telpas_composite_level": ["ADVANCED"],
            "years_in_us_schools": ["3"],
        }
    )
    discipline = pd.DataFrame(
        {
            "year": "2024",
            "student_id": ["S2", "S2", "S5"],
            "action": ["ISS", "ISS", "OSS"],
            "discretionary": ["Y", "Y", "N"],
            "incident_date": ["2023-10-02", "2023-10-02", ""],
        }
    )
    courses = pd.DataFrame(
        {
            "year": "2024",
            "student_id": ["S1", "S1", "S4"],
            "course_code": ["WELDING", "CULINARY", "HEALTH_SCI"],
            "completed": ["Y", "N", "Y"],
            "nontraditional_for": ["F", "", "M"],
        }
    )
    growth = pd.DataFrame(
        {
            "year": "2024",
            "entity_type": ["district", "school", "SCHOOL"],
            "entity_id": ["D1", "SC1", "SC2"],
            "subject": ["ELA", "math", "ELA"],
            "group": ["all", "super_subgroup", "race_BL"],
            "estimate": ["1.5", "-0.4", ""],
            "std_error": ["0.5", "0.6", ""],
            "significance": ["", "", "below"],
            "level": ["", "", ""],
            "n": ["6", "3", "1"],
            "source": "state growth file",
        }
    )
    return {
        "students": students,
        "assessments": assessments,
        "items": items,
        "item_responses": item_responses,
        "graduation": graduation,
        "ccr": ccr,
        "attendance": attendance,
        "elp_assessments": elp,
        "discipline": discipline,
        "courses": courses,
        "growth": growth,
    }


def write_csv(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def rejected_rows(folder: Path, table: str) -> pd.DataFrame:
    path = folder / f"{table}.csv"
    if not path.exists():
        return pd.DataFrame(columns=list(REJECTED_COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f'DESCRIBE "{table}"').fetchall()]


def schema_types(table: str) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in TABLES[table].columns]


def check_fatal(error: DataError) -> None:
    """A fatal message is one paragraph, names a file, and hides the library's exception."""
    assert "\n" not in error.message
    assert error.file
    assert Path(error.file).name in error.message or str(error.file) in error.message
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return valid_tables()


# --------------------------------------------------------------------------- clean data


def test_clean_data_is_all_accepted_with_schema_types(tables, tmp_path):
    data = write_csv(tables, tmp_path / "data")
    result = validate_data(data, rejected_dir=tmp_path / "rejected")
    assert result.exit_code == 0
    assert not result.rejected_counts
    assert not list((tmp_path / "rejected").iterdir())
    for summary in result.summaries:
        assert summary.read == summary.accepted == len(tables[summary.table])
        assert summary.rejected == 0
        assert column_types(result.con, summary.table) == schema_types(summary.table)
    assert [s.table for s in result.summaries] == list(TABLES)
    assert set(result.file_hashes) == {f"{name}.csv" for name in TABLES}
    assert all(len(h) == 64 for h in result.file_hashes.values())
    as_dict = result.to_dict()
    assert as_dict["exit_code"] == 0 and len(as_dict["tables"]) == len(TABLES)


def test_required_tables_only(tables, tmp_path):
    data = write_csv({k: tables[k] for k in ("students", "assessments")}, tmp_path)
    result = validate_data(data)
    assert [s.table for s in result.summaries] == ["students", "assessments"]
    assert result.exit_code == 0


def test_given_connection_gets_tables_and_no_leftovers(tables, tmp_path):
    data = write_csv(tables, tmp_path / "data")
    con = duckdb.connect()
    assert validate_data(data, con=con).con is con
    assert validate_data(data, con=con).exit_code == 0  # a second run replaces the tables
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE view_name LIKE '__kit%'")
    assert names == set(TABLES)
    assert not views.fetchall()
    setting = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()
    assert setting == [("",)]


# --------------------------------------------------------------------------- lenient reading


def test_lenient_values_are_read(tables, tmp_path):
    s = tables["students"]
    s.loc[0, ["year", "grade", "race_ethnicity", "low_income", "ell", "swd", "fay"]] = [
        "2024.0",
        "3.0",
        " wh ",
        "yes",
        "TRUE",
        "t",
        "1.0",
    ]
    s.loc[1, ["low_income", "ell", "swd", "fay", "gender"]] = ["no", "FALSE", "f", "0.0", "m"]
    s.loc[1, "instructional_setting"] = ""  # given for students with disabilities only
    s.loc[2, ["low_income", "ell", "swd", "fay"]] = ["y", "1", "N", "0"]
    s["homeless"] = ["Y", "", "n", "", "", ""]  # optional flag: empty means false
    s["note"] = "an extra column"
    tables["assessments"].loc[0, ["subject", "participation", "test_type"]] = [
        "ela",
        "Tested",
        "general",
    ]
    tables["item_responses"].loc[0, "response"] = " a"
    result = validate_data(write_csv(tables, tmp_path))
    assert result.exit_code == 0
    con = result.con
    got = con.execute(
        "SELECT year, grade, race_ethnicity, gender, low_income, ell, swd, fay, homeless, "
        "migrant FROM students ORDER BY student_id"
    ).fetchall()
    assert got[0] == (2024, 3, "WH", "F", True, True, True, True, True, False)
    assert got[1] == (2024, 4, "BL", "M", False, False, False, False, False, False)
    assert got[2][4:8] == (True, True, False, False)
    assert [r[8] for r in got] == [True, False, False, False, False, False]
    assert "note" not in [c for c, _ in column_types(con, "students")]
    assert column_types(con, "students") == schema_types("students")
    first = con.execute("SELECT subject, participation, test_type FROM assessments LIMIT 1")
    assert first.fetchall()[0] == ("ELA", "TESTED", "GENERAL")
    assert con.execute("SELECT response FROM item_responses LIMIT 1").fetchall()[0] == ("A",)


def test_optional_columns_absent_are_added(tables, tmp_path):
    s = tables["students"].drop(columns=["gender", "days_enrolled", "days_attended"])
    s.columns = [c.upper() if c == "student_id" else c for c in s.columns]  # STUDENT_ID matches
    tables["students"] = s
    result = validate_data(write_csv(tables, tmp_path))
    assert result.exit_code == 0
    row = result.con.execute(
        "SELECT gender, days_enrolled, former_ell, title1 FROM students LIMIT 1"
    ).fetchall()[0]
    assert row == (None, None, False, False)
    assert column_types(result.con, "students") == schema_types("students")


# --------------------------------------------------------------------------- row rules

# fmt: off
CASES = [
    # table, row, changes, column, rule, message fragment
    ("students", 1, {"grade": "13"}, "grade", "range", 'grade "13" is not a grade -1 to 12; use 0 (or K) for kindergarten, -1 (or PK) for pre-kindergarten'),
    ("students", 1, {"grade": "-2"}, "grade", "range", "-1 (or PK) for pre-kindergarten"),
    ("assessments", 2, {"grade": "-1"}, "grade", "range", 'grade "-1" is not a grade 0-12'),
    ("attendance", 0, {"grade": "-1"}, "grade", "range", "is not a grade 0-12"),
    # the optional MSIP 5 / PBMAS columns and tables
    ("assessments", 0, {"test_type": "MODIFIED"}, "test_type", "modified_without_swd", "students with disabilities only"),
    ("attendance", 2, {"hours_attended": "700"}, "hours_attended", "hours_attended_exceeds_enrolled", "more than hours_enrolled"),
    ("attendance", 0, {"student_id": "S99"}, "student_id", "unknown_student", "S99"),
    ("elp_assessments", 0, {"year": "2023"}, "student_id", "unknown_student", "year 2023"),
    ("discipline", 0, {"action": "DETENTION"}, "action", "code", "DAEP, ISS, OSS, EXPULSION"),
    ("discipline", 2, {"student_id": "S99"}, "student_id", "unknown_student", "S99"),
    ("courses", 0, {"completed": ""}, "completed", "missing_value", "completed is empty"),
    ("courses", 0, {"nontraditional_for": "X"}, "nontraditional_for", "code", "M, F"),
    ("growth", 0, {"entity_type": "state"}, "entity_type", "code", "DISTRICT, SCHOOL"),
    ("growth", 0, {"group": "girls"}, "group", "code", "ALL, LOW_INCOME"),
    ("growth", 1, {"entity_id": "SC7"}, "entity_id", "unknown_entity", 'SCHOOL "SC7" has no students in 2024'),
    ("growth", 0, {"entity_type": "SCHOOL"}, "entity_id", "unknown_entity", "has no students"),
    ("students", 1, {"grade": "3.5"}, "grade", "type", 'grade "3.5" is not a whole number'),
    ("students", 1, {"grade": "four"}, "grade", "type", "not a whole number"),
    ("students", 1, {"year": "1899"}, "year", "range", "1990-2100"),
    ("students", 1, {"year": ""}, "year", "missing_value", "year is empty"),
    ("students", 1, {"student_id": "  "}, "student_id", "missing_value", "student_id is empty"),
    ("students", 1, {"race_ethnicity": "XX"}, "race_ethnicity", "code", 'race_ethnicity "XX" is not one of AI, AS, BL'),
    ("students", 1, {"low_income": "maybe"}, "low_income", "type", 'low_income "maybe" is not a yes/no value'),
    ("students", 1, {"fay": ""}, "fay", "missing_value", "fay is empty"),
    # the first failing rule in schema column order wins: grade before race_ethnicity
    ("students", 1, {"grade": "x", "race_ethnicity": "XX"}, "grade", "type", "grade"),
    ("assessments", 2, {"achievement_level": "5"}, "achievement_level", "range", 'achievement_level "5" is not a level 1-4'),
    ("assessments", 2, {"achievement_level": ""}, "achievement_level", "tested_without_level", "achievement_level is empty"),
    ("assessments", 2, {"scale_score": ""}, "scale_score", "tested_without_score", "scale_score is empty"),
    ("assessments", 2, {"scale_score": "abc"}, "scale_score", "type", "is not a number"),
    ("assessments", 2, {"scale_score": "-5"}, "scale_score", "range", "0-9999"),
    ("assessments", 2, {"participation": "ABSENT"}, "participation", "not_tested_has_score", "leave them empty"),
    ("assessments", 2, {"participation": "GONE"}, "participation", "code", "TESTED, ABSENT"),
    ("assessments", 2, {"student_id": "S99"}, "student_id", "unknown_student", 'student_id "S99" has no row in students for year 2024'),
    ("assessments", 2, {"year": "2023"}, "student_id", "unknown_student", "year 2023"),
    ("items", 0, {"key": ""}, "key", "mc_without_key", "key is empty"),
    ("items", 0, {"max_points": "2"}, "max_points", "mc_max_points", "MC items are worth 1 point"),
    ("items", 0, {"key": "e"}, "key", "code", '"e" is not one of A, B, C, D'),
    ("items", 0, {"item_type": "XX"}, "item_type", "code", "MC, SR, OR"),
    ("items", 2, {"max_points": "0"}, "max_points", "range", "1-100"),
    ("item_responses", 2, {"points": "3"}, "points", "points_exceed_max", "more than the item's max_points (2)"),
    ("item_responses", 2, {"points": "-1"}, "points", "range", "is negative"),
    ("item_responses", 0, {"response": "E"}, "response", "bad_response", 'response "E" is not A, B, C or D'),
    ("item_responses", 0, {"item_id": "I9"}, "item_id", "unknown_item", 'item_id "I9" has no row in items for 2024 ELA grade 4'),
    ("item_responses", 0, {"grade": "5"}, "item_id", "unknown_item", "grade 5"),
    ("item_responses", 0, {"student_id": "S99"}, "student_id", "unknown_student", "S99"),
    ("graduation", 0, {"cohort_year": "20x4"}, "cohort_year", "type", "not a whole number"),
    ("graduation", 0, {"dropout": "perhaps"}, "dropout", "type", "yes/no"),
    ("ccr", 0, {"ccr_score": "abc"}, "ccr_score", "type", "not a number"),
    ("ccr", 0, {"met_ccr_standard": ""}, "met_ccr_standard", "missing_value", "is empty"),
]
# Optional columns: the value is left empty and the row kept, with a warning row
# (issue 11, item 6; tests/data/test_messy_input.py has more).
BLANKED = [
    ("students", 1, {"gender": "Q"}, "gender", "code", "F, M, X"),
    ("students", 1, {"days_enrolled": "-1"}, "days_enrolled", "range", "0-366"),
    ("students", 1, {"days_attended": "181"}, "days_attended", "days_attended_exceeds_enrolled", "more than days_enrolled"),
    ("items", 2, {"state_pct_correct": "150"}, "state_pct_correct", "range", "0-100"),
    # the optional MSIP 5 / PBMAS columns (issue 14): a bad value is left empty
    ("students", 1, {"hours_attended": "1300"}, "hours_attended", "hours_attended_exceeds_enrolled", "more than hours_enrolled 1260"),
    ("students", 1, {"hours_enrolled": "-3"}, "hours_enrolled", "range", "0-9000"),
    ("students", 1, {"residency_code": "RESIDENT"}, "residency_code", "code", "RESIDENT_I, NON_RESIDENT"),
    ("students", 1, {"lep_program": "BE"}, "lep_program", "lep_program_without_ell", "current English learners only"),
    ("students", 2, {"lep_program": "DUAL"}, "lep_program", "code", "BE, ESL, NONE"),
    ("students", 2, {"ell_exit_year": "2023"}, "ell_exit_year", "exit_year_but_current", "ell is true this year"),
    ("students", 3, {"ell_exit_year": "2025"}, "ell_exit_year", "exit_year_after_year", "after the school year 2024"),
    ("students", 1, {"swd_exit_year": "2022"}, "swd_exit_year", "exit_year_but_current", "swd is true this year"),
    ("students", 1, {"age": "30"}, "age", "range", "0-25"),
    ("students", 0, {"instructional_setting": "REGULAR_80"}, "instructional_setting", "setting_without_swd", "students with disabilities only"),
    ("students", 1, {"instructional_setting": "MAINSTREAM"}, "instructional_setting", "code", "EC_REGULAR"),
    ("students", 0, {"dropout": "Y"}, "dropout", "dropout_outside_grades_7_12", "grades 7-12"),
    ("students", 0, {"cte_participant": "sometimes"}, "cte_participant", "type", "yes/no"),
    ("graduation", 2, {"diploma_program": "RHSP"}, "diploma_program", "diploma_without_graduation", "did not graduate"),
    ("graduation", 0, {"diploma_program": "GED"}, "diploma_program", "code", "MHSP, RHSP, DAP"),
    ("elp_assessments", 0, {"telpas_reading_level": "", "telpas_composite_level": ""}, "telpas_reading_level", "elp_without_level", "at least one rating"),
    ("elp_assessments", 0, {"telpas_reading_level": "FLUENT"}, "telpas_reading_level", "code", "ADVANCED_HIGH"),
    ("elp_assessments", 0, {"years_in_us_schools": "-1"}, "years_in_us_schools", "range", "0-25"),
    ("discipline", 0, {"incident_date": "13/02/2024"}, "incident_date", "bad_date", "YYYY-MM-DD"),
    ("growth", 0, {"std_error": "0"}, "std_error", "std_error_not_positive", "not above 0"),
    ("growth", 0, {"std_error": ""}, "estimate", "growth_without_result", "no growth result"),
]
# fmt: on


@pytest.mark.parametrize(
    ("table", "row", "changes", "column", "rule", "fragment"),
    BLANKED,
    ids=[f"{c[0]}-{c[4]}-{'-'.join(c[2])}" for c in BLANKED],
)
def test_optional_value_rule_blanks_and_keeps_the_row(
    tables, tmp_path, table, row, changes, column, rule, fragment
):
    for name, value in changes.items():
        tables[table].loc[row, name] = value
    result = validate_data(write_csv(tables, tmp_path / "data"), rejected_dir=tmp_path / "rej")
    assert result.exit_code == 0
    warned = rejected_rows(tmp_path / "rej", table)
    hit = warned[warned["source_row"] == str(row + 2)]
    assert list(hit["rule"]) == ["optional_value_blanked"] and list(hit["column"]) == [column]
    assert fragment in hit.iloc[0]["message"] and "left empty" in hit.iloc[0]["message"]
    assert result.warning_counts == {f"{table}.{column}": 1}
    summary = next(s for s in result.summaries if s.table == table)
    assert summary.read == summary.accepted == len(tables[table]) and summary.warnings == 1


@pytest.mark.parametrize(
    ("table", "row", "changes", "column", "rule", "fragment"),
    CASES,
    ids=[f"{c[0]}-{c[4]}-{'-'.join(c[2])}" for c in CASES],
)
def test_row_rule(tables, tmp_path, table, row, changes, column, rule, fragment):
    for name, value in changes.items():
        tables[table].loc[row, name] = value
    result = validate_data(write_csv(tables, tmp_path / "data"), rejected_dir=tmp_path / "rej")
    assert result.exit_code == 1
    rejected = rejected_rows(tmp_path / "rej", table)
    hit = rejected[rejected["source_row"] == str(row + 2)]
    assert len(hit) == 1, rejected
    assert hit.iloc[0]["rule"] == rule
    assert hit.iloc[0]["column"] == column
    assert fragment in hit.iloc[0]["message"]
    assert hit.iloc[0]["source_file"] == f"{table}.csv"
    assert result.rejected_counts[f"{table}.{rule}"] >= 1
    summary = next(s for s in result.summaries if s.table == table)
    assert summary.read == summary.accepted + summary.rejected == len(tables[table])


def test_levels_parameter(tables, tmp_path):
    tables["assessments"].loc[2, "achievement_level"] = "5"
    data = write_csv(tables, tmp_path)
    assert validate_data(data, levels=4).exit_code == 1
    assert validate_data(data, levels=5).exit_code == 0
    with pytest.raises(ValueError):
        validate_data(data, levels=0)


def test_alternate_test_may_lack_scale_score(tables, tmp_path):
    tables["assessments"].loc[2, ["test_type", "scale_score"]] = ["ALTERNATE", ""]
    assert validate_data(write_csv(tables, tmp_path)).exit_code == 0


def test_duplicates_name_the_first_row(tables, tmp_path):
    s = tables["students"]
    copy = s.iloc[[0, 0]].copy()
    copy.iloc[1, copy.columns.get_loc("year")] = "2024.0"  # the same key once parsed
    tables["students"] = pd.concat([s, copy], ignore_index=True)
    result = validate_data(write_csv(tables, tmp_path / "data"), rejected_dir=tmp_path / "rej")
    rejected = rejected_rows(tmp_path / "rej", "students")
    assert list(rejected["source_row"]) == ["8", "9"]
    assert set(rejected["rule"]) == {"duplicate"}
    assert rejected.iloc[0]["message"] == (
        "same year, student_id as row 2; keep one row per year, student_id"
    )
    assert rejected.iloc[0]["column"] == "year, student_id"
    assert rejected.iloc[0]["value"] == "2024, S1"
    # the first row is kept, so its assessments still find their student
    assert result.summaries[1].rejected == 0


def test_rejected_student_rejects_the_rows_that_need_it(tables, tmp_path):
    tables["students"].loc[0, "grade"] = "13"
    result = validate_data(write_csv(tables, tmp_path / "data"), rejected_dir=tmp_path / "rej")
    counts = result.rejected_counts
    assert counts == {
        "students.range": 1,
        "assessments.student_rejected": 2,
        "item_responses.student_rejected": 6,
        "attendance.student_rejected": 1,
        "courses.student_rejected": 2,
    }
    assert result.exit_code == 1


def test_rejected_file_keeps_the_original_row(tables, tmp_path):
    tables["students"]["note"] = [f"note {i}" for i in range(6)]
    tables["students"]["rule"] = "clashes with a fixed column"
    tables["students"].loc[3, "grade"] = " 13 "
    validate_data(write_csv(tables, tmp_path / "data"), rejected_dir=tmp_path / "rej")
    rejected = rejected_rows(tmp_path / "rej", "students")
    fixed = list(REJECTED_COLUMNS)
    assert list(rejected.columns[:6]) == fixed
    assert list(rejected.columns[6:]) == [
        c if c != "rule" else "original_rule" for c in tables["students"].columns
    ]
    row = rejected.iloc[0]
    assert (row["source_row"], row["value"], row["student_id"]) == ("5", "13", "S4")
    assert row["note"] == "note 3" and row["original_rule"] == "clashes with a fixed column"


# --------------------------------------------------------------------------- formats


def test_parquet_with_types_and_row_index(tables, tmp_path):
    for name in ("attendance", "elp_assessments", "discipline", "courses", "growth"):
        del tables[name]  # their student ids are not renumbered below
    data = write_csv(tables, tmp_path / "data")
    s = tables["students"].copy()
    s["year"] = s["year"].astype("int64")
    s["student_id"] = np.arange(1001, 1007)  # numeric ids become text
    s["grade"] = [4.0, 4.0, 4.0, 13.0, 4.0, 4.0]
    for flag in ("low_income", "ell", "swd", "fay"):
        s[flag] = s[flag].eq("Y")
    s["days_enrolled"] = [180.0, np.nan, 180.0, 180.0, 180.0, 180.0]
    s["days_attended"] = [170.0, np.nan, 150.0, 160.0, 175.0, 179.0]
    s.to_parquet(data / "students.parquet", index=False)
    (data / "students.csv").unlink()
    a = tables["assessments"]
    a["student_id"] = a["student_id"].str[1:].astype(int) + 1000
    a.to_csv(data / "assessments.csv", index=False)
    tables["item_responses"]["student_id"] = "100" + tables["item_responses"]["student_id"].str[1:]
    tables["item_responses"].to_csv(data / "item_responses.csv", index=False)
    result = validate_data(data, rejected_dir=tmp_path / "rej")
    rejected = rejected_rows(tmp_path / "rej", "students")
    assert list(rejected["source_row"]) == ["4"]  # the 4th row of the file
    assert rejected.iloc[0]["value"] == "13.0"
    ids = result.con.execute("SELECT student_id, days_enrolled FROM students LIMIT 2").fetchall()
    assert ids == [("1001", 180), ("1002", None)]
    assert column_types(result.con, "students") == schema_types("students")
    assert result.rejected_counts == {
        "students.range": 1,
        "assessments.student_rejected": 2,
        "item_responses.student_rejected": 6,
    }


def test_xlsx_with_blank_row(tables, tmp_path):
    data = write_csv(tables, tmp_path / "data")
    (data / "students.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    s = tables["students"]
    sheet.append(list(s.columns))
    for i, record in enumerate(s.itertuples(index=False)):
        values: list[object] = list(record)
        values[0], values[4] = int(values[0]), float(values[4])  # numbers as Excel has them
        values[10] = True
        if i == 3:
            sheet.append([])  # a blank row in the sheet is read as a blank_row, numbered
            values[4] = 13
        sheet.append(values)
    book.save(data / "Students.XLSX")
    result = validate_data(data, rejected_dir=tmp_path / "rej")
    rejected = rejected_rows(tmp_path / "rej", "students")
    assert list(rejected["source_row"]) == ["5", "6"]
    assert list(rejected["rule"]) == ["blank_row", "range"]
    assert rejected.iloc[0]["source_file"] == "Students.XLSX"
    assert result.summaries[0].read == 7
    assert result.con.execute("SELECT count(*) FROM students WHERE fay").fetchall()[0] == (5,)


def test_latin1_csv(tables, tmp_path):
    data = write_csv(tables, tmp_path / "data")
    tables["students"]["school_name"] = "Escuela Niños"
    tables["students"].to_csv(data / "students.csv", index=False, encoding="latin-1")
    result = validate_data(data)
    assert result.exit_code == 0
    names = result.con.execute("SELECT DISTINCT school_name FROM students").fetchall()
    assert names == [("Escuela Niños",)]


def test_malformed_csv_row_is_rejected_with_its_number(tables, tmp_path):
    data = write_csv(tables, tmp_path / "data")
    lines = (data / "students.csv").read_text().splitlines()
    lines.insert(3, "2024,S77,D1")  # too few values
    lines.insert(5, "")  # a blank line: a row in a spreadsheet, read as a blank_row
    (data / "students.csv").write_text("\n".join(lines) + "\n")
    tables["students"].loc[4, "grade"] = "13"
    result = validate_data(data, rejected_dir=tmp_path / "rej")
    rejected = rejected_rows(tmp_path / "rej", "students")
    assert list(rejected["rule"]) == ["malformed_row", "blank_row"]
    assert list(rejected["source_row"]) == ["4", "6"]
    assert "3 values but the header has 23 columns" in rejected.iloc[0]["message"]
    assert result.summaries[0].read == 8
    assert result.summaries[0].accepted == 6


def test_row_numbers_are_exact_in_a_large_csv(tmp_path):
    """Rows of a multi-megabyte CSV, read in parallel, keep their spreadsheet row number.

    Blank lines count as rows (a spreadsheet shows them); a value with a line break inside
    quotes does not start a new row; a ragged row is rejected without shifting the rest.
    """
    n = 120_000
    bad = set(np.random.default_rng(7).choice(n, 40, replace=False).tolist())
    records = [
        "year,student_id,district_id,school_id,grade,race_ethnicity,low_income,ell,swd,fay,note"
    ]
    expected = {}  # spreadsheet row -> student_id in the rejected file
    for i in range(n):
        if i % 997 == 0:
            records.append("")
            expected[len(records)] = ""  # a blank line is a row read, listed as blank_row
        if i == 5000:
            records.append("2024,BROKEN,D1")
            expected[len(records)] = ""  # a malformed row has no columns to show
        note = f'"line one\nline two, {i}"' if i % 1000 == 0 else f"note {i}"
        records.append(f"2024,S{i},D1,SC{i % 50},{13 if i in bad else i % 13},WH,Y,N,N,Y,{note}")
        if i in bad:
            expected[len(records)] = f"S{i}"
    data = tmp_path / "data"
    data.mkdir()
    (data / "students.csv").write_text("\n".join(records) + "\n")
    assert (data / "students.csv").stat().st_size > 4_000_000
    assessments = {"year": "2024", "student_id": "S1", "school_id": "SC1", "grade": "1"}
    assessments |= {"subject": "ELA", "participation": "ABSENT", "test_type": "GENERAL"}
    assessments |= {"scale_score": "", "achievement_level": ""}
    pd.DataFrame([assessments]).to_csv(data / "assessments.csv", index=False)
    result = validate_data(data, rejected_dir=tmp_path / "rej")
    rejected = rejected_rows(tmp_path / "rej", "students")
    got = dict(zip(rejected["source_row"].astype(int), rejected["student_id"], strict=True))
    assert got == expected
    blank = sum(1 for i in range(n) if i % 997 == 0)
    assert result.summaries[0].read == n + 1 + blank
    assert result.summaries[0].accepted == n - len(bad)


# --------------------------------------------------------------------------- fatal problems


def fatal(data: Path, **kwargs) -> DataError:
    with pytest.raises(DataError) as caught:
        validate_data(data, **kwargs)
    check_fatal(caught.value)
    return caught.value


def test_missing_folder(tmp_path):
    error = fatal(tmp_path / "nowhere")
    assert "nowhere" in error.message


def test_missing_required_table_lists_files(tables, tmp_path):
    data = write_csv({"students": tables["students"]}, tmp_path)
    tables["assessments"].to_csv(data / "assessment.csv", index=False)
    error = fatal(data)
    assert "assessments.csv, assessments.parquet or assessments.xlsx" in error.message
    assert "found: assessment.csv, students.csv" in error.message
    assert "assessment.csv looks close" in error.message


def test_missing_required_column_suggests_close_header(tables, tmp_path):
    tables["students"] = tables["students"].rename(columns={"student_id": "studentid"})
    error = fatal(write_csv(tables, tmp_path))
    assert error.column == "student_id"
    assert Path(error.file).name == "students.csv"
    assert '"student_id"' in error.message and "students.csv" in error.message
    assert '"studentid" looks like student_id: rename it to "student_id"' in error.message


def test_missing_required_columns_all_named(tables, tmp_path):
    tables["assessments"] = tables["assessments"].drop(columns=["subject", "test_type"])
    error = fatal(write_csv(tables, tmp_path))
    assert error.column == "subject"
    assert '"subject", "test_type"' in error.message


def test_table_given_twice(tables, tmp_path):
    data = write_csv(tables, tmp_path)
    tables["students"].to_parquet(data / "students.parquet")
    error = fatal(data)
    assert "students.csv and students.parquet" in error.message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("students.parquet", b"PAR1 this is not parquet PAR1", "could not be read as Parquet"),
        ("students.csv", b"year,student_id\x00\x01\x02\xff" * 10, "not a text CSV"),
        ("students.xlsx", b"not a zip file", "could not be read as an Excel workbook"),
        ("students.csv", b"", "no data rows"),
        ("students.csv", b"year,student_id,grade\n", "no data rows"),
        ("students.csv", b"year,student_id,grade\n,,\n\n", "no data rows"),
        ("students.csv", b"year,Year,grade\n2024,2024,4\n", 'column "Year" twice'),
    ],
)
def test_unreadable_or_empty_file(tables, tmp_path, name, content, words):
    data = write_csv(tables, tmp_path)
    (data / "students.csv").unlink()
    (data / name).write_bytes(content)
    error = fatal(data)
    assert words in error.message
    assert Path(error.file).name == name


def test_parquet_damaged_after_its_footer(tables, tmp_path):
    data = write_csv(tables, tmp_path / "data")
    (data / "students.csv").unlink()
    big = pd.concat([tables["students"]] * 2000, ignore_index=True)
    big["student_id"] = [f"S{i}" for i in range(len(big))]
    big.to_parquet(data / "students.parquet", index=False, compression="snappy")
    content = bytearray((data / "students.parquet").read_bytes())
    content[100:164] = b"\xff" * 64  # inside the first data page; the footer still reads
    (data / "students.parquet").write_bytes(bytes(content))
    error = fatal(data)
    assert "students.parquet could not be read" in error.message


def test_empty_parquet_and_xlsx(tables, tmp_path):
    data = write_csv(tables, tmp_path)
    (data / "items.csv").unlink()
    # An optional table with no rows is treated as absent (issue 11, item 6), so the item
    # responses are left without their items: that is what stops the run.
    tables["items"].iloc[:0].to_parquet(data / "items.parquet")
    assert "items.parquet has none" in fatal(data).message
    (data / "items.parquet").unlink()
    tables["items"].iloc[:0].to_excel(data / "items.xlsx", index=False)
    assert "items.xlsx has none" in fatal(data).message
    (data / "items.xlsx").unlink()
    (data / "item_responses.csv").unlink()
    tables["students"].iloc[:0].to_excel(data / "students.xlsx", index=False)
    (data / "students.csv").unlink()
    assert "no data rows" in fatal(data).message  # a required table with no rows is fatal


def test_item_responses_need_items(tables, tmp_path):
    del tables["items"]
    error = fatal(write_csv(tables, tmp_path))
    assert "items table is missing" in error.message


def test_rejected_dir_must_not_be_the_data_folder(tables, tmp_path):
    data = write_csv(tables, tmp_path)
    assert "overwrite input files" in fatal(data, rejected_dir=data).message


# --------------------------------------------------------------------------- readers


def test_find_tables_and_read_table(tables, tmp_path):
    data = write_csv({"students": tables["students"]}, tmp_path)
    shutil.move(data / "students.csv", data / "Students.CSV")
    (data / "notes.txt").write_text("ignored")
    tables["items"].to_parquet(data / "items.parquet", index=False)
    found = find_tables(data)
    assert found == {"students": data / "Students.CSV", "items": data / "items.parquet"}
    frame = read_table(found["students"])
    assert list(frame.columns) == list(tables["students"].columns)
    assert frame.loc[0, "year"] == "2024" and len(frame) == 6
    with pytest.raises(DataError):
        read_table(data / "missing.csv")


# --------------------------------------------------------------------------- property

CORRUPTIONS = ["", "  ", "x!", "ZZ", "-1", "99999", "3.5", "2024.0", "S99", "I9", "y", "0"]


@st.composite
def corrupted(draw) -> dict[str, pd.DataFrame]:
    tables = valid_tables()
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.sampled_from(sorted(tables)))
        frame = tables[name]
        kind = draw(st.sampled_from(["cell", "cell", "cell", "duplicate"]))
        row = draw(st.integers(0, len(frame) - 1))
        if kind == "duplicate":
            tables[name] = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
        else:
            column = draw(st.sampled_from(list(frame.columns)))
            frame.loc[row, column] = draw(st.sampled_from(CORRUPTIONS))
    return tables


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tables=corrupted())
def test_every_row_is_accepted_or_rejected(tables, tmp_path_factory):
    folder = tmp_path_factory.mktemp("property")
    result = validate_data(write_csv(tables, folder / "data"), rejected_dir=folder / "rej")
    for summary in result.summaries:
        frame = tables[summary.table]
        assert summary.read == summary.accepted + summary.rejected == len(frame)
        assert column_types(result.con, summary.table) == schema_types(summary.table)
        listed = rejected_rows(folder / "rej", summary.table)
        blanked = listed["rule"] == "optional_value_blanked"
        rejected = listed[~blanked]
        assert len(rejected) == summary.rejected
        assert blanked.sum() == sum(
            n for k, n in result.warning_counts.items() if k.startswith(summary.table + ".")
        )
        rows = rejected["source_row"].astype(int)
        assert rows.is_unique
        assert not set(listed[blanked]["source_row"].astype(int)) & set(rows)
        for (_, line), row in zip(rejected.iterrows(), rows, strict=True):
            original = frame.iloc[row - 2]
            for column in frame.columns:
                assert line[column].strip() == str(original[column]).strip()
        typed = [c for c in TABLES[summary.table].columns if c.type != "VARCHAR"]
        warned_rows = set(listed[blanked]["source_row"].astype(int))
        for col in typed:
            if col.name not in frame.columns:
                continue
            broken = set(frame.index[frame[col.name] == "x!"] + 2)
            # a required column's bad value rejects the row; an optional one's is left empty
            # and the row kept with a warning (unless the row is rejected for another reason)
            assert broken <= (set(rows) if col.required else set(rows) | warned_rows)
    assert result.exit_code == (1 if any(s.rejected for s in result.summaries) else 0)


# --------------------------------------------------------------------------- MSIP 5 / PBMAS inputs


def test_pre_kindergarten_is_grade_minus_one_in_students_only(tables, tmp_path):
    pk = tables["students"].iloc[[1]].assign(student_id="PK1", grade="-1", age="4")
    pk["instructional_setting"] = "EC_REGULAR"
    tables["students"] = pd.concat([tables["students"], pk], ignore_index=True)
    result = validate_data(write_csv(tables, tmp_path))
    assert result.exit_code == 0
    assert result.con.execute(
        "SELECT grade, age FROM students WHERE student_id = 'PK1'"
    ).fetchall() == [(-1, 4)]


def test_optional_state_columns_absent_are_empty(tables, tmp_path):
    optional = [c.name for c in TABLES["students"].columns if c.name.startswith(("hours_", "lep_"))]
    tables["students"] = tables["students"].drop(columns=optional)
    for name in ("attendance", "elp_assessments", "discipline", "courses", "growth"):
        del tables[name]
    result = validate_data(write_csv(tables, tmp_path))
    assert result.exit_code == 0
    assert {s.table for s in result.summaries} == {
        "students",
        "assessments",
        "items",
        "item_responses",
        "graduation",
        "ccr",
    }
    row = result.con.execute(
        "SELECT hours_enrolled, lep_program, cte_participant FROM students WHERE student_id = 'S1'"
    ).fetchall()
    assert row == [(None, None, False)]


def test_state_tables_are_read_with_their_codes(tables, tmp_path):
    result = validate_data(write_csv(tables, tmp_path))
    assert result.exit_code == 0
    con = result.con
    growth = con.execute(
        'SELECT entity_type, "group", subject, significance FROM growth ORDER BY entity_id'
    ).fetchall()
    assert growth == [
        ("DISTRICT", "ALL", "ELA", None),
        ("SCHOOL", "SUPER_SUBGROUP", "MATH", None),
        ("SCHOOL", "RACE_BL", "ELA", "BELOW"),
    ]
    # two identical discipline actions are two actions: the table has no key
    assert con.execute("SELECT count(*) FROM discipline").fetchone()[0] == 3
    assert con.execute("SELECT telpas_reading_level FROM elp_assessments").fetchone()[0] == (
        "INTERMEDIATE"
    )
    assert con.execute("SELECT diploma_program FROM graduation ORDER BY student_id").fetchall() == [
        ("RHSP",),
        ("DAP",),
        (None,),
    ]
