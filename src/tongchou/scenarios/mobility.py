"""Daily trips between regions: the bundled Baidu Qianxi flows of China 2020, a user's own
matrices, and the counterfactual "as if these regions had stayed open".

A `Mobility` holds `flows[t, origin, destination]`, trips a day, for consecutive days from
`start` (or one matrix for every day). Trips within a region (the diagonal) have no effect on
the model and are set to zero.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import lzma
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem

log = logging.getLogger(__name__)

CHINA_MOBILITY_FILE = "china_mobility_baidu_2020.npz"

# Trips a day per unit of Baidu's migration scale index: 1 / 3.24e-5, the proportionality
# constant that Wang & Yan (2021, J. Univ. Electron. Sci. Technol. China 50(4):616-626)
# inverted from the index. The Tencent-based matrix of Li, Pei et al. (2020, Science) implies
# 31,400 for all flows and 29,600 for Wuhan's outflow over 10-23 January 2020 (see
# data/SOURCES.md); Li, Pei et al. further scaled their flows by theta = 1.36 (1.0-1.75).
TRIPS_PER_INDEX = 30_864.0


@dataclass(frozen=True, eq=False)
class Mobility:
    """Trips a day between `codes`: `flows` is (days, n, n) from `start`, or (n, n) for a
    matrix that holds every day (then `start` is None). Read-only once built."""

    codes: tuple[str, ...]
    flows: np.ndarray
    start: dt.date | None = None
    imputed: np.ndarray | None = None  # (days, n): origin-days filled in, not observed
    source: str = "user"

    def __post_init__(self) -> None:
        flows = np.array(self.flows, dtype=np.float32)
        place = f"mobility ({self.source})"
        n = len(self.codes)
        if flows.ndim not in (2, 3) or flows.shape[-2:] != (n, n):
            raise InputError(
                Problem(
                    place,
                    "flows have the wrong shape",
                    value=flows.shape,
                    expected=f"(days, {n}, {n}) or ({n}, {n}) for {n} regions",
                )
            )
        if flows.ndim == 3 and self.start is None:
            raise InputError(Problem(place, "daily flows need a start date"))
        duplicated = pd.Index(self.codes).duplicated()
        if duplicated.any():
            code = self.codes[int(np.flatnonzero(duplicated)[0])]
            raise InputError(Problem(place, "region code given twice", value=code))
        problems = _flow_problems(flows, self.codes, self.start, place)
        if problems:
            raise InputError(problems)
        daily = flows.reshape(-1, n, n)
        daily[:, np.arange(n), np.arange(n)] = 0.0
        flows.setflags(write=False)
        object.__setattr__(self, "flows", flows)
        object.__setattr__(self, "codes", tuple(self.codes))

    @property
    def static(self) -> bool:
        return self.flows.ndim == 2

    @property
    def days(self) -> int | None:
        return None if self.static else self.flows.shape[0]

    @property
    def end(self) -> dt.date | None:
        """The last day with flows."""
        return None if self.static else self.start + dt.timedelta(days=self.days - 1)

    def window(self, start: dt.date, days: int) -> np.ndarray:
        """Flows for `days` days from `start`: (days, n, n), or the (n, n) static matrix."""
        if self.static:
            return self.flows
        offset = (start - self.start).days
        if offset < 0 or offset + days > self.days:
            last = start + dt.timedelta(days=days - 1)
            raise InputError(
                Problem(
                    f"mobility ({self.source})",
                    f"no flows for {start} .. {last}",
                    expected=f"dates within {self.start} .. {self.end}",
                ),
                hint="Shorten the run or extend the flows (Mobility.extended).",
            )
        return self.flows[offset : offset + days]

    def subset(self, codes: Sequence[str]) -> Mobility:
        """The flows among `codes` only (trips to other regions are dropped)."""
        rows = positions(self.codes, codes, f"mobility ({self.source})")
        flows = self.flows[..., rows[:, None], rows[None, :]]
        imputed = None if self.imputed is None else self.imputed[:, rows]
        return Mobility(tuple(codes), flows, self.start, imputed, self.source)

    def extended(self, until: dt.date) -> Mobility:
        """Daily flows continued to `until` by repeating the last seven days."""
        if self.static or until <= self.end:
            return self
        extra = (until - self.end).days
        week = self.flows[-7:]
        tail = np.concatenate([week] * (extra // 7 + 1))[:extra]
        imputed = None
        if self.imputed is not None:
            imputed = np.vstack([self.imputed, np.ones((extra, len(self.codes)), bool)])
        flows = np.concatenate([self.flows, tail])
        return Mobility(self.codes, flows, self.start, imputed, self.source)

    def scaled(self, factor: float) -> Mobility:
        return Mobility(self.codes, self.flows * factor, self.start, self.imputed, self.source)

    def restored(
        self, codes: Sequence[str], after: dt.date, reference: tuple[dt.date, dt.date]
    ) -> Mobility:
        """Counterfactual flows in which `codes` were not closed after `after`.

        From the day after `after`, the restored regions send trips with the destination
        shares they had over the `reference` days, in a volume that follows the rest of the
        country (their reference volume times the other origins' volume relative to theirs
        over the reference days). Every other origin keeps its observed volume but sends the
        reference share of it to the restored regions, taking it from its other destinations
        in proportion. What the restored regions did themselves (closures) is undone; what the
        rest of the country did stays in the flows.
        """
        if self.static:
            raise InputError(Problem("mobility", "a static matrix has nothing to restore"))
        place = f"mobility ({self.source}).restored"
        rows = positions(self.codes, codes, place)
        first = (after - self.start).days + 1
        ref = slice((reference[0] - self.start).days, (reference[1] - self.start).days + 1)
        if not (0 <= ref.start < ref.stop <= first <= self.days):
            raise InputError(
                Problem(
                    place,
                    "reference days must lie in the flows, before the day restored from",
                    value=(str(reference[0]), str(reference[1]), str(after)),
                    expected=f"dates within {self.start} .. {self.end}",
                )
            )
        flows = self.flows.astype(np.float64)
        closed = np.zeros(len(self.codes), dtype=bool)
        closed[rows] = True
        kept = ~closed
        base = flows[ref].mean(axis=0)
        later = flows[first:]
        volume = later[:, kept].sum(axis=(1, 2)) / base[kept].sum()
        later[:, closed, :] = base[closed][None] * volume[:, None, None]
        share_to_closed = _row_shares(base)[np.ix_(kept, closed)]
        sent = later[:, kept]
        total = sent.sum(axis=2)
        elsewhere = total - sent[:, :, closed].sum(axis=2)
        target = total * (1.0 - share_to_closed.sum(axis=1))
        factor = np.divide(target, elsewhere, out=np.zeros_like(total), where=elsewhere > 0)
        sent[:, :, kept] *= factor[:, :, None]
        sent[:, :, closed] = total[:, :, None] * share_to_closed[None]
        later[:, kept] = sent
        return Mobility(self.codes, flows, self.start, self.imputed, f"{self.source}, restored")

    def frame(self, date: dt.date | None = None) -> pd.DataFrame:
        """One day's flows as a labelled origin x destination table."""
        matrix = self.flows if self.static else self.window(date or self.start, 1)[0]
        return pd.DataFrame(matrix, index=pd.Index(self.codes, name="origin"), columns=self.codes)


