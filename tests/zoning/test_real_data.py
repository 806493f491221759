"""China 2020, six cities (tests/zoning/data): what is known to be true of 24 February 2020."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tongchou.zoning import classify_frames, replay

WUHAN, LHASA, SHIGATSE, URUMQI = "420100", "540100", "540200", "650100"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    raw = pd.read_csv(
        Path(__file__).parent / "data" / "china_2020_cumulative.csv", index_col="date"
    ).astype(float)
    # Cleaning for these tests: carry the last total over days without a row, and keep the
    # highest total so far where a revision went down (new cases are never negative).
    cumulative = raw.ffill().cummax().T
    cumulative.columns = [dt.date.fromisoformat(d) for d in cumulative.columns]
    new = cumulative.diff(axis=1)
    return {"confirmed_cumulative": cumulative, "confirmed_new": new}


def test_24_february_2020(frames):
    result = classify_frames("cn-2020-county", frames, days=[dt.date(2020, 2, 24)])
    levels = result.frame()[dt.date(2020, 2, 24)]
    assert levels[WUHAN] == "high"
    assert levels[LHASA] == "low"
    assert levels[SHIGATSE] == "low"
    assert levels[URUMQI] == "medium"  # last new case on 14 February
    row = list(result.regions).index(WUHAN)
    assert result.reason(row) == (
        "high risk: cumulative 46,607 > 50 and a cluster within 14 days "
        "(proxy: >= 3 new confirmed cases within 7 days)"
    )
    assert result.reason(list(result.regions).index(SHIGATSE), lang="zh").startswith(
        "低风险：无确诊病例"
    )


def test_urumqi_becomes_low_after_14_days_without_a_case(frames):
    dates = list(frames["confirmed_new"].columns)
    inputs = {name: frame.to_numpy() for name, frame in frames.items()}
    start = dates.index(dt.date(2020, 2, 10))
    result = replay(
        "cn-2020-county",
        inputs,
        days=slice(start, None),
        dates=dates,
        regions=list(frames["confirmed_new"].index),
    )
    table = result.transitions()
    urumqi = table[table.region == URUMQI]
    assert urumqi[["date", "from", "to"]].values.tolist() == [
        [dt.date(2020, 2, 28), "medium", "low"]
    ]
    assert urumqi.reason.iloc[0].startswith(
        "low risk: no new confirmed case for 14 consecutive days (>= 14)"
    )
    wuhan = result.frame().loc[WUHAN]
    assert (wuhan == "high").all()
    assert np.isin(result.level, [0, 1, 2]).all()
