"""Zones of China on 23 February 2020, from the bundled series (what is known to be true).

The 2020 standard's unit is the county; the bundled series are mostly by prefecture (about 100
county rows, in the municipalities), so the prefecture level is where the data allow a whole
map. Clusters are not in the data: the ruleset's proxy stands in, and says so.
"""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from tongchou.errors import InputError
from tongchou.services import zone_decisions as decisions
from tongchou.services.situation import assess
from tongchou.services.zones import (
    write_zone_csv,
    zone,
    zone_changes,
    zone_counts,
    zone_geojson,
    zone_summary,
    zone_table,
)

SPEECH_DAY = dt.date(2020, 2, 23)
WUHAN = "420100"
# The hard-hit Hubei cities: every prefecture-level unit of Hubei with more than 50 cases.
HUBEI_HIGH = [
    "420100",
    "420200",
    "420300",
    "420500",
    "420600",
    "420700",
    "420800",
    "420900",
    "421000",
    "421100",
    "421200",
    "421300",
    "422800",
    "429004",
    "429005",
    "429006",
]
SHENNONGJIA = "429021"  # 11 cases in all
FEW_CASES = {"540000": "Tibet", "630000": "Qinghai", "650000": "Xinjiang"}


@pytest.fixture(scope="module")
def assessment(china_store):
    return assess(china_store, SPEECH_DAY)


@pytest.fixture(scope="module")
def zoning(assessment):
    return zone(assessment, SPEECH_DAY, level="prefecture")


@pytest.fixture(scope="module")
def table(zoning):
    return zone_table(zoning)


def test_wuhan_and_the_hard_hit_hubei_cities_are_high(table):
    assert (table.loc[HUBEI_HIGH, "level"] == "high").all()
    assert table.loc[SHENNONGJIA, "level"] == "medium"
    assert table.loc[WUHAN, "reason"] == (
        "high risk: cumulative 46,201 > 50 and a cluster within 14 days "
        "(proxy: >= 3 new confirmed cases within 7 days)"
    )
    assert table.loc[WUHAN, "confirmed_cumulative"] == 46201


def test_most_prefectures_of_provinces_with_few_cases_are_low(zoning, table):
    counts = zone_counts(zoning)
    for province in FEW_CASES:
        row = counts.loc[province]
        assert row["low"] / row["total"] > 0.7, (province, row.to_dict())
        assert row["high"] == 0
    assert counts.loc[["540000", "630000"], "low"].tolist() == [7, 8]  # all low
    assert table.loc["540200", "reason"].startswith("low risk: no confirmed case")


def test_counts_add_up_and_the_proxy_is_named_everywhere(zoning, table):
    counts = zone_counts(zoning)
    nation = counts.iloc[0]
    assert nation["name"] == "nation" and nation["total"] == 366 == len(table)
    assert counts.iloc[1:][["low", "medium", "high", "undecided", "total"]].sum().tolist() == (
        nation[["low", "medium", "high", "undecided", "total"]].tolist()
    )
    assert zoning.proxied.all()
    assert table["reason"].str.contains("proxy").all()
    assert table["clusters"].eq("proxy: >= 3 new confirmed cases within 7 days").all()


def test_the_share_without_a_confirmed_case_is_said_at_the_level_of_the_data(assessment):
    summary = zone_summary(assessment, SPEECH_DAY)
    assert summary.loc["total", "units"] == 366
    assert summary.loc[["low", "medium", "high", "undecided"], "units"].sum() == 366
    # 41 of the 365 prefecture-level units with a count had no case: 11%, against the
    # speech's 46% of counties; one unit (Fushun) has no report at all.
    assert summary.loc["no_confirmed_case", "units"] == 41
    assert summary.attrs["known"] == 365
    assert summary.loc["no_confirmed_case", "share"] == pytest.approx(41 / 365)
    assert "46%" in summary.attrs["note"] and "prefecture" in summary.attrs["note"]
    zh = zone_summary(assessment, SPEECH_DAY, lang="zh")
    assert zh.loc["no_confirmed_case", "label"] == "无确诊病例" and "46%" in zh.attrs["note"]


def test_at_county_level_the_data_decide_few_units(assessment):
    summary = zone_summary(assessment, SPEECH_DAY, level="county")
    assert summary.loc["total", "units"] == 2853
    assert summary.attrs["known"] < 200
    assert summary.loc["undecided", "units"] > 2600


def test_changes_since_the_day_before(zoning):
    changes = zone_changes(zoning)
    assert not changes.empty
    assert set(changes["direction"]) <= {"up", "down", "start"}
    down = changes[changes["direction"] == "down"]
    assert (down["reason"].str.startswith("low risk: no new confirmed case for 14")).all()
    assert (changes["date"] == SPEECH_DAY).all()


def test_csv_and_geojson_exports(table, tmp_path):
    path = write_zone_csv(table, tmp_path / "zones.csv")
    back = pd.read_csv(path, dtype={"region": str}, encoding="utf-8-sig").set_index("region")
    assert len(back) == 366
    assert list(back.columns[:6]) == ["name", "province", "level", "label", "colour", "reason"]
    assert back.loc[WUHAN, "level"] == "high" and back.loc[WUHAN, "colour"] == "#e53935"
    collection, missing = zone_geojson(table, "prefecture")
    assert missing == []
    features = {f["properties"]["code"]: f for f in collection["features"]}
    assert len(collection["features"]) == 370  # 366 units and 4 outlines with no unit
    wuhan = features[WUHAN]["properties"]
    assert wuhan["level"] == "high" and wuhan["adcode"] == WUHAN and wuhan["name"] == "武汉市"
    assert features["540200"]["properties"]["level"] == "low"
    assert collection["properties"]["as_of"] == "2020-02-23"
    json.dumps(collection)  # serialisable as it is


def test_a_stored_replay_on_real_data(china_store):
    start, end = dt.date(2020, 2, 17), SPEECH_DAY
    report = decisions.replay_zones(china_store, start, end, level="prefecture", within="湖北")
    assert report.rows == 17 * 7
    stored = decisions.stored_zones(china_store, start, end, codes=[WUHAN])
    assert stored["level"].tolist() == ["high"] * 7
    assert (report.counts["high"] == 16).all()
    assert np.isin(report.transitions["region"], [*HUBEI_HIGH, SHENNONGJIA]).all()


def test_a_ruleset_needing_series_the_store_lacks_names_the_metrics(assessment):
    with pytest.raises(InputError) as caught:
        zone(assessment, SPEECH_DAY, ruleset="us-cdc-community-2022")
    text = str(caught.value)
    assert "needs admissions_new, which the store does not hold (expected admitted_new" in text
    assert "needs bed_occupancy" in text and "in_hospital / beds" in text
