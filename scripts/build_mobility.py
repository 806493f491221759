"""Build src/tongchou/data/china_mobility_baidu_2020.npz from the Baidu Qianxi city outflow
table in ../shared/data/mobility/baidu_qianxi_city_out (see data/SOURCES.md for what is kept,
imputed and dropped, and why).

    .venv/bin/python scripts/build_mobility.py [--shared ../shared/data]

The flows stay in Baidu's index units; the package converts them to trips when it loads them
(tongchou.scenarios.mobility.TRIPS_PER_INDEX). The script prints the figures quoted in
SOURCES.md: the share of flow dropped, the imputed origin-days, and the trips per index unit
implied by the Tencent-based matrix of Li, Pei et al. 2020 (../shared/data/pei2020).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import lzma
from pathlib import Path

import numpy as np
import pandas as pd

from tongchou.geo.china import china_regions

log = logging.getLogger("build_mobility")

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "src" / "tongchou" / "data" / "china_mobility_baidu_2020.npz"
BAIDU = "mobility/baidu_qianxi_city_out/baidu_city_outflow_index_20200101_20200430.csv.gz"
START = dt.date(2020, 1, 1)

# Baidu still names three units by their pre-2019 names.
OLD_NAMES = {"思茅": "普洱", "襄樊": "襄阳", "通什": "五指山"}
# Flows below this index (about 9 trips a day) are dropped: 0.6% of all flow, 34% of the cells.
FLOOR = 3e-4
# Relative step of the logarithmic quantisation: stored values are within 1% of the source.
STEP = 0.02
# An imputed origin-day follows the inflow of that day; the ratio is kept within these bounds
# so that a day on which few origins report cannot blow a small city's outflow up.
RATIO_BOUNDS = (0.02, 50.0)


def prefecture_codes() -> list[str]:
    """The 366 prefecture-tier units: depth 2 of the bundled tree."""
    return sorted(china_regions().select(depth=2))


def match_names(names: list[str], codes: list[str]) -> dict[str, str]:
    regions = china_regions()
    wanted = set(codes)
    found: dict[str, str] = {}
    for name in names:
        hits = [c for c in regions.candidates(OLD_NAMES.get(name, name)) if c in wanted]
        if len(hits) == 1:
            found[name] = hits[0]
        elif hits:
            raise SystemExit(f"ambiguous Baidu city name {name!r}: {hits}")
    return found


def read_baidu(shared: Path, codes: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Dense (days, origins, destinations) index array, the (days, origins) mask of origin-days
    present in the source, and the names that are no unit of the mainland tree."""
    table = pd.read_csv(shared / BAIDU)
    names = sorted(set(table["origin_city"]) | set(table["destination_city"]))
    by_name = match_names(names, codes)
    unmatched = [n for n in names if n not in by_name]
    position = {code: i for i, code in enumerate(codes)}
    origin = table["origin_city"].map(by_name).map(position)
    destination = table["destination_city"].map(by_name).map(position)
    keep = origin.notna() & destination.notna() & (origin != destination)
    dropped = table.loc[~keep, "flow_index"].sum() / table["flow_index"].sum()
    log.info("flow to or from Hong Kong, Macau, Taiwan or itself: %.3f%% dropped", 100 * dropped)
    day = (pd.to_datetime(table["date"].astype(str)) - pd.Timestamp(START)).dt.days
    days, n = int(day.max()) + 1, len(codes)
    flows = np.zeros((days, n, n))
    t, o, d = day[keep].to_numpy(), origin[keep].astype(int), destination[keep].astype(int)
    np.add.at(flows, (t, o.to_numpy(), d.to_numpy()), table.loc[keep, "flow_index"].to_numpy())
    reported = np.zeros((days, n), dtype=bool)
    reported[t, o.to_numpy()] = True
    return flows, reported, unmatched


