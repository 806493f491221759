"""Situation indicators for 3,000 regions x 365 days: tongchou's engine against the pandas code
an analyst would write (groupby + rolling), measured in the same run.

    .venv/bin/python benchmarks/bench_indicators.py [--regions 3000] [--days 365] [--repeat 5]

Prints the time of each and their ratio, how far the two agree on regions without revisions
or gaps (the engine's revision rule has no pandas one-liner), and for scale the time of the four
rates. The growth-rate regression is done two ways in pandas: rolling cov/var/corr
(vectorised), and rolling().apply(np.polyfit) (the common way), the latter on a sample of
regions and scaled up, since it takes minutes.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from scipy import stats

from tongchou.surveillance.indicators import compute_indicators
from tongchou.surveillance.rates import four_rates

WINDOW = 14


def synthetic(regions: int, days: int, seed: int = 2020):
    """Cumulative counts with random-walk growth rates, a few downward revisions and gaps."""
    rng = np.random.default_rng(seed)
    log_rate = np.cumsum(rng.normal(0, 0.08, (regions, days)), axis=1) + rng.uniform(
        0, 4, (regions, 1)
    )
    new = rng.poisson(np.exp(np.clip(log_rate, -5, 8))).astype(float)
    revised = rng.random((regions, days)) < 0.001
    new[revised] -= rng.integers(1, 30, revised.sum())
    confirmed = np.maximum.accumulate(np.maximum(np.cumsum(new, axis=1), 0), axis=1)
    confirmed[revised] = np.maximum(confirmed[revised] - 5, 0)
    cured = np.floor(np.roll(confirmed, 14, axis=1) * 0.9)
    cured[:, :14] = 0
    dead = np.floor(np.roll(confirmed, 10, axis=1) * 0.03)
    dead[:, :10] = 0
    gaps = rng.random((regions, days)) < 0.001
    for series in (confirmed, cured, dead):
        series[gaps] = np.nan
    population = rng.uniform(2e4, 2e6, regions)
    return confirmed, cured, dead, population


def timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def analyst_frame(confirmed, cured, dead, population) -> pd.DataFrame:
    regions, days = confirmed.shape
    return pd.DataFrame(
        {
            "region": np.repeat(np.arange(regions), days),
            "day": np.tile(np.arange(days), regions),
            "confirmed": confirmed.ravel(),
            "cured": cured.ravel(),
            "dead": dead.ravel(),
            "population": np.repeat(population, days),
        }
    )


def pandas_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """What an analyst writes: groupby region, diff, rolling windows, rolling regression."""
    out = frame[["region", "day"]].copy()
    by_region = frame.groupby("region", sort=False)
    for series in ("confirmed", "cured", "dead"):
        out[f"{series}_new"] = by_region[series].diff().fillna(frame[series]).clip(lower=0)
    new = out.groupby("region", sort=False)["confirmed_new"]
    out["mean7"] = new.rolling(7).mean().reset_index(level=0, drop=True)
    trailing = new.shift(1)
    out["jump"] = (out.confirmed_new >= 50) & (
        out.confirmed_new > 5 * trailing.groupby(frame.region).rolling(7).mean().values
    )
    for window in (7, 14):
        sums = new.rolling(window).sum().reset_index(level=0, drop=True)
        out[f"incidence{window}"] = sums / frame.population * 1e5
    out["active"] = frame.confirmed - frame.cured - frame.dead
    out["y"] = np.log(out.confirmed_new + 0.5)
    rolling = out.groupby("region", sort=False)[["y", "day"]].rolling(WINDOW)
    cov = rolling.cov().xs("day", level=2)["y"].to_numpy()
    var_x = rolling.var()["day"].to_numpy()
    corr = rolling.corr().xs("day", level=2)["y"].to_numpy()
    var_y = rolling.var()["y"].to_numpy()
    out["growth_rate"] = cov / var_x
    stderr = np.sqrt((1 - corr**2) * var_y / var_x / (WINDOW - 2))
    half = stats.t.ppf(0.975, WINDOW - 2) * stderr
    out["growth_lower"], out["growth_upper"] = out.growth_rate - half, out.growth_rate + half
    out["doubling_time"] = np.where(out.growth_lower > 0, np.log(2) / out.growth_rate, np.nan)
    case_day = out.day.where(out.confirmed_new > 0)
    out["days_since_last_case"] = out.day - case_day.groupby(out.region).ffill()
    return out


def polyfit_growth(frame: pd.DataFrame) -> pd.Series:
    """The common way: rolling().apply with np.polyfit on each window."""
    new = frame.groupby("region", sort=False)["confirmed"].diff().fillna(frame.confirmed)
    y = np.log(new.clip(lower=0) + 0.5)
    slope = (
        y.groupby(frame.region)
        .rolling(WINDOW)
        .apply(lambda w: np.polyfit(np.arange(WINDOW), w, 1)[0], raw=True)
    )
    return slope.reset_index(level=0, drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--polyfit-sample", type=int, default=30)
    args = parser.parse_args()

    confirmed, cured, dead, population = synthetic(args.regions, args.days)
    cells = args.regions * args.days
    print(
        f"{args.regions} regions x {args.days} days = {cells:,} cells; "
        f"{np.isnan(confirmed).sum()} missing reports"
    )

    best, median, ours = timed(
        lambda: compute_indicators(confirmed, cured, dead, population, growth_min_days=WINDOW),
        args.repeat,
    )
    revised = sum(len(c.revisions) for c in ours.counts.values())
    print(
        f"tongchou compute_indicators: best {best:.3f} s, median {median:.3f} s "
        f"({revised} revision rows, {int(ours.counts['confirmed'].jump.sum())} jumps)"
    )

    rates_best, _, rates = timed(lambda: four_rates(confirmed, cured, dead, population), 3)
    start = time.perf_counter()
    for rate in rates.values():
        _ = rate.lower
    intervals = time.perf_counter() - start
    print(
        f"tongchou four_rates:         best {rates_best:.3f} s; "
        f"their exact intervals, all cells: {intervals:.2f} s"
    )

    frame = analyst_frame(confirmed, cured, dead, population)
    pandas_best, pandas_median, theirs = timed(lambda: pandas_indicators(frame), 2)
    print(f"pandas groupby/rolling:      best {pandas_best:.3f} s, median {pandas_median:.3f} s")
    print(
        f"ratio pandas / tongchou:     {pandas_best / best:.1f}x (best), "
        f"{pandas_median / median:.1f}x (median)"
    )

    sample = frame[frame.region < args.polyfit_sample]
    start = time.perf_counter()
    polyfit = polyfit_growth(sample)
    scaled = (time.perf_counter() - start) * args.regions / args.polyfit_sample
    print(
        f"pandas rolling.apply(polyfit) growth only: {scaled:.1f} s for all regions "
        f"(from {args.polyfit_sample} regions); ratio {scaled / best:.0f}x"
    )

    clean = ~np.isnan(confirmed).any(axis=1)
    for series in ("confirmed", "cured", "dead"):
        table = ours.counts[series].revisions
        clean[table.region.unique()] = False
    rows = np.repeat(clean, args.days)
    agreement = {
        "mean7": (ours.mean7.ravel(), theirs.mean7.to_numpy()),
        "incidence14": (ours.incidence14.ravel(), theirs.incidence14.to_numpy()),
        "growth_rate": (ours.growth.rate.ravel(), theirs.growth_rate.to_numpy()),
        "growth_upper": (ours.growth.upper.ravel(), theirs.growth_upper.to_numpy()),
        "days_since_last_case": (
            ours.days_since_last_case.ravel(),
            theirs.days_since_last_case.to_numpy(),
        ),
    }
    print(f"agreement on {clean.sum()} regions without revisions or gaps (max abs difference):")
    for name, (mine, other) in agreement.items():
        both = rows & np.isfinite(mine) & np.isfinite(other)
        print(f"  {name:22s} {np.max(np.abs(mine[both] - other[both])):.2e} over {both.sum():,}")
    sampled = sample.region.to_numpy()
    mine = ours.growth.rate.ravel()[: len(sampled)]
    both = np.isfinite(mine) & np.isfinite(polyfit.to_numpy()) & clean[sampled]
    print(f"  growth_rate vs polyfit  {np.max(np.abs(mine[both] - polyfit.to_numpy()[both])):.2e}")


if __name__ == "__main__":
    main()
