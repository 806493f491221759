"""Interval-censored delay fits on hand-made and real data; published default parameters."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tongchou.errors import InputError
from tongchou.surveillance import defaults
from tongchou.surveillance.delays import (
    compare_delay_fits,
    fit_delay,
    fit_serial_interval,
)

DELAYS = Path(__file__).parents[1] / "data" / "delays"


def ali2020_serial_intervals() -> np.ndarray:
    pairs = pd.read_csv(DELAYS / "ali2020_pair_onsets.csv", dtype=str)
    infector = pd.to_datetime(pairs["infector_onsetDate"], format="%Y/%m/%d", errors="coerce")
    infectee = pd.to_datetime(pairs["infectee_onsetDate"], format="%Y/%m/%d", errors="coerce")
    return (infectee - infector).dropna().dt.days.to_numpy()


def onset_to_confirmation() -> np.ndarray:
    cases = pd.read_csv(DELAYS / "linelist_onset_confirmation.csv", dtype=str)
    # Dates are dd.mm.yyyy; ranges and text such as "pre 18.01.2020" are not dates.
    onset = pd.to_datetime(cases["date_onset_symptoms"], format="%d.%m.%Y", errors="coerce")
    confirmed = pd.to_datetime(cases["date_confirmation"], format="%d.%m.%Y", errors="coerce")
    return (confirmed - onset).dropna().dt.days.to_numpy()


def censored_loglik(days, distribution, positive=True) -> float:
    """The likelihood written out term by term, for checking the fitted one."""
    total = 0.0
    for d in days:
        lower = max(d - 0.5, 0.0) if positive else d - 0.5
        total += math.log(distribution.cdf(d + 0.5) - distribution.cdf(lower))
    return total


# --- hand-made data ---------------------------------------------------------------------------


def test_loglik_is_the_interval_censored_likelihood():
    days = [0, 1, 1, 2, 3, 3, 3, 5, 8, 13]
    for family in ("gamma", "lognormal", "weibull", "normal"):
        fit = fit_delay(days, family)
        expected = censored_loglik(days, fit.distribution(), positive=family != "normal")
        assert fit.loglik == pytest.approx(expected, rel=1e-10)
        assert fit.aic == pytest.approx(4 - 2 * expected, rel=1e-10)
        assert fit.n == 10 and fit.n_excluded == 0 and fit.converged
        np.testing.assert_allclose(np.log(fit.day_probabilities(days)).sum(), expected, rtol=1e-10)


def test_the_fit_is_a_maximum():
    days = [0, 1, 1, 2, 3, 3, 3, 5, 8, 13]
    fit = fit_delay(days, "gamma")
    shape, scale = fit.parameters["shape"], fit.parameters["scale"]
    for ds, dc in ((1.01, 1), (0.99, 1), (1, 1.01), (1, 0.99)):
        nudged = stats.gamma(shape * ds, scale=scale * dc)
        assert censored_loglik(days, nudged) < fit.loglik


def test_moments_follow_each_family():
    days = [1, 2, 2, 3, 4, 4, 5, 7, 9]
    for family in ("gamma", "lognormal", "weibull", "normal"):
        fit = fit_delay(days, family)
        distribution = fit.distribution()
        assert fit.mean == pytest.approx(distribution.mean(), rel=1e-9)
        assert fit.sd == pytest.approx(distribution.std(), rel=1e-9)


@settings(max_examples=8, deadline=None)
@given(shape=st.floats(1.0, 6.0), mean=st.floats(3.0, 20.0), seed=st.integers(0, 2**16))
def test_gamma_fit_recovers_simulated_parameters(shape, mean, seed):
    rng = np.random.default_rng(seed)
    # Continuous delays started at a uniform time of day, then read as whole days.
    start = rng.uniform(0, 1, 4000)
    end = start + rng.gamma(shape, mean / shape, 4000)
    days = np.floor(end)
    fit = fit_delay(days, "gamma")
    assert fit.mean == pytest.approx(mean, rel=0.06)
    assert fit.parameters["shape"] == pytest.approx(shape, rel=0.15)


def test_normal_fit_of_serial_intervals_keeps_negatives():
    days = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    fit = fit_delay(days, "normal")
    assert fit.n == 11 and fit.n_excluded == 0
    # The censoring adds the 1/12 of a uniform day to the sample variance.
    assert fit.mean == pytest.approx(np.mean(days), abs=1e-4)
    assert fit.sd == pytest.approx(math.sqrt(np.var(days) - 1 / 12), rel=1e-3)


def test_negative_delays_raise_or_are_excluded_and_counted():
    days = [-3, -1, 0, 2, 4, 4, 6]
    with pytest.raises(InputError) as caught:
        fit_delay(days, "gamma")
    assert caught.value.problems[0].place == "days[0]"
    assert "2 delays are negative" in str(caught.value)
    assert "negatives='exclude'" in str(caught.value)
    fit = fit_delay(days, "gamma", negatives="exclude")
    assert fit.n == 5 and fit.n_excluded == 2


@pytest.mark.parametrize(
    ("days", "options", "message"),
    [
        ([1, 2, math.nan], {}, "missing or infinite"),
        ([1, 2.5, 3], {}, "whole days"),
        ([4, 4, 4], {}, "two different delays"),
        ([1, 2, 3], {"family": "beta"}, "unknown delay distribution"),
        ([1, 2, 3], {"negatives": "drop"}, "unknown way"),
        (["x"], {}, "numbers of days"),
    ],
)
def test_bad_delays_are_input_errors(days, options, message):
    with pytest.raises(InputError, match=message):
        fit_delay(days, **options)


def test_compare_ranks_by_aic_on_the_same_data():
    rng = np.random.default_rng(7)
    days = np.floor(rng.uniform(0, 1, 3000) + rng.weibull(1.5, 3000) * 6)
    table = compare_delay_fits(
        days, ("gamma", "lognormal", "weibull", "normal"), negatives="exclude"
    )
    assert list(table.columns) == [
        "family",
        "parameters",
        "mean",
        "sd",
        "median",
        "p95",
        "loglik",
        "aic",
        "delta_aic",
        "n",
        "n_excluded",
        "converged",
    ]
    assert table["family"].iloc[0] == "weibull"
    assert table["delta_aic"].iloc[0] == 0 and (table["delta_aic"].diff().iloc[1:] >= 0).all()
    assert (table["n"] == 3000).all()
    with pytest.raises(InputError, match="list of families"):
        compare_delay_fits(days, "gamma")


# --- real data ----------------------------------------------------------------------------


def test_ali2020_serial_interval_figures():
    days = ali2020_serial_intervals()
    # Ali et al. 2020: 679 pairs with both onsets, mean 5.09 d, SD 5.26 d.
    assert days.size == 679
    assert days.mean() == pytest.approx(5.09, abs=0.005)
    assert days.std(ddof=1) == pytest.approx(5.26, abs=0.005)
    assert (days < 0).sum() == 54
    table = fit_serial_interval(days)
    normal = table.loc[table["data"] == "all"].iloc[0]
    assert normal["family"] == "normal" and normal["n"] == 679 and normal["n_excluded"] == 0
    assert normal["mean"] == pytest.approx(5.09, abs=0.01)
    assert normal["sd"] == pytest.approx(math.sqrt(days.var() - 1 / 12), abs=0.01)
    positive = table.loc[table["data"] == "non-negative"]
    assert (positive["n"] == 625).all() and (positive["n_excluded"] == 54).all()
    assert positive["family"].iloc[0] == "weibull"
    # Leaving the negative pairs out lengthens the mean serial interval by ~0.7 d.
    assert positive["mean"].iloc[0] == pytest.approx(5.81, abs=0.02)
    assert positive["converged"].all()


def test_onset_to_confirmation_in_the_line_list():
    days = onset_to_confirmation()
    assert days.size == 570 and days.min() >= 0
    table = compare_delay_fits(days)
    best = table.iloc[0]
    assert best["family"] == "gamma"
    assert best["mean"] == pytest.approx(days.mean(), abs=0.05)
    assert best["mean"] == pytest.approx(6.09, abs=0.02)
    assert best["sd"] == pytest.approx(4.18, abs=0.02)
    assert table.loc[table["family"] == "lognormal", "delta_aic"].item() > 10


# --- published defaults -----------------------------------------------------------------------


def test_defaults_carry_sources_and_consistent_figures():
    for delay in defaults.DEFAULTS:
        assert delay.source and delay.population
        assert delay.mean > 0 and delay.sd > 0
        assert delay.distribution().mean() == pytest.approx(delay.mean)
        assert delay.distribution().std() == pytest.approx(delay.sd)
    # Li et al.: the 95th percentile of the incubation period is 12.5 days.
    assert defaults.INCUBATION_LI_2020.distribution().ppf(0.95) == pytest.approx(12.5, abs=0.1)
    assert defaults.ONSET_TO_DEATH_VERITY_2020.sd == pytest.approx(8.01)


def test_default_serial_interval_is_ready_for_rt():
    si = defaults.SERIAL_INTERVAL_LI_2020.serial_interval()
    assert si.mean == pytest.approx(7.5, rel=1e-9)
    assert "Li Q et al. 2020" in si.source
    with pytest.raises(InputError, match="above 1 day"):
        defaults.PublishedDelay("x", "gamma", 0.8, 1.0, "s", "p").serial_interval()


def test_defaults_are_frozen():
    with pytest.raises(AttributeError):
        defaults.SERIAL_INTERVAL_LI_2020.mean = 6.0