def impute(flows: np.ndarray, reported: np.ndarray) -> np.ndarray:
    """Fill the origin-days the source lacks, in place; returns the (days, origins) mask of
    imputed origin-days. An origin seen on other days keeps its destination shares of its
    nearest reported day, scaled by how the flow into it changed between the two days (counted
    over origins reported on both); an origin never reported mirrors its inflow."""
    days, n = reported.shape
    imputed = ~reported
    for o in np.flatnonzero(imputed.any(axis=0)):
        seen = np.flatnonzero(reported[:, o])
        for t in np.flatnonzero(imputed[:, o]):
            if seen.size == 0:
                flows[t, o, :] = flows[t, :, o]
                continue
            near = seen[np.argmin(np.abs(seen - t))]
            both = reported[t] & reported[near]
            before, now = flows[near, both, o].sum(), flows[t, both, o].sum()
            ratio = np.clip(now / before, *RATIO_BOUNDS) if before > 0 else 1.0
            flows[t, o, :] = flows[near, o, :] * ratio
    return imputed


def encode(flows: np.ndarray) -> dict[str, np.ndarray]:
    """Sparse, quantised, delta-coded, lzma-compressed flows (decoder: scenarios.mobility)."""
    kept = flows >= FLOOR
    pairs = np.argwhere(kept.any(axis=0)).astype(np.uint16)
    values = flows[:, pairs[:, 0], pairs[:, 1]].T  # pair-major, then day
    present = values >= FLOOR
    levels = np.round(np.log(values[present] / FLOOR) / np.log1p(STEP)).astype(np.int64)
    delta = np.diff(levels, prepend=0)
    zigzag = np.where(delta >= 0, 2 * delta, -2 * delta - 1)
    assert zigzag.max() < 2**16
    planes = np.concatenate([(zigzag & 0xFF), (zigzag >> 8)]).astype(np.uint8)
    packed = lzma.compress(planes.tobytes(), preset=9 | lzma.PRESET_EXTREME)
    total = flows.sum()
    log.info(
        "kept %d of %d cells, %.2f%% of the flow dropped below %g",
        present.sum(),
        (flows > 0).sum(),
        100 * (1 - flows[kept].sum() / total),
        FLOOR,
    )
    return {
        "pairs": pairs,
        "present": np.packbits(present),
        "levels": np.frombuffer(packed, dtype=np.uint8),
    }


def compare_with_pei(shared: Path, flows: np.ndarray, codes: list[str]) -> None:
    """Trips per index unit implied by the 14-day Tencent-based matrix of Li, Pei et al. 2020
    (their day 1 is 10 January 2020)."""
    position = {code: i for i, code in enumerate(codes)}
    cities = pd.read_csv(shared / "pei2020/city_coordinates.csv", dtype={"Code": str})
    municipal = cities["Code"].isin(["110000", "120000", "310000", "500000"])
    cities["code"] = cities["Code"].where(~municipal, cities["Code"].str[:2] + "0100")
    to_row = {r.Name: position.get(r.code) for r in cities.itertuples()}
    pei = pd.read_csv(shared / "pei2020/Mobility.csv")
    pei["o"], pei["d"] = pei["Origin"].map(to_row), pei["Destination"].map(to_row)
    pei = pei.dropna(subset=["o", "d"])
    window = slice(9, 23)
    wuhan = position["420100"]
    national = pei["Mobility Index"].sum() / flows[window].sum()
    out_of_wuhan = pei.loc[pei["o"] == wuhan, "Mobility Index"].sum() / flows[window, wuhan].sum()
    log.info(
        "Pei et al. 2020 trips per Baidu index unit, 10-23 January: %.0f nationally, "
        "%.0f for the outflow of Wuhan",
        national,
        out_of_wuhan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    codes = prefecture_codes()
    flows, reported, unmatched = read_baidu(args.shared, codes)
    log.info("names outside the mainland tree: %s", ", ".join(unmatched))
    compare_with_pei(args.shared, flows, codes)
    imputed = impute(flows, reported)
    log.info(
        "imputed %d of %d origin-days (%d origins never reported)",
        imputed.sum(),
        imputed.size,
        (~reported.any(axis=0)).sum(),
    )
    arrays = encode(flows)
    np.savez(
        args.output,
        codes=np.array(codes),
        start=np.array(START.isoformat()),
        days=np.array(flows.shape[0]),
        floor=np.array(FLOOR),
        step=np.array(STEP),
        imputed=np.packbits(imputed),
        **arrays,
    )
    log.info("wrote %s (%.2f MB)", args.output, args.output.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
