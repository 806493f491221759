"""The scenario service: ensembles of scenario files compared, chunked and seeded so that a
Dask cluster gives the same numbers as a local run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from tongchou.errors import InputError
from tongchou.scenarios import Mobility, build_model, load_scenario
from tongchou.scenarios.compare import CHUNK_MEMBERS, run_chunk
from tongchou.services import scenarios as service

CODES = ["R0", "R1", "R2", "R3"]
POPULATION = np.array([1_000_000.0, 2_000_000.0, 500_000.0, 1_500_000.0])
MEMBERS = CHUNK_MEMBERS + 5  # a whole chunk and a part


@pytest.fixture(scope="module")
def model():
    flows = np.outer(POPULATION, POPULATION) / POPULATION.sum() * 0.01
    np.fill_diagonal(flows, 0.0)
    return build_model(
        pd.DataFrame({"code": CODES, "population": POPULATION}),
        mobility=Mobility(tuple(CODES), flows),
    )


def scenario(name: str, *interventions: dict, **keys) -> dict:
    return {
        "name": name,
        "title": f"{name} title",
        "start": "2020-01-10",
        "end": "2020-02-18",
        "seeds": {"R0": {"E": 200, "Iu": 200}},
        "capacity": {"beds_per_10k": 0.5},
        "interventions": list(interventions),
        **keys,
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios")
    open_ = scenario("open")
    distanced = scenario(
        "distanced",
        {"lever": "distancing", "regions": "all", "start": "2020-01-15", "contacts": 0.3},
        {"lever": "work_resumption", "regions": ["R0"], "start": "2020-01-10", "share_open": 0.5},
    )
    paths = []
    for spec in (open_, distanced):
        path = folder / f"{spec['name']}.yaml"
        path.write_text(yaml.safe_dump(spec))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def comparison(files, model):
    return service.compare_scenarios(files, members=MEMBERS, seed=7, model=model)


def test_table_has_ordered_ranges_and_distancing_cuts_infections(comparison):
    table = comparison.table()
    assert list(table.index) == ["open", "distanced"]
    assert list(table["title"]) == ["open title", "distanced title"]
    for measure in ("infections", "peak_infections", "days_over_capacity", "deaths"):
        assert (table[f"{measure}_low"] <= table[measure]).all()
        assert (table[measure] <= table[f"{measure}_high"]).all()
    assert table.loc["distanced", "infections_high"] < table.loc["open", "infections_low"]
    assert table.loc["open", "infections"] > 0
    first, last = pd.Timestamp("2020-01-10").date(), pd.Timestamp("2020-02-18").date()
    assert all(first <= d <= last for d in table["peak_date"])


def test_activity_is_the_population_weighted_share_open(comparison):
    table = comparison.table()
    weight = POPULATION[0] / POPULATION.sum()
    assert table.loc["open", "activity"] == pytest.approx(1.0)
    assert table.loc["distanced", "activity"] == pytest.approx(0.5 * weight + (1 - weight))


def test_members_run_in_chunks_seeded_from_the_seed(comparison, files, model):
    outcome = comparison.outcomes[0]
    assert outcome.infections.shape == (MEMBERS, 1, 40)  # the nation as one group
    seeds = np.random.SeedSequence(7).spawn(2)
    spec = load_scenario(files[0])
    prepared = spec.prepare(model)
    first = run_chunk(spec, model, prepared, CHUNK_MEMBERS, seeds[0])
    second = run_chunk(spec, model, prepared, 5, seeds[1])
    np.testing.assert_array_equal(outcome.infections, np.concatenate([first[0], second[0]]))
    np.testing.assert_array_equal(outcome.deaths, np.concatenate([first[1], second[1]]))


def test_series_is_the_daily_median_and_range_per_scenario(comparison):
    series = comparison.series()
    assert series.shape == (80, 3)
    open_ = series.loc["open"]
    assert len(open_) == 40 and open_.index[0] == pd.Timestamp("2020-01-10")
    np.testing.assert_allclose(
        open_["median"], np.median(comparison.outcomes[0].infections[:, 0], axis=0)
    )
    assert (series["low"] <= series["median"]).all() and (series["median"] <= series["high"]).all()


def test_the_same_seed_gives_the_same_table(files, model, comparison):
    again = service.run_scenarios(files, members=MEMBERS, seed=7, model=model)
    pd.testing.assert_frame_equal(again, comparison.table())
    other = service.run_scenarios(files[:1], members=MEMBERS, seed=8, model=model)
    assert other.loc["open", "infections"] != again.loc["open", "infections"]


def test_examples_are_listed_with_their_titles():
    examples = service.example_scenarios()
    assert list(examples.index) == [
        "wuhan_2020",
        "wuhan_closure_3_days_later",
        "wuhan_no_closure",
    ]
    assert examples["description"].str.len().min() > 20
    assert examples["description"].nunique() == 3


def test_unknown_file_is_named(model):
    with pytest.raises(InputError, match="no such scenario file.*missing.yaml"):
        service.run_scenarios(["missing.yaml"], members=2, model=model)


def test_unknown_region_is_named_with_file_and_key(tmp_path, model):
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            scenario("bad", {"lever": "distancing", "regions": ["R9"], "start": "2020-01-15",
                             "contacts": 0.5})
        )
    )  # fmt: skip
    with pytest.raises(InputError, match=r"bad.yaml: interventions\[0\].*R9"):
        service.run_scenarios([path], members=2, model=model)
    seeds = dict(scenario("seeded"), seeds={"X1": {"E": 5}})
    with pytest.raises(InputError, match="seeds.*X1"):
        service.run_scenarios([seeds], members=2, model=model)


@pytest.mark.parametrize("members", [0, -3, 2.5])
def test_members_must_be_a_positive_whole_number(files, model, members):
    with pytest.raises(InputError, match="members"):
        service.run_scenarios(files, members=members, model=model)


def test_zones_need_a_store(files, model):
    with pytest.raises(InputError, match="zones_as_of"):
        service.run_scenarios(files, members=2, model=model, zones_as_of=pd.Timestamp("2020-02-01"))


def test_dask_cluster_gives_the_local_result(files, model, comparison):
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = service.compare_scenarios(
            files, members=MEMBERS, seed=7, model=model, client=client
        )
    pd.testing.assert_frame_equal(remote.table(), comparison.table())
    np.testing.assert_array_equal(remote.outcomes[1].infections, comparison.outcomes[1].infections)


def test_grouped_outcomes_add_up_to_the_nation(files, model, comparison):
    halves = {"R0": "west", "R1": "west", "R2": "east", "R3": "east"}
    grouped = service.compare_scenarios(files, members=MEMBERS, seed=7, model=model, by=halves)
    table = grouped.table()
    assert list(table.index) == [
        ("open", "east"),
        ("open", "west"),
        ("distanced", "east"),
        ("distanced", "west"),
    ]
    for mine, nation in zip(grouped.outcomes, comparison.outcomes, strict=True):
        np.testing.assert_allclose(mine.infections.sum(axis=1), nation.infections[:, 0], rtol=1e-6)
        np.testing.assert_allclose(mine.deaths.sum(axis=1), nation.deaths[:, 0], rtol=1e-6)
        np.testing.assert_array_equal(
            mine.days_over_capacity.sum(axis=1), nation.days_over_capacity[:, 0]
        )
    # half of R0's enterprises closed: west is (0.5 x 1M + 2M) / 3M open, east all open
    assert table.loc[("distanced", "west"), "activity"] == pytest.approx(2.5 / 3)
    assert table.loc[("distanced", "east"), "activity"] == pytest.approx(1.0)
