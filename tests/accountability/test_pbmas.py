"""Texas PBMAS: golden cases G11-G15 of STATES.md section 6, decimal-exact banding at
10.0 / 10.1 / 20.0 / 20.1 in both directions, minimum size and aggregation, ND for absent
data, staging, and properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.accountability._exact import rate_tenths
from kit.accountability.pbmas import (
    Bands,
    assign_level,
    bands_for,
    generated_bounds,
    pbmas_stages,
    pbmas_tables,
    ri_met,
)
from kit.errors import DataError
from kit.frameworks._schema_common import to_tenths
from kit.frameworks.schema_pbmas import Msr, StageTable

MSR = Msr(count="denominator", min=30, years=2)


def higher(cut: float, widths=(10.0, 20.0)) -> Bands:
    return Bands(
        "higher", generated_bounds(to_tenths(cut), [to_tenths(w) for w in widths], "higher")
    )


def lower(cut: float, widths=(10.0, 20.0)) -> Bands:
    return Bands("lower", generated_bounds(to_tenths(cut), [to_tenths(w) for w in widths], "lower"))


def pl_of(num: int, den: int, bands: Bands, **kw) -> str:
    return assign_level({2024: (num, den, None, None)}, 2024, bands, msr=kw.pop("msr", MSR), **kw)[
        "performance_level"
    ]


def indicator(rules, area: str, number: int):
    return next(i for i in rules.indicators if i.program_area == area and i.number == number)


# --- exact rates -----------------------------------------------------------------------------------


def test_rates_are_rounded_half_up_in_integer_tenths():
    assert rate_tenths(105, 146) == 719  # 71.917808... -> 71.9 (EXT 13)
    assert rate_tenths(20, 30) == 667  # 66.666... -> 66.7
    assert rate_tenths(1439, 2000) == 720  # 71.95 -> 72.0 (half up)
    assert rate_tenths(1, 16) == 63  # 6.25 -> 6.3
    assert rate_tenths(1, 16, "half_even") == 62
    assert rate_tenths(599, 1000) == 599  # no 59.900000000000006
    assert to_tenths(10.1) == 101 and to_tenths("20.0") == 200  # not 100.99999999999999
    with pytest.raises(ValueError, match="more than one decimal"):
        to_tenths(70.05)


def test_generated_bands_match_s003():
    assert generated_bounds(700, [100, 200], "higher") == (
        (700, None),
        (600, 699),
        (500, 599),
        (None, 499),
    )
    assert generated_bounds(100, [100, 200], "lower") == (
        (None, 100),
        (101, 200),
        (201, 300),
        (301, None),
    )
    assert higher(70).range_text() == "70.0 - 100"


# --- G11 bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cut", "tenths", "expected"),
    [
        (65.0, 650, "0"),
        (65.0, 600, "1"),
        (65.0, 550, "1"),
        (65.0, 549, "2"),
        (65.0, 450, "2"),
        (65.0, 449, "3"),
        (70.0, 600, "1"),
        (70.0, 599, "2"),
    ],
)
def test_g11_bands_10_and_20_points(cut, tenths, expected):
    assert pl_of(tenths, 1000, higher(cut)) == expected  # tenths / 1000 = the rate exactly


# --- boundaries in both directions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenths", "expected"),
    [(700, "0"), (699, "1"), (600, "1"), (599, "2"), (500, "2"), (499, "3"), (0, "3")],
)
def test_higher_is_better_exactly_at_10_0_10_1_20_0_20_1(tenths, expected):
    assert pl_of(tenths, 1000, higher(70.0)) == expected


@pytest.mark.parametrize(
    ("tenths", "expected"),
    [(100, "0"), (101, "1"), (200, "1"), (201, "2"), (300, "2"), (301, "3"), (1000, "3")],
)
def test_lower_is_better_exactly_at_10_0_10_1_20_0_20_1(tenths, expected):
    assert pl_of(tenths, 1000, lower(10.0)) == expected


def test_distance_to_the_next_level():
    assert higher(70.0).to_next_level(599) == 1  # 59.9 (PL 2) -> 60.0 (PL 1)
    assert higher(70.0).to_next_level(650) == 50  # 65.0 (PL 1) -> 70.0 (PL 0)
    assert higher(70.0).to_next_level(700) is None
    assert lower(10.0).to_next_level(201) == 1  # 20.1 (PL 2) -> 20.0 (PL 1)
    res = assign_level({2024: (50, 97, None, None)}, 2024, higher(65.0), msr=MSR)
    assert (res["performance_level"], res["to_next_level"]) == ("2", 3.5)  # 51.5 -> 55.0


def test_boundary_from_counts_not_floats():
    # 100 x 599 / 1000 is 59.900000000000006 in binary floating point; 60.0 - 59.9 is 10.1.
    assert pl_of(599, 1000, higher(70.0)) == "2"
    assert pl_of(600, 1000, higher(70.0)) == "1"  # 60.0 exactly: 10.0 below
    assert pl_of(2999, 5000, higher(70.0)) == "1"  # 59.98 prints 60.0 (half up) -> PL 1


# --- G12 TEA's 2017 worked examples ----------------------------------------------------------------


def test_g12_worked_examples():
    res = assign_level({2024: (105, 146, None, None)}, 2024, higher(70.0), msr=MSR)
    assert res["rate"] == pytest.approx(71.917808219)
    assert (res["rate_rounded"], res["performance_level"]) == (71.9, "0")
    res = assign_level({2024: (7, 10, None, None)}, 2024, higher(70.0), msr=MSR)
    assert (res["rate_rounded"], res["performance_level"], res["msr_met"]) == (70.0, "0", False)
    series = {2023: (5, 10, None, None), 2024: (6, 13, None, None)}  # 13 + 10 = 23 < 30
    res = assign_level(series, 2024, higher(70.0), msr=MSR, sa=False)
    assert res["performance_level"] == "NA" and res["years_aggregated"] == 2
    assert res["denominator_used"] == 23 and "no special analysis" in res["reason"]
    res = assign_level(series, 2024, higher(70.0), msr=MSR, sa=True, pjsa=True)
    assert res["performance_level"] == "NA" and "SA/PJSA" in res["reason"]


# --- G13 TEA's 2024 reports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("num", "den", "cut", "rate", "expected"),
    [
        # College Station ISD (EXT 17)
        (50, 97, 65.0, 51.5, "2"),
        (49, 77, 65.0, 63.6, "1"),
        (36, 67, 65.0, 53.7, "2"),
        (67, 132, 70.0, 50.8, "2"),
        (26, 39, 65.0, 66.7, "0"),
        (5, 18, 65.0, 27.8, "NA"),
        (6, 10, 65.0, 60.0, "NA"),
        # Frisco ISD (EXT 18)
        (151, 217, 70.0, 69.6, "1"),
        (151, 218, 70.0, 69.3, "1"),
        (20, 61, 65.0, 32.8, "3"),
        (128, 206, 65.0, 62.1, "1"),
        (37, 63, 65.0, 58.7, "1"),
    ],
)
def test_g13_real_2024_reports(num, den, cut, rate, expected):
    res = assign_level({2024: (num, den, None, None)}, 2024, higher(cut), msr=MSR)
    assert res["rate_rounded"] == rate
    if expected == "NA":  # TEA's NA needs prior-year data not shown: n < 30, below PL 0
        assert den < 30 and res["rate_rounded"] < cut and res["pl"] is None
        assert res["performance_level"] == "NA"
    else:
        assert res["performance_level"] == expected


# --- G14 lower-is-better ranges (EXT 16) ---------------------------------------------------------


def test_g14_shipped_representation_ranges(pbmas_rules):
    ind = indicator(pbmas_rules, "SPED", 12)
    bands = bands_for(ind, "ALL", 2013, pbmas_rules)
    assert bands.range_text() == "0.0 - 8.5" and bands.direction == "lower"
    msr = ind.msr
    assert (msr.count, msr.min, msr.years) == ("numerator", 30, 3)
    for tenths, expected in ((85, "0"), (86, "1"), (110, "1"), (111, "2"), (150, "2"), (151, "3")):
        assert pl_of(tenths * 10, 10000, bands, msr=msr) == expected, tenths
    # 12.0 % with numerator 29: MSR not met -> aggregate (no earlier years) -> NA.
    assert pl_of(29, 241, bands, msr=msr) == "NA"
    assert pl_of(30, 250, bands, msr=msr) == "2"  # numerator 30: MSR met
    assert pl_of(5, 100, bands, msr=msr) == "0"  # 5.0 <= 8.5: PL 0 whatever the numerator
    # Up to three years are summed: 29 + 12 + 10 = 51 of 425 -> 12.0 -> PL 2 SA.
    series = {2011: (10, 84, None, None), 2012: (12, 100, None, None), 2013: (29, 241, None, None)}
    res = assign_level(series, 2013, bands, msr=msr, marker="SA")
    assert (res["performance_level"], res["years_aggregated"]) == ("2 SA", 2)
    series = {2011: (10, 84, None, None), 2012: (0, 10, None, None), 2013: (29, 241, None, None)}
    res = assign_level(series, 2013, bands, msr=msr, marker="SA")
    assert (res["performance_level"], res["years_aggregated"], res["numerator_used"]) == (
        "2 SA",
        3,
        39,
    )


# --- G15 ND, SA aggregation, RI, staging ------------------------------------------------------


def test_g15a_no_students_is_nd():
    assert pl_of(0, 0, higher(70.0)) == "ND"
    assert assign_level({}, 2024, higher(70.0), msr=MSR)["performance_level"] == "ND"


def test_g15b_two_year_aggregation_labelled_sa():
    series = {2004: (11, 16, None, None), 2005: (9, 14, None, None)}  # 20 of 30
    res = assign_level(series, 2005, higher(70.0), msr=MSR, marker="SA")
    assert res["rate_used"] == 66.7 and res["performance_level"] == "1 SA"
    res = assign_level(series, 2005, higher(70.0), msr=MSR, marker=None)  # 2017 usage
    assert res["performance_level"] == "1" and res["years_aggregated"] == 2


@pytest.mark.parametrize(("current", "expected"), [(600, "0 RI"), (599, "2")])
def test_g15c_required_improvement(current, expected):
    series = {2023: (500, 1000, None, None), 2024: (current, 1000, None, None)}
    res = assign_level(series, 2024, higher(70.0), msr=MSR, ri=True)
    assert res["performance_level"] == expected
    assert ri_met(600, 500, 700, "higher") and not ri_met(599, 500, 700, "higher")
    # Lower is better: prior 25.0, cut 10.0 -> a fall of 7.5 is required.
    assert ri_met(175, 250, 100, "lower") and not ri_met(176, 250, 100, "lower")


def test_ri_needs_the_indicator_and_msr_in_both_years():
    series = {2023: (500, 1000, None, None), 2024: (600, 1000, None, None)}
    assert assign_level(series, 2024, higher(70.0), msr=MSR)["performance_level"] == "1"
    series = {2023: (10, 20, None, None), 2024: (600, 1000, None, None)}
    assert assign_level(series, 2024, higher(70.0), msr=MSR, ri=True)["performance_level"] == "1"


def longview_2013_be_esl() -> pd.DataFrame:
    """S003: Longview ISD 2013 BE/ESL PLs (the sub-parts it names; the rest PL 0)."""
    pls = {
        (1, "READING"): 1,
        (1, "SCIENCE"): 3,
        (1, "WRITING"): 2,
        (2, "MATH"): 2,
        (2, "READING"): 2,
        (2, "SCIENCE"): 2,
        (2, "WRITING"): 3,
        (3, "MATH"): 1,
        (3, "READING"): 2,
        (3, "WRITING"): 2,
        (4, "SCIENCE"): 1,
        (4, "WRITING"): 2,
        (8, None): 1,
        (9, None): 1,
    }
    rows = []
    for number in range(1, 10):
        subjects = (
            ["MATH", "READING", "SCIENCE", "SOCIAL_STUDIES", "WRITING"] if number <= 4 else [None]
        )
        for s in subjects:
            pl = pls.get((number, s), 0)
            rows.append(
                {
                    "year": 2013,
                    "entity_id": "092906",
                    "program_area": "BE_ESL",
                    "indicator": f"BE/ESL #{number}",
                    "subject": s,
                    "pl": pl,
                    "performance_level": str(pl),
                    "report_only": number in (8, 9),
                }
            )
    out = pd.DataFrame(rows)
    out["pl"] = out["pl"].astype("Int64")
    return out


def test_g15d_longview_staging_counts(pbmas_rules):
    levels = longview_2013_be_esl()
    s = pbmas_stages(levels, pbmas_rules).iloc[0]
    assert (s["n_pl3"], s["n_pl2"], s["n_pl1"]) == (2, 7, 3)  # Report Only #8, #9 left out
    assert s["stage"] is None and "no staging table" in s["reason"]  # the 2015-16 table is later
    incl = pbmas_rules.model_copy(
        update={"staging": pbmas_rules.staging.model_copy(update={"exclude_report_only": False})}
    )
    s = pbmas_stages(levels, incl).iloc[0]
    assert (s["n_pl3"], s["n_pl2"], s["n_pl1"]) == (2, 7, 5)
    # The partial 2015-16 table (EXT 19) read in 2013 would not give TEA's Stage 1 (7 PL 2s >
    # 6): stage tables are year- and criteria-dependent.
    shipped = pbmas_rules.staging.tables[0]
    later = pbmas_rules.model_copy(
        update={
            "staging": pbmas_rules.staging.model_copy(
                update={"tables": [shipped.model_copy(update={"from_year": 0})]}
            )
        }
    )
    assert pbmas_stages(levels, later).iloc[0]["stage"] == "Not Staged"
    # A user's own 2013 table that reproduces TEA's Stage 1.
    mine = StageTable(
        program_area="BE_ESL", from_year=2013, rules=[{"stage": "1", "pl3": [1, 2], "pl2": [0, 9]}]
    )
    user = pbmas_rules.model_copy(
        update={"staging": pbmas_rules.staging.model_copy(update={"tables": [mine]})}
    )
    s = pbmas_stages(levels, user).iloc[0]
    assert (s["stage"], s["rule_from_year"], s["verified"]) == ("1", 2013, True)


# --- the whole table: ND for absent data, never a crash -------------------------------------


def tiny_tables():
    students, assessments = [], []
    for year in (2023, 2024):
        for i in range(40):
            sid = f"s{i}"
            students.append(
                {
                    "year": year,
                    "student_id": sid,
                    "district_id": "D1",
                    "school_id": "S1",
                    "grade": 4,
                    "race_ethnicity": "HI",
                    "low_income": True,
                    "ell": i < 20,
                    "swd": i >= 36,
                    "fay": True,
                    "lep_program": "BE" if i < 20 else None,
                }
            )
            assessments.append(
                {
                    "year": year,
                    "student_id": sid,
                    "subject": "MATH",
                    "grade": 4,
                    "participation": "TESTED",
                    "test_type": "GENERAL",
                    "achievement_level": 2 if i % 3 else 1,
                }
            )
    return {"students": pd.DataFrame(students), "assessments": pd.DataFrame(assessments)}


def test_pbmas_table_with_absent_data_is_nd_with_reasons(pbmas_rules):
    res = pbmas_tables(tiny_tables(), pbmas_rules)
    p = res.pbmas[res.pbmas["year"] == 2024].set_index(["indicator", "subject"])
    be_math = p.loc[("BE/ESL #1", "MATH")]
    # 20 BE students, 13 pass (i % 3 != 0) -> 65.0 this year, MSR 30 met over two years.
    assert (be_math["numerator"], be_math["denominator"], be_math["rate_rounded"]) == (13, 20, 65.0)
    assert be_math["performance_level"] == "1 SA" and be_math["years_aggregated"] == 2
    assert p.loc[("BE/ESL #1", "WRITING"), "performance_level"] == "ND"
    assert p.loc[("BE/ESL #1", "WRITING"), "reason"] == "no WRITING assessments in the data"
    assert pd.isna(p.loc[("BE/ESL #1", "WRITING"), "denominator"])
    telpas = res.pbmas[(res.pbmas["indicator"] == "BE/ESL #8") & (res.pbmas["year"] == 2024)]
    assert telpas["performance_level"].tolist() == ["ND"]
    assert telpas["reason"].tolist() == ["no elp_assessments table in the data"]
    assert telpas["report_only"].tolist() == [True]
    assert p.loc[("BE/ESL #4", "MATH"), "reason"].startswith("students has no ell_exit_year")
    assert set(res.pbmas["entity_type"]) == {"district"}
    nd = res.pbmas[res.pbmas["performance_level"] == "ND"]
    assert (nd["denominator"].fillna(0) == 0).all()
    stage = res.stages[(res.stages["year"] == 2024) & (res.stages["program_area"] == "BE_ESL")]
    assert stage["stage"].tolist() == ["Not Staged"]  # one PL 1: no rule of the 2015-16 table


def test_only_students_still_gives_a_full_table(pbmas_rules):
    tables = {"students": tiny_tables()["students"]}
    res = pbmas_tables(tables, pbmas_rules)
    assert len(res.pbmas) == 2 * sum(len(i.subjects or [None]) for i in pbmas_rules.indicators)
    sped12 = res.pbmas[(res.pbmas["indicator"] == "SPED #12") & (res.pbmas["year"] == 2024)].iloc[0]
    assert (sped12["numerator"], sped12["denominator"], sped12["rate_rounded"]) == (4, 40, 10.0)
    assert sped12["performance_level"] == "NA"  # numerator 4 (< 30 even over two years)


def test_graduation_cohort_keeps_students_who_left(pbmas_rules):
    """SPED #11: 40 SPED students in the cohort due 2024; 10 left before 2024 (not in that
    year's students) and did not graduate. They stay in the denominator: 30 / 40 = 75.0."""
    tables = tiny_tables()
    grad = pd.DataFrame(
        [
            {
                "cohort_year": 2024,
                "student_id": f"g{i}",
                "district_id": "D1",
                "school_id": "S1",
                "swd": True,
                "graduated_4yr": i < 30,
                "graduated_5yr": i < 30,
            }
            for i in range(40)
        ]
    )
    earlier = pd.DataFrame(
        [
            {
                **tables["students"].iloc[0].to_dict(),
                "year": 2023,
                "student_id": f"g{i}",
                "title1": True,
            }
            for i in range(30, 40)
        ]
    )
    tables = {
        **tables,
        "graduation": grad,
        "students": pd.concat([tables["students"], earlier], ignore_index=True),
    }
    res = pbmas_tables(tables, pbmas_rules, years=[2024]).pbmas.set_index("indicator")
    sped11 = res.loc["SPED #11"]
    assert (sped11["numerator"], sped11["denominator"], sped11["performance_level"]) == (
        30,
        40,
        "0",
    )
    nclb4 = res.loc["NCLB #4"]  # title1 from the leavers' latest students row (2023)
    assert (nclb4["numerator"], nclb4["denominator"]) == (0, 10)
    with pytest.raises(DataError):
        pbmas_tables({"assessments": tables["assessments"]}, pbmas_rules)


