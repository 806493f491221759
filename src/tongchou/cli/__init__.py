"""The `tongchou` command: parse, call a service, format. Errors print in a line or two."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from tongchou.cli import forecast, situation, store, zones
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


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except (InputError, NotFound) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2)
    except TongchouError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted; nothing half-written was kept")
        sys.exit(130)
