"""How good were the forecasts: interval scores, coverage, a baseline, and backtests.

- Weighted interval score (Bracher, Ray, Gneiting and Reich 2021, PLoS Comput Biol
  17:e1008618): WIS = (w0 |y - m| + sum_k w_k IS_alpha_k) / (K + 1/2) with w0 = 1/2 and
  w_k = alpha_k / 2, split into dispersion, underprediction and overprediction as
  scoringutils does (the median's term goes to under- or overprediction).
- Coverage of the central 50% and 90% intervals, and the absolute error of the median.
- A persistence baseline: the mean of the last 7 days carried forward, its spread taken from
  the errors the same rule made at recent past origins (symmetrised, as the COVID-19
  Forecast Hub baseline does with its past changes) or from negative-binomial noise.
- `backtest`: forecasts made at past origins, each from the data up to its origin only,
  scored against what happened next, next to the baseline scored the same way.

Everything is vectorised over any leading axes (origins, regions, horizons).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import stats

from tongchou.errors import InputError, Problem
from tongchou.forecast.quantiles import QUANTILE_LEVELS, check_levels
from tongchou.forecast.renewal import CaseForecast, check_horizon

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class ForecastScores:
    """Scores shaped like the observations; NaN where the observation is missing.

    covered_50 and covered_90 are 1.0 or 0.0 (NaN where unknown), so that means are rates.
    """

    wis: np.ndarray
    dispersion: np.ndarray
    underprediction: np.ndarray
    overprediction: np.ndarray
    absolute_error: np.ndarray
    covered_50: np.ndarray
    covered_90: np.ndarray

    def mean(self) -> dict[str, float]:
        """Mean of each score over all entries that have one."""
        return {f.name: float(np.nanmean(getattr(self, f.name))) for f in fields(self)}


def score_quantiles(
    quantiles: np.ndarray, observed: np.ndarray, levels: np.ndarray = QUANTILE_LEVELS
) -> ForecastScores:
    """Score quantile forecasts (..., levels) against observations (...)."""
    levels = check_levels(levels)
    quantiles = np.asarray(quantiles, dtype=float)
    observed = np.asarray(observed, dtype=float)
    if quantiles.shape != (*observed.shape, levels.size):
        raise InputError(
            Problem(
                "quantiles",
                "must be shaped like the observations plus one axis of levels",
                value=quantiles.shape,
                expected=str((*observed.shape, levels.size)),
            )
        )
    y = observed[..., None]
    lower_count = int(np.sum(levels < 0.5))
    median_at = lower_count
    lower = quantiles[..., :lower_count]
    upper = quantiles[..., ::-1][..., :lower_count]
    alpha = 2 * levels[:lower_count]
    median = quantiles[..., median_at]
    norm = lower_count + 0.5
    dispersion = np.sum(alpha / 2 * (upper - lower), axis=-1) / norm
    over = np.sum(np.maximum(lower - y, 0), axis=-1) + 0.5 * np.maximum(median - observed, 0)
    under = np.sum(np.maximum(y - upper, 0), axis=-1) + 0.5 * np.maximum(observed - median, 0)
    over, under = over / norm, under / norm
    missing = np.isnan(observed) | np.isnan(quantiles).any(axis=-1)
    return ForecastScores(
        wis=_mask(dispersion + under + over, missing),
        dispersion=_mask(dispersion, missing),
        underprediction=_mask(under, missing),
        overprediction=_mask(over, missing),
        absolute_error=_mask(np.abs(observed - median), missing),
        covered_50=_mask(_covered(quantiles, observed, levels, 0.25), missing),
        covered_90=_mask(_covered(quantiles, observed, levels, 0.05), missing),
    )


def _covered(quantiles, observed, levels, lower_level) -> np.ndarray:
    at = np.flatnonzero(np.isclose(levels, lower_level))
    if at.size == 0:
        return np.full(observed.shape, np.nan)
    low = quantiles[..., at[0]]
    high = quantiles[..., levels.size - 1 - at[0]]
    return ((observed >= low) & (observed <= high)).astype(float)


def _mask(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    return np.where(missing, np.nan, values)


def persistence_baseline(
    incidence: np.ndarray,
    horizon: int,
    *,
    window: int = 7,
    levels: np.ndarray = QUANTILE_LEVELS,
    spread: str = "errors",
    past_origins: int = 28,
    dispersion: float = 10.0,
) -> np.ndarray:
    """Quantiles (regions, horizon, levels) of the persistence forecast made at the last day.

    The point is the mean of the last `window` days (NaN if more than half are missing).
    spread="errors": offsets are the quantiles of the errors this rule made `h` days ahead
    at the last `past_origins` origins whose outcome is known, with their mirror images
    (so the median is the point); where fewer than 4 such errors exist the negative-binomial
    spread is used. spread="negbin": quantiles of a negative binomial with size `dispersion`
    around the point. Quantiles are never below zero.
    """
    horizon = check_horizon(horizon)
    levels = check_levels(levels)
    incidence = np.asarray(incidence, dtype=float)
    if spread not in ("errors", "negbin"):
        raise InputError(
            Problem("spread", "unknown spread", value=spread, expected="errors or negbin")
        )
    means = _trailing_means(incidence, window)
    point = means[:, -1]
    noise = _negbin_quantiles(point, levels, dispersion)
    result = np.repeat(noise[:, None, :], horizon, axis=1)
    if spread == "negbin":
        return result
    days = incidence.shape[1]
    for ahead in range(1, horizon + 1):
        last = days - 1 - ahead
        first = max(0, last - past_origins + 1)
        if last < first:
            continue
        errors = incidence[:, first + ahead : last + ahead + 1] - means[:, first : last + 1]
        enough = np.sum(~np.isnan(errors), axis=1) >= 4
        if not enough.any():
            continue
        pooled = np.concatenate([errors[enough], -errors[enough]], axis=1)
        offsets = _row_nanquantiles(pooled, levels)
        result[enough, ahead - 1, :] = np.maximum(point[enough, None] + offsets, 0)
    return result


def _row_nanquantiles(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """np.nanquantile(values, levels, axis=1).T for rows with at least one value, without its
    row-by-row loop (which made the baseline the slowest part of a backtest): NaN sort last,
    so each row's quantiles interpolate between its first `count` sorted values."""
    ordered = np.sort(values, axis=1)
    count = np.sum(~np.isnan(values), axis=1)
    position = levels[None, :] * (count[:, None] - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, count[:, None] - 1)
    low = np.take_along_axis(ordered, below, axis=1)
    high = np.take_along_axis(ordered, above, axis=1)
    return low + (high - low) * (position - below)


