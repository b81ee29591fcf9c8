"""AYP determinations and AMO targets (DOMAIN.md, AYP determinations; seed 004).

For every entity x subject x group with at least the accountability minimum, a group makes
AYP when it meets participation and at least one of the framework's ordered tests (status,
confidence interval, safe harbor, uniform averaging, index pathway, index gain). Every rule
and number comes from the framework's ``amos`` and ``ayp`` sections; this module only does
the arithmetic, vectorised over all rows at once (no loop per school).

Two public steps:

- :func:`amo_targets` resolves each AMO schedule to a target per year and subject,
  including what applies past the schedule (``after_schedule``);
- :func:`determine_ayp` applies participation and the tests, and stores the figures the
  ``path`` rests on (``path_fields``); its words come from :func:`kit.ayp_path.fmt_ayp_path`.

Both take the *measure frame* of :func:`measure_frame_sql`: one row per year x entity x
subject x group (grade ``ALL``) with ``n_enrolled``, ``n_tested``, ``n`` (accountable tested),
``n_proficient``, ``pct_proficient`` and, for each index model used, ``v_<model>`` (value),
``n_<model>`` (its denominator) and, where a Wald interval needs it, ``sd_<model>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kit._sql import ident, literal, literals
from kit.ayp_path import fmt_ayp_path
from kit.frameworks.loader import (
    PCT,
    TEST_FAMILY,
    AveragingTest,
    AypRules,
    CiTest,
    Framework,
    IndexGainTest,
    IndexTest,
    LevelPointsModel,
    SafeHarborTest,
    StatusTest,
)
from kit.metrics import ci as cimod
from kit.metrics.groups import GROUPS

ENTITY_KEYS = ["entity_type", "entity_id", "subject", "group"]
FAMILIES = ("status_met", "ci_met", "safe_harbor_met", "index_met", "averaging_met")


# --- the measure frame -----------------------------------------------------------------------


def vcol(measure: str) -> str:
    """Column of the measure frame holding a measure's value."""
    return "pct_proficient" if measure == PCT else f"v_{measure}"


def ncol(measure: str) -> str:
    """Column of the measure frame holding a measure's denominator."""
    return "n" if measure == PCT else f"n_{measure}"


def _lit(x: float) -> str:
    return repr(float(x))


def sd_sql(model: str, spec: LevelPointsModel, c: str = "c") -> str:
    """SQL over ``counts`` (alias ``c``): standard deviation of the students' points.

    Notes
    -----
    sd = scale x sqrt(E[points^2] - E[points]^2), the population SD over the index's
    denominator (the not-tested earn ``not_tested_points`` under an enrolled denominator).
    """
    terms = []
    for level, pts in sorted(spec.points.items()):
        low, high = pts if isinstance(pts, tuple | list) else (pts, pts)
        terms.append(
            f"{c}.n_l{level}_low * {_lit(low * low)} + {c}.n_l{level}_high * {_lit(high * high)}"
        )
    sq = " + ".join(terms)
    n = f"{c}.n_fay_tested"
    if spec.denominator == "enrolled":
        n = f"{c}.n_fay_enrolled"
        sq += f" + ({c}.n_fay_enrolled - {c}.n_fay_tested) * {_lit(spec.not_tested_points**2)}"
    scale = _lit(spec.scale)
    return f"{scale} * sqrt(greatest(({sq}) / nullif({n}, 0) - power(i.{ident(vcol(model))} / {scale}, 2), 0))"


def measures_used(fw: Framework) -> list[str]:
    """Index models the accountability tables need (AMOs, tests, ranking, impact)."""
    out: list[str] = []

    def add(m: str | None) -> None:
        if m and m != PCT and m not in out:
            out.append(m)

    for amo in fw.amos.values():
        add(amo.measure)
    if fw.ayp is not None:
        add(fw.ayp.measure)
        for t in fw.ayp.tests:
            add(getattr(t, "measure", None))
            add(getattr(t, "model", None))
    add(fw.subgroups.measure or fw.headline_model)
    for m in impact_models(fw):
        add(m)
    return out


def impact_models(fw: Framework) -> list[str]:
    """Measures compared side by side in the impact analysis."""
    if fw.impact.models is not None:
        return list(fw.impact.models)
    return [PCT, *fw.index_models]


