"""The AYP path is rendered from stored fields: the demo's paths exactly as the build wrote
them before the fields were stored, and the report rendering them through the same function
(``kit.ayp_path.fmt_ayp_path``; its words branch by branch: test_ayp_words.py)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import kit
from kit import ayp_path
from kit.ayp_path import fmt_ayp_path

GOLDEN = Path(__file__).parent / "data" / "ayp_paths_demo.json"


def _paths(path: Path) -> dict[str, tuple[str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.sql(
            'SELECT year, entity_id, subject, "group", path, path_fields FROM ayp'
        ).fetchall()
    finally:
        con.close()
    return {f"{y}|{e}|{s}|{g}": (p, f) for y, e, s, g, p, f in rows}


@pytest.mark.parametrize("framework", ["ma", "ny", "pa", "sc"])
def test_demo_paths_are_the_words_written_before(framework, facts_path, framework_facts):
    """Every path of the demo (seed 7, 4 schools, 3 years) under each framework with AYP is
    the text the build wrote when it stored English (the golden file, written by the kit
    before this change), and is ``fmt_ayp_path`` of the stored fields. After an intended
    change of wording, rewrite the golden file from a fresh build."""
    golden = json.loads(GOLDEN.read_text())[framework]
    store = facts_path if framework == "ma" else framework_facts(framework)
    built = _paths(store)
    assert set(built) == set(golden)
    assert len(golden) >= 240
    for key, (path, stored) in built.items():
        assert path == golden[key], key
        assert fmt_ayp_path(stored) == path, key


def test_the_report_renders_the_words_from_the_fields(facts_path, monkeypatch):
    """view_ayp shows fmt_ayp_path of the stored fields (the stored English is not read):
    the same words as the build for every group shown, none for a hidden one, and a change
    of wording in kit/ayp_path.py changes the report."""
    key = ["year", "entity_id", "subject", "group"]
    with kit.read_facts(facts_path) as store:
        stored = store.sql('SELECT year, entity_id, subject, "group", path FROM ayp')
        entities = [*store.schools()["entity_id"], *store.districts()["entity_id"]]
        views = {e: kit.view_ayp(store, kit.report_context(store, e)) for e in entities}
        view = pd.concat(views.values(), ignore_index=True)
        joined = view.merge(stored, on=key, suffixes=("", "_stored"))
        assert len(joined) == len(view) > 0
        shown = joined[~joined["suppressed"]]
        assert len(shown) > 0 and joined["suppressed"].any()
        assert (shown["path"] == shown["path_stored"]).all()
        assert joined.loc[joined["suppressed"], "path"].isna().all()
        assert joined.loc[joined["suppressed"], "path_fields"].isna().all()

        by_test = shown[shown["met"].astype(bool) & (shown["met_by"] != "participation")]
        entity = str(by_test["entity_id"].iloc[0])
        monkeypatch.setattr(ayp_path, "_ok", lambda t: f"passed {t['id']}")
        again = kit.view_ayp(store, kit.report_context(store, entity))
    met = again[~again["suppressed"] & again["met"].astype(bool)]
    met = met[met["met_by"] != "participation"]
    assert len(met) > 0
    assert (met["path"] == "passed " + met["met_by"]).all()
