"""Use cases for the region tree: load the bundled China tree, import another country's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from tongchou.geo.china import CHINA_REGIONS_FILE, china_regions
from tongchou.geo.regions import RegionTable, regions_from_frame
from tongchou.ingest.readers import read_table
from tongchou.store.regions import load_regions, save_regions


def load_china(engine: Engine) -> tuple[int, int]:
    """Save the bundled China divisions; returns (added, updated)."""
    with engine.begin() as connection:
        return save_regions(connection, china_regions(), CHINA_REGIONS_FILE)


def import_regions(engine: Engine, path: Path | str) -> tuple[int, int]:
    """Save regions from a CSV/XLSX/JSON table with code,parent,name,level,population (parents
    may already be in the store). Nothing is written if any row is wrong."""
    table = read_table(path)
    incoming = table.cells.rename(columns=str.lower)
    with engine.begin() as connection:
        stored = load_regions(connection).frame.reset_index()
        if "code" in incoming.columns:
            stored = stored.loc[~stored["code"].isin(incoming["code"].str.strip())]
        # the file's rows first, so that errors name the file's own row numbers
        combined = pd.concat([incoming, stored.drop(columns="depth")], ignore_index=True)
        return save_regions(connection, regions_from_frame(combined, table.place), table.place)


def stored_regions(engine: Engine) -> RegionTable:
    with engine.connect() as connection:
        return load_regions(connection)
