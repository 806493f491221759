"""Lengths of stay and delays as daily pmfs.

A stay pmf gives P(a patient occupies a bed on exactly d days), d = 1, 2, ...: the day of
admission counts, so a stay of zero days does not exist. A delay pmf gives P(d days pass),
d = 0, 1, ..., and may put mass on zero. Survival S(k) = P(stay > k) is the chance that a
patient admitted on day 0 is still there on day k, which is what turns admissions into a
census: census_t = sum_k admissions_{t-k} S(k).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from tongchou.errors import InputError, Problem

# Discretised fits are cut where this much probability is left, and renormalised.
_TAIL = 1e-5


def check_pmf(pmf, place: str, *, stay: bool) -> np.ndarray:
    """A 1-D pmf over days 0, 1, ...: finite, non-negative, summing to 1 (within 1e-6).

    stay=True also refuses mass on day 0."""
    values = np.asarray(pmf, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise InputError(
            Problem(place, "must be a 1-D pmf over days 0, 1, 2, ...", value=values.shape)
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InputError(Problem(place, "must hold finite non-negative probabilities"))
    total = values.sum()
    if abs(total - 1) > 1e-6:
        raise InputError(
            Problem(place, "must sum to 1", value=float(total), nearest=f"{place} / {total:g}")
        )
    if stay and values[0] > 0:
        raise InputError(
            Problem(
                place,
                "a length of stay of zero days is not possible (the admission day counts)",
                value=float(values[0]),
                expected="pmf[0] == 0",
            )
        )
    values = values / total
    values.setflags(write=False)
    return values


def fixed_days(days: int) -> np.ndarray:
    """The pmf of exactly `days` days."""
    pmf = np.zeros(int(days) + 1)
    pmf[int(days)] = 1.0
    return pmf


def survival(pmf: np.ndarray, length: int) -> np.ndarray:
    """S(k) = P(X > k) for k = 0 .. length - 1."""
    padded = np.zeros(max(length, pmf.size))
    padded[: pmf.size] = pmf
    return np.clip(1.0 - np.cumsum(padded)[:length], 0.0, 1.0)


def pmf_of_survival(values: np.ndarray) -> np.ndarray:
    """The pmf of X >= 0 whose survival P(X > k) is `values` (k = 0, 1, ...; ends at 0)."""
    values = np.append(values, 0.0)
    return np.diff(np.concatenate([[1.0], values]), n=1) * -1.0


def total_of(*pmfs: np.ndarray) -> np.ndarray:
    """The pmf of the sum of independent durations."""
    result = np.array([1.0])
    for pmf in pmfs:
        result = np.convolve(result, pmf)
    return result


def longer_of(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The pmf of max(X, Y) when the longer of two stays goes with the longer of the other
    (comonotone): its survival is the larger of the two. A ventilated patient's ICU stay is
    the longer of the ICU stay and the ventilation, so that ventilation fits inside it."""
    length = max(first.size, second.size) + 1
    return pmf_of_survival(np.maximum(survival(first, length), survival(second, length)))[:length]


def remaining_stay(pmf: np.ndarray, length: int) -> np.ndarray:
    """R(j) = P(a patient in a bed on day 0 is still there on day j), j = 0 .. length - 1.

    Assumes admissions were steady before day 0, so that the patients present are spread
    over the days of their stay in proportion to S: R(j) = sum_{m >= j} S(m) / E[stay] (the
    stationary excess distribution of renewal theory). R(0) = 1."""
    horizon = max(length, pmf.size)
    tail = survival(pmf, horizon)
    remaining = np.cumsum(tail[::-1])[::-1] / tail.sum()
    return remaining[:length]


def weibull_from_quartiles(first: float, third: float) -> np.ndarray:
    """A stay pmf from a Weibull fitted exactly to published quartiles (days).

    Day d holds the probability of a continuous stay in (d - 1, d]; the admission day
    counts, so (0, 1] goes to day 1."""
    if not 0 < first < third:
        raise InputError(
            Problem("quartiles", "need 0 < first quartile < third quartile", value=(first, third))
        )
    shape = np.log(np.log(4) / np.log(4 / 3)) / np.log(third / first)
    scale = third / np.log(4) ** (1 / shape)
    distribution = stats.weibull_min(shape, scale=scale)
    last = int(np.ceil(distribution.ppf(1 - _TAIL)))
    cdf = distribution.cdf(np.arange(last + 1))
    pmf = np.diff(cdf, prepend=0.0)
    pmf[0] = 0.0
    return pmf / pmf.sum()
