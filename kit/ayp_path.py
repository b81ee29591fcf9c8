"""The words of an AYP path, rendered from its stored fields: the one place they are written.

The build stores, for every ``ayp`` row, the figures the determination rests on as JSON
(``path_fields``: whether the group made AYP, how achievement was judged, participation, and
each test's numbers). :func:`fmt_ayp_path` turns them into the sentence of the ``path``
column ("status: 72.4 >= AMO 70.0"). The build fills ``path`` by calling it, and the reports
call it again on the stored fields (``kit.views.index.view_ayp``), so a change of wording is
made here and nowhere else. This module sits with :mod:`kit.fmt` at the bottom of the import
order (the build and the reports both use it) and imports only the standard library.

The fields (:func:`kit.accountability.ayp.determine_ayp` writes them)::

    {"met": bool, "achievement": "met" | "not_met" | "not_judged",
     "n": int, "min_n": int,                       # accountable students and the minimum
     "participation": {"met": bool, "rate": float, "min_rate": float,
                       "best_average": float | null, "average_years": int},
     "tests": [{"id": str, "kind": str, "met": bool, ...}, ...]}

``tests`` holds what the sentence needs: the test met first when achievement was met, every
test of the determination when it was not, none when achievement was not judged. Each test
carries the numbers of its kind (:data:`TEST_FIELDS`); a number that could not be computed
is ``null`` and prints as ``nan``, as the figures did before they were stored.

>>> fmt_ayp_path({"met": True, "achievement": "met", "n": 60, "min_n": 40,
...     "participation": {"met": True, "rate": 97.0, "min_rate": 95, "best_average": None,
...                       "average_years": 0},
...     "tests": [{"id": "status", "kind": "status", "met": True, "value": 72.4,
...                "target": 70.0, "decimals": 1, "year": 2024}]})
'status: 72.4 >= AMO 70.0'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

PCT = "pct_proficient"  # the measure id of percent proficient (kit.frameworks.loader.PCT)

METHOD_NAMES = {
    "wilson": "Wilson",
    "wald": "Wald",
    "wald_target": "Wald at the target",
    "exact": "exact binomial",
}

# The numbers each kind of test stores beside ``id``, ``kind`` and ``met``.
TEST_FIELDS = {
    "status": ("value", "target", "decimals", "year"),
    "ci": ("value", "hi", "target", "decimals", "level", "method", "n"),
    "safe_harbor": ("fell", "reduction", "measure", "goal", "available", "achieved", "prior_year"),
    "averaging": ("k", "best", "target", "decimals", "available", "min_years"),
    "index": ("model", "value", "target", "decimals", "available", "achieved"),
    "index_gain": ("model", "gain", "required", "decimals", "available", "achieved", "prior_year"),
}

Fields = Mapping[str, Any]


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _round(x: float, decimals: int) -> float:
    """``numpy.round``: x times 10^d, rounded half to even, divided back (keeps -0.0)."""
    if math.isnan(x) or math.isinf(x):
        return x
    f = 10.0**decimals
    y = x * f
    return math.copysign(round(y) / f, y)


def _f(x: Any, decimals: int = 1) -> str:
    """A figure of the path: rounded as numpy rounds, then printed with ``decimals``."""
    return f"{_round(_num(x), decimals):.{decimals}f}"


def _short(target: Any, value: Any, decimals: int) -> str:
    """'8.8 short', as the rounded figures shown beside it subtract; 'less than 0.1 short'
    when both round to the same figure (the comparison itself is unrounded)."""
    diff = _round(_num(target), decimals) - _round(_num(value), decimals)
    if _round(diff, decimals) > 0:
        return _f(diff, decimals) + " short"
    return f"less than {10**-decimals:g} short"


def _name(t: Fields) -> str:
    return str(t["id"]).replace("_", " ")


def _gap_words(measure: str, goal: float) -> str:
    if measure == PCT and goal == 100:
        return "non-proficient"
    return f"gap to {goal:g}"


def _ok(t: Fields) -> str:
    """The words of a test that was met."""
    name, kind = _name(t), t["kind"]
    d = int(t["decimals"]) if "decimals" in TEST_FIELDS.get(kind, ()) else 1
    if kind == "status":
        return f"{name}: {_f(t['value'], d)} >= AMO {_f(t['target'], d)}"
    if kind == "ci":
        level = f"{t['level'] * 100:g}%"
        return (
            f"{name}: {_f(t['value'], d)}, its {level} upper bound {_f(t['hi'], d)} >= AMO "
            f"{_f(t['target'], d)} ({METHOD_NAMES[t['method']]}, n {int(t['n'])})"
        )
    if kind == "safe_harbor":
        need = f"{t['reduction'] * 100:g}%"
        words = _gap_words(t["measure"], t["goal"])
        return f"{name}: {words} fell {_f(t['fell'])}% (needed {need})"
    if kind == "averaging":
        return f"{name}: {t['k']}-year mean {_f(t['best'], d)} >= AMO {_f(t['target'], d)}"
    if kind == "index":
        return f"{name}: {t['model']} {_f(t['value'], d)} >= target {_f(t['target'], d)}"
    if kind == "index_gain":
        return f"{name}: {t['model']} rose {_f(t['gain'], d)} (needed {_f(t['required'], d)})"
    raise ValueError(f"unknown AYP test kind {kind!r}")


def _fail(t: Fields) -> str:
    """The words of a test that was not met: why, with the figures."""
    name, kind = _name(t), t["kind"]
    d = int(t["decimals"]) if "decimals" in TEST_FIELDS.get(kind, ()) else 1
    if kind == "status":
        if t["target"] is None:
            return f"{name}: no AMO for {t['year']}"
        if t["value"] is None:
            return f"{name}: no result"
        short = _short(t["target"], t["value"], d)
        return f"{name} {_f(t['value'], d)} < AMO {_f(t['target'], d)} ({short})"
    if kind == "ci":
        if t["target"] is None:
            return f"{name}: no AMO"
        level = f"{t['level'] * 100:g}%"
        return f"{name}: {level} upper bound {_f(t['hi'], d)} < AMO {_f(t['target'], d)}"
    if kind == "safe_harbor":
        if not t["available"]:
            return f"{name}: no result for {t['prior_year']}"
        need = f"{t['reduction'] * 100:g}%"
        fell = _num(t["fell"])
        if fell >= 0:
            text = f"{name}: fell {_f(fell)}% (needed {need})"
        else:
            words = _gap_words(t["measure"], t["goal"])
            text = f"{name}: {words} rose {_f(-fell)}% (needed a {need} fall)"
        return text + " but participation was not met" if t["achieved"] else text
    if kind == "averaging":
        if not t["available"]:
            return f"{name}: fewer than {t['min_years']} years of results"
        return f"{name}: best {t['k']}-year mean {_f(t['best'], d)} < AMO {_f(t['target'], d)}"
    if kind == "index":
        model = t["model"]
        if not t["available"]:
            return f"{name}: no {model} result or target"
        if t["achieved"]:
            return f"{name}: {model} met its target but participation was not met"
        short = _short(t["target"], t["value"], d)
        return f"{name}: {model} {_f(t['value'], d)} < target {_f(t['target'], d)} ({short})"
    if kind == "index_gain":
        model = t["model"]
        if not t["available"]:
            return f"{name}: no {model} result for {t['prior_year']}"
        gain = _num(t["gain"])
        signed = ("+" if gain >= 0 else "-") + _f(abs(gain), d)
        base = f"{name}: {model} changed {signed} (needed {_f(t['required'], d)}"
        if t["achieved"]:
            return base + ") but participation was not met"
        return base + "; " + _short(t["required"], gain, d) + ")"
    raise ValueError(f"unknown AYP test kind {kind!r}")


def _participation(p: Fields) -> str:
    """Participation not met: the rate against the minimum (and the best average)."""
    text = f"participation {_f(p['rate'])}% < {p['min_rate']:g}%"
    if p.get("best_average") is not None:
        text += f" (best average {_f(p['best_average'])}%)"
    return text


def fmt_ayp_path(fields: Fields | str) -> str:
    """The ``path`` sentence of one AYP row from its ``path_fields`` (a dict or its JSON).

    Met: the first test met ("status: 72.4 >= AMO 70.0"), and how participation was met
    when an average was needed; met on participation alone: "participation only: ...";
    not met: "not met: " and why (participation first, then each test's shortfall).
    """
    f: Fields = json.loads(fields) if isinstance(fields, str) else fields
    part = f["participation"]
    tests = f["tests"]
    if f["met"]:
        if f["achievement"] == "not_judged":
            return (
                f"participation only: {f['n']} accountable students, fewer than "
                f"{f['min_n']} for achievement"
            )
        k = int(part.get("average_years") or 0)
        avg = f"; participation met by the {k}-year average" if k > 0 else ""
        return _ok(tests[0]) + avg
    if not part["met"]:
        words = _participation(part)
        if f["achievement"] == "met":
            return f"not met: {words}; achievement met ({_ok(tests[0])})"
        if f["achievement"] == "not_judged":
            return f"not met: {words}"
        return f"not met: {words}; " + "; ".join(_fail(t) for t in tests)
    return "not met: " + "; ".join(_fail(t) for t in tests)
