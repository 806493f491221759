"""One day of infection and disease in every region of every member, as one compiled loop.

The equations are those of `metapop` (its docstring gives them with their meaning). A cell
(member, region) needs a dozen transitions a day; written as whole-array numpy operations that
is some fifty passes over the ensemble with their temporaries, against one pass here. The same
loop serves both modes: a stochastic run draws each transition (`draws.draw`), a deterministic
one moves its expected value. Blocks of members run in parallel, each drawing from its own
seeded generator, so a seed gives the same run on any number of cores.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tongchou.scenarios.draws import BLOCKS, LAUNCH, READ, SEEDS, draw

COMPARTMENTS = ("S", "E", "Iu", "R", "Id", "H", "ICU", "D")
S, E, IU, R, ID, H, ICU, D = range(len(COMPARTMENTS))
EVENTS = ("infections", "cases", "admissions", "deaths")
# the per-cell inputs of the day, each (members, regions), in the order the loop takes them:
# daily probabilities, computed where the parameters are (often one value for all cells)
INPUTS = (
    "contacts",
    "beta",
    "mu",
    "latent_end",  # E -> Id | Iu
    "recovery",  # Iu -> R
    "isolation",  # Id -> hospital | R
    "alpha",
    "admitted",  # share of isolated documented infections who need a bed
    "icu_share",
    "ward_exit",  # H -> D | R
    "icu_exit",  # ICU -> D | R
    "ward_fatality",
    "icu_fatality",
)


def day(
    x: np.ndarray,
    prm: dict[str, np.ndarray],
    rng: np.random.Generator | None,
    contacts=1.0,
    alpha=None,
    documented_days=None,
) -> np.ndarray:
    """Advance x (compartments, members, regions) by one day in place, with the parameters
    `prm` (`Parameters.arrays`), contact multipliers and, where given, today's documented share
    and documented infectious period in their place; rng None: the deterministic mode.
    Returns the day's events (EVENTS, members, regions)."""
    _, members, regions = x.shape
    alpha = prm["alpha"] if alpha is None else alpha
    if documented_days is None:
        documented_days = prm["documented_infectious_days"]
    inputs = {
        "contacts": contacts,
        "beta": prm["beta"],
        "mu": prm["mu"],
        "latent_end": _daily(prm["latent_days"]),
        "recovery": _daily(prm["infectious_days"]),
        "isolation": _daily(documented_days),
        "alpha": alpha,
        "admitted": np.minimum(1.0, prm["ihr"] / np.maximum(alpha, 1e-12)),
        "icu_share": prm["icu_share"],
        "ward_exit": _daily(prm["ward_days"]),
        "icu_exit": _daily(prm["icu_days"]),
        "ward_fatality": prm["ward_fatality"],
        "icu_fatality": prm["icu_fatality"],
    }
    shape = (members, regions)
    cells = [np.broadcast_to(np.asarray(inputs[name], dtype=np.float64), shape) for name in INPUTS]
    events = np.empty((len(EVENTS), members, regions))
    with LAUNCH:
        _day(x, events, -1 if rng is None else int(rng.integers(SEEDS)), *cells)
    return events


def _daily(mean_days):
    """Probability of leaving a compartment within a day, at rate 1 / mean_days."""
    return -np.expm1(-1.0 / np.asarray(mean_days, dtype=np.float64))


_STATE = numba.types.Array(numba.float64, 3, "C")


@numba.njit(cache=True, nogil=True)
def _move(count: float, p: float, stochastic: bool) -> float:
    return draw(count, p) if stochastic else count * p


@numba.njit(
    numba.void(_STATE, _STATE, numba.int64, *([READ] * len(INPUTS))), cache=True, parallel=True
)
def _day(
    x,
    events,
    seed,
    contacts,
    beta,
    mu,
    latent_end,
    recovery,
    isolation,
    alpha,
    admitted,
    icu_share,
    ward_exit,
    icu_exit,
    ward_fatality,
    icu_fatality,
):
    stochastic = seed >= 0
    _, members, regions = x.shape
    blocks = min(members, BLOCKS)
    for block in numba.prange(blocks):
        if stochastic:
            np.random.seed((seed + block) % SEEDS)
        for i in range(block * members // blocks, (block + 1) * members // blocks):
            for j in range(regions):
                infection = 0.0
                infectious = x[ID, i, j] + mu[i, j] * x[IU, i, j]
                if infectious > 0.0:
                    living = x[S, i, j] + x[E, i, j] + x[IU, i, j] + x[R, i, j]
                    living += x[ID, i, j] + x[H, i, j] + x[ICU, i, j]
                    infection = -math.expm1(-contacts[i, j] * beta[i, j] * infectious / living)
                infections = _move(x[S, i, j], infection, stochastic)
                ended = _move(x[E, i, j], latent_end[i, j], stochastic)
                cases = _move(ended, alpha[i, j], stochastic)
                recovered_u = _move(x[IU, i, j], recovery[i, j], stochastic)
                isolated = _move(x[ID, i, j], isolation[i, j], stochastic)
                admissions = _move(isolated, admitted[i, j], stochastic)
                to_icu = _move(admissions, icu_share[i, j], stochastic)
                ward_out = _move(x[H, i, j], ward_exit[i, j], stochastic)
                ward_deaths = _move(ward_out, ward_fatality[i, j], stochastic)
                icu_out = _move(x[ICU, i, j], icu_exit[i, j], stochastic)
                icu_deaths = _move(icu_out, icu_fatality[i, j], stochastic)
                deaths = ward_deaths + icu_deaths
                x[S, i, j] -= infections
                x[E, i, j] += infections - ended
                x[ID, i, j] += cases - isolated
                x[IU, i, j] += ended - cases - recovered_u
                x[H, i, j] += admissions - to_icu - ward_out
                x[ICU, i, j] += to_icu - icu_out
                x[R, i, j] += recovered_u + isolated - admissions + ward_out + icu_out - deaths
                x[D, i, j] += deaths
                events[0, i, j] = infections
                events[1, i, j] = cases
                events[2, i, j] = admissions
                events[3, i, j] = deaths
