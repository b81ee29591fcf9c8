"""Run a workshop lesson three ways in a warm kernel, papermill's parameters injected: with
the solutions (every check right), blank (every check "not yet") and with one known-wrong
answer per mistake (the check gives that mistake's hint). Answers come from the facts."""

from __future__ import annotations

from importlib import resources

import nbformat

import kit.workshop as ws


def lesson_nb(name: str) -> nbformat.NotebookNode:
    path = resources.files("kit.notebooks") / "workshop" / f"{name}.ipynb"
    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)


def question_ids(name: str) -> list[str]:
    prefix = name.split("_")[0] + "."
    return [q for q in ws.QUESTIONS if q.startswith(prefix)]


def param(qid: str) -> str:
    return "answer_" + qid.split(".", 1)[1]


def results(nb) -> list[dict]:
    return [
        o["metadata"]["kit_workshop"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "kit_workshop" in o.get("metadata", {})
    ]


def wrong_rounds(name: str, facts_path, schools: list[str]) -> list[tuple[str, dict, dict]]:
    """``(school, parameters, {question: mistake})`` runs that together give every mistake
    that applies on some school of the store, at most one mistake per question a run."""
    wanted: dict[tuple[str, str], tuple[str, object]] = {}
    for school in schools:
        lesson = ws.start(facts_path, school, quiet=True)
        for qid in question_ids(name):
            for mistake, value in ws.mistakes(qid, lesson).items():
                wanted.setdefault((qid, mistake), (school, value))
    runs: list[tuple[str, dict, dict]] = []
    for (qid, mistake), (school, value) in wanted.items():
        for run_school, params, expect in runs:
            if run_school == school and qid not in expect:
                params[param(qid)] = value
                expect[qid] = mistake
                break
        else:
            runs.append((school, {param(qid): value}, {qid: mistake}))
    return runs


def three_way(kernel, name: str, facts_path, schools: list[str], workdir) -> dict:
    nb = lesson_nb(name)
    base = {"facts_path": str(facts_path), "school": schools[0]}
    qids = question_ids(name)
    assert qids, name
    out = {"checkpoints": 0, "questions": len(qids), "mistakes": {}}

    blank = results(kernel.run(nb, base, workdir=workdir))
    checks = [r for r in blank if r["kind"] == "check"]
    points = [r for r in blank if r["kind"] == "checkpoint"]
    assert sorted(r["id"] for r in checks) == sorted(qids), name
    assert all(r["status"] == ws.NOT_YET for r in checks), checks
    assert points and all(r["status"] == "ok" for r in points), points
    out["checkpoints"] = len(points)

    lesson = ws.start(facts_path, schools[0], quiet=True)
    solved = {param(q): ws.solution(q, lesson) for q in qids}
    right = results(kernel.run(nb, {**base, **solved}, workdir=workdir))
    assert all(r["status"] == ws.RIGHT for r in right if r["kind"] == "check"), (solved, right)
    assert all(r["status"] == "ok" for r in right if r["kind"] == "checkpoint")

    for school, params, expect in wrong_rounds(name, facts_path, schools):
        got = results(kernel.run(nb, {**base, "school": school, **params}, workdir=workdir))
        by_id = {r["id"]: r for r in got if r["kind"] == "check"}
        for qid, mistake in expect.items():
            assert by_id[qid]["status"] == ws.NOT_YET, (school, qid, params)
            assert by_id[qid]["mistake"] == mistake, (school, qid, mistake, by_id[qid])
            out["mistakes"].setdefault(qid, []).append(mistake)
    return out
