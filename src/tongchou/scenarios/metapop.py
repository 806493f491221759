"""The metapopulation engine: SEIR with documented and undocumented infections, hospital wards,
intensive care and deaths in every region, coupled by daily travel.

Each region holds S, E, Iu (undocumented infectious), R, Id (documented infectious), H (on a
hospital ward), ICU and D (dead). As in Li, Pei et al. 2020 (Science 368:489), travellers move:
each day a region's S, E, Iu and R leave in proportion to its outflow of trips and arrive in the
destinations in proportion to the trips to each; documented cases, patients and the dead stay
put, so regions' populations change with net travel. Infection mixes within a region only:

    force of infection  = contacts * beta * (Id + mu * Iu) / N    (N: the living present)
    S -> E              with probability 1 - exp(-force)
    E -> Id | Iu        at rate 1 / latent_days, documented with probability alpha
    Iu -> R             at rate 1 / infectious_days
    Id -> hospital | R  at rate 1 / documented_infectious_days; to hospital with probability
                        ihr / alpha (hospitalised infections are all documented), of whom
                        icu_share go to intensive care and the rest to a ward
    H -> D | R          at rate 1 / ward_days, dying with probability ward_fatality
    ICU -> D | R        at rate 1 / icu_days, dying with probability icu_fatality

The time step is a day: transitions first (`transitions.day`, one compiled pass over the
ensemble), then travel. Stochastic runs draw every transition as a binomial chain
(`draws.draw`: exact at small counts, normal approximation in between, the expected value at
very large counts); exposed and undocumented travellers leave binomially and are allocated
to destinations by systematic sampling (`draws.allocate`), so every traveller arrives
somewhere; susceptible and recovered travellers move in expected numbers, rounded, as their
sampling noise is nothing against their counts. The deterministic mode moves the expected
value of every transition: the large-population limit of the stochastic mode.

Internally the state is (compartments, members, regions), travellers first, so that the
travelling compartments of all members are one matrix for the daily product with the flows.
Everything public is (members, regions, compartments).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from tongchou.errors import InputError, Problem
from tongchou.scenarios import draws, transitions
from tongchou.scenarios.parameters import Parameters
from tongchou.scenarios.transitions import COMPARTMENTS, EVENTS, ICU, IU, E, H, R, S

log = logging.getLogger(__name__)

TRAVELLING = 4  # S, E, Iu, R
SERIES = (*EVENTS, "hospital", "icu", *COMPARTMENTS)


@dataclass(frozen=True)
class Drivers:
    """What interventions change, per region and day: arrays shaped (regions, days) aligned
    with the run, or None for no change. Multipliers default to 1; `alpha` and
    `documented_infectious_days` replace the parameter where they are not NaN; `beds` is the
    number of hospital beds (NaN: unknown, not counted)."""

    contacts: np.ndarray | None = None
    outflow: np.ndarray | None = None
    inflow: np.ndarray | None = None
    alpha: np.ndarray | None = None
    documented_infectious_days: np.ndarray | None = None
    beds: np.ndarray | None = None

    def check(self, regions: int, days: int) -> None:
        problems = []
        for name in self.__dataclass_fields__:
            array = getattr(self, name)
            if array is None:
                continue
            if np.shape(array) != (regions, days):
                problems.append(
                    Problem(
                        f"drivers.{name}",
                        "wrong shape",
                        value=np.shape(array),
                        expected=f"({regions}, {days})",
                    )
                )
            elif name not in ("alpha", "documented_infectious_days", "beds") and (
                not np.isfinite(array).all() or (array < 0).any()
            ):
                problems.append(Problem(f"drivers.{name}", "multipliers must be finite and >= 0"))
        if problems:
            raise InputError(problems)


@dataclass(frozen=True)
class Run:
    """What a run returns: the final state (members, regions, compartments), the recorded
    daily series (members, groups, days) as float32, and, where beds were given, the number
    of days each region's hospital demand exceeded its beds (members, regions)."""

    state: np.ndarray
    series: dict[str, np.ndarray] = field(default_factory=dict)
    days_over_capacity: np.ndarray | None = None


