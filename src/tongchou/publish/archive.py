"""An archive of bulletins: one bulletin for every day of a period, as each would have been
written that day, and an index page with a timeline of the epidemic and the zones.

    write_archive(engine, dt.date(2020, 1, 20), dt.date(2020, 3, 31), "bulletins")

Each day is assessed from what was known that day. The last day's assessment stands in for
an earlier day's where it is exactly the same for it: no value of that day or before was
learned or replaced later, and the revision rule moved no later decrease back onto it (its
effect is then the same as a fresh assessment's). Days before the scope's first report are
left out. The maps, scripts and styles are shared by all days (assets/ at the top).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from tongchou.errors import InputError, NotFound, Problem
from tongchou.publish.bulletin import (
    ASSETS,
    PAGE,
    check_day,
    compose,
    write_site,
    write_static,
    zones_for,
)
from tongchou.publish.bulletin import (
    _map_files as map_files_of,
)
from tongchou.publish.content import Scope, resolve_scope
from tongchou.publish.folders import checked_target, replace_folder, staging_folder
from tongchou.publish.maps import write_map_assets
from tongchou.publish.numbers import STORED
from tongchou.publish.page import script_json
from tongchou.publish.press import lede, place
from tongchou.publish.provenance import days_seen_differently, mark_spans
from tongchou.publish.templating import environment
from tongchou.services.regions import stored_regions
from tongchou.services.situation import Assessment, assess
from tongchou.store.database import connect
from tongchou.store.days import to_day

log = logging.getLogger(__name__)

MANIFEST = "archive.json"
FORMAT = "tongchou-archive/1"


@dataclass(frozen=True)
class Archive:
    folder: Path
    page: Path
    days: list[dt.date]
    skipped: list[dt.date]
    reused: int


def unchanged_days(engine: Engine, assessment: Assessment) -> np.ndarray:
    """For each day of the assessment: True where its numbers for that day equal those of a
    fresh assessment made that day (see the module)."""
    dates = assessment.panel.dates
    first, last = dates[0].date(), dates[-1].date()
    start = to_day(first)
    later = days_seen_differently(engine, list(STORED), first, last)
    spans = []
    for counts in assessment.indicators.counts.values():
        moved = counts.revisions
        spans += [
            (start + int(d), start + int(r))
            for d, r in zip(moved["day"], moved["revised_on"], strict=True)
        ]
    revised = mark_spans(spans, start, len(dates))
    return ~(later | revised)


@dataclass(frozen=True)
class DayJob:
    """One day of an archive, as a worker process receives it."""

    url: str
    day: dt.date
    scope: Scope
    folder: Path
    lang: str
    forecast: bool
    maps: dict | None


def write_day(
    engine: Engine,
    assessment: Assessment,
    zoned: dict | None,
    scope: Scope,
    day: dt.date,
    job: DayJob,
) -> tuple[dict, dict] | None:
    """Write one day's bulletin into the archive; its summary and what the index needs of
    its content, or None for a day before the scope's first report."""
    try:
        resolve_scope(assessment, scope.code, assessment.panel.day(day))
    except NotFound:
        return None
    content, batches = compose(
        engine, assessment, scope, day=day, zoned=zoned, forecast=job.forecast
    )
    write_site(
        job.folder / day.isoformat(),
        engine,
        assessment,
        content,
        batches,
        lang=job.lang,
        assets=f"../{ASSETS}",
        map_files=job.maps,
        archive=f"../{PAGE}",
    )
    zones = content["zones"]
    kept = {"levels": zones["levels"], "ruleset": zones["ruleset"]} if zones else None
    return summary(content), {"scope": content["scope"], "zones": kept}


_WORKER: dict = {}


def _fresh_day(job: DayJob) -> tuple[dt.date, tuple[dict, dict] | None]:
    """A worker's day: the store opened once per process, the day assessed afresh."""
    if _WORKER.get("url") != job.url:
        engine = connect(job.url)
        _WORKER.update(url=job.url, engine=engine, regions=stored_regions(engine))
    engine, regions = _WORKER["engine"], _WORKER["regions"]
    assessment = assess(engine, job.day, regions=regions)
    zoned = zones_for(assessment, job.scope, engine)
    return job.day, write_day(engine, assessment, zoned, job.scope, job.day, job)


