"""Discrete serial-interval distributions for the renewal equation behind Rt.

A serial interval is held as a probability mass function ``w`` over whole days
``k = 0, 1, 2, ...``. Following EpiEstim (Cori et al. 2013), ``w[0]`` must be 0: a case cannot
infect someone whose symptoms start on the same day it is counted, otherwise the case would
partly explain itself in the renewal equation.

The gamma discretisation reproduces EpiEstim's ``discr_si(k, mu, sigma)`` (supplement of Cori et
al., Am J Epidemiol 2013; R source ``R/DiscrSI.R`` of github.com/mrc-ide/EpiEstim): the serial
interval minus one day is gamma distributed with mean ``mu - 1`` and SD ``sigma``, and ``w_k``
is the probability that this shifted delay, started at a uniform time within a day, ends on
day ``k``, which gives a triangular kernel over ``[k - 2, k]`` on the shifted scale::

    w_k = k F(k) + (k-2) F(k-2) - 2 (k-1) F(k-1)
          + a b (2 F1(k-1) - F1(k-2) - F1(k))

with ``F`` the gamma CDF (shape ``a = ((mu-1)/sigma)^2``, scale ``b = sigma^2/(mu-1)``) and
``F1`` the gamma CDF with shape ``a + 1``, negative values clipped to 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from tongchou.errors import InputError, Problem

#: EpiEstim rejects a non-parametric serial interval whose sum is further than this from 1
#: (``check_si_distr`` in EpiEstim's R/utilities.R).
SUM_TOLERANCE = 0.01

#: A gamma serial interval is carried until the mass left beyond its last day is below this,
#: so that Lambda (and Rt) differ from EpiEstim's untruncated distribution by less than 1e-12
#: relative.
TAIL_MASS = 1e-12


def discretise_gamma(k: int | np.ndarray, mean: float, sd: float) -> np.ndarray:
    """EpiEstim's ``discr_si``: probability that the serial interval is ``k`` whole days.

    ``k`` is a non-negative integer or an array of them; ``mean`` (> 1 day, because the
    distribution is shifted by one day) and ``sd`` (> 0) are the moments of the continuous
    serial interval. Returns an array of the shape of ``k``.
    """
    _check_gamma(mean, sd)
    days = np.asarray(k, dtype=float)
    if days.size and (not np.all(np.isfinite(days)) or days.min() < 0):
        raise InputError(
            Problem(
                "k",
                "serial-interval days must be whole days >= 0",
                value=days.min(),
                expected="integers >= 0",
                nearest=0,
            )
        )
    shape = ((mean - 1.0) / sd) ** 2
    scale = sd**2 / (mean - 1.0)

    def cdf(x: np.ndarray, a: float) -> np.ndarray:
        # gammainc is the regularised lower incomplete gamma, i.e. the gamma CDF at x/scale;
        # it is 0 for x <= 0 once x is clipped, as pgamma is for negative arguments.
        return special.gammainc(a, np.maximum(x, 0.0) / scale)

    w = (
        days * cdf(days, shape)
        + (days - 2) * cdf(days - 2, shape)
        - 2 * (days - 1) * cdf(days - 1, shape)
        + shape
        * scale
        * (2 * cdf(days - 1, shape + 1) - cdf(days - 2, shape + 1) - cdf(days, shape + 1))
    )
    return np.maximum(w, 0.0)


@dataclass(frozen=True)
class SerialInterval:
    """A validated discrete serial interval: ``pmf[k]`` is the probability of ``k`` days.

    Build one with :meth:`from_gamma` (parametric, as EpiEstim's ``parametric_si``) or
    :meth:`from_pmf` (as EpiEstim's ``non_parametric_si``).
    """

    pmf: np.ndarray
    source: str = ""
    tolerance: float = field(default=SUM_TOLERANCE, repr=False)
    mean: float = field(init=False)
    sd: float = field(init=False)

    def __post_init__(self) -> None:
        pmf = _validated_pmf(self.pmf, tolerance=self.tolerance)
        pmf.setflags(write=False)
        days = np.arange(pmf.size)
        mean = float(pmf @ days)
        object.__setattr__(self, "pmf", pmf)
        object.__setattr__(self, "mean", mean)
        # Moments as EpiEstim reports them (SI.Moments): of the discrete distribution as given.
        object.__setattr__(self, "sd", float(math.sqrt(max(pmf @ days**2 - mean**2, 0.0))))

    @classmethod
    def from_gamma(
        cls, mean: float, sd: float, *, max_days: int | None = None, source: str = ""
    ) -> SerialInterval:
        """Discretise a gamma serial interval of this mean and SD exactly as EpiEstim does.

        ``max_days`` is the last day kept; by default the distribution runs until less than
        ``TAIL_MASS`` of it is left beyond (EpiEstim keeps one value per day of the series,
        which differs from this only in that negligible tail).
        """
        _check_gamma(mean, sd)
        if max_days is None:
            # w_k only draws on the shifted gamma over [k-2, k], so past isf(tail) + 2 the
            # remaining mass is below the tail.
            shape = ((mean - 1.0) / sd) ** 2
            scale = sd**2 / (mean - 1.0)
            max_days = math.ceil(stats.gamma.isf(TAIL_MASS, shape, scale=scale)) + 2
        elif isinstance(max_days, bool) or not isinstance(max_days, int | np.integer):
            raise InputError(
                Problem(
                    "max_days",
                    "must be a whole number of days",
                    value=max_days,
                    expected="an integer >= 1",
                )
            )
        elif max_days < 1:
            raise InputError(
                Problem(
                    "max_days",
                    "must be at least 1 day",
                    value=max_days,
                    expected="an integer >= 1",
                    nearest=1,
                )
            )
        pmf = discretise_gamma(np.arange(max_days + 1), mean, sd)
        label = source or f"gamma, mean {mean:g} d, SD {sd:g} d (EpiEstim discr_si)"
        return cls(pmf, source=label)

    @classmethod
    def from_pmf(
        cls, values, *, tolerance: float = SUM_TOLERANCE, source: str = ""
    ) -> SerialInterval:
        """A non-parametric serial interval, ``values[k]`` for ``k = 0, 1, ...`` days.

        Checked as EpiEstim checks ``si_distr``: finite, non-negative, ``values[0] == 0`` and a
        sum within ``tolerance`` of 1 (it is used as given, not rescaled, as in EpiEstim).
        """
        return cls(values, source=source or "given pmf", tolerance=tolerance)

    def __len__(self) -> int:
        return int(self.pmf.size)


def _check_gamma(mean: float, sd: float) -> None:
    problems = []
    if not _is_real(mean) or not math.isfinite(mean) or mean <= 1:
        problems.append(
            Problem(
                "mean",
                "the mean serial interval must be above 1 day, because EpiEstim's "
                "gamma is shifted by one day",
                value=mean,
                expected="a number > 1",
            )
        )
    if not _is_real(sd) or not math.isfinite(sd) or sd <= 0:
        problems.append(
            Problem(
                "sd", "the serial-interval SD must be positive", value=sd, expected="a number > 0"
            )
        )
    if problems:
        raise InputError(problems)


def _is_real(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _validated_pmf(values, *, tolerance: float) -> np.ndarray:
    try:
        pmf = np.array(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(
            Problem("si", "the serial interval must be a list of numbers", value=repr(values)[:60])
        ) from exc
    if np.ndim(values) > 1 and np.shape(values)[0] != 1:
        raise InputError(
            Problem(
                "si",
                "the serial interval must be one-dimensional",
                value=np.shape(values),
                expected="a 1-D list of probabilities",
            )
        )
    if pmf.size == 0:
        raise InputError(
            Problem(
                "si", "the serial interval is empty", expected="probabilities for days 0, 1, 2, ..."
            )
        )
    problems = []
    bad = np.flatnonzero(~np.isfinite(pmf))
    if bad.size:
        problems.append(
            Problem(
                f"si[{bad[0]}]",
                "serial-interval probabilities must be finite",
                value=float(pmf[bad[0]]),
                expected="a number in [0, 1]",
            )
        )
    negative = np.flatnonzero(pmf < 0)
    if negative.size:
        problems.append(
            Problem(
                f"si[{negative[0]}]",
                "serial-interval probabilities cannot be negative",
                value=float(pmf[negative[0]]),
                expected="a number in [0, 1]",
                nearest=0.0,
            )
        )
    if pmf[0] != 0:
        problems.append(
            Problem(
                "si[0]",
                "the probability of a 0-day serial interval must be 0 "
                "(EpiEstim's convention: a case cannot infect on its own day)",
                value=float(pmf[0]),
                expected="0",
                nearest=0.0,
            )
        )
    if not problems and abs(pmf.sum() - 1.0) > tolerance:
        problems.append(
            Problem(
                "si",
                "serial-interval probabilities must sum to 1",
                value=float(pmf.sum()),
                expected=f"1 +/- {tolerance:g}",
            )
        )
    if problems:
        raise InputError(problems)
    return pmf
