"""Cumulative and daily counts, both ways, for every region at once: daily counts cleaned of
downward revisions, with the days after a gap and the reporting jumps marked.

Arrays are floats shaped (regions, days) with NaN for a missing report; docs/indicators.md
states the revision rule for analysts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tongchou.facts.checks import check_counts

log = logging.getLogger(__name__)

REVISION_COLUMNS = ["region", "day", "revised_on", "amount"]


@dataclass(frozen=True)
class DailyCounts:
    """Daily counts of one series after the revision rule, with what the rule did.

    daily: cleaned daily counts; NaN on days without a report.
    revisions: one row per changed cell: region, day (the day whose count changed),
        revised_on (the day the decrease was reported) and amount (the change; the rows of
        one decrease add up to zero).
    unresolved: a decrease larger than all earlier positive counts; its remainder stays
        negative on that day.
    after_gap: a day whose count covers one or more missing days before it.
    jump: a reporting jump, kept as it is (see `flag_jumps`).
    """

    daily: np.ndarray
    revisions: pd.DataFrame
    unresolved: np.ndarray
    after_gap: np.ndarray
    jump: np.ndarray


def _differences(cumulative: np.ndarray, initial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily differences of the reported values and the after-gap mark. A day after a run of
    missing days takes the difference from the last reported value before the run (or
    `initial`); the runs are found from the missing cells alone, which are few."""
    regions, days = cumulative.shape
    daily = np.empty_like(cumulative)
    np.subtract(cumulative[:, :1], initial[:, None], out=daily[:, :1])
    np.subtract(cumulative[:, 1:], cumulative[:, :-1], out=daily[:, 1:])
    after_gap = np.zeros(cumulative.shape, dtype=bool)
    missing = np.flatnonzero(np.isnan(cumulative))
    if missing.size == 0:
        return daily, after_gap
    # Runs of consecutive missing cells, split at the ends of rows.
    breaks = np.flatnonzero((np.diff(missing) != 1) | (missing[1:] % days == 0))
    starts, ends = missing[np.r_[0, breaks + 1]], missing[np.r_[breaks, missing.size - 1]]
    resumes = ends + 1
    keep = resumes % days != 0
    starts, resumes = starts[keep], resumes[keep]
    flat = cumulative.ravel()
    before = np.where(starts % days != 0, flat[starts - 1], initial[starts // days])
    daily.ravel()[resumes] = flat[resumes] - before
    after_gap.ravel()[resumes] = (flat[resumes] != before) & ~np.isnan(before)
    return daily, after_gap


def _take_newest_first(daily, region, day, columns, need, records) -> np.ndarray:
    """Take `need` from the positive counts of daily[region, columns] (one row per decrease,
    candidate days newest first, negative = none), write the rest back, record each change
    and return the amount absorbed per decrease."""
    valid = columns >= 0
    rows, cols = np.broadcast_arrays(region[:, None], np.maximum(columns, 0))
    values = daily[rows, cols]
    available = np.where(valid & (values > 0), values, 0.0)
    take = np.clip(need[:, None] - (np.cumsum(available, axis=1) - available), 0.0, available)
    daily[rows[valid], cols[valid]] = (values - take)[valid]
    hit, offset = np.nonzero(take)
    records.append(np.column_stack([region[hit], cols[hit, offset], day[hit], -take[hit, offset]]))
    return take.sum(axis=1)


_LOOK_BACK = 28


def _apply_revision_rule(daily: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Move each negative daily count onto the most recent earlier positive counts, newest
    first, in the order the decreases were reported; in place on `daily`.

    The k-th decrease of every region is handled in the same step, so the loop runs as many
    times as the largest number of decreases in one region. Each step looks back four weeks
    first and reaches further only for the decreases that are not yet absorbed."""
    unresolved = np.zeros(daily.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        rows, days = np.nonzero(daily < 0)
    rank = np.arange(rows.size) - np.searchsorted(rows, rows)
    records: list[np.ndarray] = [np.empty((0, 4))]
    for k in range(rank.max() + 1 if rows.size else 0):
        region, day = rows[rank == k], days[rank == k]
        need = -daily[region, day]
        near = day[:, None] - np.arange(1, _LOOK_BACK + 1)
        absorbed = _take_newest_first(daily, region, day, near, need, records)
        further = (need - absorbed > 1e-9 * need) & (day > _LOOK_BACK)
        if further.any():
            start = day[further] - _LOOK_BACK - 1
            far = start[:, None] - np.arange(start.max() + 1)
            rest = need[further] - absorbed[further]
            region_far, day_far = region[further], day[further]
            absorbed[further] += _take_newest_first(daily, region_far, day_far, far, rest, records)
        remainder = need - absorbed
        settled = remainder <= 1e-9 * need
        daily[region, day] = np.where(settled, 0.0, -remainder)
        unresolved[region[~settled], day[~settled]] = True
        moved = absorbed > 0
        records.append(np.column_stack([region[moved], day[moved], day[moved], absorbed[moved]]))
    table = np.concatenate(records)
    table = table[np.lexsort((table[:, 1], table[:, 2], table[:, 0]))]
    columns = [table[:, k].astype(int) for k in range(3)] + [table[:, 3]]
    return pd.DataFrame(dict(zip(REVISION_COLUMNS, columns, strict=True))), unresolved


class RunningSums:
    """Cumulative sums of daily counts with a leading zero column (missing days add 0), from
    which every trailing window sum is one subtraction. Missing days are kept as flat indices:
    they are few, and touching only them saves passes over the whole table.

    `daily` must already be checked (see `check_counts`). `total` is (regions, days + 1), its
    column t the sum of the known counts of days 0 .. t-1; `missing` the flat indices of the
    missing days."""

    def __init__(self, daily: np.ndarray):
        regions, days = self.shape = daily.shape
        self.missing = np.flatnonzero(np.isnan(daily))
        if self.missing.size:
            daily = daily.copy()
            daily.flat[self.missing] = 0.0
        self.total = np.empty((regions, days + 1))
        self.total[:, 0] = 0.0
        np.cumsum(daily, axis=1, out=self.total[:, 1:])

    def window(self, window: int, *, ending_before: bool = False) -> np.ndarray:
        """Sums over `window` days ending on each day (or on the day before, if asked)."""
        regions, days = self.shape
        shift = 1 if ending_before else 0
        first = window + shift
        result = np.empty((regions, days))
        result[:, : first - 1] = np.nan
        if days >= first:
            total = self.total
            ends, starts = total[:, window : days + 1 - shift], total[:, : days + 1 - first]
            np.subtract(ends, starts, out=result[:, first - 1 :])
        # A missing last day, or a missing day just before the window whose cases were carried
        # onto the window's first day, makes the sum unknown.
        day = self.missing % days
        for reach in (shift, first):
            inside = day + reach < days
            result.flat[self.missing[inside] + reach] = np.nan
        return result


def _jumps(daily: np.ndarray, running: RunningSums, factor: float, floor: float) -> np.ndarray:
    before = running.window(7, ending_before=True)
    before *= factor / 7
    with np.errstate(invalid="ignore"):
        return (daily >= floor) & (daily > before)


def flag_jumps(daily, *, factor: float = 5.0, floor: float = 50.0) -> np.ndarray:
    """Mark reporting jumps: a daily count of at least `floor` and more than `factor` times the
    mean of the 7 days before it. The count is kept; only the mark is added. Days whose
    trailing mean is unknown are not marked."""
    daily = check_counts(daily, "daily", allow_negative=True)
    return _jumps(daily, RunningSums(daily), factor, floor)


def clean_cumulative(
    cumulative: np.ndarray, initial, jump_factor: float, jump_floor: float, name: str
) -> tuple[DailyCounts, RunningSums]:
    """`daily_from_cumulative` on an already checked array, also returning the running sums of
    the cleaned daily counts, so that a caller's trailing windows cost no further pass."""
    initial = np.broadcast_to(np.asarray(initial, dtype=float), cumulative.shape[:1])
    daily, after_gap = _differences(cumulative, initial)
    revisions, unresolved = _apply_revision_rule(daily)
    running = RunningSums(daily)
    jump = _jumps(daily, running, jump_factor, jump_floor)
    if len(revisions) or unresolved.any() or jump.any():
        counted = (len(revisions), int(unresolved.sum()), int(jump.sum()))
        log.info("%s: %d cells revised, %d decreases unresolved, %d jumps", name, *counted)
    return DailyCounts(daily, revisions, unresolved, after_gap, jump), running


def daily_from_cumulative(
    cumulative,
    *,
    initial: float | np.ndarray = 0.0,
    jump_factor: float = 5.0,
    jump_floor: float = 50.0,
    name: str = "cumulative",
) -> DailyCounts:
    """Daily new counts from cumulative counts, for all regions at once.

    `initial` is the cumulative count the day before the first column (0 when the series
    starts before the first case; NaN when unknown, which makes the first reported day's count
    NaN). A missing day gives a NaN daily count and its cases appear on the next reported day,
    marked `after_gap` when non-zero. Downward revisions follow the rule in `DailyCounts`.
    """
    cumulative = check_counts(cumulative, name)
    return clean_cumulative(cumulative, initial, jump_factor, jump_floor, name)[0]


def cumulative_from_daily(daily, *, initial: float | np.ndarray = 0.0) -> np.ndarray:
    """Cumulative counts from daily counts: `initial` plus the sum of the known daily counts so
    far. NaN on a day whose count is missing; later days go on adding the known counts, which is
    the inverse of `daily_from_cumulative` (a gap's cases sit on the next reported day)."""
    daily = check_counts(daily, "daily", allow_negative=True)
    initial = np.broadcast_to(np.asarray(initial, dtype=float), daily.shape[:1])
    cumulative = initial[:, None] + np.cumsum(np.nan_to_num(daily, nan=0.0), axis=1)
    cumulative[np.isnan(daily)] = np.nan
    return cumulative
