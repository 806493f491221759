"""The bundled China division table, as shipped in the package (built by
scripts/build_china_regions.py; sources in src/tongchou/data/SOURCES.md)."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

TABLE = files("tongchou") / "data" / "china_regions.csv.gz"
COLUMNS = ["code", "parent", "depth", "kind", "name_zh", "name_en", "pinyin",
           "population", "population_year", "lon", "lat"]  # fmt: skip
# Seventh census, communiqué No. 2 and No. 3 (NBS, 11 May 2021).
NATION_2020 = 1_411_778_724  # 31 provinces and active servicemen
MAINLAND_PROVINCES_2020 = 1_409_778_724
MUNICIPALITIES = {"110000": "110100", "120000": "120100", "310000": "310100", "500000": "500100"}
# Strings pandas reads as missing by default: no name may be one of them.
PANDAS_NA_STRINGS = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                     "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                     "nan", "null"}  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    with TABLE.open("rb") as handle:
        return pd.read_csv(handle, compression="gzip", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def table(raw: pd.DataFrame) -> pd.DataFrame:
    t = raw.replace("", np.nan).set_index("code")
    t["depth"] = t["depth"].astype(int)
    for column in ("population", "population_year"):
        t[column] = pd.to_numeric(t[column]).astype("Int64")
    t[["lon", "lat"]] = t[["lon", "lat"]].astype(float)
    return t


def test_file_is_small_and_has_the_documented_columns(raw):
    assert len(TABLE.read_bytes()) < 150_000
    assert list(raw.columns) == COLUMNS


def test_no_text_reads_as_missing_under_pandas_defaults(raw):
    for column in ("code", "kind", "name_zh", "name_en", "pinyin"):
        assert not raw[column].isin(PANDAS_NA_STRINGS).any(), column


def test_units_per_depth_and_kind(table):
    counts = table.groupby(["depth", "kind"]).size().to_dict()
    assert counts == {
        (0, "nation"): 1,
        (1, "province"): 34,
        (2, "prefecture"): 337,  # 333 of MCA 2019 and one per municipality
        (2, "county"): 29,  # county-level cities and districts a province runs itself
        (3, "county"): 2816,
    }
    assert 2800 <= (table["kind"] == "county").sum() <= 2900


def test_the_tree_is_whole(table):
    assert table.index.is_unique
    roots = table.index[table["parent"].isna()]
    assert list(roots) == ["CN"]
    children = table.drop(index="CN")
    assert children["parent"].isin(table.index).all()
    parent_depth = table.loc[children["parent"], "depth"].to_numpy()
    assert (children["depth"].to_numpy() == parent_depth + 1).all()
    assert (table.loc[table["kind"] == "province", "parent"] == "CN").all()
    codes = children.index
    assert codes.str.fullmatch(r"\d{6}").all()
    below_province = children[children["depth"] > 1]
    assert (below_province.index.str[:2] == below_province["parent"].str[:2]).all()


def test_wuhan(table):
    wuhan = table.loc["420100"]
    assert (wuhan["parent"], wuhan["name_zh"], wuhan["name_en"]) == ("420000", "武汉市", "Wuhan")
    assert wuhan["pinyin"] == "wuhan"
    # census_city_2010-2020_v1.csv row 武汉市 420100: popu_2020 = 12326518
    assert wuhan["population"] == 12_326_518
    assert wuhan["population_year"] == 2020


def test_municipalities_have_one_prefecture_unit_each(table):
    for municipality, unit in MUNICIPALITIES.items():
        row = table.loc[unit]
        assert row["parent"] == municipality
        assert row["kind"] == "prefecture"
        assert row["name_zh"] == table.at[municipality, "name_zh"]
        assert row["population"] == table.at[municipality, "population"]
        districts = table.index[table["parent"] == unit]
        assert len(districts) >= 16
        assert (table.loc[table["parent"] == municipality].index == [unit]).all()
    assert table.at["110101", "parent"] == "110100"
    assert table.at["110101", "name_zh"] == "东城区"
    assert table.at["110100", "population"] == 21_893_095


def test_province_administered_cities_sit_under_the_province(table):
    for code in ("429004", "429005", "429006", "429021", "419001", "469001", "659001"):
        assert table.at[code, "parent"] == code[:2] + "0000", code
        assert (table.at[code, "depth"], table.at[code, "kind"]) == (2, "county"), code
    assert table.at["429004", "name_zh"] == "仙桃市"


def test_prefectures_without_counties_are_leaves(table):
    has_children = set(table["parent"].dropna())
    for code in ("441900", "442000", "460400", "620200"):
        assert table.at[code, "kind"] == "prefecture"
        assert table.at[code, "depth"] == 2
        assert code not in has_children


def test_hong_kong_macau_taiwan_are_provinces(table):
    for code, name in (("810000", "Hong Kong"), ("820000", "Macau"), ("710000", "Taiwan")):
        assert table.at[code, "kind"] == "province"
        assert table.at[code, "name_en"] == name
    assert table.at["810000", "population"] == 7_474_200
    assert table.at["820000", "population"] == 683_218
    assert table.at["710000", "population"] == 23_561_236


def test_nation_and_provinces_take_the_census_communique(table):
    assert table.at["CN", "population"] == NATION_2020
    mainland = table[(table["kind"] == "province") & ~table.index.isin(["710000", "810000",
                                                                        "820000"])]  # fmt: skip
    assert len(mainland) == 31
    assert mainland["population"].sum() == MAINLAND_PROVINCES_2020
    assert table.at["420000", "population"] == 57_752_557
    assert table.at["540000", "population"] == 3_648_100


def test_population_and_its_year_agree(table):
    known = table["population"].notna()
    assert (table.loc[known, "population"] > 0).all()
    assert table.loc[known, "population_year"].isin([2020, 2010]).all()
    assert table.loc[~known, "population_year"].isna().all()
    by_year = table["population_year"].value_counts(dropna=False).to_dict()
    assert by_year[2020] == 3210
    # Units the 2020 census tables no longer hold (merged or split since 2019)
    from_2010 = set(table.index[table["population_year"] == 2010])
    assert from_2010 == {"130502", "130503", "130521", "130526", "360105", "370634"}
    assert list(table.index[~known]) == ["350527"]  # 金门县, outside the census


def test_pinyin_is_plain_and_reads_place_names_right(table):
    assert table["pinyin"].str.fullmatch(r"[a-z]+").all()
    expected = {
        "500000": "chongqing", "430100": "changsha", "350200": "xiamen", "340300": "bengbu",
        "341500": "luan", "310112": "minhang", "140428": "zhangzi", "110105": "chaoyang",
        "140400": "changzhi", "371722": "shanxian", "411221": "mianchi", "440113": "panyu",
        "361124": "yanshan", "410621": "xunxian", "511123": "qianwei", "360730": "ningdu",
    }  # fmt: skip
    assert {code: table.at[code, "pinyin"] for code in expected} == expected


def test_english_names(table):
    expected = {
        "150000": "Inner Mongolia", "540000": "Tibet", "650000": "Xinjiang",
        "450000": "Guangxi", "640000": "Ningxia", "610000": "Shaanxi", "140000": "Shanxi",
        "420100": "Wuhan", "110105": "Chaoyang", "610100": "Xi'an", "341500": "Lu'an",
        "422800": "Enshi", "654000": "Yili", "500240": "Shizhu", "141100": "Lüliang",
        "140302": "Chengqu", "140303": "Kuangqu", "500233": "Zhongxian", "533103": "Mangshi",
        "429021": "Shennongjia", "140109": "Wanbailin", "310115": "Pudong", "CN": "China",
    }  # fmt: skip
    assert {code: table.at[code, "name_en"] for code in expected} == expected
    assert table["name_en"].str.fullmatch(r"[A-Z][a-zü']+( [A-Z][a-z]+)*").all()


def test_coordinates_are_in_china_and_near_their_parent(table):
    assert table[["lon", "lat"]].notna().all().all()
    assert table["lon"].between(73, 136).all() and table["lat"].between(3, 54).all()
    rounded = (table[["lon", "lat"]] * 10_000).round(6)
    assert (rounded == rounded.round()).all().all()
    children = table.drop(index="CN")
    parents = table.loc[children["parent"]]
    distance = np.hypot(children["lon"].to_numpy() - parents["lon"].to_numpy(),
                        children["lat"].to_numpy() - parents["lat"].to_numpy())  # fmt: skip
    under_prefecture = (children["depth"] == 3).to_numpy()
    assert distance[under_prefecture].max() < 6
    assert distance[~under_prefecture & (children["depth"] == 2).to_numpy()].max() < 13
    wuhan = table.loc["420100"]
    assert abs(wuhan["lon"] - 114.3) < 0.3 and abs(wuhan["lat"] - 30.6) < 0.3
