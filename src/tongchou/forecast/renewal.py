"""Case forecasts by the renewal equation, for every region at once.

The model, per region and per sample path:

- R for the last estimation window is drawn from its gamma posterior (Cori et al. 2013, as
  EpiEstim reports it: shape and scale per region);
- log R then drifts as a Gaussian random walk, one step a day: R_h = R_0 exp(sd * sum z_1..z_h);
- expected cases follow the renewal equation E[I_t] = R_t * sum_s w_s I_{t-s}, where I is the
  observed local and imported incidence up to the origin and the simulated local incidence
  after it (imported cases known for the days ahead may be given);
- the count of day t is negative-binomial around that expectation (size k: variance
  mu + mu^2 / k), and that count, not its expectation, feeds the following days, as in the
  `projections` R package (Jombart et al.) that accompanies EpiEstim.

Regions with no case within the serial interval's reach have nothing to renew: their paths
are zero and cost nothing. Paths are float32 (1,000 x 3,000 x 28 float64 would be 670 MB);
they are simulated in blocks of regions, each with its own random stream spawned from the
seed, so that the result does not depend on the number of worker threads.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.forecast.quantiles import QUANTILE_LEVELS, check_levels, quantiles_of_sorted

log = logging.getLogger(__name__)

MAX_HORIZON = 365
# Daily cases of one region are capped here (more than the world's population): beyond it an
# exploding path would overflow float32 and no forecast would mean anything anyway.
CASE_CEILING = 1e10
# Elements (regions x samples) of one simulated day in one block: small enough to stay in
# cache, large enough that numpy's per-call cost is negligible.
_BLOCK_ELEMENTS = 32_768


@dataclass(frozen=True, eq=False)
class CaseForecast:
    """Sample paths and their quantiles for the days after the origin.

    paths: (samples, regions, horizon) float32 case counts (a view on a regions-major array).
    quantiles: (regions, horizon, levels) float64, at `levels`.
    unforecastable: (regions,) True where the Rt posterior or the recent incidence was
        missing; those regions' paths and quantiles are NaN.
    capped: (regions,) True where some path reached CASE_CEILING.
    """

    paths: np.ndarray
    quantiles: np.ndarray
    levels: np.ndarray
    unforecastable: np.ndarray
    capped: np.ndarray

    @property
    def horizon(self) -> int:
        return self.quantiles.shape[1]

    def median(self) -> np.ndarray:
        """(regions, horizon) median of the paths."""
        return self.quantiles[:, :, int(np.argmin(np.abs(self.levels - 0.5)))]


def check_serial_interval(serial_interval: np.ndarray) -> np.ndarray:
    """A discretised serial-interval pmf: 1-D, w[0] = 0, non-negative, summing to 1."""
    w = np.asarray(serial_interval, dtype=float)
    place = "serial_interval"
    if w.ndim != 1 or w.size < 2:
        raise InputError(Problem(place, "must be a 1-D pmf over days 0, 1, 2, ...", value=w.shape))
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InputError(Problem(place, "must hold finite non-negative probabilities"))
    if w[0] != 0:
        raise InputError(
            Problem(place, "w[0] must be 0 (as in EpiEstim: no transmission on day 0)", value=w[0])
        )
    total = w.sum()
    if abs(total - 1) > 1e-6:
        raise InputError(
            Problem(
                place,
                "must sum to 1",
                value=float(total),
                expected="a pmf",
                nearest="serial_interval / serial_interval.sum()",
            )
        )
    return w / total


def check_horizon(horizon: int) -> int:
    if not isinstance(horizon, int | np.integer) or not 1 <= horizon <= MAX_HORIZON:
        raise InputError(
            Problem(
                "horizon",
                "must be a whole number of days from 1 to a year",
                value=horizon,
                expected=f"1..{MAX_HORIZON}",
                nearest=(
                    int(np.clip(horizon, 1, MAX_HORIZON))
                    if isinstance(horizon, int | float | np.number)
                    else None
                ),
            )
        )
    return int(horizon)


def _check_counts(values: np.ndarray | None, name: str, shape=None) -> np.ndarray | None:
    if values is None:
        return None
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or (shape is not None and values.shape != shape):
        expected = f"shape {shape}" if shape is not None else "(regions, days)"
        raise InputError(Problem(name, "wrong shape", value=values.shape, expected=expected))
    if np.isinf(values).any():
        raise InputError(Problem(name, "infinite counts", expected="finite counts or NaN"))
    bad = np.argwhere(values < 0)
    if bad.size:
        problems = [
            Problem(
                name,
                "a count cannot be negative",
                value=values[r, d],
                row=int(r),
                column=f"day {d}",
            )
            for r, d in bad[:20]
        ]
        raise InputError(problems, hint=f"{len(bad)} negative counts; clean the data first")
    return values


def known_infectiousness(
    incidence: np.ndarray,
    serial_interval: np.ndarray,
    horizon: int,
    *,
    imported: np.ndarray | None = None,
    imported_ahead: np.ndarray | None = None,
) -> np.ndarray:
    """(regions, horizon): sum_s w_s I_{t-s} for each day t after the origin, over the cases
    already known (observed local plus imported, and imported cases given for the days ahead).
    Days before the start of the data count as zero cases, as in EpiEstim."""
    w = serial_interval
    reach = w.size - 1
    known = incidence if imported is None else incidence + imported
    regions, days = known.shape
    tail = np.zeros((regions, reach + horizon))
    take = min(reach, days)
    tail[:, reach - take : reach] = known[:, days - take :]
    if imported_ahead is not None:
        tail[:, reach:] = imported_ahead
    result = np.zeros((regions, horizon))
    for lag in range(1, reach + 1):
        result += w[lag] * tail[:, reach - lag : reach - lag + horizon]
    return result


def project_renewal(
    incidence: np.ndarray,
    serial_interval: np.ndarray,
    reproduction: np.ndarray,
    horizon: int,
    *,
    imported: np.ndarray | None = None,
    imported_ahead: np.ndarray | None = None,
) -> np.ndarray:
    """Deterministic renewal projection: expected local cases (regions, horizon) when R is
    known, either one value per region (regions,) or one per region and day (regions, horizon).
    """
    horizon = check_horizon(horizon)
    w = check_serial_interval(serial_interval)
    incidence = _check_counts(incidence, "incidence")
    imported = _check_counts(imported, "imported", incidence.shape)
    imported_ahead = _check_counts(imported_ahead, "imported_ahead", (len(incidence), horizon))
    regions = incidence.shape[0]
    r = np.asarray(reproduction, dtype=float)
    if r.shape not in ((regions,), (regions, horizon)):
        raise InputError(
            Problem(
                "reproduction",
                "one R per region, or per region and day",
                value=r.shape,
                expected=f"({regions},) or ({regions}, {horizon})",
            )
        )
    if np.any(r < 0):
        raise InputError(Problem("reproduction", "R cannot be negative", value=float(r.min())))
    r = np.broadcast_to(r[:, None] if r.ndim == 1 else r, (regions, horizon))
    infectiousness = known_infectiousness(
        incidence, w, horizon, imported=imported, imported_ahead=imported_ahead
    )
    projected = np.zeros((regions, horizon))
    for day in range(horizon):
        first = max(0, day - (w.size - 1))
        own = projected[:, first:day] @ w[day - first : 0 : -1] if day > first else 0.0
        projected[:, day] = r[:, day] * (infectiousness[:, day] + own)
    return projected


def forecast_cases(
    incidence: np.ndarray,
    serial_interval: np.ndarray,
    rt_shape: np.ndarray,
    rt_scale: np.ndarray,
    *,
    horizon: int,
    samples: int = 1000,
    imported: np.ndarray | None = None,
    imported_ahead: np.ndarray | None = None,
    rt_drift_sd: float = 0.05,
    dispersion: float | None = 10.0,
    levels: np.ndarray = QUANTILE_LEVELS,
    seed: int | np.random.Generator | None = None,
    workers: int | None = None,
) -> CaseForecast:
    """Sample paths of local cases for the `horizon` days after the last day of `incidence`.

    incidence, imported: (regions, days) counts up to the origin (NaN = missing).
    rt_shape, rt_scale: (regions,) gamma posterior of R in the last window (NaN = none).
    rt_drift_sd: daily sd of the random walk of log R (0: R stays at its draw). The default
        is a modelling choice, not a published value: check it with `scoring.backtest`.
    dispersion: negative-binomial size k; None for no count noise (paths are expectations),
        math.inf for Poisson counts.
    seed: an int, a Generator (its spawned children are used) or None.
    workers: threads for blocks of regions (default: the machine's cores); the result is the
        same for any number.
    """
    horizon = check_horizon(horizon)
    w = check_serial_interval(serial_interval)
    levels = check_levels(levels)
    incidence = _check_counts(incidence, "incidence")
    regions = incidence.shape[0]
    imported = _check_counts(imported, "imported", incidence.shape)
    imported_ahead = _check_counts(imported_ahead, "imported_ahead", (regions, horizon))
    shape, scale = _check_posterior(rt_shape, rt_scale, regions)
    _check_options(samples, rt_drift_sd, dispersion)

    infectiousness = known_infectiousness(
        incidence, w, horizon, imported=imported, imported_ahead=imported_ahead
    )
    unforecastable = np.isnan(shape) | np.isnan(scale) | np.isnan(infectiousness).any(axis=1)
    if unforecastable.any():
        log.warning(
            "%d of %d regions have no Rt posterior or missing recent incidence; their "
            "forecasts are NaN (first: %s)",
            unforecastable.sum(),
            regions,
            np.flatnonzero(unforecastable)[:10].tolist(),
        )
    active = np.flatnonzero(~unforecastable & (infectiousness > 0).any(axis=1))

    paths = np.zeros((regions, horizon, samples), dtype=np.float32)
    paths[unforecastable] = np.nan
    quantiles = np.zeros((regions, horizon, levels.size))
    quantiles[unforecastable] = np.nan
    capped = np.zeros(regions, dtype=bool)

    per_block = max(1, _BLOCK_ELEMENTS // samples)
    blocks = [active[i : i + per_block] for i in range(0, active.size, per_block)]
    streams = _spawn(seed, len(blocks))
    simulation = _Simulation(w, horizon, samples, rt_drift_sd, dispersion, levels)

    def run(block_and_stream):
        block, rng = block_and_stream
        block_paths, block_quantiles, block_capped = simulation.run(
            rng, infectiousness[block], shape[block], scale[block]
        )
        paths[block] = block_paths
        quantiles[block] = block_quantiles
        capped[block] = block_capped

    workers = min(workers or os.cpu_count() or 1, max(1, len(blocks)))
    if workers == 1:
        for item in zip(blocks, streams, strict=True):
            run(item)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, zip(blocks, streams, strict=True)))
    if capped.any():
        log.warning("%d regions have paths reaching %.0e cases a day", capped.sum(), CASE_CEILING)
    return CaseForecast(
        paths=paths.transpose(2, 0, 1),
        quantiles=quantiles,
        levels=levels,
        unforecastable=unforecastable,
        capped=capped,
    )


@dataclass(frozen=True, eq=False)
class _Simulation:
    serial_interval: np.ndarray
    horizon: int
    samples: int
    drift_sd: float
    dispersion: float | None
    levels: np.ndarray

    def run(self, rng: np.random.Generator, infectiousness, shape, scale):
        """Paths (block, horizon, samples), their quantiles and the capped flags of a block."""
        block = len(shape)
        reach = self.serial_interval.size - 1
        # Reversed and contiguous: BLAS cannot take a negative stride, and numpy's fallback
        # for it is several times slower.
        backwards = np.ascontiguousarray(self.serial_interval[::-1], dtype=np.float32)
        r0 = rng.gamma(shape[:, None], scale[:, None], size=(block, self.samples))
        with np.errstate(divide="ignore"):
            log_r = np.log(r0).astype(np.float32)
        known = infectiousness.astype(np.float32)
        # Days first, so that the renewal sum over past days is one matrix-vector product.
        days = np.empty((self.horizon, block * self.samples), dtype=np.float32)
        capped = np.zeros(block, dtype=bool)
        drift = np.float32(self.drift_sd)
        for day in range(self.horizon):
            if self.drift_sd > 0:
                log_r += drift * rng.standard_normal((block, self.samples), dtype=np.float32)
            first = max(0, day - reach)
            pressure = known[:, day, None]
            if day > first:
                own = backwards[reach - (day - first) : reach] @ days[first:day]
                pressure = pressure + own.reshape(block, self.samples)
            mean = np.exp(log_r) * pressure
            over = mean > CASE_CEILING
            if over.any():
                capped |= over.any(axis=1)
                np.minimum(mean, np.float32(CASE_CEILING), out=mean)
            days[day] = self._draw(rng, mean).reshape(-1)
        paths = days.reshape(self.horizon, block, self.samples).transpose(1, 0, 2)
        quantiles = quantiles_of_sorted(np.sort(paths, axis=2), self.levels)
        return paths, quantiles, capped

    def _draw(self, rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
        """Negative-binomial counts as a Poisson of a gamma-scaled mean (numpy's exact
        samplers); zero means, common where regions have few cases, cost no draw."""
        if self.dispersion is None:
            return mean
        counts = np.zeros_like(mean)
        positive = mean > 0
        expected = mean[positive]
        if np.isfinite(self.dispersion):
            size = np.float32(self.dispersion)
            expected *= rng.standard_gamma(size, size=expected.size, dtype=np.float32) / size
        counts[positive] = rng.poisson(expected)
        return counts


def _check_posterior(rt_shape, rt_scale, regions: int) -> tuple[np.ndarray, np.ndarray]:
    shape = np.asarray(rt_shape, dtype=float)
    scale = np.asarray(rt_scale, dtype=float)
    problems = []
    for name, values in (("rt_shape", shape), ("rt_scale", scale)):
        if values.shape != (regions,):
            problems.append(
                Problem(name, "one value per region", value=values.shape, expected=f"({regions},)")
            )
            continue
        bad = np.flatnonzero(~np.isnan(values) & ~(np.isfinite(values) & (values > 0)))
        problems += [
            Problem(
                name, "must be positive and finite (NaN: no estimate)", value=values[r], row=int(r)
            )
            for r in bad[:20]
        ]
    if problems:
        raise InputError(problems)
    return shape, scale


def _check_options(samples, rt_drift_sd, dispersion) -> None:
    problems = []
    if not isinstance(samples, int | np.integer) or samples < 1:
        problems.append(Problem("samples", "must be a whole number >= 1", value=samples))
    if not np.isfinite(rt_drift_sd) or rt_drift_sd < 0:
        problems.append(Problem("rt_drift_sd", "must be finite and >= 0", value=rt_drift_sd))
    if dispersion is not None and not dispersion > 0:
        problems.append(
            Problem("dispersion", "must be > 0 (None: no noise; inf: Poisson)", value=dispersion)
        )
    if problems:
        raise InputError(problems)


def _spawn(seed, count: int) -> list[np.random.Generator]:
    if isinstance(seed, np.random.Generator):
        return seed.spawn(count)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def quantile_frame(
    forecast: CaseForecast, regions: list[str] | pd.Index, first_date: date
) -> pd.DataFrame:
    """Long table in the Forecast Hub's shape: region, date, horizon, quantile, value."""
    count, horizon, levels = forecast.quantiles.shape
    if len(regions) != count:
        raise InputError(
            Problem(
                "regions", "one code per forecast region", value=len(regions), expected=str(count)
            )
        )
    dates = [first_date + timedelta(days=h) for h in range(horizon)]
    index = pd.MultiIndex.from_product(
        [list(regions), dates, forecast.levels], names=["region", "date", "quantile"]
    )
    frame = pd.DataFrame({"value": forecast.quantiles.reshape(-1)}, index=index).reset_index()
    frame.insert(2, "horizon", np.tile(np.repeat(np.arange(1, horizon + 1), levels), count))
    return frame
