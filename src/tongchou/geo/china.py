"""The bundled divisions of China: MCA 2019 codes (those of the 2020 epidemic data), 2020
census populations (2010 where 2020 is missing), centroids. Sources: data/SOURCES.md."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from tongchou.geo.regions import RegionTable, regions_from_frame

CHINA_REGIONS_FILE = "china_regions.csv.gz"
NATION = "CN"


@cache
def china_regions() -> RegionTable:
    path = resources.files("tongchou") / "data" / CHINA_REGIONS_FILE
    with resources.as_file(path) as file:
        frame = pd.read_csv(file, dtype={"code": str, "parent": str}, keep_default_na=True)
    return regions_from_frame(frame, CHINA_REGIONS_FILE)
