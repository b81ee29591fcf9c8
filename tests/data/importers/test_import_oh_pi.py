"""kit import oh-pi on ODE's own report-card workbooks (../shared/realdata/ohio)."""

from __future__ import annotations

import openpyxl
import pytest

from kit.data.importers import import_files
from kit.errors import DataError
from kit.metrics.reconcile import check_weighted_percents

OHIO = {
    "pct_not_tested": 0,
    "pct_level_1": 0.3,
    "pct_level_2": 0.6,
    "pct_level_3": 1.0,
    "pct_level_4": 1.1,
    "pct_level_5": 1.2,
    "pct_level_6": 1.3,
}
FILES = {
    "20-21_Achievement_Building.xlsx": (2021, 3_331, 3_155),
    "21-22_Achievement_Building.xlsx": (2022, 3_408, 3_233),
    "22-23_Achievement_Building.xlsx": (2023, 3_372, 3_203),
}


def test_every_building_row_of_three_years_imports(ohio):
    got = {f.file: f for f in ohio.result.files}
    assert set(got) == set(FILES)
    for name, (year, rows, _) in FILES.items():
        f = got[name]
        assert (f.read, f.imported, f.rejected) == (rows, rows, 0)
        mine = ohio.aggregates[ohio.aggregates["source_file"] == name]
        assert set(mine["year"]) == {year}
    assert ohio.rejected.empty


def test_every_published_pi_agrees_within_the_rounding_tolerance(ohio):
    checks = check_weighted_percents(ohio.aggregates, model="oh_pi", weights=OHIO)
    assert (checks["tolerance"].round(9) == 0.325).all()
    assert checks["agrees"].all()
    by_year = checks.groupby("year").size().to_dict()
    assert by_year == {year: numeric for year, _, numeric in FILES.values()}  # 9,591 rows
    assert checks["difference"].abs().max() < 0.24  # README: within 0.24 in every row


def test_nc_cells_stay_blank(ohio):
    agg = ohio.aggregates
    blank = agg["published_index"].isna()
    assert blank.sum() == sum(rows - numeric for _, rows, numeric in FILES.values())  # 520
    assert agg.loc[blank, [f"pct_level_{j}" for j in range(1, 7)]].isna().all().all()
    # A published 0 is real (every student not tested), never an NC read as 0.
    zero = agg[agg["published_index"] == 0]
    assert len(zero) == 1 and (zero["pct_not_tested"] == 100).all()


def test_levels_ids_and_the_2020_21_accelerated_column(ohio):
    agg = ohio.aggregates
    ada = agg[(agg["entity_id"] == "000059") & (agg["year"] == 2021)].iloc[0]
    # Accelerated (2020-21's name for Accomplished) is level 4
    assert [ada[f"pct_level_{j}"] for j in range(1, 7)] == [13.3, 16.9, 25.9, 21.1, 22.2, 0.0]
    assert (ada["pct_not_tested"], ada["published_index"], ada["district_id"]) == (
        0.5,
        89.927,
        "045187",
    )
    assert (agg["entity_id"].str.len() == 6).all() and (agg["district_id"].str.len() == 6).all()
    assert set(agg["entity_type"]) == {"school"}
    assert set(
        zip(
            agg["subject"],
            agg["grade"],
            agg["group"],
            agg["levels_scheme"],
            agg["pct_base"],
            strict=True,
        )
    ) == {("ALL", "ALL", "all", "oh", "enrolled")}
    assert agg["n"].isna().all()  # percent-only source


def test_a_workbook_without_the_pi_sheet_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Other"
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(DataError) as error:
        import_files("oh-pi", [tmp_path / "x.xlsx"], tmp_path / "out")
    assert "Performance_Index" in str(error.value)
