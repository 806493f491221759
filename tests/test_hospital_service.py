"""Beds from the case forecast, against the census and capacity in the store."""

import datetime as dt
import sqlite3

import numpy as np
import pandas as pd
import pytest

from tongchou.errors import InputError
from tongchou.ingest.importer import import_file
from tongchou.resources.hospital import project_hospital_demand
from tongchou.resources.published import CHINA_2020
from tongchou.services.forecast import forecast_regions
from tongchou.services.hospital import hospital, plan_hospital
from tongchou.services.situation import assess
from tongchou.store.database import open_store

HUBEI, WUHAN, BEIJING = "420000", "420100", "110000"
SPEECH_DAY = dt.date(2020, 2, 23)


@pytest.fixture(scope="module")
def forecast(china_store):
    assessment = assess(china_store, SPEECH_DAY)
    return forecast_regions(assessment, [HUBEI, WUHAN, BEIJING], horizon=10, samples=200)


@pytest.fixture
def store_with_beds(china_store, tmp_path):
    """A copy of the bundled store with illustrative (not real) census and capacity: Wuhan
    reports 6,000 patients (400 in ICU) on 22 February, 100 ward beds and 100,000 ICU beds;
    Beijing reports ward and ICU beds; Hubei reports nothing of its own."""
    path = tmp_path / "beds.db"
    source, target = sqlite3.connect(china_store.url.database), sqlite3.connect(path)
    source.backup(target)
    source.close(), target.close()
    engine = open_store(f"sqlite:///{path}")
    reports = tmp_path / "beds.csv"
    reports.write_text(
        "region,date,metric,value\n"
        "420100,2020-02-22,in_hospital,6000\n420100,2020-02-22,in_icu,400\n"
        "420100,2020-02-01,beds,100\n420100,2020-02-01,icu_beds,100000\n"
        "110000,2020-02-20,beds,5000\n110000,2020-02-20,icu_beds,500\n"
    )
    import_file(engine, reports)
    yield engine
    engine.dispose()


def test_census_estimated_from_past_cases_is_the_census_of_the_whole_series(forecast):
    plan = plan_hospital(forecast)
    assert list(plan.census_source) == ["estimated from cases"] * 3
    # the model is linear: past cases and forecast cases together make the census, path by path
    history = forecast.inputs.local
    path = forecast.forecast.paths[7]
    whole = project_hospital_demand(np.concatenate([history, path], axis=1), CHINA_2020)
    for measure in ("hospitalised", "icu", "ventilated", "admissions"):
        np.testing.assert_allclose(
            getattr(plan.demand, measure)[7], getattr(whole, measure)[:, -10:], rtol=1e-4,
            atol=1e-2,
        )  # fmt: skip


def test_nested_categories_on_every_path(forecast):
    demand = plan_hospital(forecast).demand
    assert (demand.ventilated <= demand.icu + 1e-3).all()
    assert (demand.icu <= demand.hospitalised + 1e-3).all()
    np.testing.assert_allclose(demand.ward, demand.hospitalised - demand.icu)


def test_without_capacity_the_run_out_is_unknown_not_zero(forecast):
    table = plan_hospital(forecast).run_out_table()
    assert not table["capacity_known"].any()
    assert table["probability"].isna().all() and table["runs_out"].isna().all()
    assert (table["peak"] > 0).all()


def test_stored_census_and_capacity(store_with_beds):
    assessment = assess(store_with_beds, SPEECH_DAY)
    result = forecast_regions(assessment, [HUBEI, WUHAN, BEIJING], horizon=10, samples=200)
    plan = plan_hospital(result, engine=store_with_beds)
    assert list(plan.census_source) == ["estimated from cases", "stored", "estimated from cases"]
    # Wuhan starts from its 6,000 patients (the cases alone would make about 2,800), who
    # leave by their remaining stays (mean stays of 11 to 12 days) as new ones come in
    first_day = plan.census_quantiles("hospitalised")[1, 0]
    admitted = plan.census_quantiles("admissions")[1, 0]
    assert first_day[0] > 0.85 * 6000 and first_day[2] < 6000 + admitted[2]
    table = plan.run_out_table()
    # 5,600 ward patients and 100 ward beds: out on the first day on every path
    ward = table.loc[(WUHAN, "ward_beds")]
    assert ward["probability"] == 1
    assert ward["runs_out"] == ward["runs_out_late"] == pd.Timestamp("2020-02-24")
    icu = table.loc[(WUHAN, "icu_beds")]
    assert icu["probability"] == 0 and pd.isna(icu["runs_out"])
    # Hubei reported no capacity of its own: Wuhan's is not taken for the province's
    assert not table.loc[(HUBEI, "ward_beds"), "capacity_known"]
    assert table.loc[(BEIJING, "ward_beds"), "capacity"] == 5000
    assert not table.xs("ventilators", level="resource")["capacity_known"].any()


def test_a_census_that_is_not_nested_is_refused(store_with_beds, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("region,date,metric,value\n110000,2020-02-23,in_hospital,10\n"
                   "110000,2020-02-23,in_icu,50\n")  # fmt: skip
    import_file(store_with_beds, bad)
    assessment = assess(store_with_beds, SPEECH_DAY)
    result = forecast_regions(assessment, [BEIJING], horizon=3, samples=20)
    with pytest.raises(InputError, match="in_icu of 110000.*in_icu <= in_hospital"):
        plan_hospital(result, engine=store_with_beds)


def test_hospital_tables_from_the_store(store_with_beds):
    table = hospital(store_with_beds, SPEECH_DAY, region="武汉", horizon=5, samples=100)
    assert list(table.index.get_level_values("resource")) == [
        "ward_beds", "icu_beds", "ventilators",
    ]  # fmt: skip
    demand = hospital(store_with_beds, SPEECH_DAY, region="武汉", horizon=5, samples=100,
                      demand=True)  # fmt: skip
    assert set(demand["measure"]) == {"admissions", "hospitalised", "ward", "icu", "ventilated"}
    assert len(demand) == 5 * 5
    assert (demand["q0.05"] <= demand["q0.95"]).all()
    with pytest.raises(InputError, match="horizon"):
        hospital(store_with_beds, SPEECH_DAY, region="武汉", horizon=366)
