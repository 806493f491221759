"""Commands for the store, the region tree, the metric registry and imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tongchou.cli.output import Day, Lang, check_lang, console
from tongchou.errors import InputError
from tongchou.facts.metrics import builtin_metrics
from tongchou.ingest.importer import import_file
from tongchou.services.regions import import_regions, load_china, stored_regions
from tongchou.store import database

db_app = typer.Typer(no_args_is_help=True, help="The store: create and migrate its schema.")
regions_app = typer.Typer(no_args_is_help=True, help="The region tree: load, import, find.")


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
        f"{code}  {regions.full_name(code, check_lang(lang))}  ({row['kind']}, "
        f"population {row['population']:,.0f})"
    )


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


def metrics_list(lang: Lang = "en") -> None:
    """List the metrics tongchou knows: name, kind, unit and label."""
    table = Table("metric", "kind", "unit", "label")
    for metric in builtin_metrics():
        table.add_row(metric.name, metric.kind, metric.unit, metric.label(check_lang(lang)))
    console.print(table)
