import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tongchou.zoning.windows import per_100k, window_stat

NAN = np.nan


def test_sum_mean_max_over_a_window_by_hand():
    x = np.array([[1.0, 2, 3, 4, 5]])
    days = np.array([4])
    assert window_stat(x, "sum", 3, days)[0][0, 0] == 12
    assert window_stat(x, "mean", 3, days)[0][0, 0] == 4
    assert window_stat(x, "max", 3, days)[0][0, 0] == 5
    assert window_stat(x, "min", 3, days)[0][0, 0] == 3
    assert window_stat(x, "last", 1, days)[0][0, 0] == 5


def test_count_positive_counts_days_not_cases():
    x = np.array([[0.0, 7, 0, 1, 0]])
    value, censored = window_stat(x, "count_positive", 5, np.array([4]))
    assert value[0, 0] == 2
    assert censored is None  # no gap: exact


def test_window_reaching_before_the_record_is_a_lower_bound():
    x = np.array([[2.0, 3, 0]])
    value, censored = window_stat(x, "sum", 14, np.array([2]))
    assert value[0, 0] == 5 and censored[0, 0]
    mean, _ = window_stat(x, "mean", 14, np.array([2]))
    assert np.isnan(mean[0, 0])


def test_a_missing_day_makes_sums_lower_bounds_and_means_missing():
    x = np.array([[1.0, NAN, 1, 1]])
    value, censored = window_stat(x, "sum", 3, np.array([3]))
    assert value[0, 0] == 2 and censored[0, 0]
    assert np.isnan(window_stat(x, "mean", 3, np.array([3]))[0][0, 0])
    skipped, bound = window_stat(x, "sum", 3, np.array([3]), skip_missing=True)
    assert skipped[0, 0] == 2 and bound is None
    assert window_stat(x, "mean", 3, np.array([3]), skip_missing=True)[0][0, 0] == 1


def test_an_all_missing_window_under_skip_missing_is_missing():
    x = np.array([[NAN, NAN, 4.0]])
    value, _ = window_stat(x, "sum", 2, np.array([1]), skip_missing=True)
    assert np.isnan(value[0, 0])


def test_days_since_positive_by_hand():
    x = np.array([[0.0, 3, 0, 0, 0], [0, 0, 0, 0, 2], [0, 0, 0, 0, 0]])
    since, censored = window_stat(x, "days_since_positive", 1, np.array([4]))
    assert since[:, 0].tolist() == [3, 0, 5]
    assert censored[:, 0].tolist() == [False, False, True]


def test_days_since_positive_unknown_after_a_missing_day():
    x = np.array([[3.0, 0, NAN, 0], [3.0, NAN, 1, 0]])
    since, _ = window_stat(x, "days_since_positive", 1, np.array([3]))
    assert np.isnan(since[0, 0])
    assert since[1, 0] == 1
    skipped, _ = window_stat(x, "days_since_positive", 1, np.array([3]), skip_missing=True)
    assert skipped[0, 0] == 3


def test_non_contiguous_days_match_one_by_one():
    rng = np.random.default_rng(1)
    x = rng.poisson(2, size=(4, 30)).astype(float)
    days = np.array([25, 3, 17])
    together, _ = window_stat(x, "sum", 7, days)
    for j, d in enumerate(days):
        alone, _ = window_stat(x, "sum", 7, np.array([d]))
        np.testing.assert_array_equal(together[:, j], alone[:, 0])


def test_per_100k_is_missing_where_population_is_zero_or_missing():
    rate = per_100k(np.array([[5.0], [5.0], [5.0]]), np.array([50_000.0, 0.0, NAN]))
    assert rate[0, 0] == 10
    assert np.isnan(rate[1:, 0]).all()


counts = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 40)),
    elements=st.integers(0, 50).map(float),
)


@settings(max_examples=60, deadline=None)
@given(counts, st.integers(1, 15))
def test_sum_and_max_agree_with_pandas_rolling(x, window):
    days = np.arange(x.shape[1])
    value, censored = window_stat(x, "sum", window, days)
    rolled = pd.DataFrame(x.T).rolling(window).sum().to_numpy().T
    complete = ~np.isnan(rolled)
    np.testing.assert_allclose(value[complete], rolled[complete])
    bound = np.zeros(x.shape, dtype=bool) if censored is None else censored
    assert (bound == ~complete).all()
    top, _ = window_stat(x, "max", window, days)
    np.testing.assert_allclose(
        top[complete], pd.DataFrame(x.T).rolling(window).max().to_numpy().T[complete]
    )


@settings(max_examples=60, deadline=None)
@given(counts)
def test_days_since_positive_agrees_with_a_plain_loop(x):
    days = np.arange(x.shape[1])
    since, censored = window_stat(x, "days_since_positive", 1, days)
    for r in range(x.shape[0]):
        last = -1
        for t in range(x.shape[1]):
            if x[r, t] > 0:
                last = t
            assert since[r, t] == t - last
            assert censored[r, t] == (last < 0)