def _trailing_means(incidence: np.ndarray, window: int) -> np.ndarray:
    """(regions, days): mean of the `window` days ending on each day, over the days present;
    NaN where more than half of them are missing or the window starts before the data."""
    present = ~np.isnan(incidence)
    zero = np.zeros((incidence.shape[0], 1))
    total = np.concatenate([zero, np.cumsum(np.where(present, incidence, 0.0), axis=1)], axis=1)
    count = np.concatenate([zero, np.cumsum(present, axis=1)], axis=1)
    sums = np.full(incidence.shape, np.nan)
    counts = np.zeros(incidence.shape)
    if incidence.shape[1] >= window:
        sums[:, window - 1 :] = total[:, window:] - total[:, :-window]
        counts[:, window - 1 :] = count[:, window:] - count[:, :-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts * 2 > window, sums / counts, np.nan)


def _negbin_quantiles(point: np.ndarray, levels: np.ndarray, dispersion: float) -> np.ndarray:
    if not dispersion > 0:
        raise InputError(Problem("dispersion", "must be > 0", value=dispersion))
    mean = np.where(np.isnan(point), 1.0, np.maximum(point, 0.0))[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        quantiles = stats.nbinom.ppf(levels[None, :], dispersion, dispersion / (dispersion + mean))
    quantiles = np.where(mean > 0, quantiles, 0.0)
    return np.where(np.isnan(point)[:, None], np.nan, quantiles)


@dataclass(frozen=True, eq=False)
class BacktestScores:
    """Scores of the model and of the baseline, each shaped (origins, regions, horizon)."""

    origins: np.ndarray
    model: ForecastScores
    baseline: ForecastScores

    def relative_wis(self) -> float:
        """Mean WIS of the model over that of the baseline, on the entries both have
        (below 1: the model beats carrying the last week forward)."""
        both = ~np.isnan(self.model.wis) & ~np.isnan(self.baseline.wis)
        return float(self.model.wis[both].mean() / self.baseline.wis[both].mean())

    def by_horizon(self) -> pd.DataFrame:
        """One row per horizon: mean WIS of model and baseline, their ratio, coverage."""
        horizon = self.model.wis.shape[2]
        both = ~np.isnan(self.model.wis) & ~np.isnan(self.baseline.wis)

        def mean(values):
            return np.array([values[:, :, h][both[:, :, h]].mean() for h in range(horizon)])

        frame = pd.DataFrame(
            {
                "horizon": np.arange(1, horizon + 1),
                "wis": mean(self.model.wis),
                "baseline_wis": mean(self.baseline.wis),
                "coverage_50": mean(self.model.covered_50),
                "coverage_90": mean(self.model.covered_90),
                "baseline_coverage_90": mean(self.baseline.covered_90),
                "scored": both.sum(axis=(0, 1)),
            }
        )
        frame.insert(3, "relative_wis", frame.wis / frame.baseline_wis)
        return frame


Forecaster = Callable[[int], "CaseForecast | np.ndarray"]


def backtest(
    incidence: np.ndarray,
    origins: Sequence[int],
    forecaster: Forecaster,
    *,
    horizon: int,
    levels: np.ndarray = QUANTILE_LEVELS,
    baseline_spread: str = "errors",
    baseline_dispersion: float = 10.0,
    known_at: Callable[[int], np.ndarray] | None = None,
) -> BacktestScores:
    """Score forecasts made at each origin (an index into the days of `incidence`).

    `forecaster(origin)` must return the forecast for days origin+1 .. origin+horizon made
    from data up to `origin` only (the caller reads the store as of that day), either a
    CaseForecast or quantiles shaped (regions, horizon, levels). Targets after the last day
    of `incidence` are not scored (NaN). The baseline sees incidence[:, :origin + 1] only, or
    `known_at(origin)` where given: the counts up to the origin as they were known then
    (`incidence` holds the final counts, which later revisions may have changed).
    """
    horizon = check_horizon(horizon)
    levels = check_levels(levels)
    incidence = np.asarray(incidence, dtype=float)
    regions, days = incidence.shape
    origins = np.asarray(origins, dtype=int)
    bad = origins[(origins < 0) | (origins >= days)]
    if bad.size:
        raise InputError(
            Problem(
                "origins",
                "an origin must be a day of the data",
                value=bad.tolist()[:10],
                expected=f"0..{days - 1}",
            )
        )
    quantiles = np.empty((origins.size, regions, horizon, levels.size))
    baseline = np.empty_like(quantiles)
    observed = np.full((origins.size, regions, horizon), np.nan)
    for i, origin in enumerate(origins):
        quantiles[i] = _forecast_at(forecaster, origin, (regions, horizon, levels.size))
        known = incidence[:, : origin + 1] if known_at is None else known_at(int(origin))
        baseline[i] = persistence_baseline(
            _check_known(known, origin, regions),
            horizon,
            levels=levels,
            spread=baseline_spread,
            dispersion=baseline_dispersion,
        )
        targets = incidence[:, origin + 1 : origin + 1 + horizon]
        observed[i, :, : targets.shape[1]] = targets
        log.info("backtest origin %d (%d of %d) scored", origin, i + 1, origins.size)
    return BacktestScores(
        origins=origins,
        model=score_quantiles(quantiles, observed, levels),
        baseline=score_quantiles(baseline, observed, levels),
    )


def _check_known(known, origin: int, regions: int) -> np.ndarray:
    known = np.asarray(known, dtype=float)
    if known.ndim != 2 or known.shape != (regions, origin + 1):
        raise InputError(
            Problem(
                "known_at",
                f"the counts known at origin {origin} have the wrong shape",
                value=known.shape,
                expected=f"({regions}, {origin + 1}): every day up to the origin",
            )
        )
    return known


def _forecast_at(forecaster: Forecaster, origin: int, shape: tuple[int, int, int]) -> np.ndarray:
    result = forecaster(int(origin))
    quantiles = result.quantiles if isinstance(result, CaseForecast) else np.asarray(result, float)
    if quantiles.shape != shape:
        raise InputError(
            Problem(
                "forecaster",
                f"the forecast made at origin {origin} has the wrong shape",
                value=quantiles.shape,
                expected=f"{shape} (regions, horizon, levels)",
            )
        )
    return quantiles
