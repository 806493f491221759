"""Speed of the renewal forecast: 1,000 sample paths x 3,000 regions x 28 days.

Two inputs: county-like (as China's counties in February 2020: many without a recent case,
most with a few a day) and dense (every region with about 30 cases a day, the worst case:
every element needs a gamma and a Poisson draw).

Peer: the same model written as R's projections::project() does it (Jombart et al.; the
package that accompanies EpiEstim), one region at a time, a day at a time, with numpy's
negative-binomial sampler. No Python package on PyPI projects a renewal equation from an
EpiEstim posterior, so this loop stands for what a user would otherwise write. It runs on
100 regions and its time is scaled to 3,000.

    .venv/bin/python benchmarks/bench_forecast.py [--regions 3000] [--samples 1000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
from functools import partial

import numpy as np

from tongchou.forecast.renewal import forecast_cases

HORIZON = 28
DAYS = 42
# Discretised gamma serial interval, mean 5.1 days, sd 5.3 (Ali et al. 2020, Science).
_MEAN, _SD = 5.09, 5.26


def serial_interval() -> np.ndarray:
    from scipy import stats

    shape, scale = (_MEAN / _SD) ** 2, _SD**2 / _MEAN
    days = np.arange(0, 31)
    cdf = stats.gamma(shape, scale=scale).cdf(np.append(days, 31) - 0.5)
    w = np.diff(np.clip(cdf, 0, None))[:31]
    w[0] = 0.0
    return w / w.sum()


def incidence(kind: str, regions: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "dense":
        level = rng.uniform(20, 40, regions)
    else:
        level = rng.lognormal(np.log(3.0), 1.2, regions)
        level[rng.random(regions) < 0.45] = 0.0
    return rng.poisson(np.outer(level, np.ones(DAYS))).astype(float)


def posterior(regions: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mean = rng.uniform(0.7, 1.3, regions)
    shape = rng.uniform(20, 200, regions)
    return shape, mean / shape


def projections_style(cases, w, shape, scale, samples, rng, drift_sd=0.05, size=10.0):
    """Per region, per day: R from the posterior, a random walk, negative-binomial counts."""
    regions = cases.shape[0]
    out = np.zeros((samples, regions, HORIZON))
    reach = w.size - 1
    for region in range(regions):
        series = np.zeros((samples, DAYS + HORIZON))
        series[:, :DAYS] = cases[region]
        r = rng.gamma(shape[region], scale[region], size=samples)
        for day in range(DAYS, DAYS + HORIZON):
            r = r * np.exp(drift_sd * rng.standard_normal(samples))
            window = series[:, day - reach : day][:, ::-1]
            mean = r * (window @ w[1:])
            positive = mean > 0
            draws = np.zeros(samples)
            draws[positive] = rng.negative_binomial(size, size / (size + mean[positive]))
            series[:, day] = draws
        out[:, region] = series[:, DAYS:]
    return out


def measure(function):
    """Run `function` in a forked child: wall and CPU seconds, the growth of the child's peak
    resident memory, and what `function` returns (keep it small). tracemalloc would slow the
    many small numpy temporaries down, so memory is read from the operating system."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def child():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        sending.send((result, wall, cpu, peak * 1024))

    process = context.Process(target=child)
    process.start()
    answer = receiving.recv()
    process.join()
    return answer


def summary(forecast) -> tuple[float, int]:
    """Share of regions with cases in some path, and the bytes of the paths."""
    return float(np.mean(forecast.paths.max(axis=(0, 2)) > 0)), forecast.paths.nbytes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--peer-regions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    arguments = parser.parse_args()
    regions, samples = arguments.regions, arguments.samples
    w = serial_interval()
    print(
        f"renewal forecast: {samples} paths x {regions} regions x {HORIZON} days; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for kind in ("county-like", "dense"):
        rng = np.random.default_rng(2020)
        cases = incidence(kind, regions, rng)
        shape, scale = posterior(regions, rng)
        run = partial(forecast_cases, cases, w, shape, scale, horizon=HORIZON, samples=samples)
        runs = [measure(lambda run=run: summary(run(seed=1))) for _ in range(arguments.repeat)]
        (active, paths_bytes), wall, cpu, peak = min(runs, key=lambda answer: answer[1])
        walls = sorted(answer[1] for answer in runs)
        few = slice(0, min(arguments.peer_regions, regions))
        peer_regions = few.stop
        rng = np.random.default_rng(1)
        peer = partial(projections_style, cases[few], w, shape[few], scale[few], samples, rng)
        peer_wall = min(measure(lambda peer=peer: peer().shape)[1] for _ in range(arguments.repeat))
        peer_total = peer_wall * regions / peer_regions
        print(
            f"  {kind:12s} tongchou {wall:6.2f} s wall (runs: "
            f"{', '.join(f'{t:.1f}' for t in walls)}), {cpu:6.2f} s cpu; "
            f"paths {paths_bytes / 2**20:.0f} MiB, peak memory +{peak / 2**20:.0f} MiB; "
            f"regions with cases {active:.0%}"
        )
        print(
            f"  {'':12s} projections-style loop {peer_total:6.1f} s (measured on "
            f"{peer_regions} regions, scaled); ratio {peer_total / wall:.1f}x"
        )


if __name__ == "__main__":
    main()
