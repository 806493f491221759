"""The scenario chart: national new infections per day under each scenario, the ensemble
median as a line and the central interval as a band (matplotlib, the optional extra "plot")."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tongchou.publish.charts import load_pyplot, png_path


def draw_scenario_chart(path: Path | str, series: pd.DataFrame, *, title: str = "") -> Path:
    """A PNG from the long table of `services.scenarios.Comparison.series` (index scenario,
    date; columns median, low, high)."""
    path = check_chart_path(path)
    pyplot = load_pyplot()
    figure, axis = pyplot.subplots(figsize=(8, 4.5), layout="constrained")
    for name, part in series.groupby(level="scenario", sort=False):
        dates = part.index.get_level_values("date")
        (line,) = axis.plot(dates, part["median"], label=str(name))
        axis.fill_between(
            dates, part["low"], part["high"], color=line.get_color(), alpha=0.2, linewidth=0
        )
    axis.set_ylabel("new infections per day (all, documented or not)")
    axis.set_ylim(bottom=0)
    axis.tick_params(axis="x", labelrotation=45, labelsize=8)
    axis.legend(fontsize=8, loc="upper right")
    if title:
        axis.set_title(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path


def check_chart_path(path: Path | str) -> Path:
    """The chart's path, checked before any work: a PNG, and matplotlib installed."""
    path = png_path(path, "scenario chart")
    load_pyplot()
    return path
