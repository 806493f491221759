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