def mobility_from_frame(
    frame: pd.DataFrame, codes: Sequence[str], *, place: str = "mobility"
) -> Mobility:
    """Flows from a long table with columns origin, destination, trips and, for daily flows,
    date. Every origin and destination must be one of `codes`; pairs not listed have no
    trips."""
    missing = [c for c in ("origin", "destination", "trips") if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(place, f"missing column(s) {', '.join(missing)}", expected="origin,...")
        )
    f = frame.copy()
    for column in ("origin", "destination"):
        f[column] = f[column].astype(str).str.strip()
    known = {code: i for i, code in enumerate(codes)}
    problems = []
    for column in ("origin", "destination"):
        for row, code in f.loc[~f[column].isin(known), column].items():
            near = difflib.get_close_matches(code, list(known), n=1)
            problems.append(
                Problem(
                    place,
                    "region is not in the model",
                    value=code,
                    nearest=near[0] if near else None,
                    row=int(row) + 2,
                    column=column,
                )
            )
    trips = pd.to_numeric(f["trips"], errors="coerce")
    for row in f.index[trips.isna() | (trips < 0)]:
        problems.append(
            Problem(
                place,
                "trips must be a number >= 0",
                value=_plain(f.at[row, "trips"]),
                row=int(row) + 2,
                column="trips",
            )
        )
    if problems:
        raise InputError(problems)
    origin = f["origin"].map(known).to_numpy()
    destination = f["destination"].map(known).to_numpy()
    n = len(codes)
    if "date" not in f.columns:
        flows = np.zeros((n, n), dtype=np.float32)
        np.add.at(flows, (origin, destination), trips.to_numpy())
        return Mobility(tuple(codes), flows, None, source=place)
    dates = pd.to_datetime(f["date"]).dt.date
    start = min(dates)
    day = np.array([(d - start).days for d in dates])
    flows = np.zeros((day.max() + 1, n, n), dtype=np.float32)
    np.add.at(flows, (day, origin, destination), trips.to_numpy())
    return Mobility(tuple(codes), flows, start, source=place)


