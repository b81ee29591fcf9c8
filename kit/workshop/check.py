"""Check an exercise answer against the facts: ``right`` or ``not yet``, with a hint aimed at
the mistake when the answer is one a known misconception gives.

Answers are computed from the facts store when the check runs (never stored in a lesson),
so every lesson works on any demo seed and on a district's own de-identified data. A check
never raises: a wrong type, a missing lesson or a store without the table is a "not yet"
with a sentence saying what to do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kit.errors import KitError
from kit.workshop.lesson import Lesson, current

RIGHT = "right"
NOT_YET = "not yet"

# The misconceptions the lessons name (issue 15); a question may add its own.
SORTED_BY_N = "sorted_by_n"
SUPPRESSED_GROUP = "suppressed_group"
WRONG_YEAR = "wrong_year"
STUDENTS_VS_POINTS = "students_vs_points"


@dataclass(frozen=True)
class Mistake:
    """A known mistake: the answer it gives (computed from the facts) and the hint."""

    id: str
    value: Callable[[Lesson], object]
    hint: Callable[[Lesson], str]


@dataclass(frozen=True)
class Question:
    """One exercise: how to compute its answer, how to read a typed answer, known mistakes.

    ``kind``: ``number`` (within ``tolerance``), ``group`` (a group's name or code; the
    answer is a set of acceptable codes), ``text`` (one of a set of words, e.g. an item id
    or an option letter), ``yesno``.
    """

    id: str
    kind: str
    answer: Callable[[Lesson], Any]
    prompt: Callable[[Lesson], str]
    tolerance: float = 0.0
    mistakes: tuple[Mistake, ...] = ()
    explain: Callable[[Lesson], str] = field(default=lambda lesson: "")


QUESTIONS: dict[str, Question] = {}


def question(q: Question) -> Question:
    QUESTIONS[q.id] = q
    return q


@dataclass
class Result:
    """What :func:`check` and :func:`checkpoint` show: a status and a sentence."""

    question_id: str
    status: str  # RIGHT or NOT_YET (a checkpoint: "ok" or "differs")
    message: str
    mistake: str | None = None
    kind: str = "check"

    @property
    def ok(self) -> bool:
        return self.status in (RIGHT, "ok")

    def __bool__(self) -> bool:
        return self.ok

    def _markdown(self) -> str:
        if self.kind == "checkpoint":
            mark = "✔ **Checkpoint.**" if self.ok else "⚠ **Checkpoint: something changed.**"
        else:
            mark = "✅ **Right.**" if self.ok else "🔁 **Not yet.**"
        return f"{mark} {self.message}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/markdown": self._markdown(),
            "text/plain": f"{self.kind} {self.question_id}: {self.status}. {self.message}",
        }
        meta = {
            "kit_workshop": {
                "kind": self.kind,
                "id": self.question_id,
                "status": self.status,
                "mistake": self.mistake,
            }
        }
        return data, meta

    def __repr__(self) -> str:
        return f"{self.kind} {self.question_id}: {self.status}. {self.message}"


# --- reading a typed answer -----------------------------------------------------------------


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("%", "").replace("−", "-")
        text = re.sub(r"\s*(points?|students?|pts)\s*$", "", text, flags=re.I)
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _norm(text) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def _group_codes(lesson: Lesson, value) -> set[str]:
    """The group codes a typed answer can mean (a label, a code or the plural noun)."""
    if not isinstance(value, str):
        return set()
    want = _norm(value)
    labels = lesson.group_labels()
    nouns = lesson.cached(
        "nouns",
        lambda: dict(
            zip(*lesson.facts.table("groups")[["group", "noun"]].T.values.tolist(), strict=True)
        ),
    )
    out = set()
    for code, label in labels.items():
        names = {_norm(code), _norm(label), _norm(nouns.get(code, ""))}
        if want in names:
            out.add(code)
    return out


def _yesno(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = _norm(value)
        if word in ("yes", "y", "true", "on track", "met"):
            return True
        if word in ("no", "n", "false", "off track", "not met", "not on track"):
            return False
    return None


def _matches(q: Question, lesson: Lesson, value, expected) -> bool:
    if expected is None:
        return False
    if q.kind == "number":
        got = _number(value)
        return got is not None and abs(got - float(expected)) <= q.tolerance + 1e-9
    if q.kind == "group":
        codes = expected if isinstance(expected, set | frozenset | list | tuple) else {expected}
        return bool(_group_codes(lesson, value) & set(codes))
    if q.kind == "yesno":
        return _yesno(value) is not None and _yesno(value) == bool(expected)
    words = expected if isinstance(expected, set | frozenset | list | tuple) else {expected}
    return isinstance(value, str | int) and _norm(value) in {_norm(w) for w in words}


_FORMAT = {
    "number": "a number, such as 42 or 61.5",
    "group": 'a group\'s name in quotes, as the table writes it, such as "Low income"',
    "text": 'a word in quotes, such as "E3-06" or "B"',
    "yesno": '"yes" or "no" in quotes',
}


def _readable(q: Question, lesson: Lesson, value) -> bool:
    if q.kind == "number":
        return _number(value) is not None
    if q.kind == "group":
        return bool(_group_codes(lesson, value))
    if q.kind == "yesno":
        return _yesno(value) is not None
    return isinstance(value, str | int)


# --- the public functions ------------------------------------------------------------------


def check(question_id: str, value, preset=None, *, lesson: Lesson | None = None) -> Result:
    """Is ``value`` the answer to ``question_id``? Right, or not yet with a hint.

    ``value`` is the answer typed in the lesson; ``preset`` an answer given to the notebook
    from outside (a papermill parameter: the facilitator's or the test suite's), used when
    ``value`` is None. ``lesson``: default the one :func:`kit.workshop.start` opened.
    """
    value = preset if value is None else value
    q = QUESTIONS.get(question_id)
    if q is None:
        return Result(
            question_id, NOT_YET, f"There is no question {question_id!r} in the workshop."
        )
    lesson = lesson or current()
    if lesson is None:
        return Result(
            question_id, NOT_YET, "Run the lesson's first cells (from the top) before checking."
        )
    if value is None:
        return Result(
            question_id,
            NOT_YET,
            f"No answer yet: in *Your turn*, type yours in place of `None` and run that cell, then "
            "run this one again. "
            f"The answer is {_FORMAT[q.kind]}.",
        )
    try:
        expected = q.answer(lesson)
        if _matches(q, lesson, value, expected):
            return Result(question_id, RIGHT, q.explain(lesson) or "That matches the data.")
        if not _readable(q, lesson, value):
            return Result(
                question_id,
                NOT_YET,
                f"I could not read {value!r} as an answer here: it should be {_FORMAT[q.kind]}.",
            )
        for m in q.mistakes:
            wrong = m.value(lesson)
            if wrong is not None and _matches(q, lesson, value, wrong):
                return Result(question_id, NOT_YET, m.hint(lesson), mistake=m.id)
        return Result(
            question_id,
            NOT_YET,
            "That is not what the data say. Look again at the table above, and at what the "
            "question asks for (which year, which column).",
        )
    except KitError as exc:
        return Result(question_id, NOT_YET, f"The check could not read the facts: {exc}")
    except Exception as exc:  # a check must never end a lesson with a traceback
        return Result(question_id, NOT_YET, f"The check could not be worked out here ({exc}).")


def ask(question_id: str, *, lesson: Lesson | None = None) -> None:
    """Show the question, with the school's own names and years filled in."""
    from kit.tables.display import show_markdown

    q = QUESTIONS[question_id]
    lesson = lesson or current()
    text = q.prompt(lesson) if lesson is not None else "Run the lesson's first cells first."
    show_markdown(f"**Question.** {text}")