# --- properties -----------------------------------------------------------------------------------

cuts = st.integers(100, 900)
tenths = st.integers(0, 1000)


@given(cuts, tenths, tenths)
def test_pl_never_improves_as_the_rate_worsens(cut, a, b):
    lo, hi = min(a, b), max(a, b)
    up = Bands("higher", generated_bounds(cut, [100, 200], "higher"))
    down = Bands("lower", generated_bounds(cut, [100, 200], "lower"))
    assert up.level(lo) >= up.level(hi)  # higher is better: a lower rate, a PL as high or higher
    assert down.level(hi) >= down.level(lo)


@given(cuts, st.integers(1, 500), st.integers(1, 500))
def test_pl_0_never_depends_on_n(cut, den, scale):
    bands = Bands("higher", generated_bounds(cut, [100, 200], "higher"))
    num = den  # 100 %: always in the PL 0 range
    for d in (den, den * scale):
        assert pl_of(num * d // den, d, bands) == "0"


@given(st.integers(0, 200), st.integers(0, 200), st.booleans())
def test_nd_only_when_the_denominator_is_0(num, den, msr_numerator):
    num = min(num, den)
    msr = Msr(count="numerator" if msr_numerator else "denominator", min=30, years=2)
    label = pl_of(num, den, higher(70.0), msr=msr)
    assert (label == "ND") == (den == 0)
