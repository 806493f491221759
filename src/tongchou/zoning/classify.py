"""Classification: the level of every region on every day asked for, with what decided it.

Conditions are evaluated in three-valued logic over arrays (regions, days): a test on a
missing value is unknown, ``all`` is false as soon as one part is false, ``any`` is true as
soon as one part is true. Levels are tried from the highest down; the first whose condition
holds is taken; if none holds, the default level is taken. A region whose higher level
cannot be decided is left undecided (level -1) rather than placed lower than it may be,
unless the ruleset declares its conditions ``exclusive`` and a lower one holds.

Reasons are kept as codes and numbers (``clause``, ``values``, ``truth``); text is made only
for the rows a caller asks for (``Classification.reason``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.zoning.inputs import check_inputs
from tongchou.zoning.reasons import explain, render_reason
from tongchou.zoning.ruleset import Node, Ruleset, Test
from tongchou.zoning.ruleset_loading import load_ruleset
from tongchou.zoning.windows import per_100k, window_stat

log = logging.getLogger(__name__)

UNDECIDED = -1
_DECIMALS = 9
DEFAULT_CLAUSE = -1
UNDECIDED_CLAUSE = -2

DaySelection = int | slice | Sequence[int] | Sequence[dt.date] | dt.date | None


@dataclass(frozen=True)
class Classification:
    """Levels of regions x days, with the evidence.

    level      (regions, days) int8: index into ``ruleset.levels``; -1 where undecided.
    clause     (regions, days) int8: which alternative of the deciding level's condition held
               (the first true branch of a top-level ``any``, else 0); -1 when the default
               level was taken because no condition held; -2 where undecided.
    undecided  (regions, days) int8: the level whose condition could not be decided, else -1.
    values     (tests, regions, days) float: the measured value behind each test.
    truth      (tests, regions, days) int8: 1 holds, 0 does not, -1 unknown.
    censored   (tests, regions, days) bool: the value is a lower bound (no positive day in
               the whole record).
    absent     (tests, regions, days) bool: the input was missing and the test counted as
               not holding (``when_missing: false``).
    days       (days,) indices of the classified days in the input arrays.
    proxied    series stood in for by the ruleset's declared proxy.
    """

    ruleset: Ruleset
    level: np.ndarray
    clause: np.ndarray
    undecided: np.ndarray
    values: np.ndarray
    truth: np.ndarray
    censored: np.ndarray
    absent: np.ndarray
    days: np.ndarray
    proxied: tuple[str, ...] = ()
    regions: tuple | None = None
    dates: tuple | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.level.shape

    def level_ids(self) -> np.ndarray:
        """Level ids as an object array (regions, days); None where undecided."""
        names = np.array([*self.ruleset.level_ids, None], dtype=object)
        return names[self.level]

    def frame(self, lang: str | None = None) -> pd.DataFrame:
        """Levels labelled by region and date: ids, or labels in ``lang`` ('zh'/'en')."""
        if lang is None:
            table = self.level_ids()
        else:
            names = [level.name(lang) for level in self.ruleset.levels]
            table = np.array([*names, None], dtype=object)[self.level]
        return pd.DataFrame(table, index=self._row_labels(), columns=self._column_labels())

    def reason(self, region: int, day: int = -1, lang: str = "en") -> str:
        """Why ``region`` has its level on classified day ``day`` (a position in ``days``)."""
        return render_reason(self, region, day, lang)

    def reasons(
        self, regions: Sequence[int] | None = None, day: int = -1, lang: str = "en"
    ) -> list[str]:
        rows = range(self.shape[0]) if regions is None else regions
        return [self.reason(r, day, lang) for r in rows]

    def explain(self, region: int, day: int = -1) -> dict:
        """The decision as data: level, clause, and every test of the deciding condition."""
        return explain(self, region, day)

    def _row_labels(self):
        return list(self.regions) if self.regions is not None else range(self.shape[0])

    def _column_labels(self):
        return list(self.dates) if self.dates is not None else list(self.days)


def classify(
    ruleset: Ruleset | str,
    inputs: Mapping[str, np.ndarray],
    population: np.ndarray | None = None,
    *,
    days: DaySelection = None,
    dates: Sequence[dt.date] | None = None,
    regions: Sequence | None = None,
    skip_missing: bool = False,
) -> Classification:
    """Classify every region on the chosen days.

    inputs: daily series by name, each (regions, days); NaN where missing.
    population: (regions,), needed when a test is per 100,000.
    days: None for every day; an index, slice, or list of indices; or dates when ``dates``
        labels the input columns.
    dates, regions: labels carried into the result.
    skip_missing: leave missing days out of window statistics; by default a gap makes a
        window's sum a lower bound and its mean unknown (see ``tongchou.zoning.windows``).
    """
    ruleset = load_ruleset(ruleset)
    arrays, population = check_inputs(inputs, ruleset.inputs, population)
    n_regions, n_days = _shape(arrays, regions, dates)
    chosen = day_indices(days, n_days, dates)
    proxied = _stand_in(ruleset, arrays, population, chosen, skip_missing)
    _require(ruleset, arrays, population)
    measured = _Measurer(arrays, population, skip_missing)
    values, truth, censored, absent = measured.run(ruleset.tests, chosen, n_regions)
    level, clause, undecided = _decide(ruleset, truth, (n_regions, len(chosen)))
    return Classification(
        ruleset=ruleset,
        level=level,
        clause=clause,
        undecided=undecided,
        values=values,
        truth=truth,
        censored=censored,
        absent=absent,
        days=chosen,
        proxied=tuple(proxied),
        regions=tuple(regions) if regions is not None else None,
        dates=tuple(dates[d] for d in chosen) if dates is not None else None,
    )


def classify_frames(
    ruleset: Ruleset | str,
    frames: Mapping[str, pd.DataFrame],
    population: pd.Series | None = None,
    **options,
) -> Classification:
    """``classify`` for analysts: each series a DataFrame with region codes as the index and
    dates as the columns; all frames must carry the same labels; population is a Series by
    region code."""
    frames = dict(frames)
    if not frames:
        raise InputError(Problem("frames", "no series given", expected="at least one frame"))
    first_name, first = next(iter(frames.items()))
    problems = []
    for name, frame in frames.items():
        if not frame.index.equals(first.index) or not frame.columns.equals(first.columns):
            problems.append(
                Problem(
                    f"frames[{name!r}]",
                    f"labels differ from frames[{first_name!r}]",
                    expected="the same regions and dates in the same order",
                )
            )
    pop = None
    if population is not None:
        missing = first.index.difference(population.index)
        if len(missing):
            problems.append(
                Problem("population", "no population for some regions", value=list(missing[:5]))
            )
        else:
            pop = population.reindex(first.index).to_numpy(dtype=float)
    if problems:
        raise InputError(problems)
    arrays = {name: frame.to_numpy(dtype=float) for name, frame in frames.items()}
    dates = [d.date() if isinstance(d, pd.Timestamp) else d for d in first.columns]
    return classify(ruleset, arrays, pop, dates=dates, regions=list(first.index), **options)


def day_indices(days: DaySelection, n_days: int, dates: Sequence[dt.date] | None) -> np.ndarray:
    """Positions of the chosen days in the input arrays, or InputError naming a bad day."""
    if days is None:
        return np.arange(n_days)
    if isinstance(days, slice):
        return np.arange(n_days)[days]
    many = not isinstance(days, int | dt.date | np.integer)
    picked = list(days) if many else [days]
    lookup = {d: i for i, d in enumerate(dates)} if dates is not None else {}
    chosen = []
    for day in picked:
        if isinstance(day, dt.date):
            if day not in lookup:
                raise InputError(
                    Problem(
                        "days",
                        "date not in the input",
                        value=day.isoformat(),
                        expected=f"{dates[0]} .. {dates[-1]}" if dates else "dates= labels",
                    )
                )
            chosen.append(lookup[day])
        elif -n_days <= int(day) < n_days:
            chosen.append(int(day) % n_days)
        else:
            raise InputError(
                Problem("days", "day out of range", value=int(day), expected=f"0 .. {n_days - 1}")
            )
    if not chosen:
        raise InputError(Problem("days", "no day chosen", expected="at least one day"))
    return np.asarray(chosen, dtype=np.intp)


def _shape(arrays: dict, regions, dates) -> tuple[int, int]:
    if not arrays:
        raise InputError(Problem("inputs", "no series given", expected="e.g. confirmed_new"))
    n_regions, n_days = next(iter(arrays.values())).shape
    if regions is not None and len(regions) != n_regions:
        raise InputError(
            Problem("regions", "wrong number of labels", value=len(regions), expected=n_regions)
        )
    if dates is not None and len(dates) != n_days:
        raise InputError(
            Problem("dates", "wrong number of dates", value=len(dates), expected=n_days)
        )
    return n_regions, n_days


def _stand_in(
    ruleset: Ruleset, arrays: dict, population, chosen: np.ndarray, skip_missing: bool
) -> list[str]:
    """Add proxy series for proxied inputs the caller did not supply; their names. A proxy
    is worked out only on the days the tests that read it will look at."""
    proxied = []
    n_regions, n_days = next(iter(arrays.values())).shape
    for name, proxy in ruleset.proxies.items():
        readers = [t for t in ruleset.tests if t.measure.input == name]
        if name in arrays or not readers:
            continue
        _require_for(proxy.tests, arrays, population, f"the proxy for {name}")
        if any(t.measure.stat == "days_since_positive" for t in readers):
            needed = np.arange(int(chosen.max()) + 1)
        else:
            reach = max(t.measure.window for t in readers)
            needed = np.unique((chosen[:, None] - np.arange(reach)[None, :]).ravel())
            needed = needed[needed >= 0]
        measured = _Measurer(arrays, population, skip_missing)
        _, truth, _, _ = measured.run(proxy.tests, needed, n_regions)
        holds, fails = _evaluate(proxy.when, truth)
        series = np.full((n_regions, n_days), np.nan)
        series[:, needed] = np.where(holds, 1.0, np.where(fails, 0.0, np.nan))
        arrays[name] = series
        proxied.append(name)
        log.info("%s: %s stood in for by its proxy", ruleset.id, name)
    return proxied


def _require(ruleset: Ruleset, arrays: dict, population) -> None:
    _require_for(ruleset.tests, arrays, population, f"ruleset {ruleset.id}")


def _require_for(tests, arrays: dict, population, who: str) -> None:
    problems = []
    for test in tests:
        name = test.measure.input
        if name not in arrays and test.when_missing == "unknown":
            problems.append(
                Problem(
                    f"inputs[{name!r}]",
                    f"missing series, needed by {who} at {test.path}",
                    expected="an array (regions, days), NaN where unknown",
                )
            )
        if test.measure.per_100k and population is None:
            problems.append(
                Problem(
                    "population",
                    f"missing, needed for a rate per 100,000 at {test.path}",
                    expected="an array (regions,)",
                )
            )
    if problems:
        unique = list({str(p): p for p in problems}.values())
        raise InputError(unique, hint="supplied: " + (", ".join(sorted(arrays)) or "nothing"))


class _Measurer:
    """Window statistics, each computed once however many tests use it."""

    def __init__(self, arrays: dict, population, skip_missing: bool):
        self.arrays = arrays
        self.population = population
        self.skip_missing = skip_missing
        self.cache: dict = {}

    def measure(self, test: Test, days: np.ndarray):
        m = test.measure
        key = (m, days.tobytes())
        if key not in self.cache:
            series = self.arrays.get(m.input)
            if series is None:
                self.cache[key] = (None, None)
            else:
                values, censored = window_stat(
                    series, m.stat, m.window, days, skip_missing=self.skip_missing
                )
                if m.per_100k:
                    values = per_100k(values, self.population)
                # Rounding off float noise: a 7-day mean of daily shares of 0.1 comes out as
                # 0.09999999999999999, which would fall under a published 10% threshold.
                values = np.round(values, _DECIMALS)
                self.cache[key] = (values, censored)
        return self.cache[key]

    def run(self, tests, days: np.ndarray, n_regions: int):
        shape = (len(tests), n_regions, len(days))
        values = np.full(shape, np.nan)
        truth = np.empty(shape, dtype=np.int8)
        censored = np.zeros(shape, dtype=bool)
        absent = np.zeros(shape, dtype=bool)
        for test in tests:
            measured, bound = self.measure(test, days)
            i = test.index
            if measured is None:
                truth[i] = 0
                absent[i] = True
                continue
            values[i] = measured
            truth[i] = _truth(test, measured, bound)
            if bound is not None:
                censored[i] = bound
            if test.when_missing == "false":
                absent[i] = np.isnan(measured)
                truth[i][absent[i]] = 0
        return values, truth, censored, absent


def _truth(test: Test, values: np.ndarray, censored: np.ndarray | None) -> np.ndarray:
    truth = np.where(test.holds(values), 1, 0).astype(np.int8)
    truth[np.isnan(values)] = -1
    if censored is not None and censored.any():
        # The true value lies in [value, infinity): decided only if the band holds for all of
        # that range (open above) or for none of it (its upper end is below the value).
        v = values[censored]
        with np.errstate(invalid="ignore"):
            lower_ok = v >= test.lower if test.lower_inclusive else v > test.lower
            beyond = v > test.upper if test.upper_inclusive else v >= test.upper
        decided = np.where(lower_ok & test.unbounded_above, 1, np.where(beyond, 0, -1))
        truth[censored] = decided
    return truth


def _evaluate(node: Node, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(holds, fails) masks of a condition in three-valued logic; neither means unknown."""
    if node.kind == "test":
        return truth[node.test] == 1, truth[node.test] == 0
    parts = [_evaluate(child, truth) for child in node.children]
    holds = [p[0] for p in parts]
    fails = [p[1] for p in parts]
    if node.kind == "all":
        return np.logical_and.reduce(holds), np.logical_or.reduce(fails)
    return np.logical_or.reduce(holds), np.logical_and.reduce(fails)


