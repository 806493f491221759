"""Stay and delay pmfs: checks, survival, remaining stay, the comonotone longer stay, fits."""

from __future__ import annotations

import numpy as np
import pytest

from tongchou.errors import InputError
from tongchou.resources.stays import (
    check_pmf,
    fixed_days,
    longer_of,
    remaining_stay,
    survival,
    total_of,
    weibull_from_quartiles,
)


def test_check_pmf():
    np.testing.assert_allclose(check_pmf([0, 0.25, 0.75], "stay", stay=True), [0, 0.25, 0.75])
    np.testing.assert_allclose(check_pmf([1.0], "delay", stay=False), [1.0])
    with pytest.raises(InputError, match="zero days"):
        check_pmf([0.5, 0.5], "ward_stay", stay=True)
    with pytest.raises(InputError, match="sum to 1") as caught:
        check_pmf([0, 0.5, 0.6], "icu_stay", stay=True)
    assert caught.value.problems[0].place == "icu_stay"
    with pytest.raises(InputError, match="non-negative"):
        check_pmf([0, -0.5, 1.5], "delay", stay=False)


def test_survival_and_sums():
    np.testing.assert_allclose(survival(fixed_days(3), 5), [1, 1, 1, 0, 0])
    np.testing.assert_allclose(survival(np.array([0, 0.5, 0.5]), 4), [1, 0.5, 0, 0])
    np.testing.assert_allclose(total_of(fixed_days(2), np.array([0.5, 0.5])), [0, 0, 0.5, 0.5])


def test_remaining_stay_by_hand():
    # Stays of 1 or 3 days: S = (1, .5, .5, 0), mean 2, R(j) = sum_{m >= j} S(m) / 2.
    np.testing.assert_allclose(remaining_stay(np.array([0, 0.5, 0, 0.5]), 5), [1, 0.5, 0.25, 0, 0])
    np.testing.assert_allclose(remaining_stay(fixed_days(4), 5), [1, 0.75, 0.5, 0.25, 0])


def test_longer_of_two_stays():
    # Comonotone: survival is the larger, so the result is never shorter than either.
    icu = np.array([0, 0.5, 0.5])  # 1 or 2 days
    vent = np.array([0, 0, 0, 1.0])  # 3 days
    np.testing.assert_allclose(longer_of(icu, vent)[:4], [0, 0, 0, 1])
    mixed = longer_of(np.array([0, 0.5, 0, 0.5]), np.array([0, 0, 1.0]))
    np.testing.assert_allclose(survival(mixed, 4), [1, 1, 0.5, 0])


@pytest.mark.parametrize(("first", "third", "median"), [(7, 14, 11), (4, 12, 8)])
def test_weibull_reproduces_the_published_quartiles(first, third, median):
    # Zhou et al. 2020: hospital stay 11 (7-14) days, ICU stay 8 (4-12) days.
    pmf = weibull_from_quartiles(first, third)
    cdf = np.cumsum(pmf)
    assert pmf[0] == 0 and cdf[-1] == pytest.approx(1)
    assert [int(np.searchsorted(cdf, q)) for q in (0.25, 0.5, 0.75)] == [first, median, third]
    with pytest.raises(InputError):
        weibull_from_quartiles(third, first)
