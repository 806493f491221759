"""What every command shares: the console, option types, and tables, CSV or JSON out."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from tongchou.errors import InputError
from tongchou.publish.labels import label

console = Console()

Lang = Annotated[str, typer.Option("--lang", help="zh or en", case_sensitive=False)]
Day = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]
Format = Annotated[str, typer.Option("--format", help="table, csv or json")]


def check_lang(lang: str) -> str:
    if lang.lower() not in ("zh", "en"):
        raise InputError(f"--lang: {lang!r} is not a language of tongchou; use zh or en")
    return lang.lower()


def output(frame: pd.DataFrame, form: str, title: str, lang: str) -> None:
    """Print a frame as a table, CSV or JSON records."""
    if form == "csv":
        sys.stdout.write(frame.to_csv())
    elif form == "json":
        sys.stdout.write(
            frame.reset_index().to_json(
                orient="records", date_format="iso", force_ascii=False, indent=1
            )
            + "\n"
        )
    elif form == "table":
        console.print(frame_table(frame.reset_index(), title, lang))
    else:
        raise InputError(f"--format: {form!r}; use table, csv or json")


def frame_table(frame: pd.DataFrame, title: str, lang: str = "en") -> Table:
    table = Table(title=title)
    for column in frame.columns:
        justify = "right" if frame[column].dtype.kind in "fi" else "left"
        table.add_column(label(str(column), lang), justify=justify)
    for _, row in frame.iterrows():
        table.add_row(*[cell(v) for v in row])
    return table


def cell(value) -> str:
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return f"{value:,.0f}" if value == int(value) else f"{value:,.3g}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)
