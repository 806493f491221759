"""Parameters of the metapopulation model, with their published sources and their domains.

Transmission and natural history follow the posterior of Li, Pei et al. 2020 (Science 368:489,
"Substantial undocumented infection facilitates the rapid dissemination of novel coronavirus",
table 1, 10-23 January 2020): beta 1.12/day, mu 0.55, Z 3.69 days, D 3.47 days, alpha 0.14,
theta 1.36. Hospital burden: Salje et al. 2020 (Science 369:208, France): 2.6% of infections
hospitalised, 19% of them in intensive care, infection fatality 0.53%; fatality in intensive
care 49% (Wu & McGoogan 2020, JAMA 323:1239, critical cases in China); ward fatality set so
that the infection fatality is 0.53%; lengths of stay 11 days on a ward and 8 in intensive
care (medians, Zhou F et al. 2020, Lancet 395:1054).

Every field is a number or an array broadcastable to (members, regions): one value for all,
one per region (shape (regions,)), or one per ensemble member (shape (members, 1)).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from tongchou.errors import InputError, Problem

# What each parameter means, and its domain: ("rate", lower bound excluded) for durations
# and rates, ("share", closed unit interval) for probabilities, ("factor", >= 0).
_DOMAIN = {
    "beta": ("factor", "transmission rate of documented infections, per day"),
    "mu": ("share", "transmissibility of undocumented relative to documented infections"),
    "latent_days": ("duration", "mean latent period Z, days"),
    "infectious_days": ("duration", "mean infectious period D, days"),
    "documented_infectious_days": (
        "duration",
        "mean time a documented infection stays infectious before isolation, days",
    ),
    "alpha": ("share", "share of infections that are documented (reporting fraction)"),
    "theta": ("factor", "multiplier of the mobility flows"),
    "ihr": ("share", "share of all infections that need a hospital bed"),
    "icu_share": ("share", "share of hospitalised patients who need intensive care"),
    "ward_days": ("duration", "mean stay on a ward, days"),
    "icu_days": ("duration", "mean stay in intensive care, days"),
    "ward_fatality": ("share", "share of ward patients who die"),
    "icu_fatality": ("share", "share of intensive-care patients who die"),
}


@dataclass(frozen=True)
class Parameters:
    """Model parameters; see the module docstring for sources. `documented_infectious_days`
    defaults to `infectious_days` (no faster isolation of documented cases)."""

    beta: object = 1.12
    mu: object = 0.55
    latent_days: object = 3.69
    infectious_days: object = 3.47
    documented_infectious_days: object = None
    alpha: object = 0.14
    theta: object = 1.0
    ihr: object = 0.026
    icu_share: object = 0.19
    ward_days: object = 11.0
    icu_days: object = 8.0
    ward_fatality: object = 0.137
    icu_fatality: object = 0.49

    def __post_init__(self) -> None:
        if self.documented_infectious_days is None:
            object.__setattr__(self, "documented_infectious_days", self.infectious_days)
        problems = []
        for field in fields(self):
            value = getattr(self, field.name)
            array = np.asarray(value, dtype=float)
            kind, meaning = _DOMAIN[field.name]
            bad = _outside(array, kind)
            if bad.any():
                problems.append(
                    Problem(
                        f"parameters.{field.name}",
                        meaning,
                        value=_first(array, bad),
                        expected=_EXPECTED[kind],
                    )
                )
        if not problems:
            alpha, ihr = np.broadcast_arrays(
                np.asarray(self.alpha, dtype=float), np.asarray(self.ihr, dtype=float)
            )
            below = alpha < ihr
            if below.any():
                problems.append(
                    Problem(
                        "parameters.alpha",
                        "every hospitalised infection is documented, so the documented share "
                        "cannot be below the hospitalised share ihr",
                        value=_first(alpha, below),
                        expected=f">= ihr ({_first(ihr, below)})",
                    )
                )
        if problems:
            raise InputError(problems)

    def replace(self, **changes) -> Parameters:
        unknown = [k for k in changes if k not in _DOMAIN]
        if unknown:
            raise InputError(
                [
                    Problem("parameters", "unknown parameter", value=k, expected=_NAMES)
                    for k in unknown
                ]
            )
        return replace(self, **changes)

    def arrays(self, members: int, regions: int) -> dict[str, np.ndarray]:
        """Every parameter as a float array broadcastable to (members, regions)."""
        out = {}
        for field in fields(self):
            array = np.asarray(getattr(self, field.name), dtype=float)
            if array.ndim == 1:
                if array.shape[0] != regions:
                    raise InputError(
                        Problem(
                            f"parameters.{field.name}",
                            "one value per region expected",
                            value=f"{array.shape[0]} values",
                            expected=f"{regions} (or (members, 1) per member)",
                        )
                    )
                array = array[None, :]
            try:
                np.broadcast_shapes(array.shape, (members, regions))
            except ValueError:
                raise InputError(
                    Problem(
                        f"parameters.{field.name}",
                        "shape does not fit the ensemble",
                        value=array.shape,
                        expected=f"broadcastable to ({members}, {regions})",
                    )
                ) from None
            out[field.name] = array
        return out

    def as_dict(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


_NAMES = ", ".join(_DOMAIN)
_EXPECTED = {
    "factor": "a finite number >= 0",
    "share": "a number between 0 and 1",
    "duration": "a finite number of days > 0",
}


def _outside(array: np.ndarray, kind: str) -> np.ndarray:
    finite = np.isfinite(array)
    if kind == "share":
        return ~finite | (array < 0) | (array > 1)
    if kind == "duration":
        return ~finite | (array <= 0)
    return ~finite | (array < 0)


def _first(array: np.ndarray, bad: np.ndarray) -> float:
    return float(array[bad].flat[0])
