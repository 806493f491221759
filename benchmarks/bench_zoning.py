"""Zoning speed: classify 3,000 regions for one day (goal < 20 ms) and replay 3,000 regions over
120 days with step-down rules (goal < 1 s).

There is no standard tool for these rules, so the peer is a plain pandas implementation of the
same rules, region by region (``DataFrame.apply(axis=1)``), as an analyst would first write it.
Both are run on the same synthetic data in this script and must agree.

    .venv/bin/python benchmarks/bench_zoning.py [--regions 3000] [--days 120]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from tongchou.zoning import classify, load_ruleset, replay


def synthetic(n_regions: int, n_days: int, seed: int = 2020) -> dict[str, np.ndarray]:
    """Counties with zero, sporadic and sustained transmission, and a few large totals."""
    rng = np.random.default_rng(seed)
    rate = rng.choice([0.0, 0.05, 0.3, 2.0, 8.0], size=n_regions, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    wave = np.exp(
        -(
            (
                (np.arange(n_days) - n_days * rng.uniform(0.2, 0.8, n_regions)[:, None])
                / (n_days / 6)
            )
            ** 2
        )
    )
    new = rng.poisson(rate[:, None] * wave * 3).astype(float)
    prior = rng.choice([0, 0, 10, 60], size=n_regions).astype(float)
    return {"confirmed_new": new, "confirmed_cumulative": prior[:, None] + np.cumsum(new, axis=1)}


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def pandas_classify(new: pd.DataFrame, cumulative: pd.Series, day: int) -> pd.Series:
    """cn-2020-county on one day, row by row, clusters by the same proxy."""

    def one(row: pd.Series) -> int:
        cases = row.to_numpy()[: day + 1]
        total = cumulative[row.name]
        positive = np.flatnonzero(cases > 0)
        since = day - positive[-1] if len(positive) else np.inf
        if total == 0 or since >= 14:
            return 0
        weekly = pd.Series(cases).rolling(7).sum().to_numpy()
        cluster_days = (cases > 0) & (weekly >= 3)
        cluster = cluster_days[-14:].any()
        if total > 50 and cluster:
            return 2
        return 1

    return new.apply(one, axis=1)


def pandas_replay(new: pd.DataFrame) -> pd.DataFrame:
    """cn-2022-area over every day, row by row: high within 7 days of a case, then 7 days to
    medium and 3 more to low."""

    def one(row: pd.Series) -> pd.Series:
        cases = row.to_numpy()
        held, entered, came_from, quiet, out = -1, -(10**6), -1, 0, []
        for t, n in enumerate(cases):
            quiet = 0 if n > 0 else quiet + 1
            window = cases[max(t - 6, 0) : t + 1]
            level = 2 if window.sum() > 0 else (0 if t >= 6 else -1)
            if level < 0:
                out.append(held)
                continue
            run = min(quiet, t - entered)
            new_level = held
            if held < 0 or level > held:
                new_level, came_from = level, -1
            elif level < held:
                if held == 2 and run >= 7:
                    new_level, came_from = max(1, level), 2
                elif held == 1 and run >= (3 if came_from == 2 else 7):
                    new_level, came_from = max(0, level), 1
            if new_level != held:
                entered = t
            held = new_level
            out.append(held)
        return pd.Series(out, index=row.index)

    return new.apply(one, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--days", type=int, default=120)
    args = parser.parse_args()
    inputs = synthetic(args.regions, args.days)
    county = load_ruleset("cn-2020-county")
    area = load_ruleset("cn-2022-area")
    day = args.days - 1
    print(f"zoning benchmark: {args.regions} regions x {args.days} days")

    ours, result = best_of(lambda: classify(county, inputs, days=day), 20)
    new = pd.DataFrame(inputs["confirmed_new"])
    cumulative = pd.Series(inputs["confirmed_cumulative"][:, day])
    theirs, peer = best_of(lambda: pandas_classify(new, cumulative, day), 1)
    assert (result.level[:, 0] == peer.to_numpy()).all(), "classify disagrees with the peer"
    counts = np.bincount(result.level[:, 0], minlength=3).tolist()
    print(
        f"classify one day (cn-2020-county): {ours * 1e3:8.2f} ms   goal < 20 ms   "
        f"pandas row-wise {theirs * 1e3:9.1f} ms   ratio {theirs / ours:7.1f}x   "
        f"low/medium/high {counts}"
    )

    ours, result = best_of(lambda: replay(area, inputs), 5)
    theirs, peer = best_of(lambda: pandas_replay(new), 1)
    assert (result.level == peer.to_numpy()).all(), "replay disagrees with the peer"
    changes = int((result.level[:, 1:] != result.level[:, :-1]).sum())
    print(
        f"replay {args.days} days (cn-2022-area):   {ours * 1e3:8.2f} ms   goal < 1000 ms "
        f"pandas row-wise {theirs * 1e3:9.1f} ms   ratio {theirs / ours:7.1f}x   "
        f"{changes} changes of level"
    )

    ours, _ = best_of(lambda: replay(county, inputs), 3)
    print(f"replay {args.days} days (cn-2020-county): {ours * 1e3:8.2f} ms   goal < 1000 ms")
    ours, result = best_of(lambda: replay(area, inputs), 1)
    start = time.perf_counter()
    table = result.transitions()
    took = time.perf_counter() - start
    print(f"transitions with reasons: {len(table)} rows in {took * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
