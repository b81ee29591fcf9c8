"""kit.workshop.check: right / not yet, hints for known mistakes, never a traceback; and
the checkpoints agree with the facts."""

import math

import pytest

import kit.workshop as ws


@pytest.fixture
def lesson(facts_path, schools):
    return ws.start(facts_path, schools[0], quiet=True)


def test_every_solution_is_right_and_blank_is_not_yet(lesson):
    for qid in ws.QUESTIONS:
        assert ws.check(qid, ws.solution(qid, lesson), lesson=lesson).status == ws.RIGHT, qid
        blank = ws.check(qid, None, lesson=lesson)
        assert blank.status == ws.NOT_YET and "None" in blank.message


def test_preset_is_used_only_when_the_learner_typed_nothing(lesson):
    right = ws.solution("1A.min_n", lesson)
    assert ws.check("1A.min_n", None, preset=right, lesson=lesson).ok
    assert not ws.check("1A.min_n", right + 1, preset=right, lesson=lesson).ok


@pytest.mark.parametrize("value", ["twelve", [1, 2], {"a": 1}, object(), math.nan, True, "", "   "])
def test_a_wrong_type_is_not_yet_with_a_sentence_never_an_error(lesson, value):
    for qid in ws.QUESTIONS:
        r = ws.check(qid, value, lesson=lesson)
        assert r.status == ws.NOT_YET and r.message


def test_answers_are_read_as_people_type_them(lesson):
    pct = ws.solution("0B.pct_all", lesson)
    assert ws.check("0B.pct_all", f"{pct}%", lesson=lesson).ok
    assert ws.check("0B.pct_all", round(pct), lesson=lesson).ok  # a whole number is fine
    group = ws.solution("0B.lowest_group", lesson)
    assert ws.check("0B.lowest_group", group.upper(), lesson=lesson).ok
    assert ws.check("0B.lowest_group", f"  {group.lower()} ", lesson=lesson).ok


def test_the_suppressed_group_hint_names_no_figure(lesson, facts):
    hint = ws.mistakes("0B.lowest_group", lesson).get("suppressed_group")
    assert hint is not None  # the demo school has hidden groups
    r = ws.check("0B.lowest_group", hint, lesson=lesson)
    assert r.mistake == "suppressed_group"
    digits = [t for t in r.message.replace(".", " ").split() if t.isdigit()]
    assert digits == [str(lesson.ctx.reporting_min_n)]  # only the minimum n, no result


def test_the_four_named_misconceptions_have_hints():
    found = {m.id for q in ws.QUESTIONS.values() for m in q.mistakes}
    assert {"sorted_by_n", "suppressed_group", "wrong_year", "students_vs_points"} <= found


def test_check_before_start_and_unknown_question_are_not_yet(monkeypatch):
    from kit.workshop import lesson as lesson_mod

    monkeypatch.setattr(lesson_mod, "_CURRENT", {})
    assert "first cells" in ws.check("0B.pct_all", 1).message
    assert ws.check("no.such", 1).status == ws.NOT_YET


def test_checkpoints_agree_with_the_facts(lesson):
    for cid in ws.CHECKPOINTS:
        r = ws.checkpoint(cid, lesson=lesson)
        assert r.ok, (cid, r.message)
        assert "You should see" in r.message


def test_a_changed_step_is_flagged(lesson):
    files = ws.inventory(lesson)
    files["Rows read"] = 1
    r = ws.checkpoint("00.files", files, lesson=lesson)
    assert not r.ok and "changed" in r.message


def test_result_shows_as_markdown_with_machine_readable_metadata(lesson):
    data, meta = ws.check("1A.min_n", None, lesson=lesson)._repr_mimebundle_()
    assert data["text/markdown"].startswith("🔁 **Not yet.**")
    assert meta["kit_workshop"] == {
        "kind": "check",
        "id": "1A.min_n",
        "status": "not yet",
        "mistake": None,
    }


def test_what_if_moves_every_model_and_offers_only_shown_groups(lesson):
    frame = ws.what_if(lesson, moves=[0, 5])
    assert list(frame["moved"]) == [0, 5]
    models = [c for c in frame.columns if c not in ("moved", "pct_proficient", "ayp_status")]
    assert len(models) >= 3
    assert all(frame[m].iloc[1] > frame[m].iloc[0] for m in models)
    hidden = ws.groups(lesson)
    hidden = hidden[hidden["suppressed"].astype(bool)]["group"]
    for group in hidden:
        assert ws.what_if(lesson, group=group).empty
