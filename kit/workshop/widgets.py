"""The lessons' interactive pieces (ipywidgets): a school and group picker, and a slider
that moves students between achievement levels and shows every index model and the AYP
status test change.

Cells that call these are tagged ``interactive``: an exported lesson leaves them out
(:func:`kit.workshop.export_lesson`), and the precomputed table beside them stands in.
Only groups whose results are shown are offered: a hidden group never reaches a widget.
"""

from __future__ import annotations

from kit.tables.display import table_html
from kit.views.context import report_context
from kit.workshop import data
from kit.workshop.lesson import Lesson, current


def _widgets():
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - a dependency of the kit
        return None
    return ipywidgets


def group_picker(lesson: Lesson | None = None):
    """Pick a school and a group; see the group's row of the groups table."""
    w = _widgets()
    lesson = lesson or current()
    if w is None or lesson is None:
        return None
    schools = lesson.facts.schools(lesson.year)
    school = w.Dropdown(
        options=[
            (f"{r['name']} ({r['entity_id']})", r["entity_id"]) for r in schools.to_dict("records")
        ],
        value=lesson.ctx.entity_id,
        description="School",
    )
    group = w.Dropdown(description="Group")
    out = w.HTML()

    def lesson_for(entity_id: str) -> Lesson:
        if entity_id == lesson.ctx.entity_id:
            return lesson
        ctx = report_context(lesson.facts, entity_id, lesson.year)
        return Lesson(facts=lesson.facts, ctx=ctx, subject=lesson.subject)

    def refresh_groups(*_):
        shown = data.shown_group_rows(lesson_for(school.value))
        group.options = [(r["label"], r["group"]) for r in shown.to_dict("records")]
        group.value = (
            "all"
            if "all" in set(shown["group"])
            else (group.options[0][1] if group.options else None)
        )
        show()

    def show(*_):
        other = lesson_for(school.value)
        from kit.tables.subgroups import tab_subgroups

        view = data.groups(other)
        row = view[view["group"] == group.value]
        out.value = table_html(
            tab_subgroups(row, other.ctx), caption=f"{other.ctx.name}, {other.year}"
        )

    school.observe(refresh_groups, names="value")
    group.observe(show, names="value")
    refresh_groups()
    return w.VBox([w.HBox([school, group]), out])


def level_slider(lesson: Lesson | None = None):
    """Move students up one level (a slider) and watch every model and the AYP status test."""
    w = _widgets()
    lesson = lesson or current()
    if w is None or lesson is None:
        return None
    ctx = lesson.ctx
    shown = data.shown_group_rows(lesson)
    group = w.Dropdown(
        options=[(r["label"], r["group"]) for r in shown.to_dict("records")],
        value="all",
        description="Group",
    )
    level = w.Dropdown(
        options=[
            (f"{ctx.level_names[i - 1]} → {ctx.level_names[i]}", i)
            for i in range(1, len(ctx.level_names))
        ],
        value=max(1, ctx.proficient_level - 1),
        description="Move up",
    )
    moved = w.IntSlider(value=0, min=0, max=1, description="Students", continuous_update=False)
    out = w.HTML()

    def show(*_):
        frame = data.what_if(lesson, group=group.value, from_level=level.value)
        if frame.empty:
            out.value = "<p>No results to move for this group.</p>"
            return
        moved.max = int(frame["moved"].max())
        rows = frame[frame["moved"].isin([0, min(moved.value, moved.max)])]
        out.value = table_html(
            data.what_if_table(rows),
            caption=f"{dict(group.options) and group.label}: before and after moving {moved.value} students",
        )

    for widget in (group, level, moved):
        widget.observe(show, names="value")
    show()
    return w.VBox([w.HBox([group, level]), moved, out])
