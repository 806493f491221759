"""Map outlines for the bulletin: the bundled boundaries of each level inside a scope, written
as small script files that the page loads when a level is first shown (a page opened from the
file system may not fetch files, but it may add scripts).

Coordinates travel as integers in thousandths of a degree, each ring's first point absolute
and the next ones as differences, which makes a file about a third of the size of GeoJSON
text; bulletin.js rebuilds GeoJSON from them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from tongchou.geo.boundaries import LEVELS, SCALE, Boundary, stored_outlines
from tongchou.geo.regions import RegionTable

MAP_FOLDER = "maps"
# One feature: [code or None, adcode, name, parent code, [polygon: [ring: [x0, y0, dx, dy ...]]]]
CALLBACK = "tongchouMap"


@cache
def _encoded(level: str) -> tuple[tuple[Boundary, str], ...]:
    """Each outline of a level (without its geometry) with its rings as JSON text.

    The bundle already stores rings in this page's encoding, so they are taken as stored
    rather than decoded to degrees and encoded again, which would cost seconds; a test holds
    the rings equal to the decoded geometry of tongchou.geo.boundaries."""
    rows = stored_outlines(level)
    encode = json.JSONEncoder(separators=(",", ":")).encode
    return tuple(
        (Boundary(code, adcode, name, level, {}), encode(polygons))
        for code, adcode, name, polygons in rows
    )


def _unit_of(boundary: Boundary, parents: dict) -> tuple[str | None, str | None]:
    """The unit of the tree an outline stands for (None where none) and the unit it sits in:
    its parent, or for an outline with no unit, the unit its Amap code points into."""
    if boundary.code is not None and boundary.code in parents:
        return boundary.code, parents[boundary.code]
    adcode = boundary.adcode
    for candidate in (adcode[:4] + "00", adcode[:2] + "0000"):
        if candidate != adcode and candidate in parents:
            return None, candidate
    return None, None


def _inside(parent: str | None, scope: str, parents: dict) -> bool:
    while isinstance(parent, str):
        if parent == scope:
            return True
        parent = parents.get(parent)
    return False


def map_levels(regions: RegionTable, scope: str) -> list[str]:
    """The outline levels below the scope's depth (province: 1, prefecture: 2, county: 3)."""
    depth = int(regions.frame.at[scope, "depth"])
    return list(LEVELS[depth:]) if depth < len(LEVELS) else []


def write_map_assets(folder: Path, regions: RegionTable, scope: str) -> dict[str, dict]:
    """Write one script per level below `scope` holding the outlines inside it; return, per
    level, the file (relative to `folder`'s parent), its number of outlines and of those with
    a unit of the tree."""
    folder.mkdir(parents=True, exist_ok=True)
    parents = regions.frame["parent"].to_dict()
    depths = regions.frame["depth"].to_dict()
    written = {}
    for level in map_levels(regions, scope):
        parts, matched = [], 0
        for boundary, geometry in _encoded(level):
            code, parent = _unit_of(boundary, parents)
            if not _inside(parent, scope, parents):
                continue
            # a county-level outline of a unit higher up (a prefecture with no counties) is
            # drawn at that unit's own level
            if code is not None and depths[code] != LEVELS.index(level) + 1:
                continue
            head = json.dumps([code, boundary.adcode, boundary.name, parent], ensure_ascii=False)
            parts.append(f"{head[:-1]},{geometry}]")
            matched += code is not None
        name = f"{level}.js"
        text = f'{CALLBACK}("{level}",{SCALE},[' + ",\n".join(parts) + "]);\n"
        (folder / name).write_text(text, encoding="utf-8")
        written[level] = {"file": f"{folder.name}/{name}", "outlines": len(parts), "units": matched}
    return written
