"""The bundled outlines (data/china_boundaries.json.xz) and their loader."""

from importlib import resources

import numpy as np
import pytest

from tongchou.errors import NotFound
from tongchou.geo.boundaries import (
    BOUNDARIES_FILE,
    boundaries_by_code,
    china_boundaries,
    feature_collection,
    without_boundary,
)
from tongchou.geo.china import china_regions

# County-level units of 2019 merged or split since, so that no current outline is theirs.
COUNTIES_WITHOUT_OUTLINE = {
    "130502", "130503", "130521", "130526", "320611", "330103", "330104", "340208", "350402",
    "360105", "370634", "410306",
}  # fmt: skip


def test_the_file_is_small():
    size = (resources.files("tongchou") / "data" / BOUNDARIES_FILE).stat().st_size
    assert size < 1_000_000


@pytest.mark.parametrize(
    ("level", "features", "units", "without"),
    [
        ("province", 34, "province", set()),
        ("prefecture", 370, "prefecture", set()),
        ("county", 2878, "county", COUNTIES_WITHOUT_OUTLINE),
    ],
)
def test_every_unit_of_the_tree_has_an_outline_but_a_few(level, features, units, without):
    assert len(china_boundaries(level)) == features
    codes = china_regions().level(units)
    assert set(without_boundary(codes, level)) == without
    matched = boundaries_by_code(level)
    assert set(matched) <= set(codes)


def test_outlines_are_closed_rings_inside_china():
    for level in ("province", "prefecture", "county"):
        for boundary in china_boundaries(level):
            assert boundary.geometry["type"] == "MultiPolygon"
            for polygon in boundary.geometry["coordinates"]:
                for ring in polygon:
                    points = np.array(ring)
                    assert len(points) >= 4 and (points[0] == points[-1]).all()
                    assert (points[:, 0] > 73).all() and (points[:, 0] < 136).all()
                    assert (points[:, 1] > 3).all() and (points[:, 1] < 54).all()


def test_wuhan_lies_where_it_does():
    wuhan = boundaries_by_code("prefecture")["420100"]
    assert (wuhan.name, wuhan.adcode) == ("武汉市", "420100")
    points = np.concatenate([np.array(r) for p in wuhan.geometry["coordinates"] for r in p])
    # Wuhan spans about 113.7-115.1 E and 29.97-31.37 N.
    assert points[:, 0].min() == pytest.approx(113.70, abs=0.05)
    assert points[:, 0].max() == pytest.approx(115.08, abs=0.05)
    assert points[:, 1].min() == pytest.approx(29.97, abs=0.05)
    assert points[:, 1].max() == pytest.approx(31.36, abs=0.05)


def test_outlines_that_match_no_unit_keep_their_amap_code():
    unmatched = {b.adcode for b in china_boundaries("county") if b.code is None}
    assert "810001" in unmatched  # Hong Kong's districts: not units of the tree
    assert "130505" in unmatched  # 任泽区, made of 任县 (130526) in 2020
    # 芜湖县 (340221) became 湾沚区 (340210) in 2020, territory unchanged: matched by hand.
    assert boundaries_by_code("county")["340221"].adcode == "340210"


def test_a_feature_collection_carries_the_given_properties():
    collection = feature_collection("province", {"420000": {"level": "high"}},
                                    others={"level": None})  # fmt: skip
    assert len(collection["features"]) == 34
    props = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert props["420000"] == {"code": "420000", "adcode": "420000", "name": "湖北省",
                               "level": "high"}  # fmt: skip
    assert props["540000"]["level"] is None


def test_an_unknown_level_is_named():
    with pytest.raises(NotFound, match="no bundled boundaries at level 'city'"):
        china_boundaries("city")
