"""Map outlines for the page: the bundle's rings as the page decodes them, and only the
outlines inside a bulletin's region."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tongchou.geo.boundaries import SCALE, china_boundaries
from tongchou.publish.maps import write_map_assets
from tongchou.services.regions import stored_regions


def read_outlines(path):
    level, scale, body = re.fullmatch(
        r'tongchouMap\("(\w+)",(\d+),(.*)\);\n', path.read_text("utf-8"), re.S
    ).groups()
    return level, int(scale), json.loads(body)


def decoded(ring, scale):
    """What bulletin.js does: a running sum of the differences, closed."""
    points = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0) / scale
    return np.vstack([points, points[:1]])


@pytest.fixture(scope="module")
def regions(china_store):
    return stored_regions(china_store)


def test_the_page_s_outlines_are_the_loader_s_geometry(tmp_path, regions):
    written = write_map_assets(tmp_path, regions, "CN")
    for level in ("province", "prefecture", "county"):
        name, scale, features = read_outlines(tmp_path / f"{level}.js")
        assert name == level and scale == SCALE
        loader = {b.code or b.adcode: b for b in china_boundaries(level)}
        for code, adcode, _name, _parent, polygons in features[:: max(len(features) // 25, 1)]:
            geometry = loader[code or adcode].geometry["coordinates"]
            assert len(polygons) == len(geometry)
            for polygon, expected in zip(polygons, geometry, strict=True):
                for ring, ring_expected in zip(polygon, expected, strict=True):
                    assert np.allclose(decoded(ring, scale), ring_expected, atol=1e-9)
        assert written[level]["outlines"] == len(features)


def test_a_province_gets_only_its_own_outlines(tmp_path, regions):
    written = write_map_assets(tmp_path, regions, "420000")
    assert set(written) == {"prefecture", "county"}
    _, _, prefectures = read_outlines(tmp_path / "prefecture.js")
    codes = {f[0] for f in prefectures}
    # 13 prefecture-level units and 4 county-level units under the province
    assert len(codes) == 17 and {"420100", "429004", "429021"} <= codes
    _, _, counties = read_outlines(tmp_path / "county.js")
    assert len(counties) > 90
    for code, _adcode, _name, parent, _ in counties:
        chain = [parent, *regions.ancestors(parent)]
        assert "420000" in chain and (code is None or code.startswith("42"))


def test_the_nation_has_every_province_outline(national):
    _, _, provinces = read_outlines(national.folder / "assets" / "maps" / "province.js")
    assert len(provinces) == 34
    assert all(code is not None for code, *_ in provinces)
