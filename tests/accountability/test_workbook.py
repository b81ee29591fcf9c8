"""The PIM 2-A goal workbook (kit/accountability/workbook.py) written from the demo facts."""

import openpyxl
import pytest

from kit.accountability.workbook import write_goal_workbook
from kit.errors import ParameterError


def test_goal_workbook(facts, facts_path, tmp_path):
    school = facts.schools()["entity_id"].iloc[0]
    path = write_goal_workbook(facts_path, school, tmp_path / "goals.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["ELA", "MATH"]
    ws = wb["ELA"]
    assert ws.protection.sheet
    head = [c.value for c in ws[6]]
    assert head[:6] == [
        "Group",
        "Students (baseline)",
        "Baseline year",
        "Baseline",
        "Goal",
        "Target year",
    ]
    assert ws["A6"].protection.locked and not ws["D7"].protection.locked
    assert ws["A7"].value == "All students"
    # The goal is a visible formula of the baseline: B + (100 - B) / 3.
    assert ws["E7"].value == "=D7+0.3333333333333333*(100.0-D7)"
    assert ws["H7"].value.startswith("=$D7+($E7-$D7)*(H$5-$C7)")
    goal = facts.table("goals", entity_id=school, subject="ELA", group="all", method="gap_third")
    assert ws["D7"].value == pytest.approx(goal["baseline"].iloc[0])
    with pytest.raises(ParameterError):
        write_goal_workbook(facts_path, "NO_SUCH_SCHOOL", tmp_path / "x.xlsx")
