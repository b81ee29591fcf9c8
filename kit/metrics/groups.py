"""Student groups of CONTRACT.md section 2.

Each group is a predicate over one student row (the students table's flags and codes), so
membership is computed once, in SQL, for every row of the build. A student belongs to many
groups; ``high_needs`` and ``super_subgroup`` count each student once by construction,
because they are one predicate over the row rather than a sum of groups.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    kind: str  # all | program | race | gender | composite | complement
    sql: str  # predicate over the build's base row
    noun: str  # how a sentence names the group's students
    complement: str | None = None  # id of the group this one is the complement of

    def to_dict(self) -> dict:
        return asdict(self)


_HIGH_NEEDS = "(low_income OR ell OR former_ell OR swd)"

RACE_LABELS = {
    "AI": "American Indian or Alaska Native",
    "AS": "Asian",
    "BL": "Black or African American",
    "HI": "Hispanic or Latino",
    "MR": "Multi-race",
    "PI": "Native Hawaiian or Pacific Islander",
    "WH": "White",
}

GROUPS: tuple[Group, ...] = (
    Group("all", "All students", "all", "TRUE", "all students"),
    Group("low_income", "Low income", "program", "low_income", "low-income students"),
    Group("ell", "English learners", "program", "ell", "English learners"),
    Group(
        "former_ell", "Former English learners", "program", "former_ell", "former English learners"
    ),
    # Ever English learners = current + former (CONTRACT.md section 2; states publish it).
    Group(
        "ever_ell",
        "Ever English learners",
        "composite",
        "(ell OR former_ell)",
        "current and former English learners",
    ),
    Group("swd", "Students with disabilities", "program", "swd", "students with disabilities"),
    # Massachusetts high needs: low income OR ELL / former ELL OR SWD (DOMAIN.md, Subgroups).
    Group("high_needs", "High needs", "composite", _HIGH_NEEDS, "high-needs students"),
    # Missouri super subgroup: Black OR Hispanic OR low income OR ELL OR SWD, each once.
    Group(
        "super_subgroup",
        "Super subgroup",
        "composite",
        "(race_ethnicity IN ('BL', 'HI') OR low_income OR ell OR swd)",
        "the super subgroup",
    ),
    *(
        Group(f"race_{c}", label, "race", f"race_ethnicity = '{c}'", f"{label} students")
        for c, label in RACE_LABELS.items()
    ),
    Group("gender_F", "Female", "gender", "gender = 'F'", "female students"),
    Group("gender_M", "Male", "gender", "gender = 'M'", "male students"),
    # Not in CONTRACT.md's list, but needed so that F + M + X = all cannot reveal a small X.
    Group("gender_X", "Non-binary", "gender", "gender = 'X'", "non-binary students"),
    Group("migrant", "Migrant", "program", "migrant", "migrant students"),
    Group("title1", "Title I", "program", "title1", "Title I students"),
    Group(
        "non_low_income",
        "Not low income",
        "complement",
        "NOT low_income",
        "students not from low-income families",
        "low_income",
    ),
    Group(
        "non_ell",
        "Not English learners",
        "complement",
        "NOT ell",
        "students who are not English learners",
        "ell",
    ),
    Group(
        "non_swd",
        "Students without disabilities",
        "complement",
        "NOT swd",
        "students without disabilities",
        "swd",
    ),
    Group(
        "non_high_needs",
        "Not high needs",
        "complement",
        f"NOT {_HIGH_NEEDS}",
        "students not in the high-needs group",
        "high_needs",
    ),
)

# Groups that split all students into disjoint parts: one hidden part could be recovered as
# all minus the others, so suppression hides at least two parts of each.
PARTITIONS: tuple[tuple[str, ...], ...] = (
    tuple(f"race_{c}" for c in RACE_LABELS),
    ("gender_F", "gender_M", "gender_X"),
)

GROUP_IDS: tuple[str, ...] = tuple(g.id for g in GROUPS)
GROUP_LABELS: dict[str, str] = {g.id: g.label for g in GROUPS}


def group_membership_sql() -> str:
    """A DuckDB list expression: the ids of every group the row belongs to."""
    cases = ", ".join(f"CASE WHEN coalesce({g.sql}, FALSE) THEN '{g.id}' END" for g in GROUPS)
    return f"list_filter([{cases}], lambda x: x IS NOT NULL)"


def groups_frame() -> pd.DataFrame:
    """The groups as a table (for the facts store and for notebooks)."""
    return pd.DataFrame(
        [
            {
                "group": g.id,
                "label": g.label,
                "noun": g.noun,
                "kind": g.kind,
                "complement_of": g.complement,
                "order": i,
            }
            for i, g in enumerate(GROUPS)
        ]
    )
