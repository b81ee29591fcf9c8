"""kit import ma-mcas on DESE's own files (../shared/realdata/ma-nextgen and ma-legacy).

The figures asserted are the files' own: DESE's published counts and percents, recomputed
from what the importer wrote, agree everywhere except where DESE's figures disagree with
each other (named below).
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from kit.data.importers import import_files
from kit.errors import DataError
from kit.metrics.reconcile import (
    MCAS_ALT_NOTE,
    check_index_bounds,
    check_level_counts,
    check_level_percents,
)

CPI_POINTS = {1: (0, 25), 2: (50, 75), 3: 100, 4: 100}


def raw_rows(path) -> list[dict]:
    """A DESE file read independently of the kit: header stripped, `;` or `,`."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:] if any(c.strip() for c in r)]


# --------------------------------------------------------------------------- next-generation


def test_every_2021_and_2022_file_imports_every_row_accounted_for(nextgen, nextgen_files):
    files = {f.file: f for f in nextgen.result.files}
    assert len(files) == len(nextgen_files) == 42
    for path in nextgen_files:
        summary = files[path.name]
        assert summary.layout == "nextgen"
        assert summary.read == len(raw_rows(path)), path.name
        assert summary.read == summary.imported + summary.rejected, path.name
        assert (nextgen.aggregates["source_file"] == path.name).sum() == summary.imported
    assert nextgen.result.read == 104_005
    assert nextgen.result.tables == {"aggregates": 104_004}
    assert {f.file for f in nextgen.result.files if f.rejected} == {
        "mcas public schools grade 6 all students 2021.csv"
    }


def test_the_one_row_rejected_is_deses_mangled_thousands(nextgen):
    # State, grade 6 math 2021: NM # is printed "15,01" (15,010: the four levels then sum to
    # N = 66,372, and 15,010 / 66,372 = 22.6 % -> the published 23 %). The importer does
    # not guess: the row goes to rejected/ with its file, row, column and value.
    [row] = nextgen.rejected.to_dict("records")
    assert row["source_file"] == "mcas public schools grade 6 all students 2021.csv"
    assert row["source_row"] == 1142
    assert (row["column"], row["value"], row["rule"]) == ("NM #", "15,01", "type")
    assert "thousands separator" in row["message"]


def test_every_published_level_percent_and_me_percent_is_reproduced(nextgen):
    checks = check_level_percents(nextgen.aggregates, n_levels=4, proficient_level=3)
    assert len(checks) == 5 * 104_004  # NM %, PM %, M %, E %, M+E % of every row
    assert checks["agrees"].all()
    assert (checks["tolerance"] == 0).all()


def test_level_counts_sum_to_n_except_where_deses_own_figures_disagree(nextgen):
    checks = check_level_counts(nextgen.aggregates, n_levels=4, proficient_level=3)
    by_measure = checks.groupby("measure")["agrees"].agg(["size", "sum"])
    assert by_measure.loc["n_proficient"].tolist() == [104_004, 104_004]  # M+E # = M # + E #
    assert by_measure.loc["n"].tolist() == [104_004, 104_003]
    [bad] = checks[~checks["agrees"]].to_dict("records")
    # HS biology 2022, state row: E 5,828 + M 18,931 + PM 21,980 + NM 8,757 = 55,496, but
    # DESE prints N = 55,498 (its percents agree with either to the whole percent).
    assert (bad["year"], bad["entity_id"], bad["subject"], bad["grade"]) == (
        2022,
        "STATE",
        "BIO",
        "HS",
    )
    assert (bad["published"], bad["computed"]) == (55_498, 55_496)
    assert "state's own figures disagree" in bad["note"]


def test_grade_spans_stay_spans_and_groups_map_to_contract_ids(nextgen):
    agg = nextgen.aggregates
    assert set(agg["grade"]) == {"3", "4", "5", "6", "7", "8", "10", "HS", "3-8"}
    span_files = agg["source_file"].str.contains("grades 3-8")
    assert (agg.loc[span_files, "grade"] == "3-8").all()  # the files' grade column says ALL
    assert set(agg["group"]) == {
        "all",
        "ell",
        "ever_ell",
        "race_BL",
        "race_HI",
        "race_WH",
        "race_MR",
        "gender_F",
        "gender_M",
        "high_needs",
        "low_income",
        "swd",
        "non_swd",
        "title1",
    }
    typo = agg["source_file"].str.contains("disabillities")
    assert (agg.loc[typo, "group"] == "swd").all() and typo.any()
    assert set(agg.loc[agg["group"] == "low_income", "year"]) == {2022}
    assert set(agg["year"]) == {2021, 2022}
    assert set(agg["levels_scheme"]) == {"ma_nextgen"}


