"""Case forecasts and how good they were.

renewal: sample paths and quantiles by the renewal equation from an Rt posterior.
quantiles: the 23 Forecast Hub levels and quantiles of sorted samples.
scoring: weighted interval score, coverage, a persistence baseline, backtests.
"""
