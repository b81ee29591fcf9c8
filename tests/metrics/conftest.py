import duckdb
import pandas as pd
import pytest

STUDENT_DEFAULTS = dict(
    year=2024,
    district_id="D1",
    school_id="S1",
    district_name="District One",
    school_name="School One",
    grade=4,
    race_ethnicity="WH",
    gender="F",
    low_income=False,
    ell=False,
    former_ell=False,
    swd=False,
    migrant=False,
    homeless=False,
    title1=False,
    fay=True,
)


def make_con(students: list[dict], assessments: list[dict]) -> duckdb.DuckDBPyConnection:
    """A connection holding students and assessments tables built from partial rows."""
    st = pd.DataFrame([{**STUDENT_DEFAULTS, **s} for s in students])
    rows = []
    for a in assessments:
        s = st[st.student_id == a["student_id"]].iloc[0]
        rows.append(
            {
                "year": s.year,
                "school_id": s.school_id,
                "grade": s.grade,
                "subject": "ELA",
                "participation": "TESTED",
                "test_type": "GENERAL",
                "scale_score": None,
                "achievement_level": None,
                "achievement_sublevel": None,
                **a,
            }
        )
    con = duckdb.connect()
    con.register("_s", st)
    con.execute("CREATE TABLE students AS SELECT * FROM _s")
    con.register("_a", pd.DataFrame(rows))
    con.execute("CREATE TABLE assessments AS SELECT * FROM _a")
    return con


@pytest.fixture
def con_factory():
    return make_con
