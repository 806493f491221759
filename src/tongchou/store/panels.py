"""Reading a panel from the store, as of a day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import NotFound
from tongchou.facts.metrics import builtin_metrics
from tongchou.facts.panel import Panel, fill_from_children
from tongchou.geo.regions import RegionTable
from tongchou.store.days import to_day
from tongchou.store.observations import metric_ids, read_values
from tongchou.store.regions import load_regions, region_ids


def read_panel(
    engine: Engine,
    metrics: list[str],
    start: dt.date,
    end: dt.date,
    *,
    as_of: dt.date | None = None,
    regions: RegionTable | None = None,
    aggregate: bool = True,
) -> Panel:
    """Values of `metrics` for every region from `start` to `end`, as known at the end of
    `as_of` (default: `end`); regions without a report of their own get their children's sum
    unless `aggregate` is False."""
    if end < start:
        raise NotFound(f"the period ends ({end}) before it starts ({start})")
    with engine.connect() as connection:
        regions = regions or load_regions(connection)
        ids = metric_ids(connection)
        unknown = [m for m in metrics if m not in ids]
        if unknown:
            raise NotFound(
                f"unknown metric {unknown[0]!r}", suggestions=builtin_metrics().nearest(unknown[0])
            )
        code_of = {i: c for c, i in region_ids(connection).items()}
        first, last = to_day(start), to_day(end)
        as_of_day = to_day(as_of or end)
        rows = read_values(connection, [ids[m] for m in metrics], first, last, as_of_day)
    dates = pd.date_range(start, end, freq="D")
    values = np.full((len(regions), len(dates), len(metrics)), np.nan)
    if len(rows):
        position = pd.Series(np.arange(len(regions)), index=regions.codes)
        region_row = position.reindex(rows["region_id"].map(code_of)).to_numpy()
        metric_column = pd.Series({ids[m]: i for i, m in enumerate(metrics)})
        metric_column = metric_column.reindex(rows["metric_id"]).to_numpy()
        values[region_row, rows["day"].to_numpy() - first, metric_column] = rows["value"]
    panel = Panel(regions.codes, dates, tuple(metrics), values, np.zeros(values.shape, bool))
    return fill_from_children(panel, regions, builtin_metrics()) if aggregate else panel
