"""`tongchou demo`: the daily cycle on the bundled China 2020 data, on the embedded store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from tongchou.geo.china import NATION
from tongchou.ingest.importer import import_file
from tongchou.publish.bulletin import write_bulletin
from tongchou.services.forecast import forecast_summary
from tongchou.services.regions import load_china, stored_regions
from tongchou.services.situation import assess, headline, situation_table, top_new_cases
from tongchou.services.zones import zone_summary

BUNDLED_SERIES = "china_daily_2020.csv.xz"
SPEECH_DAY = dt.date(2020, 2, 23)
KEY_REGIONS = [NATION, "420000", "420100"]  # the nation, Hubei, Wuhan
FORECAST_REGIONS = KEY_REGIONS[1:]


@dataclass(frozen=True)
class DemoResult:
    title: str
    setup: list[str]
    headline: pd.DataFrame
    top: pd.DataFrame
    key_regions: pd.DataFrame
    forecast: pd.DataFrame
    zones: pd.DataFrame
    bulletin: Path


def load_bundled_series(engine: Engine, today: dt.date | None = None) -> list[str]:
    """Load the China regions and the 2019-12-01..2020-04-30 series; lines saying what was done.
    Idempotent: a second run adds nothing."""
    added, _ = load_china(engine)
    path = resources.files("tongchou") / "data" / BUNDLED_SERIES
    with resources.as_file(path) as file:
        # the source's own downward revisions (reassigned cases) are part of the record
        report = import_file(engine, file, accept_decreases=True, user="tongchou demo", today=today)
    return [
        f"regions: {added} added",
        f"{report.source}: {report.values_new:,} values new, {report.values_unchanged:,} "
        f"already stored, {report.decreases_accepted} downward revisions by the source, "
        f"{report.placeholders_added} placeholder units",
    ]


def run_demo(
    engine: Engine,
    as_of: dt.date = SPEECH_DAY,
    lang: str = "zh",
    bulletin_dir: Path | str = "bulletin",
) -> DemoResult:
    setup = load_bundled_series(engine)
    regions = stored_regions(engine)
    assessment = assess(engine, as_of, regions=regions)
    title = (
        f"全国疫情形势 {as_of:%Y年%m月%d日}"
        if lang == "zh"
        else f"National situation as of {as_of:%d %B %Y}"
    )
    return DemoResult(
        title=title,
        setup=setup,
        headline=headline(assessment, NATION, lang),
        top=top_new_cases(assessment, regions.level("province"), lang=lang),
        key_regions=situation_table(assessment, KEY_REGIONS, lang),
        forecast=forecast_summary(assessment, FORECAST_REGIONS, engine=engine, lang=lang),
        zones=zone_summary(assessment, as_of, lang=lang),
        bulletin=write_bulletin(
            engine, as_of, Path(bulletin_dir) / f"{as_of}", lang, assessment=assessment
        ).page,
    )
