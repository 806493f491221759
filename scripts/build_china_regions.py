"""Build src/tongchou/data/china_regions.csv.gz: China's divisions as tongchou ships them.

One row per unit of the tree nation > province > prefecture > county, keyed by the MCA 2019
codes the 2020 epidemic data uses, with names in Chinese, English and pinyin, a census
population and centroid coordinates. Sources and licenses: src/tongchou/data/SOURCES.md.

    .venv/bin/python scripts/build_china_regions.py [--data ../shared/data] [--out FILE]

pypinyin is needed here only; the package reads the finished table.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
from pypinyin import Style, lazy_pinyin, load_phrases_dict, load_single_dict

log = logging.getLogger("build_china_regions")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "tongchou" / "data" / "china_regions.csv.gz"
COLUMNS = ["code", "parent", "depth", "kind", "name_zh", "name_en", "pinyin",
           "population", "population_year", "lon", "lat"]  # fmt: skip

NATION = "CN"
MUNICIPALITIES = ("11", "12", "31", "50")

# Seventh national census, communiqué No. 3 (NBS, 11 May 2021): resident population of the 31
# mainland provinces on 1 November 2020.
PROVINCE_POPULATION_2020 = {
    "110000": 21893095, "120000": 13866009, "130000": 74610235, "140000": 34915616,
    "150000": 24049155, "210000": 42591407, "220000": 24073453, "230000": 31850088,
    "310000": 24870895, "320000": 84748016, "330000": 64567588, "340000": 61027171,
    "350000": 41540086, "360000": 45188635, "370000": 101527453, "410000": 99365519,
    "420000": 57752557, "430000": 66444864, "440000": 126012510, "450000": 50126804,
    "460000": 10081232, "500000": 32054159, "510000": 83674866, "520000": 38562148,
    "530000": 47209277, "540000": 3648100, "610000": 39528999, "620000": 25019831,
    "630000": 5923957, "640000": 7202654, "650000": 25852345,
}  # fmt: skip
# Communiqué No. 2 (same date) quotes these end-2020 figures for Hong Kong, Macau and Taiwan,
# and gives the population of the 31 provinces and the active servicemen. The nation row
# takes that figure (not 1,443,497,378 with Hong Kong, Macau and Taiwan) because national
# epidemic counts cover the same 31 provinces.
OTHER_PROVINCE_POPULATION_2020 = {"810000": 7474200, "820000": 683218, "710000": 23561236}
NATION_POPULATION_2020 = 1411778724
MAINLAND_POPULATION_2020 = 1409778724

PROVINCE_NAME_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang", "71": "Taiwan", "81": "Hong Kong", "82": "Macau",
}  # fmt: skip

# Longest first, so that 自治县 wins over 县. 林区 is left out: only 神农架林区 is a forestry
# district, and stripping it would turn 万柏林区 into 万柏.
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "矿区", "特区", "地区",
            "省", "市", "区", "县", "旗", "盟")  # fmt: skip
STEM_EXCEPTIONS = {"神农架林区": "神农架"}
# Minority names as they appear in autonomous units, to reduce 恩施土家族苗族自治州 to 恩施.
# Two-character names also appear without 族 (伊犁哈萨克自治州, 博尔塔拉蒙古自治州).
ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡",
    "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)  # fmt: skip
ETHNIC_FORMS = sorted(
    [g + "族" for g in ETHNIC_GROUPS] + [g for g in ETHNIC_GROUPS if len(g) >= 2],
    key=len,
    reverse=True,
)

# Place-name readings pypinyin 0.55 gets wrong, checked against the romanised forms of the MCA
# gazetteer (Chaoyang, Minhang, Xunxian, Shaoling ...). Characters first, as their readings in
# place names differ from their everyday default (成都 but 宁都 came out ningdou); then words.
CHARACTER_READINGS = {"都": "dū", "长": "cháng", "什": "shí", "勒": "lè", "佛": "fó"}
PINYIN_FIXES = {
    "长子": "zhang zi", "朝阳": "chao yang", "长治": "chang zhi", "单县": "shan xian",
    "荥经": "ying jing", "宕昌": "tan chang", "涡阳": "guo yang", "洪洞": "hong tong",
    "筠连": "jun lian", "漯河": "luo he", "繁峙": "fan shi", "南乐": "nan le", "民乐": "min le",
    "泊头": "bo tou", "蚌山": "beng shan", "马尾": "ma wei", "浪卡子": "lang ka zi",
    "六合": "lu he", "万柏林": "wan bai lin", "曾都": "zeng du", "召陵": "shao ling",
    "覃塘": "qin tang", "浚县": "xun xian", "中牟": "zhong mou", "龙圩": "long xu",
    "崆峒": "kong tong", "伽师": "jia shi", "闵行": "min hang", "子长": "zi chang",
}  # fmt: skip

WEIRD_CENSUS_CHARACTERS = str.maketrans({"巿": "市"})  # U+5DFF typed for 市 in the 2010 file


def strip_suffix(name: str) -> str:
    """The name without its administrative suffix, or the whole name where that would leave
    a single character (城区, 忠县 stay as they are)."""
    if name in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[name]
    for suffix in SUFFIXES:
        if not name.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        if suffix.startswith("自治"):
            stem = _strip_ethnic(stem)
        if len(stem) >= 2:
            return stem
    return name


def _strip_ethnic(stem: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for form in ETHNIC_FORMS:
            if stem.endswith(form) and len(stem) - len(form) >= 2:
                stem, stripped = stem[: -len(form)], True
                break
    return stem


def syllables(stem: str) -> list[str]:
    """Toneless pinyin syllables of a stem, ü written v."""
    out = lazy_pinyin(stem, style=Style.NORMAL, errors=lambda chars: ["?"] * len(chars))
    if any(not re.fullmatch(r"[a-z]+", s) for s in out):
        raise ValueError(f"no pinyin for {stem!r}: {out}")
    return out


def english(parts: list[str]) -> str:
    """Syllables as an English place name: apostrophe before a, o, e (Xi'an), ü restored."""
    text = parts[0] + "".join("'" + p if p[0] in "aoe" else p for p in parts[1:])
    return text.replace("v", "ü").capitalize()


def build_tree(mca: pd.DataFrame) -> pd.DataFrame:
    """Codes and names of the MCA table -> code, parent, depth, kind, name_zh."""
    code, name = mca["code"], mca["name"]
    province = code.str[:2] + "0000"
    prefecture = code.str[:4] + "00"
    is_province = code.str.endswith("0000")
    is_prefecture = code.str.endswith("00") & ~is_province
    in_municipality = code.str[:2].isin(MUNICIPALITIES)
    under_prefecture = prefecture.isin(set(code[is_prefecture]))
    municipal_unit = code.str[:2] + "0100"
    parent = np.select(
        [is_province, is_prefecture, in_municipality, under_prefecture],
        [NATION, province, municipal_unit, prefecture],
        province,
    )
    depth = np.select(
        [is_province, is_prefecture, in_municipality | under_prefecture], [1, 2, 3], 2
    )
    kind = np.select([is_province, is_prefecture], ["province", "prefecture"], "county")
    tree = pd.DataFrame(
        {"code": code, "parent": parent, "depth": depth, "kind": kind, "name_zh": name}
    )
    municipal = mca[is_province & mca["code"].str[:2].isin(MUNICIPALITIES)]
    if municipal["code"].str[:2].add("0100").isin(set(code)).any():
        raise ValueError("the MCA table already has a prefecture unit for a municipality")
    units = pd.DataFrame(
        {
            "code": municipal["code"].str[:2] + "0100",
            "parent": municipal["code"],
            "depth": 2,
            "kind": "prefecture",
            "name_zh": municipal["name"],
        }
    )
    nation = pd.DataFrame(
        [{"code": NATION, "parent": "", "depth": 0, "kind": "nation", "name_zh": "中国"}]
    )
    tree = pd.concat([nation, tree, units], ignore_index=True)
    return tree.sort_values("code", key=lambda c: c.where(c != NATION, "0")).reset_index(drop=True)


def romanise(tree: pd.DataFrame) -> pd.DataFrame:
    load_single_dict({ord(char): reading for char, reading in CHARACTER_READINGS.items()})
    load_phrases_dict(
        {word: [[s] for s in reading.split()] for word, reading in PINYIN_FIXES.items()}
    )
    stems = tree["name_zh"].map(strip_suffix)
    parts = stems.map(syllables)
    out = tree.copy()
    out["pinyin"] = parts.map("".join)
    out["name_en"] = parts.map(english)
    province_en = tree["code"].str[:2].map(PROVINCE_NAME_EN)
    named_province = tree["kind"].eq("province") | tree["code"].isin(
        [m + "0100" for m in MUNICIPALITIES]
    )
    out.loc[named_province, "name_en"] = province_en[named_province]
    out.loc[out["code"] == NATION, ["name_en", "pinyin"]] = ["China", "zhongguo"]
    return out


def _same_place(a: pd.Series, b: pd.Series) -> pd.Series:
    """Names that stand for the same unit: equal, or equal without suffix (监利县, 监利市)."""
    return a.eq(b) | a.map(strip_suffix, na_action="ignore").eq(
        b.map(strip_suffix, na_action="ignore")
    )


def match_units(units: pd.DataFrame, table: pd.DataFrame, reserved: set[str]) -> pd.Series:
    """For each unit (code, name), the row label in `table` (code, name) of the same unit:
    same code and same name first; otherwise the one row of the same province with the same
    name or stem whose code is no code of ours (`reserved`) and that no unit has claimed.
    Returns labels (NaN where none) and logs the units found by name."""
    table = table.dropna(subset=["code"])
    if table["code"].duplicated().any():
        raise ValueError(f"codes given twice: {table['code'][table['code'].duplicated()].tolist()}")
    by_code = units.reset_index().merge(
        table.reset_index(), on="code", how="left", suffixes=("", "_t")
    )
    agreed = by_code["name_t"].notna() & _same_place(by_code["name"], by_code["name_t"])
    found = pd.Series(np.where(agreed, by_code["index_t"], np.nan), index=units.index)
    claimed = set(found.dropna())
    free = table[~table.index.isin(claimed) & ~table["code"].isin(reserved)]
    free_stems = free["name"].map(strip_suffix)
    by_name = 0
    for label in units.index[found.isna()]:
        code, name = units.at[label, "code"], units.at[label, "name"]
        same = free[(free["code"].str[:2] == code[:2]) & (
            (free["name"] == name) | (free_stems == strip_suffix(name)))]  # fmt: skip
        if len(same) == 1:
            found[label] = same.index[0]
            by_name += 1
            log.info("matched %s %s by name to %s %s", code, name, *same.iloc[0][["code", "name"]])
    log.info("%d of %d units matched by code, %d by name", len(claimed), len(units), by_name)
    return found


def read_census(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """County tables of 2020 and 2010 and the prefecture table, each as code, name, population
    (2010 and 2020 columns for prefectures)."""
    folder = data / "census_leiii"
    c20 = pd.read_csv(folder / "census_county_2020_v1_nogeom.csv", dtype=str, usecols=[0, 3, 4])
    c20.columns = ["code", "name", "population"]
    c10 = pd.read_csv(folder / "census_county_2010_v1_nogeom.csv", dtype=str, usecols=[0, 1, 2])
    c10.columns = ["name", "code", "population"]
    cities = pd.read_csv(
        folder / "census_city_2010-2020_v1.csv",
        dtype=str,
        encoding="utf-8-sig",
        usecols=["city", "city_code", "popu_2020", "popu_2010"],
    ).rename(columns={"city": "name", "city_code": "code"})
    for frame in (c20, c10, cities):
        frame["name"] = frame["name"].str.strip().str.translate(WEIRD_CENSUS_CHARACTERS)
        for column in frame.columns.drop(["code", "name"]):
            frame[column] = pd.to_numeric(frame[column])
    return c20, c10, cities


def populations(tree: pd.DataFrame, data: Path) -> pd.DataFrame:
    """population and population_year for every unit of the tree."""
    c20, c10, cities = read_census(data)
    provinces = c20[c20["code"].str.endswith("0000", na=False)].set_index("code")["population"]
    typed = pd.Series(PROVINCE_POPULATION_2020)
    if (
        not provinces.reindex(typed.index).eq(typed).all()
        or typed.sum() != MAINLAND_POPULATION_2020
    ):
        raise ValueError("communiqué province figures disagree with the census county table")
    out = pd.DataFrame({"population": np.nan, "population_year": np.nan}, index=tree.index)

    def take(mask: pd.Series, values: pd.Series, year: int) -> None:
        mask = mask & out["population"].isna() & values.notna()
        out.loc[mask, "population"] = values[mask]
        out.loc[mask, "population_year"] = year

    units = tree[["code", "name_zh"]].rename(columns={"name_zh": "name"})
    reserved = set(tree["code"])
    for census, year in ((c20, 2020), (c10, 2010)):
        wanted = (tree["kind"] == "county") & out["population"].isna()
        log.info("counties in the %d census:", year)
        rows = match_units(units[wanted], census, reserved)
        take(wanted, rows.map(census["population"]).reindex(tree.index), year)
    log.info("prefectures in the census:")
    rows = match_units(units[tree["kind"] == "prefecture"], cities, reserved)
    for year in (2020, 2010):
        values = rows.map(cities[f"popu_{year}"]).reindex(tree.index)
        take(tree["kind"] == "prefecture", values, year)
    known = {**PROVINCE_POPULATION_2020, **OTHER_PROVINCE_POPULATION_2020,
             NATION: NATION_POPULATION_2020}  # fmt: skip
    province_of_unit = tree["code"].where(~tree["code"].str.endswith("0100"),
                                          tree["code"].str[:2] + "0000")  # fmt: skip
    municipal = tree["code"].isin([m + "0100" for m in MUNICIPALITIES])
    by_communique = tree["kind"].isin(["nation", "province"]) | municipal
    values = province_of_unit.map(known).astype(float)
    out.loc[by_communique, "population"] = values[by_communique]
    out.loc[by_communique, "population_year"] = 2020
    return out.astype({"population": "Int64", "population_year": "Int64"})


def _ring_moments(ring: np.ndarray) -> tuple[float, float, float]:
    """Area and first moments of one ring (shoelace), orientation removed."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2
    sign = 1.0 if area >= 0 else -1.0
    return abs(area), sign * ((x + x1) * cross).sum() / 6, sign * ((y + y1) * cross).sum() / 6


def polygon_moments(geometry: dict) -> tuple[float, float, float]:
    """Area and first moments of a (Multi)Polygon in degrees, holes subtracted."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    area = mx = my = 0.0
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            a, x, y = _ring_moments(np.asarray(ring, dtype=float))
            sign = 1.0 if i == 0 else -1.0
            area, mx, my = area + sign * a, mx + sign * x, my + sign * y
    return area, mx, my


def read_boundaries(data: Path) -> pd.DataFrame:
    """code, name, area, lon, lat (planar centroid in degrees) of every boundary feature."""
    rows = []
    for level in ("province", "city", "county"):
        path = data / "maps" / f"amap_cnmaps_{level}_simplified_tol0.005.geojson"
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            p = feature["properties"]
            area, mx, my = polygon_moments(feature["geometry"])
            name = p["district"] or p["city"] or p["province"]
            rows.append((p["adcode"], name, area, mx / area, my / area))
    frame = pd.DataFrame(rows, columns=["code", "name", "area", "lon", "lat"])
    return frame.drop_duplicates("code").reset_index(drop=True)


def read_seats(data: Path) -> pd.DataFrame:
    seats = pd.read_csv(data / "admin_divisions" / "cpca_0.5.5_adcodes.csv", dtype=str)
    seats = seats.dropna(subset=["longitude", "latitude"])
    return pd.DataFrame(
        {
            "code": seats["adcode"].str[:6],
            "name": seats["name"],
            "lon": seats["longitude"].astype(float),
            "lat": seats["latitude"].astype(float),
        }
    ).drop_duplicates("code")


def coordinates(tree: pd.DataFrame, data: Path) -> pd.DataFrame:
    """lon, lat: the boundary centroid where a boundary of the same unit exists, else the
    seat's coordinates; municipal prefecture units share their municipality's."""
    out = pd.DataFrame({"lon": np.nan, "lat": np.nan}, index=tree.index)
    units = tree.loc[tree["depth"] > 0, ["code", "name_zh"]].rename(columns={"name_zh": "name"})
    municipal = units["code"].isin([m + "0100" for m in MUNICIPALITIES])
    units = units[~municipal]
    boundaries = read_boundaries(data)
    for source, label in ((boundaries, "boundary centroid"), (read_seats(data), "seat")):
        missing = units[out.loc[units.index, "lon"].isna()]
        rows = match_units(missing, source, set(tree["code"]))
        found = rows.dropna()
        out.loc[found.index, "lon"] = found.map(source["lon"])
        out.loc[found.index, "lat"] = found.map(source["lat"])
        log.info("%d coordinates from the %s", len(found), label)
    province = tree["code"].str[:2] + "0000"
    position = pd.Series(tree.index, index=tree["code"])
    for column in ("lon", "lat"):
        out.loc[municipal.index[municipal], column] = (
            province[municipal.index[municipal]].map(position).map(out[column])
        )
    provinces = boundaries[boundaries["code"].str.endswith("0000")]
    weights = provinces["area"] / provinces["area"].sum()
    nation = tree.index[tree["code"] == NATION]
    out.loc[nation, "lon"] = (provinces["lon"] * weights).sum()
    out.loc[nation, "lat"] = (provinces["lat"] * weights).sum()
    return out.round(4)


def build(data: Path) -> pd.DataFrame:
    mca = pd.read_csv(data / "admin_divisions" / "canghailan_ChinaAreaCode_MCA2019.csv", dtype=str)
    tree = romanise(build_tree(mca))
    table = pd.concat([tree, populations(tree, data), coordinates(tree, data)], axis=1)
    return table[COLUMNS]


def summarise(table: pd.DataFrame, out: Path) -> None:
    log.info("units by depth and kind:\n%s", table.groupby(["depth", "kind"]).size().to_string())
    years = table["population_year"].astype("string").fillna("none").value_counts()
    log.info("population year:\n%s", years.to_string())
    for column in ("population", "lon"):
        missing = table[table[column].isna()]
        units = " ".join(missing["code"] + " " + missing["name_zh"]) or "none"
        log.info("without %s: %s", column, units)
    log.info("wrote %s (%d rows, %d bytes)", out, len(table), out.stat().st_size)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    table = build(args.data)
    # mtime 0 keeps the gzip bytes identical from one build to the next
    table.to_csv(args.out, index=False, encoding="utf-8",
                 compression={"method": "gzip", "mtime": 0})  # fmt: skip
    summarise(table, args.out)


if __name__ == "__main__":
    main()
