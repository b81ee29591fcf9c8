"""School report kit: assessment files in, narrative school and district reports out.

The names a notebook needs are here; everything else is reachable by module.
"""

from kit._version import __version__
from kit.charts.levels import plot_levels_by_group
from kit.charts.style import Chart, show_chart
from kit.errors import KitError
from kit.facts import Facts, read_facts
from kit.fmt import fmt_change, fmt_gap, fmt_int, fmt_num, fmt_pct, fmt_points
from kit.narrative.subgroups import (
    SUBJECT_NAMES,
    describe_intro,
    describe_method,
    describe_subgroups,
)
from kit.tables import show_markdown, show_table, tab_subgroups
from kit.views import ReportContext, report_context, view_subgroups

__all__ = [
    "Chart",
    "Facts",
    "KitError",
    "ReportContext",
    "SUBJECT_NAMES",
    "__version__",
    "describe_intro",
    "describe_method",
    "describe_subgroups",
    "fmt_change",
    "fmt_gap",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_points",
    "plot_levels_by_group",
    "read_facts",
    "report_context",
    "show_chart",
    "show_markdown",
    "show_table",
    "tab_subgroups",
    "view_subgroups",
]
