"""Speed of the hospital census: 1,000 case paths x 3,000 regions x 28 days to admissions,
inpatient, ICU and ventilator census (CHINA_2020 parameters, a current census), then the
run-out of beds, ICU beds and ventilators.

Peer: CHIME (penn-chime 0.0.3, CHIME v1.1.3), whose census is computed one series at a
time from cumulative patients (calculate_dispositions, calculate_admits, calculate_census:
fixed stays, no current census). It runs on 20,000 series and its time is scaled to the
3 million series (paths x regions) of the job. Without penn-chime installed only our side
is measured.

    .venv/bin/python benchmarks/bench_hospital.py [--regions 3000] [--samples 1000]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import tracemalloc

import numpy as np

from tongchou.resources.capacity import Capacity, check_capacity
from tongchou.resources.hospital import CurrentCensus, project_hospital_demand
from tongchou.resources.published import CHINA_2020

HORIZON = 28


def chime_census_seconds(cases: np.ndarray, series: int) -> float | None:
    try:
        from penn_chime.model import sir
    except ImportError:
        return None
    rates = {"hospitalized": 0.19, "icu": 0.05, "ventilated": 0.023}
    days = {"hospitalized": 11, "icu": 8, "ventilated": 8}
    flat = cases.reshape(-1, HORIZON)[:series].astype(float)
    start = time.perf_counter()
    for row in flat:
        ever = np.concatenate([[0.0], np.cumsum(row)])
        raw = {"day": np.arange(ever.size), "ever_infected": ever}
        sir.calculate_dispositions(raw, rates, 1.0)
        sir.calculate_admits(raw, rates)
        sir.calculate_census(raw, days)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--peer-series", type=int, default=20_000)
    arguments = parser.parse_args()
    regions, samples = arguments.regions, arguments.samples
    logging.disable(logging.INFO)
    rng = np.random.default_rng(7)
    level = rng.lognormal(np.log(10.0), 1.0, regions)
    cases = rng.poisson(level[None, :, None], size=(samples, regions, HORIZON)).astype(np.float32)
    census = rng.poisson(level * 8)
    current = CurrentCensus(census.astype(float), 0.1 * census, 0.04 * census)
    capacity = Capacity(level * 12, level * rng.uniform(0.3, 1.2, regions), level * 0.5)
    print(
        f"hospital census: {samples} paths x {regions} regions x {HORIZON} days; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    demand = project_hospital_demand(cases, CHINA_2020, current=current)
    census_wall = time.perf_counter() - wall
    results = check_capacity(demand, capacity)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    outputs = sum(a.nbytes for a in (demand.admissions, demand.hospitalised, demand.icu))
    outputs += demand.ventilated.nbytes
    print(
        f"  tongchou census {census_wall:.2f} s, with run-out {wall:.2f} s wall "
        f"({cpu:.2f} s cpu); outputs {outputs / 2**20:.0f} MiB, peak traced "
        f"{peak / 2**20:.0f} MiB (cases {cases.nbytes / 2**20:.0f} MiB)"
    )
    icu = results["icu_beds"]
    print(
        f"  ICU beds: {np.mean(icu.probability > 0.5):.0%} of regions more likely than not "
        f"to run out within {HORIZON} days"
    )
    series = min(arguments.peer_series, samples * regions)
    seconds = chime_census_seconds(cases, series)
    if seconds is None:
        print("  penn-chime not installed: no peer measured")
        return
    scaled = seconds * samples * regions / series
    print(
        f"  CHIME census one series at a time: {scaled:.1f} s for the same job "
        f"(measured on {series} series, scaled); ratio {scaled / census_wall:.0f}x"
    )


if __name__ == "__main__":
    main()
