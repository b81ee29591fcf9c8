"""kit batch: every school and the district, manifest and index, failures isolated."""

import json
from pathlib import Path

from kit.batch.runner import Job, plan_jobs, run_batch


def test_plan_has_every_school_and_the_district(facts_path, facts, tmp_path):
    jobs = plan_jobs(facts_path, tmp_path)
    schools = set(facts.schools()["entity_id"])
    assert {j.entity_id for j in jobs if j.entity_type == "school"} == schools
    assert [j.entity_type for j in jobs].count("district") == len(facts.districts())


def test_batch_renders_and_isolates_a_failure(facts_path, facts, tmp_path):
    jobs = plan_jobs(facts_path, tmp_path, schools=list(facts.schools()["entity_id"][:2]),
                     formats=("html",))
    broken = Job(**{**jobs[0].to_dict(), "entity_id": "NO_SUCH_SCHOOL"})
    result = run_batch([*jobs, broken], workers=2)
    assert result.exit_code == 1
    statuses = {r.job.entity_id: r.status for r in result.results}
    assert statuses[jobs[0].entity_id] == statuses[jobs[1].entity_id] == "ok"
    assert statuses["NO_SUCH_SCHOOL"] == "failed"
    manifest = json.loads((tmp_path / str(jobs[0].year) / "manifest.json").read_text())
    assert [j["status"] for j in manifest["jobs"]] == ["ok", "ok", "failed"]
    assert "No entity 'NO_SUCH_SCHOOL'" in manifest["jobs"][2]["error"]
    for r in result.results[:2]:
        html = Path(r.files["html"])
        assert html.name == "subgroups.html" and html.stat().st_size > 10_000
        assert html.parent.name == r.job.entity_id
    index = (tmp_path / str(jobs[0].year) / "index.html").read_text()
    assert "1 failed" in index
