"""What is known to be true of the 2020 epidemic, checked on the bundled data."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tongchou.services.situation import assess, rt_table, situation_table

WUHAN, HUBEI = "420100", "420000"


@pytest.fixture(scope="module")
def late_april(china_store):
    return assess(china_store, dt.date(2020, 4, 30))


def test_wuhan_report_date_rt_above_one_in_late_january_below_one_after_20_february(late_april):
    rt = rt_table(late_april, WUHAN)
    january = rt.loc["2020-01-24":"2020-01-31"]
    assert (january["q0.025"] > 1).all(), january[["mean", "q0.025"]]
    after = rt.loc["2020-02-21":"2020-03-31"]
    assert (after["mean"] < 1).all(), after.loc[after["mean"] >= 1, ["mean"]]


def test_the_12_february_jump_is_flagged_not_hidden(late_april):
    rt = rt_table(late_april, HUBEI)
    flagged = rt.index[rt["window_has_jump"]]
    # in the window until the 18th, then in the infectiousness of later windows: 7 days of
    # window and 14 of serial interval (its 95th percentile) in all
    assert set(pd.date_range("2020-02-12", "2020-03-03")) <= set(flagged)
    assert pd.Timestamp("2020-03-04") not in flagged
    hubei = late_april.panel.row(HUBEI)
    day = late_april.panel.day("2020-02-12")
    assert late_april.indicators.counts["confirmed"].jump[hubei, day]
    assert late_april.indicators.counts["confirmed"].daily[hubei, day] == 47163 - 33366


def test_the_17_april_wuhan_revision_of_deaths_is_a_flagged_jump(late_april):
    wuhan, day = late_april.panel.row(WUHAN), late_april.panel.day("2020-04-17")
    deaths = late_april.indicators.counts["dead"]
    assert deaths.daily[wuhan, day] == 1290  # 2,579 -> 3,869
    assert deaths.jump[wuhan, day]


def test_as_of_sees_only_what_was_known(china_store):
    early = assess(china_store, dt.date(2020, 2, 23))
    assert early.panel.dates[-1] == pd.Timestamp("2020-02-23")
    table = situation_table(early, [WUHAN])
    assert table.at[WUHAN, "confirmed"] == 46201


def test_situation_table_at_prefecture_level_has_every_unit(late_april):
    codes = late_april.regions.level("prefecture", HUBEI)
    table = situation_table(late_april, codes)
    assert len(table) == 17
    assert table["confirmed"].notna().all()
    assert np.isfinite(table.loc[WUHAN, "incidence_14d_per_100k"])
    assert table.attrs["definitions"]["cure_rate"].startswith("治愈率")


def test_a_short_history_is_assessed_too(tiny_store, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(
        "region,date,metric,value\nA1,2020-02-01,confirmed,1\n"
        "A1,2020-02-02,confirmed,3\nA1,2020-02-03,confirmed,4\n"
    )
    from tongchou.ingest.importer import import_file

    import_file(tiny_store, path)
    short = assess(tiny_store, dt.date(2020, 2, 3))
    assert short.panel.values.shape[1] == 3
    assert not short.rt_jump.any()
    assert situation_table(short, ["A1"]).at["A1", "new"] == 1
