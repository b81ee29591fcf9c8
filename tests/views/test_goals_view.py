"""view_goals when a group with a goal has no result in the report's year."""

from __future__ import annotations

import json
import math
import shutil

import duckdb

import kit


def test_a_goal_without_a_result_this_year_reads_as_missing(facts_path, tmp_path):
    """The build stores a year the group did not test as [year, null, target, null] in
    ``goals.progress`` (a state's high school whose students with disabilities all left):
    the view gives no actual and no verdict for it, and the report's sentences still read.
    A state batch failed on exactly this (float(None)) in one school of 1,800."""
    store = tmp_path / "f.duckdb"
    shutil.copy(facts_path, store)
    with duckdb.connect(str(store)) as con:
        year = con.execute("SELECT max(year) FROM performance").fetchone()[0]
        entity, subject, group, method, progress = con.execute(
            'SELECT entity_id, subject, "group", method, progress FROM goals '
            "WHERE entity_type = 'school' AND grade = 'ALL' AND \"group\" = 'all' "
            "AND progress LIKE ? ORDER BY entity_id, subject LIMIT 1",
            [f"%[{year},%"],
        ).fetchone()
        rows = [p if p[0] != year else [year, None, p[2], None] for p in json.loads(progress)]
        con.execute(
            'UPDATE goals SET progress = ? WHERE entity_id = ? AND subject = ? AND "group" = ? '
            "AND grade = 'ALL'",
            [json.dumps(rows), entity, subject, group],
        )
    with kit.read_facts(store) as f:
        ctx = kit.report_context(f, entity, year)
        goals = kit.view_goals(f, ctx, subject, method=method)
        row = goals[goals["group"] == group].iloc[0]
        assert math.isnan(row["actual_now"]) and row["on_track_now"] is None
        assert math.isfinite(row["target_now"])  # the target stands; only the result is missing
        text = kit.describe_goals(goals, ctx, subject)
        assert isinstance(text, str) and text
