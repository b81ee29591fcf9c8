"""Sentences of the MSIP 5 Annual Performance Report (``kit/narrative/templates/msip_*.md.j2``).

Each ``describe_*`` takes a view of :mod:`kit.views.msip` (suppression applied) and renders a
template in which every number goes through a ``fmt_*`` filter, so that a sentence reads
the figure its table shows. Points and percents are printed at one decimal, as DESE prints
the APR.
"""

from __future__ import annotations

import pandas as pd

from kit.fmt import is_missing
from kit.narrative.render import render_template
from kit.views.context import ReportContext
from kit.views.msip import apr_measures, apr_not_counted, apr_standards, apr_total

NEXT_LEVEL = {"Floor": "Approaching", "Approaching": "On Track", "On Track": "Exceeding"}
PROXY_PREFIX = "kit proxy"


def _clean(v):
    if is_missing(v):
        return None
    return v


def _rec(rec: dict) -> dict:
    return {k: _clean(v) for k, v in rec.items()}


def _change_words(change: float, since: int) -> str:
    rounded = round(change, 1)
    if rounded == 0:
        return "the same percent as in"
    word = "up" if rounded > 0 else "down"
    size = f"{abs(rounded):.1f}"
    unit = "point" if size == "1.0" else "points"
    return f"{word} {size} percentage {unit} from"


def describe_apr_intro(apr: pd.DataFrame, ctx: ReportContext) -> str:
    """What the report covers, for a district or a building."""
    names = [f"{r['standard']} {r['standard_name']}" for r in apr_standards(apr).to_dict("records")]
    return render_template("msip_intro.md.j2", ctx=ctx, standards=", ".join(names))


def describe_apr_banner(
    banner: list[dict], ctx: ReportContext, growth_label: str | None = None
) -> str:
    """The blockquote naming the illustrative (``verified: false``) tables of the report."""
    labels = [b["label"][:1].lower() + b["label"][1:] for b in banner]
    proxy = growth_label if growth_label and growth_label.startswith(PROXY_PREFIX) else None
    return render_template(
        "msip_banner.md.j2", banner=banner, n=len(banner), labels="; ".join(labels), proxy=proxy
    )


def describe_apr_headline(apr: pd.DataFrame, years: pd.DataFrame, ctx: ReportContext) -> str:
    """The APR total and band, the change since last year, and rows left out of the total."""
    total = apr_total(apr)
    prior = None
    change_words = None
    earlier = years[years["year"] < ctx.year]
    if len(earlier) and total:
        prior = _rec(earlier.iloc[-1].to_dict())
        if prior.get("percent") is not None and total.get("percent") is not None:
            diff = round(total["percent"], 1) - round(prior["percent"], 1)
            change_words = _change_words(diff, int(prior["year"]))
        else:
            prior = None
    left = apr_not_counted(apr)
    not_counted = [f"{r['label']} ({_group(r)})" for r in left.to_dict("records")]
    full = float(apr_measures(apr)["possible"].sum())
    return render_template(
        "msip_headline.md.j2",
        ctx=ctx,
        total=total,
        prior=prior,
        change_words=change_words,
        not_counted=not_counted,
        full=full,
    )


def describe_apr_summary(
    apr: pd.DataFrame,
    years: pd.DataFrame,
    ctx: ReportContext,
    gains: pd.DataFrame,
    growth_label: str | None = None,
) -> str:
    """The first-page summary: the APR total and band, the weakest standard and the rows with
    the most points still to gain, then what to look at next (Markdown under "Summary").

    Each figure is one the report prints further on (the headline, the standards sentence,
    the gains sentence and table), with the same rounding."""
    total = apr_total(apr)
    prior, change_words = None, None
    earlier = years[years["year"] < ctx.year]
    if len(earlier) and total and total.get("percent") is not None:
        rec = _rec(earlier.iloc[-1].to_dict())
        if rec.get("percent") is not None:
            prior = rec
            diff = round(total["percent"], 1) - round(prior["percent"], 1)
            change_words = _change_words(diff, int(prior["year"]))
    rows = [_rec(r) for r in apr_standards(apr).to_dict("records") if r["possible"] > 0]
    ordered = sorted(rows, key=lambda r: (round(r["percent"], 1), r["standard"]))
    # The weakest standard only where the standards sentence names it (two or more, unequal).
    worst = (
        ordered[0]
        if len(rows) > 1 and round(ordered[0]["percent"], 1) < round(ordered[-1]["percent"], 1)
        else None
    )
    picked = []
    for rec in gains.to_dict("records"):
        r = _rec(rec)
        r["group_word"] = _group(r)
        picked.append(r)
    proxy = bool(growth_label and growth_label.startswith(PROXY_PREFIX))
    return render_template(
        "msip_summary.md.j2",
        ctx=ctx,
        total=total,
        prior=prior,
        change_words=change_words,
        worst=worst,
        gains=picked,
        proxy=proxy,
    )