def write_archive(
    engine: Engine,
    first: dt.date,
    last: dt.date,
    out_dir: Path | str,
    lang: str = "zh",
    region: str | None = None,
    *,
    forecast: bool = False,
    workers: int = 1,
    progress: Callable[[dt.date], None] | None = None,
) -> Archive:
    """Write the bulletin of every day from `first` to `last` and the index page into
    `out_dir`, replacing an archive there. Forecasts are left out unless `forecast` (each day
    then needs its own assessment). `workers` > 1 assesses days in that many processes, each
    opening the store by its URL (so not for an in-memory store, nor for an engine whose
    connection options the URL does not carry). `progress` is called with each day written."""
    if last < first:
        raise InputError(
            Problem(
                "--to",
                "the period ends before it starts",
                value=str(last),
                expected=f"a day on or after {first}",
            )
        )
    target = checked_target(Path(out_dir), (MANIFEST,))
    check_day(engine, first)
    check_day(engine, last)
    regions = stored_regions(engine)
    final = assess(engine, last, regions=regions)
    scope = resolve_scope(final, region)
    same = unchanged_days(engine, final)
    final_zoned = zones_for(final, scope, engine)
    period = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    written: dict[dt.date, tuple[dict, dict] | None] = {}
    with staging_folder(target) as staging:
        maps = map_files_of(
            write_map_assets(staging / ASSETS / "maps", regions, scope.code), prefix=f"../{ASSETS}"
        )
        write_static(staging / ASSETS)
        url = engine.url.render_as_string(hide_password=False)
        jobs = {day: DayJob(url, day, scope, staging, lang, forecast, maps) for day in period}
        # the last day's assessment serves the days it describes exactly (see the module)
        reusable = [d for d in period if same[final.panel.day(d)] and (d == last or not forecast)]
        for day in reusable:
            written[day] = write_day(engine, final, final_zoned, scope, day, jobs[day])
            if progress:
                progress(day)
        fresh = [jobs[d] for d in period if d not in written]
        if workers > 1 and len(fresh) > 1:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(min(workers, len(fresh)), mp_context=context) as pool:
                for day, result in pool.map(_fresh_day, fresh):
                    written[day] = result
                    if progress:
                        progress(day)
        else:
            _WORKER.update(url=url, engine=engine, regions=regions)
            for job in fresh:
                written[job.day] = _fresh_day(job)[1]
                if progress:
                    progress(job.day)
            _WORKER.clear()
        days = [d for d in period if written[d] is not None]
        skipped = [d for d in period if written[d] is None]
        if not days:
            raise NotFound(f"no reports for {scope.full_name['en']} from {first} to {last}")
        write_index(staging, [written[d][0] for d in days], written[days[-1]][1], lang)
        manifest = {
            "format": FORMAT,
            "first": first.isoformat(),
            "last": last.isoformat(),
            "scope": scope.code,
            "days": [d.isoformat() for d in days],
            "skipped": [d.isoformat() for d in skipped],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        replace_folder(staging, target)
    reused = len([d for d in reusable if d != last])
    log.info(
        "archive of %d bulletins (%d from the last day's assessment) written to %s",
        len(days),
        reused,
        target,
    )
    return Archive(target, target / PAGE, days, skipped, reused)


def summary(content: dict) -> dict:
    """What the index shows of one day: its headline, Rt, and units per level."""
    figures = {f["key"]: f["value"] for f in [*content["headline"], *content["rt"]]}
    zones = content["zones"]
    counts = None
    if zones:
        depth, chosen = max(
            zones["counts"].items(),
            key=lambda kv: sum(v for k, v in kv[1].items() if k != "undecided"),
        )
        counts = {"depth": int(depth), **chosen}
    return {
        "date": content["as_of"],
        "new": figures["new_confirmed"],
        "confirmed": figures["confirmed"],
        "active": figures["active"],
        "dead": figures["dead"],
        "rt": figures["rt"],
        "zones": counts,
        "changes": len(zones["changes"]) if zones else 0,
        "lede": lede(content),
    }


def write_index(folder: Path, summaries: list[dict], content: dict, lang: str) -> None:
    """The index page: a timeline of new cases, Rt and units per level, and every day, with
    the names and levels of the last day's `content`."""
    zones = content["zones"]
    levels = (
        [{"id": lv["id"], "zh": lv["zh"], "en": lv["en"]} for lv in zones["levels"]]
        if zones
        else []
    )
    named = {code: place(content, code) for code in ("zh", "en")}
    data = {"days": summaries, "lang": lang, "levels": levels, "place": named}
    titles = {"zh": f"{named['zh']}疫情通报汇总", "en": f"Bulletins: {named['en']}"}
    data["titles"] = titles
    text = (
        environment()
        .get_template("archive.html.j2")
        .render(
            lang=lang,
            days=summaries,
            data_json=script_json(data),
            assets=ASSETS,
            page=PAGE,
            place=named,
            titles=titles,
            levels=levels,
            ruleset=zones["ruleset"] if zones else None,
        )
    )
    (folder / PAGE).write_text(text, encoding="utf-8")
