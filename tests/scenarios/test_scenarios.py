"""Scenario files, levers and the comparison of scenarios."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pytest

from tongchou.errors import InputError
from tongchou.scenarios import apply, china_model, compare, load_scenario
from tongchou.scenarios.levers import Distancing, MobilityRestriction, WorkResumption
from tongchou.store.panels import read_panel

EXAMPLES = ["wuhan_2020", "wuhan_closure_3_days_later", "wuhan_no_closure"]
START = dt.date(2020, 1, 10)


@pytest.fixture(scope="module")
def china():
    return china_model()


def write(tmp_path, text: str, name: str = "scenario.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = textwrap.dedent(
    """\
    name: small
    start: 2020-02-01
    end: 2020-02-20
    seeds: {"R00": {E: 100, Iu: 100}}
    """
)


def test_levers_become_drivers():
    codes = ["A", "B", "C"]
    interventions = [
        MobilityRestriction(
            lever="mobility_restriction", regions=["A"], start=START, outflow=0.1, inflow=0.5
        ),
        Distancing(
            lever="distancing",
            regions="all",
            start=START + dt.timedelta(days=2),
            end=START + dt.timedelta(days=3),
            contacts=0.5,
        ),
        WorkResumption(
            lever="work_resumption",
            regions="all",
            exclude=["C"],
            start=START,
            share_open=[(START, 0.0), (START + dt.timedelta(days=4), 1.0)],
            contacts_at_work=0.4,
        ),
    ]
    effects = apply(interventions, codes, START, 6)
    drivers = effects.drivers
    assert drivers.outflow[0].tolist() == [0.1] * 6 and drivers.outflow[1].tolist() == [1.0] * 6
    assert drivers.inflow[0, 0] == 0.5
    assert effects.work_open[0].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert effects.work_open[2].tolist() == [1.0] * 6
    # contacts: work closed share x 0.4, times distancing on days 2-3
    assert np.allclose(drivers.contacts[0], [0.6, 0.7, 0.8 * 0.5, 0.9 * 0.5, 1.0, 1.0])
    assert np.allclose(drivers.contacts[2], [1, 1, 0.5, 0.5, 1, 1])


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_load_and_apply(name, china):
    scenario = load_scenario(name)
    initial, parameters, mobility, effects = scenario.prepare(china)
    wuhan = china.position["420100"]
    assert initial[wuhan, 1] == 2010
    assert mobility.source.endswith("restored")
    closed = effects.drivers.outflow[wuhan, 20]  # 30 January
    assert closed == {"wuhan-2020": 0.13, "wuhan-no-closure": 1.0}.get(scenario.name, 0.13)
    assert effects.drivers.beds[wuhan, -1] == pytest.approx(
        china.population[wuhan] * 5 / 1e4 + 2600
    )


def test_closure_three_days_later_moves_only_its_start(china):
    real = load_scenario("wuhan_2020").prepare(china)[3].drivers
    later = load_scenario("wuhan_closure_3_days_later").prepare(china)[3].drivers
    wuhan = china.position["420100"]
    days = np.flatnonzero(real.outflow[wuhan] != later.outflow[wuhan])
    assert days.tolist() == [14, 15, 16]  # 24-26 January
    assert np.array_equal(np.delete(real.outflow, wuhan, 0), np.delete(later.outflow, wuhan, 0))


def test_compare_reports_ranges_per_scenario(china):
    table = compare(EXAMPLES[::2], china, members=6, seed=1)
    assert list(table.index) == ["wuhan-2020", "wuhan-no-closure"]
    for measure in ("infections", "peak_infections", "days_over_capacity", "deaths"):
        low, mid, high = table[f"{measure}_low"], table[measure], table[f"{measure}_high"]
        assert (low <= mid).all() and (mid <= high).all()
    assert (table["infections"] > 0).all()
    assert table.loc["wuhan-2020", "activity"] < table.loc["wuhan-no-closure", "activity"] < 1


def test_unknown_region_names_file_and_key(tmp_path, network):
    model, _ = network
    path = write(
        tmp_path,
        MINIMAL
        + "interventions:\n"
        + '  - {lever: distancing, regions: ["R01", "R99"], start: 2020-02-05, contacts: 0.5}\n',
    )
    with pytest.raises(InputError) as error:
        load_scenario(path).prepare(model)
    assert "scenario.yaml: interventions[0].regions: unknown region (found 'R99'" in str(
        error.value
    )


def test_contradictory_overlap_is_refused(tmp_path, network):
    model, _ = network
    path = write(
        tmp_path,
        MINIMAL
        + "interventions:\n"
        + "  - {lever: distancing, regions: all, start: 2020-02-05, contacts: 0.5}\n"
        + '  - {lever: distancing, regions: ["R03"], start: 2020-02-10, end: 2020-02-12,'
        + " contacts: 0.2}\n"
        + '  - {lever: distancing, regions: ["R03"], start: 2020-02-01, end: 2020-02-04,'
        + " contacts: 0.2}\n",
    )
    with pytest.raises(InputError) as error:
        load_scenario(path).prepare(model)
    assert len(error.value.problems) == 1  # the third does not overlap in days
    problem = error.value.problems[0]
    assert problem.place == "scenario.yaml: interventions[1]"
    assert "contradicts interventions[0]" in problem.message


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "interventions:\n  - {lever: distancing, regions: all, start: 2020-02-05,"
            " contact: 1}\n",
            "scenario.yaml: interventions[0].contact: Extra inputs are not permitted",
        ),
        (
            "interventions:\n  - {lever: lockdown, regions: all, start: 2020-02-05}\n",
            "scenario.yaml: interventions[0]",
        ),
        (
            "interventions:\n  - {lever: distancing, start: 2020-02-05, contacts: 0.5}\n",
            "give exactly one of regions, provinces, zone",
        ),
        (
            "interventions:\n  - {lever: distancing, regions: all, start: 2020-02-05,"
            " end: 2020-02-01, contacts: 0.5}\n",
            "end 2020-02-01 is before start 2020-02-05",
        ),
        (
            "interventions:\n  - {lever: testing, regions: all, start: 2020-02-05,"
            " documented_share: 1.4}\n",
            "scenario.yaml: interventions[0].documented_share",
        ),
        ("parameters: {beta: -1}\n", "scenario.yaml: parameters.beta"),
        ("parameters: {gamma: 1}\n", "unknown parameter (found 'gamma'"),
    ],
)
def test_invalid_files_name_the_key(tmp_path, network, extra, message):
    model, _ = network
    path = write(tmp_path, MINIMAL + extra)
    with pytest.raises(InputError) as error:
        load_scenario(path).prepare(model)
    assert message in str(error.value)


def test_broken_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "name: x\nstart: [2020-01-01\n")
    with pytest.raises(InputError, match=r"scenario.yaml:3: not valid YAML"):
        load_scenario(path)


def test_base_scenarios_merge_and_drop_by_id(tmp_path, network):
    model, _ = network
    write(
        tmp_path,
        MINIMAL
        + "interventions:\n"
        + "  - {id: a, lever: distancing, regions: all, start: 2020-02-05, contacts: 0.5}\n"
        + "  - {id: b, lever: testing, regions: all, start: 2020-02-05, documented_share: 0.5}\n",
        "base.yaml",
    )
    child = write(
        tmp_path,
        textwrap.dedent(
            """\
            base: base.yaml
            name: child
            drop: [a]
            interventions:
              - {lever: distancing, regions: all, start: 2020-02-05, contacts: 0.8}
            """
        ),
        "child.yaml",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert [i.lever for i in scenario.spec.interventions] == ["testing", "distancing"]
    wrong = write(tmp_path, "base: base.yaml\nname: x\ndrop: [zz]\n", "wrong.yaml")
    with pytest.raises(InputError, match="wrong.yaml: drop: no intervention with this id"):
        load_scenario(wrong)


def test_zone_levels_come_from_the_caller(tmp_path, network):
    model, _ = network
    path = write(
        tmp_path,
        MINIMAL
        + "interventions:\n"
        + "  - {lever: distancing, zone: high, start: 2020-02-01, contacts: 0.2}\n",
    )
    scenario = load_scenario(path)
    with pytest.raises(InputError, match=r"interventions\[0\].zone: unknown zone"):
        scenario.prepare(model)
    effects = scenario.prepare(model, zones={"high": ["R01", "R02"]})[3]
    assert effects.drivers.contacts[:, 0].tolist() == [1, 0.2, 0.2, 1, 1, 1, 1, 1]


def test_capacity_adds_beds_where_known(tmp_path, network):
    model, _ = network
    path = write(
        tmp_path,
        MINIMAL
        + "interventions:\n"
        + '  - {lever: capacity, regions: ["R01"], start: 2020-02-03, end: 2020-02-05, beds: 50}\n'
        + "  - {lever: testing, regions: all, start: 2020-02-01, documented_share: 0.01}\n",
    )
    with pytest.raises(InputError, match=r"interventions\[1\].documented_share: below the share"):
        load_scenario(path).prepare(model)
    text = path.read_text().replace("documented_share: 0.01", "documented_share: 0.5")
    path.write_text(text)
    beds = load_scenario(path).prepare(model)[3].drivers.beds
    assert np.isnan(beds[0]).all()  # unknown: never counted as over capacity
    assert np.isnan(beds[1, :2]).all()
    assert beds[1, 2:5].tolist() == [50.0, 50.0, 50.0]
    assert np.isnan(beds[1, 5:]).all()


def test_the_2020_timeline_comes_near_the_reported_cases(china, china_store):
    """The real timeline's documented cases up to 29 April 2020 against those reported in
    Hubei and in the rest of the mainland (whose count also holds the cases imported from
    abroad from March on, which the model does not have)."""
    result, _ = load_scenario("wuhan_2020").run(
        china, members=10, seed=2, record=("cases",), by="province"
    )
    modelled = result.frame("cases").sum(axis=1)
    day = dt.date(2020, 4, 29)
    reported = read_panel(china_store, ["confirmed"], day, day)
    provinces = list(modelled.index)
    confirmed = {
        code: reported["confirmed"][reported.regions.get_loc(code)][0] for code in provinces
    }
    hubei = "420000"
    rest = [code for code in provinces if code != hubei]
    assert confirmed[hubei] == 68_128
    assert modelled[hubei] == pytest.approx(confirmed[hubei], rel=0.2)
    assert modelled[rest].sum() == pytest.approx(sum(confirmed[c] for c in rest), rel=0.3)
