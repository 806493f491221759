"""Hospital demand from forecast or scenario cases: admissions, then the census of general
ward beds, ICU beds and ventilators, for every sample path and region at once.

Patients follow one of three exclusive pathways, so that nested categories are counted once:

- ward only (1 - icu_share of admissions): in a ward bed for `ward_stay`;
- ICU without ventilation (icu_share x (1 - ventilated_share)): `icu_delay` days in the ward,
  `icu_stay` in the ICU, then `post_icu_stay` in the ward again;
- ICU with ventilation (icu_share x ventilated_share): the same, but the ICU stay is the
  longer of `icu_stay` and `ventilation_stay`, ventilation starting on ICU admission.

So ventilated patients are a subset of ICU patients and ICU patients a subset of inpatients
on every day, whatever the stays (CHIME counted each category with its own length of stay
from the same admissions, which let a ventilated census exceed the ICU census: CHIME issue
385). Whether an ICU patient also keeps a general ward bed is a parameter.

Patients already in hospital on the origin day leave by the remaining part of their stay
(`stays.remaining_stay`), rather than the census starting from zero (CHIME issue 187).

census_t = sum_k admissions_{t-k} K(k), where K(k) is the chance that a patient admitted on
day 0 is in that kind of bed on day k, mixed over the pathways. Admissions are cases x
hospitalised_share spread by `admission_delay`. Both steps are linear, so each category is
one (horizon x horizon) matrix applied to the case paths.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.forecast.quantiles import quantiles_of_sorted
from tongchou.resources.stays import (
    check_pmf,
    longer_of,
    pmf_of_survival,
    remaining_stay,
    survival,
    total_of,
)

log = logging.getLogger(__name__)

MAX_HORIZON = 365
CATEGORIES = ("hospitalised", "icu", "ventilated")
# Output values of one matrix product (rows x 4 series x horizon): bounds the working memory
# to about 32 MB whatever the horizon.
_VALUES_PER_CHUNK = 8_000_000


def _same_day() -> np.ndarray:
    return np.array([1.0])


@dataclass(frozen=True, eq=False)
class HospitalParameters:
    """How cases become hospital patients. Shares are conditional: icu_share of hospitalised
    patients, ventilated_share of ICU patients. Stays and delays are daily pmfs (see
    `stays`); delays default to none."""

    hospitalised_share: float
    icu_share: float
    ventilated_share: float
    ward_stay: np.ndarray
    icu_stay: np.ndarray
    ventilation_stay: np.ndarray
    admission_delay: np.ndarray = field(default_factory=_same_day)
    icu_delay: np.ndarray = field(default_factory=_same_day)
    post_icu_stay: np.ndarray = field(default_factory=_same_day)
    icu_patients_hold_ward_bed: bool = False
    sources: tuple[str, ...] = ()

    def __post_init__(self):
        problems = []
        for name in ("hospitalised_share", "icu_share", "ventilated_share"):
            value = getattr(self, name)
            number = isinstance(value, int | float | np.floating) and not np.isnan(value)
            if not (number and 0 <= value <= 1):
                nearest = float(np.clip(value, 0, 1)) if number else None
                problems.append(
                    Problem(
                        f"HospitalParameters.{name}",
                        "a share must lie between 0 and 1",
                        value=value,
                        expected="0 <= share <= 1",
                        nearest=nearest,
                    )
                )
        pmfs = {
            "ward_stay": True,
            "icu_stay": True,
            "ventilation_stay": True,
            "admission_delay": False,
            "icu_delay": False,
            "post_icu_stay": False,
        }
        for name, stay in pmfs.items():
            try:
                checked = check_pmf(getattr(self, name), f"HospitalParameters.{name}", stay=stay)
                object.__setattr__(self, name, checked)
            except InputError as error:
                problems += error.problems
        if problems:
            raise InputError(problems)

    def occupancy(self, length: int) -> dict[str, np.ndarray]:
        """K(k), k = 0 .. length - 1, for each category: the chance that a patient admitted
        on day 0 occupies such a bed on day k (ward: beds in general wards)."""
        icu, vent = self.icu_share, self.ventilated_share
        delay = self.icu_delay
        icu_when_ventilated = longer_of(self.icu_stay, self.ventilation_stay)

        def after_delay(stay):
            return np.convolve(delay, survival(stay, length))[:length]

        hospitalised = (
            (1 - icu) * survival(self.ward_stay, length)
            + icu
            * (1 - vent)
            * survival(total_of(delay, self.icu_stay, self.post_icu_stay), length)
            + icu
            * vent
            * survival(total_of(delay, icu_when_ventilated, self.post_icu_stay), length)
        )
        in_icu = icu * (1 - vent) * after_delay(self.icu_stay) + icu * vent * after_delay(
            icu_when_ventilated
        )
        ventilated = icu * vent * after_delay(self.ventilation_stay)
        ward = hospitalised if self.icu_patients_hold_ward_bed else hospitalised - in_icu
        return {"hospitalised": hospitalised, "ward": ward, "icu": in_icu, "ventilated": ventilated}


@dataclass(frozen=True, eq=False)
class CurrentCensus:
    """Patients in hospital on the origin day, per region (NaN = unknown). hospitalised
    counts all COVID-19 inpatients, ICU patients included; icu includes the ventilated."""

    hospitalised: np.ndarray
    icu: np.ndarray
    ventilated: np.ndarray

    @classmethod
    def empty(cls, regions: int) -> CurrentCensus:
        zeros = np.zeros(regions)
        return cls(zeros, zeros, zeros)


@dataclass(frozen=True, eq=False)
class HospitalDemand:
    """Daily admissions and census, shaped like the cases given: (..., regions, horizon).

    unknown: (regions,) True where the current census was missing; their census is NaN.
    """

    admissions: np.ndarray
    hospitalised: np.ndarray
    icu: np.ndarray
    ventilated: np.ndarray
    icu_patients_hold_ward_bed: bool
    unknown: np.ndarray

    @property
    def ward(self) -> np.ndarray:
        """Patients in general ward beds."""
        if self.icu_patients_hold_ward_bed:
            return self.hospitalised
        return self.hospitalised - self.icu


def project_hospital_demand(
    cases: np.ndarray,
    parameters: HospitalParameters,
    *,
    past_cases: np.ndarray | None = None,
    current: CurrentCensus | None = None,
) -> HospitalDemand:
    """Admissions and census for the days after the origin.

    cases: (..., regions, horizon) cases on the days after the origin, e.g. forecast paths
        (samples, regions, horizon) or one scenario (regions, horizon).
    past_cases: (regions, days) cases up to the origin, whose admissions may fall after it
        through the admission delay (not needed when there is no delay).
    current: patients in hospital on the origin day; None starts from empty wards.
    """
    cases = np.asarray(cases)
    if cases.ndim < 2:
        raise InputError(
            Problem("cases", "must be shaped (..., regions, horizon)", value=cases.shape)
        )
    regions, horizon = cases.shape[-2:]
    if not 1 <= horizon <= MAX_HORIZON:
        raise InputError(
            Problem(
                "horizon", "must be 1 to 365 days", value=horizon, nearest=min(max(horizon, 1), 365)
            )
        )
    if np.any(cases < 0):
        raise InputError(
            Problem("cases", "case counts cannot be negative", value=float(np.nanmin(cases)))
        )
    current = CurrentCensus.empty(regions) if current is None else current
    start, unknown = _current_patients(parameters, current, regions, horizon)
    from_past = _admissions_from_past(parameters, past_cases, regions, horizon)

    share = parameters.hospitalised_share
    delay = np.zeros((horizon, horizon))
    for lag, p in enumerate(parameters.admission_delay[:horizon]):
        delay += p * np.eye(horizon, k=lag)
    kernels = parameters.occupancy(horizon)
    stays = {name: _toeplitz(kernels[name]) for name in CATEGORIES}
    operator = np.concatenate(
        [share * delay] + [share * delay @ stays[name] for name in CATEGORIES], axis=1
    ).astype(np.float32)

    outputs = [np.empty(cases.shape, dtype=np.float32) for _ in range(4)]
    offsets = [from_past] + [from_past @ stays[name] + start[name] for name in CATEGORIES]
    offsets = [o.astype(np.float32) for o in offsets]
    leading = int(np.prod(cases.shape[:-2], dtype=int))
    rows = max(1, _VALUES_PER_CHUNK // (4 * horizon))
    per_chunk = max(1, rows // max(leading, 1))
    for first in range(0, regions, per_chunk):
        part = slice(first, min(first + per_chunk, regions))
        block = np.ascontiguousarray(cases[..., part, :], dtype=np.float32)
        projected = block.reshape(-1, horizon) @ operator
        projected = projected.reshape(*block.shape[:-1], 4, horizon)
        for i, output in enumerate(outputs):
            output[..., part, :] = projected[..., i, :] + offsets[i][part]
    admissions, hospitalised, icu, ventilated = outputs
    for census in (hospitalised, icu, ventilated):
        census[..., unknown, :] = np.nan
    return HospitalDemand(
        admissions=admissions,
        hospitalised=hospitalised,
        icu=icu,
        ventilated=ventilated,
        icu_patients_hold_ward_bed=parameters.icu_patients_hold_ward_bed,
        unknown=unknown,
    )


def _toeplitz(kernel: np.ndarray) -> np.ndarray:
    """M[i, t] = kernel[t - i] for t >= i: row i spreads day i's admissions over later days."""
    n = kernel.size
    lags = np.arange(n)[None, :] - np.arange(n)[:, None]
    return np.where(lags >= 0, kernel[np.clip(lags, 0, n - 1)], 0.0)


