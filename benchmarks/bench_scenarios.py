"""Speed of the scenario engine, with covasim measured in the same run for a ratio.

    .venv/bin/python benchmarks/bench_scenarios.py [--members 1000] [--covasim-runs 3]

1. Stochastic ensemble: `members` members x the 366 prefecture-tier units of China x 120 days
   (1 January - 29 April 2020, real Baidu flows, seeds in Wuhan, the 2020 levers), series
   recorded by province in float32. Goal: under 10 s for 1,000 members.
2. covasim (pip install covasim), the agent-based model of the Institute for Disease
   Modeling: one stochastic run of 100,000 agents x 120 days, `covasim-runs` times. What is
   comparable is the product: one stochastic epidemic trajectory over the same 120 days, the
   unit an ensemble is made of. The ratio is covasim's seconds per trajectory over ours. The
   models differ: covasim follows individuals in one population with contact layers; ours
   follows compartments in 366 coupled populations of 1.4 billion people in all.
3. Deterministic model, 3,000 regions x 365 days, each region exchanging trips with its 50
   nearest regions (a sparse static matrix, symmetric). Goal: under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import scipy.sparse as sp

from tongchou.scenarios import Parameters, china_model, load_scenario, simulate


def stochastic_ensemble(members: int) -> float:
    model = china_model()
    scenario = load_scenario("wuhan_2020")
    spec = scenario.spec.model_copy(update={"start": dt.date(2020, 1, 1)})
    scenario = type(scenario)(spec, scenario.source)
    assert scenario.days == 120
    scenario.prepare(model)  # loads and decodes the flows outside the timing
    start = time.perf_counter()
    result, _ = scenario.run(
        model,
        members=members,
        seed=1,
        record=("infections", "cases", "hospital", "deaths"),
        by="province",
    )
    seconds = time.perf_counter() - start
    infections = result.totals("infections")
    cells = members * len(model.codes) * 120
    print(
        f"stochastic ensemble: {members} members x {len(model.codes)} regions x 120 days: "
        f"{seconds:.2f} s ({seconds / cells * 1e9:.0f} ns per member-region-day); "
        f"infections median {np.median(infections):,.0f} "
        f"(90%: {np.quantile(infections, 0.05):,.0f} - {np.quantile(infections, 0.95):,.0f})"
    )
    memory = sum(v.nbytes for v in result.run.series.values()) / 1e6
    print(f"  recorded series: {memory:.1f} MB (float32, by province)")
    return seconds / members


def covasim_runs(runs: int) -> float | None:
    try:
        import covasim as cv
    except ImportError:
        print("covasim: not installed (pip install covasim); no ratio")
        return None
    times = []
    for run in range(runs):
        sim = cv.Sim(pop_size=100_000, n_days=119, pop_infected=20, verbose=0, rand_seed=run)
        start = time.perf_counter()
        sim.run()
        times.append(time.perf_counter() - start)
    per_run = float(np.median(times))
    print(
        f"covasim {cv.__version__}: 100,000 agents x 120 days: {per_run:.2f} s per run "
        f"(median of {runs})"
    )
    return per_run


def deterministic_large(regions: int = 3000, days: int = 365, links: int = 50) -> float:
    rng = np.random.default_rng(0)
    population = np.exp(rng.normal(13.0, 1.0, regions))
    xy = rng.random((regions, 2))
    distance = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    np.fill_diagonal(distance, np.inf)
    nearest = np.argsort(distance, axis=1)[:, :links]
    weights = population[nearest] / distance[np.arange(regions)[:, None], nearest] ** 2
    trips = weights / weights.sum(axis=1, keepdims=True) * (0.01 * population[:, None])
    rows = np.repeat(np.arange(regions), links)
    flows = sp.csr_array((trips.ravel(), (rows, nearest.ravel())), shape=(regions, regions))
    flows = (flows + flows.T) / 2  # as many trips back as out: no region drains
    initial = np.zeros((regions, 8))
    initial[:, 0] = population
    initial[:10, 1] = 100.0
    initial[:10, 0] -= 100.0
    start = time.perf_counter()
    run = simulate(initial, Parameters(), flows, days, stochastic=False, record=("infections",))
    seconds = time.perf_counter() - start
    total = run.series["infections"].sum()
    print(
        f"deterministic: {regions} regions x {days} days ({links} destinations each): "
        f"{seconds:.2f} s; infections {total:,.0f} of {population.sum():,.0f} people"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--covasim-runs", type=int, default=3)
    args = parser.parse_args()
    ours = stochastic_ensemble(args.members)
    theirs = covasim_runs(args.covasim_runs)
    if theirs is not None:
        print(
            f"per trajectory: tongchou {ours * 1e3:.1f} ms, covasim {theirs * 1e3:.0f} ms: "
            f"ratio {theirs / ours:.0f}x"
        )
    deterministic_large()


if __name__ == "__main__":
    main()
