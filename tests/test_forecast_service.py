"""Case forecasts wired to the store, the assessment and the command line: hand-made counts,
properties, and what is known of the bundled China 2020 data."""

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import Conflict, InputError, NotFound, TongchouError
from tongchou.forecast.quantiles import QUANTILE_LEVELS
from tongchou.forecast.scoring import _row_nanquantiles, backtest
from tongchou.ingest.importer import import_file
from tongchou.publish import fanchart
from tongchou.services.backtest import backtest_forecasts, count_late_values, forecast_backtest
from tongchou.services.forecast import (
    choose_units,
    forecast,
    forecast_regions,
    forecast_summary,
    renewal_inputs,
    spread_jump_backlog,
)
from tongchou.services.regions import stored_regions
from tongchou.services.situation import assess
from tongchou.store.database import open_store
from tongchou.surveillance.serial_interval import SerialInterval

HUBEI, WUHAN, BEIJING = "420000", "420100", "110000"
SPEECH_DAY = dt.date(2020, 2, 23)


@pytest.fixture(scope="module")
def speech_day(china_store):
    return assess(china_store, SPEECH_DAY)


@pytest.fixture
def china_copy(china_store, tmp_path):
    """A private copy of the bundled store, for tests that write to it."""
    path = tmp_path / "copy.db"
    source, target = sqlite3.connect(china_store.url.database), sqlite3.connect(path)
    source.backup(target)
    source.close(), target.close()
    engine = open_store(f"sqlite:///{path}")
    yield engine
    engine.dispose()


# --- the jump treatment -------------------------------------------------------------------


def test_a_jump_is_spread_back_over_the_week_before_it_by_hand():
    daily = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8, 100, 9], [0, 0, 0, 0, 0, 0, 0, 0, 70, 0]])
    jump = np.zeros(daily.shape, dtype=bool)
    jump[:, 8] = True
    spread, marked = spread_jump_backlog(daily, jump)
    # row 0: the week before holds 2..8 (sum 35, mean 5), so 95 moves back in proportion
    excess = 100 - 5
    np.testing.assert_allclose(spread[0, 1:8], np.arange(2, 9) * (1 + excess / 35))
    assert spread[0, 8] == 5 and spread[0, 0] == 1 and spread[0, 9] == 9
    # row 1: nothing before, so the 70 spread evenly over the 7 days
    np.testing.assert_allclose(spread[1, 1:8], 10.0)
    assert spread[1, 8] == 0
    assert marked[:, 8].all() and marked.sum() == 2


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 500), min_size=12, max_size=30),
    jump_days=st.sets(st.integers(0, 29), max_size=3),
)
def test_spreading_keeps_the_total_and_leaves_other_days(counts, jump_days):
    daily = np.array([counts], dtype=float)
    jump = np.zeros(daily.shape, dtype=bool)
    jump[0, [d for d in jump_days if d < daily.shape[1]]] = True
    spread, _ = spread_jump_backlog(daily, jump)
    assert spread.sum() == pytest.approx(daily.sum())
    assert (spread >= -1e-9).all()
    reach = np.zeros(daily.shape, dtype=bool)
    for day in np.flatnonzero(jump[0]):
        reach[0, max(0, day - 7) : day + 1] = True
    np.testing.assert_array_equal(spread[~reach], daily[~reach])


# --- what a forecast rests on -------------------------------------------------------------


def test_status_of_each_kind_of_region():
    si = SerialInterval.from_gamma(7.5, 3.4)
    days = 60
    daily = np.zeros((5, days))
    daily[0] = np.nan  # never reported
    daily[1, 5] = 3  # cases long ago only
    daily[2, -1] = 20  # first cases on the last day
    daily[3, -10:] = [0, 1, 0, 0, 1, 0, 0, 1, 0, 0]  # a few cases
    daily[4] = 100  # steady
    inputs = renewal_inputs(daily, np.zeros(daily.shape, bool), si)
    assert list(inputs.status) == ["no_data", "no_recent_cases", "no_estimate", "few_cases", "ok"]
    # a steady count of 100 a day renews itself: Rt close to 1
    assert inputs.rt_mean[4] == pytest.approx(1.0, abs=0.03)


