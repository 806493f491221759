"""Delay distributions fitted by maximum likelihood to delays observed in whole days.

Delays between two dated events (symptom onset to confirmation, onset to death, the serial
interval between the onsets of an infector and an infectee) are recorded as whole days ``d``.
Each is treated as interval censored to ``[d - 0.5, d + 0.5)``: both events happened at some
unknown time within their days, so the exact delay is ``d`` plus the difference of two such
times, which has mean 0; the interval centred on ``d`` keeps that mean, whereas ``[d, d + 1)``
would assume the first event happened at the very start of its day and the second anywhere,
biasing every mean upwards by half a day. For distributions on positive delays the lower end
is clipped at 0, so a same-day delay (``d = 0``) is ``[0, 0.5)``.

Families: ``gamma``, ``lognormal`` and ``weibull`` for delays that cannot be negative, and
``normal`` for serial intervals, which can be (the infectee's onset may precede the
infector's). Positive families never see a negative delay: it is an InputError, or dropped and
counted with ``negatives="exclude"``. :func:`fit_serial_interval` does both honestly: a normal
fit to every pair and the positive families fitted to the non-negative pairs, with the count
of pairs each leaves out.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from tongchou.errors import InputError, Problem

log = logging.getLogger(__name__)

POSITIVE_FAMILIES = ("gamma", "lognormal", "weibull")
FAMILIES = (*POSITIVE_FAMILIES, "normal")

#: Half the width of the day a whole-day delay stands for.
HALF_DAY = 0.5


@dataclass(frozen=True)
class _Family:
    """How to build one family from unconstrained coordinates and back."""

    names: tuple[str, str]
    build: Callable[[np.ndarray], dict[str, float]]
    frozen: Callable[[Mapping[str, float]], stats.rv_continuous]
    # (CDF, survival function) at x, straight from scipy.special: the likelihood is
    # evaluated hundreds of times per fit, and frozen scipy distributions are slow to build.
    tails: Callable[[Mapping[str, float], np.ndarray], tuple[np.ndarray, np.ndarray]]
    moments: Callable[[Mapping[str, float]], tuple[float, float]]
    start: Callable[[float, float], np.ndarray]
    positive: bool


def _weibull_start(mean: float, var: float) -> np.ndarray:
    # Justus' approximation of the shape from the coefficient of variation.
    shape = (math.sqrt(var) / mean) ** -1.086
    return np.log([shape, mean / math.gamma(1 + 1 / shape)])


def _weibull_moments(p: Mapping[str, float]) -> tuple[float, float]:
    k, scale = p["shape"], p["scale"]
    first = special.gamma(1 + 1 / k)
    return scale * first, scale * math.sqrt(max(special.gamma(1 + 2 / k) - first**2, 0.0))


def _gamma_tails(p: Mapping[str, float], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = x / p["scale"]
    return special.gammainc(p["shape"], z), special.gammaincc(p["shape"], z)


def _lognormal_tails(p: Mapping[str, float], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore"):
        z = (np.log(x) - p["meanlog"]) / p["sdlog"]
    return special.ndtr(z), special.ndtr(-z)


def _weibull_tails(p: Mapping[str, float], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = (x / p["scale"]) ** p["shape"]
    return -np.expm1(-z), np.exp(-z)


def _normal_tails(p: Mapping[str, float], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = (x - p["mean"]) / p["sd"]
    return special.ndtr(z), special.ndtr(-z)


def _lognormal_start(mean: float, var: float) -> np.ndarray:
    sigma2 = math.log1p(var / mean**2)
    return np.array([math.log(mean) - sigma2 / 2, 0.5 * math.log(sigma2)])


def _lognormal_moments(p: Mapping[str, float]) -> tuple[float, float]:
    mean = math.exp(p["meanlog"] + p["sdlog"] ** 2 / 2)
    return mean, mean * math.sqrt(math.expm1(p["sdlog"] ** 2))


_FAMILIES = {
    "gamma": _Family(
        names=("shape", "scale"),
        build=lambda x: {"shape": math.exp(x[0]), "scale": math.exp(x[1])},
        frozen=lambda p: stats.gamma(p["shape"], scale=p["scale"]),
        tails=_gamma_tails,
        moments=lambda p: (p["shape"] * p["scale"], math.sqrt(p["shape"]) * p["scale"]),
        start=lambda m, v: np.log([m * m / v, v / m]),
        positive=True,
    ),
    "lognormal": _Family(
        names=("meanlog", "sdlog"),
        build=lambda x: {"meanlog": float(x[0]), "sdlog": math.exp(x[1])},
        frozen=lambda p: stats.lognorm(p["sdlog"], scale=math.exp(p["meanlog"])),
        tails=_lognormal_tails,
        moments=_lognormal_moments,
        start=_lognormal_start,
        positive=True,
    ),
    "weibull": _Family(
        names=("shape", "scale"),
        build=lambda x: {"shape": math.exp(x[0]), "scale": math.exp(x[1])},
        frozen=lambda p: stats.weibull_min(p["shape"], scale=p["scale"]),
        tails=_weibull_tails,
        moments=_weibull_moments,
        start=_weibull_start,
        positive=True,
    ),
    "normal": _Family(
        names=("mean", "sd"),
        build=lambda x: {"mean": float(x[0]), "sd": math.exp(x[1])},
        frozen=lambda p: stats.norm(p["mean"], p["sd"]),
        tails=_normal_tails,
        moments=lambda p: (p["mean"], p["sd"]),
        start=lambda m, v: np.array([m, 0.5 * math.log(v)]),
        positive=False,
    ),
}


@dataclass(frozen=True)
class DelayFit:
    """A maximum-likelihood fit of one family to whole-day delays.

    ``parameters`` are scipy's: gamma ``shape``/``scale``; lognormal ``meanlog``/``sdlog``
    (of the log of the delay); Weibull ``shape``/``scale``; normal ``mean``/``sd``. ``n`` is
    the number of delays used, ``n_excluded`` the negative ones left out.
    """

    family: str
    parameters: Mapping[str, float]
    mean: float
    sd: float
    loglik: float
    aic: float
    n: int
    n_excluded: int
    converged: bool

    def distribution(self) -> stats.rv_continuous:
        """The fitted continuous distribution (a frozen scipy distribution)."""
        return _FAMILIES[self.family].frozen(self.parameters)

    def day_probabilities(self, days) -> np.ndarray:
        """Probability of observing each whole-day delay under the fit (see module doc)."""
        days = np.asarray(days, dtype=float)
        return _interval_probabilities(_FAMILIES[self.family], self.parameters, days)

    def describe(self) -> str:
        return ", ".join(f"{name}={value:.4g}" for name, value in self.parameters.items())


def fit_delay(
    days,
    family: str = "gamma",
    *,
    negatives: Literal["raise", "exclude"] = "raise",
) -> DelayFit:
    """Fit one family (``gamma``, ``lognormal``, ``weibull`` or ``normal``) to delays given
    in whole days, by maximum likelihood with each delay interval censored to its day."""
    spec = _family(family)
    values, excluded = _delays(days, positive=spec.positive, negatives=negatives)
    observed, counts = np.unique(values, return_counts=True)
    mean = float(values.mean())
    # The censoring adds the variance of a uniform day (1/12); it also keeps the start finite
    # when nearly all delays are equal.
    var = float(values.var()) + 1 / 12
    if spec.positive:
        mean = max(mean, HALF_DAY)

    def negative_loglik(x: np.ndarray) -> float:
        try:
            parameters = spec.build(x)
        except OverflowError:
            return math.inf
        p = _interval_probabilities(spec, parameters, observed)
        if not np.all(p > 0):
            return math.inf
        return -float(counts @ np.log(p))

    start = spec.start(mean, var)
    result = optimize.minimize(
        negative_loglik,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 5000},
    )
    if not result.success:
        log.warning("fit_delay(%s): the optimiser stopped early: %s", family, result.message)
    parameters = spec.build(result.x)
    fit_mean, fit_sd = spec.moments(parameters)
    loglik = -float(result.fun)
    return DelayFit(
        family=family,
        parameters=MappingProxyType(parameters),
        mean=float(fit_mean),
        sd=float(fit_sd),
        loglik=loglik,
        aic=2 * len(spec.names) - 2 * loglik,
        n=int(values.size),
        n_excluded=excluded,
        converged=bool(result.success),
    )


def compare_delay_fits(
    days,
    families: Sequence[str] = POSITIVE_FAMILIES,
    *,
    negatives: Literal["raise", "exclude"] = "raise",
) -> pd.DataFrame:
    """Fit each family to the same delays and rank them by AIC (lowest first).

    Every family sees the same data (with ``negatives="exclude"``, the non-negative delays,
    also for ``normal``) so that the AICs can be compared. Columns: ``family``,
    ``parameters``, ``mean``, ``sd``, ``median``, ``p95``, ``loglik``, ``aic``,
    ``delta_aic``, ``n``, ``n_excluded``, ``converged``.
    """
    if isinstance(families, str) or not families:
        raise InputError(
            Problem(
                "families",
                "give a list of families to compare",
                value=families,
                expected=f"some of {list(FAMILIES)}",
            )
        )
    for family in families:
        _family(family)
    values, excluded = _delays(
        days, positive=any(_FAMILIES[f].positive for f in families), negatives=negatives
    )
    fits = [fit_delay(values, family) for family in families]
    table = _table(fits, excluded)
    return table.sort_values("aic", kind="stable").reset_index(drop=True)


def fit_serial_interval(days, families: Sequence[str] = POSITIVE_FAMILIES) -> pd.DataFrame:
    """Fit serial intervals (infectee onset minus infector onset, whole days, negatives
    allowed): a normal to every pair, and ``families`` to the pairs with a non-negative
    interval, which leaves out the negative ones (counted in ``n_excluded``).

    Returns the columns of :func:`compare_delay_fits` plus ``data`` (``"all"`` or
    ``"non-negative"``); ``delta_aic`` compares fits on the same data only.
    """
    values, _ = _delays(days, positive=False, negatives="raise")
    everything = _table([fit_delay(values, "normal")], 0)
    everything.insert(0, "data", "all")
    positive = compare_delay_fits(values, families, negatives="exclude")
    positive.insert(0, "data", "non-negative")
    log.info(
        "fit_serial_interval: %d pairs, %d negative excluded from %s",
        values.size,
        int(positive["n_excluded"].iloc[0]),
        ", ".join(families),
    )
    return pd.concat([everything, positive], ignore_index=True)


def _family(family: str) -> _Family:
    if family not in _FAMILIES:
        raise InputError(
            Problem(
                "family",
                "unknown delay distribution",
                value=family,
                expected=f"one of {list(FAMILIES)}",
            )
        )
    return _FAMILIES[family]


def _delays(days, *, positive: bool, negatives: str) -> tuple[np.ndarray, int]:
    if negatives not in ("raise", "exclude"):
        raise InputError(
            Problem(
                "negatives",
                "unknown way to treat negative delays",
                value=negatives,
                expected="'raise' or 'exclude'",
            )
        )
    try:
        values = np.asarray(days, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(
            Problem("days", "delays must be numbers of days", value=repr(days)[:60])
        ) from exc
    problems = []
    missing = np.flatnonzero(~np.isfinite(values))
    if missing.size:
        problems.append(
            Problem(
                f"days[{missing[0]}]",
                f"{missing.size} delays are missing or "
                "infinite; drop the records without both dates first",
                value=float(values[missing[0]]),
                expected="whole days",
            )
        )
    fractional = np.flatnonzero(np.isfinite(values) & (values != np.round(values)))
    if fractional.size:
        problems.append(
            Problem(
                f"days[{fractional[0]}]",
                "delays must be whole days (the censoring treats each as one calendar day)",
                value=float(values[fractional[0]]),
                expected="an integer",
                nearest=float(np.round(values[fractional[0]])),
            )
        )
    if problems:
        raise InputError(problems)
    excluded = 0
    if positive:
        negative = values < 0
        excluded = int(negative.sum())
        if excluded and negatives == "raise":
            first = int(np.flatnonzero(negative)[0])
            raise InputError(
                Problem(
                    f"days[{first}]",
                    f"{excluded} delays are negative, which gamma, "
                    "lognormal and Weibull distributions cannot produce",
                    value=float(values[first]),
                    expected="a delay >= 0",
                ),
                hint="Pass negatives='exclude' to leave them out (they are counted), or fit "
                "the 'normal' family (fit_serial_interval does both).",
            )
        values = values[~negative]
    if np.unique(values).size < 2:
        raise InputError(
            Problem(
                "days",
                "need at least two different delays to fit a distribution",
                value=values.size,
                expected=">= 2 distinct whole-day delays",
            )
        )
    return values, excluded


def _interval_probabilities(
    spec: _Family, parameters: Mapping[str, float], days: np.ndarray
) -> np.ndarray:
    lower = days - HALF_DAY
    if spec.positive:
        lower = np.maximum(lower, 0.0)
    cdf_lower, sf_lower = spec.tails(parameters, lower)
    cdf_upper, sf_upper = spec.tails(parameters, days + HALF_DAY)
    # Past the median, differences of survival functions keep the digits that differences of
    # CDFs close to 1 would lose.
    return np.where(cdf_lower > 0.5, sf_lower - sf_upper, cdf_upper - cdf_lower)


def _table(fits: list[DelayFit], excluded: int) -> pd.DataFrame:
    rows = []
    for fit in fits:
        distribution = fit.distribution()
        rows.append(
            {
                "family": fit.family,
                "parameters": fit.describe(),
                "mean": fit.mean,
                "sd": fit.sd,
                "median": float(distribution.median()),
                "p95": float(distribution.ppf(0.95)),
                "loglik": fit.loglik,
                "aic": fit.aic,
                "n": fit.n,
                "n_excluded": excluded,
                "converged": fit.converged,
            }
        )
    table = pd.DataFrame(rows)
    table.insert(table.columns.get_loc("aic") + 1, "delta_aic", table["aic"] - table["aic"].min())
    return table
