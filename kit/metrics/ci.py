"""Confidence intervals for a proportion, vectorised (DOMAIN.md, AYP determinations step 3).

States that used a confidence interval in AYP asked whether the *upper* bound of an interval
around a group's result reaches the AMO, so a small group is not failed on sampling noise
alone. Four methods are in use:

- **Wilson score** interval: the inversion of the score test; good coverage at small n.
- **Wald**: p +/- z sqrt(p (1 - p) / n), the textbook normal approximation.
- **Wald at the target**: the standard error is computed at the AMO rather than at the
  observed p, i.e. a one-sample test of H0: p = AMO (several states' "z-test" rule).
- **Exact binomial** (Clopper-Pearson): the bounds are beta quantiles; no approximation.

Every function takes proportions in 0-1 and counts, as numpy arrays (or scalars), and is
pure. ``sided="one"`` puts all of ``1 - level`` in one tail (z = 1.645 at 95 %);
``sided="two"`` splits it (z = 1.960 at 95 %). Only the standard library and numpy are used:
the normal quantile comes from :class:`statistics.NormalDist` and the regularised incomplete
beta function from a continued fraction (Numerical Recipes, 3rd ed., section 6.4).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

import numpy as np

Method = Literal["wilson", "wald", "wald_target", "exact"]
Sided = Literal["one", "two"]
METHODS: tuple[str, ...] = ("wilson", "wald", "wald_target", "exact")


def tail_alpha(level: float, sided: Sided) -> float:
    """Probability in the upper tail: ``1 - level`` one-sided, half of it two-sided."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, not {level!r}")
    if sided not in ("one", "two"):
        raise ValueError(f"sided must be 'one' or 'two', not {sided!r}")
    return (1.0 - level) if sided == "one" else (1.0 - level) / 2.0


def z_value(level: float, sided: Sided = "two") -> float:
    """Normal quantile for the level: 1.960 for 95 % two-sided, 1.645 for 95 % one-sided."""
    return NormalDist().inv_cdf(1.0 - tail_alpha(level, sided))


def _arrays(p, n) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype="float64")
    n = np.asarray(n, dtype="float64")
    return np.broadcast_arrays(p, np.where(n > 0, n, np.nan))


def wilson_interval(p, n, *, level: float = 0.95, sided: Sided = "two"):
    """Wilson score interval for a proportion ``p`` observed in ``n`` trials.

    Notes
    -----
    centre = (p + z^2 / 2n) / (1 + z^2 / n);
    half-width = z sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n).
    Golden value (DOMAIN.md): n = 10, p = 0.5, 95 % two-sided -> [0.2366, 0.7634]:
    centre 0.5, half-width 1.96 x sqrt(0.025 + 0.009604) / 1.38416 = 0.26341. Bounds are
    clipped to [0, 1] (floating-point noise at p = 0 or 1).
    """
    p, n = _arrays(p, n)
    z = z_value(level, sided)
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def wald_interval(p, n, *, level: float = 0.95, sided: Sided = "two"):
    """Wald interval p +/- z sqrt(p (1 - p) / n), clipped to [0, 1].

    Notes
    -----
    n = 100, p = 0.5, 95 % two-sided: 0.5 +/- 1.96 x 0.05 = [0.402, 0.598].
    """
    p, n = _arrays(p, n)
    half = z_value(level, sided) * np.sqrt(p * (1.0 - p) / n)
    return np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)


def wald_target_interval(p, n, target, *, level: float = 0.95, sided: Sided = "two"):
    """Interval p +/- z sqrt(t (1 - t) / n) with the standard error taken at the target ``t``.

    Notes
    -----
    Equivalent to the z-test of H0: p = t. n = 25, p = 0.6, t = 0.7, 95 % one-sided:
    SE = sqrt(0.21 / 25) = 0.09165; upper bound 0.6 + 1.645 x 0.09165 = 0.7508 >= 0.7.
    """
    p, n = _arrays(p, n)
    t = np.asarray(target, dtype="float64")
    half = z_value(level, sided) * np.sqrt(t * (1.0 - t) / n)
    return np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)


# --- exact binomial ------------------------------------------------------------------------

_TINY = 1e-300


def _betacf(a: np.ndarray, b: np.ndarray, x: np.ndarray, eps: float = 1e-13) -> np.ndarray:
    """Continued fraction of the incomplete beta function (modified Lentz), vectorised.

    Elements that have converged drop out of the loop, so the cost is the sum of the
    iterations each element needs (about sqrt(max(a, b))), not the worst one times all.
    """
    out = np.empty_like(x)
    idx = np.arange(x.size)
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1.0 / d
    h = d.copy()
    m = 1
    while idx.size:
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        h = h * d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        done = (np.abs(delta - 1.0) < eps) | (m > 10_000)
        if done.any():
            out[idx[done]] = h[done]
            keep = ~done
            idx, a, b, x, qab, qap, qam, c, d, h = (
                v[keep] for v in (idx, a, b, x, qab, qap, qam, c, d, h)
            )
        m += 1
    return out


