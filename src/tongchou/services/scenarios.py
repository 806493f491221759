"""Scenarios side by side: each scenario file run as a stochastic ensemble on the China model
(or a model of the caller's), summarised as a comparison table and as national daily series
for a chart.

The members of an ensemble run in chunks of `CHUNK_MEMBERS`, each chunk seeded by a child of
`numpy.random.SeedSequence(seed)`, so that the same seed gives the same numbers whether the
chunks run here one after the other or as tasks on a Dask cluster (`client=`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, Problem, TongchouError
from tongchou.scenarios import Model, Scenario, china_model, load_scenario
from tongchou.scenarios.compare import activity, summarise
from tongchou.scenarios.scenario import EXAMPLES

log = logging.getLogger(__name__)

CHUNK_MEMBERS = 100
ScenarioSource = Scenario | str | Path | Mapping


@dataclass(frozen=True)
class Outcome:
    """One scenario's ensemble: national new infections per member and day, deaths and
    region-days over bed capacity per member, and the share of work-days open."""

    scenario: Scenario
    dates: pd.DatetimeIndex
    infections: np.ndarray  # (members, days)
    deaths: np.ndarray  # (members,)
    days_over_capacity: np.ndarray | None  # (members,), None without beds
    activity: float


@dataclass(frozen=True)
class Comparison:
    """The outcomes of several scenarios, with the interval their ranges cover."""

    outcomes: tuple[Outcome, ...]
    interval: float

    def table(self) -> pd.DataFrame:
        """One row per scenario: infections, peak_infections (and peak_date),
        days_over_capacity, deaths, each a median with `_low` and `_high` bounds, and
        activity (no range: the levers fix it, the same in every member)."""
        rows = [
            summarise(
                o.scenario.name,
                o.infections,
                o.deaths,
                o.days_over_capacity,
                o.dates,
                o.activity,
                self.interval,
            )
            for o in self.outcomes
        ]
        table = pd.DataFrame(rows).set_index("scenario")
        table.insert(0, "title", [o.scenario.spec.title or "" for o in self.outcomes])
        return table

    def series(self) -> pd.DataFrame:
        """Long table: one row per scenario and date, national new infections as median,
        low and high of the central interval over members."""
        low, high = (1 - self.interval) / 2, (1 + self.interval) / 2
        parts = []
        for o in self.outcomes:
            bounds = np.quantile(o.infections, [0.5, low, high], axis=0)
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


def compare_scenarios(
    sources: Sequence[ScenarioSource],
    *,
    members: int = 100,
    seed: int = 0,
    interval: float = 0.9,
    zones_as_of: dt.date | None = None,
    engine: Engine | None = None,
    model: Model | None = None,
    client=None,
) -> Comparison:
    """Run every scenario as an ensemble of `members` on `model` (default: the China model).

    zones_as_of: the zone levels of the store (`engine`) on that day name zones that
    interventions can target (`zone: <level id>`, e.g. `high`). client: a
    `distributed.Client`; the chunks of members run as its tasks, with the same result.
    """
    _check(sources, members, interval)
    scenarios = [s if isinstance(s, Scenario) else load_scenario(s) for s in sources]
    model = model or china_model()
    zones = None if zones_as_of is None else zones_of_levels(engine, zones_as_of, model)
    # Unknown regions and bad levers surface here, before any member runs.
    prepared = [s.prepare(model, zones) for s in scenarios]
    outcomes = tuple(
        _ensemble(scenario, model, inputs, members, seed, client)
        for scenario, inputs in zip(scenarios, prepared, strict=True)
    )
    return Comparison(outcomes, interval)


def run_scenarios(sources: Sequence[ScenarioSource], **options) -> pd.DataFrame:
    """The comparison table of `compare_scenarios` (same options); its daily national
    series are `compare_scenarios(...).series()`."""
    return compare_scenarios(sources, **options).table()


def zones_of_levels(engine: Engine | None, as_of: dt.date, model: Model) -> dict[str, list[str]]:
    """{level id: the model's regions at that level on `as_of`} from the zoning of the store."""
    from tongchou.services.zones import zone

    if engine is None:
        raise InputError(Problem("zones_as_of", "needs the store (engine) to read zones from"))
    zoning = zone(engine, as_of)
    levels = zoning.level[:, zoning.day(as_of)]
    known = model.position
    zones = {}
    for index, spec in enumerate(zoning.ruleset.levels):
        codes = [c for c, lv in zip(zoning.codes, levels, strict=True) if lv == index]
        zones[spec.id] = [c for c in codes if c in known]
    log.info("zones on %s: %s", as_of, {k: len(v) for k, v in zones.items()})
    return zones


def run_chunk(
    scenario: Scenario,
    model: Model,
    prepared: tuple,
    members: int,
    seed: np.random.SeedSequence,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """National new infections (members, days), deaths and days over capacity of one chunk;
    `prepared`: the scenario prepared on the model (`Scenario.prepare`)."""
    result, _ = scenario.run(
        model,
        members=members,
        seed=np.random.default_rng(seed),
        record=("infections", "deaths"),
        by="nation",
        prepared=prepared,
    )
    over = result.run.days_over_capacity
    return (
        result.series("infections")[:, 0, :],
        result.totals("deaths"),
        None if over is None else over.sum(axis=1),
    )


def _ensemble(scenario, model, prepared, members, seed, client) -> Outcome:
    sizes = [CHUNK_MEMBERS] * (members // CHUNK_MEMBERS)
    if members % CHUNK_MEMBERS:
        sizes.append(members % CHUNK_MEMBERS)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    log.info("%s: %d members in %d chunks", scenario.name, members, len(sizes))
    if client is None:
        chunks = [
            run_chunk(scenario, model, prepared, n, s) for n, s in zip(sizes, seeds, strict=True)
        ]
    else:
        # unhashed: a fresh key per scenario, not one a previous release may still be freeing
        shared = client.scatter([model, prepared], broadcast=True, hash=False)
        futures = [
            client.submit(run_chunk, scenario, *shared, n, s, pure=False)
            for n, s in zip(sizes, seeds, strict=True)
        ]
        chunks = client.gather(futures)
    infections = np.concatenate([c[0] for c in chunks])
    deaths = np.concatenate([c[1] for c in chunks])
    over = None if chunks[0][2] is None else np.concatenate([c[2] for c in chunks])
    return Outcome(
        scenario,
        pd.date_range(scenario.spec.start, periods=scenario.days, freq="D"),
        infections,
        deaths,
        over,
        activity(prepared[3].work_open, model.population),
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


def example_scenarios() -> pd.DataFrame:
    """The bundled example scenarios: name to pass to `run`, title and description."""
    rows = []
    for name in EXAMPLES:
        spec = load_scenario(name).spec
        rows.append(
            {
                "example": name,
                "scenario": spec.name,
                "period": f"{spec.start} to {spec.end}",
                "title": spec.title or "",
                "description": " ".join((spec.description or "").split()),
            }
        )
    return pd.DataFrame(rows).set_index("example")


@contextmanager
def dask_client(address: str):
    """A `distributed.Client` on the scheduler at `address`, or on a cluster of worker
    processes on this machine for "local"; closed on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise TongchouError(
            "running on Dask needs dask.distributed, in the optional extra 'dask': "
            "pip install 'tongchou[dask]'"
        ) from None
    if address == "local":
        with LocalCluster(processes=True) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout="10s")
    except OSError as error:
        raise TongchouError(f"--dask: no Dask scheduler answers at {address} ({error})") from None
    with client:
        yield client