def sd_models(fw: Framework) -> list[str]:
    """Index models that a Wald interval is computed on (they need the points' SD)."""
    if fw.ayp is None:
        return []
    out = []
    for t in fw.ayp.tests:
        if isinstance(t, CiTest) and t.method == "wald":
            m = t.measure or fw.ayp.measure
            if m != PCT and m not in out:
                out.append(m)
    return out


def measure_frame_sql(
    fw: Framework,
    *,
    perf: str = "perf",
    idx: str = "idx",
    counts: str = "counts",
    subjects: Iterable[str] | None = None,
) -> str:
    """SQL for the measure frame (grade ``ALL``) over the build's temp tables."""
    models = measures_used(fw)
    pivots = ", ".join(
        f"max(value) FILTER (WHERE model = {literal(m)}) AS {ident(vcol(m))}, "
        f"CAST(max(n) FILTER (WHERE model = {literal(m)}) AS BIGINT) AS {ident(ncol(m))}"
        for m in models
    )
    subj = ""
    if subjects is not None:
        subj = f" AND subject IN ({literals(subjects)})"
    keys = 'year, entity_type, entity_id, subject, grade, "group"'
    sds = ""
    sd_join = ""
    if sd_models(fw):
        sds = ", " + ", ".join(
            f"{sd_sql(m, fw.index_models[m])} AS {ident('sd_' + m)}" for m in sd_models(fw)
        )
        sd_join = f" LEFT JOIN {counts} c USING ({keys})"
    model_list = literals(models)
    pivot_sql = (
        f"SELECT {keys}, {pivots} FROM {idx} WHERE grade = 'ALL' AND model IN ({model_list}){subj}"
        f" GROUP BY ALL"
        if models
        else f"SELECT {keys} FROM {perf} WHERE FALSE"
    )
    return f"""
    SELECT p.year, p.entity_type, p.entity_id, p.subject, p."group",
           p.n_enrolled, p.n_tested, p.n_fay_tested AS n, p.n_proficient, p.pct_proficient,
           p.participation_rate, p.suppressed AS hidden, i.* EXCLUDE ({keys}){sds}
    FROM {perf} p LEFT JOIN ({pivot_sql}) i USING ({keys}){sd_join}
    WHERE p.grade = 'ALL'{subj.replace("subject", "p.subject")}
    """


# --- AMO targets -----------------------------------------------------------------------------


def _starting_point(
    frame: pd.DataFrame, measure: str, subject: str, year: int, percentile: float
) -> float:
    """Value of the school at ``percentile`` of enrolment, schools sorted low to high.

    Notes
    -----
    Seed 004 (South Carolina): "the state calculated the percentage of students scoring
    proficient/advanced ... and sorted the schools from highest to lowest. They identified
    the schools at the twentieth percentile of the state's enrollment". Schools are weighted
    by their accountable students (``n``); the first school whose cumulative share reaches
    the percentile gives the starting point.
    """
    rows = frame[
        (frame["entity_type"] == "school")
        & (frame["group"] == "all")
        & (frame["subject"] == subject)
        & (frame["year"] == year)
    ]
    rows = rows[[vcol(measure), ncol(measure)]].dropna()
    rows = rows[rows[ncol(measure)] > 0].sort_values(vcol(measure), kind="stable")
    if rows.empty:
        return float("nan")
    share = rows[ncol(measure)].cumsum() / rows[ncol(measure)].sum()
    pos = int(np.searchsorted(share.to_numpy(), percentile / 100.0, side="left"))
    return float(rows[vcol(measure)].iloc[min(pos, len(rows) - 1)])


