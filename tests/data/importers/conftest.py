"""The real public files of ../shared/realdata, imported once per test process.

They are read in place, never copied into the repository. Where ``../shared`` is not beside
the repository the tests skip and say why (CI has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from kit.data.importers import ImportResult, import_files

REPO = Path(__file__).resolve().parents[3]
REALDATA = REPO.parent / "shared" / "realdata"
ID_COLUMNS = {"entity_id": str, "district_id": str, "grade": str, "subject": str}


@dataclass(frozen=True)
class Imported:
    result: ImportResult
    aggregates: pd.DataFrame
    rejected: pd.DataFrame


def read_output(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    aggregates = pd.read_csv(out / "aggregates.csv", dtype=ID_COLUMNS)
    path = out / "rejected" / "aggregates.csv"
    rejected = (
        pd.read_csv(path, dtype={"value": str})
        if path.exists()
        else pd.DataFrame(
            columns=["source_file", "source_row", "column", "value", "rule", "message"]
        )
    )
    return aggregates, rejected


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(
            f"SKIPPED LOUDLY: the real state files are not at {REALDATA} (../shared/realdata "
            "beside the repository). These tests check the importers against DESE's and "
            "ODE's published figures; CI has the folder."
        )
    return REALDATA


def _import(source, files, out, **options) -> Imported:
    result = import_files(source, files, out, **options)
    return Imported(result, *read_output(out))


@pytest.fixture(scope="session")
def nextgen_files(realdata) -> list[Path]:
    return sorted((realdata / "ma-nextgen").glob("*.csv"))


@pytest.fixture(scope="session")
def nextgen(nextgen_files, tmp_path_factory) -> Imported:
    return _import("ma-mcas", nextgen_files, tmp_path_factory.mktemp("ma-nextgen"))


@pytest.fixture(scope="session")
def profile(realdata, tmp_path_factory) -> Imported:
    return _import(
        "ma-mcas",
        [realdata / "ma-legacy" / "MA_Public_Schools_2017.csv"],
        tmp_path_factory.mktemp("ma-profile"),
    )


@pytest.fixture(scope="session")
def district10(realdata, tmp_path_factory) -> Imported:
    # The file states no year; README: most likely spring 2015.
    return _import(
        "ma-mcas",
        [realdata / "ma-legacy" / "MCAS_district_grade10.csv"],
        tmp_path_factory.mktemp("ma-district10"),
        year=2015,
    )


@pytest.fixture(scope="session")
def ohio(realdata, tmp_path_factory) -> Imported:
    return _import(
        "oh-pi",
        sorted((realdata / "ohio").glob("*_Achievement_Building.xlsx")),
        tmp_path_factory.mktemp("ohio"),
    )
