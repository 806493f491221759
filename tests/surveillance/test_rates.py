"""The four rates: hand-computed cases, exact binomial intervals against scipy, the
delay-adjusted fatality rate against a plain transcription of Russell et al.'s scale_cfr,
and bad input."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tongchou.errors import InputError
from tongchou.surveillance.rates import (
    CONFIRMATION_TO_DEATH,
    DEFINITIONS,
    adjusted_fatality_rate,
    admission_rate,
    clopper_pearson,
    closed_cure_rate,
    cure_rate,
    four_rates,
    infection_rate,
    known_outcome_cases,
    lognormal_delay_pmf,
    naive_fatality_rate,
    rates_table,
)

NAN = math.nan

# canghailan/Wuhan-2019-nCoV (MIT), Data/: national cumulative confirmed and dead,
# 2020-01-10 .. 2020-03-10 (the 3 January revision from 44 to 41 lies before this span).
NATION_CONFIRMED = [
    41, 41, 41, 41, 41, 41, 45, 62, 198, 275, 291, 440, 571, 830, 1287, 1975, 2744, 4515, 5974,
    7711, 9692, 11791, 14380, 17205, 20438, 24324, 28018, 31161, 34594, 37162, 40224, 42708,
    44730, 58839, 63932, 66575, 68584, 70637, 72528, 74276, 75101, 75993, 76392, 76846, 77262,
    77779, 78190, 78630, 78959, 79389, 79968, 80174, 80302, 80422, 80565, 80710, 80813, 80859,
    80904, 80924, 80955,
]  # fmt: skip
NATION_DEAD = [
    1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 6, 9, 17, 25, 41, 56, 80, 106, 132, 170, 213, 259, 304, 361,
    425, 490, 563, 636, 723, 812, 909, 1017, 1114, 1260, 1381, 1524, 1666, 1772, 1870, 2006,
    2121, 2239, 2348, 2445, 2595, 2666, 2718, 2747, 2791, 2838, 2873, 2915, 2946, 2984, 3015,
    3045, 3073, 3100, 3123, 3140, 3162,
]  # fmt: skip


def row(*values) -> np.ndarray:
    return np.array([values], dtype=float)


def exact_interval(successes: int, trials: int, confidence: float = 0.95):
    ci = stats.binomtest(successes, trials).proportion_ci(confidence, method="exact")
    return ci.low, ci.high


def scale_cfr(new_cases, new_deaths, delay):
    """Russell et al. 2020 (github thimotei/CFR_calculation, R/scale_CFR.R), transcribed
    loop for loop: cases with a known outcome by the last day, and the corrected ratio."""
    known = 0.0
    for ii in range(1, len(new_cases) + 1):
        known_i = 0.0
        for jj in range(ii):
            known_i += new_cases[ii - jj - 1] * delay(jj)
        known += known_i
    return sum(new_deaths) / known, round(known)


# --- the simple ratios -------------------------------------------------------------------


def test_admission_rate():
    rate = admission_rate(row(5, NAN, 0, 3), row(10, 20, 0, 4))
    np.testing.assert_array_equal(rate.value, row(0.5, NAN, NAN, 0.75))
    np.testing.assert_array_equal(rate.undefined, [[False, False, True, False]])
    assert rate.name_zh == "收治率" and "admitted" in rate.definition
    assert rate.lower is None


def test_cure_rate_over_confirmed_and_over_closed_cases():
    over_confirmed = cure_rate(row(30, 0), row(100, 0))
    np.testing.assert_array_equal(over_confirmed.value, row(0.3, NAN))
    closed = closed_cure_rate(row(30, 0), row(10, 0))
    np.testing.assert_array_equal(closed.value, row(0.75, NAN))
    low, high = exact_interval(30, 40)
    assert closed.lower[0, 0] == pytest.approx(low, rel=1e-9)
    assert closed.upper[0, 0] == pytest.approx(high, rel=1e-9)
    assert closed.undefined[0, 1] and not closed.undefined[0, 0]


def test_infection_rate_per_100k():
    rate = infection_rate(np.array([[50, 100], [3, 3]]), [1_000_000, 30_000])
    np.testing.assert_allclose(rate.value, [[5, 10], [10, 10]])
    assert rate.unit == "per 100,000"


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**6), st.floats(1e3, 1e9), st.floats(0.01, 100))
def test_infection_rate_scales_inversely_with_population(cases, population, factor):
    base = infection_rate(row(cases), [population]).value
    scaled = infection_rate(row(cases), [population * factor]).value
    np.testing.assert_allclose(scaled * factor, base, rtol=1e-12)


def test_naive_fatality_rate_with_exact_interval():
    rate = naive_fatality_rate(row(0, 3, 5, 7), row(10, 100, 5, 0))
    np.testing.assert_allclose(rate.value, row(0, 0.03, 1, NAN))
    for column, (dead, cases) in enumerate([(0, 10), (3, 100), (5, 5)]):
        low, high = exact_interval(dead, cases)
        assert rate.lower[0, column] == pytest.approx(low, rel=1e-9, abs=1e-15)
        assert rate.upper[0, column] == pytest.approx(high, rel=1e-9)
    assert rate.undefined[0, 3]


def test_more_deaths_than_cases_is_undefined():
    rate = naive_fatality_rate(row(6), row(5))
    assert np.isnan(rate.value[0, 0]) and rate.undefined[0, 0] and np.isnan(rate.lower[0, 0])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_clopper_pearson_matches_scipy(pair):
    successes, trials = pair
    lower, upper = clopper_pearson(np.array([successes]), np.array([trials]), 0.9)
    low, high = exact_interval(successes, trials, 0.9)
    assert lower[0] == pytest.approx(low, rel=1e-8, abs=1e-14)
    assert upper[0] == pytest.approx(high, rel=1e-8)


def test_clopper_pearson_on_a_table_with_repeats_and_bad_cells():
    successes = np.array([[0, 1, 1, 5], [3, 1, 0, 2], [2.5, NAN, 1, 1]])
    trials = np.array([[10, 10, 10, 5], [7, 10, 0, 1], [5, 4, NAN, 3]])
    lower, upper = clopper_pearson(successes, trials)
    for (r, c), x in np.ndenumerate(successes):
        n = trials[r, c]
        if not (n > 0 and 0 <= x <= n) or x != int(x):
            continue
        assert (lower[r, c], upper[r, c]) == pytest.approx(exact_interval(int(x), int(n)))
    assert np.isnan(lower[1, 2:]).all() and np.isnan(upper[2, 1:3]).all()
    # Whole counts are not required: 2.5 of 5 gives the symmetric interval around 0.5.
    assert lower[2, 0] == pytest.approx(1 - upper[2, 0])


# --- delay-adjusted fatality -------------------------------------------------------------


def test_adjusted_fatality_by_hand():
    # f = (0, 0.5, 0.5): known outcomes u_t = 0.5 C_(t-1) + 0.5 C_(t-2) = 0, 5, 15, 20.
    rate = adjusted_fatality_rate(row(0, 1, 2, 3), row(10, 20, 20, 20), delay_pmf=[0, 0.5, 0.5])
    np.testing.assert_allclose(known_outcome_cases(row(10, 20, 20, 20), [0, 0.5, 0.5]),
                               row(0, 5, 15, 20))  # fmt: skip
    np.testing.assert_allclose(rate.value, row(NAN, 0.2, 2 / 15, 0.15))
    assert rate.undefined[0, 0] and not rate.undefined[0, 1:].any()
    low, high = exact_interval(3, 20)
    assert (rate.lower[0, 3], rate.upper[0, 3]) == pytest.approx((low, high), rel=1e-9)


def test_default_delay_is_the_published_lognormal():
    # Linton et al. 2020 via Russell et al. 2020: mean 13.0 d, median 9.1 d.
    sigma = math.sqrt(2 * math.log(13.0 / 9.1))
    cdf = stats.lognorm(s=sigma, scale=9.1).cdf
    assert CONFIRMATION_TO_DEATH.sum() == pytest.approx(1.0)
    for day in (0, 5, 9, 30):
        assert CONFIRMATION_TO_DEATH[day] == pytest.approx(cdf(day + 1) - cdf(day), rel=1e-12)
    np.testing.assert_array_equal(lognormal_delay_pmf(13.0, 9.1), CONFIRMATION_TO_DEATH)


def test_adjusted_fatality_matches_scale_cfr_on_the_2020_national_series():
    sigma = math.sqrt(2 * math.log(13.0 / 9.1))
    lognormal = stats.lognorm(s=sigma, scale=9.1)

    def delay(day):
        return lognormal.cdf(day + 1) - lognormal.cdf(day)

    confirmed, dead = row(*NATION_CONFIRMED), row(*NATION_DEAD)
    rate = adjusted_fatality_rate(dead, confirmed)
    naive = naive_fatality_rate(dead, confirmed)
    new_cases = np.diff(NATION_CONFIRMED, prepend=0)
    new_deaths = np.diff(NATION_DEAD, prepend=0)
    for day in (20, 35, 60):
        corrected, known = scale_cfr(new_cases[: day + 1], new_deaths[: day + 1], delay)
        assert rate.value[0, day] == pytest.approx(corrected, rel=1e-9)
        low, high = exact_interval(NATION_DEAD[day], known)
        assert rate.lower[0, day] == pytest.approx(low, rel=1e-9)
        assert rate.upper[0, day] == pytest.approx(high, rel=1e-9)
    # The naive ratio is biased low while cases rise: 2.8% against ~5% adjusted on 19 February.
    day = (datetime.date(2020, 2, 19) - datetime.date(2020, 1, 10)).days
    assert naive.value[0, day] == pytest.approx(2121 / 75101)
    assert rate.value[0, day] > 1.5 * naive.value[0, day]


def test_known_outcome_cases_carries_gaps_and_skips_missing_days():
    known = known_outcome_cases(row(NAN, 10, NAN, 30), [0, 1])
    np.testing.assert_array_equal(known, row(NAN, 0, NAN, 10))


# --- together, and bad input -------------------------------------------------------------


def test_four_rates_and_their_table():
    confirmed = np.array([[10, 20, 40], [0, 0, 2]], dtype=float)
    rates = four_rates(confirmed, confirmed * 0.5, confirmed * 0.1, [1e5, 2e5])
    assert set(rates) == set(DEFINITIONS)
    assert rates["admission_rate"].undefined.all()
    dates = [datetime.date(2020, 2, d) for d in (1, 2, 3)]
    table = rates_table(rates, ["420100", "540100"], dates)
    assert len(table) == 6 and table.attrs["definitions"] == DEFINITIONS
    lhasa = table[(table.region == "540100") & (table.date == dates[2])]
    assert lhasa.infection_rate.item() == pytest.approx(1.0)
    assert lhasa.naive_fatality_rate.item() == pytest.approx(0.1)
    assert "naive_fatality_rate_lower" in table and "cure_rate_lower" not in table


@pytest.mark.parametrize(
    ("pmf", "message"),
    [([0.5, -0.1, 0.6], "sum to at most 1"), ([0.7, 0.7], "sum to at most 1"), ([], "1-D")],
)
def test_bad_delay_pmf(pmf, message):
    with pytest.raises(InputError, match=message):
        adjusted_fatality_rate(row(0, 1), row(5, 6), delay_pmf=pmf)


def test_bad_lognormal_and_confidence():
    with pytest.raises(InputError, match="mean > median"):
        lognormal_delay_pmf(9.0, 13.0)
    with pytest.raises(InputError, match="confidence"):
        naive_fatality_rate(row(1), row(10), confidence=1.5)


def test_bad_population_and_shapes():
    with pytest.raises(InputError, match="population"):
        infection_rate(row(5), [0])
    with pytest.raises(InputError, match="shape differs"):
        cure_rate(np.ones((1, 3)), np.ones((1, 4)))
    with pytest.raises(InputError, match=r"dead\[region 0, day 1\]"):
        naive_fatality_rate(row(0, -1), row(4, 4))
