"""Run scenarios side by side as ensembles and say what each costs and buys.

The members of an ensemble run in chunks of `CHUNK_MEMBERS`, each chunk seeded by a child of
`numpy.random.SeedSequence(seed)`, so that the same seed gives the same numbers whether the
chunks run here one after the other or as tasks on a Dask cluster (`client=`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.scenarios.model import Model
from tongchou.scenarios.scenario import Scenario, load_scenario

MEASURES = ("infections", "peak_infections", "days_over_capacity", "deaths")
CHUNK_MEMBERS = 100
ScenarioSource = Scenario | str | Path | Mapping


@dataclass(frozen=True)
class Outcome:
    """One scenario's ensemble, per group of regions (the nation unless grouped): new
    infections per member, group and day, deaths and region-days over bed capacity per member
    and group, and each group's share of work-days open."""

    scenario: Scenario
    dates: pd.DatetimeIndex
    groups: list[str]
    infections: np.ndarray  # (members, groups, days)
    deaths: np.ndarray  # (members, groups)
    days_over_capacity: np.ndarray | None  # (members, groups), None without beds
    activity: np.ndarray  # (groups,)


@dataclass(frozen=True)
class Comparison:
    """The outcomes of several scenarios, with the interval their ranges cover."""

    outcomes: tuple[Outcome, ...]
    interval: float

    @property
    def grouped(self) -> bool:
        return len(self.outcomes[0].groups) > 1

    def table(self) -> pd.DataFrame:
        """One row per scenario (and group, where grouped): infections (all, documented or
        not), peak_infections (most new infections in a day) and peak_date,
        days_over_capacity (region-days on which patients outnumbered beds; NaN without
        beds), deaths, each a median with `_low` and `_high` bounds of the central interval
        over members; and activity, the population-weighted share of enterprises open over the
        period (1 = no work lost to the response; no range: the levers fix it)."""
        rows = []
        for o in self.outcomes:
            for g, group in enumerate(o.groups):
                row = summarise(
                    o.scenario.name,
                    o.infections[:, g],
                    o.deaths[:, g],
                    None if o.days_over_capacity is None else o.days_over_capacity[:, g],
                    o.dates,
                    float(o.activity[g]),
                    self.interval,
                )
                rows.append({"scenario": row.pop("scenario"), "group": group, **row})
        table = pd.DataFrame(rows)
        titles = {o.scenario.name: o.scenario.spec.title or "" for o in self.outcomes}
        table.insert(1, "title", table["scenario"].map(titles))
        if not self.grouped:
            return table.drop(columns="group").set_index("scenario")
        return table.set_index(["scenario", "group"])

    def series(self) -> pd.DataFrame:
        """Long table: one row per scenario and date, new infections of all groups together
        as median, low and high of the central interval over members."""
        low, high = (1 - self.interval) / 2, (1 + self.interval) / 2
        parts = []
        for o in self.outcomes:
            bounds = np.quantile(o.infections.sum(axis=1), [0.5, low, high], axis=0)
            parts.append(
                pd.DataFrame(
                    {
                        "scenario": o.scenario.name,
                        "date": o.dates,
                        "median": bounds[0],
                        "low": bounds[1],
                        "high": bounds[2],
                    }
                )
            )
        return pd.concat(parts, ignore_index=True).set_index(["scenario", "date"])


def compare_ensembles(
    sources: Sequence[ScenarioSource],
    model: Model,
    *,
    members: int = 100,
    seed: int = 0,
    interval: float = 0.9,
    zones: Mapping[str, list[str]] | None = None,
    by: str | Mapping[str, str] | None = None,
    client=None,
) -> Comparison:
    """Every scenario as an ensemble of `members` on `model`. `zones` name sets of regions
    that interventions can target (e.g. the regions of each risk level today); `by` groups
    the outcomes ("province", or a mapping code -> group; default the nation as a whole);
    client: a `distributed.Client`, on which the chunks of members run as tasks, with the
    same result."""
    _check(sources, members, interval)
    scenarios = [s if isinstance(s, Scenario) else load_scenario(s) for s in sources]
    by = by or "nation"
    # Unknown regions, groups and bad levers surface here, before any member runs.
    model.groups(by)
    prepared = [s.prepare(model, zones) for s in scenarios]
    outcomes = tuple(
        _ensemble(scenario, model, inputs, members, seed, client, by)
        for scenario, inputs in zip(scenarios, prepared, strict=True)
    )
    return Comparison(outcomes, interval)


