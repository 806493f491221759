"""Exponential growth rate per day of daily counts, with doubling or halving time, for every
region and day at once, from a log-linear regression over a trailing window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tongchou.facts.checks import check_confidence, check_counts, check_window, reject
from tongchou.facts.conversion import RunningSums


@dataclass(frozen=True)
class Growth:
    """Exponential growth rate r per day from a log-linear regression of log(daily + 0.5) on
    the day over a trailing window, with its confidence interval, and the doubling time
    (r > 0) or halving time (r < 0) in days with their intervals.

    too_few: the window had too few usable days or cases; every field is NaN there.
    not_significant: the interval for r contains 0; r is given, the times are NaN.
    """

    rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    doubling_time: np.ndarray
    doubling_lower: np.ndarray
    doubling_upper: np.ndarray
    halving_time: np.ndarray
    halving_lower: np.ndarray
    halving_upper: np.ndarray
    too_few: np.ndarray
    not_significant: np.ndarray


def _trailing_sums(values: np.ndarray, window: int) -> np.ndarray:
    """Sum over the up-to-`window` days ending on each day, from one cumulative sum."""
    total = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=total[:, 1:])
    return _from_total(total, window)


def _from_total(total: np.ndarray, window: int) -> np.ndarray:
    result = np.empty((total.shape[0], total.shape[1] - 1))
    result[:, :window] = total[:, 1 : window + 1]
    np.subtract(total[:, window + 1 :], total[:, 1:-window], out=result[:, window:])
    return result


def estimate_growth(
    daily,
    *,
    window: int = 14,
    min_days: int = 10,
    min_cases: float = 10.0,
    confidence: float = 0.95,
    exclude: np.ndarray | None = None,
) -> Growth:
    """Growth rate over the trailing `window` days ending on each day, all regions at once.

    Ordinary least squares of y = log(daily + 0.5) on the day number, over the days of the
    window with a known count >= 0 and not in `exclude` (e.g. counts that span a gap). Daily
    counts rather than a 7-day average, because averaging makes neighbouring points dependent
    and the regression's interval too narrow. The interval is slope +/- t(n-2) * SE.
    Too few: fewer than `min_days` usable days, or fewer than `min_cases` new cases reported in
    the window. Early windows are shorter than `window` and are used once they reach `min_days`.
    """
    daily = check_counts(daily, "daily", allow_negative=True)
    window, min_days = check_growth_settings(window, min_days, confidence)
    with np.errstate(invalid="ignore"):
        usable = daily >= 0
    if exclude is not None:
        usable &= ~np.asarray(exclude, dtype=bool)
    running = RunningSums(daily)
    return fit_growth(daily, usable, running, window, min_days, min_cases, confidence)


def check_growth_settings(window, min_days, confidence) -> tuple[int, int]:
    """Return `window` and `min_days` as whole numbers of days, or raise InputError for a
    window under 3 days, `min_days` beyond the window or a confidence outside (0, 1)."""
    window = check_window("window", window, 3)
    min_days = check_window("min_days", min_days, 3)
    if min_days > window:
        reject("min_days", "cannot exceed the window", value=min_days, nearest=window)
    check_confidence(confidence)
    return window, min_days


def fit_growth(
    daily: np.ndarray,
    usable: np.ndarray,
    running: RunningSums,
    window: int,
    min_days: int,
    min_cases: float,
    confidence: float,
) -> Growth:
    """`estimate_growth` on checked input: `usable` marks the days the regression may use,
    `running` holds the running sums of `daily` (the cases in each window), and the settings
    have passed `check_growth_settings`."""
    regions, days = daily.shape
    y = np.add(daily, 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.log(y, out=y)
    skipped = np.flatnonzero(~usable)
    y.flat[skipped] = 0.0
    # x centred on the series keeps differences of cumulative sums accurate.
    x = np.arange(days) - (days - 1) / 2
    sums = [_trailing_sums(y, window), _trailing_sums(y * x, window), _trailing_sums(y * y, window)]
    quantiles = np.full(window + 1, np.nan)
    quantiles[3:] = stats.t.ppf(0.5 + confidence / 2, np.arange(1, window - 1))
    cases = _from_total(running.total, window)
    if skipped.size * window <= daily.size // 4:
        # Few skipped days: the day counts and x sums are those of a full window, shared by all
        # regions, except in the windows that hold a skipped day, which are refitted alone.
        days_x = [_trailing_sums(w[None, :], window) for w in (np.ones(days), x, x * x)]
        cells, counted = _windows_holding(skipped, days, window, x)
        held = [total.flat[cells] for total in sums]
        slope, half = _fit(*days_x, *sums, quantiles)
        too_few = (days_x[0] < min_days) | (cases < min_cases)
        at = cells % days
        n, sum_x, sxx = (full[0, at] - part for full, part in zip(days_x, counted, strict=True))
        slope.flat[cells], half.flat[cells] = _fit(n, sum_x, sxx, *held, quantiles)
        too_few.flat[cells] = (n < min_days) | (cases.flat[cells] < min_cases)
    else:
        weights = usable.astype(float)
        n = _trailing_sums(weights, window)
        x_sums = [_trailing_sums(weights * x, window), _trailing_sums(weights * (x * x), window)]
        slope, half = _fit(n, *x_sums, *sums, quantiles)
        too_few = (n < min_days) | (cases < min_cases)
    slope[too_few] = np.nan
    lower, upper = slope - half, slope + half
    with np.errstate(invalid="ignore"):
        growing, shrinking = lower > 0, upper < 0
    doubling = _times(growing, np.log(2.0), (slope, upper, lower))
    halving = _times(shrinking, -np.log(2.0), (slope, lower, upper))
    not_significant = ~too_few & ~growing & ~shrinking
    return Growth(slope, lower, upper, *doubling, *halving, too_few, not_significant)


def _times(where: np.ndarray, scale: float, rates) -> list[np.ndarray]:
    """scale / rate where `where` holds, NaN elsewhere."""
    return [np.divide(scale, r, out=np.full(r.shape, np.nan), where=where) for r in rates]


def _windows_holding(skipped: np.ndarray, days: int, window: int, x: np.ndarray):
    """The flat cells whose trailing window holds a skipped day, and per cell the number of
    skipped days in it and the sums of their x and x squared."""
    offsets = np.arange(window)
    reach = skipped[:, None] + offsets
    inside = (skipped % days)[:, None] + offsets < days
    cells, which = np.unique(reach[inside], return_inverse=True)
    skipped_x = np.broadcast_to(x[skipped % days][:, None], reach.shape)[inside]
    counted = [
        np.bincount(which, weights=weights, minlength=cells.size)
        for weights in (None, skipped_x, skipped_x * skipped_x)
    ]
    return cells, counted


def _fit(n, sum_x, sxx, sum_y, sxy, syy, quantiles):
    """Least-squares slope and the half-width of its interval from window sums of any matching
    shapes; overwrites sum_y, sxy and syy."""
    with np.errstate(invalid="ignore", divide="ignore"):
        inverse_n = 1.0 / n
        mean_x = sum_x * inverse_n
        sxx = sxx - sum_x * mean_x
        sxy -= mean_x * sum_y
        np.multiply(sum_y, sum_y, out=sum_y)
        sum_y *= inverse_n
        syy -= sum_y
        slope = sxy / sxx
        np.multiply(slope, sxy, out=sxy)
        syy -= sxy
        np.maximum(syy, 0.0, out=syy)
        syy /= (n - 2) * sxx
        half = np.sqrt(syy, out=syy)
        half *= quantiles[n.astype(int)]
    return slope, half
