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
TEST_TYPES = ("GENERAL", "ALTERNATE")
ITEM_TYPES = ("MC", "SR", "OR")
MC_OPTIONS = ("A", "B", "C", "D")
SUBLEVELS = ("LOW", "HIGH")
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

TABLES: dict[str, Table] = {
    t.name: t for t in (STUDENTS, ASSESSMENTS, ITEMS, ITEM_RESPONSES, GRADUATION, CCR)
}
