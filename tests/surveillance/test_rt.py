"""Rt by Cori et al. 2013 against EpiEstim's saved outputs, hand-computed cases and properties;
the EpiEstim serial-interval discretisation."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from tongchou.errors import InputError, NotFound
from tongchou.surveillance import rt
from tongchou.surveillance.rt import QUANTILES, estimate_rt, estimate_rt_frame
from tongchou.surveillance.serial_interval import SerialInterval, discretise_gamma

EPIESTIM = Path(__file__).parents[1] / "data" / "epiestim"
COLUMNS = {
    "Mean(R)": "mean",
    "Std(R)": "std",
    "Quantile.0.025(R)": 0.025,
    "Quantile.0.05(R)": 0.05,
    "Quantile.0.25(R)": 0.25,
    "Median(R)": 0.5,
    "Quantile.0.75(R)": 0.75,
    "Quantile.0.95(R)": 0.95,
    "Quantile.0.975(R)": 0.975,
}
FLU_SI = SerialInterval.from_gamma(2.6, 1.5)


def flu2009() -> np.ndarray:
    return pd.read_csv(EPIESTIM / "flu2009_incidence.csv")["I"].to_numpy()


def flu2009_si() -> np.ndarray:
    return pd.read_csv(EPIESTIM / "flu2009_si_distr.csv")["p"].to_numpy()


def example2() -> tuple[np.ndarray, np.ndarray]:
    incidence = pd.read_csv(EPIESTIM / "example2_incidence.csv")
    return incidence["local"].to_numpy(), incidence["imported"].to_numpy()


def assert_matches_epiestim(estimate, expected: pd.DataFrame) -> None:
    days = expected["t_end"].to_numpy() - 1
    np.testing.assert_array_equal(estimate.window_start[days], expected["t_start"] - 1)
    assert not estimate.no_data[days].any()
    for column, ours in COLUMNS.items():
        values = getattr(estimate, ours) if isinstance(ours, str) else estimate.quantile(ours)
        np.testing.assert_allclose(values[days], expected[column], rtol=1e-6, err_msg=column)


# --- EpiEstim's saved outputs ------------------------------------------------------------


def test_example1_non_parametric_si_matches_epiestim():
    estimate = estimate_rt(flu2009(), si=flu2009_si())
    expected = pd.read_csv(EPIESTIM / "example1_R.csv")
    assert_matches_epiestim(estimate, expected)
    # EpiEstim reports windows 2-8 .. 26-32 and nothing before.
    assert estimate.no_data[: expected["t_end"].min() - 1].all()


def test_example2_imported_and_local_cases_match_epiestim():
    local, imported = example2()
    estimate = estimate_rt(local, imported, si=FLU_SI)
    assert_matches_epiestim(estimate, pd.read_csv(EPIESTIM / "example2_R.csv"))


def test_example3_parametric_si_matches_epiestim():
    estimate = estimate_rt(flu2009(), si=FLU_SI)
    assert_matches_epiestim(estimate, pd.read_csv(EPIESTIM / "example3_R.csv"))


def test_imported_cases_infect_but_are_not_counted_as_infected():
    local, imported = example2()
    as_local = estimate_rt(local + imported, si=FLU_SI)
    split = estimate_rt(local, imported, si=FLU_SI)
    # Same infectiousness, fewer locally infected cases: a lower R wherever imports fell.
    np.testing.assert_allclose(1 / split.scale[7:], 1 / as_local.scale[7:])
    assert np.all(split.mean[7:] <= as_local.mean[7:])
    assert np.any(split.mean[7:] < as_local.mean[7:])


# --- the serial interval -------------------------------------------------------------------


def test_gamma_serial_interval_matches_epiestim_discr_si():
    # si_distr printed by EpiEstim for Example 3 (mean 2.6, SD 1.5), 7 significant digits.
    printed = [
        0.2331721,
        0.3585794,
        0.1981108,
        0.1033427,
        0.05290518,
        0.02682146,
        0.01351620,
        0.006783438,
        0.003394351,
        0.001694674,
        8.445945e-04,
        4.203313e-04,
        2.089422e-04,
        1.037609e-04,
        5.148480e-05,
        2.552773e-05,
        1.264952e-05,
        6.264667e-06,
        3.101068e-06,
        1.534394e-06,
        7.589168e-07,
        3.752319e-07,
        1.854675e-07,
        9.164543e-08,
        4.527299e-08,
        2.235952e-08,
        1.104051e-08,
        5.450378e-09,
        2.690174e-09,
        1.327568e-09,
        6.550365e-10,
    ]
    np.testing.assert_allclose(FLU_SI.pmf[1:32], printed, rtol=2e-6)
    assert FLU_SI.pmf[0] == 0
    # EpiEstim's SI.Moments for that example: mean 2.6, SD 1.55488.
    assert FLU_SI.mean == pytest.approx(2.6, abs=1e-9)
    assert FLU_SI.sd == pytest.approx(1.55488, abs=5e-6)


def test_discretise_gamma_accepts_scalars_and_arrays():
    assert discretise_gamma(1, 2.6, 1.5) == pytest.approx(0.2331721, rel=1e-6)
    assert discretise_gamma(np.array([[0, 1]]), 2.6, 1.5).shape == (1, 2)


@settings(max_examples=60, deadline=None)
@given(mean=st.floats(1.2, 30.0), cv=st.floats(0.05, 2.0))
def test_discretised_gamma_keeps_the_mean_and_spreads_within_a_day(mean, cv):
    # The shifted gamma's shape is 1 / cv^2 >= 0.25; far smaller shapes (SD many times the
    # mean) lose digits to cancellation in the formula, in EpiEstim as here.
    sd = cv * (mean - 1)
    si = SerialInterval.from_gamma(mean, sd)
    assert si.pmf[0] == 0 and np.all(si.pmf >= 0)
    assert si.pmf.sum() == pytest.approx(1.0, abs=1e-9)
    # w_k weighs the density with a triangle around k, which interpolates k linearly and k^2
    # up to frac(y) (1 - frac(y)): the mean is kept and the variance grows by at most 1/4.
    assert si.mean == pytest.approx(mean, rel=1e-6)
    assert sd**2 - 1e-6 <= si.sd**2 <= sd**2 + 0.25 + 1e-6


@pytest.mark.parametrize(
    ("mean", "sd", "place"),
    [
        (1.0, 2.0, "mean"),
        (0.5, 2.0, "mean"),
        (math.nan, 2.0, "mean"),
        (5.0, 0.0, "sd"),
        (5.0, -1.0, "sd"),
        (5.0, math.inf, "sd"),
        (True, 2.0, "mean"),
    ],
)
def test_gamma_serial_interval_rejects_bad_moments(mean, sd, place):
    with pytest.raises(InputError) as caught:
        SerialInterval.from_gamma(mean, sd)
    assert caught.value.problems[0].place == place


def test_discretise_gamma_rejects_negative_days():
    with pytest.raises(InputError, match="whole days >= 0"):
        discretise_gamma(np.array([0, -1]), 5.0, 2.0)


def test_from_gamma_max_days_truncates_and_is_checked():
    si = SerialInterval.from_gamma(2.6, 1.5, max_days=20)
    assert len(si) == 21
    with pytest.raises(InputError, match="at least 1 day"):
        SerialInterval.from_gamma(2.6, 1.5, max_days=0)
    with pytest.raises(InputError, match="whole number"):
        SerialInterval.from_gamma(2.6, 1.5, max_days=2.5)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "empty"),
        ([0.1, 0.5, 0.4], "0-day serial interval must be 0"),
        ([0.0, 1.2, -0.2], "cannot be negative"),
        ([0.0, 0.5, 0.3], "sum to 1"),
        ([0.0, 0.5, math.nan], "finite"),
        ([[0.0, 0.5], [0.0, 0.5]], "one-dimensional"),
        (["a", "b"], "list of numbers"),
    ],
)
def test_non_parametric_serial_interval_is_validated(values, message):
    with pytest.raises(InputError, match=message):
        SerialInterval.from_pmf(values)


def test_non_parametric_serial_interval_tolerance_is_honoured():
    # EpiEstim's tolerance of 0.01 by default; a looser one can be asked for.
    assert SerialInterval.from_pmf([0.0, 0.5, 0.495]).mean == pytest.approx(1.49)
    assert len(SerialInterval.from_pmf([0.0, 0.5, 0.45], tolerance=0.1)) == 3


# --- hand-computed cases -----------------------------------------------------------------


def test_hand_computed_posterior():
    # w = (0, 0.5, 0.5): Lambda = 0, 0.5, 1.5, 2.5 for incidence 1, 2, 3, 4.
    # Prior mean 5, SD 5: shape 1, scale 5.  Window 2 ending on day 2: 5 cases, Lambda 2.0;
    # ending on day 3: 7 cases, Lambda 4.0.
    estimate = estimate_rt([1, 2, 3, 4], si=[0, 0.5, 0.5], window=2)
    shape = np.array([6.0, 8.0])
    scale = 1 / (0.2 + np.array([2.0, 4.0]))
    np.testing.assert_allclose(estimate.mean[2:], shape * scale)
    np.testing.assert_allclose(estimate.std[2:], np.sqrt(shape) * scale)
    for p in QUANTILES:
        np.testing.assert_allclose(
            estimate.quantile(p)[2:], stats.gamma.ppf(p, shape, scale=scale), rtol=1e-12
        )
    assert estimate.no_data.tolist() == [True, True, False, False]
    assert estimate.window_start.tolist() == [-1, -1, 1, 2]
    assert estimate.window_end.tolist() == [-1, -1, 2, 3]


def test_hand_computed_with_imports_and_another_prior():
    # Imported cases count in Lambda only: local 0, 1, 1, 2 and imported 2, 0, 1, 0;
    # w = (0, 1): Lambda_t = total_{t-1} = 0, 2, 1, 2.  Prior mean 2, SD 1: shape 4,
    # scale 0.5.  Window 3 ending on day 3: local 4, Lambda 5.
    estimate = estimate_rt(
        [0, 1, 1, 2], [2, 0, 1, 0], si=[0, 1], window=3, mean_prior=2, std_prior=1
    )
    assert estimate.mean[3] == pytest.approx((4 + 4) / (2 + 5))
    assert estimate.shape[3] == 8
    assert estimate.scale[3] == pytest.approx(1 / 7)


def test_fractional_counts_take_the_general_path():
    rng = np.random.default_rng(3)
    counts = rng.gamma(2.0, 3.0, size=(4, 40))
    estimate = estimate_rt(counts, si=FLU_SI)
    valid = ~estimate.no_data
    for p in (0.025, 0.5, 0.975):
        np.testing.assert_allclose(
            estimate.quantile(p)[valid],
            stats.gamma.ppf(p, estimate.shape[valid], scale=estimate.scale[valid]),
            rtol=1e-10,
        )


def test_very_large_counts_take_the_general_path():
    counts = np.full((2, 30), 3e6)
    counts[1] = 1e6
    estimate = estimate_rt(counts, si=FLU_SI)
    valid = ~estimate.no_data
    np.testing.assert_allclose(
        estimate.median[valid],
        stats.gamma.ppf(0.5, estimate.shape[valid], scale=estimate.scale[valid]),
        rtol=1e-10,
    )


def test_long_series_take_the_lag_by_lag_path(monkeypatch):
    rng = np.random.default_rng(5)
    local = rng.poisson(20, size=(3, 60)).astype(float)
    imported = rng.poisson(1, size=(3, 60)).astype(float)
    by_matrix = estimate_rt(local, imported, si=FLU_SI)
    monkeypatch.setattr(rt, "_MATRIX_DAYS", 10)
    by_lag = estimate_rt(local, imported, si=FLU_SI)
    np.testing.assert_array_equal(by_lag.no_data, by_matrix.no_data)
    for p in QUANTILES:
        np.testing.assert_allclose(by_lag.quantile(p), by_matrix.quantile(p), rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(shape=st.floats(1e-2, 1e7), p=st.floats(1e-3, 1 - 1e-3))
def test_standard_gamma_quantiles_agree_with_gammaincinv(shape, p):
    # Large shapes are refined by Halley steps rather than scipy's inversion.
    ours = rt._standard_gamma_quantiles(np.array([shape]), np.array([p, 0.025, 0.975]))
    np.testing.assert_allclose(ours[0], special.gammaincinv(shape, [p, 0.025, 0.975]), rtol=1e-12)


# --- flags -----------------------------------------------------------------------------------


def test_few_cases_flag_follows_the_posterior_cv():
    # Prior shape 1, cv_posterior 0.3: CV = 1/sqrt(1 + cases) > 0.3 below 11 cases.
    local = np.zeros((2, 20))
    local[:, 0] = 50
    local[0, 13] = 10
    local[1, 13] = 11
    estimate = estimate_rt(local, si=FLU_SI, window=7)
    assert estimate.few_cases[0, 13] and not estimate.few_cases[1, 13]
    cv = estimate.std / estimate.mean
    assert cv[0, 13] > 0.3 > cv[1, 13]
    loose = estimate_rt(local, si=FLU_SI, window=7, cv_posterior=0.5)
    assert not loose.few_cases[:, 13].any()


def test_early_flag_marks_windows_before_one_mean_serial_interval():
    local = np.zeros(30)
    local[5:] = 20
    estimate = estimate_rt(local, si=FLU_SI, window=3)
    starts = estimate.window_start
    expected = starts < 5 + FLU_SI.mean
    np.testing.assert_array_equal(estimate.early, expected)
    assert estimate.early[8] and not estimate.early[10]


def test_regions_without_cases_have_no_estimate_and_no_error():
    local = np.zeros((3, 25))
    local[1, :] = 4
    estimate = estimate_rt(local, si=FLU_SI)
    assert estimate.no_data[0].all() and estimate.no_data[2].all()
    assert np.isnan(estimate.mean[0]).all() and np.isnan(estimate.quantile(0.975)[2]).all()
    assert not estimate.no_data[1, 7:].any()
    assert estimate.early[0].all()
    everything_zero = estimate_rt(np.zeros((2, 10)), si=FLU_SI)
    assert everything_zero.no_data.all() and not everything_zero.few_cases.any()


def test_windows_ending_within_one_mean_serial_interval_have_no_estimate():
    # EpiEstim drops windows whose end (1-based) is not after the mean serial interval.
    si = SerialInterval.from_gamma(7.5, 3.4)
    estimate = estimate_rt(np.full(20, 10.0), si=si, window=3)
    assert estimate.no_data[:7].all()
    assert not estimate.no_data[7:].any()


def test_missing_counts_raise_by_default_and_name_the_cell():
    local = np.ones((2, 15))
    local[1, 9] = np.nan
    with pytest.raises(InputError) as caught:
        estimate_rt(local, si=FLU_SI)
    assert caught.value.problems[0].place == "local[region 1, day 9]"
    assert "missing='flag'" in str(caught.value)


def test_missing_counts_can_be_flagged_instead():
    local = np.full((2, 60), 30.0)
    local[1, 20] = np.nan
    estimate = estimate_rt(local, si=FLU_SI, missing="flag")
    clean = estimate_rt(np.full((1, 60), 30.0), si=FLU_SI)
    # The region without gaps is untouched.
    np.testing.assert_allclose(estimate.mean[0], clean.mean[0], rtol=1e-12)
    gone = estimate.no_data[1]
    # Independently: a window is lost if it holds day 20, or if day 20 carries at least 1e-6
    # of serial-interval weight into the Lambda of the days it covers.
    expected = np.zeros(60, dtype=bool)
    expected[:7] = True
    for end in range(7, 60):
        held = range(end - 6, end + 1)
        weight = sum(FLU_SI.pmf[t - 20] for t in held if 0 <= t - 20 < len(FLU_SI))
        expected[end] = 20 in held or weight >= 1e-6
    np.testing.assert_array_equal(gone, expected)
    assert gone[20:27].all() and not gone[7:20].any() and not gone[-10:].any()
    # What is left of day 20's weight (< 1e-6 of it) moves those estimates by as little.
    np.testing.assert_allclose(estimate.mean[1, ~gone], clean.mean[0, ~gone], rtol=1e-6)


def test_a_missing_imported_count_removes_only_the_infectiousness():
    local = np.full(40, 10.0)
    imported = np.zeros(40)
    imported[15] = np.nan
    estimate = estimate_rt(local, imported, si=FLU_SI, missing="flag")
    assert not estimate.no_data[7:15].any()
    assert estimate.no_data[16:22].all()


@pytest.mark.parametrize(
    ("local", "options", "place"),
    [
        (np.array([1.0, -2.0, 3.0, 1.0, 1.0]), {"window": 2}, "local[region 0, day 1]"),
        (np.array([1.0, np.inf, 3.0, 1.0]), {"window": 2}, "local[region 0, day 1]"),
        (np.ones(5), {"window": 5}, "window"),
        (np.ones(5), {"window": 0}, "window"),
        (np.ones(5), {"window": 2.5}, "window"),
        (np.ones(5), {"window": True}, "window"),
        (np.ones((2, 2, 5)), {}, "local"),
        (np.ones((2, 0)), {}, "local"),
        (np.ones(9), {"mean_prior": 0}, "mean_prior"),
        (np.ones(9), {"std_prior": -1.0}, "std_prior"),
        (np.ones(9), {"cv_posterior": math.nan}, "cv_posterior"),
        (np.ones(9), {"quantiles": (0.5, 1.0)}, "quantiles[1]"),
        (np.ones(9), {"missing": "zero"}, "missing"),
        (np.ones(9), {"si": [0.2, 0.8]}, "si[0]"),
        (["a", "b"], {}, "local"),
    ],
)
def test_bad_input_is_an_input_error_naming_the_place(local, options, place):
    options = {"si": FLU_SI, **options}
    with pytest.raises(InputError) as caught:
        estimate_rt(local, **options)
    assert caught.value.problems[0].place == place


def test_many_negative_counts_are_summarised():
    with pytest.raises(InputError) as caught:
        estimate_rt(-np.ones((3, 10)), si=FLU_SI)
    assert len(caught.value.problems) == 20
    assert "11 more cells" in str(caught.value)


def test_imported_must_match_local():
    with pytest.raises(InputError) as caught:
        estimate_rt(np.ones((2, 10)), np.ones((3, 10)), si=FLU_SI)
    assert caught.value.problems[0].place == "imported"


# --- output ----------------------------------------------------------------------------------


def test_quantiles_requested_always_include_the_median():
    estimate = estimate_rt(flu2009(), si=FLU_SI, quantiles=(0.1, 0.9))
    assert list(estimate.quantiles) == [0.1, 0.9, 0.5]
    np.testing.assert_array_equal(estimate.median, estimate.quantile(0.5))
    with pytest.raises(NotFound, match="0.25"):
        estimate.quantile(0.25)


def test_results_are_read_only():
    estimate = estimate_rt(flu2009(), si=FLU_SI)
    with pytest.raises(ValueError):
        estimate.mean[10] = 1.0


def test_to_frame_is_tidy_with_dates_and_flags():
    dates = [datetime.date(2009, 4, 27) + datetime.timedelta(days=i) for i in range(32)]
    local = np.vstack([flu2009(), 2 * flu2009()])
    frame = estimate_rt(local, si=FLU_SI).to_frame(["110101", "110102"], dates)
    assert len(frame) == 64
    assert list(frame.columns) == [
        "region",
        "date",
        "window_start",
        "mean",
        "std",
        "q0.025",
        "q0.05",
        "q0.25",
        "median",
        "q0.75",
        "q0.95",
        "q0.975",
        "few_cases",
        "early",
        "no_data",
    ]
    row = frame.loc[(frame["region"] == "110101") & (frame["date"] == datetime.date(2009, 5, 4))]
    assert row["window_start"].item() == datetime.date(2009, 4, 28)
    assert row["mean"].item() == pytest.approx(1.7357977, rel=1e-6)
    assert frame.loc[frame["no_data"], "window_start"].isna().sum() == 14
    estimated = estimate_rt(local, si=FLU_SI).to_frame(estimated_only=True)
    assert len(estimated) == 50 and not estimated["mean"].isna().any()
    assert estimated["date"].min() == 7


def test_to_frame_checks_label_lengths():
    with pytest.raises(InputError, match="label each of the 32"):
        estimate_rt(flu2009(), si=FLU_SI).to_frame(dates=range(31))


def test_frame_wrapper_labels_regions_and_dates():
    dates = pd.date_range("2009-04-27", periods=32)
    local = pd.DataFrame([flu2009(), flu2009()], index=["A", "B"], columns=dates)
    imported = pd.DataFrame([[0] * 32], index=["B"], columns=dates)
    frame = estimate_rt_frame(local, imported.reindex(local.index, fill_value=0), si=FLU_SI)
    assert set(frame["region"]) == {"A", "B"}
    assert frame["date"].iloc[8] == pd.Timestamp("2009-05-05")


# --- properties ------------------------------------------------------------------------------

counts = st.lists(st.integers(0, 500), min_size=12, max_size=40)


@settings(max_examples=50, deadline=None)
@given(level=st.integers(1, 10_000), window=st.integers(1, 10))
def test_constant_incidence_has_the_closed_form_posterior(level, window):
    estimate = estimate_rt(np.full(60, float(level)), si=FLU_SI, window=window)
    # Past the serial interval's support, Lambda = level * sum(w) on every day.
    cases = window * level
    infectiousness = window * level * FLU_SI.pmf.sum()
    assert estimate.mean[-1] == pytest.approx((1 + cases) / (0.2 + infectiousness), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(series=counts, factor=st.integers(2, 50))
def test_scaling_incidence_moves_the_mean_towards_the_data(series, factor):
    base = np.asarray(series, dtype=float)
    one = estimate_rt(base, si=FLU_SI, window=3)
    many = estimate_rt(base * factor, si=FLU_SI, window=3)
    ok = ~one.no_data
    assert np.array_equal(ok, ~many.no_data)
    cases = one.shape[ok] - 1
    infectiousness = 1 / one.scale[ok] - 0.2
    ratio = cases / infectiousness
    # (1 + k n) / (0.2 + k L) runs monotonically from the prior side towards n / L.
    assert np.all(np.abs(many.mean[ok] - ratio) <= np.abs(one.mean[ok] - ratio) + 1e-12)
    assert np.all((many.mean[ok] - ratio) * (one.mean[ok] - ratio) >= 0)


@settings(max_examples=50, deadline=None)
@given(series=counts)
def test_quantiles_are_ordered_around_the_median(series):
    estimate = estimate_rt(np.asarray(series, dtype=float), si=FLU_SI, window=4)
    ok = ~estimate.no_data
    levels = sorted(estimate.quantiles)
    stacked = np.vstack([estimate.quantile(p)[ok] for p in levels])
    assert np.all(np.diff(stacked, axis=0) > 0)
    assert np.all(estimate.std[ok] > 0)
    assert np.all(estimate.quantile(0.025)[ok] < estimate.mean[ok])
    assert np.all(estimate.mean[ok] < estimate.quantile(0.975)[ok])


@settings(max_examples=40, deadline=None)
@given(imports=st.lists(st.integers(0, 2000), min_size=15, max_size=30))
def test_imported_cases_only_give_r_near_zero(imports):
    imported = np.asarray(imports, dtype=float)
    estimate = estimate_rt(np.zeros_like(imported), imported, si=FLU_SI, window=5)
    ok = ~estimate.no_data
    infectiousness = 1 / estimate.scale[ok] - 0.2
    # Posterior shape is the prior's (1): mean = 1 / (0.2 + Lambda), below 1 / Lambda.
    np.testing.assert_allclose(estimate.mean[ok], 1 / (0.2 + infectiousness))
    assert np.all(estimate.mean[ok] < 1 / infectiousness)
    assert np.all(estimate.few_cases[ok])


@settings(max_examples=30, deadline=None)
@given(st.lists(counts.filter(lambda c: len(c) == 20), min_size=2, max_size=5))
def test_regions_are_estimated_independently(rows):
    table = np.asarray(rows, dtype=float)
    together = estimate_rt(table, si=FLU_SI, window=3)
    for region, row in enumerate(table):
        alone = estimate_rt(row, si=FLU_SI, window=3)
        np.testing.assert_array_equal(together.no_data[region], alone.no_data)
        np.testing.assert_allclose(together.mean[region], alone.mean, rtol=1e-12)
        np.testing.assert_allclose(
            together.quantile(0.05)[region], alone.quantile(0.05), rtol=1e-12
        )


def test_last_days_keeps_the_tail_and_counts_windows_from_it():
    counts = np.array([[0, 2, 4, 3, 5, 8, 6, 9, 12, 10, 14]], dtype=float)
    full = estimate_rt(counts, si=[0, 0.5, 0.3, 0.2], window=3)
    tail = full.last_days(4)
    np.testing.assert_array_equal(tail.mean, full.mean[:, -4:])
    np.testing.assert_array_equal(tail.quantile(0.975), full.quantile(0.975)[:, -4:])
    assert tail.window_end.tolist() == [[0, 1, 2, 3]]
    assert tail.window_start.tolist() == [[0, 0, 0, 1]]  # windows reaching back start at 0
