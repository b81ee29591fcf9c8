"""Workshops: lessons that teach a school team to read its assessment data (PIM steps 0-9).

A lesson calls :func:`start` once (the facts store, the school), then shows tables through
the report views, with a :func:`checkpoint` after each worked step ("you should see ...")
and a :func:`check` after each exercise ("right" or "not yet", with a hint for a known
mistake). Answers are computed from the facts when checked, so any store works.
"""

from kit.workshop import questions as _questions  # noqa: F401  (registers the exercises)
from kit.workshop.check import (
    CHECKPOINTS,
    NOT_YET,
    QUESTIONS,
    RIGHT,
    Result,
    ask,
    check,
    checkpoint,
    mistakes,
    solution,
)
from kit.workshop.data import (
    benchmarks,
    crosstab,
    crosstab_table,
    goals,
    groups,
    inventory,
    item_grade,
    items,
    mc_item_behind,
    options_table,
    ranking,
    ranking_table,
    show,
    tested_by_year,
    what_if,
    what_if_table,
)
from kit.workshop.export import export_lesson
from kit.workshop.lab import LESSONS
from kit.workshop.lesson import Lesson, current, start
from kit.workshop.widgets import group_picker, level_slider

__all__ = [
    "CHECKPOINTS",
    "LESSONS",
    "Lesson",
    "NOT_YET",
    "QUESTIONS",
    "RIGHT",
    "Result",
    "ask",
    "benchmarks",
    "check",
    "checkpoint",
    "crosstab",
    "crosstab_table",
    "current",
    "export_lesson",
    "goals",
    "group_picker",
    "groups",
    "inventory",
    "item_grade",
    "items",
    "level_slider",
    "mc_item_behind",
    "mistakes",
    "options_table",
    "ranking",
    "ranking_table",
    "show",
    "solution",
    "start",
    "tested_by_year",
    "what_if",
    "what_if_table",
]