def test_regions_without_data_are_flagged_not_zero_and_idle_ones_are_zero(speech_day):
    counties = speech_day.regions.level("county")
    rows = speech_day.panel.regions.get_indexer(counties)
    daily = speech_day.indicators.counts["confirmed"].daily[rows]
    never = [c for c, row in zip(counties, daily, strict=True) if np.isnan(row).all()][:2]
    quiet = np.nansum(daily[:, -30:], axis=1) == 0
    idle = [c for c, q, row in zip(counties, quiet, daily, strict=True) if q and np.nansum(row)]
    result = forecast_regions(speech_day, [*never, idle[0]], horizon=7, samples=50)
    assert list(result.inputs.status) == ["no_data", "no_data", "no_recent_cases"]
    assert np.isnan(result.forecast.quantiles[:2]).all()
    assert result.table().loc[never[0], "status"].eq("no_data").all()
    # nobody infectious within the serial interval's reach: nothing to renew
    assert (result.forecast.quantiles[2] == 0).all()


def test_forecast_rests_on_the_rt_the_situation_shows(speech_day):
    codes = speech_day.regions.level("province")
    kept = forecast_regions(speech_day, codes, horizon=3, samples=20, jumps="keep")
    rows = speech_day.panel.regions.get_indexer(codes)
    np.testing.assert_array_equal(kept.inputs.rt_shape, speech_day.rt.shape[rows, -1])
    np.testing.assert_array_equal(kept.inputs.rt_scale, speech_day.rt.scale[rows, -1])


def test_hubei_and_wuhan_on_23_february(speech_day, china_store):
    result = forecast_regions(speech_day, [HUBEI, WUHAN], horizon=14)
    assert list(result.inputs.status) == ["ok", "ok"]
    # the 12 February jump lies within the serial interval's reach and was spread back
    assert result.inputs.jump_spread.all()
    # Rt was below 1 by late February: the median falls over the fortnight
    median = result.forecast.median()
    assert (median[:, -1] < median[:, 0] / 3).all()
    # what Hubei then reported over the 14 days lies inside the 90% range of their sum
    later = assess(china_store, SPEECH_DAY + dt.timedelta(days=14))
    hubei = later.panel.row(HUBEI)
    reported = np.nansum(later.indicators.counts["confirmed"].daily[hubei, -14:])
    low, _, high = result.totals()[0]
    assert low <= reported <= high, (low, reported, high)


def test_tables_hold_every_region_day_and_quantile(speech_day):
    result = forecast_regions(speech_day, [HUBEI, BEIJING], horizon=5, samples=200)
    table = result.table()
    assert len(table) == 2 * 5
    quantiles = table[[f"q{q:g}" for q in QUANTILE_LEVELS]].to_numpy()
    assert (np.diff(quantiles, axis=1) >= 0).all()
    assert table.index.get_level_values("date")[0] == pd.Timestamp("2020-02-24")
    hub = result.hub()
    assert len(hub) == 2 * 5 * 23 and set(hub["horizon"]) == set(range(1, 6))
    overview = result.overview("zh")
    assert overview.loc[HUBEI, "name"] == "湖北省"
    assert overview.loc[HUBEI, "next_5d_low"] <= overview.loc[HUBEI, "next_5d"]


def test_summary_for_the_demo(speech_day):
    summary = forecast_summary(speech_day, [HUBEI, WUHAN])
    assert list(summary.index) == [HUBEI, WUHAN]
    for measure in ("new_cases", "beds"):
        low, mid, high = (summary[f"{measure}{end}"] for end in ("_low", "", "_high"))
        assert (low <= mid).all() and (mid <= high).all() and (low > 0).all()
    assert summary.attrs["last_day"] == dt.date(2020, 3, 8)
    assert set(summary["census_from"]) == {"estimated from cases"}


