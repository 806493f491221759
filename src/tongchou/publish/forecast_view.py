"""The forecast of a bulletin: new confirmed cases over the next days as a fan (median, 50%
and 90% ranges) and the hospital beds they imply, from the forecast and hospital services
(tongchou.services.forecast, tongchou.services.hospital) run on the bulletin's assessment.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine

from tongchou.publish.provenance import holds_values
from tongchou.services.forecast import forecast_regions
from tongchou.services.hospital import CAPACITY_METRICS, CENSUS_METRICS, plan_hospital
from tongchou.services.situation import Assessment

FAN_LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)
RANGE_LEVELS = (0.05, 0.5, 0.95)
HORIZON = 14


def _rounded(values: np.ndarray) -> list:
    return [None if np.isnan(v) else round(float(v), 1) for v in values]


def forecast_view(
    assessment: Assessment, codes: list[str], engine: Engine | None = None, horizon: int = HORIZON
) -> dict:
    """For each region of `codes`: the dates ahead, the quantiles of new cases on each (keys
    q5, q25, q50, q75, q95), of the cases over the whole horizon (total_q5, total_q50,
    total_q95), the status of its forecast, and the patients in hospital (beds_q5, beds_q50,
    beds_q95) with where the starting census came from."""
    forecast = forecast_regions(assessment, codes, horizon=horizon)
    table = forecast.table(FAN_LEVELS)
    # without a census or a capacity in the store, the plan is the same without reading it
    stored = engine is not None and holds_values(
        engine, [*CENSUS_METRICS, *CAPACITY_METRICS], assessment.as_of
    )
    plan = plan_hospital(forecast, engine=engine if stored else None)
    beds = plan.census_quantiles("hospitalised", RANGE_LEVELS)
    totals = forecast.totals(RANGE_LEVELS)
    regions = {}
    for i, code in enumerate(codes):
        rows = table.loc[code]
        entry = {f"q{round(q * 100)}": _rounded(rows[f"q{q:g}"].to_numpy()) for q in FAN_LEVELS}
        entry.update(
            {f"beds_q{round(q * 100)}": _rounded(beds[i, :, k]) for k, q in enumerate(RANGE_LEVELS)}
        )
        entry.update(
            {
                f"total_q{round(q * 100)}": _rounded(totals[i, k : k + 1])[0]
                for k, q in enumerate(RANGE_LEVELS)
            }
        )
        entry["status"] = str(forecast.inputs.status[i])
        entry["jump_spread"] = bool(forecast.inputs.jump_spread[i])
        entry["census_from"] = str(plan.census_source[i])
        regions[code] = entry
    return {
        "dates": [d.isoformat() for d in forecast.dates()],
        "horizon": horizon,
        "regions": regions,
    }
