"""Beds, ICU beds and ventilators that the case forecast implies, against the capacity in the
store: admissions and census on every sample path, and the day each region runs out.

The census on the origin day comes from the store where it is reported (metrics in_hospital
and in_icu, reported within the last week): those patients leave by the remaining part of
their stay. Where it is not, the patients still in hospital are estimated from the cases
already reported, through the same pathway as the forecast cases (`census_from` says which).
No metric holds ventilated patients, so they are the ICU census times the share the pathway
gives them.

Capacity is the last value reported up to the origin: `beds` are general (non-ICU) beds for
these patients, `icu_beds` ICU beds. Census and capacity are a region's own reports, never
summed from some of its children. No metric holds ventilators: their run-out is unknown
unless the caller passes them. A region without a capacity is flagged (`capacity_known`
False), never given a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, Problem
from tongchou.facts.panel import carry_forward
from tongchou.forecast.quantiles import quantiles_of_sorted
from tongchou.resources.capacity import Capacity, RunOut, check_capacity
from tongchou.resources.hospital import (
    MAX_HORIZON,
    CurrentCensus,
    HospitalDemand,
    HospitalParameters,
    demand_frame,
    project_hospital_demand,
)
from tongchou.resources.published import CHINA_2020
from tongchou.services.forecast import RegionForecast, forecast_store
from tongchou.store.days import from_day
from tongchou.store.observations import day_range
from tongchou.store.panels import read_panel

CENSUS_METRICS = ("in_hospital", "in_icu")
CAPACITY_METRICS = ("beds", "icu_beds")
# A census older than this no longer describes the wards on the origin day.
CENSUS_FRESH_DAYS = 7
RESOURCES = {"ward_beds": "ward", "icu_beds": "icu", "ventilators": "ventilated"}
RANGE_LEVELS = (0.05, 0.5, 0.95)


@dataclass(frozen=True, eq=False)
class HospitalPlan:
    """Demand and run-out of some regions' beds over the days after `as_of`."""

    as_of: date
    codes: list[str]
    names: dict[str, list[str]]
    demand: HospitalDemand
    capacity: Capacity
    run_out: dict[str, RunOut]
    census_source: np.ndarray
    forecast_status: np.ndarray

    @property
    def first_date(self) -> date:
        return self.as_of + timedelta(days=1)

    def census_quantiles(self, measure: str, levels=RANGE_LEVELS) -> np.ndarray:
        """(regions, horizon, levels) quantiles over the paths of admissions, hospitalised,
        ward, icu or ventilated."""
        values = getattr(self.demand, measure)
        paths = np.moveaxis(values.reshape(-1, *values.shape[-2:]), 0, -1)
        return quantiles_of_sorted(np.sort(paths, axis=-1), np.asarray(levels, dtype=float))

    def demand_table(self) -> pd.DataFrame:
        """One row per region, day and measure with the 5%, 50% and 95% quantiles."""
        frame = demand_frame(self.demand, self.codes, self.first_date, RANGE_LEVELS)
        frame["date"] = pd.to_datetime(frame["date"])
        status = dict(zip(self.codes, self.forecast_status, strict=True))
        source = dict(zip(self.codes, self.census_source, strict=True))
        frame["forecast_status"] = frame["region"].map(status)
        frame["census_from"] = frame["region"].map(source)
        return frame

    def run_out_table(self, lang: str = "en") -> pd.DataFrame:
        """One row per region and resource: capacity, the peak census (median and 90% range
        over the paths), the probability of running out within the horizon and the date of
        running out (median and 90% range; empty when it does not within the horizon)."""
        frames = []
        for resource, measure in RESOURCES.items():
            run_out = self.run_out[resource]
            values = getattr(self.demand, measure).reshape(-1, len(self.codes), self._horizon)
            peak = quantiles_of_sorted(np.sort(values.max(axis=2).T, axis=1), RANGE_LEVELS)
            capacity = getattr(self.capacity, resource)
            frames.append(
                pd.DataFrame(
                    {
                        "region": self.codes,
                        "name": self.names[lang],
                        "resource": resource,
                        "capacity": capacity,
                        "peak": peak[:, 1],
                        "peak_low": peak[:, 0],
                        "peak_high": peak[:, 2],
                        "probability": run_out.probability,
                        "runs_out": self._dates(run_out.median_day),
                        "runs_out_early": self._dates(run_out.early_day),
                        "runs_out_late": self._dates(run_out.late_day),
                        "capacity_known": ~np.isnan(capacity),
                        "census_from": self.census_source,
                        "forecast_status": self.forecast_status,
                    }
                )
            )
        frame = pd.concat(frames, ignore_index=True).set_index(["region", "resource"])
        frame.attrs["as_of"] = self.as_of
        return frame

    @property
    def _horizon(self) -> int:
        return self.demand.admissions.shape[-1]

    def _dates(self, days: np.ndarray) -> pd.Series:
        """Days ahead (1 = the day after the origin; inf or NaN: none) as dates."""
        known = np.isfinite(days)
        offsets = pd.to_timedelta(np.where(known, days - 1, 0), unit="D")
        dates = pd.Series(pd.Timestamp(self.first_date) + offsets)
        return dates.where(known)


