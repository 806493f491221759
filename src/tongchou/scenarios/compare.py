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
    low, high = (1 - interval) / 2, (1 + interval) / 2
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
        daily = result.series("infections")[:, 0, :]
        per_member = {
            "infections": daily.sum(axis=1, dtype=np.float64),
            "peak_infections": daily.max(axis=1),
            "deaths": result.totals("deaths"),
        }
        over = result.run.days_over_capacity
        per_member["days_over_capacity"] = (
            np.full(result.members, np.nan) if over is None else over.sum(axis=1)
        )
        row = {"scenario": scenario.name}
        for measure in MEASURES:
            values = per_member[measure]
            row[measure] = float(np.median(values))
            row[f"{measure}_low"] = float(np.quantile(values, low))
            row[f"{measure}_high"] = float(np.quantile(values, high))
        peak_day = int(np.median(daily.argmax(axis=1)))
        row["peak_date"] = result.dates[peak_day].date()
        weights = model.population / model.population.sum()
        row["activity"] = float((effects.work_open * weights[:, None]).sum(axis=0).mean())
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")