def _need_lesson(lesson: Lesson | None) -> Lesson:
    found = lesson or current()
    if found is None:
        raise KitError(
            "No lesson is open yet.",
            fix="Run the lesson's first cells (kit.workshop.start) first.",
        )
    return found


def solution(question_id: str, lesson: Lesson | None = None):
    """An answer :func:`check` accepts (for facilitators and tests): a number, a group's
    label, a word."""
    lesson = _need_lesson(lesson)
    q = QUESTIONS[question_id]
    return _as_typed(q, lesson, q.answer(lesson))


def mistakes(question_id: str, lesson: Lesson | None = None) -> dict[str, object]:
    """``{mistake id: an answer that mistake gives}`` for the mistakes that apply to this
    lesson's data (one that gives the right answer, or none, is left out)."""
    lesson = _need_lesson(lesson)
    q = QUESTIONS[question_id]
    expected = q.answer(lesson)
    out = {}
    for m in q.mistakes:
        wrong = m.value(lesson)
        if wrong is None:
            continue
        typed = _as_typed(q, lesson, wrong)
        if typed is None or _matches(q, lesson, typed, expected):
            continue
        # the first mistake that matches is the hint shown: keep only those that reach theirs
        first = next(
            (
                x
                for x in q.mistakes
                if (w := x.value(lesson)) is not None and _matches(q, lesson, typed, w)
            ),
            None,
        )
        if first is m:
            out[m.id] = typed
    return out


def _as_typed(q: Question, lesson: Lesson, value):
    if value is None:
        return None
    if q.kind == "group":
        codes = sorted(value) if isinstance(value, set | frozenset | list | tuple) else [value]
        return lesson.group_labels().get(codes[0], codes[0]) if codes else None
    if q.kind == "text" and isinstance(value, set | frozenset | list | tuple):
        return sorted(value)[0] if value else None
    if q.kind == "yesno":
        return "yes" if value else "no"
    if q.kind == "number":
        return round(float(value), 1)
    return value


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """An expected value after a worked step: computed from the facts, compared with what
    the step produced (``read`` takes the step's result)."""

    id: str
    expected: Callable[[Lesson], Any]
    read: Callable[[Any], Any]
    say: Callable[[Lesson, Any], str]


CHECKPOINTS: dict[str, Checkpoint] = {}


def checkpoint_def(c: Checkpoint) -> Checkpoint:
    CHECKPOINTS[c.id] = c
    return c


def checkpoint(step_id: str, shown=None, *, lesson: Lesson | None = None) -> Result:
    """ "You should see ...": the value the worked step above should show, from the facts,
    and whether it does (it differs only if the cell above was changed)."""
    c = CHECKPOINTS.get(step_id)
    lesson = lesson or current()
    if c is None or lesson is None:
        return Result(step_id, "differs", "Run the lesson from the top first.", kind="checkpoint")
    try:
        expected = c.expected(lesson)
        got = c.read(shown) if shown is not None else expected
        same = _same(expected, got)
        text = c.say(lesson, expected)
        if same:
            return Result(step_id, "ok", f"You should see {text}.", kind="checkpoint")
        return Result(
            step_id,
            "differs",
            f"You should see {text}, but the cell above gives {got!r}. Was the cell changed? "
            "Put it back as it was (or ask the facilitator) and run it again.",
            kind="checkpoint",
        )
    except Exception as exc:
        return Result(
            step_id,
            "differs",
            f"The checkpoint could not be worked out ({exc}).",
            kind="checkpoint",
        )


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        if (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
            return (isinstance(a, float) and math.isnan(a)) and (
                isinstance(b, float) and math.isnan(b)
            )
        return abs(float(a) - float(b)) < 1e-6
    return a == b
