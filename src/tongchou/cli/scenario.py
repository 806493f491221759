"""Commands for scenarios: run scenario files side by side as ensembles, list the examples."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pandas as pd
import typer

from tongchou.cli.output import Format, console, output
from tongchou.publish.scenario_chart import check_chart_path, draw_scenario_chart

scenario_app = typer.Typer(
    no_args_is_help=True,
    help="What if: scenario files (dated levers on the metapopulation model) run as "
    "ensembles and compared.",
)


@scenario_app.command("run")
def run(
    scenarios: list[str] = typer.Argument(
        ..., help="scenario YAML files or names of examples (tongchou scenario examples)"
    ),
    members: int = typer.Option(100, help="ensemble members per scenario"),
    seed: int = typer.Option(0, help="random seed (the same seed gives the same table)"),
    interval: float = typer.Option(0.9, help="central interval of the ranges"),
    zones_as_of: dt.datetime | None = typer.Option(
        None,
        formats=["%Y-%m-%d"],
        help="zone levels of the store on this day become zones the levers can target",
    ),
    form: Format = "table",
    plot: Path | None = typer.Option(None, help="write the chart of daily infections (PNG)"),
    dask: str | None = typer.Option(
        None, help="run members on Dask: a scheduler address, or 'local' for this machine"
    ),
    by: str | None = typer.Option(
        None, help="province: one row per scenario and province instead of the nation"
    ),
) -> None:
    """Each scenario as a stochastic ensemble: infections, peak and its date, region-days
    over bed capacity, deaths (median and range) and activity (share of work-days open)."""
    # imported here: the compiled engine loads in a few tenths of a second that the other
    # commands should not pay
    from tongchou.services.scenarios import compare_scenarios, dask_client

    if plot is not None:
        check_chart_path(plot)
    engine = None
    if zones_as_of is not None:
        from tongchou.store import database

        engine = database.open_store()
    with dask_client(dask) if dask else contextlib.nullcontext() as client:
        with console.status(f"running {len(scenarios)} scenario(s) x {members} members"):
            comparison = compare_scenarios(
                scenarios,
                members=members,
                seed=seed,
                interval=interval,
                zones_as_of=zones_as_of.date() if zones_as_of else None,
                engine=engine,
                by=by,
                client=client,
            )
    table = comparison.table()
    if comparison.grouped:
        table.insert(0, "name", _names(table.index.get_level_values("group")))
    title = f"{members} members, {interval:.0%} ranges, seed {seed}"
    if form == "table":
        output(_view(table, titles=not comparison.grouped), form, title, "en")
    else:
        output(table, form, title, "en")
    if plot is not None:
        draw_scenario_chart(plot, comparison.series(), title=title)
        console.print(f"chart: {plot}")


@scenario_app.command("examples")
def examples(form: Format = "table") -> None:
    """The bundled example scenarios (pass their names to `tongchou scenario run`)."""
    from tongchou.services.scenarios import example_scenarios

    output(example_scenarios(), form, "example scenarios", "en")


def _names(codes) -> list[str]:
    """English names of the China model's groups (provinces), where known."""
    from tongchou.geo.china import china_regions

    names = china_regions().frame["name_en"]
    return [names.get(code, "") for code in codes]


def _view(table, titles: bool = True):
    """Median (low-high) per measure, for a terminal; one row per group without the
    scenario's title where grouped."""
    view = table[["title"] if titles else ["name"]].copy()
    for measure in ("infections", "peak_infections", "days_over_capacity", "deaths"):
        view[measure] = [
            "" if pd.isna(m) else f"{m:,.0f} ({lo:,.0f}-{hi:,.0f})"
            for m, lo, hi in zip(
                table[measure], table[f"{measure}_low"], table[f"{measure}_high"], strict=True
            )
        ]
    view["peak_date"] = table["peak_date"].astype(str)
    view["activity"] = [f"{a:.1%}" for a in table["activity"]]
    return view
