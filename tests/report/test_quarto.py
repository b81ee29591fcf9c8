"""The optional Quarto engine: the command it builds and what happens without Quarto."""

import os
import stat
import sys
from importlib import resources
from pathlib import Path

import pytest

from kit.errors import SetupError
from kit.report.quarto import INSTALL_HINT, quarto_command, render_with_quarto
from kit.report.render import render_report


def test_command_passes_every_parameter_with_P():
    cmd = quarto_command(
        Path("notebooks/subgroups.ipynb"),
        {
            "entity_id": "D01S01",
            "facts_path": "/f.duckdb",
            "year": 2024,
            "subjects": ["ELA", "MATH"],
        },
        Path("out/x"),
        "pdf",
    )
    assert cmd[:6] == ["quarto", "render", "notebooks/subgroups.ipynb", "--to", "pdf", "--execute"]
    assert cmd[cmd.index("--output-dir") + 1] == "out/x"
    params = [cmd[i + 1] for i, c in enumerate(cmd) if c == "-P"]
    assert params == [
        "entity_id:D01S01",
        "facts_path:/f.duckdb",
        "subjects:[ELA,MATH]",
        "year:2024",
    ]


def test_missing_quarto_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    with pytest.raises(SetupError, match="Quarto is not installed") as err:
        render_with_quarto(Path("nb.ipynb"), {}, tmp_path)
    assert "quarto.org" in str(err.value) and "leave out --engine quarto" in INSTALL_HINT
    assert err.value.exit_code == 2  # a missing program is fixed before running again


def test_render_calls_quarto_on_path(monkeypatch, tmp_path, facts_path, facts):
    log = tmp_path / "args.txt"
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\n"
        f"pathlib.Path({str(log)!r}).write_text('\\n'.join(sys.argv[1:]))\n"
        "out = pathlib.Path(sys.argv[sys.argv.index('--output-dir') + 1])\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "(out / 'subgroups.html').write_text('<html></html>')\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    school = facts.schools()["entity_id"][0]
    files = render_report(
        "subgroups",
        facts_path=facts_path,
        entity_id=school,
        out=tmp_path / "out",
        formats=("html",),
        engine="quarto",
    )
    assert files["html"].read_text() == "<html></html>"
    args = log.read_text().splitlines()
    assert args[:2] == ["render", str(resources.files("kit.notebooks") / "subgroups.ipynb")]
    assert f"entity_id:{school}" in args and f"facts_path:{Path(facts_path).resolve()}" in args
