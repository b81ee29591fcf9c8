"""The PIM 2-A student performance goal spreadsheet, written from the facts store.

Schools plan in spreadsheets, so ``kit goals`` writes one: a sheet per subject, a row per
reported student group (all students first, then the groups PIM step 1-B targets, then
the rest), with the baseline, the goal and the annual targets of the framework's primary
goal method as *formulas* a planner can read and change, the actual results of later
years beside them and an on-track check. The header rows are protected; the body is not.

Only groups the suppression rules let a report show appear (:mod:`kit.metrics.suppression`);
a later year's result for a group hidden that year is left blank.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from kit.errors import FactsError, ParameterError
from kit.facts import read_facts
from kit.metrics.groups import GROUP_LABELS, GROUPS

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_TITLE = Font(bold=True, size=13)
_BOLD = Font(bold=True)
_HEADER_ROW = 6  # the row of column headings; rows 1-5 are the sheet's title block


def _primary_method(facts) -> pd.Series:
    rules = facts.table("accountability_rules", section="goals")
    if rules.empty:
        raise FactsError(
            "The facts store has no goal methods: its framework has no goals section.",
            fix="Build with a framework that defines goals (e.g. --framework ma).",
        )
    primary = rules[rules["primary"].fillna(False).astype(bool)]
    return (primary if len(primary) else rules).iloc[0]


def _formulas(kind: str, params: dict, top: float, r: int, year_cell: str) -> tuple[str, str]:
    """Excel formulas for the goal (column E) and a year's target, for row ``r``.

    Columns: C = baseline year, D = baseline, E = goal, F = target year.
    """
    f = params.get("fraction")
    if kind == "linear":
        goal = f"={top!r}"
        target = f"=$D{r}+($E{r}-$D{r})*({year_cell}-$C{r})/($F{r}-$C{r})"
    elif kind == "gap_fraction":
        goal = f"=D{r}+{f!r}*({top!r}-D{r})"
        target = f"=$D{r}+($E{r}-$D{r})*({year_cell}-$C{r})/($F{r}-$C{r})"
    else:  # annual_gap_fraction: each year closes a fraction of what is left
        goal = f"={top!r}-({top!r}-D{r})*(1-{f!r})^(F{r}-C{r})"
        target = f"={top!r}-({top!r}-$D{r})*(1-{f!r})^({year_cell}-$C{r})"
    return goal, target


def write_goal_workbook(
    facts_path: str | Path, school_id: str, out_path: str | Path, year: int | None = None
) -> Path:
    """Write the PIM 2-A goal spreadsheet for one school (or district) and return its path.

    Parameters
    ----------
    facts_path
        A facts store built by ``kit build``.
    school_id
        The entity (a school id; a district id works too).
    out_path
        The ``.xlsx`` file to write.
    year
        The last year of results to show beside the targets (default: the latest year).

    Raises
    ------
    ParameterError
        When the entity is not in the facts store.
    FactsError
        When the store has no goals (its framework has no ``goals`` section).
    """
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise ParameterError(
            f"The goal workbook is an Excel workbook with formulas, so its name must end in "
            f".xlsx, not {out_path.name!r}.",
            fix=f"Use --out {out_path.with_suffix('.xlsx')} (Excel can save a sheet as CSV).",
        )
    with read_facts(facts_path) as facts:
        year = int(year or facts.latest_year())
        ent = facts.entity(school_id, year)
        run = facts.run()
        method = _primary_method(facts)
        params = json.loads(method["params"])
        goals = facts.table("goals", entity_id=school_id, method=method["id"])
        if goals.empty:
            raise ParameterError(
                f"No goals for {school_id!r} under method {method['id']!r}: "
                "no group had a baseline result."
            )
        measure = params.get("measure", "pct_proficient")
        perf = facts.table("performance", entity_id=school_id, grade="ALL")
        ranking = facts.table("group_ranking", entity_id=school_id, year=year)
        model_names = facts.table("index_models").set_index("model")["name"].to_dict()
    min_n = int(run["reporting_min_n"])
    # The build's decision (small and complementary suppression across every report).
    hidden = perf.set_index(["year", "subject", "group"])["suppressed"].fillna(True).astype(bool)
    if measure == "pct_proficient":
        actual = perf.set_index(["year", "subject", "group"])["pct_proficient"]
        measure_name = "percent proficient"
    else:
        actual = None
        measure_name = model_names.get(measure, measure)
    targeted = set(
        zip(
            ranking.loc[ranking["targeted"].fillna(False).astype(bool), "subject"],
            ranking.loc[ranking["targeted"].fillna(False).astype(bool), "group"],
            strict=True,
        )
    )
    order = {g.id: i for i, g in enumerate(GROUPS)}
    wb = Workbook()
    wb.remove(wb.active)
    subjects = [s for s in ("ELA", "MATH", "SCI") if s in set(goals["subject"])]
    subjects += sorted(set(goals["subject"]) - set(subjects))
    for subject in subjects:
        rows = goals[goals["subject"] == subject].copy()
        by = int(rows["baseline_year"].iloc[0])
        rows = rows[[not bool(hidden.get((by, subject, g), True)) for g in rows["group"]]]
        if rows.empty:
            continue
        rows["_o"] = [
            (0 if g == "all" else 1 if (subject, g) in targeted else 2, order.get(g, 99))
            for g in rows["group"]
        ]
        rows = rows.sort_values("_o")
        ws = wb.create_sheet(subject)
        ty = int(rows["target_year"].max())
        years = list(range(by, ty + 1))
        shown_years = [y for y in years if by < y <= year]
        ws["A1"] = f"Student performance goals (PIM 2-A): {ent['name']}, {subject}"
        ws["A1"].font = _TITLE
        ws["A2"] = (
            f"Method: {method['label']}. Measure: {measure_name}. Baseline {by}; "
            f"targets are formulas of the baseline (column D) and the goal (column E)."
        )
        ws["A3"] = (
            f"Framework: {run['framework_name']}. Groups with fewer than {min_n} students "
            "are not shown."
        )
        caveat = (
            "" if method["verified"] else f" This goal method is not verified: {method['note']}"
        )
        ws["A4"] = f"Source: {method['source']}.{caveat}"
        heads = [
            "Group",
            "Students (baseline)",
            "Baseline year",
            "Baseline",
            "Goal",
            "Target year",
            "Targeted (PIM 1-B)",
        ]
        first_target = len(heads) + 1
        heads += [f"Target {y}" for y in years]
        first_actual = len(heads) + 1
        heads += [f"Actual {y}" for y in shown_years]
        on_track_col = len(heads) + 1
        heads += [f"On track in {shown_years[-1]}" if shown_years else "On track"]
        for c, h in enumerate(heads, start=1):
            cell = ws.cell(row=_HEADER_ROW, column=c, value=h)
            cell.font, cell.fill = _BOLD, _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        # A hidden row of years that the target formulas refer to.
        year_row = _HEADER_ROW - 1
        for i, y in enumerate(years):
            ws.cell(row=year_row, column=first_target + i, value=y)
        ws.cell(row=year_row, column=1, value="(years used by the formulas)")
        r = _HEADER_ROW
        for rec in rows.itertuples(index=False):
            r += 1
            ws.cell(row=r, column=1, value=GROUP_LABELS.get(rec.group, rec.group))
            ws.cell(row=r, column=2, value=int(rec.n_baseline))
            ws.cell(row=r, column=3, value=int(rec.baseline_year))
            ws.cell(row=r, column=4, value=float(rec.baseline))
            top = float(rec.scale_top)
            goal_f, _ = _formulas(rec.kind, params, top, r, "X")
            ws.cell(row=r, column=5, value=goal_f)
            ws.cell(row=r, column=6, value=int(rec.target_year))
            ws.cell(row=r, column=7, value="yes" if (subject, rec.group) in targeted else "")
            for i, _y in enumerate(years):
                col = first_target + i
                ycell = f"{get_column_letter(col)}${year_row}"
                ws.cell(row=r, column=col, value=_formulas(rec.kind, params, top, r, ycell)[1])
            progress = {int(p[0]): p[1] for p in json.loads(rec.progress)}
            for i, y in enumerate(shown_years):
                val = progress.get(y)
                if actual is not None:
                    val = actual.get((y, subject, rec.group), val)
                if val is None or bool(hidden.get((y, subject, rec.group), True)):
                    val = None
                ws.cell(row=r, column=first_actual + i, value=None if val is None else float(val))
            if shown_years:
                a = f"{get_column_letter(first_actual + len(shown_years) - 1)}{r}"
                t = f"{get_column_letter(first_target + years.index(shown_years[-1]))}{r}"
                ws.cell(
                    row=r,
                    column=on_track_col,
                    value=f'=IF({a}="","",IF({a}>={t},"on track","behind"))',
                )
            for c in range(1, on_track_col + 1):
                ws.cell(row=r, column=c).protection = Protection(locked=False)
                if first_target <= c < on_track_col or c in (4, 5):  # shown to 0.1, kept exact
                    ws.cell(row=r, column=c).number_format = "0.0"
        ws.row_dimensions[year_row].hidden = True
        ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=2)
        ws.column_dimensions["A"].width = 30
        for c in range(2, on_track_col + 1):
            ws.column_dimensions[get_column_letter(c)].width = 12
        ws.protection.sheet = True  # the header is locked; the body cells are unlocked above
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
    if not wb.sheetnames:
        raise ParameterError(
            f"Every group of {school_id!r} is below the reporting minimum; "
            "there is nothing to plan from."
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path
