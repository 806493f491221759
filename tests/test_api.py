"""The Python API an analyst drives from a notebook."""

import datetime as dt

import pandas as pd

import tongchou


def test_situation_and_rt_from_python(china_store):
    table = tongchou.situation(
        china_store, dt.date(2020, 2, 23), level="prefecture", region="湖北", sort="confirmed"
    )
    assert isinstance(table, pd.DataFrame)
    assert table.index[0] == "420100" and len(table) == 17
    rt = tongchou.rt(china_store, "wuhan", as_of=dt.date(2020, 3, 1), si_mean=5.09, si_sd=5.26)
    assert rt.index[-1] == pd.Timestamp("2020-03-01")
    assert rt["mean"].iloc[-1] < 1


def test_a_sort_column_that_does_not_exist_is_named(china_store):
    import pytest

    from tongchou.errors import InputError

    with pytest.raises(InputError, match="no column 'newest'"):
        tongchou.situation(china_store, dt.date(2020, 2, 23), sort="newest")


def test_zones_forecast_and_hospital_from_python(china_store):
    day = dt.date(2020, 2, 23)
    zoning = tongchou.zone(china_store, day, level="prefecture")
    table = tongchou.zone_table(zoning)
    assert isinstance(table, pd.DataFrame) and len(table) == 366
    forecast = tongchou.forecast(china_store, day, region="湖北", horizon=7)
    assert isinstance(forecast, pd.DataFrame) and len(forecast) > 0
    beds = tongchou.hospital(china_store, day, region="湖北", horizon=7)
    assert isinstance(beds, pd.DataFrame) and len(beds) > 0
