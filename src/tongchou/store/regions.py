"""Regions in the store: saved from and loaded into a `RegionTable`."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from tongchou.geo.regions import COLUMNS, RegionTable, regions_from_frame
from tongchou.store.schema import regions

_STORED = [c if c != "parent" else "parent_code" for c in COLUMNS]


def load_regions(connection: Connection) -> RegionTable:
    rows = connection.execute(select(regions.c.code, *[regions.c[c] for c in _STORED]))
    frame = pd.DataFrame(rows.all(), columns=["code", *_STORED]).rename(
        columns={"parent_code": "parent"}
    )
    return regions_from_frame(frame, "the store")


def region_ids(connection: Connection) -> dict[str, int]:
    return dict(connection.execute(select(regions.c.code, regions.c.id)).all())


def save_regions(connection: Connection, table: RegionTable, source: str) -> tuple[int, int]:
    """Insert new regions and update changed ones; returns (added, updated)."""
    known = load_regions(connection).frame
    frame = table.frame.astype(object).where(table.frame.notna(), None)
    new = frame.loc[~frame.index.isin(known.index)]
    old = frame.loc[frame.index.isin(known.index)]
    before = known.loc[old.index, list(COLUMNS)]
    differs = _as_text(old) != _as_text(before)
    changed = old.loc[differs.any(axis=1)]
    # parents before children, so that depth order matches the tree
    new = new.sort_values("depth", kind="stable")
    if len(new):
        connection.execute(insert(regions), _rows(new, source))
    for code, row in changed.iterrows():
        values = {c: row[c if c != "parent_code" else "parent"] for c in _STORED}
        connection.execute(update(regions).where(regions.c.code == code).values(**values))
    return len(new), len(changed)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object)
    return frame.where(frame.notna(), "").astype(str)


def _rows(frame: pd.DataFrame, source: str) -> list[dict]:
    out = []
    for code, row in frame.iterrows():
        record = {c: row[c if c != "parent_code" else "parent"] for c in _STORED}
        record["code"] = code
        record["source"] = source
        out.append(record)
    return out