def _admissions_from_past(parameters, past_cases, regions: int, horizon: int) -> np.ndarray:
    """(regions, horizon): admissions after the origin of cases reported up to it."""
    admissions = np.zeros((regions, horizon))
    delay = parameters.admission_delay
    if past_cases is None or delay.size <= 1:
        return admissions
    past = np.asarray(past_cases, dtype=float)
    if past.ndim != 2 or past.shape[0] != regions:
        raise InputError(
            Problem(
                "past_cases",
                "must be shaped (regions, days)",
                value=past.shape,
                expected=f"({regions}, days)",
            )
        )
    if np.any(past < 0):
        raise InputError(Problem("past_cases", "case counts cannot be negative"))
    days = past.shape[1]
    # Day t after the origin receives the cases of day origin + 1 + t - lag, for lag > t.
    for lag in range(1, delay.size):
        for t in range(min(lag, horizon)):
            index = days + t - lag
            if index >= 0:
                admissions[:, t] += delay[lag] * past[:, index]
    return parameters.hospitalised_share * np.nan_to_num(admissions)


def _current_patients(parameters, current, regions: int, horizon: int):
    """(regions, horizon) census left on days 1..horizon from the patients present on the
    origin day, per category, and the regions whose current census is unknown."""
    counts = {}
    problems = []
    for name in CATEGORIES:
        values = np.asarray(getattr(current, name), dtype=float)
        if values.shape != (regions,):
            problems.append(
                Problem(
                    f"CurrentCensus.{name}",
                    "one count per region",
                    value=values.shape,
                    expected=f"({regions},)",
                )
            )
            continue
        problems += [
            Problem(
                f"CurrentCensus.{name}", "a census cannot be negative", value=values[r], row=int(r)
            )
            for r in np.flatnonzero(values < 0)[:20]
        ]
        counts[name] = values
    if problems:
        raise InputError(problems)
    unknown = (
        np.isnan(counts["hospitalised"]) | np.isnan(counts["icu"]) | np.isnan(counts["ventilated"])
    )
    nested = ~unknown & (
        (counts["icu"] > counts["hospitalised"]) | (counts["ventilated"] > counts["icu"])
    )
    if nested.any():
        raise InputError(
            [
                Problem(
                    "CurrentCensus",
                    "ventilated patients must be among ICU patients, and ICU patients among "
                    "inpatients (ventilated <= icu <= hospitalised)",
                    value=(counts["hospitalised"][r], counts["icu"][r], counts["ventilated"][r]),
                    row=int(r),
                )
                for r in np.flatnonzero(nested)[:20]
            ]
        )
    if unknown.any():
        log.warning("current census unknown in %d regions: their census is NaN", unknown.sum())
    ward_only = np.where(unknown, 0, counts["hospitalised"] - counts["icu"])
    icu_only = np.where(unknown, 0, counts["icu"] - counts["ventilated"])
    ventilated = np.where(unknown, 0, counts["ventilated"])

    days = horizon + 1
    p = parameters
    icu_left = remaining_stay(p.icu_stay, days)
    vent_left = remaining_stay(p.ventilation_stay, days)
    icu_left_ventilated = np.maximum(
        remaining_stay(longer_of(p.icu_stay, p.ventilation_stay), days), vent_left
    )

    def then_ward(left):
        return survival(total_of(pmf_of_survival(left), p.post_icu_stay), days)

    curves = {
        "hospitalised": (
            remaining_stay(p.ward_stay, days),
            then_ward(icu_left),
            then_ward(icu_left_ventilated),
        ),
        "icu": (np.zeros(days), icu_left, icu_left_ventilated),
        "ventilated": (np.zeros(days), np.zeros(days), vent_left),
    }
    start = {
        name: np.outer(ward_only, w[1:]) + np.outer(icu_only, i[1:]) + np.outer(ventilated, v[1:])
        for name, (w, i, v) in curves.items()
    }
    return start, unknown