def simulate(
    initial: np.ndarray,
    parameters: Parameters,
    flows,
    days: int,
    *,
    members: int = 1,
    stochastic: bool = True,
    seed: int | np.random.Generator | None = None,
    drivers: Drivers | None = None,
    record: Sequence[str] = ("infections", "cases", "hospital", "deaths"),
    groups: np.ndarray | None = None,
) -> Run:
    """Run the model for `days` days.

    initial: (regions, compartments) or (members, regions, compartments), people per
        compartment in `COMPARTMENTS` order; whole numbers for a stochastic run.
    flows: trips a day origin -> destination: (days, regions, regions) aligned with the run,
        one (regions, regions) matrix (dense or scipy.sparse) for every day, a sequence of
        per-day matrices, or None for isolated regions.
    groups: for each region the index of the group its series are summed into (e.g. its
        province); default: every region on its own.
    """
    x = _initial_state(initial, members, stochastic)
    _, m, n = x.shape
    record = _check_record(record)
    prm = parameters.arrays(m, n)
    drivers = drivers or Drivers()
    drivers.check(n, days)
    daily = daily_flows(flows, n, days)
    _check_outflow(daily, drivers, x, prm["theta"], days)
    rng = np.random.default_rng(seed) if stochastic else None
    aggregate = _aggregator(groups, n)
    width = n if aggregate is None else aggregate.count
    # days first while running, so that each day writes one contiguous block
    series = {name: np.zeros((days, m, width), dtype=np.float32) for name in record}
    over = None if drivers.beds is None else np.zeros((m, n), dtype=np.int32)
    travel = Travel(daily, drivers)
    with draws.parallel_section():
        for t in range(days):
            events = advance(x, prm, t, drivers, rng)
            travel(x, t, prm["theta"], rng)
            _record(series, t, x, events, aggregate)
            if over is not None:
                beds = drivers.beds[:, t]
                over += x[H] + x[ICU] > beds  # NaN beds compare False: not counted
    series = {name: np.ascontiguousarray(np.moveaxis(v, 0, -1)) for name, v in series.items()}
    return Run(np.moveaxis(x, 0, -1).copy(), series, over)


def advance(
    x: np.ndarray,
    prm: dict[str, np.ndarray],
    t: int,
    drivers: Drivers,
    rng: np.random.Generator | None,
) -> dict[str, np.ndarray]:
    """One day of infection and disease in place on x (compartments, members, regions);
    returns the day's new infections, cases, admissions and deaths (members, regions)."""
    events = transitions.day(
        x,
        prm,
        rng,
        contacts=1.0 if drivers.contacts is None else drivers.contacts[:, t],
        alpha=_override(prm["alpha"], drivers.alpha, t),
        documented_days=_override(
            prm["documented_infectious_days"], drivers.documented_infectious_days, t
        ),
    )
    return dict(zip(EVENTS, events, strict=True))


class Travel:
    """Moves travellers for one day; keeps the prepared matrices while the flows and the
    multipliers stay the same (a static matrix is prepared once)."""

    def __init__(self, daily: Callable[[int], object] | None, drivers: Drivers):
        self.daily = daily
        self.drivers = drivers
        self._key = None
        self._prepared = None
        self._warned = False

    def prepare(self, t: int, dtype=np.float64):
        """Trips leaving each region and where they go, for day t. Stochastic runs take the
        shares in float32 (their allocation rounds to whole travellers anyway); deterministic
        runs keep float64 so that no traveller is lost to rounding."""
        matrix = self.daily(t)
        out_mult = None if self.drivers.outflow is None else self.drivers.outflow[:, t]
        in_mult = None if self.drivers.inflow is None else self.drivers.inflow[:, t]
        key = (
            id(matrix),
            dtype,
            None if out_mult is None else out_mult.tobytes(),
            None if in_mult is None else in_mult.tobytes(),
        )
        if key != self._key:
            self._key = key
            self._prepared = _prepare(matrix, out_mult, in_mult, dtype)
        return self._prepared

    def __call__(self, x, t, theta, rng) -> None:
        if self.daily is None:
            return
        out_total, shares = self.prepare(t, np.float64 if rng is None else np.float32)
        drained = move(x, out_total, shares, theta, rng)
        if drained and not self._warned:
            self._warned = True
            log.warning(
                "day %d: %d region-member(s) had fewer travellers than trips leaving; "
                "everybody who could travel left (net travel has drained them)",
                t,
                drained,
            )


