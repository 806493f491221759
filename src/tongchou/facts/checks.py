"""Checks shared by the engines that take counts shaped (regions, days): each returns the input
as a float array or raises InputError naming every bad cell, its value and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import numpy as np

from tongchou.errors import InputError, Problem

_MAX_PROBLEMS = 50


def reject(place: str, message: str, *, hint: str | None = None, **details) -> NoReturn:
    """Raise an InputError for one problem; `details` are Problem's value, expected, nearest."""
    raise InputError(Problem(place, message, **details), hint=hint)


_BAD_COUNT = ("counts must be finite and >= 0", "a count >= 0, or NaN for a missing day")
_BAD_POPULATION = ("population must be a positive number", "> 0 persons, or NaN if unknown", None)


def _reject_cells(places, values, count, message, expected, hint=None) -> NoReturn:
    problems = [
        Problem(place, message, value=float(value), expected=expected)
        for place, value in zip(places, values, strict=False)
    ]
    if count > len(places):
        hint = f"{count} bad cells in all. " + (hint or "")
    raise InputError(problems, hint=hint)


def _where(name: str, region: int, day: int, regions=None, dates=None) -> str:
    region_label = regions[region] if regions is not None else f"region {region}"
    day_label = dates[day] if dates is not None else f"day {day}"
    return f"{name}[{region_label}, {day_label}]"


def check_counts(
    values,
    name: str,
    *,
    shape: tuple[int, int] | None = None,
    allow_negative: bool = False,
    regions: Sequence | None = None,
    dates: Sequence | None = None,
) -> np.ndarray:
    """Return `values` as a float array shaped (regions, days), or raise InputError naming each
    bad cell: not 2-D, a shape other than `shape`, infinite, or negative (unless allowed).
    NaN stands for a missing report and is kept."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        reject(name, "is not numeric", value=type(values).__name__, expected="numbers or NaN")
    if array.ndim != 2:
        shaped = f"shape {array.shape}"
        hint = "For one region pass values[None, :]."
        reject(name, "needs 2 dimensions", value=shaped, expected="(regions, days)", hint=hint)
    if 0 in array.shape:
        reject(name, "is empty", value=array.shape, expected="at least one region and one day")
    if shape is not None and array.shape != tuple(shape):
        reject(name, "shape differs from the other inputs", value=array.shape, expected=shape)
    # Two reductions that skip NaN find the rare bad input without building a mask.
    low = np.fmin.reduce(array, axis=None, initial=0.0)
    high = np.fmax.reduce(array, axis=None, initial=0.0)
    if high == np.inf or low == -np.inf or (low < 0 and not allow_negative):
        bad = np.argwhere(np.isinf(array) | ((array < 0) & (not allow_negative)))
        places = [_where(name, r, t, regions, dates) for r, t in bad[:_MAX_PROBLEMS]]
        _reject_cells(places, array[tuple(bad.T)], len(bad), *_BAD_COUNT)
    return array


def check_population(population, regions_count: int, *, regions: Sequence | None = None):
    """Return population as a float array shaped (regions,), or raise InputError naming each
    region whose population is zero, negative or infinite. A missing population (NaN: a
    placeholder unit, a county the census lacks) is allowed: rates per person are NaN there."""
    try:
        array = np.asarray(population, dtype=float)
    except (TypeError, ValueError):
        reject("population", "is not numeric", value=type(population).__name__)
    if array.shape != (regions_count,):
        expected = f"({regions_count},)"
        reject("population", "needs one value per region", value=array.shape, expected=expected)
    bad = np.flatnonzero(~((np.isfinite(array) & (array > 0)) | np.isnan(array)))
    if bad.size:
        labels = regions if regions is not None else [f"region {r}" for r in range(regions_count)]
        places = [f"population[{labels[r]}]" for r in bad[:_MAX_PROBLEMS]]
        _reject_cells(places, array[bad], bad.size, *_BAD_POPULATION)
    return array


def check_window(name: str, value: int, low: int) -> int:
    """Return a length in days as an int, or raise InputError unless a whole number >= `low`."""
    if int(value) != value or value < low:
        reject(name, "must be a whole number of days", value=value, expected=f"an integer >= {low}")
    return int(value)


def check_confidence(confidence: float) -> float:
    """Return the confidence level of an interval, or raise InputError unless in (0, 1)."""
    if not 0 < confidence < 1:
        reject("confidence", "must lie between 0 and 1", value=confidence, expected="e.g. 0.95")
    return float(confidence)


def check_labels(regions: Sequence, dates: Sequence, shape: tuple[int, int]) -> None:
    """Raise InputError unless there is one region code per row and one date per column."""
    if len(regions) != shape[0] or len(dates) != shape[1]:
        found = f"{len(regions)} regions x {len(dates)} dates"
        expected = f"{shape[0]} regions x {shape[1]} dates"
        reject("labels", "one code per row, one date per column", value=found, expected=expected)
