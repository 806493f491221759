"""Windowed statistics of daily series, for all regions at once.

A window of ``w`` days ending on day ``t`` covers days ``t-w+1 .. t``. Days that are missing
(NaN), or lie before the first day of the arrays, are not guessed. By default the sum, count
of positive days and maximum of a window with such a gap are returned as lower bounds (the
days seen; the series are non-negative) with a ``censored`` mask, and its mean or minimum is
missing; ``days_since_positive`` is a lower bound when no positive day is on record. With
``skip_missing=True`` missing days are simply left out, and a statistic is missing only when
the whole window is.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Stat = Literal["sum", "mean", "max", "min", "last", "count_positive", "days_since_positive"]
WINDOWED_STATS = ("sum", "mean", "max", "min", "count_positive")
STATS = (*WINDOWED_STATS, "last", "days_since_positive")


def window_stat(
    values: np.ndarray,
    stat: Stat,
    window: int,
    days: np.ndarray,
    *,
    skip_missing: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The statistic of ``values`` (regions, days) for the windows ending on ``days``.

    Returns the values (regions, len(days)) and a mask of the entries that are only lower
    bounds of the true value (None when every entry is exact or missing).
    """
    days = np.asarray(days, dtype=np.intp)
    if stat == "last":
        return values[:, days].astype(float, copy=True), None
    if stat == "days_since_positive":
        return _days_since_positive(values, days, skip_missing)
    return _windowed(values, stat, window, days, skip_missing)


def per_100k(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Values per 100,000 inhabitants; missing where the population is missing or zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = values * (1e5 / population[:, None])
    rate[~(population > 0)] = np.nan
    return rate


def _windowed(
    values: np.ndarray, stat: str, window: int, days: np.ndarray, skip_missing: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    start = int(days.min()) - window + 1
    span = values[:, max(start, 0) : int(days.max()) + 1]
    if start < 0:
        before = np.full((values.shape[0], -start), np.nan)
        span = np.concatenate([before, span], axis=1)
    # Column j of ``span`` is day start + j; the window ending on day d ends at column
    # d - start.
    ends = days - start
    missing = np.isnan(span)
    if stat == "count_positive":
        span = np.where(missing, np.nan, span > 0)
    if stat in ("sum", "count_positive", "mean"):
        total = _running_window(np.where(missing, 0.0, span), ends, window)
        gaps = _running_window(missing, ends, window) if missing.any() else None
        if stat == "mean":
            seen = window if gaps is None else window - gaps
            with np.errstate(invalid="ignore", divide="ignore"):
                total = total / seen
            if gaps is not None and not skip_missing:
                total[gaps > 0] = np.nan
            elif gaps is not None:
                total[seen == 0] = np.nan
            return total, None
        return _bounded(total, gaps, window, skip_missing)
    windows = sliding_window_view(span, window, axis=1)[:, ends - window + 1]
    if not missing.any():
        return (np.max if stat == "max" else np.min)(windows, axis=2), None
    gaps = np.isnan(windows).sum(axis=2)
    if stat == "min" and not skip_missing:
        return np.min(windows, axis=2), None
    with warnings.catch_warnings():
        # All-missing windows are dealt with in _bounded; numpy's warning adds nothing.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = (np.nanmax if stat == "max" else np.nanmin)(windows, axis=2)
    return _bounded(result, gaps, window, skip_missing)


def _running_window(x: np.ndarray, ends: np.ndarray, window: int) -> np.ndarray:
    """Sums of ``x`` over the windows ending at columns ``ends``, by running totals."""
    running = np.zeros((x.shape[0], x.shape[1] + 1))
    np.cumsum(x, axis=1, out=running[:, 1:])
    return running[:, ends + 1] - running[:, ends + 1 - window]


def _bounded(result: np.ndarray, gaps: np.ndarray | None, window: int, skip_missing: bool):
    """The statistic of the days seen: exact, missing (skip_missing, nothing seen), or a lower
    bound (every series is non-negative, so the sum, count or maximum of the days seen is at
    most the true one: enough to decide "above 0" on a window with a gap)."""
    if gaps is None:
        return result, None
    empty = gaps == window
    if skip_missing:
        result[empty] = np.nan
        return result, None
    result[empty] = 0.0
    return result, gaps > 0


def _days_since_positive(
    values: np.ndarray, days: np.ndarray, skip_missing: bool
) -> tuple[np.ndarray, np.ndarray]:
    history = values[:, : int(days.max()) + 1]
    last_positive = _last_index(history > 0, days)
    since = (days - last_positive).astype(float)
    censored = last_positive < 0
    if not skip_missing:
        since[_last_index(np.isnan(history), days) > last_positive] = np.nan
        censored &= ~np.isnan(since)
    return since, censored


def _last_index(flags: np.ndarray, days: np.ndarray) -> np.ndarray:
    """For each row and each of ``days``, the last column <= that day where ``flags`` is set,
    or -1."""
    if len(days) <= 4:
        # A few days (the daily bulletin): one reverse scan per day beats a running maximum
        # over the whole record.
        out = np.empty((flags.shape[0], len(days)), dtype=np.intp)
        for j, day in enumerate(days):
            upto = flags[:, day::-1]
            out[:, j] = np.where(upto.any(axis=1), day - upto.argmax(axis=1), -1)
        return out
    index = np.arange(flags.shape[1])
    return np.maximum.accumulate(np.where(flags, index, -1), axis=1)[:, days]