@cache
def china_mobility(trips_per_index: float = TRIPS_PER_INDEX) -> Mobility:
    """Daily trips between China's 366 prefecture-tier units, 1 January - 30 April 2020, from
    the Baidu Qianxi outflow index (data/SOURCES.md), converted at `trips_per_index`."""
    path = resources.files("tongchou") / "data" / CHINA_MOBILITY_FILE
    with resources.as_file(path) as file, np.load(file) as archive:
        stored = {key: archive[key] for key in archive.files}
    codes = tuple(str(c) for c in stored["codes"])
    days, n = int(stored["days"]), len(codes)
    index = _decode_flows(stored, days, n)
    imputed = np.unpackbits(stored["imputed"], count=days * n).reshape(days, n).astype(bool)
    start = dt.date.fromisoformat(str(stored["start"]))
    return Mobility(codes, index * trips_per_index, start, imputed, "Baidu Qianxi 2020")


def _decode_flows(stored: dict[str, np.ndarray], days: int, n: int) -> np.ndarray:
    """Inverse of scripts/build_mobility.py:encode."""
    pairs = stored["pairs"].astype(np.int64)
    present = np.unpackbits(stored["present"], count=len(pairs) * days).astype(bool)
    planes = np.frombuffer(lzma.decompress(stored["levels"].tobytes()), dtype=np.uint8)
    low, high = planes.reshape(2, -1).astype(np.int64)
    zigzag = low | (high << 8)
    levels = np.cumsum(np.where(zigzag % 2 == 0, zigzag // 2, -(zigzag + 1) // 2))
    values = np.zeros(len(pairs) * days, dtype=np.float32)
    values[present] = float(stored["floor"]) * np.exp(levels * np.log1p(float(stored["step"])))
    flows = np.zeros((days, n, n), dtype=np.float32)
    flows[:, pairs[:, 0], pairs[:, 1]] = values.reshape(len(pairs), days).T
    return flows


def _plain(value):
    """A numpy scalar as the Python value it holds, so that messages read -4, not int64(-4)."""
    return value.item() if isinstance(value, np.generic) else value


def _row_shares(matrix: np.ndarray) -> np.ndarray:
    total = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, total, out=np.zeros_like(matrix), where=total > 0)


def positions(known: Sequence[str], wanted: Sequence[str], place: str) -> np.ndarray:
    """Rows of `wanted` codes among `known` ones; unknown codes raise with the nearest."""
    position = {code: i for i, code in enumerate(known)}
    problems = []
    for code in wanted:
        if code not in position:
            near = difflib.get_close_matches(str(code), list(position), n=1)
            problems.append(
                Problem(place, "unknown region", value=code, nearest=near[0] if near else None)
            )
    if problems:
        raise InputError(problems)
    return np.array([position[c] for c in wanted], dtype=np.int64)


def _flow_problems(
    flows: np.ndarray, codes: Sequence[str], start: dt.date | None, place: str
) -> list[Problem]:
    bad = ~np.isfinite(flows) | (flows < 0)
    if not bad.any():
        return []
    problems = []
    for where in np.argwhere(bad)[:20]:
        *day, origin, destination = where
        when = f"{start + dt.timedelta(days=int(day[0]))} " if day else ""
        problems.append(
            Problem(
                place,
                f"{when}trips {codes[origin]} -> {codes[destination]} must be >= 0",
                value=float(flows[tuple(where)]),
                expected="a finite number of trips >= 0",
            )
        )
    return problems
