"""Jinja2 environment for narrative templates, with the ``fmt_*`` functions as filters.

Templates live in ``kit/narrative/templates``; a district can point ``KIT_TEMPLATES`` at a
folder of its own edited copies, which are looked up first.
"""

from __future__ import annotations

import os
from functools import lru_cache

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from kit.fmt import fmt_change, fmt_compact, fmt_gap, fmt_int, fmt_num, fmt_pct, fmt_points


@lru_cache(maxsize=4)
def _environment(extra: str | None) -> Environment:
    loaders = [FileSystemLoader(extra)] if extra else []
    loaders.append(PackageLoader("kit.narrative", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        # Markdown becomes HTML in the report: escape names so "<script>" stays text.
        autoescape=True,
        trim_blocks=False,
        keep_trailing_newline=False,
    )
    env.filters.update(
        pct=fmt_pct,
        num=fmt_num,
        int_=fmt_int,
        points=fmt_points,
        gap=fmt_gap,
        change=fmt_change,
        compact=fmt_compact,
    )
    return env


def render_template(name: str, **context) -> str:
    """Render a narrative template to Markdown text."""
    env = _environment(os.environ.get("KIT_TEMPLATES"))
    return env.get_template(name).render(**context).strip()
