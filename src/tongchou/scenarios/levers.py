"""Levers: dated interventions on regions, and what they do to the model's drivers.

- mobility_restriction (outflow, inflow): multiply the trips leaving / arriving.
- distancing (contacts): multiply contacts, hence transmission.
- work_resumption (share_open: a number, or [[date, share], ...] ramped linearly;
  contacts_at_work; travel_for_work): contacts x (1 - contacts_at_work x share closed), trips
  x (1 - travel_for_work x share closed). The share open is the activity measure.
- testing (documented_share, documented_infectious_days): more infections documented, and
  documented ones isolated sooner.
- school_closure (contacts_at_school): contacts x (1 - contacts_at_school).
- capacity (beds): hospital beds added from `start` (to `end` if given).

An intervention targets `regions` (codes, or "all"), `provinces` (codes of provinces: all
regions whose code starts with the province's two digits) or a `zone` (a named set of regions,
e.g. the regions of one risk level), less those in `exclude` (region codes, or province codes
ending in 0000 for a whole province). It runs from `start` to `end` inclusive (open-ended without
`end`). Multipliers of different interventions multiply; two interventions of the same lever
that overlap in regions and days must agree, else the scenario is rejected.

The shares of contacts at work and at school have no default that fits everywhere: the values
below are assumptions to replace with local figures (e.g. from contact surveys).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tongchou.errors import InputError, Problem
from tongchou.scenarios.metapop import Drivers
from tongchou.scenarios.mobility import positions

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Multiplier = Annotated[float, Field(ge=0.0)]

# Assumed, not measured: a third of contacts at work and a fifth at school.
CONTACTS_AT_WORK = 0.3
CONTACTS_AT_SCHOOL = 0.2


class _Lever(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    regions: list[str] | Literal["all"] | None = None
    provinces: list[str] | None = None
    zone: str | None = None
    exclude: list[str] | None = None
    start: dt.date
    end: dt.date | None = None
    note: str | None = None

    @field_validator("regions", "provinces", "exclude", mode="before")
    @classmethod
    def _codes_as_text(cls, value):
        if isinstance(value, list):
            return [str(v) for v in value]
        return value

    @model_validator(mode="after")
    def _one_target(self):
        given = [k for k in ("regions", "provinces", "zone") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of regions, provinces, zone"
                + (f" (found {', '.join(given)})" if given else "")
            )
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def settings(self) -> dict:
        """What the lever does (everything but where and when), to compare overlaps."""
        skip = {"id", "regions", "provinces", "zone", "exclude", "start", "end", "note", "lever"}
        return {k: v for k, v in self.model_dump().items() if k not in skip}


class MobilityRestriction(_Lever):
    lever: Literal["mobility_restriction"]
    outflow: Multiplier = 1.0
    inflow: Multiplier = 1.0


class Distancing(_Lever):
    lever: Literal["distancing"]
    contacts: Multiplier


class WorkResumption(_Lever):
    lever: Literal["work_resumption"]
    share_open: Share | list[tuple[dt.date, Share]]
    contacts_at_work: Share = CONTACTS_AT_WORK
    travel_for_work: Share = 0.0

    @field_validator("share_open")
    @classmethod
    def _ramp_in_order(cls, value):
        if isinstance(value, list):
            if not value:
                raise ValueError("a ramp needs at least one [date, share] point")
            dates = [d for d, _ in value]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                raise ValueError("ramp dates must be increasing")
        return value


class Testing(_Lever):
    lever: Literal["testing"]
    documented_share: Share | None = None
    documented_infectious_days: Annotated[float, Field(gt=0.0)] | None = None


class SchoolClosure(_Lever):
    lever: Literal["school_closure"]
    contacts_at_school: Share = CONTACTS_AT_SCHOOL


class Capacity(_Lever):
    lever: Literal["capacity"]
    beds: Annotated[float, Field(ge=0.0)]


Intervention = Annotated[
    MobilityRestriction | Distancing | WorkResumption | Testing | SchoolClosure | Capacity,
    Field(discriminator="lever"),
]
LEVERS = ("mobility_restriction", "distancing", "work_resumption", "testing")
LEVERS += ("school_closure", "capacity")


@dataclass(frozen=True)
class Effects:
    """The drivers of a run and the share of work open (regions, days), the activity
    measure."""

    drivers: Drivers
    work_open: np.ndarray


def apply(
    interventions: Sequence[_Lever],
    codes: Sequence[str],
    start: dt.date,
    days: int,
    *,
    zones: dict[str, list[str]] | None = None,
    beds: np.ndarray | None = None,
    place: str = "scenario",
) -> Effects:
    """Turn interventions into per region and day drivers for a run of `days` from `start`.
    `beds`: hospital beds per region before any capacity lever (NaN: unknown)."""
    n = len(codes)
    targets = [
        _target(item, codes, zones or {}, f"{place}: interventions[{i}]")
        for i, item in enumerate(interventions)
    ]
    _check_overlaps(interventions, targets, place)
    ones = np.ones((n, days))
    contacts, outflow, inflow, work = ones.copy(), ones.copy(), ones.copy(), ones.copy()
    alpha = np.full((n, days), np.nan)
    isolation = np.full((n, days), np.nan)
    capacity = np.full((n, days), np.nan)  # NaN: beds unknown, never counted as over
    if beds is not None:
        capacity[:] = np.asarray(beds, dtype=float)[:, None]
    for item, rows in zip(interventions, targets, strict=True):
        when = _days(item, start, days)
        if when.stop <= when.start:
            continue
        block = (rows[:, None], np.arange(when.start, when.stop)[None, :])
        if isinstance(item, MobilityRestriction):
            outflow[block] *= item.outflow
            inflow[block] *= item.inflow
        elif isinstance(item, Distancing):
            contacts[block] *= item.contacts
        elif isinstance(item, SchoolClosure):
            contacts[block] *= 1.0 - item.contacts_at_school
        elif isinstance(item, WorkResumption):
            share = _share_open(item, start, when)
            work[block] = share[None, :]
            closed = 1.0 - share[None, :]
            contacts[block] *= 1.0 - item.contacts_at_work * closed
            outflow[block] *= 1.0 - item.travel_for_work * closed
            inflow[block] *= 1.0 - item.travel_for_work * closed
        elif isinstance(item, Testing):
            if item.documented_share is not None:
                alpha[block] = item.documented_share
            if item.documented_infectious_days is not None:
                isolation[block] = item.documented_infectious_days
        elif isinstance(item, Capacity):
            capacity[block] = np.nan_to_num(capacity[block]) + item.beds
    has_beds = beds is not None or any(isinstance(i, Capacity) for i in interventions)
    drivers = Drivers(
        contacts=contacts,
        outflow=outflow,
        inflow=inflow,
        alpha=alpha if not np.isnan(alpha).all() else None,
        documented_infectious_days=isolation if not np.isnan(isolation).all() else None,
        beds=capacity if has_beds else None,
    )
    return Effects(drivers, work)


def _days(item: _Lever, start: dt.date, days: int) -> slice:
    first = max(0, (item.start - start).days)
    last = days - 1 if item.end is None else min(days - 1, (item.end - start).days)
    return slice(first, last + 1)


def _share_open(item: WorkResumption, start: dt.date, when: slice) -> np.ndarray:
    if not isinstance(item.share_open, list):
        return np.full(when.stop - when.start, item.share_open)
    points = np.array([(d - start).days for d, _ in item.share_open], dtype=float)
    shares = np.array([s for _, s in item.share_open])
    return np.interp(np.arange(when.start, when.stop), points, shares)


def _target(
    item: _Lever, codes: Sequence[str], zones: dict[str, list[str]], place: str
) -> np.ndarray:
    rows = _included(item, codes, zones, place)
    if item.exclude:
        dropped = _in_provinces(
            codes, [c for c in item.exclude if c.endswith("0000")], f"{place}.exclude"
        )
        plain = [c for c in item.exclude if not c.endswith("0000")]
        dropped = np.union1d(dropped, positions(codes, plain, f"{place}.exclude"))
        rows = np.setdiff1d(rows, dropped)
    return rows


def _included(
    item: _Lever, codes: Sequence[str], zones: dict[str, list[str]], place: str
) -> np.ndarray:
    if item.regions == "all":
        return np.arange(len(codes))
    if item.provinces is not None:
        return _in_provinces(codes, item.provinces, f"{place}.provinces")
    if item.zone is not None:
        if item.zone not in zones:
            raise InputError(
                Problem(
                    f"{place}.zone",
                    "unknown zone",
                    value=item.zone,
                    expected=", ".join(sorted(zones)) or "a zone defined under zones:",
                )
            )
        return np.unique(positions(codes, zones[item.zone], f"{place}.zone"))
    return np.unique(positions(codes, item.regions, f"{place}.regions"))


def _in_provinces(codes: Sequence[str], provinces: Sequence[str], place: str) -> np.ndarray:
    prefixes = np.array([c[:2] for c in codes])
    rows = []
    for province in provinces:
        found = np.flatnonzero(prefixes == province[:2])
        if not found.size:
            raise InputError(
                Problem(place, "no region of the model in this province", value=province)
            )
        rows.append(found)
    return np.unique(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)


def _check_overlaps(interventions, targets, place: str) -> None:
    problems = []
    for i, first in enumerate(interventions):
        for j in range(i + 1, len(interventions)):
            second = interventions[j]
            if first.lever != second.lever or first.lever == "capacity":
                continue
            if first.settings() == second.settings():
                continue
            if not _dates_overlap(first, second):
                continue
            shared = np.intersect1d(targets[i], targets[j])
            if shared.size:
                problems.append(
                    Problem(
                        f"{place}: interventions[{j}]",
                        f"contradicts interventions[{i}]: same lever {first.lever!r} on "
                        f"{shared.size} common region(s) on common days with other settings",
                        value=second.settings(),
                        expected=f"{first.settings()} or days that do not overlap",
                    )
                )
    if problems:
        raise InputError(problems)


def _dates_overlap(a: _Lever, b: _Lever) -> bool:
    far = dt.date.max
    return a.start <= (b.end or far) and b.start <= (a.end or far)
