"""Time-varying reproduction number Rt for every region at once.

The method is Cori et al. 2013 (Am J Epidemiol 178:1505), as implemented by EpiEstim's
``estimate_R`` (github.com/mrc-ide/EpiEstim), with imported cases treated as in Thompson et
al. 2019 (Epidemics 29:100356): imported cases infect others but are not themselves counted as
infected locally. For the window of ``window`` days ending on day ``t``, with a gamma prior of
shape ``a = (mean_prior / std_prior)^2`` and scale ``b = std_prior^2 / mean_prior``, the
posterior of R is gamma with::

    shape = a + sum of local cases over the window
    scale = 1 / (1 / b + sum over the window of Lambda_s),
    Lambda_s = sum_k w_k (local + imported)_{s-k}

where ``w`` is the discrete serial interval. Windows are EpiEstim's defaults: they slide one
day at a time and the first one starts on the second day of the series (EpiEstim's
``t_start = 2..T-window+1``, 1-based), so day ``j`` (0-based) of the output holds the window
``j - window + 1 .. j`` and the first ``window`` days have none.

Flags (boolean arrays shaped like the estimates) say why an estimate is missing or weak:

- ``no_data``: no estimate; the mean, SD and quantiles are NaN. The day has no complete window;
  or the window ends within one mean serial interval of the start of the series (EpiEstim
  reports nothing there either); or nobody was infectious during the window (Lambda sums to 0,
  so the posterior would be the prior alone); or, with ``missing="flag"``, the window holds a
  missing local count or a missing day that carries serial-interval weight into the window.
- ``few_cases``: the posterior coefficient of variation ``1 / sqrt(shape)`` is above
  ``cv_posterior`` (0.3, as recommended by Cori et al.): with the default prior, fewer than 11
  local cases in the window. EpiEstim warns about the same threshold
  (``ceiling(1 / cv_posterior^2 - a_prior)`` cases).
- ``early``: the window starts before one mean serial interval has passed since the region's
  first case (or before any case at all), so the earliest infectors may be missing from the
  data (Cori et al. recommend starting estimation after that).

Quantiles of the gamma posterior are computed once per distinct shape: the shape is the prior
shape plus a count, so ``gammaincinv(shape, p)`` takes few distinct values across a whole
(regions, days) table, and each quantile is that standard quantile times the scale.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
from scipy import linalg, special

from tongchou.errors import InputError, NotFound, Problem
from tongchou.surveillance.serial_interval import SerialInterval

log = logging.getLogger(__name__)

#: EpiEstim's default quantiles of the posterior of R.
QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)

#: A missing day counts against a window only where it carries at least this much
#: serial-interval weight into it: below that, whatever its count was moves the window's summed
#: Lambda by less than a millionth of that count.
NEGLIGIBLE_WEIGHT = 1e-6

#: Series up to this many days have Lambda's window sums computed as one matrix product (the
#: (days, days) kernel matrix stays under 128 MB); longer ones lag by lag.
_MATRIX_DAYS = 4096

#: Shapes from which gamma quantiles are refined by Halley's method instead of gammaincinv.
_HALLEY_SHAPE = 50.0

#: Cells listed one by one in an InputError about bad counts; a summary line follows.
_MAX_PROBLEMS = 19


@dataclass(frozen=True)
class RtEstimate:
    """Posterior of Rt for each region and day (the day a window ends).

    Every array is shaped (regions, days), or (days,) when the input was one series.
    ``window_start`` and ``window_end`` are 0-based day indices, -1 where a day has no window.
    ``shape`` and ``scale`` are the gamma posterior's parameters (for sampling).
    """

    mean: np.ndarray
    std: np.ndarray
    quantiles: Mapping[float, np.ndarray]
    shape: np.ndarray
    scale: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    few_cases: np.ndarray
    early: np.ndarray
    no_data: np.ndarray
    window: int
    cv_posterior: float
    serial_interval: SerialInterval

    def last_days(self, days: int) -> RtEstimate:
        """The estimate of the last `days` days only, window indices counted from the first
        of them (a window reaching further back starts at 0)."""
        cut = self.mean.shape[-1] - days

        def tail(values: np.ndarray) -> np.ndarray:
            return values[..., cut:]

        def reindexed(index: np.ndarray) -> np.ndarray:
            return tail(np.where(index < 0, -1, np.maximum(index - cut, 0)))

        return replace(
            self,
            mean=tail(self.mean),
            std=tail(self.std),
            shape=tail(self.shape),
            scale=tail(self.scale),
            few_cases=tail(self.few_cases),
            early=tail(self.early),
            no_data=tail(self.no_data),
            window_start=reindexed(self.window_start),
            window_end=reindexed(self.window_end),
            quantiles={p: tail(v) for p, v in self.quantiles.items()},
        )

    @property
    def median(self) -> np.ndarray:
        return self.quantiles[0.5]

    def quantile(self, p: float) -> np.ndarray:
        """The posterior quantile ``p``, one of those requested from :func:`estimate_rt`."""
        for known, values in self.quantiles.items():
            if math.isclose(known, p, rel_tol=0, abs_tol=1e-12):
                return values
        raise NotFound(
            f"quantile {p!r} was not computed",
            suggestions=[f"{q:g}" for q in sorted(self.quantiles)],
        )

    def to_frame(
        self,
        regions: Sequence | None = None,
        dates: Sequence | None = None,
        *,
        estimated_only: bool = False,
    ) -> pd.DataFrame:
        """One row per region and day: ``region``, ``date`` (the window's last day),
        ``window_start``, ``mean``, ``std``, one column per quantile (``q0.025`` ...,
        ``median``), then the flags ``few_cases``, ``early`` and ``no_data``.

        ``regions`` label the rows of the input (default 0, 1, ...) and ``dates`` its columns
        (default the day index). ``estimated_only`` drops the rows with no estimate.
        """
        mean = np.atleast_2d(self.mean)
        n_regions, n_days = mean.shape
        region_labels = _labels("regions", regions, n_regions)
        date_labels = _labels("dates", dates, n_days)
        start = np.atleast_2d(self.window_start)[0]
        start_labels = date_labels.take(np.maximum(start, 0)).where(start >= 0)

        columns = {
            "region": np.repeat(region_labels.to_numpy(), n_days),
            "date": np.tile(date_labels.to_numpy(), n_regions),
            "window_start": np.tile(start_labels.to_numpy(), n_regions),
            "mean": mean.ravel(),
            "std": np.ravel(self.std),
        }
        for p, values in self.quantiles.items():
            columns[_quantile_column(p)] = np.ravel(values)
        for name in ("few_cases", "early", "no_data"):
            columns[name] = np.ravel(getattr(self, name))
        frame = pd.DataFrame(columns)
        if estimated_only:
            frame = frame.loc[~frame["no_data"]].reset_index(drop=True)
        return frame


def estimate_rt(
    local,
    imported=None,
    *,
    si: SerialInterval | Sequence[float] | np.ndarray,
    window: int = 7,
    mean_prior: float = 5.0,
    std_prior: float = 5.0,
    quantiles: Sequence[float] = QUANTILES,
    cv_posterior: float = 0.3,
    missing: Literal["raise", "flag"] = "raise",
) -> RtEstimate:
    """Estimate Rt on sliding windows for every region (Cori et al. 2013; Thompson et al. 2019).

    ``local`` and ``imported`` are daily counts of local and imported cases (by onset date,
    ideally), shaped (regions, days) or (days,); ``imported`` defaults to none. ``si`` is a
    :class:`SerialInterval` or a non-parametric distribution (``si[k]`` for k = 0, 1, ...
    days; ``si[0]`` must be 0). ``window`` is the window length in days; ``mean_prior`` and
    ``std_prior`` set EpiEstim's gamma prior; the median is always among the quantiles.
    Counts must be finite and non-negative; they may be fractional (e.g. imputed). A missing
    count (NaN) raises InputError unless ``missing="flag"``, which marks the windows it
    affects ``no_data`` instead. See the module docstring for the flags.
    """
    serial_interval = _serial_interval(si)
    _check_options(window, mean_prior, std_prior, cv_posterior, missing)
    probabilities = _quantile_levels(quantiles)
    local_counts, one_series = _counts("local", local, missing)
    total = local_counts
    if imported is not None:
        imported_counts, _ = _counts("imported", imported, missing)
        if imported_counts.shape != local_counts.shape:
            raise InputError(
                Problem(
                    "imported",
                    "imported and local counts must have the same shape",
                    value=np.shape(imported),
                    expected=f"shape {np.shape(local)}",
                )
            )
        total = local_counts + imported_counts
    n_regions, n_days = local_counts.shape
    if n_days < window + 1:
        raise InputError(
            Problem(
                "window",
                f"a window of {window} days needs at least {window + 1} days of "
                f"data (estimation starts on the second day), but the series has {n_days}",
                value=window,
                expected=f"an integer <= {max(n_days - 1, 1)}",
                nearest=max(n_days - 1, 1) if n_days > 1 else None,
            )
        )

    # A missing local count makes the total missing too, so one test finds every gap.
    lost_total = np.isnan(total)
    any_lost = bool(lost_total.any())
    if any_lost:
        lost_local = np.isnan(local_counts)
        local_counts = np.where(lost_local, 0.0, local_counts)
        total = np.where(lost_total, 0.0, total)

    kernel = _window_kernel(serial_interval.pmf, window)
    # The window sums of Lambda, which become the posterior scale in place.
    scale = _convolve_days(total, kernel)
    counts = _window_sums(local_counts, window)

    day = np.arange(n_days)
    no_data = scale <= 0
    no_data[:, (day < window) | (day + 1 <= serial_interval.mean)] = True
    if any_lost:
        no_data |= _window_sums(lost_local.astype(float), window) > 0
        no_data |= _convolve_days(lost_total.astype(float), kernel) >= NEGLIGIBLE_WEIGHT

    a_prior = (mean_prior / std_prior) ** 2
    b_prior = std_prior**2 / mean_prior
    np.copyto(counts, 0.0, where=no_data)
    scale += 1.0 / b_prior
    np.reciprocal(scale, out=scale)
    # NaN carries "no estimate" through every product below without further masking.
    np.copyto(scale, np.nan, where=no_data)
    quantile_values = _gamma_quantiles(counts, a_prior, scale, probabilities)
    shape = counts
    shape += a_prior
    np.copyto(shape, np.nan, where=no_data)
    few_cases = shape < 1.0 / cv_posterior**2  # the posterior CV is 1 / sqrt(shape)
    std = np.sqrt(shape)
    std *= scale

    window_start = np.where(day >= window, day - window + 1, -1)
    window_end = np.where(day >= window, day, -1)
    early = window_start[None, :] < _first_case_day(total)[:, None] + serial_interval.mean
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "estimate_rt: %d regions x %d days, %d estimates, %d with few cases",
            n_regions,
            n_days,
            int((~no_data).sum()),
            int(few_cases.sum()),
        )

    def shaped(values: np.ndarray) -> np.ndarray:
        values = values[0] if one_series else values
        values.setflags(write=False)
        return values

    def per_region(values: np.ndarray) -> np.ndarray:
        return shaped(np.broadcast_to(values, (n_regions, n_days)))

    return RtEstimate(
        mean=shaped(shape * scale),
        std=shaped(std),
        quantiles=MappingProxyType(
            {p: shaped(v) for p, v in zip(probabilities, quantile_values, strict=True)}
        ),
        shape=shaped(shape),
        scale=shaped(scale),
        window_start=per_region(window_start),
        window_end=per_region(window_end),
        few_cases=shaped(few_cases),
        early=shaped(early),
        no_data=shaped(no_data),
        window=window,
        cv_posterior=cv_posterior,
        serial_interval=serial_interval,
    )


def estimate_rt_frame(local: pd.DataFrame, imported: pd.DataFrame | None = None, **options):
    """:func:`estimate_rt` on a table of daily counts with regions as rows and dates as
    columns; returns the tidy frame of :meth:`RtEstimate.to_frame`."""
    if imported is not None:
        imported = imported.reindex(index=local.index, columns=local.columns)
    estimate = estimate_rt(
        local.to_numpy(dtype=float),
        None if imported is None else imported.to_numpy(dtype=float),
        **options,
    )
    return estimate.to_frame(local.index, local.columns)


def _serial_interval(si) -> SerialInterval:
    if isinstance(si, SerialInterval):
        return si
    return SerialInterval.from_pmf(si)


def _check_options(window, mean_prior, std_prior, cv_posterior, missing) -> None:
    problems = []
    if isinstance(window, bool) or not isinstance(window, int | np.integer):
        problems.append(
            Problem(
                "window",
                "the window must be a whole number of days",
                value=window,
                expected="an integer >= 1",
            )
        )
    elif window < 1:
        problems.append(
            Problem(
                "window",
                "the window must be at least 1 day",
                value=window,
                expected="an integer >= 1",
                nearest=1,
            )
        )
    for name, value in (
        ("mean_prior", mean_prior),
        ("std_prior", std_prior),
        ("cv_posterior", cv_posterior),
    ):
        if not _positive_number(value):
            problems.append(
                Problem(
                    name, "must be a positive number", value=value, expected="a finite number > 0"
                )
            )
    if missing not in ("raise", "flag"):
        problems.append(
            Problem(
                "missing",
                "unknown way to treat missing counts",
                value=missing,
                expected="'raise' or 'flag'",
            )
        )
    if problems:
        raise InputError(problems)


def _positive_number(value) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _quantile_levels(quantiles: Sequence[float]) -> tuple[float, ...]:
    levels = []
    for position, p in enumerate(quantiles):
        if not _positive_number(p) or p >= 1:
            raise InputError(
                Problem(
                    f"quantiles[{position}]",
                    "a quantile level must lie strictly between 0 and 1",
                    value=p,
                    expected="a number in (0, 1)",
                )
            )
        levels.append(float(p))
    if not any(math.isclose(p, 0.5) for p in levels):
        levels.append(0.5)
    return tuple(dict.fromkeys(levels))


def _counts(name: str, values, missing: str) -> tuple[np.ndarray, bool]:
    try:
        counts = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(
            Problem(
                name,
                "counts must be numbers",
                value=repr(values)[:60],
                expected="an array of counts shaped (regions, days)",
            )
        ) from exc
    if counts.ndim not in (1, 2) or counts.shape[-1] == 0 or counts.size == 0:
        raise InputError(
            Problem(
                name,
                "counts must be shaped (regions, days) or (days,) and not be empty",
                value=counts.shape,
                expected="a 1-D or 2-D array",
            )
        )
    one_series = counts.ndim == 1
    counts = np.atleast_2d(counts)
    if counts.min() >= 0 and counts.max() < np.inf:  # False for NaN: checked cell by cell below
        return counts, one_series
    problems = _count_problems(
        name, counts, np.isinf(counts), "infinite count", "a finite count >= 0"
    )
    problems += _count_problems(
        name,
        counts,
        counts < 0,
        "negative count",
        "a count >= 0 (fix the cleaning step)",
        nearest=0.0,
    )
    if missing == "raise":
        problems += _count_problems(name, counts, np.isnan(counts), "missing count", "a count >= 0")
    if problems:
        hint = None
        if missing == "raise" and np.isnan(counts).any():
            hint = "Pass missing='flag' to estimate around missing days instead."
        raise InputError(problems, hint=hint)
    return counts, one_series


def _count_problems(name, counts, bad, message, expected, nearest=None) -> list[Problem]:
    if not bad.any():
        return []
    places = np.argwhere(bad)
    problems = [
        Problem(
            f"{name}[region {r}, day {d}]",
            message,
            value=float(counts[r, d]),
            expected=expected,
            nearest=nearest,
        )
        for r, d in places[:_MAX_PROBLEMS]
    ]
    if len(places) > _MAX_PROBLEMS:
        problems.append(Problem(name, f"{len(places) - _MAX_PROBLEMS} more cells with a {message}"))
    return problems


def _window_kernel(pmf: np.ndarray, window: int) -> np.ndarray:
    """``kernel[d]``: serial-interval weight that a case ``d`` days before a window's last day
    contributes to the window's summed Lambda, i.e. ``sum of w[u] for u in d-window+1 .. d``."""
    cumulative = np.concatenate(([0.0], np.cumsum(pmf), np.full(window - 1, pmf.sum())))
    lags = np.arange(pmf.size + window - 1)
    return cumulative[lags + 1] - cumulative[np.maximum(lags - window + 1, 0)]


def _convolve_days(series: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``out[:, j] = sum_d kernel[d] * series[:, j - d]`` along the days axis."""
    n_days = series.shape[1]
    lags = min(kernel.size, n_days)
    if n_days <= _MATRIX_DAYS:
        first_row = np.zeros(n_days)
        first_row[:lags] = kernel[:lags]
        first_column = np.zeros(n_days)
        first_column[0] = kernel[0]
        return series @ linalg.toeplitz(first_column, first_row)
    out = np.zeros_like(series)
    for lag in range(lags):
        out[:, lag:] += kernel[lag] * series[:, : n_days - lag]
    return out


def _window_sums(series: np.ndarray, window: int) -> np.ndarray:
    """Sum over the ``window`` days ending on each day (partial sums for the first days)."""
    cumulative = np.cumsum(series, axis=1)
    sums = np.empty_like(cumulative)
    sums[:, :window] = cumulative[:, :window]
    np.subtract(cumulative[:, window:], cumulative[:, :-window], out=sums[:, window:])
    return sums


def _first_case_day(total: np.ndarray) -> np.ndarray:
    """Index of each region's first day with a case; the series length where there is none."""
    any_case = total > 0
    return np.where(any_case.any(axis=1), any_case.argmax(axis=1), total.shape[1])


def _gamma_quantiles(
    counts: np.ndarray, a_prior: float, scale: np.ndarray, probabilities: tuple[float, ...]
) -> list[np.ndarray]:
    """Quantiles of gamma(a_prior + counts, scale), solving gammaincinv once per distinct
    count; cells where ``scale`` is NaN come out NaN."""
    flat = counts.ravel()
    largest = flat.max(initial=0.0)
    whole = None
    if largest <= min(4 * flat.size, np.iinfo(np.int32).max):
        whole = flat.astype(np.int32)
        if not np.array_equal(whole, flat):
            whole = None
    if whole is not None:
        # Whole counts: map each to its rank among the counts present, without sorting.
        present = np.zeros(int(largest) + 1, dtype=bool)
        present[whole] = True
        distinct = np.flatnonzero(present)
        rank = np.zeros(present.size, dtype=np.int32)
        rank[distinct] = np.arange(distinct.size, dtype=np.int32)
        index = rank[whole]
        distinct = distinct.astype(float)
    else:
        distinct, index = np.unique(flat, return_inverse=True)
    standard = _standard_gamma_quantiles(a_prior + distinct, np.asarray(probabilities))
    values = []
    for column in standard.T:
        quantile = np.take(column, index).reshape(counts.shape)
        quantile *= scale
        values.append(quantile)
    return values


def _standard_gamma_quantiles(shapes: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """``gammaincinv(shape, p)`` for each shape (rows) and level (columns).

    From ``_HALLEY_SHAPE`` up, the Wilson-Hilferty approximation is within 1e-3 of the
    quantile and two Halley steps on the gamma CDF bring it to machine precision, at a third of
    the cost of scipy's general inversion, which is kept for the small shapes.
    """
    out = np.empty((shapes.size, probabilities.size))
    small = shapes < _HALLEY_SHAPE
    out[small] = special.gammaincinv(shapes[small, None], probabilities)
    a = shapes[~small, None]
    x = a * (1 - 1 / (9 * a) + special.ndtri(probabilities) / (3 * np.sqrt(a))) ** 3
    upper = probabilities > 0.5
    lower = ~upper
    # log of a^a e^-a / Gamma(a) without cancellation: Stirling's series, exact to double
    # precision from a = 50 (the next term, 1/(1680 a^7), is below 1e-15 there).
    stirling = 0.5 * np.log(a / (2 * np.pi)) - (1 / (12 * a) - 1 / (360 * a**3) + 1 / (1260 * a**5))
    for _ in range(2):
        # Residual from the nearer tail, so that levels close to 1 keep their digits.
        residual = np.empty_like(x)
        residual[:, lower] = special.gammainc(a, x[:, lower]) - probabilities[lower]
        residual[:, upper] = (1 - probabilities[upper]) - special.gammaincc(a, x[:, upper])
        excess = x / a - 1
        log_density = stirling - np.log(x) - a * (excess - np.log1p(excess))
        step = residual / np.exp(log_density)
        # Halley: f''/f' = (a - 1)/x - 1 for the gamma CDF.
        x -= step / (1 - 0.5 * step * ((a - 1) / x - 1))
    out[~small] = x
    return out


def _labels(name: str, labels: Sequence | None, size: int) -> pd.Index:
    if labels is None:
        return pd.RangeIndex(size)
    index = pd.Index(labels)
    if len(index) != size:
        raise InputError(
            Problem(
                name,
                f"{name} must label each of the {size} rows/columns",
                value=len(index),
                expected=str(size),
            )
        )
    return index


def _quantile_column(p: float) -> str:
    return "median" if math.isclose(p, 0.5) else f"q{p:g}"
