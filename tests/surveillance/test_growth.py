"""Growth rate: exact exponentials, intervals against scipy's linregress with missing,
excluded and skipped days, too few data, and bad settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tongchou.errors import InputError
from tongchou.surveillance.growth import estimate_growth

NAN = math.nan


def test_exact_exponential_gives_its_rate_and_doubling_time():
    days = np.arange(30)
    growing = np.exp(2 + 0.1 * days) - 0.5
    shrinking = np.exp(8 - 0.2 * days) - 0.5
    growth = estimate_growth(np.vstack([growing, shrinking]))
    np.testing.assert_allclose(growth.rate[:, 13:], np.repeat([[0.1], [-0.2]], 17, axis=1))
    np.testing.assert_allclose(growth.doubling_time[0, 13:], math.log(2) / 0.1, rtol=1e-7)
    np.testing.assert_allclose(growth.halving_time[1, 13:], math.log(2) / 0.2, rtol=1e-7)
    assert np.isnan(growth.halving_time[0]).all() and np.isnan(growth.doubling_time[1]).all()
    # Windows start to count once they hold min_days (10) days.
    assert growth.too_few[0, :9].all() and not growth.too_few[0, 9:].any()


def test_growth_interval_matches_linregress():
    rng = np.random.default_rng(7)
    daily = rng.poisson(20 * np.exp(0.05 * np.arange(40))).astype(float)[None, :]
    growth = estimate_growth(daily, window=14)
    for end in (13, 25, 39):
        y = np.log(daily[0, end - 13 : end + 1] + 0.5)
        fit = stats.linregress(np.arange(14), y)
        half = stats.t.ppf(0.975, 12) * fit.stderr
        assert growth.rate[0, end] == pytest.approx(fit.slope, rel=1e-9)
        assert growth.lower[0, end] == pytest.approx(fit.slope - half, rel=1e-9)
        assert growth.upper[0, end] == pytest.approx(fit.slope + half, rel=1e-9)
        if growth.lower[0, end] > 0:
            assert growth.doubling_lower[0, end] == pytest.approx(math.log(2) / (fit.slope + half))
            assert growth.doubling_upper[0, end] == pytest.approx(math.log(2) / (fit.slope - half))


def test_growth_skips_missing_and_excluded_days():
    rng = np.random.default_rng(3)
    daily = rng.poisson(50, size=(1, 14)).astype(float)
    daily[0, 4] = NAN
    exclude = np.zeros(daily.shape, dtype=bool)
    exclude[0, 9] = True
    growth = estimate_growth(daily, exclude=exclude)
    kept = [d for d in range(14) if d not in (4, 9)]
    fit = stats.linregress(kept, np.log(daily[0, kept] + 0.5))
    half = stats.t.ppf(0.975, len(kept) - 2) * fit.stderr
    assert growth.rate[0, 13] == pytest.approx(fit.slope, rel=1e-9)
    assert growth.upper[0, 13] - growth.rate[0, 13] == pytest.approx(half, rel=1e-9)


def test_flat_series_is_not_significant_and_sparse_series_too_few():
    rng = np.random.default_rng(11)
    flat = rng.poisson(100, size=30).astype(float)
    sparse = np.zeros(30)
    sparse[::5] = 1
    growth = estimate_growth(np.vstack([flat, sparse]))
    assert growth.not_significant[0, 20:].all()
    assert np.isnan(growth.doubling_time[0, 20:]).all() and np.isfinite(growth.rate[0, 20:]).all()
    assert growth.too_few[1].all() and np.isnan(growth.rate[1]).all()


def test_growth_settings_are_checked():
    with pytest.raises(InputError, match="min_days"):
        estimate_growth(np.ones((1, 20)), window=7, min_days=10)
    with pytest.raises(InputError, match="confidence"):
        estimate_growth(np.ones((1, 20)), confidence=95)
    with pytest.raises(InputError, match="window"):
        estimate_growth(np.ones((1, 20)), window=2.5)


def test_growth_with_few_skipped_days_in_a_large_table_matches_linregress():
    rng = np.random.default_rng(5)
    daily = rng.poisson(30 * np.exp(0.03 * np.arange(60)), size=(400, 60)).astype(float)
    daily[3, 20] = NAN
    daily[7, 50] = NAN
    growth = estimate_growth(daily, min_days=5)
    for region, end in [(3, 20), (3, 25), (3, 33), (3, 34), (7, 59), (0, 40), (7, 49)]:
        days = [d for d in range(end - 13, end + 1) if not np.isnan(daily[region, d])]
        fit = stats.linregress(days, np.log(daily[region, days] + 0.5))
        half = stats.t.ppf(0.975, len(days) - 2) * fit.stderr
        assert growth.rate[region, end] == pytest.approx(fit.slope, rel=1e-9)
        assert growth.upper[region, end] == pytest.approx(fit.slope + half, rel=1e-9)
    # Early windows are shorter: days 0..4 hold 5 days, enough for min_days=5.
    fit = stats.linregress(np.arange(5), np.log(daily[0, :5] + 0.5))
    assert growth.rate[0, 4] == pytest.approx(fit.slope, rel=1e-9)
    assert growth.too_few[:, :4].all()
