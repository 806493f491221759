"""The panel: values by region x date x metric as one numpy array, with labels.

Engines work on `values` (or `panel[metric]`, shaped (regions, days)); analysts get DataFrames
with region codes and dates as labels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tongchou.errors import NotFound
from tongchou.facts.metrics import COUNT_KINDS, MetricRegistry
from tongchou.geo.regions import RegionTable


@dataclass(frozen=True)
class Panel:
    regions: pd.Index
    dates: pd.DatetimeIndex
    metrics: tuple[str, ...]
    values: np.ndarray
    # True where a value was summed from children because the region had no report of its own
    aggregated: np.ndarray

    def __post_init__(self) -> None:
        shape = (len(self.regions), len(self.dates), len(self.metrics))
        if self.values.shape != shape or self.aggregated.shape != shape:
            raise ValueError(f"panel arrays must be shaped {shape}")

    def __getitem__(self, metric: str) -> np.ndarray:
        try:
            return self.values[:, :, self.metrics.index(metric)]
        except ValueError:
            raise NotFound(
                f"metric {metric!r} is not in this panel", suggestions=list(self.metrics)
            ) from None

    def frame(self, metric: str) -> pd.DataFrame:
        """One metric as a DataFrame: regions down, dates across."""
        return pd.DataFrame(self[metric], index=self.regions, columns=self.dates)

    def long(self) -> pd.DataFrame:
        """Tidy rows (region, date, metric, value, aggregated) for every non-missing value."""
        r, d, m = np.nonzero(~np.isnan(self.values))
        return pd.DataFrame(
            {
                "region": self.regions[r],
                "date": self.dates[d],
                "metric": np.asarray(self.metrics, dtype=object)[m],
                "value": self.values[r, d, m],
                "aggregated": self.aggregated[r, d, m],
            }
        )

    def take(self, codes: list[str]) -> Panel:
        rows = self.regions.get_indexer(codes)
        if (rows < 0).any():
            missing = [c for c, r in zip(codes, rows, strict=True) if r < 0]
            raise NotFound(f"regions not in this panel: {', '.join(missing[:5])}")
        return replace(
            self,
            regions=self.regions[rows],
            values=self.values[rows],
            aggregated=self.aggregated[rows],
        )

    def row(self, code: str) -> int:
        position = self.regions.get_indexer([code])[0]
        if position < 0:
            raise NotFound(f"region {code!r} is not in this panel")
        return int(position)

    def day(self, date) -> int:
        position = self.dates.get_indexer([pd.Timestamp(date)])[0]
        if position < 0:
            raise NotFound(
                f"{date} is outside this panel ({self.dates[0]:%Y-%m-%d} to "
                f"{self.dates[-1]:%Y-%m-%d})"
            )
        return int(position)


def fill_from_children(panel: Panel, regions: RegionTable, registry: MetricRegistry) -> Panel:
    """Counts of a region with no report of its own on a day become the sum of its children's,
    deepest level first, so that a province without a report gets its cities' total."""
    table = regions.frame.loc[panel.regions]
    parent = pd.Index(panel.regions).get_indexer(table["parent"].fillna(""))
    depth = table["depth"].to_numpy()
    counts = [
        i
        for i, m in enumerate(panel.metrics)
        if m in registry and registry.get(m).kind in COUNT_KINDS
    ]
    # a running total stands until the next report, so a child's gap days carry its last value
    carried = np.array([registry.get(panel.metrics[i]).kind == "cumulative" for i in counts])
    values, aggregated = panel.values.copy(), panel.aggregated.copy()
    for level in range(int(depth.max(initial=0)), 0, -1):
        children = np.nonzero((depth == level) & (parent >= 0))[0]
        if children.size == 0:
            continue
        child_values = values[np.ix_(children, np.arange(values.shape[1]), counts)]
        child_values[:, :, carried] = carry_forward(child_values[:, :, carried])
        sums = np.zeros((len(panel.regions), values.shape[1], len(counts)))
        reported = np.zeros_like(sums, dtype=bool)
        np.add.at(sums, parent[children], np.nan_to_num(child_values))
        np.logical_or.at(reported, parent[children], ~np.isnan(child_values))
        own = values[:, :, counts]
        fill = np.isnan(own) & reported
        own[fill] = sums[fill]
        values[:, :, counts] = own
        flags = aggregated[:, :, counts]
        flags[fill] = True
        aggregated[:, :, counts] = flags
    return replace(panel, values=values, aggregated=aggregated)


def carry_forward(values: np.ndarray) -> np.ndarray:
    """Fill NaN with the last earlier value along axis 1 (days); leading NaN stay NaN."""
    days = np.arange(values.shape[1]).reshape((1, -1) + (1,) * (values.ndim - 2))
    last = np.where(np.isnan(values), 0, days)
    last = np.maximum.accumulate(last, axis=1)
    filled = np.take_along_axis(values, last, axis=1)
    return filled
