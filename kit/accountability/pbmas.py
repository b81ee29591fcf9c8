"""Texas PBMAS: performance levels per district x indicator x sub-part, and stages.

Every rule comes from the framework's ``pbmas`` section (:class:`~kit.frameworks.
schema_pbmas.PbmasRules`); counts from :mod:`kit.accountability.pbmas_measures`. Rates are
compared with cut points **as TEA publishes them**: rounded to one decimal (half up by
default, [INFERRED]) in exact integer tenths, so 59.9 / 60.0 / 54.9 / 55.0 never drift.

The assignment of one indicator, one year (STATES.md 3.2; sources in brackets)::

    no students in the current year                      -> ND                  [EXT 14, 17]
    rate (one decimal) in the PL 0 range                 -> 0, whatever n       [EXT 13, 14]
    MSR met this year                                    -> PL from the ranges  [S003]
        ... and RI allowed and met (PL 1-3)              -> 0 RI                [S003 label; EXT 21 rule]
    MSR met over 2 (or 3) years, summed                  -> PL of the aggregate, marked
                                                            "SA" where the framework says [EXT 13, 14, 16]
    otherwise                                            -> NA (SA / PJSA, where available,
                                                            is TEA's human step)           [EXT 13]

Bands (S003): PL 1 up to 10.0 points from the cut, PL 2 10.1-20.0, PL 3 20.1 or more,
mirrored for lower-is-better; or an explicit range table (EXT 16).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from kit.accountability._exact import rate_tenths
from kit.accountability.pbmas_measures import DIFFERENCE_KINDS, indicator_counts
from kit.errors import DataError
from kit.frameworks._schema_common import tenths_text, to_tenths
from kit.frameworks.schema_pbmas import Indicator, Msr, PbmasRules

ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")
COLUMNS = [
    "year",
    "entity_type",
    "entity_id",
    "district",
    "program_area",
    "program_area_name",
    "indicator",
    "indicator_number",
    "indicator_name",
    "subject",
    "subpart",
    "direction",
    "numerator",
    "denominator",
    "rate",
    "rate_rounded",
    "cut",
    "pl0_range",
    "msr_met",
    "years_aggregated",
    "numerator_used",
    "denominator_used",
    "rate_used",
    "prior_rate_rounded",
    "pl",
    "to_next_level",
    "marker",
    "performance_level",
    "report_only",
    "reason",
    "verified",
    "stage",
]
STAGE_COLUMNS = [
    "year",
    "entity_type",
    "entity_id",
    "program_area",
    "n_pl4",
    "n_pl3",
    "n_pl2",
    "n_pl1",
    "n_pl0",
    "n_na",
    "n_nd",
    "n_report_only",
    "stage",
    "rule_from_year",
    "verified",
    "reason",
]


# --- cut points and bands ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bands:
    """PL ranges of one indicator, sub-part and year, in integer tenths (None = open end)."""

    direction: str  # higher | lower
    bounds: tuple[tuple[int | None, int | None], ...]  # PL 0, 1, 2, ...
    verified: bool = True
    bounded_0_100: bool = True  # a rate (0-100) rather than a difference

    @property
    def cut(self) -> int:
        """The PL 0 boundary: its lowest value (higher is better) or its highest (lower)."""
        lo, hi = self.bounds[0]
        return lo if self.direction == "higher" else hi

    def in_pl0(self, rate_t: int) -> bool:
        lo, hi = self.bounds[0]
        return (lo is None or rate_t >= lo) and (hi is None or rate_t <= hi)

    def level(self, rate_t: int) -> int:
        """The PL of a rate in tenths: how many ranges it lies beyond."""
        if self.direction == "higher":
            return sum(1 for lo, _ in self.bounds[:-1] if lo is not None and rate_t < lo)
        return sum(1 for _, hi in self.bounds[:-1] if hi is not None and rate_t > hi)

    def to_next_level(self, rate_t: int) -> int | None:
        """Tenths the rate must move (up if higher is better, down if lower) to reach the next
        better PL; None at PL 0."""
        pl = self.level(rate_t)
        if pl == 0:
            return None
        lo, hi = self.bounds[pl - 1]
        return lo - rate_t if self.direction == "higher" else rate_t - hi

    def range_text(self, k: int = 0) -> str:
        """'70.0 - 100' (TEA's PL 0 column), '0.0 - 8.5', or '<= 1.0' for a difference."""
        lo, hi = self.bounds[k]
        if self.bounded_0_100:
            return f"{tenths_text(lo if lo is not None else 0)} - " + (
                "100" if hi is None or hi == 1000 else tenths_text(hi)
            )
        if lo is None:
            return f"<= {tenths_text(hi)}"
        if hi is None:
            return f">= {tenths_text(lo)}"
        return f"{tenths_text(lo)} - {tenths_text(hi)}"


def generated_bounds(cut_t: int, widths_t: list[int], direction: str):
    """Ranges from a PL 0 cut and band widths (S003: 10.0 / 10.1-20.0 / 20.1+), in tenths.

    Higher is better, cut 70.0, widths [10.0, 20.0]: PL 0 [70.0, -], PL 1 [60.0, 69.9],
    PL 2 [50.0, 59.9], PL 3 [-, 49.9]. Lower is better mirrors it: PL 0 [-, c], PL 1
    [c + 0.1, c + 10.0], ...
    """
    edges = [0, *widths_t]
    if direction == "higher":
        out = [(cut_t, None)]
        out += [(cut_t - edges[k], cut_t - edges[k - 1] - 1) for k in range(1, len(edges))]
        out.append((None, cut_t - edges[-1] - 1))
    else:
        out = [(None, cut_t)]
        out += [(cut_t + edges[k - 1] + 1, cut_t + edges[k]) for k in range(1, len(edges))]
        out.append((cut_t + edges[-1] + 1, None))
    return tuple(out)


def bands_for(ind: Indicator, subject: str, year: int, rules: PbmasRules) -> Bands:
    """The PL ranges in force for an indicator, sub-part (or ``ALL``) and year.

    Order of precedence: the year's ``by_year`` entry, then the indicator's own ``ranges``
    or ``cut``, then ``pbmas.standards.cuts[subject]`` (passing-rate indicators).
    """
    y = ind.by_year.get(year)
    verified = ind.verified and (y is None or y.verified)
    ranges = (
        y.ranges
        if y is not None and y.ranges is not None
        else (None if y is not None and y.cut is not None else ind.ranges)
    )
    cut = y.cut if y is not None and y.cut is not None else ind.cut
    widths = (y.bands if y is not None and y.bands else None) or ind.bands or rules.standards.bands
    bounded = ind.kind not in DIFFERENCE_KINDS
    if ranges is not None and (subject in ranges or "ALL" in ranges):
        r = ranges.get(subject) or ranges["ALL"]
        return Bands(ind.direction, tuple(r.tenths()), verified, bounded)
    if cut is not None and (subject in cut or "ALL" in cut):
        cut_t = to_tenths(cut.get(subject, cut.get("ALL")))
    else:
        cut_t = to_tenths(rules.standards.cuts[subject])
        verified = verified and rules.standards.verified
    return Bands(
        ind.direction,
        generated_bounds(cut_t, [to_tenths(w) for w in widths], ind.direction),
        verified,
        bounded,
    )


# --- one indicator, one year ----------------------------------------------------------------------


def _tenths(c: tuple, mode: str) -> int:
    num, den, cnum, cden = c
    if cnum is None:
        return rate_tenths(num, den, mode)
    return rate_tenths(num * cden - cnum * den, den * cden, mode)


def _rate(c: tuple) -> float:
    num, den, cnum, cden = c
    r = 100.0 * num / den
    return r if cnum is None else r - 100.0 * cnum / cden


def _points(t: int | None) -> float | None:
    return None if t is None else t / 10


def _msr_count(c: tuple, msr: Msr) -> int:
    return c[0] if msr.count == "numerator" else c[1]


def _sum(cs: list[tuple]) -> tuple:
    num = sum(c[0] for c in cs)
    den = sum(c[1] for c in cs)
    if cs[0][2] is None:
        return (num, den, None, None)
    return (num, den, sum(c[2] for c in cs), sum(c[3] for c in cs))


def ri_met(current_t: int, prior_t: int, cut_t: int, direction: str) -> bool:
    """Required improvement, the Texas state-accountability rule (EXT 21), [UNKNOWN] for PBMAS.

    Higher is better: (current - prior) >= (cut - prior) / 2; lower is better: (prior -
    current) >= (prior - cut) / 2 -- enough gain to reach the cut in two years. In tenths and
    doubled, so the half is exact: cut 70.0, prior 50.0 -> 10.0 required; 60.0 meets, 59.9 not.
    """
    if direction == "higher":
        return 2 * (current_t - prior_t) >= cut_t - prior_t
    return 2 * (prior_t - current_t) >= prior_t - cut_t


def assign_level(
    series: Mapping[int, tuple],
    year: int,
    bands: Bands,
    *,
    msr: Msr,
    sa: bool = False,
    pjsa: bool = False,
    ri: bool = False,
    ri_rule: str = "half_gap_two_years",
    ri_needs_msr_both: bool = True,
    marker: str | None = None,
    incremental: bool = True,
    mode: str = "half_up",
) -> dict:
    """The performance level of one indicator and sub-part for one district and year.

    Parameters
    ----------
    series
        Counts by year: ``(numerator, denominator, cmp_numerator, cmp_denominator)`` (the
        last two None unless the indicator is a difference of two rates).
    bands
        :func:`bands_for`.
    msr
        Minimum size: what is counted (denominator or numerator), the minimum, and the years
        that may be summed when the current year falls short.
    sa, pjsa
        Whether special analysis / professional-judgment SA exists for the indicator (a
        human step at TEA; the kit says so in ``reason`` and assigns NA).
    ri
        Whether required improvement can lift PL 1-3 to "0 RI".
    marker
        Label for a PL from aggregated years ("SA" in 2004-05 usage; None in 2017 usage).

    Returns
    -------
    dict
        ``rate, rate_rounded, msr_met, years_aggregated, numerator_used, denominator_used,
        rate_used, prior_rate_rounded, pl, marker, performance_level, reason``.
    """
    cur = series.get(year)
    out = {
        "rate": None,
        "rate_rounded": None,
        "msr_met": None,
        "years_aggregated": None,
        "numerator_used": None,
        "denominator_used": None,
        "rate_used": None,
        "prior_rate_rounded": None,
        "pl": None,
        "to_next_level": None,
        "marker": None,
    }
    prior = series.get(year - 1)
    if prior is not None and prior[1] > 0 and (prior[3] is None or prior[3] > 0):
        out["prior_rate_rounded"] = _tenths(prior, mode) / 10
    if cur is None or cur[1] == 0 or (cur[2] is not None and not cur[3]):
        return {
            **out,
            "performance_level": "ND",
            "reason": "no students in the indicator's group this year",
        }
    r = _tenths(cur, mode)
    out.update(
        rate=_rate(cur),
        rate_rounded=r / 10,
        msr_met=_msr_count(cur, msr) >= msr.min,
        years_aggregated=1,
        numerator_used=cur[0],
        denominator_used=cur[1],
        rate_used=r / 10,
    )
    if bands.in_pl0(r):
        reason = None if out["msr_met"] else "in the PL 0 range: PL 0 whatever the size (EXT 13)"
        return {**out, "pl": 0, "performance_level": "0", "reason": reason}
    if out["msr_met"]:
        pl = bands.level(r)
        if (
            ri
            and ri_rule != "none"
            and prior is not None
            and out["prior_rate_rounded"] is not None
            and (not ri_needs_msr_both or _msr_count(prior, msr) >= msr.min)
        ):
            if ri_met(r, _tenths(prior, mode), bands.cut, bands.direction):
                return {
                    **out,
                    "pl": 0,
                    "marker": "RI",
                    "performance_level": "0 RI",
                    "reason": f"PL {pl} lifted by required improvement",
                }
        return {
            **out,
            "pl": pl,
            "performance_level": str(pl),
            "reason": None,
            "to_next_level": _points(bands.to_next_level(r)),
        }
    spans = range(2, msr.years + 1) if incremental else ([msr.years] if msr.years > 1 else [])
    tried = 1
    for k in spans:
        window = [series[y] for y in range(year - k + 1, year + 1) if y in series]
        tried = k
        agg = _sum(window)
        if _msr_count(agg, msr) >= msr.min and agg[1] > 0:
            ra = _tenths(agg, mode)
            pl = 0 if bands.in_pl0(ra) else bands.level(ra)
            label = f"{pl} {marker}" if marker else str(pl)
            return {
                **out,
                "pl": pl,
                "marker": marker,
                "performance_level": label,
                "to_next_level": _points(bands.to_next_level(ra)),
                "years_aggregated": len(window),
                "numerator_used": agg[0],
                "denominator_used": agg[1],
                "rate_used": ra / 10,
                "reason": f"minimum size met over {len(window)} years of data",
            }
    if tried > 1:
        window = [series[y] for y in range(year - tried + 1, year + 1) if y in series]
        agg = _sum(window)
        out.update(years_aggregated=len(window), numerator_used=agg[0], denominator_used=agg[1])
    what = "numerator" if msr.count == "numerator" else "students"
    reason = f"fewer than {msr.min} {what} this year" + (
        f" or over {tried} years" if tried > 1 else ""
    )
    if sa or pjsa:
        reason += (
            "; special analysis ("
            + "/".join(x for x, on in (("SA", sa), ("PJSA", pjsa)) if on)
            + ") would be TEA's to make"
        )
    else:
        reason += "; no special analysis for this indicator"
    return {**out, "performance_level": "NA", "reason": reason}


# --- the whole table ---------------------------------------------------------------------------


def _series_index(counts: pd.DataFrame, difference: bool) -> dict:
    index: dict[tuple, dict[int, tuple]] = defaultdict(dict)
    for r in counts.to_dict("records"):
        c = (
            int(r["numerator"]),
            int(r["denominator"]),
            int(r["cmp_numerator"]) if difference and pd.notna(r.get("cmp_numerator")) else None,
            int(r["cmp_denominator"])
            if difference and pd.notna(r.get("cmp_denominator"))
            else None,
        )
        if difference and c[2] is None:
            c = (c[0], c[1], 0, 0)
        index[(str(r["district_id"]), r["subject"])][int(r["year"])] = c
    return index


def pbmas_levels(
    tables: Mapping[str, pd.DataFrame], rules: PbmasRules, years: list[int] | None = None
) -> pd.DataFrame:
    """One row per year x district x indicator x sub-part (the ``pbmas`` facts shape).

    Parameters
    ----------
    tables
        The kit's tables by name: ``students`` (required) and, as the indicators need them,
        ``assessments``, ``graduation``, ``elp_assessments``, ``discipline``, ``courses``
        (docs/data.md). An absent table or column makes its indicators "ND" with the reason.
    years
        Years to assign (default: every year of ``students``); earlier years still feed
        aggregation and RI.
    """
    st = tables.get("students")
    if st is None or st.empty:
        raise DataError(
            "PBMAS needs the students table: it names each district's students "
            "and their program flags.",
            file="students",
            fix="Pass the students table (docs/data.md) with the other tables.",
        )
    districts = st.groupby("year")["district_id"].unique().to_dict()
    years = sorted(int(y) for y in (years or districts))
    rows = []
    cache: dict = {}
    for ind in rules.indicators:
        ic = indicator_counts(ind, tables, rules, cache)
        diff = ind.kind in DIFFERENCE_KINDS
        index = _series_index(ic.counts, diff)
        subjects = ind.subjects or ["ALL"]
        for year in years:
            y = ind.by_year.get(year)
            msr = (y.msr if y is not None and y.msr else None) or ind.msr or rules.msr
            report_only = (
                y.report_only if y is not None and y.report_only is not None else ind.report_only
            )
            for k, subj in enumerate(subjects):
                bands = bands_for(ind, subj, year, rules)
                for district in sorted(str(d) for d in districts.get(year, [])):
                    if subj in ic.absent:
                        res = {"performance_level": "ND", "reason": ic.absent[subj]}
                        series = {}
                    else:
                        series = index.get((district, subj), {})
                        res = assign_level(
                            series,
                            year,
                            bands,
                            msr=msr,
                            sa=ind.sa,
                            pjsa=ind.pjsa,
                            ri=ind.ri,
                            ri_rule=rules.ri.rule,
                            ri_needs_msr_both=rules.ri.requires_msr_both_years,
                            marker=rules.aggregation.marker,
                            incremental=rules.aggregation.incremental,
                            mode=rules.rounding.mode,
                        )
                    cur = series.get(year)
                    rows.append(
                        {
                            "year": year,
                            "entity_type": "district",
                            "entity_id": district,
                            "district": district,
                            "program_area": ind.program_area,
                            "program_area_name": rules.area_name(ind.program_area),
                            "indicator": ind.label,
                            "indicator_number": ind.number,
                            "indicator_name": ind.name,
                            "subject": None if subj == "ALL" else subj,
                            "subpart": None if subj == "ALL" else ROMAN[k],
                            "direction": ind.direction,
                            "numerator": cur[0] if cur else (None if subj in ic.absent else 0),
                            "denominator": cur[1] if cur else (None if subj in ic.absent else 0),
                            "cut": bands.cut / 10,
                            "pl0_range": bands.range_text(0),
                            "report_only": report_only,
                            "verified": bands.verified,
                            **{
                                c: None
                                for c in (
                                    "rate",
                                    "rate_rounded",
                                    "msr_met",
                                    "years_aggregated",
                                    "numerator_used",
                                    "denominator_used",
                                    "rate_used",
                                    "prior_rate_rounded",
                                    "pl",
                                    "to_next_level",
                                    "marker",
                                )
                            },
                            **res,
                        }
                    )
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "stage"])
    for col in (
        "pl",
        "numerator",
        "denominator",
        "years_aggregated",
        "numerator_used",
        "denominator_used",
    ):
        out[col] = out[col].astype("Int64")
    return out


