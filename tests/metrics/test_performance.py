"""Counts, percent proficient and participation on hand-built students."""

import pytest

from kit.metrics.performance import count_by_entity, level_counts_table, performance_table


def run(con):
    counts = count_by_entity(con, n_levels=4, proficient_level=3, sublevel_cuts={1: 210, 2: 230})
    perf = performance_table(counts, reporting_min_n=2)
    return counts, perf.set_index(["entity_type", "entity_id", "subject", "grade", "group"])


@pytest.fixture
def school(con_factory):
    students = [
        dict(student_id="a", low_income=True, swd=True),  # high needs, counted once
        dict(student_id="b", low_income=True, race_ethnicity="BL"),  # super subgroup once
        dict(student_id="c", fay=False),  # not accountable
        dict(student_id="d"),
        dict(student_id="e", grade=5, school_id="S2", school_name="School Two"),
        dict(student_id="f", ell=True),  # absent
    ]
    assessments = [
        dict(student_id="a", achievement_level=1, scale_score=212),  # W/F high half by cut
        dict(student_id="b", achievement_level=3, scale_score=244),
        dict(student_id="c", achievement_level=4, scale_score=270),
        dict(student_id="d", achievement_level=2, scale_score=224, achievement_sublevel="HIGH"),
        dict(student_id="e", achievement_level=4, scale_score=262),
        dict(student_id="f", participation="ABSENT"),
    ]
    return con_factory(students, assessments)


def test_school_all_students(school):
    _, perf = run(school)
    row = perf.loc[("school", "S1", "ELA", "ALL", "all")]
    assert row.n_enrolled == 5 and row.n_tested == 4 and row.n_fay_tested == 3
    assert row.participation_rate == pytest.approx(80.0)
    # accountable: a (L1), b (L3), d (L2) -> 1 of 3 proficient; c is not FAY
    assert row.pct_proficient == pytest.approx(100 / 3)
    assert row.mean_scale_score == pytest.approx((212 + 244 + 224) / 3)


def test_composite_groups_count_each_student_once(school):
    _, perf = run(school)
    assert perf.loc[("school", "S1", "ELA", "ALL", "high_needs")].n_enrolled == 3  # a, b, f
    assert perf.loc[("school", "S1", "ELA", "ALL", "super_subgroup")].n_enrolled == 3  # a, b, f
    assert perf.loc[("school", "S1", "ELA", "ALL", "non_high_needs")].n_enrolled == 2  # c, d
    assert perf.loc[("school", "S1", "ELA", "ALL", "low_income")].n_fay_tested == 2


def test_district_and_state_aggregate_every_school(school):
    _, perf = run(school)
    for key in (("district", "D1"), ("state", "STATE")):
        row = perf.loc[(*key, "ELA", "ALL", "all")]
        assert row.n_enrolled == 6 and row.n_fay_tested == 4
        assert row.pct_proficient == pytest.approx(50.0)  # b and e of a, b, d, e
    assert perf.loc[("district", "D1", "ELA", "5", "all")].n_fay_tested == 1
    assert perf.loc[("school", "S2", "ELA", "ALL", "all")].pct_proficient == 100


def test_sublevels_from_column_then_cut(school):
    counts, _ = run(school)
    row = counts.set_index(["entity_id", "grade", "group"]).loc[("S1", "ALL", "all")]
    assert row.n_l1_high == 1 and row.n_l1_low == 0  # 212 >= 210
    assert row.n_l2_high == 1  # explicit HIGH
    levels = level_counts_table(counts, n_levels=4)
    s1 = levels[(levels.entity_id == "S1") & (levels.grade == "ALL") & (levels.group == "all")]
    assert s1["n"].tolist() == [1, 1, 1, 0]


def test_small_rows_flagged_suppressed(school):
    _, perf = run(school)
    assert perf.loc[("school", "S2", "ELA", "ALL", "all")].suppressed  # n 1 < 2
    assert not perf.loc[("school", "S1", "ELA", "ALL", "all")].suppressed


@pytest.mark.parametrize(("score", "high"), [(210, True), (209, False)])
def test_a_scale_score_exactly_at_the_sublevel_cut_is_the_high_half(con_factory, score, high):
    # The cut of level 1 is 210: a score of 210 is in the HIGH half, 209 in the LOW half.
    con = con_factory(
        [dict(student_id="a")], [dict(student_id="a", achievement_level=1, scale_score=score)]
    )
    counts, _ = run(con)
    row = counts.set_index(["entity_id", "grade", "group"]).loc[("S1", "ALL", "all")]
    assert (row.n_l1_high, row.n_l1_low) == ((1, 0) if high else (0, 1))
