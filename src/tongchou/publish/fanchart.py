"""The fan chart: each region's recent daily cases and the forecast's central intervals,
drawn with matplotlib (the optional extra "plot")."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.publish.charts import load_pyplot, png_path

# Central intervals shaded from the widest (lightest) to the narrowest.
FAN_INTERVALS = (0.9, 0.5)
MAX_PANELS = 12


def draw_fan_chart(
    path: Path | str,
    names: list[str],
    history_dates: pd.DatetimeIndex,
    history: np.ndarray,
    forecast_dates: pd.DatetimeIndex,
    quantiles: np.ndarray,
    levels: np.ndarray,
    *,
    title: str = "",
) -> Path:
    """A PNG with one panel per region: daily cases (regions, days) as bars, the forecast
    median as a line and its 90% and 50% intervals as bands (quantiles (regions, horizon,
    levels) at `levels`, which must hold 0.05, 0.25, 0.5, 0.75 and 0.95)."""
    pyplot = load_pyplot()
    path = png_path(path, "fan chart")
    if not 1 <= len(names) <= MAX_PANELS:
        raise InputError(
            Problem(
                "--plot",
                "a fan chart shows 1 to 12 regions",
                value=len(names),
                expected="--region to choose the regions to draw",
            )
        )
    columns = min(3, len(names))
    rows = math.ceil(len(names) / columns)
    figure, axes = pyplot.subplots(
        rows, columns, figsize=(4.2 * columns, 3.0 * rows), squeeze=False, layout="constrained"
    )
    median = _level(quantiles, levels, 0.5)
    for i, name in enumerate(names):
        axis = axes.flat[i]
        axis.bar(history_dates, history[i], color="0.7", width=0.9, label="reported")
        for coverage in FAN_INTERVALS:
            low = _level(quantiles, levels, (1 - coverage) / 2)[i]
            high = _level(quantiles, levels, (1 + coverage) / 2)[i]
            axis.fill_between(
                forecast_dates,
                low,
                high,
                color="tab:blue",
                alpha=0.45 if coverage < 0.9 else 0.2,
                label=f"{coverage:.0%} interval",
                linewidth=0,
            )
        axis.plot(forecast_dates, median[i], color="tab:blue", label="median")
        axis.set_title(name, fontsize=10)
        axis.tick_params(axis="x", labelrotation=45, labelsize=7)
        axis.set_ylim(bottom=0)
    for axis in axes.flat[len(names) :]:
        axis.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    if title:
        figure.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path


def _level(quantiles: np.ndarray, levels: np.ndarray, level: float) -> np.ndarray:
    at = np.flatnonzero(np.isclose(levels, level))
    if at.size == 0:
        raise InputError(Problem("levels", "the fan chart needs this quantile", value=level))
    return quantiles[..., at[0]]
