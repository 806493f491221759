"""Random transitions for the stochastic model: binomial draws that stay exact where counts are
small (where chance decides whether an outbreak takes off) and use the normal approximation
where they are large, and an allocation of travellers to destinations that keeps every
traveller.

Counts are float64 arrays holding whole numbers, so that populations above 2**24 stay exact.

Both run as compiled loops (numba): a draw per cell with a branch on its tier costs a few
nanoseconds there, against a dozen whole-array passes, gathers and scatters in numpy. The
compiled code draws from its own generator, seeded on every call from the numpy Generator the
caller passes, so that a run is reproduced exactly from its seed. The loops over ensemble
members use every core (`parallel_section`).
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager

import numba
import numpy as np
from threadpoolctl import threadpool_limits

# Binomial draws come in three tiers by their variance. Below NORMAL_FROM_VARIANCE they are
# exact: chance at small counts decides whether an outbreak dies out or takes off. Up to
# EXPECTED_FROM_VARIANCE they come from the normal approximation, rounded: its error is far
# below the spread between ensemble members, at a fraction of the cost. From there on (a
# standard deviation of 100 and more, 1% of the count or less) the draw is its expected value,
# rounded: that noise is immaterial next to everything else that varies between members, and
# skipping it keeps an ensemble over hundreds of regions in a big epidemic fast.
NORMAL_FROM_VARIANCE = 10.0
EXPECTED_FROM_VARIANCE = 1e4

SEEDS = 2**32  # the compiled generator (Mersenne Twister) takes a 32-bit seed
# Members are drawn in this many blocks, each on one thread from a generator seeded for it:
# the draws are the same whatever the number of threads.
BLOCKS = 64
# One parallel loop at a time: numba's fallback threading layer (workqueue, where neither
# OpenMP nor TBB is present) is not safe for loops launched from several threads at once.
LAUNCH = threading.Lock()


class _BlasHeld:
    """Holds numpy's BLAS to one thread while any run is inside a parallel section: BLAS
    threads keep spinning after each product and would take the cores from the parallel loops
    (the 1,000-member benchmark ensemble took 12.6 s with them, 8.2 s without). The limit is
    process-wide, so it is counted: the first run in sets it, the last one out lifts it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._limits = None

    @contextmanager
    def __call__(self):
        with self._lock:
            if not self._inside:
                self._limits = threadpool_limits(1, user_api="blas")
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if not self._inside:
                    self._limits.restore_original_limits()


parallel_section = _BlasHeld()


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """One Binomial(n, p) draw per cell; n holds whole numbers >= 0, 0 <= p <= 1."""
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    shape = np.broadcast_shapes(n.shape, p.shape)
    out = np.empty(shape)
    rows = out.reshape(-1, shape[-1]) if shape else out.reshape(1, 1)
    with LAUNCH:
        _binomial(_as_rows(n, shape), _as_rows(p, shape), rows, rng.integers(SEEDS))
    return out


def allocate(expected: np.ndarray, totals: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Whole numbers per cell of each row that add up to the row's `totals` exactly, each
    within one of `expected` and equal to it on average over `offsets` ~ U[0, 1) (systematic
    sampling along the row). `expected` rows should add up to `totals`."""
    expected = np.asarray(expected)
    out = np.empty(expected.shape)
    _allocate(
        expected,
        np.asarray(totals, dtype=np.float64),
        np.asarray(offsets, dtype=np.float64),
        out,
    )
    return out


def _as_rows(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """`array` broadcast to `shape` and seen as 2-D, without a copy where it can be: a
    broadcast dimension keeps a zero stride, which the compiled loop reads as it is."""
    view = np.broadcast_to(array, shape)  # read-only, as the compiled loop expects
    if view.ndim == 2:
        return view
    if view.ndim < 2:
        return view.reshape((1,) * (2 - view.ndim) + view.shape)
    return view.reshape(-1, view.shape[-1])  # a copy where the strides do not allow a view


@numba.njit(cache=True, nogil=True)
def draw(count: float, p: float) -> float:
    """One Binomial(count, p) draw, in its tier, from the compiled generator."""
    if count <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return count
    mean = count * p
    variance = mean * (1.0 - p)
    if variance >= EXPECTED_FROM_VARIANCE:
        return np.rint(mean)
    if variance >= NORMAL_FROM_VARIANCE:
        drawn = np.rint(mean + math.sqrt(variance) * np.random.standard_normal())
        return min(max(drawn, 0.0), count)
    return float(np.random.binomial(np.int64(count), p))


READ = numba.types.Array(numba.float64, 2, "A", readonly=True)  # any strides, zero included
_WRITE = numba.types.Array(numba.float64, 2, "A")


@numba.njit(numba.void(READ, READ, _WRITE, numba.int64), cache=True, parallel=True)
def _binomial(n, p, out, seed):
    rows, cols = out.shape
    blocks = min(rows, BLOCKS)
    for block in numba.prange(blocks):
        np.random.seed((seed + block) % SEEDS)
        for i in range(block * rows // blocks, (block + 1) * rows // blocks):
            for j in range(cols):
                out[i, j] = draw(n[i, j], p[i, j])


@numba.njit(cache=True, nogil=True)
def _allocate(expected, totals, offsets, out):
    rows, cols = expected.shape
    for i in range(rows):
        total = totals[i]
        if total <= 0.0:
            out[i, :] = 0.0
            continue
        # cell j gets the whole numbers k + offset that fall within its share of the row
        edge = 0.0
        taken = 0.0
        for j in range(cols):
            edge = min(edge + expected[i, j], total)
            upto = total if j == cols - 1 else math.ceil(edge - offsets[i])
            out[i, j] = upto - taken
            taken = upto
