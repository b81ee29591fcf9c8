"""Importers on small files written by hand with what real exports do wrong."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.cli import main
from kit.data.importers import SOURCES, import_files
from kit.errors import DataError

HEADER = [
    "School Name",
    "School Code",
    "Subject",
    "M+E #",
    "M+E %",
    "E #",
    "E %",
    "M #",
    "M %",
    "PM #",
    "PM %",
    "NM #",
    "NM %",
    "No. of Students Included",
    "Part. Rate %",
    "Avg. Scaled Score",
]


def school(
    name="Abby Kelley Foster Charter Public (District) - Abby Kelley Foster Charter Public School",
    code="04450105",
    subject="ELA",
    counts=(10, 20, 30, 40),
    part="99",
    mean="495.1",
    n=None,
):
    nm, pm, m, e = counts
    n = sum(counts) if n is None else n
    pct = [round(100 * c / n) for c in counts]
    return [
        name,
        code,
        subject,
        str(m + e),
        str(pct[2] + pct[3]),
        str(e),
        str(pct[3]),
        str(m),
        str(pct[2]),
        str(pm),
        str(pct[1]),
        str(nm),
        str(pct[0]),
        str(n),
        part,
        mean,
    ]


def write(path, rows, *, sep=",", bom=False, crlf=False, header=HEADER):
    newline = "\r\n" if crlf else "\n"

    def line(cells):
        return sep.join(f'"{c}"' if sep in c else c for c in cells)

    text = newline.join([line(header), *(line(r) for r in rows)]) + newline
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def run(tmp_path, files, **options):
    out = tmp_path / "out"
    result = import_files("ma-mcas", files, out, **options)
    agg = pd.read_csv(
        out / "aggregates.csv", dtype={"entity_id": str, "district_id": str, "grade": str}
    )
    rejected_path = out / "rejected" / "aggregates.csv"
    rejected = pd.read_csv(rejected_path, dtype=str) if rejected_path.exists() else None
    return result, agg, rejected


def test_semicolons_bom_crlf_and_padding(tmp_path):
    padded = [f"{c:>12}" if c.isdigit() else c for c in school()]
    path = write(
        tmp_path / "mcas grade 4 all students 2022.csv", [padded], sep=";", bom=True, crlf=True
    )
    result, agg, rejected = run(tmp_path, [path])
    assert rejected is None and result.files[0].imported == 1
    row = agg.iloc[0]
    assert (row["year"], row["grade"], row["group"], row["entity_id"]) == (
        2022,
        "4",
        "all",
        "04450105",
    )
    assert [row[f"n_level_{j}"] for j in range(1, 5)] == [10, 20, 30, 40]
    assert (row["n"], row["published_n_proficient"], row["mean_scale_score"]) == (100, 70, 495.1)


def test_lost_leading_zeros_come_back_and_name_the_district(tmp_path):
    rows = [school(code="4450105"), school(name="Abington - Abington Middle School", code="10405")]
    _, agg, _ = run(tmp_path, [write(tmp_path / "grade 6 2021.csv", rows)])
    assert agg["entity_id"].tolist() == ["04450105", "00010405"]
    assert agg["district_id"].tolist() == ["04450000", "00010000"]
    assert agg["entity_name"].tolist()[1] == "Abington Middle School"
    assert agg["district_name"].tolist()[1] == "Abington"


def test_thousands_separators_in_both_separators(tmp_path):
    big = school(name="State", code="00000000", counts=(6_000, 20_000, 35_000, 6_396))
    big = [f"{int(c):,}" if c.isdigit() else c for c in big]
    assert big[13] == "67,396"
    comma = write(tmp_path / "mcas grade 10 2022.csv", [big])
    semi = write(tmp_path / "mcas grade 10 2021.csv", [big], sep=";")
    _, agg, rejected = run(tmp_path, [comma, semi])
    assert rejected is None
    assert agg["n"].tolist() == [67_396, 67_396]
    assert set(agg["entity_id"]) == {"STATE"} and agg["district_id"].isna().all()


def test_blank_and_suppressed_cells_stay_blank(tmp_path):
    rows = [school(part="", mean="*"), school(code="04450205", part="N/A", mean="  ")]
    _, agg, rejected = run(tmp_path, [write(tmp_path / "grade 3 2022.csv", rows)])
    assert rejected is None
    assert agg["participation_rate"].isna().all() and agg["mean_scale_score"].isna().all()


def test_an_unrecognised_file_names_the_layouts_known(tmp_path):
    path = tmp_path / "budget 2022.csv"
    path.write_text("Line,Amount\nBooks,300\n")
    with pytest.raises(DataError) as error:
        import_files("ma-mcas", [path], tmp_path / "out")
    message = str(error.value)
    assert "budget 2022.csv" in message and '"Line", "Amount"' in message
    for layout in SOURCES["ma-mcas"].layouts:
        assert layout.id in message
    assert "\n" not in message.split("Fix:")[0]  # one paragraph


def test_the_cli_says_so_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "budget 2022.csv"
    path.write_text("Line,Amount\nBooks,300\n")
    assert main(["import", "ma-mcas", str(path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "nextgen" in captured.err


def test_bad_rows_go_to_rejected_with_their_row_number(tmp_path):
    rows = [
        school(),
        school(code="ABC"),
        school(code="04450205", counts=(1, 1, 1, 1), n=3),
        school(code="04450305")[:-3] + ["12x", "99", "500"],
        school(code="04450405"),
    ]
    path = write(tmp_path / "grade 5 2022.csv", rows)
    result, agg, rejected = run(tmp_path, [path])
    [f] = result.files
    assert (f.read, f.imported, f.rejected) == (5, 2, 3)
    assert rejected[["source_row", "column", "value", "rule"]].values.tolist() == [
        ["3", "School Code", "ABC", "entity_code"],
        ["4", "No. of Students Included", "4", "counts_exceed_n"],  # value: the counts' sum
        ["5", "No. of Students Included", "12x", "type"],
    ]
    assert rejected["source_file"].eq("grade 5 2022.csv").all()
    assert agg["entity_id"].tolist() == ["04450105", "04450405"]


def test_a_malformed_row_is_rejected(tmp_path):
    path = write(tmp_path / "grade 5 2022.csv", [school(), school() + ["extra"]])
    result, _, rejected = run(tmp_path, [path])
    assert result.files[0].rejected == 1
    assert rejected.iloc[0][["source_row", "rule"]].tolist() == ["3", "malformed_row"]


def test_group_and_span_from_the_file_name(tmp_path):
    header = [*HEADER, "year", "grade", "student_group"]
    rows = [[*school(), "2022", "ALL", ""]]
    path = write(
        tmp_path / "mcas public schools grades 3-8 students with disabillities 2022.csv",
        rows,
        sep=";",
        header=header,
    )
    _, agg, _ = run(tmp_path, [path])
    assert (agg["grade"].iloc[0], agg["group"].iloc[0]) == ("3-8", "swd")


def test_group_from_a_column(tmp_path):
    header = [*HEADER, "year", "grade", "student_group"]
    rows = [
        [*school(), "2021", "ALL", "afr.american/black"],
        [*school(code="04450205"), "2021", "ALL", "Ever EL"],
        [*school(code="04450305"), "2021", "ALL", "martians"],
    ]
    path = write(tmp_path / "mcas grades 3-8 2021.csv", rows, header=header)
    _, agg, rejected = run(tmp_path, [path])
    assert agg["group"].tolist() == ["race_BL", "ever_ell"]
    assert rejected.iloc[0][["source_row", "rule", "value"]].tolist() == [
        "4",
        "group_label",
        "martians",
    ]


def test_an_unknown_group_in_the_file_name_stops(tmp_path):
    path = write(tmp_path / "mcas grades 3-8 martians 2022.csv", [school()])
    with pytest.raises(DataError, match="martians"):
        import_files("ma-mcas", [path], tmp_path / "out")


def test_the_same_row_in_two_files_is_a_duplicate(tmp_path):
    a = write(tmp_path / "mcas grade 4 2022.csv", [school()])
    b = write(tmp_path / "mcas public schools grade 4 all students 2022.csv", [school()])
    result, agg, rejected = run(tmp_path, [a, b])
    assert len(agg) == 1
    assert rejected.iloc[0]["rule"] == "duplicate"
    assert "mcas grade 4 2022.csv row 2" in rejected.iloc[0]["message"]
    assert [f.rejected for f in result.files] == [0, 1]


def test_unknown_source_and_wrong_option(tmp_path):
    path = write(tmp_path / "grade 4 2022.csv", [school()])
    with pytest.raises(DataError, match="ma-mcas"):
        import_files("tx-staar", [path], tmp_path / "out")
    with pytest.raises(Exception, match="no option key"):
        import_files("ma-mcas", [path], tmp_path / "out", key="k.csv")


def test_two_files_of_one_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write(tmp_path / "a" / "mcas grade 4 2022.csv", [school()])
    b = write(tmp_path / "b" / "mcas grade 4 2022.csv", [school(code="04450205")])
    with pytest.raises(DataError, match="Two files are named"):
        import_files("ma-mcas", [a, b], tmp_path / "out")
