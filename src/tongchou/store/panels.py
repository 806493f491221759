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
        id_of = region_ids(connection)
        first, last = to_day(start), to_day(end)
        as_of_day = to_day(as_of or end)
        rows = read_values(connection, [ids[m] for m in metrics], first, last, as_of_day)
    dates = pd.date_range(start, end, freq="D")
    values = np.full((len(regions), len(dates), len(metrics)), np.nan)
    if len(rows):
        # integer lookups from stored ids to rows and columns of the panel; regions outside the
        # given table (-1) are left out
        row_of = _lookup({id_of[c]: i for i, c in enumerate(regions.codes) if c in id_of})
        column_of = _lookup({ids[m]: i for i, m in enumerate(metrics)})
        region_row = row_of[np.minimum(rows["region_id"].to_numpy(), len(row_of) - 1)]
        keep = region_row >= 0
        values[
            region_row[keep],
            rows["day"].to_numpy()[keep] - first,
            column_of[rows["metric_id"].to_numpy()[keep]],
        ] = rows["value"].to_numpy()[keep]
    panel = Panel(regions.codes, dates, tuple(metrics), values, np.zeros(values.shape, bool))
    return fill_from_children(panel, regions, builtin_metrics()) if aggregate else panel


def _lookup(mapping: dict[int, int]) -> np.ndarray:
    """An array a with a[key] = value, -1 elsewhere; one extra slot absorbs unknown keys."""
    table = np.full(max(mapping, default=0) + 2, -1, dtype=np.int64)
    table[list(mapping)] = list(mapping.values())
    return table
