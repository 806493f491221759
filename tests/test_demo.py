"""The demo on the bundled real data: the figures equal the source rows."""

import datetime as dt
import lzma
from importlib import resources

import pandas as pd
import pytest

from tongchou.services.demo import BUNDLED_SERIES, run_demo


@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    path = resources.files("tongchou") / "data" / BUNDLED_SERIES
    with lzma.open(path) as handle:
        return pd.read_csv(handle, dtype={"provinceCode": str, "cityCode": str})


@pytest.fixture(scope="module")
def demo_store(china_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulletins")
    return china_store, run_demo(china_store, dt.date(2020, 2, 23), "en", folder)


def source_row(source, day, province=None):
    rows = source.loc[(source["date"] == day) & source["city"].isna()]
    rows = (
        rows.loc[rows["province"].isna()]
        if province is None
        else rows.loc[rows["provinceCode"] == province]
    )
    assert len(rows) == 1
    return rows.iloc[0]


def test_national_headline_equals_the_source_rows(source, demo_store):
    _, result = demo_store
    today, before = source_row(source, "2020-02-23"), source_row(source, "2020-02-22")
    for metric in ("confirmed", "suspected", "cured", "dead"):
        assert result.headline.at[metric, "value"] == today[metric]
        assert result.headline.at[metric, "change"] == today[metric] - before[metric]
    assert result.headline.at["confirmed", "value"] == 77262  # as published that day


def test_top_provinces_are_hubei_first_with_the_source_figures(source, demo_store):
    _, result = demo_store
    assert result.top.index[0] == "420000"
    hubei_today = source_row(source, "2020-02-23", "420000")
    hubei_before = source_row(source, "2020-02-22", "420000")
    assert result.top.at["420000", "new"] == hubei_today["confirmed"] - hubei_before["confirmed"]
    assert result.top.at["420000", "confirmed"] == 64287
    assert len(result.top) == 10
    assert result.top["new"].is_monotonic_decreasing


def test_placeholder_rows_are_kept_as_their_own_units(demo_store):
    engine, _ = demo_store
    from tongchou.services.regions import stored_regions

    regions = stored_regions(engine)
    assert regions.frame.at["1100xy", "kind"] == "placeholder"  # 外地来京
    assert regions.frame.at["1100xy", "name_zh"] == "外地来京"
    assert "1100xy" not in regions.leaves()


def test_running_the_demo_again_adds_nothing(demo_store):
    engine, result = demo_store
    again = run_demo(engine, dt.date(2020, 2, 23), "en", result.bulletin.parent.parent)
    assert "0 values new" in again.setup[1]
    assert again.setup[0] == "regions: 0 added"


def test_the_demo_gives_rt_and_the_four_rates_for_nation_hubei_wuhan(demo_store):
    _, result = demo_store
    key = result.key_regions
    assert key.index.tolist() == ["CN", "420000", "420100"]
    assert key.at["420100", "confirmed"] == 46201  # Wuhan, as published on 23 February
    for column in ("rt", "cure_rate", "infection_rate", "naive_fatality_rate",
                   "adjusted_fatality_rate"):  # fmt: skip
        assert key[column].notna().all(), column
    # the fatality rate adjusted for the delay to death is above the naive one early on
    assert (key["adjusted_fatality_rate"] > key["naive_fatality_rate"]).all()
    assert key.at["420100", "cure_rate"] == pytest.approx(8186 / 46201)


def test_the_demo_ends_with_the_bulletin_of_the_day(demo_store):
    _, result = demo_store
    assert result.bulletin.exists() and result.bulletin.parent.name == "2020-02-23"
    assert "77,262" in result.bulletin.read_text(encoding="utf-8")
