"""Commands for forecasts and hospital resources: case forecasts, their backtests, and the
beds they imply."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from tongchou.cli.output import Day, Format, Lang, check_lang, console, output
from tongchou.errors import InputError, Problem
from tongchou.publish.fanchart import draw_fan_chart
from tongchou.services.backtest import BREAKDOWNS, backtest_forecasts
from tongchou.services.forecast import RegionForecast, forecast_store
from tongchou.services.hospital import plan_hospital
from tongchou.services.regions import stored_regions
from tongchou.store import database

forecast_app = typer.Typer(
    help="Case forecasts for every region at once (renewal equation from the Rt posterior), "
    "and their backtests.",
)

Region = typer.Option(None, "--region", help="a region (code or name); repeat for several")
Level = typer.Option(
    None, help="province, prefecture, county or a depth: its units (inside --region if given)"
)
Samples = typer.Option(1000, help="sample paths")
Jumps = typer.Option("backlog", help="flagged reporting jumps: backlog (spread back) or keep")
RtPrior = typer.Option("5,5", help="gamma prior of Rt as MEAN,SD (EpiEstim's: 5,5)")
DAY = ["%Y-%m-%d"]
# The scores a terminal has room for; CSV and JSON give them all.
TABLE_SCORES = [
    "wis",
    "baseline_wis",
    "relative_wis",
    "coverage_50",
    "coverage_90",
    "baseline_coverage_90",
    "scored",
]
Seed = typer.Option(0, help="random seed (the same seed gives the same paths)")

_HEADERS = {
    "name": ("名称", "name"),
    "rt": ("Rt", "Rt"),
    "new_7d_mean": ("近7日日均新增", "new, 7-day mean"),
    "status": ("状态", "status"),
    "resource": ("资源", "resource"),
    "capacity": ("容量", "capacity"),
    "peak": ("峰值在院 (90%区间)", "peak census (90%)"),
    "probability": ("期内用尽概率", "P(run out)"),
    "runs_out": ("用尽日期 (90%区间)", "runs out (90%)"),
    "census_from": ("现有在院来源", "census from"),
}


@forecast_app.callback(invoke_without_command=True)
def forecast(
    context: typer.Context,
    as_of: Day | None = typer.Option(None, help="forecast from this day (default: the last)"),
    region: list[str] | None = Region,
    level: str | None = Level,
    horizon: int = typer.Option(14, help="days ahead, 1 to 365"),
    samples: int = Samples,
    jumps: str = Jumps,
    rt_prior: str = RtPrior,
    form: Format = "table",
    plot: Path | None = typer.Option(None, help="write the fan chart to this PNG"),
    lang: Lang = "en",
    seed: int = Seed,
) -> None:
    """New confirmed cases for the days after --as-of: median and prediction intervals for
    every region at once (a table; CSV and JSON give every day and the 23 quantiles)."""
    if context.invoked_subcommand is not None:
        return
    lang = check_lang(lang)
    with console.status("assessing every region and forecasting"):
        result = forecast_store(
            database.open_store(),
            as_of.date() if as_of else None,
            region=region,
            level=level,
            horizon=horizon,
            samples=samples,
            jumps=jumps,
            rt_prior=parse_prior(rt_prior),
            seed=seed,
        )
    title = f"{result.as_of:%Y-%m-%d} + {result.horizon} d"
    if form == "table":
        output(_overview(result, lang), form, title, lang)
        _explain_status(result.inputs.status, result.inputs.jump_spread.any(), lang)
    else:
        output(result.table(), form, title, lang)
    if plot is not None:
        _plot(result, plot)


@forecast_app.command("backtest")
def backtest(
    first: dt.datetime = typer.Option(..., "--from", formats=DAY, help="first origin"),
    last: dt.datetime = typer.Option(..., "--to", formats=DAY, help="last origin"),
    level: str = typer.Option("province", help="province, prefecture, county or a depth"),
    region: str | None = typer.Option(None, help="only units inside this region"),
    horizon: int = typer.Option(14, help="days ahead, 1 to 365"),
    samples: int = Samples,
    jumps: str = Jumps,
    rt_prior: str = RtPrior,
    reads: str = typer.Option("auto", help="as_of, slice or auto (see docs/forecasts.md)"),
    by: str = typer.Option("horizon", help="summary, horizon, week or region"),
    form: Format = "table",
    seed: int = Seed,
) -> None:
    """Forecasts made at every day from --from to --to from what was known that day, scored
    (weighted interval score, 50% and 90% coverage) against what happened, next to a
    persistence baseline."""
    if by not in BREAKDOWNS:
        raise InputError(
            Problem("--by", "unknown breakdown", value=by, expected=", ".join(BREAKDOWNS))
        )
    engine = database.open_store()
    within = stored_regions(engine).lookup(region) if region else None
    with console.status("backtesting: a forecast for every origin"):
        result = backtest_forecasts(
            engine,
            first.date(),
            last.date(),
            level=level,
            within=within,
            horizon=horizon,
            samples=samples,
            jumps=jumps,
            rt_prior=parse_prior(rt_prior),
            reads=reads,
            seed=seed,
        )
    title = (
        f"{level}, origins {first:%Y-%m-%d} to {last:%Y-%m-%d}, jumps {jumps}, reads {result.reads}"
    )
    frame = getattr(result, "summary" if by == "summary" else f"by_{by}")()
    if form != "table":
        output(frame, form, title, "en")
        return
    if by != "summary":
        output(result.summary()[TABLE_SCORES].round(3), form, title, "en")
    output(frame[TABLE_SCORES].round(3), form, f"by {by}", "en")


def hospital(
    as_of: Day | None = typer.Option(None, help="plan from this day (default: the last)"),
    region: list[str] | None = Region,
    level: str | None = Level,
    horizon: int = typer.Option(28, help="days ahead, 1 to 365"),
    samples: int = Samples,
    jumps: str = Jumps,
    form: Format = "table",
    demand: bool = typer.Option(False, help="print the daily demand instead of run-out"),
    lang: Lang = "en",
    seed: int = Seed,
) -> None:
    """Admissions and census of ward beds, ICU beds and ventilators from the case forecast,
    against the capacity in the store (metrics beds, icu_beds): the day each region runs
    out, with its 90% range. Regions without a capacity are flagged."""
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status("assessing, forecasting and projecting the wards"):
        forecast = forecast_store(
            engine,
            as_of.date() if as_of else None,
            region=region,
            level=level,
            horizon=horizon,
            samples=samples,
            jumps=jumps,
            seed=seed,
        )
        plan = plan_hospital(forecast, engine=engine)
    title = f"{forecast.as_of:%Y-%m-%d} + {horizon} d"
    if demand:
        output(plan.demand_table().set_index(["region", "date", "measure"]), form, title, lang)
        return
    table = plan.run_out_table(lang)
    if form != "table":
        output(table, form, title, lang)
        return
    output(_run_out_view(table, lang), form, title, lang)
    unknown = int((~table["capacity_known"]).sum())
    if unknown:
        console.print(
            f"* {unknown} 项无容量数据 (导入 beds, icu_beds 指标)"
            if lang == "zh"
            else f"* {unknown} region-resources have no capacity stored: import the metrics "
            "beds and icu_beds (ventilators have no metric yet)"
        )


def parse_prior(text: str) -> tuple[float, float]:
    try:
        mean, sd = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(
            Problem("--rt-prior", "give the prior as MEAN,SD", value=text, nearest="5,5")
        ) from None
    return mean, sd


def _range(median, low, high) -> list[str]:
    return [
        "" if np.isnan(m) else f"{m:,.0f} ({lo:,.0f}-{hi:,.0f})"
        for m, lo, hi in zip(median, low, high, strict=True)
    ]


def _header(name: str, lang: str) -> str:
    zh, en = _HEADERS.get(name, (name, name))
    return zh if lang == "zh" else en


def _overview(result: RegionForecast, lang: str) -> pd.DataFrame:
    frame = result.overview(lang)
    horizon = result.horizon
    zh = lang == "zh"
    spans = {
        "day_1": "次日 (90%区间)" if zh else "day 1 (90%)",
        f"day_{horizon}": f"第{horizon}日 (90%区间)" if zh else f"day {horizon} (90%)",
        f"next_{horizon}d": f"{horizon}日合计 (90%区间)" if zh else f"next {horizon} d (90%)",
    }
    view = pd.DataFrame(index=frame.index)
    view[_header("name", lang)] = frame["name"]
    view[_header("rt", lang)] = frame["rt"].round(2)
    view[_header("new_7d_mean", lang)] = frame["new_7d_mean"].round(1)
    for column, heading in spans.items():
        view[heading] = _range(frame[column], frame[f"{column}_low"], frame[f"{column}_high"])
    marks = np.where(frame["jump_spread"], " *", "")
    view[_header("status", lang)] = frame["status"] + marks
    return view


def _explain_status(status: np.ndarray, jump_spread: bool, lang: str) -> None:
    counts = pd.Series(status).value_counts()
    notes = {
        "few_cases": ("Rt 基于较少病例, 先验影响大", "Rt rests on few cases: the prior weighs"),
        "no_recent_cases": ("近期无病例, 预测为0 (不含输入)", "no case within reach: forecast 0"),
        "no_estimate": ("数据不足, 无法估计Rt", "too little data to estimate Rt: no forecast"),
        "no_data": ("无任何报告", "no report at all: no forecast"),
    }
    for status_name, (zh, en) in notes.items():
        if status_name in counts:
            note = zh if lang == "zh" else en
            console.print(f"  {status_name}: {counts[status_name]} ({note})")
    if jump_spread:
        console.print(
            "  * 口径跳变已按积压病例前移"
            if lang == "zh"
            else "  * a flagged reporting jump was spread back over the week before it"
        )


def _run_out_view(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    frame = table.reset_index()
    view = pd.DataFrame(
        {
            _header("name", lang): frame["name"],
            _header("resource", lang): frame["resource"],
            _header("capacity", lang): frame["capacity"],
            _header("peak", lang): _range(frame["peak"], frame["peak_low"], frame["peak_high"]),
            _header("probability", lang): frame["probability"].round(2),
            _header("runs_out", lang): [
                _date_range(m, lo, hi)
                for m, lo, hi in zip(
                    frame["runs_out"], frame["runs_out_early"], frame["runs_out_late"], strict=True
                )
            ],
            _header("census_from", lang): frame["census_from"],
        },
    )
    return view.set_axis(pd.Index(frame["region"], name="region"))


def _date_range(median, early, late) -> str:
    if pd.isna(early):
        return ""
    late_text = "later" if pd.isna(late) else f"{late:%m-%d}"
    median_text = "later" if pd.isna(median) else f"{median:%m-%d}"
    return f"{median_text} ({early:%m-%d} to {late_text})"


def _plot(result: RegionForecast, path: Path) -> None:
    history = result.inputs.reported[:, -42:]
    dates = pd.date_range(end=result.as_of, periods=history.shape[1], freq="D")
    forecast_dates = pd.DatetimeIndex(result.dates())
    levels = result.forecast.levels
    written = draw_fan_chart(
        path,
        result.names["en"],
        dates,
        history,
        forecast_dates,
        result.forecast.quantiles,
        levels,
        title=f"New confirmed cases, forecast from {result.as_of:%Y-%m-%d}",
    )
    console.print(f"fan chart: {written}")
