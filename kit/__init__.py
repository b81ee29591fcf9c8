"""School report kit: assessment files in, narrative school and district reports out.

The names a notebook needs are here; everything else is reachable by module. They load on
first use (PEP 562), so ``import kit`` and ``kit --version`` do not import pandas, DuckDB
or matplotlib: ``kit.view_ayp`` imports :mod:`kit.views.index` the first time it is read.

The verbs of a report follow its layers: ``view_*`` (figures from the facts store, hidden
cells applied), ``describe_*`` (sentences: what they describe first, then the
``ReportContext``, then the part such as a subject, then the rest), ``plot_*`` (a
``Chart``), ``tab_*`` (a display table) and ``fmt_*`` (one number or word as shown).

>>> import kit
>>> kit.fmt_signed(-2.25), kit.fmt_subject("MATH")
('-2.2', 'mathematics')
>>> "view_ayp" in dir(kit) and "plot_trend" in kit.__all__
True
"""

from __future__ import annotations

import importlib
import warnings

from kit._version import __version__ as __version__
from kit.errors import KitError

# Public name -> the module that defines it, by module.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "kit.charts.district": ("plot_gaps_by_school",),
    "kit.charts.index": (
        "plot_gaps",
        "plot_index_by_group",
        "plot_models",
        "plot_trend",
    ),
    "kit.charts.items": (
        "plot_distractors",
        "plot_item_diff",
        "plot_standards",
    ),
    "kit.charts.msip": ("plot_apr_standards",),
    "kit.charts.style": (
        "Chart",
        "show_chart",
    ),
    "kit.charts.subgroups": ("plot_levels_by_group",),
    "kit.errors": ("KitError",),
    "kit.facts": (
        "Facts",
        "read_facts",
    ),
    "kit.fmt": (
        "fmt_change",
        "fmt_compact",
        "fmt_gap",
        "fmt_int",
        "fmt_model_abbr",
        "fmt_num",
        "fmt_pct",
        "fmt_points",
        "fmt_signed",
        "fmt_subject",
        "is_missing",
    ),
    "kit.narrative.district": (
        "describe_district_findings",
        "describe_district_intro",
        "describe_district_method",
        "describe_equity",
        "describe_impact",
        "describe_lowest",
        "describe_district_summary",
    ),
    "kit.narrative.index": (
        "describe_ayp",
        "describe_ayp_subject",
        "describe_caveats",
        "describe_goals",
        "describe_index_intro",
        "describe_index_method",
        "describe_models",
        "describe_what_would_change",
        "describe_index_summary",
    ),
    "kit.narrative.items": (
        "describe_item_test",
        "describe_item_test_title",
        "describe_items_findings",
        "describe_items_intro",
        "describe_items_method",
        "describe_skills",
        "describe_items_summary",
    ),
    "kit.narrative.msip": (
        "describe_apr_banner",
        "describe_apr_gains",
        "describe_apr_growth",
        "describe_apr_headline",
        "describe_apr_intro",
        "describe_apr_method",
        "describe_apr_standard",
        "describe_apr_standards",
        "describe_apr_summary",
    ),
    "kit.narrative.pbmas": (
        "describe_pbmas_area",
        "describe_pbmas_banner",
        "describe_pbmas_intro",
        "describe_pbmas_method",
        "describe_pbmas_summary",
        "describe_pbmas_stages",
    ),
    "kit.narrative.subgroups": (
        "describe_subgroups",
        "describe_subgroups_intro",
        "describe_subgroups_method",
        "describe_subgroups_summary",
    ),
    "kit.tables.display": (
        "show_markdown",
        "show_table",
        "show_summary",
    ),
    "kit.tables.district": (
        "tab_gaps",
        "tab_impact",
        "tab_lowest",
        "tab_schools",
    ),
    "kit.tables.index": (
        "tab_ayp",
        "tab_goals",
        "tab_models",
    ),
    "kit.tables.items": (
        "tab_rollups",
        "tab_trailing_items",
    ),
    "kit.tables.msip": (
        "tab_apr_expanded",
        "tab_apr_gains",
        "tab_apr_summary",
        "tab_apr_supporting",
        "tab_apr_years",
        "tab_mpi_groups",
    ),
    "kit.tables.pbmas": (
        "tab_pbmas_area",
        "tab_pbmas_identified",
        "tab_pbmas_stages",
    ),
    "kit.tables.subgroups": ("tab_subgroups",),
    "kit.views._common": ("state_banner",),
    "kit.views.context": (
        "ReportContext",
        "report_context",
    ),
    "kit.views.district": (
        "view_agreement",
        "view_gaps",
        "view_impact",
        "view_ranking",
        "view_schools",
    ),
    "kit.views.index": (
        "accountability_caveats",
        "ayp_subjects",
        "ayp_unjudged",
        "goal_measure",
        "view_ayp",
        "view_ayp_rules",
        "view_goal_trajectory",
        "view_goal_trend",
        "view_goals",
        "view_models",
        "view_trend",
    ),
    "kit.views.items": (
        "ItemTestView",
        "view_item_test",
        "view_item_tests",
        "has_starting_list",
    ),
    "kit.views.msip": (
        "apr_gains",
        "apr_standards",
        "apr_subjects",
        "growth_label",
        "msip_min_n",
        "single_district",
        "view_apr",
        "view_apr_years",
        "view_mpi_groups",
    ),
    "kit.views.pbmas": (
        "pbmas_areas",
        "pbmas_identified",
        "pbmas_msr",
        "view_pbmas",
        "view_pbmas_stages",
    ),
    "kit.views.subgroups": ("view_subgroups",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

# Names before 0.2 -> their name now. Reading one warns (DeprecationWarning) and works, so a
# district's own copy of an old notebook keeps rendering; they are not in __all__.
_RENAMED = {
    "SUBJECT_NAMES": "fmt_subject",
    "ayp_rules": "view_ayp_rules",
    "describe_intro": "describe_subgroups_intro",
    "describe_method": "describe_subgroups_method",
    "goal_trajectory": "view_goal_trajectory",
    "has_distractors": "ItemTestView.has_distractors",
    "item_test_title": "describe_item_test_title",
    "model_abbr": "fmt_model_abbr",
}

# Subpackages a notebook reaches as ``kit.<name>`` (the workshop lessons: kit.workshop.check).
_SUBPACKAGES = ("workshop",)


__all__ = sorted([*_WHERE, *_SUBPACKAGES, "KitError", "__version__"])


def _renamed(name: str):
    if name == "SUBJECT_NAMES":
        from kit.fmt import SUBJECT_NAMES

        return SUBJECT_NAMES
    if name == "has_distractors":
        return lambda view: view.has_distractors
    return __getattr__(_RENAMED[name])


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        value = importlib.import_module(f"kit.{name}")
        globals()[name] = value
        return value
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # the next read is a plain attribute
        return value
    if name in _RENAMED:
        warnings.warn(f"kit.{name} is now kit.{_RENAMED[name]}", DeprecationWarning, stacklevel=2)
        return _renamed(name)
    raise AttributeError(f"module 'kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _short_kit_errors() -> None:
    """In a notebook, show a KitError as its message and fix, without a traceback.

    A missing store or an unknown school id is the analyst's to fix, not a bug: JupyterLab
    then shows one paragraph. The cell still fails, so papermill and ``kit batch`` record it.
    Outside IPython (the ``kit`` command, a script) IPython is not imported at all.
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return

    def show(shell, etype, value, _tb, tb_offset=None):
        stb = [f"{etype.__name__}: {value}"]
        shell._showtraceback(etype, value, stb)  # IPython leaves showing it to the handler
        return stb

    shell.set_custom_exc((KitError,), show)


_short_kit_errors()
