"""kit lab / make lab, the lessons as package resources, the export without interactive
cells, JupyterLite's configuration, and one lesson run by papermill itself."""

import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import nbformat
import papermill as pm
import pytest

import kit
import kit.workshop as ws
from kit.cli import main
from kit.workshop.lab import GLOSSARY, LESSONS, copy_lessons, lesson_folder

ROOT = Path(kit.__file__).parent.parent
SECTIONS = [
    "## Purpose",
    "## Data it uses",
    "## Ask yourself",
    "## Technique",
    "## Your turn",
    "## Check",
]


def _nb(name):
    text = (resources.files("kit.notebooks") / "workshop" / f"{name}.ipynb").read_text("utf-8")
    return nbformat.reads(text, as_version=4)


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_has_the_format(name):
    nb = _nb(name)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    src = params[0].source
    for var in ("facts_path", "school", "subject"):
        assert re.search(rf"^{var} = ", src, re.M), var
    assert re.findall(r"^answer_\w+ = None$", src, re.M)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    positions = [text.find(s) for s in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "(glossary.md)" in nb.cells[0].source
    assert re.search(r"About (\d+) minutes", nb.cells[0].source)
    minutes = int(re.search(r"About (\d+) minutes", nb.cells[0].source).group(1))
    assert 20 <= minutes <= 40
    for cell in nb.cells:  # committed without outputs; code only calls kit
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None
            for line in cell.source.splitlines():
                assert not line.startswith(("from ", "import ")) or line == "import kit"


def test_interactive_cells_are_tagged_and_left_out_of_an_export(tmp_path, facts_path, schools):
    nb = _nb("indexes")
    tagged = [c for c in nb.cells if "interactive" in c.metadata.get("tags", [])]
    assert tagged and all("level_slider" in c.source or "picker" in c.source for c in tagged)
    run = pm.execute_notebook(
        str(resources.files("kit.notebooks") / "workshop" / "indexes.ipynb"),
        str(tmp_path / "indexes.ipynb"),
        parameters={"facts_path": str(facts_path), "school": schools[0]},
        cwd=str(tmp_path),
        progress_bar=False,
    )
    page = ws.export_lesson(run, tmp_path / "indexes.html").read_text("utf-8")
    assert "level_slider" not in page
    assert '<script type="application/vnd.jupyter.widget-view+json">' not in page  # no widget
    assert "Students moved up one level, and every model" in page  # the table stands in


def test_kit_lab_dry_run_says_what_it_would_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["lab", "--dry-run", "--no-browser", "--facts", "missing.duckdb"]) == 0
    said = capsys.readouterr().out
    assert "would build the demo facts store" in said
    assert "would copy the lessons into" in said
    assert "jupyter lab" in said and "--no-browser" in said


def test_lessons_are_copied_outside_a_checkout_and_found_inside(tmp_path):
    folder, needs = lesson_folder(tmp_path)
    assert needs and folder == tmp_path / "workshop"
    copied = copy_lessons(folder)
    assert {p.name for p in copied} == {f"{x}.ipynb" for x in LESSONS} | {GLOSSARY}
    (folder / "00_inventory.ipynb").write_text("mine")
    assert copy_lessons(folder) == []  # a participant's answers are never overwritten
    assert lesson_folder(tmp_path) == (folder, False)
    if (ROOT / "notebooks" / "workshop").is_dir():
        assert lesson_folder(ROOT) == (ROOT / "notebooks" / "workshop", False)


def test_make_lab_and_lite_are_configured():
    if not (ROOT / "Makefile").is_file():
        pytest.skip("an installed kit: no Makefile")
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab: .*\n\t\$\(KIT\) lab", make, re.M)
    assert re.search(r"^lite: ", make, re.M) and "jupyter lite build" in make
    config = json.loads((ROOT / "jupyter_lite_config.json").read_text())["LiteBuildConfig"]
    assert config["contents"] == ["notebooks/workshop"]
    assert (ROOT / config["contents"][0] / "00_inventory.ipynb").is_file()
    guide = (ROOT / "docs" / "workshop.md").read_text()
    assert "make lite" in guide and "CDN" in guide and "Pyodide" in guide
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "kit.notebooks.workshop" in pyproject["tool"]["setuptools"]["packages"]


def test_lab_runs_as_root_where_a_training_container_does():
    # JupyterLab stops at "Running as root is not recommended" without --allow-root
    # (seen on a fresh clone with make lab in a root container).
    from pathlib import Path

    from kit.workshop.lab import lab_command

    assert "--allow-root" in lab_command(Path("w"), is_root=True)
    assert "--allow-root" not in lab_command(Path("w"), is_root=False)
    assert lab_command(Path("w"), browser=False, is_root=False)[-1] == "--no-browser"
