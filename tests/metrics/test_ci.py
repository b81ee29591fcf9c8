"""Confidence intervals: hand-worked values and properties (kit/metrics/ci.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.metrics import ci


def test_wilson_golden_value_from_domain():
    # DOMAIN.md: n = 10, p = 50 %, 95 % two-sided -> [23.66, 76.34].
    # z = 1.95996; centre = (0.5 + z^2/20) / (1 + z^2/10) = 0.5;
    # half = z sqrt(0.025 + z^2/400) / (1 + z^2/10) = 1.95996 x 0.186021 / 1.384146 = 0.263407.
    lo, hi = ci.wilson_interval(0.5, 10, level=0.95, sided="two")
    assert round(100 * float(lo), 2) == 23.66
    assert round(100 * float(hi), 2) == 76.34


def test_one_sided_puts_the_whole_tail_on_one_side():
    assert ci.z_value(0.95, "two") == pytest.approx(1.959964, abs=1e-6)
    assert ci.z_value(0.95, "one") == pytest.approx(1.644854, abs=1e-6)
    # Wilson one-sided 95 %, n = 10, p = 0.5: z^2 = 2.705544; half = 1.644854 x
    # sqrt(0.025 + 2.705544/400) / (1 + 0.2705544) = 1.644854 x 0.178224 / 1.270554 = 0.230728
    # -> upper 0.730728.
    _, hi = ci.wilson_interval(0.5, 10, level=0.95, sided="one")
    assert float(hi) == pytest.approx(0.730728, abs=1e-6)


def test_wald_and_wald_at_the_target():
    # Wald: 0.5 +/- 1.96 x sqrt(0.25 / 100) = 0.5 +/- 0.098.
    lo, hi = ci.wald_interval(0.5, 100)
    assert (float(lo), float(hi)) == pytest.approx((0.402, 0.598), abs=1e-3)
    # At the target 0.7: SE = sqrt(0.21 / 25) = 0.0916515; one-sided upper = 0.6 + 1.644854 x
    # 0.0916515 = 0.750753 (reaches 0.7 although 0.6 < 0.7).
    _, hi = ci.wald_target_interval(0.6, 25, 0.7, sided="one")
    assert float(hi) == pytest.approx(0.750753, abs=1e-6)


def test_exact_binomial_textbook_values():
    # Clopper-Pearson, n = 10, x = 5, 95 % two-sided: [0.187086, 0.812914].
    lo, hi = ci.clopper_pearson_interval(5, 10)
    assert (float(lo), float(hi)) == pytest.approx((0.187086, 0.812914), abs=1e-6)
    # x = 0: lower 0, upper 1 - 0.025^(1/10) = 0.308497; x = n: upper 1.
    lo, hi = ci.clopper_pearson_interval(np.array([0, 10]), np.array([10, 10]))
    assert lo[0] == 0 and hi[0] == pytest.approx(1 - 0.025**0.1, abs=1e-6)
    assert hi[1] == 1 and lo[1] == pytest.approx(0.025**0.1, abs=1e-6)


def test_binomial_cdf_equals_the_sum_of_terms():
    # P(X <= 5 | 10, 0.5) = (1 + 10 + 45 + 120 + 210 + 252) / 1024 = 638 / 1024.
    assert float(ci.binom_cdf(5, 10, 0.5)) == pytest.approx(638 / 1024, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 80), st.data(), st.floats(0.01, 0.99))
def test_binom_cdf_matches_exact_sum(n, data, p):
    k = data.draw(st.integers(0, n))
    exact = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))
    assert float(ci.binom_cdf(k, n, p)) == pytest.approx(exact, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 400),
    st.data(),
    st.sampled_from(["one", "two"]),
    st.sampled_from([0.9, 0.95, 0.99]),
)
def test_intervals_contain_the_estimate_and_stay_in_0_1(n, data, sided, level):
    x = data.draw(st.integers(0, n))
    p = x / n
    for method in ("wilson", "wald", "exact"):
        lo, hi = ci.interval(method, p, n, level=level, sided=sided)
        assert 0 <= float(lo) <= p + 1e-12 <= float(hi) + 2e-12 <= 1 + 2e-12, method
    # The exact upper bound is the p at which P(X <= x) falls to alpha.
    if x < n:
        _, hi = ci.clopper_pearson_interval(x, n, level=level, sided=sided)
        assert float(ci.binom_cdf(x, n, float(hi))) == pytest.approx(
            ci.tail_alpha(level, sided), abs=1e-7
        )


def test_wider_level_gives_wider_interval_and_bad_arguments_are_refused():
    lo95, hi95 = ci.wilson_interval(0.3, 50, level=0.95)
    lo99, hi99 = ci.wilson_interval(0.3, 50, level=0.99)
    assert lo99 < lo95 and hi99 > hi95
    with pytest.raises(ValueError):
        ci.z_value(1.5)
    with pytest.raises(ValueError):
        ci.interval("bogus", 0.5, 10)
    lo, hi = ci.wilson_interval(0.5, 0)  # no students: no interval
    assert np.isnan(lo) and np.isnan(hi)


def test_mean_interval_by_hand():
    # An index of mean 70 with SD 10 over 25 students: standard error 10 / 5 = 2.
    # 95 % two-sided: z = 1.959964 -> 70 -/+ 3.919928; one-sided: z = 1.644854 -> 3.289707.
    lo, hi = ci.mean_interval([70.0, 70.0], [10.0, 10.0], [25, 0])
    assert lo[0] == pytest.approx(66.080072, abs=1e-6)
    assert hi[0] == pytest.approx(73.919928, abs=1e-6)
    assert np.isnan(lo[1]) and np.isnan(hi[1])  # no students: no interval
    lo, hi = ci.mean_interval(70.0, 10.0, 25, level=0.95, sided="one")
    assert (float(lo), float(hi)) == pytest.approx((66.710293, 73.289707), abs=1e-6)
    lo, hi = ci.mean_interval(70.0, 10.0, 100, level=0.90, sided="two")  # z 1.644854, SE 1
    assert (float(lo), float(hi)) == pytest.approx((68.355146, 71.644854), abs=1e-6)


def test_mean_interval_one_student_and_missing_values():
    # n = 1: SE = SD; a missing mean (None) gives no interval rather than an error.
    lo, hi = ci.mean_interval([70.0, None], [10.0, 10.0], [1, 25])
    assert (lo[0], hi[0]) == pytest.approx((70 - 19.599640, 70 + 19.599640), abs=1e-6)
    assert np.isnan(lo[1]) and np.isnan(hi[1])
