"""Step-down replay: levels day by day, as a command centre would hold them.

Each day the rules classify every region afresh (``classify``). A region's held level goes
up at once when the classified level is higher. It comes down only by a step-down rule of
its current level, after the required run of days without a new case (``without_new``),
and never below the classified level; a level with no step-down rule falls at once. A
region whose classification is undecided holds its level.

The run counts consecutive days with a zero in the ``without_new`` series (a missing day
breaks it, unless ``skip_missing``). With ``count_from: level_start`` (the default) it
counts from the later of the last new case and the day the region took its current level;
on the first replayed day that day is unknown, and only the run counts.

Overrides (a decision of the command centre, with its reason and who took it) replace the
held level from ``start`` up to the day before ``expiry``; the rules then go on from the
overridden level. The level the rules alone give is kept beside it (``computed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.zoning.classify import Classification, DaySelection, classify, day_indices
from tongchou.zoning.inputs import check_inputs
from tongchou.zoning.ruleset import Ruleset, StepDown
from tongchou.zoning.ruleset_loading import load_ruleset
from tongchou.zoning.transitions import (
    FALL,
    OVERRIDE,
    RISE,
    START,
    STAY,
    STEP_DOWN,
    transition_table,
)

_LONG_AGO = -(10**6)


@dataclass(frozen=True)
class Override:
    """A level set by a person for a region from ``start`` until the day before ``expiry``
    (None: until lifted). Days are dates (when the replay has dates) or day indices."""

    region: int
    level: str
    reason: str
    person: str
    start: dt.date | int
    expiry: dt.date | int | None = None


@dataclass(frozen=True)
class Replay:
    """Levels over a period. Arrays are (regions, days) over the replayed days.

    level       the held level, with step-down rules and overrides (-1: undecided).
    computed    the held level the rules alone give (no overrides).
    classified  the level of each day's classification, before step-down.
    override    index into ``overrides`` of the override in force, else -1.
    cause       why ``level`` changed that day (see ``transitions.CAUSES``); 0 where it did not.
    rule        the step-down rule that fired, else -1.
    counted     the run of days without a new case that the fired rule counted.
    quiet       days without a new case up to each day (the raw run).
    """

    ruleset: Ruleset
    classification: Classification
    level: np.ndarray
    computed: np.ndarray
    override: np.ndarray
    cause: np.ndarray
    rule: np.ndarray
    counted: np.ndarray
    quiet: np.ndarray
    overrides: tuple[Override, ...] = ()

    @property
    def classified(self) -> np.ndarray:
        return self.classification.level

    def frame(self, which: str = "level") -> pd.DataFrame:
        """Level ids labelled by region and date, of ``level``, ``computed`` or
        ``classified``."""
        names = np.array([*self.ruleset.level_ids, None], dtype=object)
        c = self.classification
        return pd.DataFrame(
            names[getattr(self, which)], index=c._row_labels(), columns=c._column_labels()
        )

    def transitions(
        self, lang: str = "en", reasons: bool = True, day: int | None = None
    ) -> pd.DataFrame:
        """Every change of the held level (or those of one replayed day, a position in the
        replayed days): region, date, from, to, cause and (unless ``reasons`` is False) the
        reason in words."""
        return transition_table(self, lang, reasons, day)


def replay(
    ruleset: Ruleset | str,
    inputs: Mapping[str, np.ndarray],
    population: np.ndarray | None = None,
    *,
    days: DaySelection = None,
    dates: Sequence[dt.date] | None = None,
    regions: Sequence | None = None,
    overrides: Sequence[Override] = (),
    skip_missing: bool = False,
) -> Replay:
    """Replay the levels of every region over consecutive days (default: all days).

    Days before the first replayed day count as history (windows, runs without a case).
    """
    ruleset = load_ruleset(ruleset)
    arrays, _ = check_inputs(inputs, ruleset.inputs, population)
    n_days = next(iter(arrays.values())).shape[1] if arrays else 0
    chosen = day_indices(days, n_days, dates)
    if len(chosen) > 1 and not np.array_equal(np.diff(chosen), np.ones(len(chosen) - 1)):
        raise InputError(
            Problem("days", "a replay needs consecutive days in order", expected="a slice")
        )
    classification = classify(
        ruleset,
        inputs,
        population,
        days=chosen,
        dates=dates,
        regions=regions,
        skip_missing=skip_missing,
    )
    if ruleset.step_downs and ruleset.without_new not in arrays:
        raise InputError(
            Problem(
                f"inputs[{ruleset.without_new!r}]",
                "missing series, needed by the step-down rules",
                expected="an array (regions, days)",
            )
        )
    quiet = _quiet_runs(arrays.get(ruleset.without_new), chosen, classification.shape, skip_missing)
    forced, which = _place_overrides(ruleset, overrides, classification, chosen, dates)
    computed, *_ = _step(ruleset, classification.level, quiet, None)
    level, cause, rule, counted = _step(ruleset, classification.level, quiet, forced)
    return Replay(
        ruleset=ruleset,
        classification=classification,
        level=level,
        computed=computed,
        override=which,
        cause=cause,
        rule=rule,
        counted=counted,
        quiet=quiet,
        overrides=tuple(overrides),
    )


def _quiet_runs(series, chosen: np.ndarray, shape, skip_missing: bool) -> np.ndarray:
    """Consecutive days with no new case up to each chosen day (history included)."""
    if series is None:
        return np.zeros(shape, dtype=np.int32)
    history = series[:, : int(chosen[-1]) + 1]
    busy = history > 0 if skip_missing else ~(history == 0)
    index = np.arange(history.shape[1])
    last_busy = np.maximum.accumulate(np.where(busy, index, -1), axis=1)[:, chosen]
    return (chosen - last_busy).astype(np.int32)


def _step(ruleset: Ruleset, classified: np.ndarray, quiet: np.ndarray, forced):
    """The day loop; vectorised over regions."""
    n_regions, n_days = classified.shape
    n_levels = len(ruleset.levels)
    rules = ruleset.step_downs
    has_rule = np.zeros(n_levels, dtype=bool)
    # specific[level, came_from + 1]: some rule is reserved for regions that came down to
    # ``level`` from ``came_from``; such rules replace the general ones for them.
    specific = np.zeros((n_levels, n_levels + 1), dtype=bool)
    for r in rules:
        has_rule[r.source] = True
        if r.reached_from >= 0:
            specific[r.source, r.reached_from + 1] = True
    level = np.empty((n_regions, n_days), dtype=np.int8)
    cause = np.zeros((n_regions, n_days), dtype=np.int8)
    fired = np.full((n_regions, n_days), -1, dtype=np.int8)
    counted = np.zeros((n_regions, n_days), dtype=np.int32)
    state = np.full(n_regions, -1, dtype=np.int8)
    entry = np.full(n_regions, _LONG_AGO, dtype=np.int64)
    came_from = np.full(n_regions, -1, dtype=np.int8)
    for t in range(n_days):
        today = classified[:, t]
        new = state.copy()
        why = np.zeros(n_regions, dtype=np.int8)
        known = today >= 0
        held = state >= 0
        start = known & ~held
        rise = known & held & (today > state)
        lower = known & held & (today < state)
        new[start | rise] = today[start | rise]
        why[start] = START
        why[rise] = RISE
        fall = lower & ~has_rule[np.maximum(state, 0)]
        new[fall] = today[fall]
        why[fall] = FALL
        target, rule_of, run_of = _fire(
            rules, lower & ~fall, state, came_from, entry, quiet[:, t], t, specific, n_levels
        )
        stepped = target < n_levels
        new[stepped] = np.maximum(target[stepped], today[stepped])
        why[stepped] = STEP_DOWN
        fired[stepped, t] = rule_of[stepped]
        counted[stepped, t] = run_of[stepped]
        if forced is not None:
            imposed = forced[:, t] >= 0
            new[imposed] = forced[imposed, t]
            why[imposed] = np.where(new[imposed] != state[imposed], OVERRIDE, STAY)
            fired[imposed, t] = -1
            counted[imposed, t] = 0
        changed = new != state
        entry[changed] = t
        came_from[changed] = np.where(why[changed] == STEP_DOWN, state[changed], -1)
        cause[changed, t] = why[changed]
        state = new
        level[:, t] = state
    return level, cause, fired, counted


def _fire(
    rules: tuple[StepDown, ...], eligible, state, came_from, entry, quiet, t, specific, n_levels
):
    """The lowest target among rules that fire today, per region (n_levels where none)."""
    target = np.full(state.shape, n_levels, dtype=np.int16)
    rule_of = np.full(state.shape, -1, dtype=np.int8)
    run_of = np.zeros(state.shape, dtype=np.int32)
    if not rules or not eligible.any():
        return target, rule_of, run_of
    reserved = specific[np.maximum(state, 0), came_from + 1]
    since_level = np.minimum(quiet, t - entry)
    for r in rules:
        run = since_level if r.count_from == "level_start" else quiet
        applies = eligible & (state == r.source)
        applies &= (came_from == r.reached_from) if r.reached_from >= 0 else ~reserved
        fire = applies & (run >= r.after_days) & (r.target < target)
        target[fire] = r.target
        rule_of[fire] = r.index
        run_of[fire] = run[fire]
    return target, rule_of, run_of


def _place_overrides(
    ruleset: Ruleset,
    overrides: Sequence[Override],
    c: Classification,
    chosen: np.ndarray,
    dates: Sequence[dt.date] | None,
) -> tuple[np.ndarray | None, np.ndarray]:
    n_regions, n_days = c.shape
    which = np.full((n_regions, n_days), -1, dtype=np.int16)
    if not overrides:
        return None, which
    forced = np.full((n_regions, n_days), -1, dtype=np.int8)
    problems: list[Problem] = []
    spans: dict[int, list[tuple[int, int, int]]] = {}
    first = int(chosen[0])
    for k, o in enumerate(overrides):
        place = f"overrides[{k}]"
        found = len(problems)
        if not isinstance(o.reason, str) or not o.reason.strip():
            problems.append(Problem(f"{place}.reason", "an override needs a reason"))
        if not isinstance(o.person, str) or not o.person.strip():
            problems.append(Problem(f"{place}.person", "an override needs the person who made it"))
        if not (isinstance(o.region, int | np.integer) and 0 <= o.region < n_regions):
            problems.append(
                Problem(
                    f"{place}.region",
                    "no such region",
                    value=o.region,
                    expected=f"0 .. {n_regions - 1}",
                )
            )
        try:
            target = ruleset.level_index(o.level, f"{place}.level")
        except InputError as exc:
            problems.extend(exc.problems)
            target = -1
        start = _day(o.start, dates, f"{place}.start", problems)
        stop = _day(o.expiry, dates, f"{place}.expiry", problems) if o.expiry is not None else None
        if start is not None and stop is not None and stop <= start:
            problems.append(
                Problem(
                    f"{place}.expiry",
                    "expiry must come after start",
                    value=str(o.expiry),
                    expected=f"after {o.start}",
                )
            )
        if len(problems) > found:
            continue
        stop = stop if stop is not None else 10**9
        for j, begin, end in spans.get(o.region, []):
            if start < end and begin < stop:
                problems.append(
                    Problem(
                        place,
                        f"overlaps overrides[{j}] for region {o.region}",
                        expected="one override at a time per region; end one first",
                    )
                )
        spans.setdefault(o.region, []).append((k, start, stop))
        lo, hi = max(start - first, 0), min(stop - first, n_days)
        if lo < hi:
            forced[o.region, lo:hi] = target
            which[o.region, lo:hi] = k
    if problems:
        raise InputError(problems)
    return forced, which


def _day(value, dates, place: str, problems: list[Problem]) -> int | None:
    if isinstance(value, dt.date):
        if dates is None:
            problems.append(Problem(place, "a date needs dates= for the replay", value=str(value)))
            return None
        lookup = {d: i for i, d in enumerate(dates)}
        if value in lookup:
            return lookup[value]
        if value > dates[-1]:
            return len(dates) + (value - dates[-1]).days - 1
        if value < dates[0]:
            return (value - dates[0]).days
        problems.append(Problem(place, "date not in the replay's dates", value=str(value)))
        return None
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    problems.append(Problem(place, "not a day", value=value, expected="a date or a day index"))
    return None
