"""Speed of estimate_rt on a national table against epyestim, measured in the same run.

    .venv/bin/python benchmarks/bench_rt.py [--regions 3000] [--days 365] [--sample 20]
                                            [--bagging 5]

Incidence is simulated per region by the renewal equation (Poisson, COVID-19 serial interval
of Li et al. 2020, R falling after an intervention, susceptible depletion, sporadic imported
cases) so that series look like a real epidemic: sizes from a few cases to tens of thousands,
waves, long runs of zeros. estimate_rt runs on the whole table at once, with EpiEstim's seven
posterior quantiles; epyestim (pip install epyestim) runs series by series on a random sample
of the same regions: ``estimate_r`` (Cori's method, one series) and ``bagging_r`` (bootstrap,
smoothing and deconvolution around it, n_samples=100). Timings are per series.

The two Cori implementations are compared on the same windows and serial interval.
epyestim's conventions differ in three ways, none of which is a difference in the posterior:
it also reports the window starting on the first day (EpiEstim and tongchou start on the
second, since the first day's cases have no visible infectors), it reports windows ending
within one mean serial interval of the start (EpiEstim does not), and it returns the prior
where nobody was infectious (tongchou flags no_data). Only windows both report are compared.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from tongchou.surveillance.defaults import SERIAL_INTERVAL_LI_2020
from tongchou.surveillance.rt import QUANTILES, estimate_rt

WINDOW = 7
A_PRIOR, B_PRIOR = 1.0, 5.0  # EpiEstim's default prior, mean 5 and SD 5, as shape and scale


def simulate(regions: int, days: int, pmf: np.ndarray, seed: int):
    """Daily local and imported cases, (regions, days), from a renewal process."""
    rng = np.random.default_rng(seed)
    population = 10 ** rng.uniform(4, 7, regions)
    start_r = rng.uniform(1.4, 2.6, regions)
    low_r = rng.uniform(0.4, 0.9, regions)
    late_r = rng.uniform(0.7, 1.2, regions)
    intervention = rng.integers(20, 70, regions)
    release = intervention + rng.integers(60, 150, regions)
    import_rate = 10 ** rng.uniform(-2.5, 0.5, regions)
    import_until = rng.integers(20, 60, regions)

    local = np.zeros((regions, days))
    imported = np.zeros((regions, days))
    weights = pmf[1:][::-1]
    lags = weights.size
    for day in range(days):
        reproduction = np.where(day < intervention, start_r, np.where(day < release, low_r, late_r))
        susceptible = 1 - local[:, :day].sum(axis=1) / population
        total = local[:, max(day - lags, 0) : day] + imported[:, max(day - lags, 0) : day]
        infectiousness = total @ weights[lags - total.shape[1] :]
        mean = reproduction * np.clip(susceptible, 0, 1) * infectiousness
        local[:, day] = rng.poisson(mean)
        imported[:, day] = rng.poisson(np.where(day < import_until, import_rate, 0.0))
    return local, imported


def time_best(run, repeats: int) -> tuple[float, float, float]:
    """Best and median wall time, and best CPU time of this process (less disturbed by other
    work on a shared machine; it adds up BLAS threads)."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), float(np.median(wall)), min(cpu)


