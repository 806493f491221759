"""The `tongchou` command: parse, call a service, format. Errors print in a line or two."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from tongchou.errors import InputError, NotFound, TongchouError
from tongchou.facts.metrics import builtin_metrics
from tongchou.ingest.importer import import_file
from tongchou.services import demo as demo_service
from tongchou.services.regions import import_regions, load_china, stored_regions
from tongchou.store import database

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="tongchou 统筹: run an epidemic response, region by region, day by day.",
)
db_app = typer.Typer(no_args_is_help=True, help="The store: create and migrate its schema.")
regions_app = typer.Typer(no_args_is_help=True, help="The region tree: load, import, find.")
app.add_typer(db_app, name="db")
app.add_typer(regions_app, name="regions")
console = Console()

Lang = Annotated[str, typer.Option("--lang", help="zh or en", case_sensitive=False)]
Day = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


def _lang(lang: str) -> str:
    if lang.lower() not in ("zh", "en"):
        raise InputError(f"--lang: {lang!r} is not a language of tongchou; use zh or en")
    return lang.lower()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Option("head", help="target revision")) -> None:
    """Create the store or migrate it to the newest schema (or to REVISION)."""
    engine = database.connect()
    database.upgrade(engine, revision)
    console.print(f"store {engine.url!r} at revision {database.current_revision(engine)}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base")) -> None:
    """Migrate the store back to REVISION (base drops every table)."""
    engine = database.connect()
    database.downgrade(engine, revision)
    console.print(f"store {engine.url!r} at revision {database.current_revision(engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the store's URL and schema revision."""
    engine = database.connect()
    revision = database.current_revision(engine)
    console.print(
        f"{engine.url!r}: revision {revision or 'none (empty)'}, newest {database.head_revision()}"
    )


@regions_app.command("import")
def regions_import(
    file: Annotated[
        Path | None, typer.Argument(help="CSV/XLSX/JSON: code,parent,name,level,population")
    ] = None,
    china: bool = typer.Option(False, "--china", help="the bundled divisions of China"),
) -> None:
    """Add regions to the store: the bundled China tree, or any country's from a table."""
    if (file is None) == (not china):
        raise InputError("give either a FILE or --china")
    engine = database.open_store()
    added, updated = load_china(engine) if china else import_regions(engine, file)
    console.print(f"regions: {added} added, {updated} updated")


@regions_app.command("find")
def regions_find(text: str, lang: Lang = "zh") -> None:
    """Find a region by code, Chinese or English name, or pinyin (e.g. wuhan)."""
    regions = stored_regions(database.open_store())
    code = regions.lookup(text)
    row = regions.frame.loc[code]
    console.print(
        f"{code}  {regions.full_name(code, _lang(lang))}  ({row['kind']}, "
        f"population {row['population']:,.0f})"
    )


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="CSV (UTF-8 or GBK), XLSX or JSON")],
    skip_invalid: bool = typer.Option(False, help="import valid rows, write rejects to a CSV"),
    rejects: Path | None = typer.Option(None, help="where to write rejected rows"),
    accept_decreases: bool = typer.Option(
        False, help="accept falling cumulative counts as downward revisions by the source"
    ),
    reported_on: Day | None = typer.Option(None, help="the day these values became known"),
    metric: str | None = typer.Option(None, help="metric of a one-column-per-date table"),
) -> None:
    """Import reports: long, wide, wide-by-date (JHU) or canghailan layouts, recognised from
    the header. A file with any error writes nothing unless --skip-invalid."""
    engine = database.open_store()
    for file in files:
        with console.status(f"importing {file.name}"):
            report = import_file(
                engine,
                file,
                metric=metric,
                skip_invalid=skip_invalid,
                rejects_path=rejects,
                accept_decreases=accept_decreases,
                reported_on=reported_on.date() if reported_on else None,
            )
        _print_import(report)


def _print_import(report) -> None:
    batch = f"batch {report.batch_id}" if report.batch_id else "nothing new"
    console.print(
        f"{report.source} ({report.layout}): {batch}; {report.values_new:,} new, "
        f"{report.values_corrected:,} corrected, {report.values_unchanged:,} unchanged, "
        f"{report.values_rejected:,} rejected"
    )
    if report.decreases_accepted:
        console.print(
            f"  {report.decreases_accepted} falling cumulative counts accepted as "
            "downward revisions"
        )
    if report.placeholders_added:
        console.print(
            f"  {report.placeholders_added} placeholder units added (cases the report "
            "assigns to no unit of the tree)"
        )
    if report.rejects_path:
        console.print(f"  rejected rows and reasons: {report.rejects_path}")


@app.command("metrics")
def metrics_list(lang: Lang = "en") -> None:
    """List the metrics tongchou knows: name, kind, unit and label."""
    table = Table("metric", "kind", "unit", "label")
    for metric in builtin_metrics():
        table.add_row(metric.name, metric.kind, metric.unit, metric.label(_lang(lang)))
    console.print(table)


@app.command("demo")
def demo(
    lang: Lang = "zh",
    as_of: Day = dt.datetime(2020, 2, 23),
) -> None:
    """Run the daily cycle on the bundled China 2020 data (default: 23 February 2020)."""
    lang = _lang(lang)
    engine = database.open_store()
    with console.status("loading the bundled regions and the China 2020 series"):
        result = demo_service.run_demo(engine, as_of.date(), lang)
    _render_demo(result, lang)


def _render_demo(result: demo_service.DemoResult, lang: str) -> None:
    zh = lang == "zh"
    console.print(f"[bold]{result.title}[/bold]")
    for line in result.setup:
        console.print(f"  {line}")
    headline = result.headline.rename(
        columns={
            "label": "指标" if zh else "metric",
            "value": "数值" if zh else "value",
            "previous": "前一日" if zh else "day before",
            "change": "变化" if zh else "change",
        }
    )
    console.print(_frame_table(headline, "全国" if zh else "Nation"))
    top = result.top.rename(
        columns={
            "name": "省份" if zh else "province",
            "new": "新增确诊" if zh else "new confirmed",
            "cumulative": "累计确诊" if zh else "cumulative",
        }
    )
    console.print(
        _frame_table(
            top, "新增确诊最多的十个省份" if zh else "Ten provinces with the most new cases"
        )
    )


def _frame_table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(
            str(column), justify="right" if frame[column].dtype.kind in "fi" else "left"
        )
    for _, row in frame.iterrows():
        table.add_row(*[_cell(v) for v in row])
    return table


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:,.0f}" if value == int(value) else f"{value:,.3g}"
    return str(value)


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
