"""Calibration recovers parameters from data the model itself made, and on China before 23
January 2020 finds most infections undocumented."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tongchou.errors import InputError
from tongchou.scenarios import (
    Drivers,
    Mobility,
    Parameters,
    build_model,
    calibrate,
    china_model,
    simulate,
)
from tongchou.scenarios.calibration import reporting_delay

START = dt.date(2020, 1, 1)
DATA = Path(__file__).parent / "data" / "china_cases_2020-01-10_23.csv"


def synthetic_reports(gravity_network, truth, days, travel, contacts=None):
    """Reported cases of one stochastic run of the model: documented infections delayed as
    the filter assumes, with Poisson noise. `contacts`: (regions, days) multipliers."""
    codes, population, flows = gravity_network(20, seed=1, travel=travel)
    frame = pd.DataFrame({"code": codes, "population": population})
    model = build_model(frame, mobility=Mobility(tuple(codes), flows), parameters=truth)
    run = simulate(
        model.initial_state({"R00": {"E": 300, "Iu": 300}}),
        truth,
        flows,
        days,
        seed=7,
        drivers=Drivers(contacts=contacts),
        record=("cases",),
    )
    cases = run.series["cases"][0].astype(float)
    weights = reporting_delay(9.0, 1.85)
    expected = np.zeros_like(cases)
    for lag in range(1, min(len(weights), days)):
        expected[:, lag:] += weights[lag] * cases[:, :-lag]
    reports = np.random.default_rng(2).poisson(expected)
    table = pd.DataFrame(reports, index=codes, columns=pd.date_range(START, periods=days))
    return frame, Mobility(tuple(codes), flows), table


def test_recovers_a_transmission_rate_that_changes(gravity_network):
    # beta 1.0, then 0.6 from day 25 on (contacts x 0.6); alpha known
    days, cut = 45, 25
    contacts = np.ones((20, days))
    contacts[:, cut:] = 0.6
    truth = Parameters(beta=1.0, alpha=0.3)
    frame, mobility, reports = synthetic_reports(gravity_network, truth, days, 0.01, contacts)
    model = build_model(frame, mobility=mobility, parameters=Parameters(alpha=0.3))
    fit = calibrate(
        model,
        reports,
        START,
        {"R00": {"E": (250, 350), "Iu": (250, 350)}},
        fit={"beta": (0.3, 1.5)},
        breakpoints=[START + dt.timedelta(days=cut)],
        members=150,
        iterations=4,
        seed=3,
    )
    for name, value in (("beta", 1.0), (f"beta@{START + dt.timedelta(days=cut)}", 0.6)):
        row = fit.parameters.loc[name]
        assert row["low"] < value < row["high"], name
        assert abs(row["mean"] - value) < 0.2, name
    # the fitted reports follow the observed ones
    late = fit.fitted.iloc[-10:]
    assert ((late["observed"] / late["median"]).between(0.6, 1.6)).all()


def test_recovers_transmission_and_documented_share_together(gravity_network):
    truth = Parameters(beta=1.0, alpha=0.3)
    frame, mobility, reports = synthetic_reports(gravity_network, truth, 40, 0.05)
    model = build_model(frame, mobility=mobility)
    fit = calibrate(
        model,
        reports,
        START,
        {"R00": {"E": (250, 350), "Iu": (250, 350)}},
        fit={"beta": (0.5, 1.5), "alpha": (0.05, 0.8)},
        members=300,
        iterations=6,
        seed=5,
    )
    for name, value in (("beta", 1.0), ("alpha", 0.3)):
        row = fit.parameters.loc[name]
        assert row["low"] < value < row["high"], name
    assert abs(fit.parameters.loc["beta", "mean"] - 1.0) < 0.25
    assert abs(fit.parameters.loc["alpha", "mean"] - 0.3) < 0.15
    low, high = fit.undocumented_share[1:]
    assert low < 0.7 < high


def test_counts_before_a_first_case_can_count_as_unobserved(gravity_network):
    truth = Parameters(beta=1.0, alpha=0.3)
    frame, mobility, reports = synthetic_reports(gravity_network, truth, 30, 0.05)
    model = build_model(frame, mobility=mobility)
    options = dict(
        start=START,
        seeds={"R00": {"E": (250, 350), "Iu": (250, 350)}},
        fit={"beta": (0.5, 1.5), "alpha": (0.05, 0.8)},
        members=40,
        iterations=2,
        seed=5,
    )
    before_first = reports.cumsum(axis=1) == 0
    assert before_first.to_numpy().any() and not before_first.to_numpy().all()
    masked = calibrate(model, reports.mask(before_first), **options)
    skipped = calibrate(model, reports, from_first_case=True, **options)
    whole = calibrate(model, reports, **options)
    pd.testing.assert_frame_equal(skipped.parameters, masked.parameters)
    assert not skipped.parameters.equals(whole.parameters)


def test_china_before_23_january_mostly_undocumented():
    """Li, Pei et al. 2020 estimated 86% (82-90%) of infections undocumented over 10-23
    January 2020. A short run of the same filter on the bundled flows and the published
    counts by prefecture must find most infections undocumented too (the full run, 300
    members and 10 iterations, is in docs/scenarios.md)."""
    model = china_model()
    cases = pd.read_csv(DATA, dtype={"code": str})
    dates = pd.date_range("2020-01-10", "2020-01-23").strftime("%Y-%m-%d")
    observed = (
        cases.pivot(index="code", columns="date", values="new_cases")
        .reindex(index=list(model.codes), columns=dates)
        .fillna(0.0)  # a unit without a row reported no case that day
    )
    assert observed.to_numpy().sum() == 808
    fit = calibrate(
        model,
        observed,
        "2020-01-10",
        {"420100": {"E": (0, 2000), "Iu": (0, 2000)}},
        members=60,
        iterations=3,
        seed=1,
    )
    alpha = fit.parameters.loc["alpha"]
    assert alpha["mean"] < 0.35
    assert 1 - alpha["mean"] > 0.65


def test_observations_for_unknown_regions_are_refused(network):
    model, _ = network
    table = pd.DataFrame([[1.0, 2.0]], index=["R99"], columns=["2020-01-02", "2020-01-03"])
    with pytest.raises(InputError, match="rows for regions not in the model"):
        calibrate(model, table, START, {}, fit={"beta": (0.5, 1.5)}, members=10, iterations=1)
    table = table.rename(index={"R99": "R01"})
    with pytest.raises(InputError, match=r"calibrate.seeds\[R00\]: unknown compartment"):
        calibrate(model, table, START, {"R00": {"I": (0, 5)}}, members=10, iterations=1)
    with pytest.raises(InputError, match="unknown parameter"):
        calibrate(model, table, START, {}, fit={"gamma": (0, 1)})
