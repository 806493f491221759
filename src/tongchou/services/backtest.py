"""Backtests of the case forecasts on the store's own past: at every origin from one day to
another, the forecast made from what was known at the end of that day, scored against the
counts as finally known, next to the persistence baseline made from the same knowledge.

What was known at an origin is read one of two ways:

- ``as_of``: `assess(engine, origin)` at every origin, the store read as of that day;
- ``slice``: one read as of the last origin, cut at each origin, and the daily counts, the jump
  flags and Rt computed again on the cut. A value whose day is before an origin but which
  became known after it (a late report or a correction) would leak into the cut, so slicing
  is refused where the store holds one for the period. Where it holds none, the cut is the
  as-of read: a panel read as of day o holds exactly the values of days up to o known by o,
  and aggregation from children and the engines look only backwards in time.

``auto`` (the default) slices where that is allowed and reads as of each origin elsewhere.
The targets are the daily counts as known on the last stored day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, func, select

from tongchou.errors import Conflict, InputError, NotFound, Problem
from tongchou.facts.conversion import daily_from_cumulative
from tongchou.forecast.renewal import check_horizon
from tongchou.forecast.scoring import BacktestScores, backtest
from tongchou.services.forecast import (
    EPIESTIM_PRIOR,
    check_jumps,
    check_rt_prior,
    renew,
    renewal_inputs,
)
from tongchou.services.regions import stored_regions
from tongchou.services.situation import assess
from tongchou.store.days import from_day, to_day
from tongchou.store.observations import day_range, metric_ids
from tongchou.store.panels import read_panel
from tongchou.store.schema import observations, revisions
from tongchou.surveillance.defaults import SERIAL_INTERVAL_LI_2020
from tongchou.surveillance.serial_interval import SerialInterval

log = logging.getLogger(__name__)

READS = ("auto", "as_of", "slice")
BREAKDOWNS = ("summary", "horizon", "week", "region")
METRIC = "confirmed"


@dataclass(frozen=True, eq=False)
class ForecastBacktest:
    """Scores (origins, regions, horizon) of the model and the baseline, with what each
    origin's forecast rested on: status and jump_spread are (origins, regions)."""

    codes: list[str]
    origins: pd.DatetimeIndex
    scores: BacktestScores
    status: np.ndarray
    jump_spread: np.ndarray
    reads: str
    settings: dict

    def summary(self) -> pd.DataFrame:
        """Scores over all forecasts, then by the status of the Rt they rested on, and for
        those with a flagged jump within reach."""
        horizon = self.scores.model.wis.shape[2]

        def spread(flags):
            return np.repeat(flags[:, :, None], horizon, axis=2)

        groups = {"all": np.ones(self.scores.model.wis.shape, dtype=bool)}
        for status in np.unique(self.status):
            groups[f"status {status}"] = spread(self.status == status)
        if self.jump_spread.any():
            groups["jump spread back"] = spread(self.jump_spread)
        return _table({name: self._scores(mask) for name, mask in groups.items()}, "forecasts")

    def by_horizon(self) -> pd.DataFrame:
        horizon = self.scores.model.wis.shape[2]
        masks = {h + 1: _axis_mask(self.scores.model.wis.shape, 2, h) for h in range(horizon)}
        return _table({h: self._scores(mask) for h, mask in masks.items()}, "horizon")

    def by_week(self) -> pd.DataFrame:
        """By the week of the origin (weeks starting on the first origin)."""
        week = (self.origins - self.origins[0]).days // 7
        rows = {}
        for number in np.unique(week):
            start = self.origins[0] + pd.Timedelta(days=7 * int(number))
            mask = np.zeros(self.scores.model.wis.shape, dtype=bool)
            mask[week == number] = True
            rows[start.date()] = self._scores(mask)
        return _table(rows, "week_from")

    def by_region(self) -> pd.DataFrame:
        shape = self.scores.model.wis.shape
        masks = {code: _axis_mask(shape, 1, i) for i, code in enumerate(self.codes)}
        return _table({code: self._scores(mask) for code, mask in masks.items()}, "region")

    def _scores(self, mask: np.ndarray) -> dict[str, float]:
        model, baseline = self.scores.model, self.scores.baseline
        both = mask & ~np.isnan(model.wis) & ~np.isnan(baseline.wis)
        if not both.any():
            return {"scored": 0}
        wis, baseline_wis = model.wis[both].mean(), baseline.wis[both].mean()
        return {
            "wis": wis,
            "baseline_wis": baseline_wis,
            # undefined where the baseline was perfect (no case forecast and none seen)
            "relative_wis": wis / baseline_wis if baseline_wis > 0 else np.nan,
            "coverage_50": model.covered_50[both].mean(),
            "coverage_90": model.covered_90[both].mean(),
            "baseline_coverage_50": baseline.covered_50[both].mean(),
            "baseline_coverage_90": baseline.covered_90[both].mean(),
            "overprediction": model.overprediction[both].mean(),
            "underprediction": model.underprediction[both].mean(),
            "scored": int(both.sum()),
        }


