"""Scenarios side by side on the China model (or a model of the caller's), with zones from
the store's risk levels and ensembles on a Dask cluster; the comparison itself is
`tongchou.scenarios.compare`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from contextlib import contextmanager

import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, Problem, TongchouError
from tongchou.scenarios import Model, china_model, load_scenario
from tongchou.scenarios.compare import Comparison, ScenarioSource, compare_ensembles
from tongchou.scenarios.scenario import EXAMPLES

log = logging.getLogger(__name__)


def compare_scenarios(
    sources: Sequence[ScenarioSource],
    *,
    members: int = 100,
    seed: int = 0,
    interval: float = 0.9,
    zones_as_of: dt.date | None = None,
    engine: Engine | None = None,
    model: Model | None = None,
    by: str | Mapping[str, str] | None = None,
    client=None,
) -> Comparison:
    """Run every scenario as an ensemble of `members` on `model` (default: the China model).

    zones_as_of: the zone levels of the store (`engine`) on that day name zones that
    interventions can target (`zone: <level id>`, e.g. `high`). by: "province" (or a mapping
    code -> group) for one row per scenario and group. client: a `distributed.Client`; the
    chunks of members run as its tasks, with the same result.
    """
    model = model or china_model()
    zones = None if zones_as_of is None else zones_of_levels(engine, zones_as_of, model)
    return compare_ensembles(
        sources,
        model,
        members=members,
        seed=seed,
        interval=interval,
        zones=zones,
        by=by,
        client=client,
    )


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
