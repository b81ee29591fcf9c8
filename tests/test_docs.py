"""Issue 11, item 17: documents for someone with only this repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from kit.data.rules import CODE_WORDS
from kit.data.schemas import TABLES

ROOT = Path(__file__).parents[1]
OUTSIDE = re.compile(r"DOMAIN\.md|CONTRACT\.md|STATES\.md|DESIGN\.md|shared/|\bseed 00\d|\bseeds?/")


def _documents() -> list[Path]:
    docs = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "parameters" / "README.md"]
    docs += sorted((ROOT / "docs").glob("*.md"))
    docs += sorted((ROOT / "notebooks").glob("*.ipynb"))
    docs += sorted((ROOT / "kit" / "frameworks").glob("*.yaml"))
    return docs


@pytest.mark.parametrize("path", _documents(), ids=lambda p: p.name)
def test_no_document_cites_a_file_outside_the_repository(path):
    hits = [m.group() for m in OUTSIDE.finditer(path.read_text(encoding="utf-8"))]
    assert not hits, f"{path.name} cites {sorted(set(hits))}"


def test_framework_notes_shown_in_reports_cite_published_sources():
    # the notes of unverified rules are printed under "About these figures"
    for path in (ROOT / "kit" / "frameworks").glob("*.yaml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("note:", "source:")):
                assert not re.search(r"\bthe seeds?\b|\bseed \d", line, re.I), (path.name, line)


def test_report_templates_cite_published_sources_only():
    for path in (ROOT / "kit" / "narrative" / "templates").glob("*.j2"):
        shown = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not OUTSIDE.search(shown), path.name


def test_data_md_lists_every_column_type_and_code():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        section = text.split(f"### `{table.name}`", 1)
        assert len(section) == 2, f"no section for {table.name}"
        body = section[1].split("\n### ", 1)[0]
        for col in table.columns:
            row = next((line for line in body.splitlines() if f"| `{col.name}`" in line), None)
            assert row, f"{table.name}.{col.name} not listed"
            for code in col.codes or ():
                assert code in row, f"{table.name}.{col.name}: code {code} not listed"
    for rule in ("optional_value_blanked", "blank_row", "student_rejected", "unknown_school"):
        assert rule in text
    assert "-1" in text and "pre-kindergarten" in text.lower()
    assert all(word.lower() in text.lower() for word in CODE_WORDS["gender"])


def test_readme_and_parameters_name_all_four_parameters():
    for path in (ROOT / "README.md", ROOT / "parameters" / "README.md"):
        text = path.read_text(encoding="utf-8")
        for name in ("facts_path", "entity_id", "year", "subjects"):
            assert f"`{name}`" in text, (path.name, name)


def test_parameter_examples_are_valid():
    from kit.report.render import validate_params

    for path in (ROOT / "parameters").glob("*.yaml"):
        validate_params(yaml.safe_load(path.read_text()))


def test_supported_platforms_are_stated():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Linux" in text and "macOS" in text and "WSL" in text


def test_license_is_an_spdx_string():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