def move(x, out_total, shares, theta, rng) -> int:
    """Travel in place on x: `out_total` trips leave each region, `shares` (origin x
    destination, rows adding up to one) say where they go. Returns how many region-members
    had fewer people who could travel than trips leaving."""
    travelling = x[:TRAVELLING]
    pool = travelling.sum(axis=0)
    wanted = theta * out_total
    rate = np.divide(wanted, pool, out=np.zeros_like(pool), where=pool > 0)
    drained = int(np.count_nonzero(rate > 1.0))
    np.minimum(rate, 1.0, out=rate)
    if rng is None:
        leaving = travelling * rate
        arriving = leaving.reshape(TRAVELLING * pool.shape[0], -1) @ shares
    else:
        leaving = np.empty_like(travelling)
        np.rint(travelling[S] * rate, out=leaving[S])
        np.rint(travelling[R] * rate, out=leaving[R])
        leaving[E] = draws.binomial(rng, travelling[E], rate)
        leaving[IU] = draws.binomial(rng, travelling[IU], rate)
        rows = leaving.reshape(TRAVELLING * pool.shape[0], -1)
        expected = rows.astype(np.float32) @ shares
        arriving = draws.allocate(expected, rows.sum(axis=1), rng.random(rows.shape[0]))
    travelling -= leaving
    travelling += np.asarray(arriving).reshape(travelling.shape)
    return drained


def _prepare(matrix, out_mult, in_mult, dtype):
    if sp.issparse(matrix):
        matrix = sp.csr_array(matrix, dtype=np.float64)
        if out_mult is not None:
            matrix = sp.diags_array(out_mult) @ matrix
        if in_mult is not None:
            matrix = matrix @ sp.diags_array(in_mult)
        out_total = np.asarray(matrix.sum(axis=1)).ravel()
        inverse = np.divide(1.0, out_total, out=np.zeros_like(out_total), where=out_total > 0)
        return out_total, sp.csr_array(sp.diags_array(inverse) @ matrix, dtype=dtype)
    matrix = np.asarray(matrix, dtype=np.float64)
    if out_mult is not None:
        matrix = matrix * out_mult[:, None]
    if in_mult is not None:
        matrix = matrix * in_mult[None, :]
    out_total = matrix.sum(axis=1)
    inverse = np.divide(1.0, out_total, out=np.zeros_like(out_total), where=out_total > 0)
    return out_total, (matrix * inverse[:, None]).astype(dtype, copy=False)


def daily_flows(flows, n: int, days: int) -> Callable[[int], object] | None:
    """A function day -> (n, n) matrix, after checking shapes and signs."""
    if flows is None:
        return None
    if sp.issparse(flows) or (isinstance(flows, np.ndarray) and flows.ndim == 2):
        _check_matrix(flows, n, "flows")
        return lambda t: flows
    if isinstance(flows, np.ndarray) and flows.ndim == 3:
        if flows.shape[0] < days:
            raise InputError(
                Problem(
                    "flows",
                    "fewer days of flows than days to run",
                    value=flows.shape[0],
                    expected=f">= {days}",
                )
            )
        _check_matrix(flows[:days], n, "flows")
        return lambda t: flows[t]
    flows = list(flows)
    if len(flows) < days:
        raise InputError(Problem("flows", "fewer days of flows than days to run", value=len(flows)))
    for t, matrix in enumerate(flows[:days]):
        _check_matrix(matrix, n, f"flows[{t}]")
    return lambda t: flows[t]


def _check_matrix(matrix, n: int, place: str) -> None:
    shape = matrix.shape[-2:]
    if shape != (n, n):
        raise InputError(
            Problem(place, "wrong shape", value=matrix.shape, expected=f"(..., {n}, {n})")
        )
    values = matrix.data if sp.issparse(matrix) else matrix
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise InputError(
            Problem(
                place,
                "trips must be finite and >= 0",
                value=float(np.asarray(values)[bad].flat[0]),
                expected="a number of trips >= 0",
            )
        )


