"""Reports read the rules the build applied, from the store: never by reloading the framework.

Issue 12: a store built from a user's own framework file (``trails_state_by: 3.0``) had
its item flags judged at 3 points while the narrative, reloading the framework by id and
falling back to the defaults, said 10: a sentence disagreed with its table.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

import kit
from kit.build import build_facts


@pytest.fixture(scope="module")
def own_framework_facts(demo_dir, tmp_path_factory):
    """The demo built with a copy of ma.yaml that has its own id and item thresholds; the
    file is deleted after the build (a report must not need it)."""
    folder = tmp_path_factory.mktemp("own_framework")
    data = yaml.safe_load(
        (resources.files("kit.frameworks") / "ma.yaml").read_text(encoding="utf-8")
    )
    data["id"] = "ma_local"
    data["item_analysis"] = {**data["item_analysis"], "trails_state_by": 3.0, "hard_below": 35}
    path = folder / "ma_local.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = folder / "facts.duckdb"
    build_facts(demo_dir, out, framework=path)
    path.unlink()
    return out


def test_item_rules_are_the_ones_the_build_applied(own_framework_facts):
    with kit.read_facts(own_framework_facts) as f:
        school = f.schools()["entity_id"].iloc[0]
        ctx = kit.report_context(f, school)
        tests = kit.view_item_tests(f, ctx)
    assert tests
    for t in tests:
        assert t.rules.trails_state_by == 3.0
        assert t.rules.hard_below == 35.0


def test_item_sentence_agrees_with_the_stored_flags(own_framework_facts):
    checked = 0
    with kit.read_facts(own_framework_facts) as f:
        for school in f.schools()["entity_id"]:
            ctx = kit.report_context(f, school)
            for t in kit.view_item_tests(f, ctx):
                text = kit.describe_item_test(t, ctx)
                shown = t.items[~t.items["suppressed"]]
                flagged = int(shown["flag"].fillna("").str.contains("trails state by").sum())
                m = re.search(r"(\d+) items? trailed the state by (\d+) points? or more", text)
                if flagged == 0:
                    continue
                assert m, text
                assert int(m.group(2)) == 3, text
                # Every item the sentence counts is flagged in the table, and the reverse
                # (the flag needs n >= min_n; the demo's shown items all have it).
                assert int(m.group(1)) == flagged, (school, t.subject, t.grade, text)
                checked += 1
    assert checked > 0


def test_the_store_holds_the_framework_as_applied(own_framework_facts):
    with kit.read_facts(own_framework_facts) as f:
        applied = f.applied_framework()
    assert applied["id"] == "ma_local"
    assert applied["item_analysis"]["trails_state_by"] == 3.0
