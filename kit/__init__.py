"""School report kit: assessment files in, narrative school and district reports out.

The names a notebook needs are here; everything else is reachable by module.
"""

from kit._version import __version__
from kit.charts.district import plot_gaps_by_school
from kit.charts.index import plot_gaps, plot_index_by_group, plot_models, plot_trend
from kit.charts.items import plot_distractors, plot_item_diff, plot_standards
from kit.charts.msip import plot_apr_standards
from kit.charts.style import Chart, show_chart
from kit.charts.subgroups import plot_levels_by_group
from kit.errors import KitError
from kit.facts import Facts, read_facts
from kit.fmt import fmt_change, fmt_compact, fmt_gap, fmt_int, fmt_num, fmt_pct, fmt_points
from kit.narrative.district import (
    describe_district_findings,
    describe_district_intro,
    describe_district_method,
    describe_district_summary,
    describe_equity,
    describe_impact,
    describe_lowest,
)
from kit.narrative.index import (
    describe_ayp,
    describe_ayp_subject,
    describe_caveats,
    describe_goals,
    describe_index_intro,
    describe_index_method,
    describe_index_summary,
    describe_models,
    describe_what_would_change,
)
from kit.narrative.items import (
    describe_item_test,
    describe_items_findings,
    describe_items_intro,
    describe_items_method,
    describe_items_summary,
    describe_skills,
    item_test_title,
)
from kit.narrative.msip import (
    describe_apr_banner,
    describe_apr_gains,
    describe_apr_growth,
    describe_apr_headline,
    describe_apr_intro,
    describe_apr_method,
    describe_apr_standard,
    describe_apr_standards,
    describe_apr_summary,
)
from kit.narrative.pbmas import (
    describe_pbmas_area,
    describe_pbmas_banner,
    describe_pbmas_intro,
    describe_pbmas_method,
    describe_pbmas_stages,
    describe_pbmas_summary,
)
from kit.narrative.subgroups import (
    SUBJECT_NAMES,
    describe_intro,
    describe_method,
    describe_subgroups,
    describe_subgroups_summary,
)
from kit.tables.display import show_markdown, show_summary, show_table
from kit.tables.district import tab_gaps, tab_impact, tab_lowest, tab_schools
from kit.tables.index import model_abbr, tab_ayp, tab_goals, tab_models
from kit.tables.items import tab_rollups, tab_trailing_items
from kit.tables.msip import (
    tab_apr_expanded,
    tab_apr_gains,
    tab_apr_summary,
    tab_apr_supporting,
    tab_apr_years,
    tab_mpi_groups,
)
from kit.tables.pbmas import tab_pbmas_area, tab_pbmas_identified, tab_pbmas_stages
from kit.tables.subgroups import tab_subgroups
from kit.views._common import state_banner
from kit.views.context import ReportContext, report_context
from kit.views.district import (
    view_agreement,
    view_gaps,
    view_impact,
    view_ranking,
    view_schools,
)
from kit.views.index import (
    accountability_caveats,
    ayp_rules,
    ayp_subjects,
    ayp_unjudged,
    goal_measure,
    goal_trajectory,
    view_ayp,
    view_goal_trend,
    view_goals,
    view_models,
    view_trend,
)
from kit.views.items import (
    ItemTestView,
    has_distractors,
    has_starting_list,
    view_item_test,
    view_item_tests,
)
from kit.views.msip import (
    apr_gains,
    apr_standards,
    apr_subjects,
    growth_label,
    msip_min_n,
    single_district,
    view_apr,
    view_apr_years,
    view_mpi_groups,
)
from kit.views.pbmas import (
    pbmas_areas,
    pbmas_identified,
    pbmas_msr,
    view_pbmas,
    view_pbmas_stages,
)
from kit.views.subgroups import view_subgroups

__all__ = [
    "Chart",
    "Facts",
    "ItemTestView",
    "KitError",
    "ReportContext",
    "SUBJECT_NAMES",
    "__version__",
    "accountability_caveats",
    "apr_gains",
    "apr_standards",
    "apr_subjects",
    "ayp_rules",
    "ayp_subjects",
    "ayp_unjudged",
    "describe_apr_banner",
    "describe_apr_gains",
    "describe_apr_growth",
    "describe_apr_headline",
    "describe_apr_intro",
    "describe_apr_method",
    "describe_apr_standard",
    "describe_apr_standards",
    "describe_apr_summary",
    "describe_ayp",
    "describe_ayp_subject",
    "describe_caveats",
    "describe_district_findings",
    "describe_district_intro",
    "describe_district_method",
    "describe_district_summary",
    "describe_equity",
    "describe_goals",
    "describe_impact",
    "describe_index_intro",
    "describe_index_method",
    "describe_index_summary",
    "describe_intro",
    "describe_item_test",
    "describe_items_findings",
    "describe_items_intro",
    "describe_items_method",
    "describe_items_summary",
    "describe_lowest",
    "describe_method",
    "describe_models",
    "describe_pbmas_area",
    "describe_pbmas_banner",
    "describe_pbmas_intro",
    "describe_pbmas_method",
    "describe_pbmas_stages",
    "describe_pbmas_summary",
    "describe_skills",
    "describe_subgroups",
    "describe_subgroups_summary",
    "describe_what_would_change",
    "fmt_change",
    "fmt_compact",
    "fmt_gap",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_points",
    "goal_measure",
    "goal_trajectory",
    "growth_label",
    "has_distractors",
    "has_starting_list",
    "item_test_title",
    "model_abbr",
    "msip_min_n",
    "pbmas_areas",
    "pbmas_identified",
    "pbmas_msr",
    "plot_apr_standards",
    "plot_distractors",
    "plot_gaps",
    "plot_gaps_by_school",
    "plot_index_by_group",
    "plot_item_diff",
    "plot_levels_by_group",
    "plot_models",
    "plot_standards",
    "plot_trend",
    "read_facts",
    "report_context",
    "show_chart",
    "single_district",
    "show_markdown",
    "show_summary",
    "show_table",
    "state_banner",
    "tab_apr_expanded",
    "tab_apr_gains",
    "tab_apr_summary",
    "tab_apr_supporting",
    "tab_apr_years",
    "tab_ayp",
    "tab_gaps",
    "tab_goals",
    "tab_impact",
    "tab_lowest",
    "tab_models",
    "tab_mpi_groups",
    "tab_pbmas_area",
    "tab_pbmas_identified",
    "tab_pbmas_stages",
    "tab_rollups",
    "tab_schools",
    "tab_subgroups",
    "tab_trailing_items",
    "view_apr",
    "view_apr_years",
    "view_ayp",
    "view_gaps",
    "view_goal_trend",
    "view_goals",
    "view_agreement",
    "view_impact",
    "view_item_test",
    "view_item_tests",
    "view_models",
    "view_mpi_groups",
    "view_pbmas",
    "view_pbmas_stages",
    "view_ranking",
    "view_schools",
    "view_subgroups",
    "view_trend",
]


def _short_kit_errors() -> None:
    """In a notebook, show a KitError as its message and fix, without a traceback.

    A missing store or an unknown school id is the analyst's to fix, not a bug: JupyterLab
    then shows one paragraph. The cell still fails, so papermill and ``kit batch`` record it.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return

    def show(shell, etype, value, _tb, tb_offset=None):
        stb = [f"{etype.__name__}: {value}"]
        shell._showtraceback(etype, value, stb)  # IPython leaves showing it to the handler
        return stb

    shell.set_custom_exc((KitError,), show)


_short_kit_errors()
