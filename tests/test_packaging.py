"""The kit is a real package: every folder of kit/ and the notebooks ship in the wheel, and
the code finds its files with importlib.resources, never by walking up from ``__file__``."""

import re
import tomllib
from importlib import resources
from pathlib import Path

import kit
from kit.report.registry import REPORTS

ROOT = Path(kit.__file__).parent
PYPROJECT = ROOT.parent / "pyproject.toml"


def _setuptools() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_folder_of_kit_is_a_listed_package():
    if not PYPROJECT.is_file():  # an installed kit: nothing to compare with
        return
    folders = {
        ".".join(("kit", *p.relative_to(ROOT).parts))
        for p in [ROOT, *ROOT.rglob("*")]
        if p.is_dir() and p.name != "__pycache__"
    }
    listed = set(_setuptools()["packages"])
    assert folders <= listed, f"add to [tool.setuptools] packages: {sorted(folders - listed)}"
    assert _setuptools()["package-dir"] == {"kit.notebooks": "notebooks"}


def test_every_report_notebook_is_a_package_resource():
    shipped = resources.files("kit.notebooks")
    for spec in REPORTS.values():
        assert (shipped / spec.notebook).is_file(), spec.notebook


def test_no_path_is_found_by_walking_up_from_the_source_file():
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"__file__\)?\.(resolve\(\)\.)?parents?\b", text), path
