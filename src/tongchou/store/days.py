"""Dates travel through the store as day numbers: days since 1970-01-01."""

from __future__ import annotations

import datetime as dt

import numpy as np

EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()


def to_day(date: dt.date) -> int:
    return date.toordinal() - _EPOCH_ORDINAL


def from_day(day: int) -> dt.date:
    return dt.date.fromordinal(int(day) + _EPOCH_ORDINAL)


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers to numpy datetime64[D], vectorised."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]")
