"""The kit command as a user meets it: help, exit codes, and messages without tracebacks."""

import shutil
import subprocess
import sys
import time

import pytest

from kit.cli import main


def kit(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "kit.cli", *map(str, args)], capture_output=True, text=True
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_help_lists_every_command():
    code, text = kit("--help")
    assert code == 0
    for command in ("demo", "demo-data", "validate", "build", "render", "batch"):
        assert command in text


@pytest.mark.parametrize(
    "args, expect",
    [
        (("build", "--data", "x"), "Try 'kit build --help' for help"),
        (("build",), "Missing argument"),
        (("demo-data", "--schools", "0"), "--schools"),
        (("batch", "--facts"), "requires an argument"),
    ],
)
def test_usage_errors_are_a_message_not_a_traceback(args, expect):
    code, out = kit(*args)
    assert code == 2 and expect in out and "Error" in out and "Traceback" not in out


def test_validate_clean_data_exits_0(demo_dir, tmp_path):
    assert main(["validate", str(demo_dir), "--rejected", str(tmp_path / "rej")]) == 0


def test_validate_rejected_rows_exit_1_and_are_written(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    text = (data / "students.csv").read_text().splitlines()
    header = text[0].split(",")
    row = text[3].split(",")
    row[header.index("race_ethnicity")] = "ZZ"
    text[3] = ",".join(row)
    (data / "students.csv").write_text("\n".join(text) + "\n")
    code, out = kit("validate", data, "--rejected", tmp_path / "rej")
    assert code == 1, out
    rejected = (tmp_path / "rej" / "students.csv").read_text()
    assert "race_ethnicity" in rejected and ",4," in rejected  # spreadsheet row 4
    assert "Traceback" not in out


@pytest.mark.parametrize(
    "break_it, expect",
    [
        (lambda d: (d / "assessments.csv").unlink(), "assessments"),
        (lambda d: (d / "students.csv").write_text("year,student_id\n2024,1\n"), "district_id"),
        (lambda d: (d / "students.csv").write_bytes(b"\x00\x01garbage"), "students.csv"),
    ],
)
def test_fatal_problems_exit_2_with_one_clear_paragraph(demo_dir, tmp_path, break_it, expect):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    break_it(data)
    code, out = kit("validate", data, "--rejected", tmp_path / "rej")
    assert code == 2
    assert expect in out and "Traceback" not in out


def test_unknown_framework_names_the_choices(demo_dir, tmp_path):
    code, out = kit("build", demo_dir, "--out", tmp_path / "f.duckdb", "--framework", "zz")
    assert code == 2 and "ma" in out and "Traceback" not in out


def test_render_unknown_school_is_a_message(facts_path, tmp_path):
    code, out = kit(
        "render", "subgroups", "--facts", facts_path, "--entity", "NOPE", "--out", tmp_path
    )
    assert code == 2 and "No entity 'NOPE'" in out and "Traceback" not in out


def test_goals_writes_the_pim_2a_workbook(facts_path, facts, tmp_path):
    import openpyxl

    school = facts.schools()["entity_id"][0]
    out = tmp_path / "goals.xlsx"
    assert main(["goals", "--facts", str(facts_path), "--school", school, "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert {"ELA", "MATH"} <= set(wb.sheetnames)
    sheet = wb["ELA"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Group")
    assert rows[header + 1][0] == "All students"
    assert str(rows[header + 1][4]).startswith("=")  # the goal is a visible formula
    assert sheet.protection.sheet


def test_batch_log_lines_say_done_failed_and_time_left(capsys):
    from types import SimpleNamespace as NS

    from kit.cli import _BatchLog

    log = _BatchLog(40, plain=True, every=3600)
    log.start = log.last = time.monotonic()
    for i in range(10):
        log.add(
            NS(
                status="failed" if i == 3 else "ok",
                error="cell 2 raised KeyError: 'x'",
                job=NS(report="index", entity_id=f"D01S{i:02d}"),
            )
        )
    text = capsys.readouterr().err
    # one line per failure as it happens, no progress line before `every` seconds pass
    assert text.strip() == "failed  index D01S03: cell 2 raised KeyError: 'x'"
    # 10 of 40 done in 60 s: 30 more at the same pace is 3 minutes
    assert log.line(log.start + 60) == (
        "[10/40] 25% done, 1 failed, 1.0 min elapsed, about 3.0 min left"
    )


def test_demo_runs_the_steps_of_make_demo(monkeypatch, tmp_path, facts_path, capsys):
    import typer

    import kit.cli as cli

    calls = []

    def step(name, code=0):
        def run(*args, **kwargs):
            calls.append((name, args, kwargs))
            if name == "build":  # the facts store the last line reads its year from
                shutil.copy(facts_path, kwargs["out_path"])
            if name in ("validate", "batch"):
                raise typer.Exit(code)

        return run

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(cli, "demo_data", step("demo_data"))
    monkeypatch.setattr(cli, "validate", step("validate", 1))  # rejected rows: go on
    monkeypatch.setattr(cli, "build", step("build"))
    monkeypatch.setattr(cli, "batch", step("batch", 1))
    assert main(["demo", "--out", str(out)]) == 1  # a failed report fails the demo
    assert [c[0] for c in calls] == ["demo_data", "validate", "build", "batch"]
    data = out / "demo-data"
    assert calls[0][2] == {"out_dir": data}
    assert calls[1][1] == (data,) and calls[1][2] == {"rejected": out / "rejected"}
    assert calls[2][1] == (data,) and calls[2][2] == {"out_path": out / "facts.duckdb"}
    assert calls[3][2]["facts"] == out / "facts.duckdb" and calls[3][2]["formats"] == "html,pdf"
    assert f"open {out / '2024' / 'index.html'}" in capsys.readouterr().out.replace("\n", "")


# --------------------------------------------------------------------------- issue 11


def test_short_help_and_python_dash_m_kit():
    """Item 16: -h works everywhere and `python -m kit` is the kit command."""
    code, text = kit("-h")
    assert code == 0 and "validate" in text
    code, text = kit("batch", "-h")
    assert code == 0 and "--resume" in text
    proc = subprocess.run(
        [sys.executable, "-m", "kit", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith("kit ")


def test_shell_completion_is_offered():
    code, text = kit("--help")
    assert "--install-completion" in text and "--show-completion" in text
    proc = subprocess.run(
        [sys.executable, "-m", "kit", "--show-completion", "bash"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "_KIT_COMPLETE" in proc.stdout


def test_help_paragraphs_are_reflowed_not_ragged():
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "kit", "batch", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "240"},
    )
    text = " ".join(proc.stdout.split())
    assert "<report>.html|pdf, with OUT/<year>/manifest.json" in proc.stdout, text


def test_workers_0_is_a_usage_error(facts_path, tmp_path):
    code, out = kit("batch", "--facts", facts_path, "--out", tmp_path, "--workers", "0")
    assert code == 2 and "--workers" in out and "Traceback" not in out


def test_quarto_missing_is_exit_2_like_every_usage_error(facts_path, tmp_path, monkeypatch):
    import os

    env = {**os.environ, "PATH": str(tmp_path)}  # no quarto on this PATH
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kit",
            "render",
            "subgroups",
            "--facts",
            str(facts_path),
            "--entity",
            "D01S01",
            "--out",
            str(tmp_path),
            "--engine",
            "quarto",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2 and "Quarto is not installed" in proc.stderr


def test_kit_list_shows_years_districts_schools_and_reports(facts_path, facts):
    code, out = kit("list", "--facts", facts_path)
    assert code == 0, out
    for year in facts.years():
        assert str(year) in out
    for school in facts.schools()["entity_id"]:
        assert school in out
    for name in facts.schools()["name"]:
        assert name in out
    for report in ("subgroups", "index", "district_summary", "item_analysis"):
        assert report in out


def test_goals_refuses_a_name_that_is_not_xlsx(facts_path, tmp_path):
    out = tmp_path / "goals.csv"
    code, text = kit("goals", "--facts", facts_path, "--entity", "D01S01", "--out", out)
    assert code == 2 and ".xlsx" in text and "Traceback" not in text
    assert not out.exists()


def test_entity_everywhere_with_school_as_an_alias(facts_path, tmp_path):
    """Item 8: one option name for the school or district a command is about."""
    out = tmp_path / "g.xlsx"
    assert main(["goals", "--facts", str(facts_path), "--entity", "D01S01", "--out", str(out)]) == 0
    assert main(["goals", "--facts", str(facts_path), "--school", "D01S01", "--out", str(out)]) == 0
    code, text = kit("render", "--help")
    assert "--entity" in text and "--school" in text


@pytest.mark.parametrize("target", ["folder", "nosuffix"])
def test_build_out_must_be_a_duckdb_file(demo_dir, tmp_path, target):
    out = tmp_path / "output"
    if target == "folder":
        out.mkdir()
    code, text = kit("build", demo_dir, "--out", out)
    assert code == 2 and "Traceback" not in text
    assert ".duckdb" in text and "output/facts.duckdb" in text.replace(str(tmp_path) + "/", "")
    assert not out.is_file()


def test_batch_out_that_is_a_file_is_a_clear_error(facts_path, tmp_path):
    out = tmp_path / "output"
    shutil.copy(facts_path, out)  # what `kit build --out output` used to leave
    code, text = kit("batch", "--facts", facts_path, "--out", out, "--formats", "html")
    assert code == 2 and "Traceback" not in text
    assert "folder" in text and str(out) in text


def test_render_subjects_and_general_parameters(facts_path, tmp_path):
    """Item 2: kit render sets subjects (--subjects, or -p name=value for any parameter)."""
    import re

    code, out = kit(
        "render",
        "subgroups",
        "--facts",
        facts_path,
        "--entity",
        "D01S01",
        "--out",
        tmp_path,
        "--formats",
        "html",
        "--subjects",
        "MATH",
    )
    assert code == 0, out
    page = next(tmp_path.rglob("subgroups.html")).read_text()
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert any("Math" in h for h in headings) and not any("English" in h for h in headings)
    code, out = kit(
        "render",
        "subgroups",
        "--facts",
        facts_path,
        "--entity",
        "D01S01",
        "--out",
        tmp_path,
        "--formats",
        "html",
        "-p",
        "subjects=ELA",
    )
    assert code == 0, out
    code, out = kit(
        "render",
        "subgroups",
        "--facts",
        facts_path,
        "--entity",
        "D01S01",
        "--out",
        tmp_path,
        "-p",
        "colour=blue",
    )
    assert code == 2 and "colour" in out and "subjects" in out and "Traceback" not in out


def test_validate_prints_notes_and_the_main_reasons(demo_dir, tmp_path):
    """Item 7: nobody opens thousands of rejected rows to find the one cause."""
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    frame = __import__("pandas").read_csv(data / "students.csv", dtype=str)
    frame["race_ethnicity"] = "Caucasian"
    frame = frame.rename(columns={"student_id": "Student Id"})
    frame.to_csv(data / "students.csv", index=False)
    code, out = kit("validate", data, "--rejected", tmp_path / "rej")
    assert code == 2, out  # no student left: nothing can be built
    n = len(frame)
    flat = " ".join(out.split())
    assert f'students: {n:,} rows, race_ethnicity "Caucasian" (code)' in flat
    assert "assessments:" in flat and "student_rejected" in flat
    assert '"Student Id" as student_id' in flat
    assert "Traceback" not in out
