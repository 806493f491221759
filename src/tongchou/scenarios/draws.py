"""Random transitions for the stochastic model: binomial draws that stay exact where counts are
small (where chance decides whether an outbreak takes off) and use the normal approximation
where they are large, and an allocation of travellers to destinations that keeps every
traveller.

Counts are float64 arrays holding whole numbers, so that populations above 2**24 stay exact.
"""

from __future__ import annotations

import numpy as np

# Binomial draws come in three tiers by their variance. Below NORMAL_FROM_VARIANCE they are
# exact: chance at small counts decides whether an outbreak dies out or takes off. Up to
# EXPECTED_FROM_VARIANCE they come from the normal approximation, rounded: its error is far
# below the spread between ensemble members, at a fraction of the cost. From there on (a
# standard deviation of 100 and more, 1% of the count or less) the draw is its expected value,
# rounded: that noise is immaterial next to everything else that varies between members, and
# skipping it keeps an ensemble over hundreds of regions in a big epidemic fast.
NORMAL_FROM_VARIANCE = 10.0
EXPECTED_FROM_VARIANCE = 1e4


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """One Binomial(n, p) draw per cell; n holds whole numbers >= 0, 0 <= p <= 1."""
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    shape = np.broadcast_shapes(n.shape, p.shape)
    mean = n * p
    variance = mean * (1.0 - p)
    out = np.rint(mean)
    random = variance < EXPECTED_FROM_VARIANCE
    random &= mean > 0
    cells = np.flatnonzero(random)
    if not cells.size:
        return out
    counts = np.broadcast_to(n, shape).ravel()[cells]
    means = mean.ravel()[cells]
    variances = variance.ravel()[cells]
    drawn = np.empty(cells.size)
    large = variances >= NORMAL_FROM_VARIANCE
    some = np.flatnonzero(large)
    if some.size:
        z = rng.standard_normal(some.size, dtype=np.float32)
        approx = np.rint(means[some] + np.sqrt(variances[some]) * z)
        drawn[some] = np.clip(approx, 0.0, counts[some])
    some = np.flatnonzero(~large)
    if some.size:
        chance = np.minimum(means[some] / counts[some], 1.0)
        drawn[some] = rng.binomial(counts[some].astype(np.int64), chance)
    out.ravel()[cells] = drawn
    return out


def allocate(expected: np.ndarray, totals: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Whole numbers per cell of each row that add up to the row's `totals` exactly, each
    within one of `expected` and equal to it on average over `offsets` ~ U[0, 1) (systematic
    sampling along the row). `expected` rows should add up to `totals`."""
    edges = np.cumsum(expected, axis=1, dtype=np.float64)
    totals = np.asarray(totals, dtype=np.float64)
    np.minimum(edges, totals[:, None], out=edges)
    edges[:, -1] = totals
    return np.diff(np.ceil(edges - offsets[:, None]), axis=1, prepend=0.0)
