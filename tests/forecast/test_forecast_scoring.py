"""Weighted interval score, coverage, the persistence baseline and backtests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tongchou.errors import InputError
from tongchou.forecast.quantiles import QUANTILE_LEVELS
from tongchou.forecast.renewal import forecast_cases
from tongchou.forecast.scoring import backtest, persistence_baseline, score_quantiles

THREE = np.array([0.25, 0.5, 0.75])


def test_wis_by_hand_with_one_interval():
    # 50% interval [2, 6], median 4, y = 10 (Bracher et al. 2021, K = 1, alpha = 0.5):
    # IS = (6 - 2) + 2 / 0.5 * (10 - 6) = 20; WIS = (0.5 * |10 - 4| + 0.25 * 20) / 1.5 = 16 / 3.
    scores = score_quantiles(np.array([[2.0, 4.0, 6.0]]), np.array([10.0]), THREE)
    assert scores.wis[0] == pytest.approx(16 / 3)
    assert scores.dispersion[0] == pytest.approx(0.25 * 4 / 1.5)
    assert scores.underprediction[0] == pytest.approx((4 + 0.5 * 6) / 1.5)
    assert scores.overprediction[0] == 0
    assert scores.absolute_error[0] == 6
    assert scores.covered_50[0] == 0
    # y = 3, inside: (0.5 * 1 + 0.25 * 4) / 1.5 = 1; the median's error is overprediction.
    inside = score_quantiles(np.array([[2.0, 4.0, 6.0]]), np.array([3.0]), THREE)
    assert inside.wis[0] == pytest.approx(1.0)
    assert inside.overprediction[0] == pytest.approx(0.5 / 1.5)
    assert inside.covered_50[0] == 1
    assert np.isnan(inside.covered_90[0])  # no 90% interval among three levels


def test_a_point_forecast_scores_its_absolute_error():
    quantiles = np.full((2, 23), 7.0)
    scores = score_quantiles(quantiles, np.array([7.0, 19.0]))
    np.testing.assert_allclose(scores.wis, [0.0, 12.0])
    np.testing.assert_allclose(scores.covered_90, [1.0, 0.0])


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0, 1e4, allow_nan=False), min_size=23, max_size=23),
    observed=st.floats(0, 1e4, allow_nan=False),
)
def test_wis_equals_the_mean_pinball_loss(values, observed):
    # Bracher et al. (2021), section 2.3: WIS = sum over the 2K + 1 quantiles of the pinball
    # loss (1{y < q} - tau)(q - y), divided by K + 1/2.
    q = np.sort(np.array(values))
    pinball = np.sum(((observed < q) - QUANTILE_LEVELS) * (q - observed)) / 11.5
    scores = score_quantiles(q[None, :], np.array([observed]))
    assert scores.wis[0] == pytest.approx(pinball, rel=1e-9, abs=1e-9)
    parts = scores.dispersion + scores.underprediction + scores.overprediction
    assert parts[0] == pytest.approx(scores.wis[0])


def test_missing_observations_are_not_scored():
    scores = score_quantiles(np.full((2, 3, 23), 5.0), np.array([[1, np.nan, 3], [4, 5, 6.0]]))
    assert np.isnan(scores.wis[0, 1]) and np.isnan(scores.covered_90[0, 1])
    assert scores.mean()["wis"] == pytest.approx(np.mean([4, 2, 1, 0, 1]))


def test_baseline_carries_the_week_forward_with_its_past_errors():
    # y_t = t: the 7-day mean at origin t is t - 3, and every error h days ahead is h + 3.
    incidence = np.arange(60, dtype=float)[None, :]
    quantiles = persistence_baseline(incidence, 5)
    median = quantiles[0, :, 11]
    np.testing.assert_allclose(median, 56.0)
    for h in range(1, 6):
        np.testing.assert_allclose(quantiles[0, h - 1, :10], 56 - (h + 3))
        np.testing.assert_allclose(quantiles[0, h - 1, -10:], 56 + (h + 3))
    assert np.all(np.diff(quantiles, axis=-1) >= 0)


def test_baseline_negative_binomial_spread_and_short_history():
    incidence = np.array([[1, 2, 3, 4, 5, 6, 7.0], [0, 0, 0, 0, 0, 0, 0]])
    quantiles = persistence_baseline(incidence, 3, spread="negbin", dispersion=4.0)
    expected = stats.nbinom.ppf(QUANTILE_LEVELS, 4.0, 4.0 / (4.0 + 4.0))
    np.testing.assert_allclose(quantiles[0, 2], expected)
    np.testing.assert_array_equal(quantiles[1], 0)
    # Seven days give no past errors: the errors spread falls back to negative binomial.
    fallback = persistence_baseline(incidence, 3, dispersion=4.0)
    np.testing.assert_allclose(fallback, quantiles)
    # Three of seven days missing is still a mean; four is not.
    gappy = np.array([[np.nan, np.nan, np.nan, 4, 5, 6, 7], [np.nan] * 4 + [5, 6, 7.0]])
    means = persistence_baseline(gappy, 1, spread="negbin")[:, 0, 11]
    assert means[0] == stats.nbinom.ppf(0.5, 10, 10 / 15.5) and np.isnan(means[1])


def _epidemic(rng, regions, days, w):
    """Daily cases from a renewal process whose R wanders, and the R of each day."""
    cases = np.zeros((regions, days))
    cases[:, :5] = rng.poisson(50, size=(regions, 5))
    log_r = np.log(rng.uniform(0.8, 1.3, regions))
    r = np.zeros((regions, days))
    for t in range(5, days):
        log_r += 0.03 * rng.standard_normal(regions) - 0.01
        r[:, t] = np.exp(log_r)
        pressure = sum(w[s] * cases[:, t - s] for s in range(1, len(w)))
        mean = r[:, t] * pressure
        cases[:, t] = rng.negative_binomial(20, 20 / (20 + mean))
    return cases, r


W = np.array([0, 0.1, 0.2, 0.25, 0.2, 0.15, 0.1])


def test_backtest_of_a_good_model_beats_persistence():
    rng = np.random.default_rng(11)
    cases, r = _epidemic(rng, 60, 80, W)

    def forecaster(origin):
        seen = cases[:, : origin + 1]  # what was known at the origin
        # A posterior centred near the R of the last week, as an estimator would give.
        centre = r[:, origin - 6 : origin + 1].mean(axis=1)
        return forecast_cases(
            seen, W, np.full(60, 100.0), centre / 100, horizon=14, samples=300, seed=origin
        )

    result = backtest(cases, [40, 50, 60, 70], forecaster, horizon=14)
    assert result.model.wis.shape == (4, 60, 14)
    assert result.relative_wis() < 0.9
    table = result.by_horizon()
    assert list(table.horizon) == list(range(1, 15))
    assert table.coverage_90.mean() > 0.75
    # The last origin's targets beyond the data are not scored.
    assert np.isnan(result.model.wis[3, :, 9:]).all()
    assert not np.isnan(result.model.wis[3, :, :9]).any()


def test_backtest_sees_nothing_after_the_targets():
    rng = np.random.default_rng(3)
    cases = rng.poisson(20, size=(5, 50)).astype(float)
    changed = cases.copy()
    changed[:, 40:] = 1000  # after origin 30 + horizon 7

    def perfect(data):
        def forecaster(origin):
            future = data[:, origin + 1 : origin + 8]
            return np.repeat(future[:, :, None], 23, axis=2)

        return forecaster

    first = backtest(cases, [20, 30], perfect(cases), horizon=7)
    second = backtest(changed, [20, 30], perfect(changed), horizon=7)
    np.testing.assert_array_equal(first.baseline.wis, second.baseline.wis)
    assert np.all(first.model.wis == 0) and np.all(first.model.covered_90 == 1)


def test_backtest_bad_input():
    cases = np.ones((2, 10))
    with pytest.raises(InputError) as caught:
        backtest(cases, [3, 12], lambda origin: np.zeros((2, 5, 23)), horizon=5)
    assert caught.value.problems[0].place == "origins"
    with pytest.raises(InputError) as caught:
        backtest(cases, [3], lambda origin: np.zeros((2, 4, 23)), horizon=5)
    assert caught.value.problems[0].place == "forecaster"
