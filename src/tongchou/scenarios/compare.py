"""Run scenarios side by side and say what each costs and buys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tongchou.scenarios.model import Model
from tongchou.scenarios.scenario import Scenario, load_scenario

MEASURES = ("infections", "peak_infections", "days_over_capacity", "deaths")


def compare(
    scenarios: Sequence[Scenario | str | Path],
    model: Model,
    *,
    members: int = 100,
    seed: int = 0,
    interval: float = 0.9,
    zones: Mapping[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Each scenario as a stochastic ensemble of `members` on `model`; one row per scenario.

    Columns, each a median with `_low` and `_high` bounds of the central `interval` over
    members: infections (all, documented or not), peak_infections (most new infections in a
    day, nationally), days_over_capacity (region-days on which patients outnumbered beds; NaN
    without beds), deaths. Also peak_date (median day of the peak) and activity, the share of
    work-days open (population-weighted share of enterprises open over the period; 1 = no
    work lost to the response). `zones` name sets of regions that interventions can target
    (e.g. the regions of each risk level today).
    """
    rows = []
    for item in scenarios:
        scenario = item if isinstance(item, Scenario) else load_scenario(item)
        result, effects = scenario.run(
            model,
            members=members,
            seed=seed,
            record=("infections", "deaths"),
            by="nation",
            zones=zones,
        )
        over = result.run.days_over_capacity
        rows.append(
            summarise(
                scenario.name,
                result.series("infections")[:, 0, :],
                result.totals("deaths"),
                None if over is None else over.sum(axis=1),
                result.dates,
                activity(effects.work_open, model.population),
                interval,
            )
        )
    return pd.DataFrame(rows).set_index("scenario")


def summarise(
    name: str,
    daily: np.ndarray,
    deaths: np.ndarray,
    days_over_capacity: np.ndarray | None,
    dates: pd.DatetimeIndex,
    activity: float,
    interval: float = 0.9,
) -> dict:
    """One row of the comparison from per-member outcomes: national new infections
    (members, days), deaths (members,), region-days over capacity (members,) or None."""
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
