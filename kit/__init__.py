"""School report kit: assessment files in, narrative school and district reports out.

The names a notebook needs are here; everything else is reachable by module.
"""

from kit._version import __version__
from kit.charts.district import plot_gaps_by_school
from kit.charts.index import plot_gaps, plot_index_by_group, plot_models, plot_trend
from kit.charts.items import plot_distractors, plot_item_diff, plot_standards
from kit.charts.style import Chart, show_chart
from kit.charts.subgroups import plot_levels_by_group
from kit.errors import KitError
from kit.facts import Facts, read_facts
from kit.fmt import fmt_change, fmt_gap, fmt_int, fmt_num, fmt_pct, fmt_points
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
from kit.tables.subgroups import tab_subgroups
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
    "ayp_rules",
    "ayp_subjects",
    "ayp_unjudged",
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
    "describe_skills",
    "describe_subgroups",
    "describe_subgroups_summary",
    "describe_what_would_change",
    "fmt_change",
    "fmt_gap",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_points",
    "goal_measure",
    "has_distractors",
    "has_starting_list",
    "goal_trajectory",
    "item_test_title",
    "model_abbr",
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
    "show_markdown",
    "show_summary",
    "show_table",
    "tab_ayp",
    "tab_gaps",
    "tab_goals",
    "tab_impact",
    "tab_lowest",
    "tab_models",
    "tab_rollups",
    "tab_schools",
    "tab_subgroups",
    "tab_trailing_items",
    "view_ayp",
    "view_gaps",
    "view_goal_trend",
    "view_goals",
    "view_agreement",
    "view_impact",
    "view_item_test",
    "view_item_tests",
    "view_models",
    "view_ranking",
    "view_schools",
    "view_subgroups",
    "view_trend",
]
