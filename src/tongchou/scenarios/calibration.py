"""Calibration: fit the transmission rate (piecewise in time), the documented share and other
parameters to daily reported cases with an iterated ensemble adjustment Kalman filter, the
method of Li, Pei et al. 2020 (Science 368:489; code: github SenPei-CU/COVID-19).

Each ensemble member carries the model state of every region and its own parameters. Day by
day the members run the stochastic model; the expected reported cases follow the new
documented infections through a reporting delay (gamma, mean 9 days, shape 1.85 before 23
January 2020 in Li, Pei et al.); then the observed cases pull the ensemble towards them:

- the parameters, shared by all regions, with all regions' observations at once (the ensemble
  transform form of the square-root filter, which for independent observations gives the
  posterior that the serial EAKF reaches one observation at a time);
- each region's recent documented infections (the reports in the pipeline) with its own
  observation only (scalar EAKF, all regions at once); optionally its compartments too, as Li,
  Pei et al. did (they also let a region's observation adjust the regions linked to it by
  travel); see `calibrate(adjust_states=...)` for why that is off by default.

Observation error variance max(4, y^2 / 4) and inflation 1.1 as in their code. The filter runs
`iterations` times; each run starts from the previous run's estimates with a spread that
shrinks by 0.9 a run (iterated filtering, Ionides et al. 2006).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from tongchou.errors import InputError, Problem
from tongchou.scenarios.draws import parallel_section
from tongchou.scenarios.metapop import COMPARTMENTS, Drivers, Travel, advance, daily_flows
from tongchou.scenarios.model import Model, as_date

log = logging.getLogger(__name__)

# Prior ranges of Li, Pei et al. 2020 (their initialize.m).
PRIORS = {
    "beta": (0.8, 1.5),
    "mu": (0.2, 1.0),
    "theta": (1.0, 1.75),
    "latent_days": (2.0, 5.0),
    "alpha": (0.02, 1.0),
    "infectious_days": (2.0, 5.0),
}
REPORTING_DELAY = (9.0, 1.85)  # mean days, gamma shape (Li, Pei et al., before 23 January)
INFLATION = 1.1
SHRINK = 0.9
STATE_ROWS = ("S", "E", "Iu", "Id", "R")  # compartments the observations adjust


@dataclass(frozen=True)
class Fit:
    """What a calibration found."""

    parameters: pd.DataFrame  # name -> mean, median, low, high (95%)
    undocumented_share: tuple[float, float, float]  # 1 - alpha: estimate, low, high
    fitted: pd.DataFrame  # date -> observed, median, low, high (all regions summed)
    path: pd.DataFrame  # iteration -> parameter estimates (convergence)
    posterior: list[np.ndarray] = field(repr=False)  # per parameter: pooled posterior draws


def reporting_delay(mean: float, shape: float, days: int = 40) -> np.ndarray:
    """Weights of a delay of 1..days days (gamma rounded up, as Li, Pei et al. did)."""
    edges = stats.gamma.cdf(np.arange(days + 1), shape, scale=mean / shape)
    weights = np.diff(edges)
    return np.concatenate([[0.0], weights / weights.sum()])


def calibrate(
    model: Model,
    observed: pd.DataFrame,
    start: dt.date | str,
    seeds: Mapping[str, Mapping[str, tuple[float, float]]],
    *,
    fit: Mapping[str, tuple[float, float]] | None = None,
    breakpoints: Sequence[dt.date | str] = (),
    members: int = 300,
    iterations: int = 10,
    delay: tuple[float, float] = REPORTING_DELAY,
    adjust_states: bool = False,
    from_first_case: bool = False,
    seed: int | None = 0,
) -> Fit:
    """Fit `fit` parameters (name -> prior range; default those of Li, Pei et al.) to
    `observed` daily reported cases (regions x dates; NaN: not observed) from `start`.

    seeds: prior ranges of the initial people per compartment, {code: {"E": (0, 2000)}}.
    breakpoints: dates from which beta takes a new value; beta is then fitted piecewise as
        beta, beta@<date>, ... with the prior range of beta.
    adjust_states: let the observations also move the regions' S, E, Iu, Id and R, as Li, Pei
        et al. did. Off by default: the filter then adjusts the parameters and the reporting
        pipeline (recent documented infections) only. With it on, the compartments absorb the
        level of the epidemic and the documented share drifts low: on data simulated by the
        model itself (alpha 0.3) it settles near 0.1, without it near the truth.
    from_first_case: take a region's zero counts before its first reported case as not
        observed, as where testing had not yet reached it (early 2020 outside Wuhan), rather
        than as evidence of no cases; the code of Pei et al. for US counties does the same.
        Off by default.

    The estimate of each parameter is the mean of its posterior over the days that inform it,
    in the last iteration (as in iterated filtering); the interval pools those posteriors. It
    is wide: the filter's spread, kept up by inflation, not a profile likelihood.
    """
    start = as_date(start)
    fit = dict(PRIORS if fit is None else fit)
    unknown = [k for k in fit if k not in model.parameters.as_dict()]
    if unknown:
        raise InputError([Problem("calibrate.fit", "unknown parameter", value=k) for k in unknown])
    _check_seeds(model, seeds)
    cuts = [as_date(b) for b in breakpoints]
    if "beta" in fit:
        for cut in cuts:
            fit[f"beta@{cut}"] = fit["beta"]
    names = list(fit)
    low = np.array([fit[k][0] for k in names])
    high = np.array([fit[k][1] for k in names])
    y, days = _observations(model, observed, start)
    if from_first_case:
        y = np.where(np.nancumsum(y, axis=1) > 0, y, np.nan)
    weights = reporting_delay(*delay)
    rng = np.random.default_rng(seed)
    mean = None
    path = []
    for iteration in range(iterations):
        spread = SHRINK**iteration * (high - low) / 2
        draws = _initial_parameters(rng, members, low, high, mean, spread)
        with parallel_section():
            result = _filter(
                model,
                y,
                start,
                days,
                seeds,
                names,
                draws,
                (low, high),
                cuts,
                weights,
                rng,
                adjust_states,
            )
        mean = result["mean"]
        path.append(mean)
        log.info(
            "calibration iteration %d: %s",
            iteration + 1,
            dict(zip(names, mean.round(3), strict=True)),
        )
    pooled = result["pooled"]
    table = pd.DataFrame(
        {
            "mean": mean,
            "median": [np.median(p) for p in pooled],
            "low": [np.quantile(p, 0.025) for p in pooled],
            "high": [np.quantile(p, 0.975) for p in pooled],
        },
        index=pd.Index(names, name="parameter"),
    )
    # in this model the documented share of infections is alpha itself
    if "alpha" in names:
        row = table.loc["alpha"]
        share = (1.0 - row["mean"], 1.0 - row["high"], 1.0 - row["low"])
    else:
        share = (1.0 - float(np.mean(model.parameters.alpha)),) * 3
    dates = pd.date_range(start, periods=days, freq="D")
    predicted = result["predicted"]
    fitted = pd.DataFrame(
        {
            "observed": np.nansum(y, axis=0),
            "median": np.median(predicted, axis=0),
            "low": np.quantile(predicted, 0.025, axis=0),
            "high": np.quantile(predicted, 0.975, axis=0),
        },
        index=dates,
    )
    fitted.loc[np.isnan(y).all(axis=0), "observed"] = np.nan
    return Fit(
        table,
        tuple(float(v) for v in share),
        fitted,
        pd.DataFrame(path, columns=names, index=pd.RangeIndex(1, iterations + 1, name="iteration")),
        pooled,
    )


def _observations(model: Model, observed: pd.DataFrame, start: dt.date) -> tuple[np.ndarray, int]:
    """(regions, days) array aligned with the model's regions from `start`; NaN where not
    observed."""
    frame = observed.copy()
    frame.index = frame.index.astype(str)
    unknown = [c for c in frame.index if c not in model.position]
    if unknown:
        raise InputError(
            Problem("calibrate.observed", "rows for regions not in the model", value=unknown[:5])
        )
    dates = pd.to_datetime(frame.columns).date
    if min(dates) < start:
        raise InputError(
            Problem("calibrate.observed", "observations before the start", value=str(min(dates)))
        )
    values = frame.to_numpy(dtype=float)
    if (values < 0).any():
        raise InputError(Problem("calibrate.observed", "negative case counts"))
    days = (max(dates) - start).days + 1
    y = np.full((len(model.codes), days), np.nan)
    rows = [model.position[c] for c in frame.index]
    columns = [(d - start).days for d in dates]
    y[np.ix_(rows, columns)] = values
    return y, days


def _check_seeds(model: Model, seeds) -> None:
    problems = []
    for code, ranges in seeds.items():
        if str(code) not in model.position:
            problems.append(Problem("calibrate.seeds", "unknown region", value=code))
            continue
        for compartment, bounds in ranges.items():
            if compartment not in COMPARTMENTS[1:]:
                problems.append(
                    Problem(
                        f"calibrate.seeds[{code}]",
                        "unknown compartment",
                        value=compartment,
                        expected=", ".join(COMPARTMENTS[1:]),
                    )
                )
            elif not 0 <= bounds[0] <= bounds[1]:
                problems.append(
                    Problem(
                        f"calibrate.seeds[{code}].{compartment}",
                        "a range (low, high) of people",
                        value=tuple(bounds),
                        expected="0 <= low <= high",
                    )
                )
    if problems:
        raise InputError(problems)


def _initial_parameters(rng, members, low, high, mean, spread) -> np.ndarray:
    if mean is None:
        # Latin hypercube over the prior box, as Li, Pei et al.
        ranks = np.argsort(rng.random((members, len(low))), axis=0)
        u = (ranks + rng.random((members, len(low)))) / members
        return low + u * (high - low)
    draws = mean + rng.standard_normal((members, len(low))) * spread
    return _within(draws, low, high, rng)


def _within(values, low, high, rng) -> np.ndarray:
    """Members outside the prior box are put back just inside it (as in Li, Pei et al.)."""
    below, above = values < low, values > high
    jitter = 0.1 * rng.random(values.shape)
    values = np.where(below, low * (1 + jitter), values)
    values = np.where(above, high * (1 - jitter), values)
    return np.clip(values, low, high)


def _filter(model, y, start, days, seeds, names, draws, bounds, cuts, weights, rng, adjust) -> dict:
    """One pass of the filter over the observation days."""
    low, high = bounds
    m, n = draws.shape[0], len(model.codes)
    x = np.repeat(model.initial_state({})[None], m, axis=0)  # (members, regions, comps)
    for code, ranges in seeds.items():
        row = model.position[str(code)]
        for compartment, (lo, hi) in ranges.items():
            people = np.round(lo + rng.random(m) * (hi - lo))
            x[:, row, COMPARTMENTS.index(compartment)] += people
            x[:, row, 0] -= people
    state = np.ascontiguousarray(np.moveaxis(x, -1, 0))  # (compartments, members, regions)
    population = model.population
    params = draws.copy()
    flows = None if model.mobility is None else model.mobility.window(start, days)
    travel = Travel(daily_flows(flows, n, days), Drivers())
    # new documented infections of the last len(weights) days, a ring: day t at t % lags
    lags = len(weights)
    history = np.zeros((lags, m, n))
    predicted = np.zeros((m, days))
    beta_rows = _beta_rows(names, cuts)
    rows = [COMPARTMENTS.index(c) for c in STATE_ROWS] if adjust else []
    posterior = []  # (day, members x parameters, which parameters that day informed)
    horizon = int(round(float((np.arange(len(weights)) * weights).sum())))
    for t in range(days):
        today = start + dt.timedelta(days=t)
        active = _active(names, cuts, today, horizon)
        centre = params.mean(axis=0)
        params[:, active] = centre[active] + INFLATION * (params[:, active] - centre[active])
        params = _within(params, low, high, rng)
        prm = _parameter_arrays(model, names, params, beta_rows, today)
        events = advance(state, prm, t, Drivers(), rng)
        travel(state, t, prm["theta"], rng)
        np.clip(state, 0.0, None, out=state)
        history[t % lags] = events["cases"]
        ring = weights[(t - np.arange(lags)) % lags]  # slot j holds day t - k, k = (t - j) % lags
        expected = np.tensordot(ring, history, axes=(0, 0))  # (members, regions)
        predicted[:, t] = expected.sum(axis=1)
        seen = ~np.isnan(y[:, t])
        if seen.any():
            params = _update_parameters(params, expected[:, seen], y[seen, t])
            params = _within(params, low, high, rng)
            _update_states(state, rows, history, expected, y[:, t], seen, population)
            posterior.append((params.copy(), active.copy()))
    pooled, mean = [], []
    for i in range(len(names)):
        informed = [p[:, i] for p, active in posterior if active[i]]
        pooled.append(np.concatenate(informed) if informed else params[:, i])
        mean.append(np.mean([d.mean() for d in informed]) if informed else params[:, i].mean())
    return {"mean": np.array(mean), "pooled": pooled, "predicted": predicted}


def _beta_rows(names, cuts) -> list[tuple[dt.date | None, int]]:
    rows = []
    if "beta" in names:
        rows.append((None, names.index("beta")))
        rows.extend((cut, names.index(f"beta@{cut}")) for cut in cuts)
    return rows


def _active(names, cuts, today, horizon) -> np.ndarray:
    """Which parameters today's observations still inform: a piecewise beta from its first
    day until a reporting delay after its last."""
    active = np.ones(len(names), dtype=bool)
    periods = [None, *cuts]
    ends = [*cuts, None]
    for first, end in zip(periods, ends, strict=True):
        name = "beta" if first is None else f"beta@{first}"
        if name not in names:
            continue
        started = first is None or today >= first
        open_ = end is None or today < end + dt.timedelta(days=horizon)
        active[names.index(name)] = started and open_
    return active


def _parameter_arrays(model, names, params, beta_rows, today) -> dict[str, np.ndarray]:
    m = params.shape[0]
    arrays = model.parameters.arrays(m, len(model.codes))
    for i, name in enumerate(names):
        if not name.startswith("beta"):
            arrays[name] = params[:, i : i + 1]
    if beta_rows:
        current = beta_rows[0][1]
        for cut, row in beta_rows[1:]:
            if today >= cut:
                current = row
        arrays["beta"] = params[:, current : current + 1]
    if "infectious_days" in names and "documented_infectious_days" not in names:
        arrays["documented_infectious_days"] = arrays["infectious_days"]
    return arrays


def _error_variance(y: np.ndarray) -> np.ndarray:
    return np.maximum(4.0, y**2 / 4.0)


def _update_parameters(params, predicted, observed) -> np.ndarray:
    """Ensemble transform update of the parameters with all observations of the day (Hunt et
    al. 2007, in the thin-SVD form: the cost grows with members x observations, no members^2
    matrix is formed)."""
    m = params.shape[0]
    y_mean = predicted.mean(axis=0)
    anomalies = predicted - y_mean  # (members, observations)
    informative = anomalies.std(axis=0) > 1e-9
    if not informative.any():
        return params
    scale = 1.0 / np.sqrt(_error_variance(observed[informative]) * (m - 1))
    s = (anomalies[:, informative] * scale).T  # (observations, members)
    innovation = (observed[informative] - y_mean[informative]) * scale
    u, sigma, vt = np.linalg.svd(s, full_matrices=False)
    centre = params.mean(axis=0)
    deviations = params - centre
    weights = vt.T @ (sigma / (1.0 + sigma**2) * (u.T @ innovation))
    shrink = 1.0 / np.sqrt(1.0 + sigma**2) - 1.0
    transformed = deviations + vt.T @ (shrink[:, None] * (vt @ deviations))
    return centre + weights @ deviations + transformed


def _update_states(state, rows, history, expected, observed, seen, population) -> None:
    """Scalar EAKF per region with its own observation, all regions at once. The adjusted
    variables are the region's compartments and its recent documented infections, on which
    the expected reports depend."""
    prior_mean = expected.mean(axis=0)
    prior_var = expected.var(axis=0, ddof=1)
    ok = seen & (prior_var > 1e-9)
    if not ok.any():
        return
    obs = observed[ok]
    oev = _error_variance(obs)
    pv, pm = prior_var[ok], prior_mean[ok]
    post_var = pv * oev / (pv + oev)
    post_mean = post_var * (pm / pv + obs / oev)
    ens = expected[:, ok]
    dy = post_mean + np.sqrt(oev / (oev + pv)) * (ens - pm) - ens  # (members, regions)
    gain = (ens - pm) / ((ens.shape[0] - 1) * pv)  # regression on y: cov(x, y) / var(y)

    def regressed(x):
        slope = ((x - x.mean(axis=-2, keepdims=True)) * gain).sum(axis=-2, keepdims=True)
        return x + slope * dy

    for row in rows:
        state[row][:, ok] = np.clip(np.round(regressed(state[row][:, ok])), 0.0, population[ok])
    history[:, :, ok] = np.clip(regressed(history[:, :, ok]), 0.0, None)
