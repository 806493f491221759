"""Case forecasts for every region at once, from the day's assessment: the Rt posterior of the
last window, the serial interval and the cleaned daily counts, renewed forward
(`tongchou.forecast.renewal`).

What each region's forecast rests on is said in its `status`:

- ``ok``: an Rt posterior from enough cases;
- ``few_cases``: the posterior rests on few cases in the window (its coefficient of
  variation is above 0.3, Cori et al. 2013), so the prior weighs on it: forecast, but read
  it with care;
- ``no_recent_cases``: nobody reported within the serial interval's reach is still
  infectious, so there is nothing to renew: the forecast is zero (imported cases are not
  forecast);
- ``no_estimate``: cases within reach but no Rt for the last window (too little data to
  fit, e.g. the first cases came on the last day): no forecast (NaN);
- ``no_data``: the region never reported: no forecast (NaN).

A flagged reporting jump (a day's count at least 50 and five times the mean of the week
before, e.g. Hubei's clinically diagnosed cases of 12 February 2020) is by default treated as
a backlog (`jumps="backlog"`): its excess over the mean of the 7 days before it is spread back
over those days in proportion to their counts (evenly where they had none), and Rt is
estimated again on that series, so that one day of late reports inflates neither Rt nor the
infectiousness that the forecast renews. `jumps="keep"` renews the counts as reported, with the
Rt the situation shows. docs/forecasts.md shows the backtest scores of both.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, NotFound, Problem
from tongchou.forecast.quantiles import QUANTILE_LEVELS, quantiles_of_sorted
from tongchou.forecast.renewal import CaseForecast, check_horizon, forecast_cases, quantile_frame
from tongchou.geo.regions import RegionTable
from tongchou.services.regions import stored_regions
from tongchou.services.situation import Assessment, assess, latest_day
from tongchou.surveillance.rt import estimate_rt
from tongchou.surveillance.serial_interval import SerialInterval

log = logging.getLogger(__name__)

JUMP_TREATMENTS = ("backlog", "keep")
BACKLOG_DAYS = 7
SUMMARY_LEVELS = (0.05, 0.5, 0.95)
STATUSES = ("ok", "few_cases", "no_recent_cases", "no_estimate", "no_data")
# Cori et al. 2013 and EpiEstim: gamma prior of R with mean 5 and sd 5.
EPIESTIM_PRIOR = (5.0, 5.0)


def check_jumps(jumps: str) -> str:
    if jumps not in JUMP_TREATMENTS:
        raise InputError(
            Problem(
                "jumps",
                "unknown treatment of reporting jumps",
                value=jumps,
                expected=" or ".join(JUMP_TREATMENTS),
            )
        )
    return jumps


def check_rt_prior(prior) -> tuple[float, float]:
    try:
        mean, sd = (float(value) for value in prior)
    except (TypeError, ValueError):
        mean = sd = np.nan
    if not (np.isfinite(mean) and np.isfinite(sd) and mean > 0 and sd > 0):
        raise InputError(
            Problem(
                "rt_prior",
                "the prior of Rt is a mean and an sd, both positive",
                value=prior,
                expected="e.g. (5, 5), EpiEstim's",
            )
        )
    return mean, sd


def spread_jump_backlog(daily: np.ndarray, jump: np.ndarray, days: int = BACKLOG_DAYS):
    """Counts (regions, days) with each flagged jump's excess over the mean of the `days`
    days before it moved back onto those days, in proportion to their counts (evenly where
    they had none); the total is unchanged. All jumps are spread from the counts as given,
    so a jump within `days` of another lands on the other's unspread count.

    Returns (spread counts, True where a jump was spread)."""
    daily = np.asarray(daily, dtype=float)
    rows, columns = np.nonzero(jump & (np.arange(daily.shape[1]) >= 1))
    spread = daily.copy()
    if rows.size == 0:
        return spread, np.zeros(daily.shape, dtype=bool)
    offsets = np.arange(-days, 0)
    before = columns[:, None] + offsets[None, :]
    inside = before >= 0
    earlier = np.where(inside, daily[rows[:, None], np.maximum(before, 0)], 0.0)
    span = inside.sum(axis=1)
    excess = np.maximum(daily[rows, columns] - earlier.sum(axis=1) / span, 0.0)
    total = earlier.sum(axis=1, keepdims=True)
    weights = np.where(total > 0, earlier / np.where(total > 0, total, 1.0), inside / span[:, None])
    np.add.at(
        spread,
        (np.repeat(rows, days), np.maximum(before, 0).ravel()),
        (weights * excess[:, None]).ravel(),
    )
    np.subtract.at(spread, (rows, columns), excess)
    spread_mark = np.zeros(daily.shape, dtype=bool)
    spread_mark[rows, columns] = excess > 0
    return spread, spread_mark


@dataclass(frozen=True, eq=False)
class RenewalInputs:
    """What the renewal forecast of some regions starts from at one origin.

    reported: (regions, days) the cleaned daily counts (NaN: no report).
    local: (regions, days) the counts renewed (a missing day as none, jumps treated as
        asked). rt_shape, rt_scale, rt_mean: the gamma posterior of Rt in the
        window ending at the origin (NaN: none). status: (regions,) see the module.
    jump_spread: (regions,) a jump was spread back in the window or within the serial
        interval's 95% before it (as `assess` flags Rt).
    """

    reported: np.ndarray
    local: np.ndarray
    rt_shape: np.ndarray
    rt_scale: np.ndarray
    rt_mean: np.ndarray
    status: np.ndarray
    jump_spread: np.ndarray


def renewal_inputs(
    daily: np.ndarray,
    jump: np.ndarray,
    serial_interval: SerialInterval,
    *,
    window: int = 7,
    jumps: str = "backlog",
    rt_prior: tuple[float, float] = EPIESTIM_PRIOR,
) -> RenewalInputs:
    """Rt at the last window and the counts to renew, for the rows given. `daily` and `jump`
    are an assessment's cleaned daily confirmed counts and their jump flags (or the same
    computed from a panel cut at the origin); Rt is estimated as `assess` estimates it (Cori
    et al. 2013) on the counts after the jump treatment, with the gamma prior `rt_prior`
    (mean, sd; EpiEstim's by default, as the situation's Rt)."""
    daily = np.asarray(daily, dtype=float)
    no_data = np.isnan(daily).all(axis=1)
    # as `assess` does: a day without a report counts as no new case, and the remainder of a
    # decrease that the revision rule could not place counts as none
    local = np.clip(np.nan_to_num(daily, nan=0.0), 0.0, None)
    spread = np.zeros(daily.shape, dtype=bool)
    if check_jumps(jumps) == "backlog":
        local, spread = spread_jump_backlog(local, jump)
    mean_prior, std_prior = check_rt_prior(rt_prior)
    rt = estimate_rt(
        local, si=serial_interval, window=window, mean_prior=mean_prior, std_prior=std_prior
    )
    passed = np.cumsum(serial_interval.pmf)
    # cases older than this pass on less than a thousandth of their infectiousness
    recent = local[:, -int(np.searchsorted(passed, 0.999)) - 1 :].sum(axis=1) > 0
    # as `assess` flags Rt: a jump in the window or within the serial interval's 95% before it
    reach = window + int(np.searchsorted(passed, 0.95))
    shape, scale = rt.shape[:, -1].copy(), rt.scale[:, -1].copy()
    few = rt.few_cases[:, -1]
    status = np.select(
        [no_data, ~recent, np.isnan(shape), few],
        ["no_data", "no_recent_cases", "no_estimate", "few_cases"],
        "ok",
    ).astype(object)
    return RenewalInputs(
        reported=daily,
        local=local,
        rt_shape=shape,
        rt_scale=scale,
        rt_mean=rt.mean[:, -1].copy(),
        status=status,
        jump_spread=spread[:, -reach:].any(axis=1),
    )


@dataclass(frozen=True, eq=False)
class RegionForecast:
    """Forecasts of new confirmed cases of some regions from one assessment."""

    as_of: date
    codes: list[str]
    names: dict[str, list[str]]
    inputs: RenewalInputs
    forecast: CaseForecast

    @property
    def first_date(self) -> date:
        return self.as_of + timedelta(days=1)

    @property
    def horizon(self) -> int:
        return self.forecast.horizon

    def dates(self) -> list[date]:
        return [self.first_date + timedelta(days=h) for h in range(self.horizon)]

    def table(self, levels: np.ndarray | tuple[float, ...] = QUANTILE_LEVELS) -> pd.DataFrame:
        """One row per region and day ahead: horizon, the quantiles (columns q0.05 ...) and
        the region's status."""
        quantiles = self._quantiles(levels)
        count, horizon = len(self.codes), self.horizon
        frame = pd.DataFrame(
            quantiles.reshape(count * horizon, -1), columns=[f"q{q:g}" for q in levels]
        )
        frame.insert(0, "horizon", np.tile(np.arange(1, horizon + 1), count))
        frame.insert(0, "date", pd.to_datetime(self.dates() * count))
        frame.insert(0, "region", np.repeat(self.codes, horizon))
        frame["status"] = np.repeat(self.inputs.status, horizon)
        frame["jump_spread"] = np.repeat(self.inputs.jump_spread, horizon)
        return frame.set_index(["region", "date"])

    def hub(self) -> pd.DataFrame:
        """The long table of the Forecast Hub: region, date, horizon, quantile, value."""
        return quantile_frame(self.forecast, self.codes, self.first_date)

    def totals(self, levels=SUMMARY_LEVELS) -> np.ndarray:
        """(regions, levels): quantiles over the paths of the cases summed over the horizon
        (not the sum of daily quantiles, which would overstate the range)."""
        summed = self.forecast.paths.astype(np.float64).sum(axis=2)
        return quantiles_of_sorted(np.sort(summed.T, axis=1), np.asarray(levels))

    def overview(self, lang: str = "en") -> pd.DataFrame:
        """One row per region: Rt used, the last week's mean, the forecast of the first and
        last day and of the whole horizon (median and 90% range), and the status."""
        first, last = self._quantiles(SUMMARY_LEVELS)[:, [0, -1], :].transpose(1, 0, 2)
        totals = self.totals()
        horizon = self.horizon
        frame = pd.DataFrame(
            {
                "name": self.names[lang],
                "rt": self.inputs.rt_mean,
                "new_7d_mean": self.inputs.local[:, -7:].mean(axis=1),
                "day_1": first[:, 1],
                "day_1_low": first[:, 0],
                "day_1_high": first[:, 2],
                f"day_{horizon}": last[:, 1],
                f"day_{horizon}_low": last[:, 0],
                f"day_{horizon}_high": last[:, 2],
                f"next_{horizon}d": totals[:, 1],
                f"next_{horizon}d_low": totals[:, 0],
                f"next_{horizon}d_high": totals[:, 2],
                "status": self.inputs.status,
                "jump_spread": self.inputs.jump_spread,
            },
            index=pd.Index(self.codes, name="region"),
        )
        frame.attrs["as_of"] = self.as_of
        return frame

    def _quantiles(self, levels) -> np.ndarray:
        levels = np.asarray(levels, dtype=float)
        if np.array_equal(levels, self.forecast.levels):
            return self.forecast.quantiles
        paths = np.moveaxis(self.forecast.paths, 0, -1)
        return quantiles_of_sorted(np.sort(paths, axis=-1), levels)


