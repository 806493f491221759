"""Store speed on SQLite and PostgreSQL: importing the bundled China series, importing
1,000,000 synthetic long-form rows, and an as-of read of one metric for all regions over
120 days.

    python benchmarks/bench_store.py [--rows 1000000] [--postgres URL]

Goals: >= 100,000 rows/s for the import; < 50 ms for the read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import uuid
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tongchou.geo.china import china_regions
from tongchou.ingest.importer import import_file
from tongchou.services.regions import load_china, stored_regions
from tongchou.store.database import connect, upgrade
from tongchou.store.panels import read_panel

START = dt.date(2021, 1, 1)  # after the bundled series, so the two never overlap


def synthetic_long_csv(path: Path, rows: int, seed: int = 1) -> int:
    """Cumulative confirmed, cured, dead for counties over as many days as `rows` needs."""
    counties = china_regions().leaves()
    metrics = ["confirmed", "cured", "dead"]
    days = int(np.ceil(rows / (len(counties) * len(metrics))))
    rng = np.random.default_rng(seed)
    daily = rng.poisson(3.0, size=(len(metrics), len(counties), days))
    cumulative = daily.cumsum(axis=2)
    m, r, d = np.meshgrid(
        np.arange(len(metrics)), np.arange(len(counties)), np.arange(days), indexing="ij"
    )
    dates = pd.date_range(START, periods=days).strftime("%Y-%m-%d").to_numpy()
    frame = pd.DataFrame(
        {
            "region": np.asarray(counties)[r.ravel()],
            "date": dates[d.ravel()],
            "metric": np.asarray(metrics)[m.ravel()],
            "value": cumulative.ravel(),
        }
    ).iloc[:rows]
    frame.to_csv(path, index=False)
    return len(frame)


def fresh_store(kind: str, postgres_url: str, workdir: Path):
    if kind == "sqlite":
        return connect(f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"), None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as c:
        c.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine = sa.create_engine(postgres_url, connect_args={"options": f"-csearch_path={schema}"})
    return engine, (admin, schema)


def drop(cleanup) -> None:
    if cleanup:
        admin, schema = cleanup
        with admin.begin() as c:
            c.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def timed(function, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(kind: str, rows: int, postgres_url: str, workdir: Path, synthetic: Path) -> dict:
    figures = {"store": kind}
    engine, cleanup = fresh_store(kind, postgres_url, workdir)
    try:
        upgrade(engine)
        load_china(engine)
        bundled = resources.files("tongchou") / "data" / "china_daily_2020.csv.xz"
        with resources.as_file(bundled) as path:
            seconds, report = timed(lambda: import_file(engine, path, accept_decreases=True))
        figures["china series: values"] = report.values_new
        figures["china series: s"] = seconds
        first, last = dt.date(2020, 1, 1), dt.date(2020, 4, 29)
        # the tree is loaded once, as the services hold it; the read is of values alone
        regions = stored_regions(engine)
        seconds, panel = timed(
            lambda: read_panel(
                engine, ["confirmed"], first, last, as_of=last, regions=regions, aggregate=False
            ),
            repeat=5,
        )
        figures["china as-of read 120 d: ms"] = seconds * 1000
        figures["  china values read"] = int(np.isfinite(panel.values).sum())
    finally:
        engine.dispose()
        drop(cleanup)
    # the synthetic series goes into a store of its own: it would contradict the real one
    engine, cleanup = fresh_store(kind, postgres_url, workdir)
    try:
        upgrade(engine)
        load_china(engine)
        seconds, report = timed(lambda: import_file(engine, synthetic))
        figures["synthetic: rows"] = report.values_new
        figures["synthetic: s"] = seconds
        figures["synthetic: rows/s"] = report.values_new / seconds
        seconds, _ = timed(lambda: import_file(engine, synthetic))
        figures["re-import (no change): s"] = seconds
        end = START + dt.timedelta(days=119)
        seconds, panel = timed(
            lambda: read_panel(
                engine, ["confirmed"], START, end, as_of=end, regions=regions, aggregate=False
            ),
            repeat=5,
        )
        figures["as-of read 120 d, all regions: ms"] = seconds * 1000
        figures["  values read"] = int(np.isfinite(panel.values).sum())
        seconds, _ = timed(
            lambda: read_panel(engine, ["confirmed"], START, end, as_of=end, regions=regions),
            repeat=5,
        )
        figures["  with roll-up to parents: ms"] = seconds * 1000
    finally:
        engine.dispose()
        drop(cleanup)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        synthetic = workdir / "synthetic_long.csv"
        rows = synthetic_long_csv(synthetic, args.rows)
        print(f"synthetic long-form file: {rows:,} rows, {synthetic.stat().st_size / 1e6:.0f} MB")
        results = [
            run(kind, rows, args.postgres, workdir, synthetic) for kind in args.stores.split(",")
        ]
    table = pd.DataFrame(results).set_index("store").T
    print(table.to_string(float_format=lambda v: f"{v:,.1f}"))


if __name__ == "__main__":
    main()
