"""The high-needs gap by school chart (kit/charts/district.py): its alt text names the widest gap."""

from types import SimpleNamespace

import pytest

import kit
from kit.fmt import fmt_num


@pytest.fixture(scope="module")
def summary(facts_path):
    with kit.read_facts(facts_path) as store:
        ctx = kit.report_context(store, store.districts()["entity_id"][0])
        schools = kit.view_schools(store, ctx)
        subjects = kit.ayp_subjects(kit.view_ayp(store, ctx), ctx)
        return SimpleNamespace(schools=schools, subjects=subjects)


def test_chart_alt_text_states_the_widest_gap(summary):
    chart = kit.plot_gaps_by_school(summary.schools, summary.subjects, title="High-needs gaps")
    try:
        for subject in summary.subjects:
            rows = summary.schools[
                (summary.schools["subject"] == subject) & ~summary.schools["hn_suppressed"]
            ]
            widest = rows.loc[rows["hn_gap"].idxmin()]
            assert (
                f"trail most at {widest['name']}, {fmt_num(-widest['hn_gap'])} points below"
                in chart.alt
            )
    finally:
        import matplotlib.pyplot as plt

        plt.close(chart.fig)