def test_bad_requests_are_clear(speech_day, china_store):
    with pytest.raises(InputError, match="horizon"):
        forecast_regions(speech_day, [HUBEI], horizon=400)
    with pytest.raises(InputError, match="jumps"):
        forecast_regions(speech_day, [HUBEI], jumps="ignore")
    with pytest.raises(InputError, match="rt_prior"):
        forecast_regions(speech_day, [HUBEI], rt_prior=(0, 1))
    with pytest.raises(NotFound, match="nowhere"):
        forecast(china_store, SPEECH_DAY, region="nowhere")


def test_choosing_regions(china_store):
    regions = stored_regions(china_store)
    assert len(choose_units(regions)) == 34
    assert choose_units(regions, "武汉") == [WUHAN]
    assert len(choose_units(regions, ["湖北"], "prefecture")) == 17


# --- backtests ----------------------------------------------------------------------------


def test_one_read_cut_at_each_origin_equals_reading_as_of_each(china_store):
    options = dict(codes=[HUBEI, WUHAN, BEIJING, "440000"], horizon=5, samples=100)
    first, last = dt.date(2020, 2, 10), dt.date(2020, 2, 13)
    sliced = backtest_forecasts(china_store, first, last, reads="slice", **options)
    read = backtest_forecasts(china_store, first, last, reads="as_of", **options)
    assert (sliced.reads, read.reads) == ("slice", "as_of")
    for name in ("wis", "covered_90"):
        for side in ("model", "baseline"):
            a, b = (
                getattr(getattr(sliced.scores, side), name),
                getattr(getattr(read.scores, side), name),
            )
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sliced.status, read.status)
    assert sliced.scores.model.wis.shape == (4, 4, 5)


def test_backtest_tables(china_store):
    result = backtest_forecasts(
        china_store, dt.date(2020, 2, 10), dt.date(2020, 2, 17), horizon=3, samples=100
    )
    assert result.reads == "slice"
    summary = result.summary()
    assert summary.loc["all", "scored"] == 8 * 34 * 3
    assert "jump spread back" in summary.index  # Hubei's 12 February
    assert list(result.by_horizon().index) == [1, 2, 3]
    assert list(result.by_week().index) == [dt.date(2020, 2, 10), dt.date(2020, 2, 17)]
    assert result.by_region().loc[HUBEI, "scored"] == 8 * 3
    for column in ("coverage_50", "coverage_90", "baseline_coverage_90"):
        assert summary[column].between(0, 1).all()
    frame = forecast_backtest(
        china_store, dt.date(2020, 2, 10), dt.date(2020, 2, 10), by="region", region="湖北",
        level="prefecture", horizon=2, samples=50,
    )  # fmt: skip
    assert len(frame) == 17


def test_late_values_refuse_the_cut_and_auto_reads_as_of(china_copy, tmp_path):
    first, last = dt.date(2020, 2, 5), dt.date(2020, 2, 7)
    assert count_late_values(china_copy, "confirmed", first, last) == 0
    correction = tmp_path / "correction.csv"
    correction.write_text("region,date,metric,value\n110000,2020-02-06,confirmed,300\n")
    import_file(china_copy, correction, reported_on=dt.date(2020, 2, 20))
    # the new version, known from the 20th, and the version it replaced, current until then
    assert count_late_values(china_copy, "confirmed", first, last) == 2
    # the correction came after the period: origins up to 2020-02-07 did not see it
    assert count_late_values(china_copy, "confirmed", dt.date(2020, 2, 21), last) == 0
    with pytest.raises(Conflict, match="as_of"):
        backtest_forecasts(china_copy, first, last, reads="slice", codes=[BEIJING], horizon=2)
    result = backtest_forecasts(china_copy, first, last, codes=[BEIJING], horizon=2, samples=20)
    assert result.reads == "as_of"