def forecast_regions(
    assessment: Assessment,
    codes: list[str],
    *,
    horizon: int = 14,
    samples: int = 1000,
    jumps: str = "backlog",
    rt_prior: tuple[float, float] = EPIESTIM_PRIOR,
    rt_drift_sd: float = 0.05,
    dispersion: float | None = 10.0,
    seed: int | None = 0,
) -> RegionForecast:
    """Sample paths and quantiles of new confirmed cases for the `horizon` days after the
    assessment's day, for the regions `codes`, all at once."""
    horizon = check_horizon(horizon)
    rows = _rows(assessment, codes)
    counts = assessment.indicators.counts["confirmed"]
    inputs = renewal_inputs(
        counts.daily[rows],
        counts.jump[rows],
        assessment.serial_interval,
        window=assessment.rt.window,
        jumps=jumps,
        rt_prior=rt_prior,
    )
    forecast = renew(
        inputs,
        assessment.serial_interval,
        horizon,
        samples=samples,
        rt_drift_sd=rt_drift_sd,
        dispersion=dispersion,
        seed=seed,
    )
    names = {lang: [assessment.regions.name(c, lang) for c in codes] for lang in ("zh", "en")}
    return RegionForecast(assessment.as_of, list(codes), names, inputs, forecast)


def renew(
    inputs: RenewalInputs, serial_interval: SerialInterval, horizon: int, **options
) -> CaseForecast:
    """The renewal forecast of `inputs`. Regions with nothing to renew and no Rt get a
    placeholder posterior, which multiplies an infectiousness of (next to) nothing, so their
    paths are zero; regions without an estimate keep NaN and come back unforecastable."""
    idle = (inputs.status == "no_recent_cases") & np.isnan(inputs.rt_shape)
    shape = np.where(idle, 1.0, inputs.rt_shape)
    scale = np.where(idle, 1.0, inputs.rt_scale)
    no_data = inputs.status == "no_data"
    shape[no_data] = np.nan
    return forecast_cases(
        inputs.local, serial_interval.pmf, shape, scale, horizon=horizon, **options
    )


