"""No published figure reveals the result of fewer than ten students (issue 10).

- the default demo (what `make demo` builds): the audit of the facts store finds no cell of
  1-9 students that subtraction can work out, and the district's race table no longer gives
  American Indian students away (the case the issue found);
- every report of a demo district, rendered to HTML: no hidden group's figure appears in a
  table row or sentence that names the group, and no comparison shows a state figure the
  state hides.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from kit.batch.plan import plan_jobs
from kit.batch.runner import run_batch
from kit.build import build_facts
from kit.demo import generate_demo
from kit.facts import read_facts
from kit.fmt import fmt_num, fmt_pct
from kit.protect import audit_facts


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    """The demo `make demo` builds: the default seed, six schools."""
    root = tmp_path_factory.mktemp("default-demo")
    generate_demo(root / "data")
    build_facts(root / "data", root / "facts.duckdb")
    return root / "facts.duckdb"


def test_default_demo_audit_finds_no_revealed_cell(default_demo):
    found = audit_facts(default_demo)
    assert found.empty, found.head(20).to_string()


def test_default_demo_district_race_table_no_longer_reveals_a_group(default_demo):
    # The case: D01 mathematics 2024, all students 1,128; American Indian (9) and
    # Native Hawaiian / Pacific Islander (0 tested, 1 enrolled) hidden, every other race
    # shown: 1,128 - shown = 9 gave the nine students' result away (2 of 9 proficient).
    with read_facts(default_demo) as f:
        perf = f.sql(
            'SELECT "group", n_fay_tested AS n, n_enrolled, n_proficient, suppressed, '
            "suppression_reason, protects FROM performance WHERE year = 2024 "
            "AND entity_id = 'D01' AND subject = 'MATH' AND grade = 'ALL'"
        ).set_index("group")
    assert perf.loc["all", "n"] == 1128 and not perf.loc["all", "suppressed"]
    assert perf.loc["race_AI", "n"] == 9 and perf.loc["race_AI", "suppression_reason"] == "small"
    assert perf.loc["race_PI", "n"] == 0 and perf.loc["race_PI", "n_enrolled"] == 1
    race = perf[perf.index.str.startswith("race_")]
    shown = race[~race["suppressed"]]
    hidden_n = race.loc[race["suppressed"], "n"]
    # what is hidden holds at least ten students, with a complementary cell among them
    assert hidden_n.sum() >= 10
    assert (race["suppression_reason"] == "complement").any()
    assert set(race.loc[race["suppression_reason"] == "complement", "protects"]) == {
        "race/ethnicity"
    }
    # and subtraction no longer isolates the nine
    assert perf.loc["all", "n"] - shown["n"].sum() != 9
    assert perf.loc["all", "n_proficient"] - shown["n_proficient"].sum() != 2


# --- what the rendered reports say -------------------------------------------------------


_SUBJECTS = {"english language arts": "ELA", "mathematics": "MATH", "science": "SCI"}


def _text(chunk: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", chunk))).strip()


def _subject_of(text: str) -> str | None:
    low = text.lower()
    found = [code for name, code in _SUBJECTS.items() if name in low]
    return found[0] if len(found) == 1 else None


def _units(page: str) -> list[tuple[str | None, str]]:
    """(subject or None, text) for every table row, chart title and sentence of a page.

    A table's subject is its caption's, a paragraph's its bold lead ("**Mathematics.**") or
    the section heading's; None when the unit may be about any subject.
    """
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    blocks = re.finditer(r"<(h[1-6]|table|p|li|title|desc)\b[^>]*>.*?</\1>", body, flags=re.S)
    heading = None
    out = []
    for m in blocks:
        tag, chunk = m.group(1), m.group(0)
        if tag.startswith("h"):
            heading = _subject_of(_text(chunk))
            continue
        if tag == "table":
            cap = re.search(r"<caption[^>]*>(.*?)</caption>", chunk, flags=re.S)
            subject = (_subject_of(_text(cap.group(1))) if cap else None) or heading
            for row in re.findall(r"<tr[^>]*>.*?</tr>", chunk, flags=re.S):
                out.append((subject, _text(row)))
            continue
        text = _text(chunk)
        lead = re.match(r"\s*<(?:strong|b)>(.*?)</(?:strong|b)>", chunk.split(">", 1)[-1])
        subject = (_subject_of(_text(lead.group(1))) if lead else None) or heading
        for sentence in re.split(r"(?<=[.;:])\s+", text):
            out.append((subject, sentence))
    return out


@pytest.fixture(scope="module")
def reports(facts_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("privacy-reports")
    jobs = plan_jobs(facts_path, out, formats=("html",))
    result = run_batch(jobs, workers=2)
    assert not result.failed, [r.to_dict() for r in result.failed]
    return [(job, (job.out_dir / f"{job.report}.html").read_text()) for job in jobs]


def _hidden_cells(facts_path, entity_ids, year) -> pd.DataFrame:
    with read_facts(facts_path) as f:
        model = f.run()["headline_model"]
        ids = ", ".join(f"'{e}'" for e in entity_ids)
        return f.sql(
            f"""
            SELECT p.year, p.entity_id, p.subject, p."group", g.label, g.noun,
                   p.n_fay_tested AS n, p.pct_proficient, i.value AS "index"
            FROM performance p JOIN "groups" g USING ("group")
            LEFT JOIN index_scores i ON i.year = p.year AND i.entity_id = p.entity_id
                 AND i.subject = p.subject AND i.grade = p.grade AND i."group" = p."group"
                 AND i.model = '{model}'
            WHERE p.grade = 'ALL' AND p.suppressed AND p.n_fay_tested > 0
              AND p.entity_id IN ({ids}) AND p.year = {int(year)}
            """
        )


def test_no_report_states_a_hidden_groups_figure(facts_path, reports):
    checked = 0
    for job, page in reports:
        with read_facts(facts_path) as f:
            names_of = {job.entity_id: None}
            if job.entity_type == "district":  # a school's cell: where the school is named
                schools = f.schools(job.year, job.entity_id)
                names_of.update(zip(schools["entity_id"], schools["name"], strict=True))
        hidden = _hidden_cells(facts_path, list(names_of), job.year)
        units = _units(page)
        for rec in hidden.to_dict("records"):
            figures = {fmt_pct(rec["pct_proficient"]), fmt_num(rec["index"])} - {"—"}
            names = [rec["label"], rec["noun"]]
            where = names_of[rec["entity_id"]]
            for subject, unit in units:
                if subject is not None and subject != rec["subject"]:
                    continue
                if not any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", unit) for n in names):
                    continue
                if where is not None and where not in unit:
                    continue
                for fig in figures:
                    assert not re.search(rf"(?<![\d.]){re.escape(fig)}(?![\d])", unit), (
                        f"{job.report} {job.entity_id}: {rec['label']} ({rec['subject']}, "
                        f"hidden) shows {fig} in: {unit[:300]}"
                    )
                checked += 1
    assert checked > 50  # the check saw hidden groups named in the reports


def test_school_reports_never_compare_with_a_hidden_state_figure(facts_path, reports):
    with read_facts(facts_path) as f:
        state = f.sql(
            'SELECT year, subject, "group", suppressed FROM performance '
            "WHERE entity_id = 'STATE' AND grade = 'ALL'"
        )
        labels = f.sql('SELECT "group", label FROM "groups"').set_index("group")["label"]
    hidden_state = state[state["suppressed"]]
    assert len(hidden_state)
    checked = 0
    for job, page in reports:
        if job.report != "subgroups" or job.entity_type != "school":
            continue
        for table in re.findall(r"<table\b.*?</table>", page, flags=re.S):
            cap = re.search(r"<caption[^>]*>(.*?)</caption>", table, flags=re.S)
            subject = _subject_of(_text(cap.group(1))) if cap else None
            groups = set(
                hidden_state.loc[
                    (hidden_state["year"] == job.year) & (hidden_state["subject"] == subject),
                    "group",
                ]
            )
            rows = [
                [_text(c) for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", tr, flags=re.S)]
                for tr in re.findall(r"<tr[^>]*>.*?</tr>", table, flags=re.S)
            ]
            if not rows or "vs state" not in rows[0]:
                continue
            col = rows[0].index("vs state")
            for row in rows[1:]:
                if any(row[0] == labels[g] for g in groups):
                    assert row[col] in ("—", ""), (
                        f"{job.entity_id}: {row[0]} compared with a hidden state figure: {row}"
                    )
                    checked += 1
    assert checked  # some school shows a group the state hides


def test_kit_audit_passes_the_build_and_catches_the_old_rule(facts_path, tmp_path):
    import shutil

    import duckdb
    from typer.testing import CliRunner

    from kit.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "--facts", str(facts_path)])
    assert ok.exit_code == 0, ok.output
    assert "reveals a group of fewer than 10 students" in " ".join(ok.output.split())
    # The old rule: only groups below the minimum hidden, nothing else.
    old = tmp_path / "old.duckdb"
    shutil.copy(facts_path, old)
    with duckdb.connect(str(old)) as con:
        con.execute(
            "UPDATE performance SET suppressed = n_fay_tested < 10, "
            "suppression_reason = CASE WHEN n_fay_tested < 10 THEN 'small' ELSE '' END"
        )
    bad = runner.invoke(app, ["audit", "--facts", str(old), "--out", str(tmp_path / "f.csv")])
    assert bad.exit_code == 1
    found = (tmp_path / "f.csv").read_text()
    assert "revealed" in found and "district total" in found
