"""The bundled Baidu flows and users' own matrices."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tongchou.errors import InputError
from tongchou.scenarios import TRIPS_PER_INDEX, Mobility, china_mobility, mobility_from_frame

WUHAN = "420100"


@pytest.fixture(scope="module")
def china():
    return china_mobility()


def test_china_flows_cover_the_prefecture_units_and_four_months(china):
    assert len(china.codes) == 366
    assert china.start == dt.date(2020, 1, 1) and china.end == dt.date(2020, 4, 30)
    assert {"110100", "429004", "659001", "460300"} <= set(china.codes)
    assert china.flows.dtype == np.float32 and (china.flows >= 0).all()
    assert (np.diagonal(china.flows, axis1=1, axis2=2) == 0).all()


def test_wuhan_outflow_matches_the_source_index(china):
    # Baidu's Wuhan outflow index (sum over its top destinations): 11.05 on 22 January,
    # 0.23 on 1 February (README of the source data); the file drops flows under 3e-4 and
    # rounds to 1%, so the sums agree within a few percent
    wuhan = china.codes.index(WUHAN)
    index = china.flows[:, wuhan].sum(axis=1) / TRIPS_PER_INDEX
    assert index[21] == pytest.approx(11.048, rel=0.02)
    assert index[31] == pytest.approx(0.232, rel=0.05)
    assert not china.imputed[:, wuhan].any()


def test_never_reported_origins_mirror_their_inflow(china):
    naqu = china.codes.index("540600")  # 那曲: a destination only in the source
    assert china.imputed[:, naqu].all()
    assert np.allclose(china.flows[10, naqu], china.flows[10, :, naqu], rtol=0.03)


def test_restored_wuhan_keeps_the_other_origins_volume(china):
    restored = china.restored(
        [WUHAN], dt.date(2020, 1, 23), (dt.date(2020, 1, 16), dt.date(2020, 1, 22))
    )
    wuhan = china.codes.index(WUHAN)
    others = np.arange(len(china.codes)) != wuhan
    day = 40  # 10 February
    before = china.flows[day][others].sum(axis=1)
    after = restored.flows[day][others].sum(axis=1)
    assert np.allclose(before, after, rtol=1e-4)
    assert restored.flows[day, wuhan].sum() > 5 * china.flows[day, wuhan].sum()
    assert np.array_equal(restored.flows[:23], china.flows[:23])


def test_flows_from_a_table():
    table = pd.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["B", "C", "A"],
            "trips": [10, 5, 2],
            "date": ["2021-03-01", "2021-03-02", "2021-03-02"],
        }
    )
    mobility = mobility_from_frame(table, ["A", "B", "C"])
    assert mobility.start == dt.date(2021, 3, 1) and mobility.days == 2
    assert mobility.flows[1, 0, 2] == 5 and mobility.flows[1, 1, 0] == 2


def test_rows_for_unknown_regions_and_negative_trips_are_named():
    table = pd.DataFrame({"origin": ["A", "X"], "destination": ["B", "A"], "trips": [1, -4]})
    with pytest.raises(InputError) as error:
        mobility_from_frame(table, ["A", "B"], place="flows.csv")
    text = str(error.value)
    assert "flows.csv:3:origin: region is not in the model (found 'X'" in text
    assert "flows.csv:3:trips: trips must be a number >= 0 (found -4" in text


def test_negative_matrix_entries_name_the_pair_and_day():
    flows = np.zeros((2, 2, 2), dtype=np.float32)
    flows[1, 0, 1] = -1
    with pytest.raises(InputError, match="2020-01-02 trips A -> B must be >= 0"):
        Mobility(("A", "B"), flows, dt.date(2020, 1, 1))


def test_window_outside_the_data_says_which_dates_exist(china):
    with pytest.raises(InputError, match="dates within 2020-01-01 .. 2020-04-30"):
        china.window(dt.date(2020, 4, 1), 60)
    longer = china.subset(["420100", "110100"]).extended(dt.date(2020, 5, 30))
    assert longer.end == dt.date(2020, 5, 30)
    assert np.array_equal(longer.flows[-7:], longer.flows[-14:-7])
