"""Writing a bulletin: a static site that opens from the file system with no network (the
page, its scripts and map outlines, the press release and the open data), written into a
temporary folder and moved into place, so that a failed run never leaves a half-written
bulletin where a good one was.

    write_bulletin(engine, dt.date(2020, 2, 23), "bulletin", lang="zh")
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

from tongchou.errors import NotFound, TongchouError
from tongchou.geo.china import NATION
from tongchou.publish import opendata
from tongchou.publish.content import Scope, bulletin_content, main_codes, resolve_scope
from tongchou.publish.folders import checked_target, replace_folder, staging_folder
from tongchou.publish.forecast_view import forecast_view
from tongchou.publish.maps import write_map_assets
from tongchou.publish.numbers import STORED
from tongchou.publish.page import page_context, render_page
from tongchou.publish.press import press_release
from tongchou.publish.provenance import REFERENCE_SOURCES, batches_behind, value_batches
from tongchou.publish.zoning_view import zone_view, zonings
from tongchou.services.regions import stored_regions
from tongchou.services.situation import Assessment, assess
from tongchou.store.days import from_day
from tongchou.store.observations import day_range

log = logging.getLogger(__name__)

MANIFEST = "bulletin.json"
FORMAT = "tongchou-bulletin/1"
ASSETS = "assets"
DATA = "data"
PAGE = "index.html"
STATIC_FILES = (
    "echarts.min.js",
    "echarts-LICENSE.txt",
    "echarts-NOTICE.txt",
    "echarts-LICENSE-d3.txt",
    "palette.js",
    "risk-map.js",
    "bulletin.js",
    "bulletin.css",
    "archive.js",
)
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Written:
    """A bulletin on disk: its folder, page, day and scope, and the files it holds."""

    folder: Path
    page: Path
    as_of: dt.date
    scope: str
    files: list[str]


def check_day(engine: Engine, as_of: dt.date) -> None:
    """NotFound unless the store holds data and `as_of` lies within them."""
    with engine.connect() as connection:
        first, last = day_range(connection)
    if first is None:
        raise NotFound("the store holds no values yet; import reports or run `tongchou demo`")
    first, last = from_day(first), from_day(last)
    if as_of < first:
        raise NotFound(
            f"{as_of} is before the first day with data ({first}); "
            f"a bulletin can be written for {first} to {last}"
        )
    if as_of > last:
        raise NotFound(
            f"{as_of} is after the last day with data ({last}); "
            f"a bulletin can be written for {first} to {last}"
        )


def write_static(folder: Path) -> None:
    """The page's scripts, styles and the licenses of what they include."""
    folder.mkdir(parents=True, exist_ok=True)
    static = resources.files("tongchou.publish") / "static"
    for name in STATIC_FILES:
        with resources.as_file(static / name) as source:
            shutil.copyfile(source, folder / name)


def zones_for(assessment: Assessment, scope: Scope, engine: Engine | None = None) -> dict | None:
    """The zonings of every unit inside the scope, by depth; None where they cannot be made
    (e.g. a region tree whose data the ruleset cannot read), which the log says."""
    by_depth = {d: scope.units(d) for d in sorted(set(scope.inside_depth))}
    by_depth = {d: units for d, units in by_depth.items() if units}
    if not by_depth:
        return None
    try:
        return zonings(assessment, by_depth, engine=engine)
    except TongchouError as exc:
        log.warning("no zones in the bulletin: %s", exc)
        return None


def forecast_for(assessment: Assessment, codes: list[str], engine: Engine | None) -> dict | None:
    try:
        return forecast_view(assessment, codes, engine)
    except TongchouError as exc:
        log.warning("no forecast in the bulletin: %s", exc)
        return None


def downloads(content: dict, prefix: str = "") -> list[dict]:
    """The files a reader may download, relative to the page."""
    files = [
        (
            f"{DATA}/{opendata.CSV_FILE}",
            "全部数字（CSV，每地区每日一行）",
            "every number (CSV, one row per region per day)",
        ),
        (f"{DATA}/{opendata.JSON_FILE}", "全部数字（JSON）", "every number (JSON)"),
        (
            f"{DATA}/{opendata.SCHEMA_FILE}",
            "数据结构说明（JSON Schema）",
            "data schema (JSON Schema)",
        ),
        (f"{DATA}/{opendata.PROVENANCE_FILE}", "数据来源与计算方法", "provenance and methods"),
        ("press-release.zh.md", "新闻稿（中文）", "press release (Chinese)"),
        ("press-release.en.md", "新闻稿（英文）", "press release (English)"),
    ]
    if content["forecast"]:
        files.insert(4, (f"{DATA}/{opendata.FORECAST_FILE}", "预测（CSV）", "forecast (CSV)"))
    return [{"href": prefix + href, "zh": zh, "en": en} for href, zh, en in files]


