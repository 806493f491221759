"""Renewal forecasts: hand-computed steps, the deterministic limit, calibration on data drawn
from the model by an independent simulator, and bad input."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.forecast.quantiles import QUANTILE_LEVELS
from tongchou.forecast.renewal import (
    CASE_CEILING,
    forecast_cases,
    known_infectiousness,
    project_renewal,
    quantile_frame,
)

W3 = np.array([0.0, 0.5, 0.5])
# A short COVID-like serial interval: mean about 4.6 days.
W_COVID = np.array([0, 0.06, 0.14, 0.17, 0.16, 0.13, 0.1, 0.08, 0.06, 0.04, 0.03, 0.03])
W_COVID = W_COVID / W_COVID.sum()


def test_renewal_steps_by_hand():
    # R = 2, w = (0, 0.5, 0.5), last cases 10 then 20:
    # day 1: 2 * (0.5 * 20 + 0.5 * 10) = 30; day 2: 2 * (0.5 * 30 + 0.5 * 20) = 50;
    # day 3: 2 * (0.5 * 50 + 0.5 * 30) = 80.
    # With 4 imported cases on the last day: 34, 58, 92.
    # A second region at R = 0.5 then 1 then 2 (per day): 7.5, 1 * (3.75 + 10) = 13.75,
    # 2 * (6.875 + 3.75) = 21.25.
    incidence = np.array([[0, 10, 20], [0, 10, 20]], dtype=float)
    projected = project_renewal(incidence, W3, np.array([2.0, 2.0]), 3)
    np.testing.assert_allclose(projected[0], [30, 50, 80])
    imported = np.array([[0, 0, 4], [0, 0, 0]], dtype=float)
    with_imports = project_renewal(incidence, W3, np.array([2.0, 2.0]), 3, imported=imported)
    np.testing.assert_allclose(with_imports[0], [34, 58, 92])
    by_day = np.array([[2.0, 2.0, 2.0], [0.5, 1.0, 2.0]])
    np.testing.assert_allclose(project_renewal(incidence, W3, by_day, 3)[1], [7.5, 13.75, 21.25])


def test_known_infectiousness_counts_days_before_the_data_as_zero():
    # Only one observed day (5 cases): day 1 gets 0.5 * 5, day 2 gets 0.5 * 5, day 3 nothing.
    result = known_infectiousness(np.array([[5.0]]), W3, 3)
    np.testing.assert_allclose(result, [[2.5, 2.5, 0.0]])


def test_fixed_r_without_noise_gives_the_deterministic_projection():
    rng = np.random.default_rng(0)
    incidence = rng.poisson(30, size=(40, 20)).astype(float)
    r = rng.uniform(0.6, 1.5, size=40)
    # A gamma posterior with a tiny variance: sd/mean = 1e-5.
    shape = np.full(40, 1e10)
    forecast = forecast_cases(
        incidence,
        W_COVID,
        shape,
        r / shape,
        horizon=21,
        samples=7,
        rt_drift_sd=0.0,
        dispersion=None,
        seed=1,
    )
    expected = project_renewal(incidence, W_COVID, r, 21)
    for path in forecast.paths:
        np.testing.assert_allclose(path, expected, rtol=2e-4)
    np.testing.assert_allclose(forecast.median(), expected, rtol=2e-4)


def test_same_seed_same_paths_whatever_the_number_of_threads():
    rng = np.random.default_rng(1)
    incidence = rng.poisson(8, size=(90, 15)).astype(float)
    shape, scale = np.full(90, 20.0), np.full(90, 0.05)
    one = forecast_cases(
        incidence, W_COVID, shape, scale, horizon=10, samples=300, seed=7, workers=1
    )
    two = forecast_cases(
        incidence, W_COVID, shape, scale, horizon=10, samples=300, seed=7, workers=3
    )
    np.testing.assert_array_equal(one.paths, two.paths)
    other = forecast_cases(incidence, W_COVID, shape, scale, horizon=10, samples=300, seed=8)
    assert not np.array_equal(one.paths, other.paths)


def test_count_noise_has_the_negative_binomial_variance():
    # One region, R fixed at 1, 20 then 40 cases: day-1 mean = 1 * (0.5 * 40 + 0.5 * 20) = 30.
    # Negative binomial with k = 5: variance 30 + 900 / 5 = 210.
    forecast = forecast_cases(
        np.array([[20.0, 40.0]]),
        W3,
        np.array([1e10]),
        np.array([1e-10]),
        horizon=1,
        samples=40_000,
        rt_drift_sd=0.0,
        dispersion=5.0,
        seed=3,
    )
    day_one = forecast.paths[:, 0, 0].astype(float)
    assert day_one.mean() == pytest.approx(30, rel=0.02)
    assert day_one.var() == pytest.approx(210, rel=0.05)
    assert np.all(day_one == np.round(day_one))


def test_regions_without_recent_cases_or_posterior():
    incidence = np.array([[0, 0, 0, 0], [3, 4, 5, 6], [np.nan, 1, np.nan, 3]], dtype=float)
    forecast = forecast_cases(
        incidence,
        W3,
        np.array([2.0, np.nan, 2.0]),
        np.array([0.5, 0.5, 0.5]),
        horizon=5,
        samples=50,
        seed=0,
    )
    # Nothing to renew in region 0; no Rt in region 1; region 2 misses a day within the
    # serial interval's reach (w reaches back 2 days).
    np.testing.assert_array_equal(forecast.unforecastable, [False, True, True])
    assert np.all(forecast.paths[:, 0, :] == 0)
    assert np.all(np.isnan(forecast.paths[:, 1:, :]))
    assert np.all(np.isnan(forecast.quantiles[1:]))


def test_exploding_paths_are_capped_and_flagged():
    forecast = forecast_cases(
        np.array([[1e6, 1e6]]),
        W3,
        np.array([1e6]),
        np.array([50 / 1e6]),
        horizon=10,
        samples=5,
        rt_drift_sd=0.0,
        seed=0,
    )
    assert forecast.capped[0]
    assert np.all(np.isfinite(forecast.paths))
    assert forecast.paths.max() <= CASE_CEILING * 20  # noise around the capped mean


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    regions=st.integers(1, 6),
    days=st.integers(1, 12),
    level=st.floats(0.0, 500.0),
    drift=st.floats(0.0, 0.3),
    dispersion=st.one_of(st.none(), st.floats(0.2, 100.0)),
)
def test_quantiles_are_monotone_and_counts_non_negative(
    seed, regions, days, level, drift, dispersion
):
    rng = np.random.default_rng(seed)
    incidence = rng.poisson(level, size=(regions, days)).astype(float)
    forecast = forecast_cases(
        incidence,
        W_COVID,
        rng.uniform(0.5, 50, regions),
        rng.uniform(0.01, 1.0, regions),
        horizon=int(rng.integers(1, 15)),
        samples=int(rng.integers(1, 60)),
        rt_drift_sd=drift,
        dispersion=dispersion,
        seed=seed,
    )
    assert np.all(np.diff(forecast.quantiles, axis=-1) >= 0)
    assert np.all(forecast.paths >= 0)
    assert forecast.paths.shape[1:] == (regions, forecast.horizon)


def _simulate_truth(rng, incidence, w, shape, scale, horizon, drift_sd, size):
    """One future per region drawn from the model, written independently of the engine: a
    plain day-by-day loop with numpy's own negative-binomial sampler."""
    regions, days = incidence.shape
    series = np.concatenate([incidence, np.zeros((regions, horizon))], axis=1)
    r = rng.gamma(shape, scale)
    for day in range(days, days + horizon):
        r = r * np.exp(drift_sd * rng.standard_normal(regions))
        pressure = sum(w[s] * series[:, day - s] for s in range(1, len(w)) if day - s >= 0)
        mean = r * pressure
        series[:, day] = rng.negative_binomial(size, size / (size + mean))
    return series[:, days:]


