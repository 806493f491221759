"""The analyst's API: build a model, run it, get labelled tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tongchou.errors import InputError
from tongchou.scenarios import Mobility, Parameters, build_model, china_model


def test_run_returns_labelled_tables(network):
    model, _ = network
    result = model.run("2020-03-01", 20, {"R00": {"E": 50, "Iu": 50}}, members=30, seed=4)
    table = result.frame("infections")
    assert list(table.index) == list(model.codes)
    assert table.columns[0] == pd.Timestamp("2020-03-01") and len(table.columns) == 20
    quantiles = result.quantiles("cases", q=(0.1, 0.9))
    assert quantiles.index.names == ["region", "date"]
    assert (quantiles[0.1] <= quantiles[0.9]).all()
    assert result.totals("infections").shape == (30,)
    # net travel moves people between regions; nobody is lost
    assert result.state().to_numpy().sum() == pytest.approx(model.population.sum())


def test_grouped_runs_add_up(network):
    model, _ = network
    groups = {code: ("north" if i < 4 else "south") for i, code in enumerate(model.codes)}
    seeds = {"R00": {"E": 50}}
    each = model.run("2020-03-01", 15, seeds, stochastic=False)
    grouped = model.run("2020-03-01", 15, seeds, stochastic=False, by=groups)
    assert grouped.groups == ["north", "south"]
    assert np.allclose(
        grouped.frame("infections").loc["north"], each.frame("infections").iloc[:4].sum()
    )
    nation = model.run("2020-03-01", 15, seeds, stochastic=False, by="nation")
    assert nation.frame("infections").iloc[0].sum() == pytest.approx(
        each.frame("infections").to_numpy().sum(), rel=1e-5
    )


def test_china_model_runs_by_province():
    model = china_model()
    assert len(model.codes) == 366 and model.population.sum() > 1.4e9
    result = model.run(
        "2020-01-10", 10, {"420100": {"E": 500, "Iu": 500}}, stochastic=False, by="province"
    )
    table = result.frame("infections")
    assert "420000" in table.index and len(table.index) == 31
    assert table.loc["420000"].sum() > 0.9 * table.to_numpy().sum()


def test_bad_models_and_seeds_are_named():
    frame = pd.DataFrame({"code": ["A", "B"], "population": [1000, -5]})
    with pytest.raises(InputError, match=r"model.population\[B\]"):
        build_model(frame)
    good = pd.DataFrame({"code": ["A", "B"], "population": [1000, 500]})
    stray = Mobility(("A", "B", "C"), np.zeros((3, 3)))
    with pytest.raises(InputError, match="rows for 1 region"):
        build_model(good, mobility=stray)
    model = build_model(good, parameters=Parameters())
    with pytest.raises(InputError, match="more people seeded than live there"):
        model.run(dt.date(2020, 1, 1), 5, {"B": {"E": 600}})
    with pytest.raises(InputError, match="unknown compartment"):
        model.run(dt.date(2020, 1, 1), 5, {"A": {"X": 1}})
    with pytest.raises(InputError, match="not a date"):
        model.run("first of May", 5, {"A": {"E": 1}})


def test_xarray_is_optional(network):
    model, _ = network
    result = model.run("2020-03-01", 5, {"R00": {"E": 5}}, members=2)
    try:
        import xarray  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match="xarray is not installed"):
            result.to_xarray()
    else:
        data = result.to_xarray()
        assert data["infections"].dims == ("member", "region", "date")
