"""The input tables of CONTRACT.md section 1, as data.

One place names every table, column, type and code so that the reader, the validator and
the demo-data generator agree. Types are DuckDB type names: validated tables are held in
DuckDB with exactly these types (booleans as BOOLEAN, codes upper-case).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type: VARCHAR, INTEGER, DOUBLE, BOOLEAN
    required: bool = True
    codes: tuple[str, ...] | None = None  # allowed upper-case codes, if a code column
    nullable: bool = False  # may a present column hold empty values
    default: object = None  # value used when an optional column is absent (or empty)


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default_factory=tuple)  # unique per accepted row

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


RACE_CODES = ("AI", "AS", "BL", "HI", "MR", "PI", "WH")
GENDER_CODES = ("F", "M", "X")
PARTICIPATION_CODES = ("TESTED", "ABSENT", "REFUSED", "MEDICAL", "EXEMPT")
# MODIFIED: Texas STAAR-Modified (to 2014), read by PBMAS SPED #4.
TEST_TYPES = ("GENERAL", "ALTERNATE", "MODIFIED")
ITEM_TYPES = ("MC", "SR", "OR")
MC_OPTIONS = ("A", "B", "C", "D")
SUBLEVELS = ("LOW", "HIGH")
# Codes of the optional inputs of MSIP 5 and PBMAS (docs/data.md, STATES.md section 4).
LEP_PROGRAMS = ("BE", "ESL", "NONE")  # NONE: an English learner not served (parental denial)
INSTRUCTIONAL_SETTINGS = (
    "EC_REGULAR",
    "EC_SEPARATE",
    "REGULAR_80",
    "REGULAR_40_79",
    "REGULAR_LT40",
    "SEPARATE_SCHOOL",
    "RESIDENTIAL",
    "HOME_HOSPITAL",
    "SPEECH_ONLY",
)
RESIDENCY_CODES = (
    "RESIDENT_I",
    "NON_RESIDENT",
    "DESEG_IN",
    "FEDERAL_LANDS",
    "PARENT_TUITION",
    "OTHER",
)
DIPLOMA_PROGRAMS = ("MHSP", "RHSP", "DAP", "FHSP", "FHSP_E", "FHSP_DLA")
TELPAS_LEVELS = ("BEGINNING", "INTERMEDIATE", "ADVANCED", "ADVANCED_HIGH")
DISCIPLINE_ACTIONS = ("DAEP", "ISS", "OSS", "EXPULSION")
ENTITY_TYPES = ("DISTRICT", "SCHOOL")
GROWTH_SIGNIFICANCE = ("ABOVE", "NOT_DIFFERENT", "BELOW")
GROWTH_LEVELS = ("EXCEEDING", "ON_TRACK", "APPROACHING", "FLOOR")
# Student group ids of CONTRACT.md section 2, in report order; kit.metrics.groups defines how
# each is computed from a student row (a test checks the two agree).
GROUP_IDS = (
    "all",
    "low_income",
    "ell",
    "former_ell",
    "ever_ell",
    "swd",
    "high_needs",
    "super_subgroup",
    "race_AI",
    "race_AS",
    "race_BL",
    "race_HI",
    "race_MR",
    "race_PI",
    "race_WH",
    "gender_F",
    "gender_M",
    "gender_X",
    "migrant",
    "title1",
    "non_low_income",
    "non_ell",
    "non_swd",
    "non_high_needs",
)

_S, _I, _F, _B = "VARCHAR", "INTEGER", "DOUBLE", "BOOLEAN"

STUDENTS = Table(
    "students",
    required=True,
    key=("year", "student_id"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("district_id", _S),
        Column("school_id", _S),
        Column("district_name", _S, required=False, nullable=True),
        Column("school_name", _S, required=False, nullable=True),
        Column("grade", _I),
        Column("race_ethnicity", _S, codes=RACE_CODES),
        Column("gender", _S, required=False, nullable=True, codes=GENDER_CODES),
        Column("low_income", _B),
        Column("ell", _B),
        Column("swd", _B),
        Column("former_ell", _B, required=False, default=False),
        Column("migrant", _B, required=False, default=False),
        Column("homeless", _B, required=False, default=False),
        Column("title1", _B, required=False, default=False),
        Column("fay", _B),
        Column("days_enrolled", _I, required=False, nullable=True),
        Column("days_attended", _I, required=False, nullable=True),
        # Optional inputs of MSIP 5 and PBMAS. No default: an absent column stays empty, and
        # the rule engines say "students has no <column> column" rather than guessing.
        Column("hours_enrolled", _F, required=False, nullable=True),
        Column("hours_attended", _F, required=False, nullable=True),
        Column("residency_code", _S, required=False, nullable=True, codes=RESIDENCY_CODES),
        Column("lep_program", _S, required=False, nullable=True, codes=LEP_PROGRAMS),
        Column("ell_exit_year", _I, required=False, nullable=True),
        Column("swd_exit_year", _I, required=False, nullable=True),
        Column("cte_participant", _B, required=False, nullable=True),
        Column("dropout", _B, required=False, nullable=True),
        Column("age", _I, required=False, nullable=True),
        Column(
            "instructional_setting",
            _S,
            required=False,
            nullable=True,
            codes=INSTRUCTIONAL_SETTINGS,
        ),
    ),
)

ASSESSMENTS = Table(
    "assessments",
    required=True,
    key=("year", "student_id", "subject"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("school_id", _S),
        Column("grade", _I),
        Column("subject", _S),
        Column("participation", _S, codes=PARTICIPATION_CODES),
        Column("test_type", _S, codes=TEST_TYPES),
        Column("scale_score", _F, nullable=True),
        Column("achievement_level", _I, nullable=True),
        Column("achievement_sublevel", _S, required=False, nullable=True, codes=SUBLEVELS),
    ),
)

ITEMS = Table(
    "items",
    required=False,
    key=("year", "subject", "grade", "item_id"),
    columns=(
        Column("year", _I),
        Column("subject", _S),
        Column("grade", _I),
        Column("item_id", _S),
        Column("item_type", _S, codes=ITEM_TYPES),
        Column("max_points", _I),
        Column("key", _S, nullable=True, codes=MC_OPTIONS),
        Column("standard", _S, nullable=True),
        Column("reporting_category", _S, nullable=True),
        Column("description", _S, required=False, nullable=True),
        Column("state_pct_correct", _F, required=False, nullable=True),
    ),
)

ITEM_RESPONSES = Table(
    "item_responses",
    required=False,
    key=("year", "student_id", "subject", "item_id"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("subject", _S),
        Column("grade", _I),
        Column("item_id", _S),
        Column("response", _S, nullable=True),
        Column("points", _I),
    ),
)

GRADUATION = Table(
    "graduation",
    required=False,
    key=("cohort_year", "student_id"),
    columns=(
        Column("cohort_year", _I),
        Column("student_id", _S),
        Column("district_id", _S),
        Column("school_id", _S),
        Column("race_ethnicity", _S, codes=RACE_CODES),
        Column("low_income", _B),
        Column("ell", _B),
        Column("swd", _B),
        Column("graduated_4yr", _B),
        Column("graduated_5yr", _B),
        Column("dropout", _B),
        Column("diploma_program", _S, required=False, nullable=True, codes=DIPLOMA_PROGRAMS),
        # Cohort flags for PBMAS; when absent, taken from the student's latest students row.
        Column("title1", _B, required=False, nullable=True),
        Column("migrant", _B, required=False, nullable=True),
        Column("cte_participant", _B, required=False, nullable=True),
    ),
)

CCR = Table(
    "ccr",
    required=False,
    key=("year", "student_id"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("district_id", _S),
        Column("school_id", _S),
        Column("took_ccr_assessment", _B),
        Column("met_ccr_standard", _B),
        Column("ccr_score", _F, nullable=True),
        Column("advanced_credit", _B),
        Column("postsecondary_placement", _B),
        Column("career_ed_completer", _B),
        Column("career_ed_placed", _B),
    ),
)

# --- optional tables of MSIP 5 and PBMAS (docs/data.md) ----------------------------------------

ATTENDANCE = Table(
    "attendance",
    required=False,
    key=("year", "student_id", "school_id"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("district_id", _S),
        Column("school_id", _S),
        Column("grade", _I),
        Column("hours_enrolled", _F),
        Column("hours_attended", _F),
        Column("residency_code", _S, required=False, nullable=True, codes=RESIDENCY_CODES),
    ),
)

ELP_ASSESSMENTS = Table(
    "elp_assessments",
    required=False,
    key=("year", "student_id"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("telpas_reading_level", _S, required=False, nullable=True, codes=TELPAS_LEVELS),
        Column("telpas_composite_level", _S, required=False, nullable=True, codes=TELPAS_LEVELS),
        Column("years_in_us_schools", _I, required=False, nullable=True),
    ),
)

DISCIPLINE = Table(
    "discipline",
    required=False,
    key=(),  # a student may have several actions of one kind in a year
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("action", _S, codes=DISCIPLINE_ACTIONS),
        Column("discretionary", _B),
        Column("incident_date", _S, required=False, nullable=True),
    ),
)

COURSES = Table(
    "courses",
    required=False,
    key=("year", "student_id", "course_code"),
    columns=(
        Column("year", _I),
        Column("student_id", _S),
        Column("course_code", _S),
        Column("completed", _B),
        Column("nontraditional_for", _S, nullable=True, codes=("M", "F")),
    ),
)

GROWTH = Table(
    "growth",
    required=False,
    key=("year", "entity_type", "entity_id", "subject", "group"),
    columns=(
        Column("year", _I),
        Column("entity_type", _S, codes=ENTITY_TYPES),
        Column("entity_id", _S),
        Column("subject", _S),
        # group ids are mixed case (race_BL); codes are compared upper-case and stored so
        Column("group", _S, codes=tuple(g.upper() for g in GROUP_IDS)),
        Column("estimate", _F, required=False, nullable=True),
        Column("std_error", _F, required=False, nullable=True),
        Column("significance", _S, required=False, nullable=True, codes=GROWTH_SIGNIFICANCE),
        Column("level", _S, required=False, nullable=True, codes=GROWTH_LEVELS),
        Column("n", _I, required=False, nullable=True),
        Column("source", _S, required=False, nullable=True),
    ),
)

# Validation order: a table is checked after the tables it refers to (students first).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        STUDENTS,
        ASSESSMENTS,
        ITEMS,
        ITEM_RESPONSES,
        GRADUATION,
        CCR,
        ATTENDANCE,
        ELP_ASSESSMENTS,
        DISCIPLINE,
        COURSES,
        GROWTH,
    )
}
GROUP_BY_CODE = {g.upper(): g for g in GROUP_IDS}  # growth.group as validated -> the group id