def demand_frame(
    demand: HospitalDemand,
    regions: list[str] | pd.Index,
    first_date: date,
    levels: tuple[float, ...] = (0.05, 0.5, 0.95),
) -> pd.DataFrame:
    """Long table for analysts: region, date, measure (admissions, hospitalised, ward, icu,
    ventilated) and one column per quantile level over the sample paths (a single
    projection, shaped (regions, horizon), gives its value in every column)."""
    measures = {
        "admissions": demand.admissions,
        "hospitalised": demand.hospitalised,
        "ward": demand.ward,
        "icu": demand.icu,
        "ventilated": demand.ventilated,
    }
    count, horizon = demand.admissions.shape[-2:]
    if len(regions) != count:
        raise InputError(
            Problem("regions", "one code per region", value=len(regions), expected=str(count))
        )
    dates = [first_date + timedelta(days=h) for h in range(horizon)]
    frames = []
    for measure, values in measures.items():
        paths = values.reshape(-1, count, horizon)
        summary = quantiles_of_sorted(np.sort(np.moveaxis(paths, 0, -1), axis=-1), levels)
        frame = pd.DataFrame(
            summary.reshape(count * horizon, len(levels)), columns=[f"q{q:g}" for q in levels]
        )
        frame.insert(0, "measure", measure)
        frame.insert(0, "date", dates * count)
        frame.insert(0, "region", np.repeat(list(regions), horizon))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
