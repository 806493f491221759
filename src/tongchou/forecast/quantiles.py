"""Quantile levels of a probabilistic forecast, and quantiles of sample paths.

The 23 levels are those of the US COVID-19 Forecast Hub (Cramer et al. 2022, Scientific Data
9:462): the median and the bounds of 11 central prediction intervals (98%, 95%, 90%, 80%, ...,
10%), which is what the weighted interval score of Bracher et al. (2021) is defined over.
"""

from __future__ import annotations

import numpy as np

from tongchou.errors import InputError, Problem

QUANTILE_LEVELS: np.ndarray = np.round(
    np.concatenate([[0.01, 0.025], np.arange(0.05, 0.951, 0.05), [0.975, 0.99]]), 4
)
QUANTILE_LEVELS.setflags(write=False)


def check_levels(levels: np.ndarray, place: str = "levels") -> np.ndarray:
    """Levels strictly increasing in (0, 1), holding 0.5 and symmetric around it, so that they
    pair into central intervals."""
    levels = np.asarray(levels, dtype=float)
    problems = []
    if levels.ndim != 1 or levels.size == 0:
        problems.append(Problem(place, "must be a 1-D list of levels", value=levels.shape))
    elif not (np.all(levels > 0) and np.all(levels < 1) and np.all(np.diff(levels) > 0)):
        problems.append(
            Problem(place, "levels must increase strictly inside (0, 1)", value=levels.tolist())
        )
    elif not np.any(np.isclose(levels, 0.5)):
        problems.append(Problem(place, "levels must include the median 0.5", value=levels.tolist()))
    elif not np.allclose(levels + levels[::-1], 1.0):
        problems.append(
            Problem(
                place,
                "levels must pair into central intervals (tau and 1 - tau)",
                value=levels.tolist(),
                expected="symmetric levels such as QUANTILE_LEVELS",
            )
        )
    if problems:
        raise InputError(problems)
    return levels


def quantiles_of_sorted(sorted_samples: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles along the last axis of samples already sorted on it, by linear interpolation
    between order statistics (numpy's default, Hyndman and Fan 1996 type 7).

    Returns an array shaped like the input with its last axis replaced by the levels.
    """
    count = sorted_samples.shape[-1]
    position = np.asarray(levels, dtype=float) * (count - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, count - 1)
    weight = position - below
    low = np.take(sorted_samples, below, axis=-1).astype(np.float64)
    high = np.take(sorted_samples, above, axis=-1).astype(np.float64)
    return low + (high - low) * weight
