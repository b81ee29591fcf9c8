"""Tables as the reader sees them: words set left, figures right (issue 11, item 14)."""

from __future__ import annotations

import re

import pandas as pd

import kit
from kit.tables.display import table_html, word_columns


def _aligned_left(html: str) -> list[str]:
    return re.findall(r'<th scope="col" class="kit-words">([^<]*)</th>', html)


def test_columns_of_words_are_set_left_and_figures_right():
    # Before: "What it asks" of the item tables was right-aligned like a figure, so each
    # question's words ended ragged at the right of a wide column.
    table = pd.DataFrame(
        {
            "Item": ["E6-23", "E6-06"],
            "Standard": ["RL.6.1", "RI.6.6"],
            "What it asks": ["Cite evidence to support an inference", "Identify the purpose"],
            "Type": ["SR", "MC"],
            "% correct": ["43.6%", "46.2%"],
            "vs state": ["-17.2", "\u221214.6"],
            "Students": ["1,137", "<10"],
            "Points": ["0.0 of 16", "467.0 (91%)"],
            "Note": ["", ""],
            "PL 0 cut points": ["70.0\u00a0\u2011\u00a0100", "0.0\u00a0\u2011\u00a01.8"],
            "AYP": ["Met: performance", "\u2014"],
        }
    )
    assert word_columns(table) == {"Standard", "What it asks", "Type", "AYP"}
    html = table_html(table, "Items")
    assert _aligned_left(html) == ["Standard", "What it asks", "Type", "AYP"]
    assert '<td class="kit-words">Cite evidence to support an inference</td>' in html
    assert "<td>43.6%</td>" in html and "<td>-17.2</td>" in html


def test_named_text_columns_stay_left_even_when_they_hold_figures():
    table = pd.DataFrame({"Group": ["a"], "Code": ["1"], "Rate": ["5.0%"]})
    table.attrs["text_columns"] = ["Code"]
    assert word_columns(table) == {"Code"}


def test_item_tables_of_the_demo_set_their_words_left(facts):
    school = facts.schools()["entity_id"].iloc[0]
    ctx = kit.report_context(facts, school)
    test = next(t for t in kit.view_item_tests(facts, ctx) if kit.has_starting_list(t))
    html = table_html(kit.tab_trailing_items(test, limit=6), "T")
    assert "What it asks" in _aligned_left(html)
    assert "% correct" not in _aligned_left(html)


def test_the_apr_gains_table_never_prints_nan(msip_facts_path):
    # Before: a row without a status level (participation below 95 %) read "nan".
    from kit.facts import read_facts

    with read_facts(msip_facts_path) as f:
        ents = f.table("entities", year=f.latest_year())
        checked = 0
        for entity in ents.loc[ents.entity_type != "state", "entity_id"]:
            ctx = kit.report_context(f, entity)
            table = kit.tab_apr_gains(kit.apr_gains(kit.view_apr(f, ctx)), ctx)
            for row in table.to_dict("records"):
                assert all(str(v).lower() != "nan" for v in row.values()), row
                checked += 1
    assert checked
