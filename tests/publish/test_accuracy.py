"""Accurate by construction: every headline number of a written bulletin, recomputed from the
stored facts; and on 2020-02-23 the nation's and Hubei's figures are those of the source."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from tongchou.store.panels import read_panel
from tongchou.surveillance.defaults import SERIAL_INTERVAL_LI_2020
from tongchou.surveillance.rt import estimate_rt

from .conftest import DAY, HUBEI, page_data

METRICS = ["confirmed", "suspected", "cured", "dead"]


@pytest.fixture(scope="module")
def facts(china_store):
    """The stored values up to the day, as known that day (the store's own reads)."""
    return read_panel(china_store, METRICS, dt.date(2019, 12, 1), DAY, as_of=DAY)


@pytest.fixture(scope="module")
def source():
    """The bundled source file as published, rows of the nation and of the provinces."""
    path = resources.files("tongchou") / "data" / "china_daily_2020.csv.xz"
    with resources.as_file(path) as file:
        table = pd.read_csv(file, dtype={"provinceCode": str, "cityCode": str})
    table = table[table["city"].isna()].drop_duplicates(["date", "province"])
    table["code"] = table["provinceCode"].fillna("CN")
    return table.set_index(["code", "date"])


def recomputed(facts, code: str, population: float) -> tuple[dict, dict]:
    """Each headline number from the stored cumulative counts alone, on the day and the day
    before."""
    row = facts.regions.get_loc(code)
    c, s, r, d = (facts[m][row] for m in METRICS)
    new = np.diff(np.r_[0.0, np.nan_to_num(c)])

    def on(k: int) -> dict:
        return {
            "new_confirmed": new[k],
            "confirmed": c[k],
            "active": c[k] - r[k] - d[k],
            "suspected": s[k],
            "cured": r[k],
            "dead": d[k],
            "new_cured": r[k] - r[k - 1],
            "new_dead": d[k] - d[k - 1],
            "cure_rate": r[k] / c[k],
            "infection_rate": c[k] / population * 1e5,
            "naive_fatality_rate": d[k] / c[k],
        }

    today = on(-1)
    # Rt as Cori et al. (2013) define it, on the daily counts, a week's window
    rt = estimate_rt(np.clip(new, 0, None), si=SERIAL_INTERVAL_LI_2020.serial_interval(), window=7)
    today["rt"] = rt.mean[-1]
    today["rt_lower"], today["rt_upper"] = rt.quantile(0.025)[-1], rt.quantile(0.975)[-1]
    return today, on(-2)


@pytest.mark.parametrize("which", ["national", "hubei"])
def test_every_headline_number_is_the_stored_facts_recomputed(which, request, facts, china_store):
    written = request.getfixturevalue(which)
    data = page_data(written.page)
    code = data["scope"]["code"]
    population = data["table"]["population"][data["table"]["code"].index(code)]
    expected, previous = recomputed(facts, code, population)
    shown = {f["key"]: f for f in [*data["headline"], *data["rates"], *data["rt"]]}
    checked = 0
    for key, value in expected.items():
        assert shown[key]["value"] == pytest.approx(value, rel=1e-4, abs=1e-3), key
        checked += 1
        if key in previous:
            assert shown[key]["previous"] == pytest.approx(previous[key], rel=1e-4, abs=1e-3)
            assert shown[key]["change"] == pytest.approx(value - previous[key], rel=1e-3, abs=2e-3)
    assert checked == len(expected)
    # a rate the source does not report stays unreported, never 0
    assert shown["admission_rate"]["value"] is None


def test_the_page_shows_the_numbers_it_carries(national, national_data):
    html = national.page.read_text(encoding="utf-8")
    shown = dict(
        re.findall(
            r'data-key="(\w+)">\s*<div class="figure-label">.*?data-value="([^"]*)"', html, re.S
        )
    )
    carried = {f["key"]: f["value"] for f in national_data["headline"]}
    assert shown and set(shown) <= set(carried)
    for key, text in shown.items():
        assert float(text) == carried[key]
    assert "77,262" in html and "49,910" in html


@pytest.mark.parametrize(("code", "which"), [("CN", "national"), (HUBEI, "hubei")])
def test_23_february_figures_equal_the_bundled_source(code, which, request, source):
    data = page_data(request.getfixturevalue(which).page)
    shown = {f["key"]: f["value"] for f in data["headline"]}
    today, before = source.loc[(code, "2020-02-23")], source.loc[(code, "2020-02-22")]
    for key in METRICS:
        assert shown[key] == today[key], key
    assert shown["new_confirmed"] == today["confirmed"] - before["confirmed"]
    assert shown["new_cured"] == today["cured"] - before["cured"]
    assert shown["new_dead"] == today["dead"] - before["dead"]
    assert shown["active"] == today["confirmed"] - today["cured"] - today["dead"]


def test_the_source_figures_are_the_well_known_ones(source):
    """The nation's 77,262 confirmed cases and Hubei's 64,287 of 23 February 2020."""
    assert source.loc[("CN", "2020-02-23"), "confirmed"] == 77262
    assert source.loc[(HUBEI, "2020-02-23"), "confirmed"] == 64287
