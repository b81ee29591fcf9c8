"""Safe SQL, valid ids (issue 12): one quoting helper (kit/_sql.py), an id grammar in the
framework schema, hostile ids and paths that work or are refused with a message naming
the key, and every framework or parameter problem reported at once."""

from __future__ import annotations

import shutil
from importlib import resources

import duckdb
import pytest
import yaml

import kit
from kit._sql import ident, literal, literals
from kit.build import build_facts
from kit.cli import main
from kit.errors import FrameworkError, ParameterError
from kit.frameworks.loader import load_framework
from kit.report.render import validate_params

HOSTILE = ["it's", 'say "hi"', "a; DROP TABLE runs; --", "Zürich-é", "x'); SELECT 1; --"]


@pytest.mark.parametrize("text", HOSTILE)
def test_quoted_text_comes_back_as_data(text):
    con = duckdb.connect()
    assert con.execute(f"SELECT {literal(text)} AS {ident(text)}").fetchone() == (text,)
    assert con.execute(f"SELECT {literal(text)} AS v").df().columns.tolist() == ["v"]
    rows = con.execute(f"SELECT 1 WHERE {literal(text)} IN ({literals([text, 'b'])})").fetchall()
    assert rows == [(1,)]


def test_literal_of_other_values():
    assert literal(None) == "NULL" and literal(True) == "TRUE" and literal(False) == "FALSE"
    assert literal(3) == "3" and literal(2.5) == "2.5"
    assert literals([]) == "NULL"


# --- the id grammar ---------------------------------------------------------------------


def _ma() -> dict:
    return yaml.safe_load((resources.files("kit.frameworks") / "ma.yaml").read_text("utf-8"))


def _write(tmp_path, data: dict, name: str = "mine.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _rename_model(data: dict, new: str) -> dict:
    """The headline model under another id (an inline definition from the library)."""
    library = yaml.safe_load(
        (resources.files("kit.frameworks") / "index_models.yaml").read_text("utf-8")
    )
    data["index_models"] = {new: library["ma_cpi"]}
    data["headline_model"] = new
    for amo in data.get("amos", {}).values():
        if amo.get("measure") == "ma_cpi":
            amo["measure"] = new
    ayp = data.get("ayp") or {}
    if ayp.get("measure") == "ma_cpi":
        ayp["measure"] = new
    for t in ayp.get("tests", []):
        for key in ("measure", "model"):
            if t.get(key) == "ma_cpi":
                t[key] = new
    for m in (data.get("goals") or {}).get("methods", {}).values():
        if m.get("measure") == "ma_cpi":
            m["measure"] = new
    if (data.get("subgroups") or {}).get("measure") == "ma_cpi":
        data["subgroups"]["measure"] = new
    data.pop("impact", None)
    return data


@pytest.mark.parametrize("bad", HOSTILE + ["1st", "", "a" * 65])
def test_a_hostile_framework_id_is_refused_with_its_key(tmp_path, bad):
    data = _ma()
    data["id"] = bad
    with pytest.raises(FrameworkError, match=r"not a valid id") as info:
        load_framework(_write(tmp_path, data))
    assert info.value.key == "id"
    assert "letter, then letters, digits or underscores" in str(info.value)


@pytest.mark.parametrize("bad", HOSTILE)
def test_a_hostile_index_model_id_is_refused_with_its_key(tmp_path, bad):
    data = _rename_model(_ma(), bad)
    with pytest.raises(FrameworkError, match=r"not a valid id") as info:
        load_framework(_write(tmp_path, data))
    assert info.value.key == f"index_models.{bad}"


def test_hostile_test_amo_and_goal_ids_are_refused_with_their_keys(tmp_path):
    data = _ma()
    data["ayp"]["tests"][0]["id"] = "status'"
    amo = next(iter(data["amos"]))
    data["amos"]["amo;x"] = data["amos"].pop(amo)
    method = next(iter(data["goals"]["methods"]))
    data["goals"]["methods"]['m"x'] = data["goals"]["methods"].pop(method)
    with pytest.raises(FrameworkError) as info:
        load_framework(_write(tmp_path, data))
    keys = info.value.keys
    assert "ayp.tests.0.id" in keys and "amos.amo;x" in keys and 'goals.methods.m"x' in keys


def test_a_framework_file_with_three_errors_reports_all_three(tmp_path):
    data = _ma()
    data["reporting_min_n"] = 0
    data["item_analysis"]["trails_state_by"] = "ten"
    data["colour"] = "blue"
    with pytest.raises(FrameworkError) as info:
        load_framework(_write(tmp_path, data))
    text = str(info.value)
    assert "3 problems" in text
    assert info.value.keys == ["reporting_min_n", "item_analysis.trails_state_by", "colour"]
    assert "Allowed keys:" in text  # each problem keeps its own help


def test_every_parameter_problem_at_once():
    with pytest.raises(ParameterError) as info:
        validate_params({"facts_path": "x.duckdb", "year": "last", "school": "S1"})
    text = str(info.value)
    assert "3 problems" in text
    for key in ("'entity_id'", "'year'", "'school'"):
        assert key in text
    assert "Allowed parameters: facts_path, entity_id, year, subjects" in text


# --- hostile paths and a model id that needs quoting inside SQL ---------------------------


def test_a_quote_in_the_output_path_builds_and_reads(demo_dir, tmp_path):
    folder = tmp_path / 'it\'s; "ours" é'
    out = folder / "facts.duckdb"
    assert main(["build", str(demo_dir), "--out", str(out)]) == 0
    assert out.is_file() and not list(folder.glob(".*.tmp"))
    with kit.read_facts(out) as f:
        assert f.run()["framework"] == "ma"
        assert len(f.schools()) == 4


def test_a_quote_in_the_data_folder_builds(demo_dir, tmp_path):
    data = tmp_path / "district's data"
    shutil.copytree(demo_dir, data)
    con = duckdb.connect()  # assessments as Parquet: the reader's read_parquet('...')
    con.execute(
        f"COPY (SELECT * FROM read_csv({literal(data / 'assessments.csv')}, all_varchar = true))"
        f" TO {literal(data / 'assessments.parquet')} (FORMAT parquet)"
    )
    (data / "assessments.csv").unlink()
    result = build_facts(data, tmp_path / "facts.duckdb")
    assert result.table_rows["ayp"] > 0
