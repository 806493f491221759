"""Speed of a forecast backtest: 60 origins (1 February to 31 March 2020) over China's 34
provinces, 1,000 sample paths and 14 days ahead at each, on the bundled data. Goal: under 30 s
on 2 cores.

Two ways of knowing what each origin knew (tongchou.services.backtest): one read of the
store cut at each origin ("slice", what `auto` picks for data without late values), and the
peer, a full assessment read as of each origin ("as_of", what a user would write with
`assess` in a loop; it reads and assesses all 3,300 regions every time).

    .venv/bin/python benchmarks/bench_backtest.py [--store sqlite:///tongchou.db] [--repeat 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import tempfile
import time

import numpy as np

from tongchou.services.backtest import backtest_forecasts
from tongchou.services.demo import load_bundled_series
from tongchou.store.database import open_store

FIRST, LAST = dt.date(2020, 2, 1), dt.date(2020, 3, 31)


def timed(engine, reads: str, samples: int):
    start = time.perf_counter()
    result = backtest_forecasts(engine, FIRST, LAST, level="province", samples=samples,
                                reads=reads)  # fmt: skip
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", help="a store holding the bundled data (default: a new one)")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best counts")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(arguments.store or f"sqlite:///{folder}/bench.db")
        if not arguments.store:
            load_bundled_series(engine)
        print(
            f"backtest: {(LAST - FIRST).days + 1} origins x 34 provinces x {arguments.samples} "
            f"paths x 14 days; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        runs = {}
        for reads in ("slice", "as_of"):
            times = []
            for _ in range(arguments.repeat):
                seconds, result = timed(engine, reads, arguments.samples)
                times.append(seconds)
            runs[reads] = (min(times), result)
            print(
                f"  {reads:6s} {min(times):6.1f} s (runs: {', '.join(f'{t:.1f}' for t in times)}"
                f"); {result.scores.model.wis.size:,} forecasts scored"
            )
        slice_time, sliced = runs["slice"]
        as_of_time, read = runs["as_of"]
        same = np.array_equal(sliced.scores.model.wis, read.scores.model.wis, equal_nan=True)
        print(
            f"  one read cut at each origin is {as_of_time / slice_time:.1f}x faster than "
            f"reading as of each; identical scores: {same}; goal 30 s: "
            f"{'met' if slice_time < 30 else 'missed'}"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