def compose(
    engine: Engine,
    assessment: Assessment,
    scope: Scope,
    *,
    day: dt.date | None = None,
    zoned: dict | None = None,
    forecast: bool = True,
) -> tuple[dict, list[dict]]:
    """The content of the bulletin of `day` (default: the assessment's), and the batches
    behind its values (as records); `zoned`: the zonings of its units (see zones_for)."""
    a = assessment
    day = day or a.as_of
    zones = zone_view(zoned, day) if zoned else None
    column = a.panel.day(day)
    batch_table = batches_behind(engine, list(STORED), day)
    sources = [
        {
            k: (
                v.isoformat(timespec="seconds")
                if isinstance(v, dt.datetime)
                else v.isoformat()
                if isinstance(v, dt.date)
                else v
            )
            for k, v in row.items()
        }
        for row in batch_table.to_dict("records")
    ]
    main = main_codes(a.regions, scope)
    fc = forecast_for(a, main, engine) if forecast and day == a.as_of else None
    content = bulletin_content(a, scope, day=column, batches=sources, zones=zones, forecast=fc)
    return content, batch_table


def write_site(
    folder: Path,
    engine: Engine,
    assessment: Assessment,
    content: dict,
    batch_table,
    *,
    lang: str,
    assets: str,
    map_files: dict | None,
    archive: str | None = None,
) -> list[str]:
    """The page, the press releases and the open data of one bulletin into `folder` (the
    assets live at `assets`, relative to the page)."""
    folder.mkdir(parents=True, exist_ok=True)
    day = dt.date.fromisoformat(content["as_of"])
    links = downloads(content)
    references = list(REFERENCE_SOURCES) if NATION in assessment.regions else []
    context = page_context(
        content,
        lang,
        assets=assets,
        downloads=links,
        map_files=map_files,
        references=references,
        archive=archive,
    )
    (folder / PAGE).write_text(render_page(context), encoding="utf-8")
    for code in LANGS:
        text = press_release(content, code, links)
        (folder / f"press-release.{code}.md").write_text(text, encoding="utf-8")
    charted = content["charts"]
    first = dt.date.fromisoformat(charted["dates"][0]) if charted["dates"] else day
    blocks = [(None, day - dt.timedelta(1), day), (charted["regions"], first, day)]
    batches = value_batches(engine, list(STORED), blocks, day)
    zone_levels = _zone_levels(content)
    rows = opendata.records(assessment, content, batches, zone_levels)
    origin = opendata.provenance(assessment, content, batch_table)
    data_files = opendata.write_open_data(folder / DATA, rows, content, origin)
    files = [PAGE, "press-release.zh.md", "press-release.en.md"]
    files += [f"{DATA}/{name}" for name in data_files]
    manifest = {
        "format": FORMAT,
        "as_of": content["as_of"],
        "scope": content["scope"]["code"],
        "lang": lang,
        "generated_at": content["generated_at"],
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return files


def _zone_levels(content: dict) -> dict[str, list]:
    zones, table = content["zones"], content["table"]
    if not zones:
        return {}
    ids = [lv["id"] for lv in zones["levels"]]
    return {
        code: [ids[level], zh, en]
        for code, level, zh, en in zip(
            table["code"],
            table["risk"],
            table["risk_reason_zh"],
            table["risk_reason_en"],
            strict=True,
        )
        if level is not None
    }


def write_bulletin(
    engine: Engine,
    as_of: dt.date,
    out_dir: Path | str,
    lang: str = "zh",
    region: str | None = None,
    *,
    forecast: bool = True,
    assessment: Assessment | None = None,
) -> Written:
    """Write the bulletin of `region` (default: the nation) on `as_of` into `out_dir`,
    replacing a bulletin already there; `lang` is the language the page opens in (the
    reader can switch). An `assessment` of that day already made is used, not made again.
    Returns what was written."""
    target = checked_target(Path(out_dir), (MANIFEST,))
    check_day(engine, as_of)
    if assessment is None or assessment.as_of != as_of:
        assessment = assess(engine, as_of, regions=stored_regions(engine))
    scope = resolve_scope(assessment, region)
    zoned = zones_for(assessment, scope, engine)
    content, batch_table = compose(engine, assessment, scope, zoned=zoned, forecast=forecast)
    with staging_folder(target) as staging:
        maps = write_map_assets(staging / ASSETS / "maps", assessment.regions, scope.code)
        write_static(staging / ASSETS)
        files = write_site(
            staging,
            engine,
            assessment,
            content,
            batch_table,
            lang=lang,
            assets=ASSETS,
            map_files=_map_files(maps),
        )
        replace_folder(staging, target)
    log.info("bulletin of %s on %s written to %s", scope.code, as_of, target)
    return Written(target, target / PAGE, as_of, scope.code, files)


def _map_files(maps: dict[str, dict], prefix: str = ASSETS) -> dict | None:
    """The outline files a page loads, relative to it; None when no unit has an outline
    (a region tree other than China's)."""
    drawn = {
        level: {**info, "file": f"{prefix}/{info['file']}"}
        for level, info in maps.items()
        if info["units"]
    }
    return drawn or None
