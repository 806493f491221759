"""The metapopulation engine: a hand-checked day, conservation, no negative people, decoupling
without travel, the deterministic mode as the large-population limit, reproducible seeds, and
input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.scenarios import COMPARTMENTS, Drivers, Parameters, simulate

S, E, IU, R, ID, H, ICU, D = range(8)


def state(population, **seeds) -> np.ndarray:
    """(regions, compartments) with the given people in region 0."""
    x = np.zeros((len(population), len(COMPARTMENTS)))
    x[:, S] = population
    for name, count in seeds.items():
        x[0, COMPARTMENTS.index(name)] += count
        x[0, S] -= count
    return x


def test_one_deterministic_day_by_hand():
    prm = Parameters(
        beta=1.0,
        mu=0.5,
        latent_days=4.0,
        infectious_days=5.0,
        alpha=0.25,
        ihr=0.02,
        icu_share=0.25,
        ward_days=10.0,
        icu_days=8.0,
        ward_fatality=0.1,
        icu_fatality=0.5,
    )
    x = np.array([[999_000.0, 500.0, 300.0, 0.0, 200.0, 40.0, 16.0, 0.0]])
    run = simulate(x, prm, None, 1, stochastic=False, record=COMPARTMENTS)
    after = run.state[0, 0]
    # force of infection (Id + mu Iu) / N = (200 + 150) / 1,000,056 per day
    infections = 999_000 * (1 - math.exp(-350 / 1_000_056))
    latent_end = 500 * (1 - math.exp(-1 / 4))
    cases = 0.25 * latent_end
    recovered_u = 300 * (1 - math.exp(-1 / 5))
    isolated = 200 * (1 - math.exp(-1 / 5))
    admissions = isolated * 0.02 / 0.25
    to_icu = 0.25 * admissions
    ward_out = 40 * (1 - math.exp(-1 / 10))
    icu_out = 16 * (1 - math.exp(-1 / 8))
    deaths = 0.1 * ward_out + 0.5 * icu_out
    assert after[S] == pytest.approx(999_000 - infections)
    assert after[E] == pytest.approx(500 + infections - latent_end)
    assert after[ID] == pytest.approx(200 + cases - isolated)
    assert after[IU] == pytest.approx(300 + latent_end - cases - recovered_u)
    assert after[H] == pytest.approx(40 + admissions - to_icu - ward_out)
    assert after[ICU] == pytest.approx(16 + to_icu - icu_out)
    assert after[D] == pytest.approx(deaths)
    assert after[R] == pytest.approx(
        recovered_u + isolated - admissions + ward_out + icu_out - deaths
    )
    assert run.series["S"][0, 0, 0] == pytest.approx(after[S])
    assert infections == pytest.approx(349.6, abs=0.1)  # about 350 a day, as expected


def test_travel_moves_travellers_in_proportion():
    x = state([1e6, 1e6], E=1000, Iu=1000)
    flows = np.array([[0.0, 1e4], [0.0, 0.0]])  # 1% of region 0 leaves each day
    prm = Parameters(beta=0.0, latent_days=1e9, infectious_days=1e9)
    run = simulate(x, prm, flows, 1, stochastic=False)
    moved = run.state[0, 1]
    assert moved[S] == pytest.approx(1e6 + 998_000 * 0.01)  # its own and 1% of region 0
    assert moved[E] == pytest.approx(10.0)
    assert moved[IU] == pytest.approx(10.0)
    assert moved[ID] == 0.0  # documented infections do not travel


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # a pure function
)
@given(n=st.integers(2, 12), seed=st.integers(0, 10_000), stochastic=st.booleans())
def test_population_is_conserved_and_never_negative(n, seed, stochastic, gravity_network):
    codes, population, flows = gravity_network(n, seed, travel=0.05)
    x = state(population, E=50, Iu=50, Id=10)
    run = simulate(
        x,
        Parameters(beta=1.5),
        flows,
        30,
        members=4,
        stochastic=stochastic,
        seed=seed,
        record=COMPARTMENTS,
    )
    total = population.sum()
    assert np.allclose(run.state.sum(axis=(1, 2)), total, rtol=1e-9)
    for name in COMPARTMENTS:
        assert run.series[name].min() >= 0.0
    assert run.state.min() >= 0.0
    if stochastic:
        assert (run.state == np.round(run.state)).all()


def test_without_travel_regions_are_independent(gravity_network):
    codes, population, flows = gravity_network(5, seed=3)
    x = state(population, E=100, Iu=100)
    together = simulate(x, Parameters(), np.zeros_like(flows), 60, stochastic=False)
    assert np.array_equal(together.state[0, 1:, S], population[1:])  # never infected
    alone = simulate(x[:1], Parameters(), None, 60, stochastic=False)
    assert np.allclose(together.state[0, 0], alone.state[0, 0])
    shut = Drivers(outflow=np.zeros((5, 60)))
    closed = simulate(x, Parameters(), flows, 60, stochastic=False, drivers=shut)
    assert np.allclose(closed.state[0, 0], alone.state[0, 0])
    assert np.array_equal(closed.state[0, 1:, S], population[1:])


def test_deterministic_mode_is_the_large_population_limit():
    population = np.array([2e8, 2e8])
    x = state(population, E=20_000, Iu=20_000)
    flows = np.array([[0.0, 2e6], [2e6, 0.0]])
    record = ("infections", "hospital")
    exact = simulate(x, Parameters(), flows, 50, stochastic=False, record=record)
    ensemble = simulate(x, Parameters(), flows, 50, members=40, seed=5, record=record)
    for name in record:
        mean = ensemble.series[name].mean(axis=0).sum(axis=0)
        expected = exact.series[name][0].sum(axis=0)
        assert np.abs(mean - expected).max() <= 0.01 * expected.max(), name
        assert mean.sum() == pytest.approx(expected.sum(), rel=0.01), name


def test_small_seeds_die_out_sometimes():
    x = state([1e6], Iu=1)
    run = simulate(x, Parameters(), None, 60, members=400, seed=9, record=("infections",))
    total = run.series["infections"].sum(axis=(1, 2))
    assert 0.1 < (total == 0).mean() < 0.9  # chance decides; the mean model cannot say it


def test_a_seed_reproduces_its_run_and_members_differ(gravity_network):
    _, population, flows = gravity_network(6, seed=2)
    x = state(population, E=30, Iu=30)

    def run(seed):
        return simulate(x, Parameters(), flows, 40, members=20, seed=seed).series["infections"]

    first, again, other = run(3), run(3), run(4)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    totals = first.sum(axis=(1, 2))
    assert len(np.unique(totals)) > 10  # every member draws its own epidemic


def test_sparse_and_dense_flows_agree(gravity_network):
    codes, population, flows = gravity_network(6, seed=4)
    x = state(population, E=100, Iu=100)
    dense = simulate(x, Parameters(), flows, 30, stochastic=False)
    sparse = simulate(x, Parameters(), sp.csr_array(flows), 30, stochastic=False)
    assert np.allclose(dense.state, sparse.state, rtol=1e-5)


def test_beds_count_days_over_capacity():
    x = state([1e6], H=500.0)
    beds = np.full((1, 10), 300.0)
    run = simulate(x, Parameters(), None, 10, stochastic=False, drivers=Drivers(beds=beds))
    hospital = run.series["hospital"][0, 0]
    assert run.days_over_capacity[0, 0] == (hospital > 300).sum() > 0


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"beta": -0.1}, "parameters.beta"),
        ({"latent_days": 0.0}, "parameters.latent_days"),
        ({"alpha": 1.5}, "parameters.alpha"),
        ({"ward_fatality": float("nan")}, "parameters.ward_fatality"),
        ({"alpha": 0.01}, "parameters.alpha"),  # below ihr
    ],
)
def test_parameters_outside_their_domain(change, place):
    with pytest.raises(InputError) as error:
        Parameters(**change)
    assert error.value.problems[0].place == place


def test_negative_flows_are_refused():
    flows = np.array([[0.0, -5.0], [1.0, 0.0]])
    with pytest.raises(InputError, match="trips must be finite and >= 0"):
        simulate(state([1e5, 1e5]), Parameters(), flows, 3, stochastic=False)


def test_outflow_above_population_is_refused():
    flows = np.array([[0.0, 2e5], [1.0, 0.0]])
    with pytest.raises(InputError) as error:
        simulate(state([1e5, 1e5]), Parameters(), flows, 3, stochastic=False)
    assert "exceed its travelling population" in str(error.value)
    assert "origin 0" in error.value.problems[0].place


def test_bad_initial_state_names_the_place():
    x = state([1e5, 1e5])
    x[1, E] = -3
    with pytest.raises(InputError, match=r"initial\[region 1, E\]"):
        simulate(x, Parameters(), None, 3)
    with pytest.raises(InputError, match="whole numbers"):
        simulate(state([1e5], E=0.5), Parameters(), None, 3)