def epyestim_posterior(series: pd.Series, pmf: np.ndarray) -> pd.DataFrame:
    """epyestim's estimate_r with the same summaries estimate_rt returns."""
    from epyestim.estimate_r import estimate_r, gamma_quantiles

    posterior = estimate_r(series, pmf, A_PRIOR, B_PRIOR, window_size=WINDOW)
    shape, scale = posterior["a_posterior"], posterior["b_posterior"]
    summary = {"mean": shape * scale, "std": np.sqrt(shape) * scale}
    for p in QUANTILES:
        summary[p] = gamma_quantiles(p, shape, scale)
    return pd.DataFrame(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sample", type=int, default=20, help="series run through estimate_r")
    parser.add_argument("--bagging", type=int, default=5, help="series run through bagging_r")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()

    import epyestim
    from epyestim.covid19 import generate_standard_infection_to_reporting_distribution
    from epyestim.estimate_r import estimate_r

    si = SERIAL_INTERVAL_LI_2020.serial_interval()
    pmf = si.pmf
    local, imported = simulate(args.regions, args.days, pmf, args.seed)
    dates = pd.date_range("2020-01-01", periods=args.days)
    totals = local.sum(axis=1)
    print(
        f"incidence: {args.regions} regions x {args.days} days, {local.sum():,.0f} local and "
        f"{imported.sum():,.0f} imported cases; cases per region: median {np.median(totals):,.0f}, "
        f"max {totals.max():,.0f}; {np.mean(local == 0):.0%} of region-days have none"
    )

    estimate_rt(local, si=si)  # warm-up (imports, page faults)
    ours_best, ours_median, ours_cpu = time_best(lambda: estimate_rt(local, si=si), args.repeats)
    imports_best, _, _ = time_best(lambda: estimate_rt(local, imported, si=si), args.repeats)
    ours_per_series = ours_best / args.regions
    ours = estimate_rt(local, si=si)

    rng = np.random.default_rng(args.seed + 1)
    sample = rng.choice(args.regions, size=min(args.sample, args.regions), replace=False)
    series = [pd.Series(local[r], index=dates) for r in sample]
    plain_best, _, _ = time_best(
        lambda: [estimate_r(s, pmf, A_PRIOR, B_PRIOR, WINDOW) for s in series], 3
    )
    full_best, _, _ = time_best(lambda: [epyestim_posterior(s, pmf) for s in series], 3)
    plain_per_series = plain_best / len(series)
    full_per_series = full_best / len(series)

    largest = {"mean": 0.0, "std": 0.0, "quantiles": 0.0}
    compared = 0
    for region, values in zip(sample, series, strict=True):
        theirs = epyestim_posterior(values, pmf).reindex(dates)
        both = ~ours.no_data[region] & theirs["mean"].notna().to_numpy()
        compared += int(both.sum())

        def gap(mine, other, both=both):
            return float(np.max(np.abs(mine[both] / other[both] - 1), initial=0.0))

        largest["mean"] = max(largest["mean"], gap(ours.mean[region], theirs["mean"].to_numpy()))
        largest["std"] = max(largest["std"], gap(ours.std[region], theirs["std"].to_numpy()))
        for p in QUANTILES:
            largest["quantiles"] = max(
                largest["quantiles"], gap(ours.quantile(p)[region], theirs[p].to_numpy())
            )

    # bagging_r's deconvolution fails (NaN) on very sparse series: time it on series with
    # at least 100 cases and count any that still fail.
    delay = generate_standard_infection_to_reporting_distribution()
    bagged = [values.astype(int) for values in series if values.sum() >= 100][: args.bagging]
    failed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        for values in bagged:
            try:
                epyestim.bagging_r(
                    values,
                    pmf,
                    delay,
                    A_PRIOR,
                    B_PRIOR,
                    smoothing_window=21,
                    r_window_size=WINDOW,
                    n_samples=100,
                )
            except AssertionError:
                failed += 1
        bagging_per_series = (time.perf_counter() - start) / max(len(bagged), 1)

    rows = [
        (
            "tongchou estimate_rt, whole table",
            f"{ours_best * 1e3:9.1f} ms",
            f"median {ours_median * 1e3:.0f} ms, CPU {ours_cpu * 1e3:.0f} ms; goal < 200 ms",
            "",
        ),
        ("  same, with imported cases", f"{imports_best * 1e3:9.1f} ms", "", ""),
        ("  per series", f"{ours_per_series * 1e6:9.1f} us", "", "1x"),
        (
            f"epyestim estimate_r ({len(series)} series)",
            f"{plain_per_series * 1e3:9.2f} ms",
            "posterior shape and scale only",
            f"{plain_per_series / ours_per_series:,.0f}x",
        ),
        (
            "  + mean, SD, 7 quantiles",
            f"{full_per_series * 1e3:9.2f} ms",
            "goal >= 50x",
            f"{full_per_series / ours_per_series:,.0f}x",
        ),
        (
            f"epyestim bagging_r ({len(bagged)} series)",
            f"{bagging_per_series:9.2f} s",
            "goal >= 10,000x",
            f"{bagging_per_series / ours_per_series:,.0f}x",
        ),
    ]
    print(f"\n{'':38s}{'time':>13s}  {'slower than us':>15s}  note")
    for name, seconds, note, ratio in rows:
        print(f"{name:38s}{seconds:>13s}  {ratio:>15s}  {note}")
    print(
        f"\nlargest relative difference from epyestim estimate_r over {compared} windows of "
        f"{len(series)} series (same windows, same SI, prior mean 5 SD 5):\n"
        f"  mean {largest['mean']:.1e}   SD {largest['std']:.1e}   "
        f"quantiles 0.025-0.975 {largest['quantiles']:.1e}"
    )


if __name__ == "__main__":
    main()
