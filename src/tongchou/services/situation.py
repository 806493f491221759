"""The situation on a day: headline numbers and the regions with the most new cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.facts.metrics import builtin_metrics
from tongchou.geo.regions import RegionTable
from tongchou.store.panels import read_panel

HEADLINE_METRICS = ["confirmed", "suspected", "cured", "dead"]


def headline(
    engine: Engine, as_of: dt.date, region: str, regions: RegionTable, lang: str = "en"
) -> pd.DataFrame:
    """Each headline metric of one region on `as_of`, the day before, and the change."""
    day_before = as_of - dt.timedelta(days=1)
    panel = read_panel(engine, HEADLINE_METRICS, day_before, as_of, regions=regions)
    row = panel.row(region)
    registry = builtin_metrics()
    rows = []
    for metric in HEADLINE_METRICS:
        before, today = panel[metric][row]
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
    engine: Engine,
    as_of: dt.date,
    codes: list[str],
    regions: RegionTable,
    n: int = 10,
    lang: str = "en",
) -> pd.DataFrame:
    """The `n` regions among `codes` with the most new confirmed cases on `as_of`."""
    day_before = as_of - dt.timedelta(days=1)
    panel = read_panel(engine, ["confirmed"], day_before, as_of, regions=regions).take(codes)
    cumulative = panel["confirmed"]
    frame = pd.DataFrame(
        {
            "name": [regions.name(c, lang) for c in codes],
            "new": cumulative[:, 1] - cumulative[:, 0],
            "cumulative": cumulative[:, 1],
        },
        index=pd.Index(codes, name="region"),
    )
    frame = frame.loc[np.isfinite(frame["cumulative"])]
    return frame.sort_values(["new", "cumulative"], ascending=False).head(n)
