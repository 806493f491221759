"""The random transitions: exact where counts are small, unbiased everywhere, and travellers
allocated without loss."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tongchou.scenarios import draws


def test_small_counts_follow_the_exact_binomial():
    rng = np.random.default_rng(1)
    x = draws.binomial(rng, np.full(200_000, 8.0), 0.3)
    observed = np.bincount(x.astype(int), minlength=9)
    expected = stats.binom.pmf(np.arange(9), 8, 0.3) * x.size
    statistic, p_value = stats.chisquare(observed, expected)
    assert p_value > 0.001, statistic


def test_large_counts_keep_mean_and_variance():
    rng = np.random.default_rng(2)
    n, p = 50_000.0, 0.01  # variance 495: the normal tier
    x = draws.binomial(rng, np.full(100_000, n), p)
    assert abs(x.mean() - n * p) < 0.2
    assert abs(x.var() / (n * p * (1 - p)) - 1) < 0.03
    assert (x == np.round(x)).all() and x.min() >= 0 and x.max() <= n


def test_very_large_counts_move_their_expected_value():
    rng = np.random.default_rng(3)
    x = draws.binomial(rng, np.array([1e9, 4e7]), np.array([0.5, 0.25]))
    assert x.tolist() == [5e8, 1e7]


def test_edge_probabilities():
    rng = np.random.default_rng(4)
    assert draws.binomial(rng, np.array([7.0, 7.0, 0.0]), np.array([0.0, 1.0, 0.5])).tolist() == [
        0.0,
        7.0,
        0.0,
    ]


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 10**7), min_size=1, max_size=30),
    p=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**31),
)
def test_draws_are_whole_numbers_within_zero_and_n(counts, p, seed):
    n = np.array(counts, dtype=float)
    x = draws.binomial(np.random.default_rng(seed), n, p)
    assert (x == np.round(x)).all()
    assert (x >= 0).all() and (x <= n).all()


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 5),
    cells=st.integers(1, 40),
    seed=st.integers(0, 2**31),
)
def test_allocation_keeps_every_traveller(rows, cells, seed):
    rng = np.random.default_rng(seed)
    totals = rng.integers(0, 1000, rows).astype(float)
    shares = rng.random((rows, cells)) * (rng.random((rows, cells)) > 0.3)
    shares[:, 0] += 1e-3
    expected = shares / shares.sum(axis=1, keepdims=True) * totals[:, None]
    counts = draws.allocate(expected, totals, rng.random(rows))
    assert (counts.sum(axis=1) == totals).all()
    assert (counts >= 0).all()
    assert (np.abs(counts - expected) < 1 + 1e-9).all()


def test_allocation_is_unbiased():
    rng = np.random.default_rng(5)
    expected = np.array([[0.3, 1.2, 0.0, 2.5]])
    runs = [draws.allocate(expected, np.array([4.0]), rng.random(1)) for _ in range(20_000)]
    assert np.allclose(np.mean(runs, axis=0), expected, atol=0.02)


def test_overlapping_parallel_sections_lift_the_blas_limit_when_the_last_ends():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    first, second = draws.parallel_section(), draws.parallel_section()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # runs on two threads end in any order
    assert set(blas_threads()) == {1}
    second.__exit__(None, None, None)
    assert blas_threads() == before