def test_codes_get_their_leading_zero_back_and_name_their_district(nextgen, nextgen_files):
    agg = nextgen.aggregates
    schools = agg[agg["entity_type"] == "school"]
    assert schools["entity_id"].str.fullmatch(r"\d{8}").all()
    assert (schools["district_id"] == schools["entity_id"].str[:4] + "0000").all()
    lost = schools[schools["source_file"] == "mcas public schools grade 6 all students 2021.csv"]
    assert "04450105" in set(lost["entity_id"])  # written 4450105 in that file
    abby = agg[(agg["entity_id"] == "04450105")]
    assert set(abby["entity_name"]) == {"Abby Kelley Foster Charter Public School"}
    assert set(abby["district_name"]) == {"Abby Kelley Foster Charter Public (District)"}
    state = agg[agg["entity_type"] == "state"]
    assert set(state["entity_id"]) == {"STATE"} and state["district_id"].isna().all()
    named_state = sum(r["School Name"] == "State" for f in nextgen_files for r in raw_rows(f))
    assert len(state) == named_state - 1  # all but the rejected grade 6 math row
    assert not (agg["entity_type"] == "district").any()


def test_thousands_separators_and_padding_are_read_as_numbers(nextgen):
    agg = nextgen.aggregates
    row = agg[
        (agg["entity_id"] == "STATE")
        & (agg["year"] == 2022)
        & (agg["grade"] == "10")
        & (agg["subject"] == "ELA")
    ].iloc[0]
    assert row["n"] == 67_396  # "      67,396" in the file
    assert (row["n_level_4"], row["participation_rate"], row["mean_scale_score"]) == (
        5_895,
        98,
        502.6,
    )


def test_blank_cells_stay_blank_never_zero(nextgen, nextgen_files):
    blank = {"mean_scale_score": 0, "participation_rate": 0}
    for path in nextgen_files:
        for row in raw_rows(path):
            blank["mean_scale_score"] += not row["Avg. Scaled Score"].strip()
            blank["participation_rate"] += not row["Part. Rate %"].strip()
    agg = nextgen.aggregates
    assert blank == {"mean_scale_score": 4, "participation_rate": 405}
    assert agg["mean_scale_score"].isna().sum() == blank["mean_scale_score"]
    assert agg["participation_rate"].isna().sum() == blank["participation_rate"]


# --------------------------------------------------------------------------- legacy


def test_a_file_without_a_year_asks_for_one(realdata, tmp_path):
    with pytest.raises(DataError) as error:
        import_files("ma-mcas", [realdata / "ma-legacy" / "MCAS_district_grade10.csv"], tmp_path)
    assert "--year" in str(error.value) and "MCAS_district_grade10.csv" in str(error.value)


def test_legacy_files_import(profile, district10):
    [p] = profile.result.files
    assert (p.layout, p.read, p.imported, p.rejected) == ("profile", 3_072, 3_072, 0)
    assert "1,861 school rows" in p.note
    assert set(profile.aggregates["year"]) == {2016}  # the 2017 profile holds spring 2016
    assert any("spring 2016" in w for w in profile.result.warnings)
    assert set(profile.aggregates["grade"]) == {"3", "4", "5", "6", "7", "8", "10"}
    assert set(profile.aggregates["subject"]) == {"ELA", "MATH"}
    [d] = district10.result.files
    assert (d.layout, d.read, d.imported, d.rejected) == ("legacy", 879, 879, 0)
    types = district10.aggregates["entity_type"].value_counts().to_dict()
    assert types == {"district": 876, "state": 3}
    assert set(district10.aggregates["subject"]) == {"ELA", "MATH", "SCI"}  # MTH -> MATH
    assert (district10.aggregates["published_index_model"] == "ma_cpi").all()


def test_legacy_percents_and_counts_are_reproduced_exactly(profile, district10):
    both = pd.concat([profile.aggregates, district10.aggregates], ignore_index=True)
    percents = check_level_percents(both, n_levels=4, proficient_level=3)
    counts = check_level_counts(both, n_levels=4, proficient_level=3)
    assert len(percents) == 5 * 3_951 and percents["agrees"].all()
    assert len(counts) == 2 * 3_951 and counts["agrees"].all()


@pytest.mark.parametrize(
    ("which", "within", "above"), [("profile", 2_656, 416), ("district10", 662, 217)]
)
def test_legacy_cpi_lies_within_its_bounds_except_the_mcas_alt_rows(which, within, above, request):
    agg = request.getfixturevalue(which).aggregates
    checks = check_index_bounds(agg, model="ma_cpi", points=CPI_POINTS, above_note=MCAS_ALT_NOTE)
    assert len(checks) == within + above
    assert checks["agrees"].sum() == within
    outside = checks[~checks["agrees"]]
    assert (outside["published"] > outside["computed"] + outside["tolerance"]).all()  # none below
    assert outside["note"].str.contains("MCAS-Alt").all()
    # Profile: 416 of 3,072 school rows = 13.5 %, as the realdata README says.
    assert round(100 * above / (within + above), 1) == {"profile": 13.5, "district10": 24.7}[which]