def _check_outflow(daily, drivers: Drivers, x: np.ndarray, theta, days: int) -> None:
    """Trips leaving a region in a day cannot exceed its travelling population."""
    if daily is None:
        return
    pool = x[:TRAVELLING].sum(axis=0).min(axis=0)
    most = float(np.max(theta))
    checked = set()
    for t in range(days):
        matrix = daily(t)
        if id(matrix) in checked and drivers.outflow is None:
            continue
        checked.add(id(matrix))
        out_total = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel() * most
        if drivers.outflow is not None:
            out_total = out_total * drivers.outflow[:, t]
        over = np.flatnonzero(out_total > pool)
        if over.size:
            i = int(over[0])
            raise InputError(
                Problem(
                    f"flows[day {t}, origin {i}]",
                    "trips leaving the region exceed its travelling population",
                    value=round(out_total[i]),
                    expected=f"<= {pool[i]:.0f} (S + E + Iu + R)",
                ),
                hint=f"{over.size} region(s) affected on that day; check the flow units.",
            )


def _initial_state(initial, members: int, stochastic: bool) -> np.ndarray:
    state = np.asarray(initial, dtype=np.float64)
    c = len(COMPARTMENTS)
    if state.ndim == 2:
        state = np.broadcast_to(state, (members, *state.shape))
    if state.ndim != 3 or state.shape[-1] != c:
        raise InputError(
            Problem(
                "initial",
                "wrong shape",
                value=np.shape(initial),
                expected=f"(regions, {c}) or (members, regions, {c}), order {COMPARTMENTS}",
            )
        )
    problems = []
    bad = ~np.isfinite(state) | (state < 0)
    if bad.any():
        _, region, compartment = np.argwhere(bad)[0]
        problems.append(
            Problem(
                f"initial[region {region}, {COMPARTMENTS[compartment]}]",
                "people must be finite and >= 0",
                value=float(state[bad][0]),
            )
        )
    elif stochastic and (state != np.round(state)).any():
        problems.append(
            Problem("initial", "a stochastic run needs whole numbers of people", value="a fraction")
        )
    if problems:
        raise InputError(problems)
    return np.array(np.moveaxis(state, -1, 0), order="C")  # a copy: the run writes into it


def _check_record(record: Sequence[str]) -> tuple[str, ...]:
    unknown = [name for name in record if name not in SERIES]
    if unknown:
        raise InputError(
            [
                Problem("record", "unknown series", value=name, expected=", ".join(SERIES))
                for name in unknown
            ]
        )
    return tuple(record)


@dataclass(frozen=True)
class _Groups:
    """Sums columns (regions) into groups: reorder so that each group's regions are adjacent,
    then add up runs (np.add.reduceat), far cheaper than a product with a 0/1 matrix."""

    order: np.ndarray | None  # None: regions are already grouped in order
    starts: np.ndarray
    count: int

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if self.order is not None:
            values = values[:, self.order]
        return np.add.reduceat(values, self.starts, axis=1)


def _aggregator(groups, n: int) -> _Groups | None:
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.shape != (n,) or groups.min() < 0:
        raise InputError(Problem("groups", "one group index >= 0 per region", value=groups.shape))
    present = np.unique(groups)
    if not np.array_equal(present, np.arange(present.size)):
        raise InputError(
            Problem("groups", "group indices must run 0, 1, 2 ... without gaps", value=present)
        )
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    grouped = bool((order == np.arange(n)).all())
    return _Groups(None if grouped else order, starts, present.size)


def _record(series, t, x, events, aggregate) -> None:
    for name, out in series.items():
        if name in events:
            values = events[name]
        elif name == "hospital":
            values = x[H] + x[ICU]
        elif name == "icu":
            values = x[ICU]
        else:
            values = x[COMPARTMENTS.index(name)]
        out[t] = values if aggregate is None else aggregate(values)


def _override(value, daily, t):
    if daily is None:
        return value
    today = daily[:, t]
    return np.where(np.isnan(today), value, today)