def _decide(ruleset: Ruleset, truth: np.ndarray, shape) -> tuple[np.ndarray, ...]:
    level = np.full(shape, ruleset.default, dtype=np.int8)
    clause = np.full(shape, DEFAULT_CLAUSE, dtype=np.int8)
    undecided = np.full(shape, -1, dtype=np.int8)
    settled = np.zeros(shape, dtype=bool)
    chosen = np.zeros(shape, dtype=bool)
    for candidate in reversed(ruleset.levels):
        if candidate.when is None:
            continue
        holds, fails = _evaluate(candidate.when, truth)
        taken = holds & ~settled
        level[taken] = candidate.index
        clause[taken] = _first_branch(candidate.when, truth)[taken]
        chosen |= taken
        # Only the first undecidable level is remembered.
        unknown = ~holds & ~fails & ~settled & (undecided < 0)
        undecided[unknown] = candidate.index
        # Exclusive conditions cannot hold together, so a lower level that holds still
        # settles a row whose higher level was undecidable.
        settled |= taken if ruleset.exclusive else taken | unknown
    pending = (undecided >= 0) & ~chosen
    level[pending] = UNDECIDED
    clause[pending] = UNDECIDED_CLAUSE
    undecided[chosen] = -1
    return level, clause, undecided


def _first_branch(node: Node, truth: np.ndarray) -> np.ndarray:
    """For a top-level ``any``, the index of its first branch that holds; else 0."""
    shape = truth.shape[1:]
    if node.kind != "any":
        return np.zeros(shape, dtype=np.int8)
    branch = np.zeros(shape, dtype=np.int8)
    for i in reversed(range(len(node.children))):
        branch[_evaluate(node.children[i], truth)[0]] = i
    return branch