def compare(sources: Sequence[ScenarioSource], model: Model, **options) -> pd.DataFrame:
    """The comparison table (`Comparison.table`) of `compare_ensembles` (same options)."""
    return compare_ensembles(sources, model, **options).table()


def run_chunk(
    scenario: Scenario,
    model: Model,
    prepared: tuple,
    members: int,
    seed: np.random.SeedSequence,
    by: str | Mapping[str, str] = "nation",
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """New infections (members, groups, days), deaths and region-days over capacity (members,
    groups) of one chunk, grouped `by` (`Model.groups`); `prepared`: the scenario prepared on
    the model (`Scenario.prepare`)."""
    result, _ = scenario.run(
        model,
        members=members,
        seed=np.random.default_rng(seed),
        record=("infections", "deaths"),
        by=by,
        prepared=prepared,
    )
    over = result.run.days_over_capacity  # (members, regions)
    if over is not None:
        over = over @ _membership(model, by)
    return result.series("infections"), result.series("deaths").sum(axis=2), over


def _membership(model: Model, by) -> np.ndarray:
    """Regions x groups, 1 where the region belongs to the group."""
    index, labels = model.groups(by)
    return (index[:, None] == np.arange(len(labels))[None, :]).astype(np.int64)


def _ensemble(scenario, model, prepared, members, seed, client, by) -> Outcome:
    sizes = [CHUNK_MEMBERS] * (members // CHUNK_MEMBERS)
    if members % CHUNK_MEMBERS:
        sizes.append(members % CHUNK_MEMBERS)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    if client is None:
        chunks = [
            run_chunk(scenario, model, prepared, n, s, by)
            for n, s in zip(sizes, seeds, strict=True)
        ]
    else:
        # unhashed: a fresh key per scenario, not one a previous release may still be freeing
        shared = client.scatter([model, prepared], broadcast=True, hash=False)
        futures = [
            client.submit(run_chunk, scenario, *shared, n, s, by, pure=False)
            for n, s in zip(sizes, seeds, strict=True)
        ]
        chunks = client.gather(futures)
    over = None if chunks[0][2] is None else np.concatenate([c[2] for c in chunks])
    members_of = _membership(model, by).astype(bool)
    work_open = prepared[3].work_open
    return Outcome(
        scenario,
        pd.date_range(scenario.spec.start, periods=scenario.days, freq="D"),
        model.groups(by)[1],
        np.concatenate([c[0] for c in chunks]),
        np.concatenate([c[1] for c in chunks]),
        over,
        np.array([activity(work_open[rows], model.population[rows]) for rows in members_of.T]),
    )


def _check(sources, members: int, interval: float) -> None:
    problems = []
    if not sources:
        problems.append(Problem("scenarios", "name at least one scenario file or example"))
    if isinstance(members, bool) or not isinstance(members, int | np.integer) or members < 1:
        problems.append(Problem("members", "must be a whole number >= 1", value=members))
    if not 0 < interval < 1:
        problems.append(Problem("interval", "must be between 0 and 1", value=interval))
    if problems:
        raise InputError(problems)


def summarise(
    name: str,
    daily: np.ndarray,
    deaths: np.ndarray,
    days_over_capacity: np.ndarray | None,
    dates: pd.DatetimeIndex,
    activity: float,
    interval: float = 0.9,
) -> dict:
    """One row of the comparison from per-member outcomes: new infections (members, days),
    deaths (members,), region-days over capacity (members,) or None."""
    low, high = (1 - interval) / 2, (1 + interval) / 2
    per_member = {
        "infections": daily.sum(axis=1, dtype=np.float64),
        "peak_infections": daily.max(axis=1),
        "deaths": deaths,
        "days_over_capacity": (
            np.full(len(daily), np.nan) if days_over_capacity is None else days_over_capacity
        ),
    }
    row = {"scenario": name}
    for measure in MEASURES:
        values = per_member[measure]
        row[measure] = float(np.median(values))
        row[f"{measure}_low"] = float(np.quantile(values, low))
        row[f"{measure}_high"] = float(np.quantile(values, high))
    peak_day = int(np.median(daily.argmax(axis=1)))
    row["peak_date"] = dates[peak_day].date()
    row["activity"] = activity
    return row


def activity(work_open: np.ndarray, population: np.ndarray) -> float:
    """Population-weighted share of enterprises open, averaged over the days (regions, days)."""
    weights = population / population.sum()
    return float((work_open * weights[:, None]).sum(axis=0).mean())
