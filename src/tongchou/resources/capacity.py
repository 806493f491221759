"""When does each region run out of beds, ICU beds or ventilators, and how sure is that.

A region runs out on the first day its census exceeds its capacity. Over sample paths this
gives a distribution of run-out days: its 5%, 50% and 95% quantiles (inf: not within the
horizon) and the probability of running out within the horizon. A capacity that is not
known (NaN) gives NaN answers and is flagged, never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.resources.hospital import HospitalDemand


@dataclass(frozen=True, eq=False)
class Capacity:
    """Beds available to these patients per region (NaN = unknown)."""

    ward_beds: np.ndarray
    icu_beds: np.ndarray
    ventilators: np.ndarray


@dataclass(frozen=True, eq=False)
class RunOut:
    """Run-out of one resource.

    first_day: (paths, regions) first day ahead (1 = the day after the origin) on which the
        census exceeds capacity; inf if it never does within the horizon; NaN if unknown.
    probability: (regions,) share of paths that run out within the horizon.
    early_day, median_day, late_day: (regions,) 5%, 50% and 95% quantiles of first_day.
    unknown: (regions,) capacity or census missing.
    """

    resource: str
    first_day: np.ndarray
    probability: np.ndarray
    early_day: np.ndarray
    median_day: np.ndarray
    late_day: np.ndarray
    unknown: np.ndarray


def find_run_out(census: np.ndarray, capacity: np.ndarray, resource: str = "beds") -> RunOut:
    """census: (paths, regions, horizon) or (regions, horizon); capacity: (regions,)."""
    census = np.asarray(census)
    if census.ndim not in (2, 3):
        raise InputError(
            Problem(
                "census",
                "must be (paths, regions, horizon) or (regions, horizon)",
                value=census.shape,
            )
        )
    paths = census if census.ndim == 3 else census[None]
    regions = paths.shape[1]
    capacity = _check_capacity(capacity, resource, regions)
    over = paths > capacity[None, :, None]
    ran_out = over.any(axis=2)
    first = np.where(ran_out, over.argmax(axis=2) + 1.0, np.inf)
    unknown = np.isnan(capacity) | np.isnan(paths).any(axis=(0, 2))
    first[:, unknown] = np.nan
    early, median, late = np.quantile(first, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    probability = ran_out.mean(axis=0)
    probability[unknown] = np.nan
    for values in (early, median, late):
        values[unknown] = np.nan
    return RunOut(resource, first, probability, early, median, late, unknown)


def check_capacity(demand: HospitalDemand, capacity: Capacity) -> dict[str, RunOut]:
    """Run-out of ward beds, ICU beds and ventilators."""
    return {
        "ward_beds": find_run_out(demand.ward, capacity.ward_beds, "ward_beds"),
        "icu_beds": find_run_out(demand.icu, capacity.icu_beds, "icu_beds"),
        "ventilators": find_run_out(demand.ventilated, capacity.ventilators, "ventilators"),
    }


def run_out_frame(results: dict[str, RunOut], regions: list[str] | pd.Index) -> pd.DataFrame:
    """One row per region and resource: probability and the 5/50/95% run-out days."""
    frames = []
    for resource, run_out in results.items():
        if len(regions) != run_out.probability.size:
            raise InputError(
                Problem(
                    "regions",
                    "one code per region",
                    value=len(regions),
                    expected=str(run_out.probability.size),
                )
            )
        frames.append(
            pd.DataFrame(
                {
                    "region": list(regions),
                    "resource": resource,
                    "probability": run_out.probability,
                    "early_day": run_out.early_day,
                    "median_day": run_out.median_day,
                    "late_day": run_out.late_day,
                    "unknown": run_out.unknown,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _check_capacity(capacity, resource: str, regions: int) -> np.ndarray:
    values = np.asarray(capacity, dtype=float)
    place = f"Capacity.{resource}"
    if values.shape != (regions,):
        raise InputError(
            Problem(place, "one value per region", value=values.shape, expected=f"({regions},)")
        )
    bad = np.flatnonzero(values < 0)
    if bad.size:
        raise InputError(
            [
                Problem(
                    place, "a capacity cannot be negative", value=values[r], row=int(r), nearest=0
                )
                for r in bad[:20]
            ]
        )
    if np.isinf(values).any():
        raise InputError(Problem(place, "a capacity must be finite (NaN: unknown)"))
    return values