def _rows(assessment: Assessment, codes: list[str]) -> np.ndarray:
    if len(codes) == 0:
        raise NotFound("no region to forecast: the level or region given holds no unit")
    rows = assessment.panel.regions.get_indexer(codes)
    if (rows < 0).any():
        missing = [c for c, r in zip(codes, rows, strict=True) if r < 0]
        raise NotFound(f"regions not in the store: {', '.join(missing[:5])}")
    return rows


def choose_units(
    regions: RegionTable, region: str | Sequence[str] | None = None, level: str | None = None
) -> list[str]:
    """The regions to forecast: `region` alone (a code or name, or several) means those
    regions; `level` alone its units; both the units of the level inside each region;
    neither the provinces."""
    if region is None or len(region) == 0:
        return regions.level(level or "province")
    codes = [regions.lookup(text) for text in ([region] if isinstance(region, str) else region)]
    if level is None:
        return codes
    units = [code for within in codes for code in regions.level(level, within)]
    return list(dict.fromkeys(units))


def forecast_store(
    engine: Engine,
    as_of: date | None = None,
    *,
    region: str | Sequence[str] | None = None,
    level: str | None = None,
    **options,
) -> RegionForecast:
    """`forecast_regions` on the store's assessment of `as_of` (default: the last stored
    day), for the regions `choose_units` picks; `options` as for `forecast_regions`."""
    check_horizon(options.get("horizon", 14))
    regions = stored_regions(engine)
    codes = choose_units(regions, region, level)
    assessment = assess(engine, as_of or latest_day(engine), regions=regions)
    return forecast_regions(assessment, codes, **options)