def test_backtest_period_errors(china_store):
    with pytest.raises(InputError, match="--to"):
        backtest_forecasts(china_store, dt.date(2020, 3, 1), dt.date(2020, 2, 1))
    with pytest.raises(InputError, match="nothing|no stored day"):
        backtest_forecasts(china_store, dt.date(2020, 4, 1), dt.date(2020, 6, 1))
    with pytest.raises(InputError, match="reads"):
        backtest_forecasts(china_store, dt.date(2020, 2, 1), dt.date(2020, 2, 2), reads="all")


def test_the_baseline_sees_the_counts_known_at_the_origin():
    final = np.full((1, 40), 10.0)

    def forecaster(origin):
        return np.full((1, 3, QUANTILE_LEVELS.size), 10.0)

    scores = backtest(final, [30], forecaster, horizon=3, known_at=lambda o: np.zeros((1, o + 1)))
    # known as zeros at the origin, so the baseline said zero and missed all 10s
    assert np.allclose(scores.baseline.absolute_error, 10.0)
    assert np.allclose(scores.model.wis, 0.0)
    with pytest.raises(InputError, match="known_at"):
        backtest(final, [30], forecaster, horizon=3, known_at=lambda o: np.zeros((1, 3)))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.floats(0, 0.9), st.integers(0, 10_000))
def test_row_quantiles_agree_with_numpy(columns, missing, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(6, columns))
    values[rng.random(values.shape) < missing] = np.nan
    values[:, 0] = rng.normal(size=6)  # every row holds at least one value
    expected = np.nanquantile(values, QUANTILE_LEVELS, axis=1).T
    np.testing.assert_allclose(_row_nanquantiles(values, QUANTILE_LEVELS), expected)


# --- the fan chart and the command line ---------------------------------------------------


def test_fan_chart_png(speech_day, tmp_path):
    result = forecast_regions(speech_day, [HUBEI, WUHAN], horizon=7, samples=100)
    path = fanchart.draw_fan_chart(
        tmp_path / "fan.png", result.names["en"], pd.date_range(end=SPEECH_DAY, periods=30),
        result.inputs.reported[:, -30:], pd.DatetimeIndex(result.dates()),
        result.forecast.quantiles, result.forecast.levels,
    )  # fmt: skip
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match="PNG"):
        fanchart.draw_fan_chart(tmp_path / "fan.svg", ["x"], None, None, None, None, None)


def test_fan_chart_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(TongchouError, match=r"tongchou\[plot\]"):
        fanchart.draw_fan_chart("fan.png", ["x"], None, None, None, None, None)


def tongchou(*args, store):
    return subprocess.run(
        [sys.executable, "-m", "tongchou", *args],
        text=True,
        capture_output=True,
        env={**os.environ, "TONGCHOU_DATABASE_URL": f"sqlite:///{store.url.database}"},
        timeout=300,
    )


def test_forecast_command(china_copy, tmp_path):
    result = tongchou(
        "forecast", "--as-of", "2020-02-23", "--region", "武汉", "--horizon", "3",
        "--samples", "200", "--format", "csv", store=china_copy,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table["date"]) == ["2020-02-24", "2020-02-25", "2020-02-26"]
    assert (table["region"] == int(WUHAN)).all() and (table["status"] == "ok").all()
    assert (table["q0.05"] <= table["q0.95"]).all()
    refused = tongchou("forecast", "--horizon", "400", store=china_copy)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "horizon" in refused.stderr and "365" in refused.stderr


def test_backtest_command(china_copy):
    result = tongchou(
        "forecast", "backtest", "--from", "2020-02-20", "--to", "2020-02-21", "--horizon", "2",
        "--samples", "50", "--by", "horizon", "--format", "json", store=china_copy,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_json(io.StringIO(result.stdout))
    assert list(frame["horizon"]) == [1, 2] and (frame["scored"] == 2 * 34).all()
