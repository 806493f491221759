"""The four rates (四率) of the 2020 response: admission, cure, infection and fatality rate, for
every region and day at once, each carrying its definition so that published tables can too.

Inputs are cumulative counts shaped (regions, days), NaN for a missing report; docs/indicators.md
gives the definitions with their sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import signal, special, stats

from tongchou.facts.checks import (
    check_confidence,
    check_counts,
    check_labels,
    check_population,
    reject,
)
from tongchou.surveillance.indicators import PER_100K

DEFINITIONS: dict[str, str] = {
    "admission_rate": (
        "收治率 admission rate = cumulative confirmed cases admitted to hospital / cumulative "
        "confirmed cases, on the same day. NaN where admissions are not reported."
    ),
    "cure_rate": (
        "治愈率 cure rate = cumulative cured and discharged / cumulative confirmed cases, on the "
        "same day (the official definition; it counts active cases in the denominator, so it "
        "rises as the epidemic ends)."
    ),
    "closed_cure_rate": (
        "治愈率 (closed cases) = cumulative cured / (cumulative cured + cumulative dead): the "
        "share cured among cases whose outcome is known, with an exact binomial interval."
    ),
    "infection_rate": (
        "感染率 infection rate = cumulative confirmed cases per 100,000 resident population. "
        "Counts confirmed infections only, not undocumented ones."
    ),
    "naive_fatality_rate": (
        "病亡率 (naive) = cumulative deaths / cumulative confirmed cases, on the same day, with "
        "an exact (Clopper-Pearson) binomial interval. Biased low while the epidemic grows, "
        "because recent cases have not yet had time to die."
    ),
    "adjusted_fatality_rate": (
        "病亡率 (delay-adjusted, cCFR) = cumulative deaths D_t / sum_j f_j C_(t-j), where C is "
        "cumulative confirmed cases and f the confirmation-to-death delay distribution: deaths "
        "over the cases whose outcome would be known by day t (Nishiura et al. 2009, PLoS ONE "
        "4:e6852; Russell et al. 2020, Euro Surveill 25(12):2000256). Exact binomial interval "
        "on D_t deaths of round(sum_j f_j C_(t-j)) cases. Default f: lognormal, mean 13.0 and "
        "median 9.1 days, hospitalisation to death (Linton et al. 2020, J Clin Med 9:538)."
    ),
}

NAMES_ZH: dict[str, str] = {
    "admission_rate": "收治率",
    "cure_rate": "治愈率",
    "closed_cure_rate": "治愈率（已结案）",
    "infection_rate": "感染率",
    "naive_fatality_rate": "病亡率（粗）",
    "adjusted_fatality_rate": "病亡率（时滞校正）",
}


@dataclass(frozen=True)
class Rate:
    """One rate for every region and day.

    value: the rate (a proportion, or per 100,000 for the infection rate).
    undefined: the rate cannot be computed though the inputs are reported (denominator zero,
        or more deaths than cases with a known outcome); value is NaN there.
    successes, trials: the binomial counts behind the exact interval, where one is meaningful.
    lower, upper: that interval at `confidence`, computed on first use (it is the costly
        part); None for rates without one.
    """

    name: str
    name_zh: str
    unit: str
    definition: str
    value: np.ndarray
    undefined: np.ndarray
    successes: np.ndarray | None = None
    trials: np.ndarray | None = None
    confidence: float = 0.95

    @cached_property
    def _interval(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        if self.trials is None:
            return None, None
        return clopper_pearson(self.successes, self.trials, self.confidence)

    @property
    def lower(self) -> np.ndarray | None:
        return self._interval[0]

    @property
    def upper(self) -> np.ndarray | None:
        return self._interval[1]


def _rate(name: str, value, undefined, *, unit="proportion", counts=(None, None), confidence=0.95):
    successes, trials = counts
    definition = DEFINITIONS[name]
    confidence = check_confidence(confidence)
    return Rate(
        name, NAMES_ZH[name], unit, definition, value, undefined, successes, trials, confidence
    )


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    undefined = denominator == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(undefined, np.nan, numerator / denominator)
    return value, undefined


def clopper_pearson(successes, trials, confidence: float = 0.95):
    """Exact binomial confidence interval for successes out of trials, elementwise (the interval
    of R's binom.test). NaN where trials <= 0, a count is missing or successes > trials. Each
    distinct pair of whole counts is computed once, since cumulative series repeat."""
    check_confidence(confidence)
    x, n = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(trials, dtype=float))
    lower, upper = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    with np.errstate(invalid="ignore"):
        valid = np.flatnonzero(np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0) & (x <= n))
    x, n = x.ravel()[valid], n.ravel()[valid]
    repeat = None
    if n.size and n.max() < 2**31 and np.all(x == np.round(x)) and np.all(n == np.round(n)):
        keys, repeat = np.unique(n.astype(np.int64) << 32 | x.astype(np.int64), return_inverse=True)
        x, n = (keys & 0xFFFFFFFF).astype(float), (keys >> 32).astype(float)
    tail = (1 - confidence) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, special.betaincinv(x, n - x + 1, tail), 0.0)
        high = np.where(x < n, special.betaincinv(x + 1, n - x, 1 - tail), 1.0)
    if repeat is not None:
        low, high = low[repeat], high[repeat]
    lower.flat[valid], upper.flat[valid] = low, high
    return lower, upper


def admission_rate(admitted, confirmed) -> Rate:
    """收治率 = admitted / confirmed (cumulative, same day)."""
    confirmed = check_counts(confirmed, "confirmed")
    admitted = check_counts(admitted, "admitted", shape=confirmed.shape)
    value, undefined = _ratio(admitted, confirmed)
    return _rate("admission_rate", value, undefined)


def cure_rate(cured, confirmed) -> Rate:
    """治愈率 = cured / confirmed (cumulative, same day)."""
    confirmed = check_counts(confirmed, "confirmed")
    cured = check_counts(cured, "cured", shape=confirmed.shape)
    value, undefined = _ratio(cured, confirmed)
    return _rate("cure_rate", value, undefined)


def closed_cure_rate(cured, dead, confidence: float = 0.95) -> Rate:
    """治愈率 among closed cases = cured / (cured + dead), with an exact binomial interval."""
    cured = check_counts(cured, "cured")
    dead = check_counts(dead, "dead", shape=cured.shape)
    closed = cured + dead
    value, undefined = _ratio(cured, closed)
    return _rate(
        "closed_cure_rate", value, undefined, counts=(cured, closed), confidence=confidence
    )


def infection_rate(confirmed, population) -> Rate:
    """感染率 = cumulative confirmed per 100,000 population."""
    confirmed = check_counts(confirmed, "confirmed")
    population = check_population(population, confirmed.shape[0])
    value = confirmed / population[:, None] * PER_100K
    undefined = np.zeros(value.shape, dtype=bool)
    return _rate("infection_rate", value, undefined, unit="per 100,000")


def naive_fatality_rate(dead, confirmed, confidence: float = 0.95) -> Rate:
    """病亡率 (naive) = dead / confirmed (cumulative, same day), with an exact interval."""
    confirmed = check_counts(confirmed, "confirmed")
    dead = check_counts(dead, "dead", shape=confirmed.shape)
    value, undefined = _ratio(dead, confirmed)
    with np.errstate(invalid="ignore"):
        impossible = dead > confirmed
    value[impossible] = np.nan
    undefined |= impossible
    counts = (dead, confirmed)
    return _rate("naive_fatality_rate", value, undefined, counts=counts, confidence=confidence)


def lognormal_delay_pmf(mean: float, median: float, max_days: int = 120) -> np.ndarray:
    """Daily probabilities f_j = F(j + 1) - F(j), j = 0..max_days, of a lognormal delay given
    by its mean and median (mu = log median, sigma = sqrt(2 log(mean / median)), as in
    Russell et al. 2020). The last day also takes the tail beyond it, so the pmf sums to 1."""
    if not (np.isfinite(mean) and np.isfinite(median) and mean > median > 0):
        reject(
            "delay",
            "a lognormal needs mean > median > 0",
            value=(mean, median),
            expected="e.g. mean 13.0, median 9.1",
        )
    if int(max_days) != max_days or max_days < 1:
        reject(
            "max_days", "must be a whole number of days", value=max_days, expected="an integer >= 1"
        )
    sigma = np.sqrt(2 * np.log(mean / median))
    cdf = stats.lognorm.cdf(np.arange(int(max_days) + 1), s=sigma, scale=median)
    pmf = np.diff(cdf, append=1.0)
    return pmf


# Linton et al. 2020 (J Clin Med 9:538), hospitalisation to death: mean 13.0 d, median 9.1 d;
# the delay Russell et al. 2020 used from confirmation to death.
CONFIRMATION_TO_DEATH = lognormal_delay_pmf(13.0, 9.1)


def _check_pmf(pmf) -> np.ndarray:
    pmf = np.asarray(pmf, dtype=float)
    if pmf.ndim != 1 or pmf.size == 0:
        reject(
            "delay_pmf",
            "must be a 1-D array of daily probabilities",
            value=f"shape {pmf.shape}",
            expected="f_0, f_1, ... f_max",
        )
    total = pmf.sum()
    if not (np.isfinite(pmf).all() and (pmf >= 0).all() and 0 < total <= 1 + 1e-9):
        reject(
            "delay_pmf",
            "probabilities must be >= 0 and sum to at most 1",
            value=float(total),
            expected="a sum of 1 (or less if cut)",
        )
    return pmf


def known_outcome_cases(confirmed, delay_pmf=CONFIRMATION_TO_DEATH) -> np.ndarray:
    """sum_j f_j C_(t-j): the cases whose outcome would be known by day t. Missing days inside
    C take the last reported value (cumulative counts only grow); days before the first report
    count as 0. NaN on the days where C itself is missing."""
    confirmed = check_counts(confirmed, "confirmed")
    pmf = _check_pmf(delay_pmf)
    regions, days = confirmed.shape
    reported = ~np.isnan(confirmed)
    last = np.maximum.accumulate(np.where(reported, np.arange(days), -1), axis=1)
    carried = np.where(last >= 0, np.take_along_axis(confirmed, np.maximum(last, 0), 1), 0.0)
    # The convolution by FFT, for all regions at once; rounding to 1e-9 of a case removes its
    # floating-point noise (e.g. 1e-12 where no case is known yet).
    known = signal.fftconvolve(carried, pmf[None, :days], axes=1)[:, :days]
    known = np.round(np.maximum(known, 0.0), 9)
    known[~reported] = np.nan
    return known


def adjusted_fatality_rate(
    dead, confirmed, delay_pmf=CONFIRMATION_TO_DEATH, confidence: float = 0.95
) -> Rate:
    """病亡率 delay-adjusted (cCFR): D_t / sum_j f_j C_(t-j), with the exact binomial interval
    on D_t out of round(sum_j f_j C_(t-j)). Undefined (NaN, flagged) where no case has a known
    outcome yet or where deaths exceed the cases with a known outcome."""
    confirmed = check_counts(confirmed, "confirmed")
    dead = check_counts(dead, "dead", shape=confirmed.shape)
    known = known_outcome_cases(confirmed, delay_pmf)
    trials = np.round(known)
    with np.errstate(invalid="ignore", divide="ignore"):
        undefined = (trials <= 0) | (dead > trials)
        value = np.where(undefined, np.nan, dead / known)
    counts = (dead, trials)
    return _rate("adjusted_fatality_rate", value, undefined, counts=counts, confidence=confidence)


def four_rates(
    confirmed,
    cured,
    dead,
    population,
    *,
    admitted=None,
    delay_pmf=CONFIRMATION_TO_DEATH,
    confidence: float = 0.95,
) -> dict[str, Rate]:
    """All four rates with their variants, keyed by name. Without `admitted` the admission
    rate is all NaN and flagged undefined."""
    confirmed = check_counts(confirmed, "confirmed")
    if admitted is None:
        missing = np.full(confirmed.shape, np.nan)
        admission = _rate("admission_rate", missing, np.ones(confirmed.shape, dtype=bool))
    else:
        admission = admission_rate(admitted, confirmed)
    rates = [
        admission,
        cure_rate(cured, confirmed),
        closed_cure_rate(cured, dead, confidence),
        infection_rate(confirmed, population),
        naive_fatality_rate(dead, confirmed, confidence),
        adjusted_fatality_rate(dead, confirmed, delay_pmf, confidence),
    ]
    return {rate.name: rate for rate in rates}


def rates_table(
    rates: dict[str, Rate] | Iterable[Rate], regions: Sequence, dates: Sequence
) -> pd.DataFrame:
    """Tidy table: region, date, then per rate its value, interval and undefined flag. The
    definitions travel in `table.attrs["definitions"]`."""
    rates = list(rates.values()) if isinstance(rates, dict) else list(rates)
    if not rates:
        reject("rates", "no rate given", expected="at least one Rate")
    count, days = rates[0].value.shape
    check_labels(regions, dates, (count, days))
    columns = {
        "region": np.repeat(np.asarray(regions, dtype=object), days),
        "date": np.tile(np.asarray(dates, dtype=object), count),
    }
    for rate in rates:
        columns[rate.name] = rate.value.ravel()
        if rate.lower is not None:
            columns[f"{rate.name}_lower"] = rate.lower.ravel()
            columns[f"{rate.name}_upper"] = rate.upper.ravel()
        columns[f"{rate.name}_undefined"] = rate.undefined.ravel()
    table = pd.DataFrame(columns)
    table.attrs["definitions"] = {rate.name: rate.definition for rate in rates}
    return table
