"""Commands for publishing (信息发布): the day's bulletin, and an archive of bulletins."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tongchou.cli.output import Day, Lang, check_lang, console
from tongchou.publish.archive import write_archive
from tongchou.publish.bulletin import PAGE, write_bulletin
from tongchou.store import database


def bulletin(
    as_of: Day,
    out: Path = typer.Option(..., "--out", help="folder to write the bulletin into"),
    lang: Lang = "zh",
    region: str | None = typer.Option(None, help="a province or city (default: the nation)"),
    forecast: bool = typer.Option(True, help="include the 14-day forecast"),
    check: bool = typer.Option(
        False, help="open the bulletin in headless Chromium and report what the console says"
    ),
) -> None:
    """Write the day's bulletin: a static site (page, map, charts, table), a press release in
    Chinese and English, and open data (CSV, JSON, JSON Schema, provenance)."""
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status(f"writing the bulletin of {as_of:%Y-%m-%d}"):
        written = write_bulletin(engine, as_of.date(), out, lang, region, forecast=forecast)
    console.print(f"bulletin of {written.as_of} ({written.scope}): {written.page}")
    if check:
        _check(written.page)


def _check(page: Path) -> None:
    from tongchou.publish.browser import Browser

    with console.status("opening it in headless Chromium"), Browser() as browser:
        opened = browser.open(page, wait="document.documentElement.dataset.ready", timeout=60)
        ready = opened.evaluate("performance.getEntriesByName('tongchou-ready')[0].startTime")
    if opened.errors:
        console.print("[red]the page reports errors:[/red]")
        for error in opened.errors:
            console.print(f"  {error}", highlight=False)
        raise typer.Exit(1)
    console.print(f"opened without errors, ready in {ready / 1000:.2f} s")


First = Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first day")]
Last = Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last day")]


def replay(
    first: First,
    last: Last,
    bulletins: Path = typer.Option(..., "--bulletins", help="folder to write the archive into"),
    lang: Lang = "zh",
    region: str | None = typer.Option(None, help="a province or city (default: the nation)"),
    forecast: bool = typer.Option(False, help="include each day's forecast (slower)"),
    workers: int = typer.Option(
        min(os.cpu_count() or 1, 4), help="processes that assess days side by side"
    ),
) -> None:
    """Write the bulletin of every day of a period, as each day knew it, and an index page
    with a timeline."""
    lang = check_lang(lang)
    engine = database.open_store()
    total = (last.date() - first.date()).days + 1
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("bulletins", total=max(total, 1))

        def advance(day: dt.date) -> None:
            progress.update(task, advance=1, description=f"bulletin of {day}")

        archive = write_archive(
            engine,
            first.date(),
            last.date(),
            bulletins,
            lang,
            region,
            forecast=forecast,
            workers=workers,
            progress=advance,
        )
    console.print(f"{len(archive.days)} bulletins: {archive.folder / PAGE}")
    if archive.skipped:
        count = len(archive.skipped)
        console.print(
            f"left out {count} day{'s' if count > 1 else ''} without a report yet "
            f"({archive.skipped[0]} to {archive.skipped[-1]})"
        )