def forecast(
    engine: Engine,
    as_of: date | None = None,
    *,
    region: str | Sequence[str] | None = None,
    level: str | None = None,
    **options,
) -> pd.DataFrame:
    """New confirmed cases for the days after `as_of`, one row per region and day, with the
    23 quantiles and the status (as `tongchou forecast --format csv`)."""
    return forecast_store(engine, as_of, region=region, level=level, **options).table()


def forecast_summary(
    assessment: Assessment,
    codes: list[str],
    horizon: int = 14,
    *,
    engine=None,
    lang: str = "en",
    seed: int | None = 0,
) -> pd.DataFrame:
    """For each region: new cases over the next `horizon` days and patients in hospital beds
    on the last of them, each as median and 90% range, with the forecast's status. The
    hospital census uses the CHINA_2020 parameters and starts from the census stored in
    `engine` where there is one (else estimated from the cases already reported)."""
    # the hospital service builds on this module's forecasts, so it is imported here
    from tongchou.services.hospital import plan_hospital

    forecast = forecast_regions(assessment, codes, horizon=horizon, seed=seed)
    plan = plan_hospital(forecast, engine=engine)
    totals = forecast.totals()
    beds = plan.census_quantiles("hospitalised", SUMMARY_LEVELS)[:, -1, :]
    frame = pd.DataFrame(
        {
            "name": forecast.names[lang],
            "new_cases": totals[:, 1],
            "new_cases_low": totals[:, 0],
            "new_cases_high": totals[:, 2],
            "beds": beds[:, 1],
            "beds_low": beds[:, 0],
            "beds_high": beds[:, 2],
            "status": forecast.inputs.status,
            "jump_spread": forecast.inputs.jump_spread,
            "census_from": plan.census_source,
        },
        index=pd.Index(codes, name="region"),
    )
    frame.attrs.update(as_of=assessment.as_of, horizon=horizon, last_day=forecast.dates()[-1])
    return frame
