"""A lesson's place in the facts store: which store, which school, which year and subject.

:func:`start` opens the store once per lesson and remembers the lesson, so that
:func:`kit.workshop.check` and :func:`kit.workshop.checkpoint` know what to compute their
answers from. Nothing here decides suppression: every figure comes through the report views
(``kit.views``), which read the build's decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kit.facts import Facts, read_facts
from kit.views.context import ReportContext, report_context


@dataclass
class Lesson:
    """The facts store, the school's report context and the lesson's subject."""

    facts: Facts
    ctx: ReportContext
    subject: str
    grade: str | None = None  # the tested grade of the items lesson
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def year(self) -> int:
        return self.ctx.year

    @property
    def prior_year(self) -> int | None:
        """The year before the lesson's year, when the store holds it."""
        years = [y for y in self.facts.years() if y < self.ctx.year]
        return years[-1] if years else None

    def context(self, year: int | None) -> ReportContext | None:
        """The school's context in another ``year`` (None when the store lacks that year)."""
        if year is None:
            return None
        if year == self.ctx.year:
            return self.ctx
        key = ("ctx", year)
        if key not in self._cache:
            try:
                self._cache[key] = report_context(self.facts, self.ctx.entity_id, year)
            except Exception:  # no results that year: nothing to compare with
                self._cache[key] = None
        return self._cache[key]

    def cached(self, key, compute):
        """``compute()`` once per lesson (views are read once, checked many times)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def group_labels(self) -> dict[str, str]:
        """Group code -> the label tables show (``low_income`` -> ``Low income``)."""
        return self.cached(
            "labels",
            lambda: dict(
                zip(
                    *self.facts.table("groups")[["group", "label"]].T.values.tolist(),
                    strict=True,
                )
            ),
        )


_CURRENT: dict[str, Lesson] = {}


def start(
    facts_path,
    school: str,
    subject: str = "ELA",
    year: int | None = None,
    grade: str | None = None,
    *,
    quiet: bool = False,
) -> Lesson:
    """Open the facts store for a lesson on ``school`` and remember the lesson.

    ``year`` None means the latest year in the store. ``grade`` is the tested grade the
    items lesson looks at (None: the school's lowest tested grade with item results).
    """
    facts = read_facts(facts_path)
    ctx = report_context(facts, school, year)
    if subject not in ctx.subjects:
        from kit.errors import ParameterError

        raise ParameterError(
            f"{ctx.name} has no {subject} results in {ctx.year}; it has {', '.join(ctx.subjects)}.",
            fix="Set subject in the first code cell to one of these.",
        )
    lesson = Lesson(facts=facts, ctx=ctx, subject=subject, grade=grade)
    _CURRENT["lesson"] = lesson
    if not quiet:
        from kit.tables.display import show_markdown

        show_markdown(
            f"**Ready.** This lesson looks at **{ctx.name}** ({ctx.entity_id}), "
            f"**{subject_name(subject)}**, **{ctx.year}** "
            f"(the latest year in the data). "
            f"Groups of fewer than {ctx.reporting_min_n} students are hidden."
        )
    return lesson


def current() -> Lesson | None:
    """The lesson :func:`start` opened last in this notebook (None before it)."""
    return _CURRENT.get("lesson")


def subject_name(subject: str) -> str:
    from kit.fmt import fmt_subject

    return fmt_subject(subject)
