"""The `tongchou` command: parse, call a service, format. Errors print in a line or two."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from tongchou.cli import forecast, publish, scenario, situation, store, zones
from tongchou.errors import InputError, NotFound, TongchouError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="tongchou 统筹: run an epidemic response, region by region, day by day.",
)
app.add_typer(store.db_app, name="db")
app.add_typer(store.regions_app, name="regions")
app.command("import")(store.import_)
app.command("metrics")(store.metrics_list)
app.command("demo")(situation.demo)
app.command("situation")(situation.situation)
app.command("rt")(situation.rt)
app.add_typer(forecast.forecast_app, name="forecast")
app.command("hospital")(forecast.hospital)
app.add_typer(zones.zones_app, name="zones")
app.command("measures")(zones.measures)
app.add_typer(zones.response_app, name="response")
app.command("bulletin")(publish.bulletin)
app.command("replay")(publish.replay)
app.add_typer(scenario.scenario_app, name="scenario")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except (InputError, NotFound) as exc:
        _print_error(exc)
        sys.exit(2)
    except TongchouError as exc:
        _print_error(exc)
        sys.exit(1)
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted; nothing half-written was kept")
        sys.exit(130)


def _print_error(exc: Exception) -> None:
    # the message is the user's data (file names, values, [extras]): never read it as markup
    console = Console(stderr=True)
    console.print("[red]error:[/red] ", end="")
    console.print(str(exc), markup=False, highlight=False)