def _coverage(quantiles, truth, low_level, high_level):
    low = quantiles[..., int(np.argmin(np.abs(QUANTILE_LEVELS - low_level)))]
    high = quantiles[..., int(np.argmin(np.abs(QUANTILE_LEVELS - high_level)))]
    return np.mean((truth >= low) & (truth <= high))


def test_intervals_cover_futures_drawn_from_the_model():
    rng = np.random.default_rng(2024)
    regions, days, horizon = 400, 30, 14
    growth = rng.uniform(0.7, 1.4, regions)
    incidence = rng.poisson(np.outer(rng.uniform(40, 200, regions), np.ones(days))).astype(float)
    shape = rng.uniform(50, 150, regions)
    scale = growth / shape
    truth = _simulate_truth(rng, incidence, W_COVID, shape, scale, horizon, 0.04, 20.0)
    forecast = forecast_cases(
        incidence,
        W_COVID,
        shape,
        scale,
        horizon=horizon,
        samples=500,
        rt_drift_sd=0.04,
        dispersion=20.0,
        seed=99,
    )
    assert 0.86 <= _coverage(forecast.quantiles, truth, 0.05, 0.95) <= 0.94
    assert 0.44 <= _coverage(forecast.quantiles, truth, 0.25, 0.75) <= 0.56
    # The same check has teeth: without count noise and drift, the intervals are too narrow.
    overconfident = forecast_cases(
        incidence,
        W_COVID,
        shape,
        scale,
        horizon=horizon,
        samples=500,
        rt_drift_sd=0.0,
        dispersion=None,
        seed=99,
    )
    assert _coverage(overconfident.quantiles, truth, 0.05, 0.95) < 0.75


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"horizon": 366}, "horizon"),
        ({"horizon": 0}, "horizon"),
        ({"serial_interval": np.array([0.1, 0.45, 0.45])}, "serial_interval"),
        ({"serial_interval": np.array([0.0, 0.5, 0.6])}, "serial_interval"),
        ({"incidence": np.array([[1.0, -2.0, 3.0]])}, "incidence"),
        ({"rt_shape": np.array([-1.0])}, "rt_shape"),
        ({"rt_scale": np.array([0.0])}, "rt_scale"),
        ({"rt_scale": np.array([1.0, 1.0])}, "rt_scale"),
        ({"samples": 0}, "samples"),
        ({"dispersion": 0.0}, "dispersion"),
        ({"rt_drift_sd": -0.1}, "rt_drift_sd"),
        ({"imported": np.array([[1.0, 1.0]])}, "imported"),
    ],
)
def test_bad_input_names_the_parameter(change, where):
    arguments = {
        "incidence": np.array([[1.0, 2.0, 3.0]]),
        "serial_interval": W3,
        "rt_shape": np.array([2.0]),
        "rt_scale": np.array([0.5]),
        "horizon": 7,
        "samples": 10,
    }
    arguments.update(change)
    positional = [
        arguments.pop(k) for k in ("incidence", "serial_interval", "rt_shape", "rt_scale")
    ]
    with pytest.raises(InputError) as caught:
        forecast_cases(*positional, **arguments)
    assert caught.value.problems[0].place == where