def amo_targets(frame: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """One row per AMO schedule x year x subject: the target in force and where it comes from.

    Columns: ``amo``, ``measure``, ``year``, ``subject``, ``target``, ``basis``
    (``schedule``, ``held`` = last scheduled target kept, ``starting_point``), ``goal_year``
    (the year the trajectory reaches its goal, for "years left" rules), ``starting_point``
    (the computed baseline value, where used), ``verified``.
    """
    years = sorted(int(y) for y in frame["year"].unique())
    data_subjects = set(frame["subject"].unique())
    rows = []
    for aid, amo in fw.amos.items():
        subjects = set(fw.ayp.subjects if fw.ayp else []) | {s for s in amo.schedule if s != "ALL"}
        rng = fw.measure_range(amo.measure)
        goal = (
            amo.starting_point.goal
            if amo.starting_point.goal is not None
            else (rng[1] if rng else 0.0)
        )
        for subject in sorted(subjects & data_subjects):
            sched = amo.schedule.get(subject) or amo.schedule.get("ALL") or {}
            first = min(sched) if sched else None
            last = max(sched) if sched else None
            sp = amo.starting_point
            after = [y for y in years if last is None or y > last]
            base_year = sp.baseline_year or (after[0] if after else None)
            sp_value = None
            for year in years:
                rec = {
                    "amo": aid,
                    "measure": amo.measure,
                    "year": year,
                    "subject": subject,
                    "target": np.nan,
                    "basis": "none",
                    "goal_year": np.nan,
                    "starting_point": np.nan,
                    "verified": amo.verified,
                }
                if sched and first <= year <= last:
                    rec.update(
                        target=sched[max(k for k in sched if k <= year)],
                        basis="schedule",
                        goal_year=amo.target_year or last,
                    )
                elif sched and year < first:
                    pass
                elif amo.after_schedule == "hold_last" and sched:
                    rec.update(target=sched[last], basis="held", goal_year=amo.target_year or last)
                elif (
                    amo.after_schedule == "starting_point"
                    and base_year is not None
                    and year >= base_year
                ):
                    if sp_value is None:
                        sp_value = _starting_point(
                            frame, amo.measure, subject, base_year, sp.percentile
                        )
                    steps = min(((year - base_year) // sp.step_years) * sp.step_years, sp.years)
                    rec.update(
                        target=sp_value + (goal - sp_value) * steps / sp.years,
                        basis="starting_point",
                        goal_year=base_year + sp.years,
                        starting_point=sp_value,
                    )
                rows.append(rec)
    cols = [
        "amo",
        "measure",
        "year",
        "subject",
        "target",
        "basis",
        "goal_year",
        "starting_point",
        "verified",
    ]
    return pd.DataFrame(rows, columns=cols)


# --- determinations --------------------------------------------------------------------------


def _decimals(fw: Framework, measure: str) -> int:
    rng = fw.measure_range(measure)
    return 3 if rng is not None and rng[1] <= 1.0 else 1


def _reach(measure: str, target, value, n, available) -> dict:
    """The ``extra`` of a test a group passes by raising one value to a target: what the
    ``targets`` column stores for "what would change the result"."""
    return {
        "reach_measure": measure,
        "reach_target": np.where(available, target, np.nan),
        "reach_value": value,
        "reach_n": n,
    }


# Tests that store a target in ``ayp.targets``: one value must reach it (a confidence
# interval's bound and a k-year mean do not move by a fixed step per student).
REACH_KINDS = ("status", "safe_harbor", "index_gain")
PRIOR_KINDS = ("safe_harbor", "index_gain")  # their target rests on last year's result


@dataclass
class TestResult:
    """Outcome of one test on every row: met, whether it could be computed, the figures its
    words rest on (``fields``: an array per row or one value for every row, stored in
    ``path_fields`` and rendered by :func:`kit.ayp_path.fmt_ayp_path`), and ``extra``
    columns for the facts."""

    met: np.ndarray
    available: np.ndarray
    fields: dict[str, Any]
    extra: dict[str, np.ndarray] = field(default_factory=dict)


class _Context:
    """The rows under determination plus lookups of earlier years and of AMO targets."""

    def __init__(
        self,
        df: pd.DataFrame,
        full: pd.DataFrame,
        targets: pd.DataFrame,
        fw: Framework,
        participation_met: np.ndarray,
        achievement_ok: np.ndarray,
    ):
        self.df = df
        self.full = full
        self.targets = targets
        self.fw = fw
        self.participation_met = participation_met
        self.achievement_ok = achievement_ok  # n >= the accountability minimum
        self._prior: dict[int, pd.DataFrame] = {}

    def prior(self, k: int) -> pd.DataFrame:
        """The full frame's row for the same entity, subject and group ``k`` years earlier."""
        if k not in self._prior:
            right = self.full.assign(year=self.full["year"] + k)
            merged = self.df[["year", *ENTITY_KEYS]].merge(
                right, how="left", on=["year", *ENTITY_KEYS], validate="one_to_one"
            )
            self._prior[k] = merged
        return self._prior[k]

    @property
    def ayp(self) -> AypRules:
        """The framework's AYP rules (:func:`determine_ayp` checks that it has them)."""
        if self.fw.ayp is None:
            raise ValueError("the framework has no ayp section")
        return self.fw.ayp

    def scale(self, measure: str) -> tuple[float, float]:
        """(bottom, top) of a measure a test computes on; a grade-weighted proficiency index
        has no top, so a test that needs one cannot use it."""
        rng = self.fw.measure_range(measure)
        if rng is None:
            raise ValueError(
                f"{measure} has no fixed scale: an AYP test that needs one (a confidence "
                "interval, or safe harbor or index gain without a goal) cannot use it"
            )
        return rng

    def target(self, amo: str) -> tuple[np.ndarray, np.ndarray]:
        t = self.targets[self.targets["amo"] == amo][["year", "subject", "target", "goal_year"]]
        merged = self.df[["year", "subject"]].merge(t, how="left", on=["year", "subject"])
        return merged["target"].to_numpy(float), merged["goal_year"].to_numpy(float)

    def col(self, name: str, frame: pd.DataFrame | None = None) -> np.ndarray:
        frame = self.df if frame is None else frame
        if name not in frame.columns:
            return np.full(len(frame), np.nan)
        return frame[name].to_numpy(dtype="float64", na_value=np.nan)


def _status(ctx: _Context, t: StatusTest) -> TestResult:
    fw = ctx.fw
    measure = t.measure or ctx.ayp.measure
    v = ctx.col(vcol(measure))
    target, _ = ctx.target(t.amo or ctx.ayp.amo)
    avail = ctx.achievement_ok & ~np.isnan(v) & ~np.isnan(target)
    met = avail & (v >= target)
    fields = {"value": v, "target": target, "decimals": _decimals(fw, measure)}
    fields["year"] = ctx.df["year"].to_numpy()
    n = ctx.col(ncol(measure))
    return TestResult(met, avail, fields, _reach(measure, target, v, n, avail))


def _ci(ctx: _Context, t: CiTest) -> TestResult:
    fw = ctx.fw
    measure = t.measure or ctx.ayp.measure
    v = ctx.col(vcol(measure))
    n = ctx.col(ncol(measure))
    target, _ = ctx.target(t.amo or ctx.ayp.amo)
    lo_r, hi_r = ctx.scale(measure)
    span = hi_r - lo_r
    if t.method == "wald" and measure != PCT and f"sd_{measure}" in ctx.df.columns:
        lo, hi = cimod.mean_interval(v, ctx.col(f"sd_{measure}"), n, level=t.level, sided=t.sided)
    else:
        # An index is treated as a proportion of its range for the binomial methods.
        p = (v - lo_r) / span
        tp = (target - lo_r) / span
        lo, hi = cimod.interval(
            t.method, p, n, target=np.clip(tp, 0, 1), level=t.level, sided=t.sided
        )
        lo, hi = lo_r + np.asarray(lo) * span, lo_r + np.asarray(hi) * span
    avail = ctx.achievement_ok & ~np.isnan(v) & ~np.isnan(target) & ~np.isnan(hi)
    met = avail & (hi >= target)
    fields = {
        "value": v,
        "hi": hi,
        "target": target,
        "decimals": _decimals(fw, measure),
        "level": t.level,
        "method": t.method,
        "n": np.nan_to_num(n).astype(int),
    }
    return TestResult(met, avail, fields, {"ci_low": lo, "ci_high": hi})


def _safe_harbor(ctx: _Context, t: SafeHarborTest) -> TestResult:
    fw = ctx.fw
    goal = t.goal if t.goal is not None else ctx.scale(t.measure)[1]
    v = ctx.col(vcol(t.measure))
    prev = ctx.prior(1)
    vp = ctx.col(vcol(t.measure), prev)
    np_ = ctx.col(ncol(t.measure), prev)
    min_prev = t.prior_min_n or fw.reporting_min_n
    gap_now, gap_prev = goal - v, goal - vp
    avail = ctx.achievement_ok & ~np.isnan(v) & ~np.isnan(vp) & (np.nan_to_num(np_) >= min_prev)
    fell = np.where(
        gap_prev > 0,
        100.0 * (gap_prev - gap_now) / np.where(gap_prev > 0, gap_prev, 1),
        np.where(gap_now <= 0, 100.0, -100.0),
    )
    achieved = avail & (gap_now <= (1.0 - t.reduction) * gap_prev + 1e-9)
    other = ctx.participation_met if t.other_indicator == "participation" else np.ones(len(v), bool)
    met = achieved & other
    fields = {
        "fell": fell,
        "reduction": t.reduction,
        "measure": t.measure,
        "goal": goal,
        "available": avail,
        "achieved": achieved,
        "prior_year": (ctx.df["year"] - 1).to_numpy(),
    }

    # The value this year that meets the test: gap_now = (1 - reduction) x gap_prev.
    target = goal - (1.0 - t.reduction) * gap_prev
    reach = _reach(t.measure, target, v, ctx.col(ncol(t.measure)), avail)
    return TestResult(met, avail, fields, reach)


def _averaging(ctx: _Context, t: AveragingTest) -> TestResult:
    fw = ctx.fw
    measure = t.measure or ctx.ayp.measure
    target, _ = ctx.target(t.amo or ctx.ayp.amo)
    best = np.full(len(ctx.df), -np.inf)
    best_k = np.zeros(len(ctx.df), dtype=int)
    for k in sorted(t.years):
        vals, ns = [ctx.col(vcol(measure))], [ctx.col(ncol(measure))]
        for back in range(1, k):
            prev = ctx.prior(back)
            vals.append(ctx.col(vcol(measure), prev))
            ns.append(ctx.col(ncol(measure), prev))
        vals_a, ns_a = np.vstack(vals), np.vstack(ns)
        if t.weighting == "pooled":
            # Pooled: all students of the window together (sum of points / sum of students).
            with np.errstate(invalid="ignore", divide="ignore"):
                avg = np.nansum(vals_a * ns_a, axis=0) / np.sum(ns_a, axis=0)
        else:
            avg = np.mean(vals_a, axis=0)
        ok_window = ~np.isnan(vals_a).any(axis=0) & ~np.isnan(ns_a).any(axis=0) & (ns_a > 0).all(0)
        avg = np.where(ok_window, avg, -np.inf)
        better = avg > best
        best = np.where(better, avg, best)
        best_k = np.where(better, k, best_k)
    avail = ctx.achievement_ok & np.isfinite(best) & ~np.isnan(target)
    met = avail & (best >= target)
    best = np.where(np.isfinite(best), best, np.nan)
    fields = {
        "k": best_k,
        "best": best,
        "target": target,
        "decimals": _decimals(fw, measure),
        "available": avail,
        "min_years": min(t.years),
    }
    return TestResult(met, avail, fields, {"averaging_value": best})


def _index(ctx: _Context, t: IndexTest) -> TestResult:
    fw = ctx.fw
    v = ctx.col(vcol(t.model))
    target, _ = ctx.target(t.amo)
    avail = ctx.achievement_ok & ~np.isnan(v) & ~np.isnan(target)
    achieved = avail & (v >= target)
    other = ctx.participation_met if t.other_indicator == "participation" else np.ones(len(v), bool)
    met = achieved & other
    fields = {
        "model": t.model,
        "value": v,
        "target": target,
        "decimals": _decimals(fw, t.model),
        "available": avail,
        "achieved": achieved,
    }
    return TestResult(met, avail, fields)


def _index_gain(ctx: _Context, t: IndexGainTest) -> TestResult:
    fw = ctx.fw
    goal = t.goal if t.goal is not None else ctx.scale(t.model)[1]
    v = ctx.col(vcol(t.model))
    prev = ctx.prior(1)
    vp = ctx.col(vcol(t.model), prev)
    np_ = ctx.col(ncol(t.model), prev)
    min_prev = t.prior_min_n or fw.reporting_min_n
    year = ctx.df["year"].to_numpy(float)
    if t.gap_fraction is not None:
        required = t.gap_fraction * (goal - vp)
    else:
        if t.target_year == "amo":
            _, goal_year = ctx.target(ctx.ayp.amo)
        else:
            goal_year = np.full(len(v), float(t.target_year))
        # Seed 004 (SC option 5): divide by the years left including this one (7 in 2007-08
        # for 2013-14); past the target year the whole gap is due.
        left = np.maximum(goal_year - year + 1, 1)
        required = (goal - vp) / left
    gain = v - vp
    avail = (
        ctx.achievement_ok
        & ~np.isnan(v)
        & ~np.isnan(vp)
        & ~np.isnan(required)
        & (np.nan_to_num(np_) >= min_prev)
    )
    achieved = avail & (gain >= required - 1e-9)
    other = ctx.participation_met if t.other_indicator == "participation" else np.ones(len(v), bool)
    met = achieved & other
    fields = {
        "model": t.model,
        "gain": gain,
        "required": required,
        "decimals": _decimals(fw, t.model),
        "available": avail,
        "achieved": achieved,
        "prior_year": (ctx.df["year"] - 1).to_numpy(),
    }
    reach = _reach(t.model, vp + required, v, ctx.col(ncol(t.model)), avail)
    return TestResult(met, avail, fields, {"required_gain": required, "gain": gain, **reach})


_RUNNERS = {
    "status": _status,
    "ci": _ci,
    "safe_harbor": _safe_harbor,
    "averaging": _averaging,
    "index": _index,
    "index_gain": _index_gain,
}


def _participation(ctx: _Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Participation met, this year's rate, the best multi-year average (NaN when none) and
    the years of the average that met it (0: this year's rate did, or none did)."""
    rule = ctx.ayp.participation
    tested, enrolled = ctx.col("n_tested"), ctx.col("n_enrolled")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = 100.0 * tested / enrolled
    met = rate >= rule.min_rate
    used = np.where(met, 0, -1)  # 0 = this year, k = k-year average, -1 = none
    best_avg = np.full(len(rate), np.nan)
    for k in sorted(rule.average_years):
        t_sum, e_sum, ok = tested.copy(), enrolled.copy(), np.ones(len(rate), bool)
        for back in range(1, k):
            prev = ctx.prior(back)
            pt, pe = ctx.col("n_tested", prev), ctx.col("n_enrolled", prev)
            ok &= ~np.isnan(pt) & ~np.isnan(pe)
            t_sum, e_sum = t_sum + np.nan_to_num(pt), e_sum + np.nan_to_num(pe)
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = np.where(ok & (e_sum > 0), 100.0 * t_sum / e_sum, np.nan)
        newly = ~met & (avg >= rule.min_rate)
        used = np.where(newly, k, used)
        best_avg = np.where(np.isnan(best_avg) | (avg > best_avg), avg, best_avg)
        met = met | newly
    return met, rate, best_avg, np.maximum(used, 0)


def determine_ayp(
    frame: pd.DataFrame, fw: Framework, targets: pd.DataFrame, *, keep_tests: bool = False
) -> pd.DataFrame:
    """The ``ayp`` facts table (CONTRACT.md section 3) from the measure frame.

    Parameters
    ----------
    frame
        The measure frame (all years: earlier years feed safe harbor, gains and averages).
    targets
        :func:`amo_targets` of the same frame.
    keep_tests
        Also return one boolean column ``test:<id>`` per test (for the impact analysis).

    Returns
    -------
    DataFrame
        Keys, ``accountable`` (the group counts for the entity), ``measure``, ``n``,
        ``n_enrolled``, ``participation_rate``, ``participation_met``, ``target``, ``value``,
        ``prior_value``, ``ci_low``, ``ci_high``, the family columns ``status_met``,
        ``ci_met``, ``safe_harbor_met``, ``index_met``, ``averaging_met`` (null where the
        framework has no such test in its determination), ``met``, ``met_by`` (id of the first
        test met), ``tests`` (JSON: every test's result, null where it could not be computed),
        ``required_gain`` (the gain the index-gain test on the AYP measure required),
        ``targets`` (JSON: the value each status, safe harbor and index-gain test needed,
        :func:`_targets_json`) and ``path``.

    Notes
    -----
    Eligible rows: n_enrolled >= the accountability minimum (``accountability_min_n_all``
    for all students). Achievement tests need n (accountable tested) >= that minimum too;
    below it only participation is judged. met = participation met AND (some test with
    ``in_determination`` met, or achievement not judged).
    """
    ayp = fw.ayp
    if ayp is None:
        raise ValueError("the framework has no ayp section")
    full = frame.reset_index(drop=True)
    min_all = fw.accountability_min_n_all or fw.accountability_min_n
    complements = [g.id for g in GROUPS if g.kind == "complement"]
    sub = full[full["subject"].isin(ayp.subjects) & ~full["group"].isin(complements)]
    min_n = np.where(sub["group"] == "all", min_all, fw.accountability_min_n)
    df = sub[sub["n_enrolled"].to_numpy(float) >= min_n].reset_index(drop=True)
    if df.empty:
        cols = [
            "year",
            "entity_type",
            "entity_id",
            "subject",
            "grade",
            "group",
            "accountable",
            "measure",
            "n",
            "n_enrolled",
            "participation_rate",
            "participation_met",
            "target",
            "value",
            "prior_value",
            "ci_low",
            "ci_high",
            *FAMILIES,
            "met",
            "met_by",
            "tests",
            "required_gain",
            "targets",
            "path_fields",
            "path",
        ]
        if keep_tests:
            cols += [f"{p}:{t.id}" for t in ayp.tests for p in ("test", "avail")]
        return pd.DataFrame(columns=cols)
    min_n = np.where(df["group"] == "all", min_all, fw.accountability_min_n)
    achievement_ok = df["n"].to_numpy(float) >= min_n
    ctx = _Context(df, full, targets, fw, np.zeros(len(df), bool), achievement_ok)
    part_met, part_rate, part_avg, part_years = _participation(ctx)
    ctx.participation_met = part_met

    results = {t.id: _RUNNERS[t.kind](ctx, t) for t in ayp.tests}
    decisive = [t for t in ayp.tests if t.in_determination]
    first = np.full(len(df), -1)
    for i, t in enumerate(decisive[::-1]):
        first = np.where(results[t.id].met, len(decisive) - 1 - i, first)
    achievement_met = (first >= 0) | ~achievement_ok
    met = part_met & achievement_met

    out = df[["year", "entity_type", "entity_id", "subject"]].copy()
    out.insert(4, "grade", "ALL")
    out["group"] = df["group"]
    out["accountable"] = df["group"].isin(ayp.accountable_groups()).to_numpy()
    out["measure"] = ayp.measure
    out["n"] = df["n"].astype("int64")
    out["n_enrolled"] = df["n_enrolled"].astype("int64")
    out["participation_rate"] = part_rate
    out["participation_met"] = part_met
    target, _ = ctx.target(ayp.amo)
    out["target"] = target
    out["value"] = ctx.col(vcol(ayp.measure))
    out["prior_value"] = ctx.col(vcol(ayp.measure), ctx.prior(1))
    ci_tests = [t for t in ayp.tests if t.kind == "ci"]
    for c in ("ci_low", "ci_high"):
        out[c] = results[ci_tests[0].id].extra[c] if ci_tests else np.nan
    for fam in FAMILIES:
        members = [t for t in decisive if TEST_FAMILY[t.kind] == fam]
        if not members:
            out[fam] = pd.array([pd.NA] * len(df), dtype="boolean")
            continue
        any_met = np.zeros(len(df), bool)
        any_avail = np.zeros(len(df), bool)
        for t in members:
            any_met |= results[t.id].met
            any_avail |= results[t.id].available
        col = pd.array(any_met, dtype="boolean")
        col[~any_avail & ~any_met] = pd.NA
        out[fam] = col
    out["met"] = met
    ids = np.array([t.id for t in decisive] + [""], dtype=object)
    out["met_by"] = np.where(met & (first >= 0), ids[first], np.where(met, "participation", ""))
    out["tests"] = _tests_json(results, ayp.tests, len(df))
    gains = [t for t in decisive if t.kind == "index_gain" and t.model == ayp.measure]
    out["required_gain"] = results[gains[0].id].extra["required_gain"] if gains else np.nan
    out["targets"] = _targets_json(results, decisive, len(df))
    fields = _path_fields(
        results,
        decisive,
        first,
        met,
        achievement_ok,
        (part_met, part_rate, part_avg, part_years, ayp.participation.min_rate),
        df["n"].to_numpy(),
        min_n,
    )
    out["path_fields"] = [json.dumps(f) for f in fields]
    out["path"] = [fmt_ayp_path(f) for f in fields]
    if keep_tests:
        for t in ayp.tests:
            out[f"test:{t.id}"] = results[t.id].met
            out[f"avail:{t.id}"] = results[t.id].available
    order = {g.id: i for i, g in enumerate(GROUPS)}
    out = out.assign(_o=out["group"].map(order)).sort_values(
        ["year", "entity_type", "entity_id", "subject", "_o"], kind="stable"
    )
    return out.drop(columns="_o").reset_index(drop=True)


def _tests_json(results: dict[str, TestResult], tests, n: int) -> np.ndarray:
    """JSON object per row: test id -> true / false / null (could not be computed)."""
    joined = np.full(n, "", dtype=object)
    for i, t in enumerate(tests):
        r = results[t.id]
        word = np.where(r.met, "true", np.where(r.available, "false", "null")).astype(object)
        joined = joined + (", " if i else "") + json.dumps(t.id) + ": " + word
    return "{" + joined + "}"


def _targets_json(results: dict[str, TestResult], decisive, n: int) -> list[str]:
    """JSON object per row: test id -> {"kind", "measure", "target", "value", "n",
    "uses_prior"} for each test of the determination that a group passes by raising one
    value to a target (:data:`REACH_KINDS`), where the test could be computed."""
    parts: list[list[str]] = [[] for _ in range(n)]
    for t in decisive:
        if t.kind not in REACH_KINDS:
            continue
        x = results[t.id].extra
        target, value, size = x["reach_target"], x["reach_value"], x["reach_n"]
        for i in np.flatnonzero(~np.isnan(target)):
            entry = {
                "kind": t.kind,
                "measure": x["reach_measure"],
                "target": float(target[i]),
                "value": None if np.isnan(value[i]) else float(value[i]),
                "n": None if np.isnan(size[i]) else float(size[i]),
                "uses_prior": t.kind in PRIOR_KINDS,
            }
            parts[i].append(json.dumps(t.id) + ": " + json.dumps(entry))
    return ["{" + ", ".join(p) + "}" for p in parts]


def _plain(x: Any) -> Any:
    """A JSON value: NaN as null, numpy scalars as Python numbers."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and np.isnan(x):
        return None
    return x


def _test_fields(r: TestResult, t, rows: np.ndarray) -> list[dict[str, Any]]:
    """One test's ``path_fields`` entry for each of ``rows`` (integer positions)."""
    cols: dict[str, Any] = {}
    for k, v in r.fields.items():
        cols[k] = [_plain(x) for x in np.asarray(v)[rows]] if isinstance(v, np.ndarray) else v
    met = r.met[rows].tolist()
    out = []
    for j in range(len(rows)):
        entry: dict[str, Any] = {"id": t.id, "kind": t.kind, "met": met[j]}
        for k, v in cols.items():
            entry[k] = v[j] if isinstance(v, list) else _plain(v)
        out.append(entry)
    return out


def _path_fields(
    results, decisive, first, met, achievement_ok, participation, n, min_n
) -> list[dict[str, Any]]:
    """The ``path_fields`` of every row (:mod:`kit.ayp_path`): met, how achievement was
    judged, participation, and the tests its words need (the one met first when
    achievement was met, every test of the determination when it was not, none when
    achievement was not judged)."""
    part_met, rate, best_avg, avg_years, min_rate = participation
    rows = len(first)
    achievement = np.where(~achievement_ok, "not_judged", np.where(first >= 0, "met", "not_met"))
    tests: list[list[dict[str, Any]]] = [[] for _ in range(rows)]
    for i, t in enumerate(decisive):
        pos = np.flatnonzero(achievement_ok & (first == i))
        for at, entry in zip(pos, _test_fields(results[t.id], t, pos), strict=True):
            tests[at].append(entry)
    not_met = np.flatnonzero(achievement == "not_met")
    for t in decisive:
        for at, entry in zip(not_met, _test_fields(results[t.id], t, not_met), strict=True):
            tests[at].append(entry)
    out = []
    for j in range(rows):
        out.append(
            {
                "met": bool(met[j]),
                "achievement": str(achievement[j]),
                "n": _plain(n[j]),
                "min_n": _plain(min_n[j]),
                "participation": {
                    "met": bool(part_met[j]),
                    "rate": _plain(rate[j]),
                    "min_rate": _plain(min_rate),
                    "best_average": _plain(best_avg[j]),
                    "average_years": int(avg_years[j]),
                },
                "tests": tests[j],
            }
        )
    return out
