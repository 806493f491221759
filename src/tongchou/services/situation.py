"""The situation on a day: every region's indicators, four rates and Rt, from what was known
that day.

`assess` reads the panel once and runs the engines over all regions at once; the tables below
pick regions and days out of the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, NotFound
from tongchou.facts.metrics import builtin_metrics
from tongchou.facts.panel import Panel
from tongchou.geo.regions import RegionTable
from tongchou.services.regions import stored_regions
from tongchou.store.days import from_day
from tongchou.store.observations import day_range
from tongchou.store.panels import read_panel
from tongchou.surveillance.defaults import SERIAL_INTERVAL_LI_2020
from tongchou.surveillance.indicators import Indicators, compute_indicators
from tongchou.surveillance.rates import Rate, four_rates
from tongchou.surveillance.rt import RtEstimate, estimate_rt
from tongchou.surveillance.serial_interval import SerialInterval

SITUATION_METRICS = ["confirmed", "suspected", "cured", "dead"]
HEADLINE_METRICS = SITUATION_METRICS


@dataclass(frozen=True)
class Assessment:
    """Everything computed for every region, each array shaped (regions, days)."""

    as_of: dt.date
    regions: RegionTable
    panel: Panel
    indicators: Indicators
    rates: dict[str, Rate]
    rt: RtEstimate
    # Rt estimates that a flagged reporting jump (Hubei, 12 February 2020) distorts: the jump is
    # in the window, or in the serial interval's reach before it
    rt_jump: np.ndarray
    serial_interval: SerialInterval

    @property
    def day(self) -> int:
        return len(self.panel.dates) - 1


def assess(
    engine: Engine,
    as_of: dt.date,
    *,
    regions: RegionTable | None = None,
    serial_interval: SerialInterval | None = None,
    window: int = 7,
) -> Assessment:
    """Indicators, the four rates and Rt for every region, from the first stored day to
    `as_of`, as known at the end of `as_of`."""
    regions = regions or stored_regions(engine)
    with engine.connect() as connection:
        first, last = day_range(connection)
    if first is None:
        raise NotFound("the store holds no values yet; import reports or run `tongchou demo`")
    start = from_day(first)
    if as_of < start:
        raise NotFound(f"{as_of} is before the first stored day ({start})")
    panel = read_panel(engine, SITUATION_METRICS, start, as_of, as_of=as_of, regions=regions)
    population = regions.frame["population"].to_numpy(dtype=float)
    indicators = compute_indicators(
        panel["confirmed"],
        panel["cured"],
        panel["dead"],
        population,
    )
    rates = four_rates(panel["confirmed"], panel["cured"], panel["dead"], population)
    serial_interval = serial_interval or SERIAL_INTERVAL_LI_2020.serial_interval()
    new = indicators.counts["confirmed"]
    # Rt needs a count on every day: a day without a report counts as no new case, and the
    # remainder of a decrease that the revision rule could not place counts as none
    local = np.clip(np.nan_to_num(new.daily, nan=0.0), 0.0, None)
    # a history shorter than one window and a day: the days before the first report count as
    # no cases, as the cumulative counts already assume
    short = max(0, window + 1 - local.shape[1])
    rt = estimate_rt(np.pad(local, ((0, 0), (short, 0))), si=serial_interval, window=window)
    rt = rt.last_days(local.shape[1]) if short else rt
    # a jump inflates the cases of the windows holding it and then the infectiousness of the
    # windows after it, as far as the serial interval reaches
    reach = window + int(np.searchsorted(np.cumsum(serial_interval.pmf), 0.95))
    jump_days = np.concatenate([np.zeros((len(regions), 1)), new.jump.cumsum(axis=1)], axis=1)
    earlier = np.concatenate([np.zeros((len(regions), reach)), jump_days], axis=1)
    earlier = earlier[:, : jump_days.shape[1]]
    rt_jump = (jump_days - earlier)[:, 1:] > 0
    return Assessment(as_of, regions, panel, indicators, rates, rt, rt_jump, serial_interval)


def situation(
    engine: Engine,
    as_of: dt.date,
    *,
    level: str | int = "province",
    region: str | None = None,
    sort: str = "new",
    lang: str = "en",
) -> pd.DataFrame:
    """Every unit of one level (optionally inside one region) on a day, as known that day:
    indicators, the four rates and Rt, largest `sort` first."""
    regions = stored_regions(engine)
    within = regions.lookup(region) if region else None
    frame = situation_table(
        assess(engine, as_of, regions=regions), regions.level(level, within), lang
    )
    if sort not in frame.columns:
        raise InputError(f"sort: no column {sort!r}; columns: {', '.join(frame.columns)}")
    return frame.sort_values(sort, ascending=False)


def rt(
    engine: Engine,
    region: str,
    *,
    as_of: dt.date | None = None,
    si_mean: float | None = None,
    si_sd: float | None = None,
    window: int = 7,
) -> pd.DataFrame:
    """Rt of one region over time, as known on `as_of` (default: the last stored day), with a
    gamma serial interval of the given mean and SD (default: Li et al. 2020)."""
    if (si_mean is None) != (si_sd is None):
        raise InputError("give both the serial interval's mean and SD, or neither")
    regions = stored_regions(engine)
    code = regions.lookup(region)
    serial_interval = SerialInterval.from_gamma(si_mean, si_sd) if si_mean is not None else None
    assessment = assess(
        engine,
        as_of or latest_day(engine),
        regions=regions,
        serial_interval=serial_interval,
        window=window,
    )
    return rt_table(assessment, code)


def latest_day(engine: Engine) -> dt.date:
    with engine.connect() as connection:
        _, last = day_range(connection)
    if last is None:
        raise NotFound("the store holds no values yet; import reports or run `tongchou demo`")
    return from_day(last)


def situation_table(
    assessment: Assessment, codes: list[str], lang: str = "en", day: int = -1
) -> pd.DataFrame:
    """One row per region on one day (default: the last), the numbers an analyst reads."""
    a = assessment
    rows = a.panel.regions.get_indexer(codes)
    if (rows < 0).any():
        raise NotFound(f"regions not assessed: {', '.join(np.asarray(codes)[rows < 0][:5])}")
    counts, growth = a.indicators.counts, a.indicators.growth
    columns = {
        "name": [a.regions.name(c, lang) for c in codes],
        "population": a.regions.frame.loc[codes, "population"].to_numpy(),
        "confirmed": a.panel["confirmed"][rows, day],
        "new": counts["confirmed"].daily[rows, day],
        "new_7d_mean": a.indicators.mean7[rows, day],
        "incidence_7d_per_100k": a.indicators.incidence7[rows, day],
        "incidence_14d_per_100k": a.indicators.incidence14[rows, day],
        "active": a.indicators.active[rows, day],
        "suspected": a.panel["suspected"][rows, day],
        "cured": a.panel["cured"][rows, day],
        "dead": a.panel["dead"][rows, day],
        "growth_rate": growth.rate[rows, day],
        "growth_lower": growth.lower[rows, day],
        "growth_upper": growth.upper[rows, day],
        "doubling_days": growth.doubling_time[rows, day],
        "halving_days": growth.halving_time[rows, day],
        "days_since_last_case": a.indicators.days_since_last_case[rows, day],
        "rt": a.rt.mean[rows, day],
        "rt_lower": a.rt.quantile(0.025)[rows, day],
        "rt_upper": a.rt.quantile(0.975)[rows, day],
        "rt_few_cases": a.rt.few_cases[rows, day],
        "rt_window_has_jump": a.rt_jump[rows, day],
    }
    for name, rate in a.rates.items():
        columns[name] = rate.value[rows, day]
    frame = pd.DataFrame(columns, index=pd.Index(codes, name="region"))
    frame.attrs["definitions"] = {name: rate.definition for name, rate in a.rates.items()}
    frame.attrs["as_of"] = a.as_of
    return frame


def rt_table(assessment: Assessment, code: str) -> pd.DataFrame:
    """Rt of one region on every day with an estimate, with its window and flags."""
    a = assessment
    row = a.panel.row(code)
    start = a.rt.window_start[row]
    frame = pd.DataFrame(
        {
            "window_start": a.panel.dates.take(np.maximum(start, 0)).where(start >= 0),
            "new_cases": a.indicators.counts["confirmed"].daily[row],
            "mean": a.rt.mean[row],
            "std": a.rt.std[row],
            **{f"q{p:g}": values[row] for p, values in a.rt.quantiles.items()},
            "few_cases": a.rt.few_cases[row],
            "early": a.rt.early[row],
            "window_has_jump": a.rt_jump[row],
        },
        index=pd.Index(a.panel.dates, name="date"),
    )
    return frame.loc[np.isfinite(frame["mean"])]


def headline(assessment: Assessment, code: str, lang: str = "en") -> pd.DataFrame:
    """Each headline metric of one region on the day, the day before, and the change."""
    a = assessment
    row = a.panel.row(code)
    registry = builtin_metrics()
    rows = []
    for metric in HEADLINE_METRICS:
        before, today = a.panel[metric][row, -2:]
        rows.append(
            {
                "metric": metric,
                "label": registry.get(metric).label(lang),
                "value": today,
                "previous": before,
                "change": today - before,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def top_new_cases(
    assessment: Assessment, codes: list[str], n: int = 10, lang: str = "en"
) -> pd.DataFrame:
    """The `n` regions among `codes` with the most new confirmed cases on the day."""
    table = situation_table(assessment, codes, lang)[["name", "new", "confirmed"]]
    table = table.loc[np.isfinite(table["confirmed"])]
    return table.sort_values(["new", "confirmed"], ascending=False).head(n)