def pbmas_stages(levels: pd.DataFrame, rules: PbmasRules) -> pd.DataFrame:
    """Stage of intervention per year x district x program area from the counts of PL 4/3/2/1.

    Notes
    -----
    EXT 19/20: each program area is staged separately, from the numbers of PL 4s, 3s and 2s,
    with cut points set each year; Report Only indicators do not count
    (``exclude_report_only``); "0 RI" counts as PL 0. TEA also used "other criteria" and
    data-validation results (S003), so a kit stage is the rule table's reading only. With no
    table for a program area and year, ``stage`` is empty and ``reason`` says why.
    """
    keys = ["year", "entity_id", "program_area"]
    counted = (
        ~levels["report_only"].astype(bool)
        if rules.staging.exclude_report_only
        else pd.Series(True, index=levels.index)
    )
    pl = levels["pl"]
    flags = pd.DataFrame(
        {
            **{f"n_pl{k}": (counted & (pl == k)).fillna(False) for k in (4, 3, 2, 1, 0)},
            "n_na": levels["performance_level"] == "NA",
            "n_nd": levels["performance_level"] == "ND",
            "n_report_only": levels["report_only"].astype(bool),
        }
    ).astype(int)
    agg = pd.concat([levels[keys], flags], axis=1).groupby(keys, sort=True).sum().reset_index()
    rows = []
    for r in agg.to_dict("records"):
        counts = {k: int(r[f"n_pl{k}"]) for k in range(5)}
        table = rules.staging.table(r["program_area"], int(r["year"]))
        stage, reason, from_year, verified = None, None, None, False
        if table is None:
            reason = (
                f"no staging table for {r['program_area']} in {r['year']}: TEA's table is not known"
            )
        else:
            stage = next((x.stage for x in table.rules if x.matches(counts)), table.otherwise)
            from_year, verified = table.from_year, table.verified
        rows.append(
            {
                **r,
                "year": int(r["year"]),
                "entity_type": "district",
                "stage": stage,
                "rule_from_year": from_year,
                "verified": verified,
                "reason": reason,
            }
        )
    return pd.DataFrame(rows, columns=STAGE_COLUMNS)


@dataclass(frozen=True)
class PbmasResult:
    """The two future facts tables: ``pbmas`` (indicator rows) and ``pbmas_stage``."""

    pbmas: pd.DataFrame
    stages: pd.DataFrame

    def to_dict(self) -> dict:
        return {"pbmas": self.pbmas.to_dict("records"), "stages": self.stages.to_dict("records")}


def pbmas_tables(
    tables: Mapping[str, pd.DataFrame], rules: PbmasRules, years: list[int] | None = None
) -> PbmasResult:
    """:func:`pbmas_levels` and :func:`pbmas_stages`, with each row's program-area stage."""
    levels = pbmas_levels(tables, rules, years)
    stages = pbmas_stages(levels, rules)
    out = levels.merge(
        stages[["year", "entity_id", "program_area", "stage"]],
        on=["year", "entity_id", "program_area"],
        how="left",
    )
    return PbmasResult(out[COLUMNS], stages)
