"""kit import answers: real answer sheets (../shared/realdata/items) and small ones by hand."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from kit.data.importers import import_files
from kit.data.validate import validate_data
from kit.errors import DataError

TABLES = ("items", "item_responses", "students", "assessments")


def read(out, table) -> pd.DataFrame:
    return pd.read_csv(
        out / f"{table}.csv", dtype={"student_id": str, "item_id": str, "response": str, "key": str}
    )


@pytest.fixture(scope="module")
def hci(realdata, tmp_path_factory):
    out = tmp_path_factory.mktemp("hci")
    items = realdata / "items"
    result = import_files(
        "answers",
        [items / "HCItest.csv"],
        out,
        key=items / "HCIkey.csv",
        year=2017,
        subject="SCI",
        grade=12,
        gender_codes="0=M,1=F",
    )
    return result, out


def test_hci_scores_reproduce_hci_csv_and_its_total_exactly(hci, realdata):
    result, out = hci
    [f] = result.files
    assert (f.read, f.imported, f.rejected) == (651, 651, 0)
    points = read(out, "item_responses").pivot(
        index="student_id", columns="item_id", values="points"
    )
    published = pd.read_csv(realdata / "items" / "HCI.csv")
    items = [f"Item {i}" for i in range(1, 21)]
    # S0001.. are the sheet's rows in order
    assert list(points.index) == [f"S{i:04d}" for i in range(1, 652)]
    assert (points[items].to_numpy() == published[items].to_numpy()).all()
    assert (points[items].sum(axis=1).to_numpy() == published["total"].to_numpy()).all()
    scores = read(out, "assessments")["scale_score"].to_numpy()
    assert (scores == published["total"].to_numpy()).all()
    # the sheet's own total column agrees too: no warning about it
    assert not any("differs from the kit's score" in w for w in result.warnings)


def test_hci_groups_and_item_types(hci):
    result, out = hci
    students = read(out, "students")
    assert students["gender"].value_counts().to_dict() == {"M": 405, "F": 246}
    items = read(out, "items").set_index("item_id")
    # items 12 and 19 have a fifth option E among the answers: not MC for the kit
    assert set(items.index[items["item_type"] == "SR"]) == {"Item 12", "Item 19"}
    assert items.loc["Item 12", "answer_key"] == "D"
    assert "answers other than A-D (E)" in items.loc["Item 12", "import_note"]
    assert items.loc["Item 1", "key"] == "D" and items.loc["Item 1", "item_type"] == "MC"
    assert any("placeholder MR" in w for w in result.warnings)
    assert any("major, total" in w for w in result.warnings)  # not written anywhere


def test_kit_validate_accepts_the_folder(hci):
    _, out = hci
    result = validate_data(out)
    assert result.exit_code == 0
    assert {s.table: s.accepted for s in result.summaries} == {
        "students": 651,
        "assessments": 651,
        "items": 20,
        "item_responses": 13_020,
    }


def test_medical_test_with_multi_answer_keys_imports_and_scores_exactly(realdata, tmp_path):
    items = realdata / "items"
    result = import_files(
        "answers",
        [items / "dataMedicaltest.csv"],
        tmp_path,
        key=items / "dataMedicalkey.csv",
        year=2016,
        grade=12,
    )
    assert result.tables == {
        "items": 100,
        "item_responses": 239_200,
        "students": 2_392,
        "assessments": 2_392,
    }
    keys = [r["key"] for r in csv.DictReader(open(items / "dataMedicalkey.csv"))]
    sheet = list(csv.DictReader(open(items / "dataMedicaltest.csv")))
    columns = list(sheet[0])[:100]
    # Exact match of the set of options: "CD" is right for key CD, "C" is not.
    want = [sum(set(row[c]) == set(k) for c, k in zip(columns, keys, strict=True)) for row in sheet]
    assert read(tmp_path, "assessments")["scale_score"].tolist() == want
    got = read(tmp_path, "items")
    assert set(got["answer_key"]) >= {"BCD", "ABCD", "AC"}
    assert validate_data(tmp_path).exit_code == 0


# --------------------------------------------------------------------------- by hand


def sheet(tmp_path, rows, name="quiz.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_key_row_in_the_sheet_names_stay_out_and_bad_answers_are_rejected(tmp_path):
    path = sheet(
        tmp_path,
        [
            {"Name": "KEY", "Q1": "A", "Q2": "BD", "Q3": "C", "Gender": ""},
            {"Name": "POINTS", "Q1": "1", "Q2": "2", "Q3": "1", "Gender": ""},
            {"Name": "Ana Ruiz", "Q1": "a", "Q2": "D, B", "Q3": "C", "Gender": "F"},
            {"Name": "Ben Ode", "Q1": "B", "Q2": "B", "Q3": "", "Gender": "male"},
            {"Name": "Cy Li", "Q1": "7", "Q2": "B", "Q3": "C", "Gender": "M"},
            {"Name": "Di Fox", "Q1": "", "Q2": "", "Q3": "", "Gender": "F"},
        ],
    )
    out = tmp_path / "out"
    result = import_files("answers", [path], out, year=2024, subject="MATH", grade=5)
    [f] = result.files
    assert (f.read, f.imported, f.rejected) == (4, 3, 1)
    rejected = pd.read_csv(out / "rejected" / "students.csv", dtype=str)
    assert rejected[["source_row", "column", "value", "rule"]].values.tolist() == [
        ["6", "Q1", "7", "bad_answer"]
    ]  # Cy Li's row: header 1, key 2, points 3, ...
    tests = read(out, "assessments").set_index("student_id")
    assert tests["scale_score"].tolist()[:2] == [4, 0]  # Ana: 1 + 2 + 1; Ben: 0
    assert tests.loc["S0003", "participation"] == "ABSENT"  # Di answered nothing
    items = read(out, "items").set_index("item_id")
    assert items.loc["Q2", "max_points"] == 2 and items.loc["Q2", "item_type"] == "SR"
    for table in TABLES:
        text = (out / f"{table}.csv").read_text()
        assert "Ana" not in text and "Ruiz" not in text and "Name" not in text
    assert read(out, "students")["gender"].tolist() == ["F", "M", "F"]
    assert validate_data(out).exit_code == 0


def test_match_any_accepts_one_of_several_right_answers(tmp_path):
    rows = [{"Q1": "A", "Q2": "B"}, {"Q1": "C", "Q2": "B"}, {"Q1": "AC", "Q2": "B"}]
    path = sheet(tmp_path, rows)
    key = tmp_path / "key.csv"
    key.write_text("item,key\nQ1,AC\nQ2,B\n")
    exact = import_files("answers", [path], tmp_path / "exact", key=key, year=2024, grade=5)
    anyof = import_files(
        "answers", [path], tmp_path / "any", key=key, year=2024, grade=5, match="any"
    )
    assert exact.files[0].imported == anyof.files[0].imported == 3
    assert read(tmp_path / "exact", "assessments")["scale_score"].tolist() == [1, 1, 2]
    assert read(tmp_path / "any", "assessments")["scale_score"].tolist() == [2, 2, 1]


def test_no_key_is_one_clear_error(tmp_path):
    path = sheet(tmp_path, [{"Q1": "A", "Q2": "B"}])
    with pytest.raises(DataError) as error:
        import_files("answers", [path], tmp_path / "out")
    assert "--key" in str(error.value) and "KEY" in str(error.value)


def test_a_key_that_does_not_fit_the_sheet_names_both_counts(tmp_path):
    path = sheet(tmp_path, [{"Q1": "A", "Q2": "B"}])
    key = tmp_path / "key.csv"
    key.write_text("key\nA\nB\nC\n")
    with pytest.raises(DataError) as error:
        import_files("answers", [path], tmp_path / "out", key=key)
    assert "3 items" in str(error.value) and "2 columns" in str(error.value)


def test_defaults_are_reported(tmp_path):
    path = sheet(tmp_path, [{"Q1": "A"}])
    key = tmp_path / "key.csv"
    key.write_text("key\nA\n")
    result = import_files("answers", [path], tmp_path / "out", key=key)
    students = read(tmp_path / "out", "students").iloc[0]
    assert (students["school_id"], students["district_id"], students["grade"]) == (
        "CLASSROOM",
        "LOCAL",
        12,
    )
    assert read(tmp_path / "out", "items")["subject"].iloc[0] == "TEST"
    assert any("No year given" in w for w in result.warnings)
    assert any("No grade given" in w for w in result.warnings)


def test_a_sheet_without_answer_columns_names_the_layout(tmp_path):
    path = sheet(tmp_path, [{"Line": "Books", "Amount": "300"}])
    key = tmp_path / "key.csv"
    key.write_text("key\nA\n")
    with pytest.raises(DataError) as error:
        import_files("answers", [path], tmp_path / "out", key=key)
    assert "not a layout the answers importer knows" in str(error.value)
    assert "sheet (an answer sheet" in str(error.value)
