"""Issue 11, item 2: parameters as analysts type them (papermill -p, YAML, kit render)."""

from __future__ import annotations

import pytest

from kit.errors import ParameterError
from kit.report.render import validate_params
from kit.views.context import report_context


@pytest.mark.parametrize(
    "given, expected",
    [
        ("ELA", ("ELA",)),
        ("ela", ("ELA",)),
        ("ELA,MATH", ("ELA", "MATH")),
        ("ELA, MATH", ("ELA", "MATH")),
        ('["ELA"]', ("ELA",)),
        ("['ELA', 'MATH']", ("ELA", "MATH")),
        (["MATH"], ("MATH",)),
        (("ELA", "MATH"), ("ELA", "MATH")),
        (None, ("ELA", "MATH")),
    ],
)
def test_subjects_as_a_string_a_comma_list_or_a_list(facts, given, expected):
    school = facts.schools()["entity_id"][0]
    ctx = report_context(facts, school, None, given)
    assert ctx.subjects[: len(expected)] == expected if given is None else ctx.subjects == expected


def test_subjects_of_another_kind_say_what_is_wanted(facts):
    school = facts.schools()["entity_id"][0]
    with pytest.raises(ParameterError, match=r'a list such as \["ELA", "MATH"\]'):
        report_context(facts, school, None, 3)


def test_unknown_year_names_the_years_there_are(facts):
    school = facts.schools()["entity_id"][0]
    with pytest.raises(ParameterError) as caught:
        report_context(facts, school, 2031)
    text = str(caught.value)
    assert "2031" in text and ", ".join(map(str, facts.years())) in text
    assert "Schools include: ." not in text


def test_report_params_accept_the_same_subject_forms():
    base = {"facts_path": "f.duckdb", "entity_id": "S"}
    assert validate_params({**base, "subjects": "ELA,MATH"}).subjects == ["ELA", "MATH"]
    assert validate_params({**base, "subjects": '["ELA"]'}).subjects == ["ELA"]
    assert validate_params({**base, "subjects": "ELA"}).subjects == ["ELA"]
