"""Answers the facts store gives once: store-wide ones per store opened (Facts.store_sql),
an entity's per report (Facts.kept_sql), each caller with its own copy."""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd

from kit.facts import STORE_WIDE, read_facts
from kit.views._common import _DECISION_COLUMNS, decisions


def test_store_sql_is_sql_and_each_caller_gets_a_copy(facts):
    query = "SELECT * FROM index_models"
    first = facts.store_sql(query)
    pd.testing.assert_frame_equal(first, facts.sql(query))
    first.loc[:, "name"] = "changed"
    pd.testing.assert_frame_equal(facts.store_sql(query), facts.sql(query))


def test_store_wide_tables_are_read_once_per_store(facts_path, request):
    with read_facts(facts_path) as facts:
        facts.table("levels")
    calls = request.getfixturevalue("sql_queries")  # from here on
    with read_facts(facts_path) as facts:  # another report on the same store
        levels = facts.table("levels")
        facts.table("entities", entity_type="district")
    assert "levels" in STORE_WIDE and len(levels)
    assert calls == ['SELECT * FROM "entities" WHERE "entity_type" = ?']


def test_a_rebuilt_store_is_read_again(facts_path, tmp_path):
    store = tmp_path / "facts.duckdb"
    shutil.copy(facts_path, store)
    with read_facts(store) as facts:
        before = facts.table("levels")
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(facts_path, rebuilt)
    with duckdb.connect(str(rebuilt)) as con:
        con.execute("UPDATE levels SET name = 'Renamed' WHERE level = 1")
    os.replace(rebuilt, store)
    with read_facts(store) as facts:
        after = facts.table("levels")
    assert "Renamed" not in set(before["name"]) and "Renamed" in set(after["name"])


def test_kept_sql_is_kept_by_one_facts_only(facts_path, sql_queries):
    query, params = "SELECT * FROM entities WHERE entity_id = ?", ["D01S01"]
    calls = sql_queries
    with read_facts(facts_path) as facts:
        kept = facts.kept_sql(query, params)
        kept.loc[:, "name"] = "changed"
        assert "changed" not in set(facts.kept_sql(query, params)["name"])
    with read_facts(facts_path) as other:
        other.kept_sql(query, params)
    assert calls == [query, query]


def test_one_entitys_decisions_are_its_direct_read(facts):
    """decisions() of one entity filters that entity's rows, read once a report: the same
    frame as the direct query of those years and grade (rows, order, types)."""
    years = sorted(facts.years())
    for entity in ["D01S01", "D01", "STATE"]:
        for grade in ["ALL", "5"]:
            for wanted in ([years[-1]], years[-2:], years):
                got = decisions(facts, [entity], wanted, grade=grade)
                direct = facts.sql(
                    f"SELECT {_DECISION_COLUMNS} FROM performance WHERE grade = ? AND "
                    f"entity_id = ? AND year IN ({', '.join('?' * len(wanted))})",
                    [grade, entity, *wanted],
                )
                assert len(direct)
                # two entities are read directly, with the same query
                direct = decisions(facts, [entity, "nobody"], wanted, grade=grade)
                pd.testing.assert_frame_equal(got, direct, check_exact=True)
