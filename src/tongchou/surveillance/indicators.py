"""Situation indicators for every region at once: trailing sums and averages, incidence,
active cases, days since the last case, and all of them together with the cleaned daily counts
(tongchou.facts.conversion) and the growth rate (tongchou.surveillance.growth).

Every engine here takes float arrays shaped (regions, days) with NaN for a missing report and
returns arrays of the same shape; docs/indicators.md defines each indicator for analysts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tongchou.facts.checks import check_counts, check_labels, check_population, check_window
from tongchou.facts.conversion import DailyCounts, RunningSums, clean_cumulative
from tongchou.surveillance.growth import Growth, check_growth_settings, fit_growth

PER_100K = 100_000.0


# --- trailing windows, incidence, active cases, days since last case ----------------------


def window_sum(daily, window: int) -> np.ndarray:
    """Sum of the daily counts over the `window` days ending on each day.

    It is the difference of two cumulative counts, so a missing day inside the window whose
    cases were carried onto the next report is counted once. NaN when the window is not yet
    full, when the day itself is missing, or when the day before the window is missing (its
    cases then sit on the window's first day and do not belong to it)."""
    daily = check_counts(daily, "daily", allow_negative=True)
    return RunningSums(daily).window(check_window("window", window, 1))


def trailing_mean(daily, window: int = 7) -> np.ndarray:
    """Mean daily count over the `window` days ending on each day (see `window_sum`)."""
    return window_sum(daily, window) / window


def incidence_per_100k(daily, population, window: int = 7) -> np.ndarray:
    """New cases over the last `window` days per 100,000 population."""
    daily = check_counts(daily, "daily", allow_negative=True)
    population = check_population(population, daily.shape[0])
    return window_sum(daily, window) * (PER_100K / population[:, None])


def active_cases(confirmed, cured, dead) -> np.ndarray:
    """Active cases (现有确诊) = cumulative confirmed - cured - dead, as reported each day.
    NaN where any of the three is missing; negative values mean inconsistent reports and
    are kept so that they can be found."""
    confirmed = check_counts(confirmed, "confirmed")
    cured = check_counts(cured, "cured", shape=confirmed.shape)
    dead = check_counts(dead, "dead", shape=confirmed.shape)
    return confirmed - cured - dead


def days_since_last_case(daily) -> np.ndarray:
    """Days since the last day with a positive daily count (0 on such a day); NaN until the
    first case. A missing day counts as a day without a known case."""
    daily = check_counts(daily, "daily", allow_negative=True)
    days = np.arange(daily.shape[1], dtype=np.int32)
    with np.errstate(invalid="ignore"):
        last = np.where(daily > 0, days, -1)
    np.maximum.accumulate(last, axis=1, out=last)
    since = np.subtract(days, last, dtype=float)
    since[last < 0] = np.nan
    return since


# --- all indicators together --------------------------------------------------------------


SERIES = ("confirmed", "cured", "dead")


@dataclass(frozen=True)
class Indicators:
    """The day's indicators for every region; arrays shaped (regions, days).

    counts: cleaned daily counts of confirmed, cured and dead, with their flags and revisions.
    mean7: 7-day trailing mean of new confirmed cases. incidence7 / incidence14: new confirmed
    cases over 7 / 14 days per 100,000. active: confirmed - cured - dead as reported.
    growth: growth rate of new confirmed cases. days_since_last_case: see the function.
    """

    counts: dict[str, DailyCounts]
    mean7: np.ndarray
    incidence7: np.ndarray
    incidence14: np.ndarray
    active: np.ndarray
    growth: Growth
    days_since_last_case: np.ndarray

    def to_frame(self, regions: Sequence, dates: Sequence) -> pd.DataFrame:
        """A tidy table for analysts: one row per region code and date, one column per
        indicator and flag. From wide DataFrames (rows: regions, columns: dates), compute on
        frame.to_numpy() and label with frame.index and frame.columns."""
        count, days = self.active.shape
        check_labels(regions, dates, (count, days))
        columns = {f"{series}_new": counts.daily for series, counts in self.counts.items()}
        columns |= {name: getattr(self, name) for name in ("mean7", "incidence7", "incidence14")}
        columns["active"] = self.active
        for field in Growth.__dataclass_fields__:
            name = field if field.startswith(("doubling", "halving")) else f"growth_{field}"
            columns[name] = getattr(self.growth, field)
        columns["days_since_last_case"] = self.days_since_last_case
        for series, counts in self.counts.items():
            for flag in ("unresolved", "after_gap", "jump"):
                columns[f"{series}_{flag}"] = getattr(counts, flag)
        table = pd.DataFrame({name: values.ravel() for name, values in columns.items()})
        table.insert(0, "date", np.tile(np.asarray(dates, dtype=object), count))
        table.insert(0, "region", np.repeat(np.asarray(regions, dtype=object), days))
        return table

    def revisions_frame(self, regions: Sequence, dates: Sequence) -> pd.DataFrame:
        """Every adjustment of the revision rule, labelled: series, region, date, revised_on,
        amount."""
        check_labels(regions, dates, self.active.shape)
        codes, days = np.asarray(regions, dtype=object), np.asarray(dates, dtype=object)
        table = pd.concat([c.revisions.assign(series=s) for s, c in self.counts.items()])
        table = table.assign(
            region=codes[table.region], date=days[table.day], revised_on=days[table.revised_on]
        )
        return table[["series", "region", "date", "revised_on", "amount"]].reset_index(drop=True)


def compute_indicators(
    confirmed,
    cured,
    dead,
    population,
    *,
    starts_at_zero: bool = True,
    jump_factor: float = 5.0,
    jump_floor: float = 50.0,
    growth_window: int = 14,
    growth_min_days: int = 10,
    growth_min_cases: float = 10.0,
    confidence: float = 0.95,
    regions: Sequence | None = None,
    dates: Sequence | None = None,
) -> Indicators:
    """All indicators from cumulative confirmed, cured and dead counts (regions, days) and the
    population (regions,). `starts_at_zero`: the series begin before the first case, so the
    first report's count is new; otherwise the first reported day's new count is NaN.
    `regions` and `dates` only label error messages."""
    confirmed = check_counts(confirmed, "confirmed", regions=regions, dates=dates)
    cured = check_counts(cured, "cured", shape=confirmed.shape, regions=regions, dates=dates)
    dead = check_counts(dead, "dead", shape=confirmed.shape, regions=regions, dates=dates)
    population = check_population(population, confirmed.shape[0], regions=regions)
    initial = 0.0 if starts_at_zero else np.nan
    counts, running = {}, {}
    for name, series in zip(SERIES, (confirmed, cured, dead), strict=True):
        counts[name], running[name] = clean_cumulative(
            series, initial, jump_factor, jump_floor, name
        )
    new, new_running = counts["confirmed"], running["confirmed"]
    window, min_days = check_growth_settings(growth_window, growth_min_days, confidence)
    with np.errstate(invalid="ignore"):
        usable = (new.daily >= 0) & ~(new.after_gap | new.jump)
    per_100k = PER_100K / population[:, None]
    week = new_running.window(7)
    return Indicators(
        counts=counts,
        mean7=week / 7,
        incidence7=week * per_100k,
        incidence14=new_running.window(14) * per_100k,
        active=confirmed - cured - dead,
        growth=fit_growth(
            new.daily, usable, new_running, window, min_days, growth_min_cases, confidence
        ),
        days_since_last_case=days_since_last_case(new.daily),
    )