def plan_hospital(
    forecast: RegionForecast,
    *,
    engine: Engine | None = None,
    parameters: HospitalParameters = CHINA_2020,
    ventilators: np.ndarray | None = None,
) -> HospitalPlan:
    """Hospital demand of the forecast regions, from the census and capacity stored in
    `engine` (None: census estimated from past cases, capacity unknown). `ventilators`
    (regions,) may give the ventilators available, which no metric holds."""
    codes = forecast.codes
    count, horizon = len(codes), forecast.horizon
    stored = _stored(engine, forecast.as_of, codes)
    history = forecast.inputs.local
    legacy = _legacy_census(history, parameters, horizon)

    hospitalised = stored["in_hospital"]
    icu = stored["in_icu"]
    has_census = ~np.isnan(hospitalised)
    has_icu = has_census & ~np.isnan(icu)
    icu_share = _ratio(
        legacy.icu[:, -horizon - 1], legacy.hospitalised[:, -horizon - 1], parameters.icu_share
    )
    vent_share = _ratio(
        legacy.ventilated[:, -horizon - 1], legacy.icu[:, -horizon - 1], parameters.ventilated_share
    )
    _check_nested(codes, hospitalised, icu, forecast.as_of)
    icu = np.where(has_icu, icu, hospitalised * icu_share)
    census_source = np.select(
        [has_icu, has_census], ["stored", "stored, icu estimated"], "estimated from cases"
    ).astype(object)

    paths = forecast.forecast.paths
    outputs = {name: np.empty(paths.shape, dtype=np.float32) for name in _MEASURES}
    if has_census.any():
        part = project_hospital_demand(
            paths[:, has_census],
            parameters,
            past_cases=history[has_census],
            current=CurrentCensus(
                hospitalised[has_census], icu[has_census], (icu * vent_share)[has_census]
            ),
        )
        for name in _MEASURES:
            outputs[name][:, has_census] = getattr(part, name)
    if not has_census.all():
        part = project_hospital_demand(paths[:, ~has_census], parameters)
        for name in _MEASURES:
            after = getattr(legacy, name)[~has_census, -horizon:]
            outputs[name][:, ~has_census] = getattr(part, name) + after
    demand = HospitalDemand(
        **outputs,
        icu_patients_hold_ward_bed=parameters.icu_patients_hold_ward_bed,
        unknown=np.isnan(paths).any(axis=(0, 2)),
    )
    capacity = Capacity(
        ward_beds=stored["beds"],
        icu_beds=stored["icu_beds"],
        ventilators=np.full(count, np.nan) if ventilators is None else ventilators,
    )
    return HospitalPlan(
        as_of=forecast.as_of,
        codes=codes,
        names=forecast.names,
        demand=demand,
        capacity=capacity,
        run_out=check_capacity(demand, capacity),
        census_source=census_source,
        forecast_status=forecast.inputs.status,
    )


_MEASURES = ("admissions", "hospitalised", "icu", "ventilated")


def _legacy_census(history: np.ndarray, parameters, horizon: int) -> HospitalDemand:
    """The census that the cases reported up to the origin make, on the origin day (column
    -horizon - 1) and on the days after it (the last `horizon` columns), from empty wards
    before the first of them: the model's census is linear in the cases, so this adds to the
    census of the forecast cases."""
    days = min(history.shape[1], MAX_HORIZON - horizon)
    padded = np.concatenate([history[:, -days:], np.zeros((len(history), horizon))], axis=1)
    return project_hospital_demand(padded, parameters)


def _check_nested(codes, hospitalised, icu, as_of: date) -> None:
    with np.errstate(invalid="ignore"):
        wrong = np.flatnonzero(icu > hospitalised)
    if wrong.size:
        raise InputError(
            [
                Problem(
                    f"in_icu of {codes[r]}",
                    f"more patients in ICU than in hospital in the census known on {as_of}",
                    value=(float(icu[r]), float(hospitalised[r])),
                    expected="in_icu <= in_hospital (ICU patients are inpatients)",
                )
                for r in wrong[:20]
            ]
        )


def _ratio(part: np.ndarray, whole: np.ndarray, fallback: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / whole, fallback)


def _stored(engine: Engine | None, as_of: date, codes: list[str]) -> dict[str, np.ndarray]:
    """The census reported in the last CENSUS_FRESH_DAYS days and the last capacity
    reported, as known on `as_of`; NaN where none."""
    metrics = [*CENSUS_METRICS, *CAPACITY_METRICS]
    if engine is None:
        return {name: np.full(len(codes), np.nan) for name in metrics}
    with engine.connect() as connection:
        first, _ = day_range(connection)
    start = min(from_day(first), as_of) if first is not None else as_of
    # a region's own reports only: a province's capacity summed from the few cities that
    # reported theirs would look like the whole province's
    panel = read_panel(engine, metrics, start, as_of, as_of=as_of, aggregate=False).take(codes)
    latest = {}
    for name in metrics:
        values = panel[name]
        if name in CENSUS_METRICS:
            values = values[:, -CENSUS_FRESH_DAYS:]
        latest[name] = carry_forward(values)[:, -1]
    return latest


def hospital(
    engine: Engine,
    as_of: date | None = None,
    *,
    region: str | Sequence[str] | None = None,
    level: str | None = None,
    horizon: int = 28,
    demand: bool = False,
    lang: str = "en",
    parameters: HospitalParameters = CHINA_2020,
    **options,
) -> pd.DataFrame:
    """The run-out table (or with `demand`, the daily demand) of the regions chosen as for
    `forecast`, from the store's census and capacity (as `tongchou hospital`); `options` as
    for `forecast_regions`."""
    forecast = forecast_store(engine, as_of, region=region, level=level, horizon=horizon, **options)
    plan = plan_hospital(forecast, engine=engine, parameters=parameters)
    return plan.demand_table() if demand else plan.run_out_table(lang)