def _group(rec: dict) -> str:
    return "super subgroup" if rec.get("group") == "super_subgroup" else "all students"


def describe_apr_standards(apr: pd.DataFrame, ctx: ReportContext) -> str:
    """The standards that earned the largest and smallest share of their points."""
    rows = [_rec(r) for r in apr_standards(apr).to_dict("records") if r["possible"] > 0]
    if not rows:
        return ""
    ordered = sorted(rows, key=lambda r: (round(r["percent"], 1), r["standard"]))
    return render_template(
        "msip_standards.md.j2", rows=rows, best=ordered[-1], worst=ordered[0], ctx=ctx
    )


def describe_apr_gains(gains: pd.DataFrame, ctx: ReportContext) -> str:
    """What would move the score most: the rows with the most points still to gain."""
    out = []
    for rec in gains.to_dict("records"):
        r = _rec(rec)
        r["group_word"] = _group(r)
        r["next_level"] = NEXT_LEVEL.get(r.get("category"))
        r["next_cut"] = r.get("next_status_cut")
        r["unit"] = "" if r.get("metric") == "mpi" else "%"
        # a hidden value is not shown, so neither is the distance that would reveal it
        r["shown_to_next"] = None if r.get("suppressed") else r.get("to_next_status")
        if r["next_cut"] is None:
            r["next_level"] = None
        out.append(r)
    return render_template("msip_gains.md.j2", gains=out, ctx=ctx)


def describe_apr_standard(apr: pd.DataFrame, ctx: ReportContext, standard: str) -> str:
    """One standard in a sentence: its points and each row's points and status level."""
    std = next(
        (_rec(r) for r in apr_standards(apr).to_dict("records") if r["standard"] == standard),
        None,
    )
    if std is None:
        return ""
    rows = []
    for rec in apr_measures(apr, standard).to_dict("records"):
        r = _rec(rec)
        r["what"] = "MPI" if r.get("metric") == "mpi" else "rate"
        value = r.get("value")
        if value is None:
            r["value_text"] = "not reported"
        else:
            r["value_text"] = f"{value:.1f}" if r["what"] == "MPI" else f"{value:.1f}%"
        r["zero"] = bool(r.get("reason") and str(r["reason"]).startswith("participation"))
        rows.append(r)
    subgroup = any(r.get("group") == "super_subgroup" for r in rows)
    return render_template("msip_standard.md.j2", std=std, rows=rows, subgroup=subgroup, ctx=ctx)


def describe_apr_growth(
    apr: pd.DataFrame, ctx: ReportContext, label: str | None, *, single_district: bool = False
) -> str:
    """Where growth came from; the proxy is named "kit proxy, not the Missouri Growth Model"."""
    rows = apr_measures(apr)
    rows = rows[rows["standard"].isin(["1", "2"]) & rows["counted"]]
    used = int((rows["growth_points"].fillna(0) > rows["progress_points"].fillna(0)).sum())
    proxy = bool(label and label.startswith(PROXY_PREFIX))
    return render_template(
        "msip_growth.md.j2",
        proxy=proxy,
        label=label,
        used=used,
        estimates=int(rows["growth_category"].notna().sum()),
        rows=len(rows),
        single_district=single_district and ctx.entity_type == "district" and proxy,
        ctx=ctx,
    )


def describe_apr_method(
    ctx: ReportContext,
    banner: list[dict],
    growth_label: str | None = None,
    score_min_n: int | None = None,
) -> str:
    """The closing 'About these figures': the APR's definitions and the unverified tables."""
    proxy = growth_label if growth_label and growth_label.startswith(PROXY_PREFIX) else None
    return render_template(
        "msip_method.md.j2",
        ctx=ctx,
        banner=banner,
        proxy=proxy,
        min_n=ctx.reporting_min_n,
        score_min_n=score_min_n or "the minimum number of",
    )


__all__ = [
    "describe_apr_banner",
    "describe_apr_gains",
    "describe_apr_growth",
    "describe_apr_headline",
    "describe_apr_intro",
    "describe_apr_method",
    "describe_apr_standard",
    "describe_apr_standards",
    "describe_apr_summary",
]