def test_quantile_frame_labels_regions_and_dates():
    forecast = forecast_cases(
        np.array([[5.0, 6.0], [1.0, 2.0]]),
        W3,
        np.array([4.0, 4.0]),
        np.array([0.25, 0.25]),
        horizon=3,
        samples=20,
        seed=0,
    )
    frame = quantile_frame(forecast, ["420100", "110101"], date(2020, 2, 24))
    assert len(frame) == 2 * 3 * 23
    assert list(frame.columns) == ["region", "date", "horizon", "quantile", "value"]
    first = frame.iloc[0]
    assert (first.region, first.date, first.horizon, first["quantile"]) == (
        "420100",
        date(2020, 2, 24),
        1,
        0.01,
    )
    last = frame.iloc[-1]
    assert (last.region, last.date, last.horizon) == ("110101", date(2020, 2, 26), 3)
    assert last.value == forecast.quantiles[1, 2, 22]


def test_projection_refuses_a_misshapen_or_negative_r():
    incidence = np.ones((2, 3))
    with pytest.raises(InputError) as caught:
        project_renewal(incidence, W3, np.array([1.0, 1.0, 1.0]), 4)
    assert caught.value.problems[0].place == "reproduction"
    with pytest.raises(InputError, match="negative"):
        project_renewal(incidence, W3, np.array([1.0, -0.5]), 4)