def _axis_mask(shape, axis: int, index: int) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[(slice(None),) * axis + (index,)] = True
    return mask


def _table(rows: dict, name: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = name
    frame["scored"] = frame["scored"].astype(int)
    return frame


def backtest_forecasts(
    engine: Engine,
    first: date,
    last: date,
    *,
    codes: list[str] | None = None,
    level: str = "province",
    within: str | None = None,
    horizon: int = 14,
    samples: int = 1000,
    jumps: str = "backlog",
    rt_prior: tuple[float, float] = EPIESTIM_PRIOR,
    serial_interval: SerialInterval | None = None,
    window: int = 7,
    reads: str = "auto",
    rt_drift_sd: float = 0.05,
    dispersion: float | None = 10.0,
    seed: int = 0,
) -> ForecastBacktest:
    """Forecasts made at every day from `first` to `last`, for `codes` (default: the units of
    `level`, inside `within` if given), scored against the counts of the `horizon` days after
    each origin as finally known."""
    horizon = check_horizon(horizon)
    check_jumps(jumps)
    check_rt_prior(rt_prior)
    if reads not in READS:
        raise InputError(
            Problem("reads", "unknown way to read", value=reads, expected=", ".join(READS))
        )
    regions = stored_regions(engine)
    codes = list(codes) if codes is not None else regions.level(level, within)
    if not codes:
        raise NotFound(f"no unit at level {level!r}" + (f" inside {within}" if within else ""))
    serial_interval = serial_interval or SERIAL_INTERVAL_LI_2020.serial_interval()
    with engine.connect() as connection:
        first_day, last_day = day_range(connection)
    if first_day is None:
        raise NotFound("the store holds no values yet; import reports or run `tongchou demo`")
    start, stored_last = from_day(first_day), from_day(last_day)
    _check_period(first, last, start, stored_last)

    final_panel = read_panel(
        engine,
        [METRIC],
        start,
        min(last + timedelta(days=horizon), stored_last),
        as_of=stored_last,
        regions=regions,
    ).take(codes)
    final = daily_from_cumulative(final_panel[METRIC], name=METRIC).daily
    origins = pd.date_range(first, last, freq="D")
    indices = [final_panel.day(origin) for origin in origins]

    if reads == "auto":
        late = count_late_values(engine, METRIC, first, last)
        reads = "slice" if late == 0 else "as_of"
        log.info("backtest reads %s (%d values known late in the period)", reads, late)
    elif reads == "slice":
        late = count_late_values(engine, METRIC, first, last)
        if late:
            raise Conflict(
                f"{late} values of {METRIC} up to {last} became known after their day, "
                "so a single read cut at each origin would see them early; use reads='as_of'"
            )
    known = (_sliced if reads == "slice" else _read_as_of)(engine, regions, codes, start, origins)

    status = np.empty((len(origins), len(codes)), dtype=object)
    spread = np.zeros((len(origins), len(codes)), dtype=bool)
    by_index = dict(zip(indices, range(len(origins)), strict=True))

    def forecaster(index: int):
        i = by_index[index]
        daily, jump = known(i)
        inputs = renewal_inputs(
            daily, jump, serial_interval, window=window, jumps=jumps, rt_prior=rt_prior
        )
        status[i], spread[i] = inputs.status, inputs.jump_spread
        rng = np.random.default_rng([seed, to_day(origins[i].date())])
        return renew(
            inputs,
            serial_interval,
            horizon,
            samples=samples,
            seed=rng,
            rt_drift_sd=rt_drift_sd,
            dispersion=dispersion,
        )

    def known_counts(index: int) -> np.ndarray:
        daily, _ = known(by_index[index])
        return np.clip(daily, 0.0, None)

    scores = backtest(final, indices, forecaster, horizon=horizon, known_at=known_counts)
    settings = {
        "jumps": jumps,
        "rt_prior": tuple(rt_prior),
        "samples": samples,
        "rt_drift_sd": rt_drift_sd,
        "dispersion": dispersion,
        "window": window,
        "serial_interval": serial_interval.source or "given",
    }
    return ForecastBacktest(codes, origins, scores, status, spread, reads, settings)


def _check_period(first: date, last: date, start: date, stored_last: date) -> None:
    problems = []
    if last < first:
        problems.append(
            Problem(
                "--to",
                "the period ends before it starts",
                value=str(last),
                expected=f"a day from {first}",
            )
        )
    if first < start:
        problems.append(
            Problem("--from", "before the first stored day", value=str(first), nearest=str(start))
        )
    if last >= stored_last:
        problems.append(
            Problem(
                "--to",
                "no stored day after this origin to score against",
                value=str(last),
                nearest=str(stored_last - timedelta(days=1)),
            )
        )
    if problems:
        raise InputError(problems)


Known = Callable[[int], tuple[np.ndarray, np.ndarray]]


def _sliced(engine, regions, codes, start, origins) -> Known:
    panel = read_panel(
        engine, [METRIC], start, origins[-1].date(), as_of=origins[-1].date(), regions=regions
    ).take(codes)
    cumulative = panel[METRIC]
    ends = [panel.day(origin) + 1 for origin in origins]

    def known(i: int):
        # the same cleaning `assess` applies to the panel it reads as of the origin
        counts = daily_from_cumulative(cumulative[:, : ends[i]], name=METRIC)
        return counts.daily, counts.jump

    return known


def _read_as_of(engine, regions, codes, start, origins) -> Known:
    def known(i: int):
        assessment = assess(engine, origins[i].date(), regions=regions)
        rows = assessment.panel.regions.get_indexer(codes)
        counts = assessment.indicators.counts[METRIC]
        return counts.daily[rows], counts.jump[rows]

    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def once(i: int):
        # the forecaster and the baseline both ask for an origin: assess it once
        if i not in cache:
            cache.clear()
            cache[i] = known(i)
        return cache[i]

    return once


def count_late_values(engine: Engine, metric: str, first: date, last: date) -> int:
    """Versions of values of `metric` for days up to `last` that differ from what some origin
    in [first, last] on or after their day knew: current versions that became known after
    both their day and `first`, and replaced versions that stayed current past both (a
    correction counts twice: its new and its old version)."""
    with engine.connect() as connection:
        ids = metric_ids(connection)
        if metric not in ids:
            return 0
        first_day, last_day = to_day(first), to_day(last)
        late = 0
        for table, since in ((observations, "known_from"), (revisions, "known_until")):
            column = table.c[since]
            query = select(func.count()).where(
                and_(
                    table.c.metric_id == ids[metric],
                    table.c.day <= last_day,
                    column > table.c.day,
                    column > first_day,
                )
            )
            late += connection.execute(query).scalar_one()
    return late


def forecast_backtest(
    engine: Engine,
    first: date,
    last: date,
    *,
    by: str = "summary",
    region: str | None = None,
    **options,
) -> pd.DataFrame:
    """The scores of `backtest_forecasts` (as `tongchou forecast backtest`) by summary,
    horizon, week or region; `region` limits the units to those inside it."""
    if by not in BREAKDOWNS:
        raise InputError(
            Problem("by", "unknown breakdown", value=by, expected=", ".join(BREAKDOWNS))
        )
    within = stored_regions(engine).lookup(region) if region else None
    result = backtest_forecasts(engine, first, last, within=within, **options)
    return result.summary() if by == "summary" else getattr(result, f"by_{by}")()