def betainc(a, b, x) -> np.ndarray:
    """Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    a, b, x = (np.asarray(v, dtype="float64") for v in (a, b, x))
    a, b, x = np.broadcast_arrays(a, b, x)
    a, b, x = a.ravel(), b.ravel(), x.ravel()
    out = np.full(x.shape, np.nan)
    ok = (a > 0) & (b > 0) & (x >= 0) & (x <= 1)
    out[ok & (x == 0)] = 0.0
    out[ok & (x == 1)] = 1.0
    mid = ok & (x > 0) & (x < 1)
    if mid.any():
        am, bm, xm = a[mid], b[mid], x[mid]
        lgam = np.vectorize(math.lgamma, otypes=[float])
        lbt = lgam(am + bm) - lgam(am) - lgam(bm) + am * np.log(xm) + bm * np.log1p(-xm)
        front = xm < (am + 1.0) / (am + bm + 2.0)
        res = np.empty(xm.shape)
        if front.any():
            res[front] = np.exp(lbt[front]) * _betacf(am[front], bm[front], xm[front]) / am[front]
        back = ~front
        if back.any():
            res[back] = (
                1.0 - np.exp(lbt[back]) * _betacf(bm[back], am[back], 1.0 - xm[back]) / bm[back]
            )
        out[mid] = res
    return out.reshape(np.broadcast(a, b, x).shape)


def binom_cdf(k, n, p) -> np.ndarray:
    """P(X <= k) for X ~ Binomial(n, p), via I_{1-p}(n - k, k + 1); exact for integer k, n.

    Notes
    -----
    n = 10, p = 0.5: P(X <= 5) = 638 / 1024 = 0.623047 (sum of C(10, i) for i <= 5, / 2^10).
    """
    k, n, p = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (k, n, p)))
    out = np.where(k >= n, 1.0, np.where(k < 0, 0.0, np.nan))
    mid = (k >= 0) & (k < n)
    if mid.any():
        out = out.copy()
        out[mid] = betainc(n[mid] - k[mid], k[mid] + 1.0, 1.0 - p[mid])
    return out


def beta_ppf(q, a, b, *, iterations: int = 60) -> np.ndarray:
    """Quantile of the Beta(a, b) distribution by bisection on :func:`betainc` (vectorised)."""
    q, a, b = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (q, a, b)))
    lo = np.zeros(q.shape)
    hi = np.ones(q.shape)
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        below = betainc(a, b, mid) < q
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2.0


def clopper_pearson_interval(x, n, *, level: float = 0.95, sided: Sided = "two"):
    """Exact (Clopper-Pearson) interval for ``x`` successes in ``n`` trials.

    Notes
    -----
    lower = Beta quantile(alpha; x, n - x + 1) (0 when x = 0);
    upper = Beta quantile(1 - alpha; x + 1, n - x) (1 when x = n);
    alpha = 1 - level one-sided, (1 - level) / 2 two-sided. n = 10, x = 5, 95 % two-sided
    -> [0.1871, 0.8129] (the textbook value).
    """
    x, n = np.broadcast_arrays(np.asarray(x, dtype="float64"), np.asarray(n, dtype="float64"))
    alpha = tail_alpha(level, sided)
    valid = n > 0
    lo = np.full(x.shape, np.nan)
    hi = np.full(x.shape, np.nan)
    # Bisect once per distinct (x, n): groups of a state share many of them.
    pairs = np.stack([x[valid], n[valid]], axis=1) if valid.any() else np.empty((0, 2))
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    ux, un = uniq[:, 0], uniq[:, 1]
    ulo = np.zeros(ux.shape)
    uhi = np.ones(ux.shape)
    some = ux > 0
    if some.any():
        ulo[some] = beta_ppf(alpha, ux[some], un[some] - ux[some] + 1.0)
    notall = ux < un
    if notall.any():
        uhi[notall] = beta_ppf(1.0 - alpha, ux[notall] + 1.0, un[notall] - ux[notall])
    lo[valid] = ulo[inverse]
    hi[valid] = uhi[inverse]
    return lo, hi


# --- one entry point -----------------------------------------------------------------------


def interval(
    method: Method,
    p,
    n,
    *,
    target=None,
    level: float = 0.95,
    sided: Sided = "two",
):
    """The interval of ``method`` for proportion ``p`` (0-1) in ``n``; ``target`` for Wald-at-target.

    For the exact method the successes are round(p x n).
    """
    if method == "wilson":
        return wilson_interval(p, n, level=level, sided=sided)
    if method == "wald":
        return wald_interval(p, n, level=level, sided=sided)
    if method == "wald_target":
        if target is None:
            raise ValueError("the wald_target method needs the target")
        return wald_target_interval(p, n, target, level=level, sided=sided)
    if method == "exact":
        p, n = _arrays(p, n)
        n0 = np.nan_to_num(n, nan=0.0)
        x = np.rint(np.nan_to_num(p) * n0)
        lo, hi = clopper_pearson_interval(x, n0, level=level, sided=sided)
        bad = np.isnan(p) | np.isnan(n)
        return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)
    raise ValueError(
        f"unknown confidence interval method {method!r}; allowed: {', '.join(METHODS)}"
    )


def mean_interval(mean, sd, n, *, level: float = 0.95, sided: Sided = "two"):
    """Normal interval for a mean (an index): mean +/- z sd / sqrt(n).

    Notes
    -----
    Used for the Wald method on an index, with ``sd`` the standard deviation of the
    students' index points (seed 004, footnote 14: intervals rest on standard deviations).
    """
    mean, sd, n = (np.asarray(v, dtype="float64") for v in (mean, sd, n))
    half = z_value(level, sided) * sd / np.sqrt(np.where(n > 0, n, np.nan))
    return mean - half, mean + half
