"""Commands for the situation: the demo, every region's numbers, Rt."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import typer

from tongchou.cli.output import (
    Day,
    Format,
    Lang,
    check_lang,
    console,
    frame_table,
    output,
)
from tongchou.publish.labels import label
from tongchou.services import demo as demo_service
from tongchou.services import situation as situation_service
from tongchou.store import database


def demo(
    lang: Lang = "zh",
    as_of: Day = dt.datetime(2020, 2, 23),
) -> None:
    """Run the daily cycle on the bundled China 2020 data (default: 23 February 2020)."""
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status("loading the bundled regions and the China 2020 series"):
        result = demo_service.run_demo(engine, as_of.date(), lang)
    _render_demo(result, lang)


def _render_demo(result: demo_service.DemoResult, lang: str) -> None:
    zh = lang == "zh"
    console.print(f"[bold]{result.title}[/bold]")
    for line in result.setup:
        console.print(f"  {line}")
    console.print(frame_table(result.headline, "全国" if zh else "Nation", lang))
    title = "新增确诊最多的十个省份" if zh else "Ten provinces with the most new cases"
    console.print(frame_table(result.top, title, lang))
    title = "全国、湖北、武汉: Rt 与四率" if zh else "Nation, Hubei, Wuhan: Rt and the four rates"
    console.print(frame_table(_key_figures(result.key_regions, lang), title, lang))
    horizon = result.forecast.attrs["horizon"]
    title = (
        f"未来{horizon}天预测: 中位数 (90%区间)"
        if zh
        else f"Next {horizon} days: median (90% range)"
    )
    console.print(frame_table(_forecast_figures(result.forecast, lang), title, lang))
    title = "分区分级: 各风险等级地区数" if zh else "Zones: units per risk level"
    zones = result.zones.assign(share=result.zones["share"].map("{:.1%}".format))
    console.print(frame_table(zones.rename(columns={"units": "value"}), title, lang))
    console.print(result.zones.attrs.get("note", ""))
    if result.key_regions["rt_window_has_jump"].any():
        console.print(
            "* 估计窗口或其前一个代际间隔内有口径跳变(如2月12日湖北纳入临床诊断病例), 请审慎解读"
            if zh
            else "* a reporting jump (e.g. Hubei's clinical diagnoses of 12 February) lies in the"
            " window or within a serial interval before it: read with care"
        )
    _print_bulletin(result, zh)


_CENSUS_LABEL = {True: "重症危重症在院(模型)", False: "severe+critical in hospital (model)"}


def _print_bulletin(result: demo_service.DemoResult, zh: bool) -> None:
    console.print(f"{'疫情通报' if zh else 'Bulletin'}: {result.bulletin.resolve()}")


def _forecast_figures(table, lang: str):
    """Median and 90% range of new cases over the horizon and of beds on its last day."""
    zh = lang == "zh"
    last = table.attrs["last_day"]
    return pd.DataFrame(
        {
            "name": table["name"],
            "new": [
                f"{m:,.0f} ({lo:,.0f}-{hi:,.0f})"
                for m, lo, hi in zip(
                    table["new_cases"], table["new_cases_low"], table["new_cases_high"], strict=True
                )
            ],
            f"{_CENSUS_LABEL[zh]} {last:%m-%d}": [
                f"{m:,.0f} ({lo:,.0f}-{hi:,.0f})"
                for m, lo, hi in zip(
                    table["beds"], table["beds_low"], table["beds_high"], strict=True
                )
            ],
        }
    )


def _key_figures(table, lang: str):
    """The key regions side by side, one figure a row, rates as percentages."""
    rows = {
        "confirmed": table["confirmed"].map("{:,.0f}".format),
        "new": table["new"].map("{:,.0f}".format),
        "rt": [
            f"{m:.2f} ({lo:.2f}-{hi:.2f}){'*' if jump else ''}"
            for m, lo, hi, jump in zip(
                table["rt"],
                table["rt_lower"],
                table["rt_upper"],
                table["rt_window_has_jump"],
                strict=True,
            )
        ],
        "cure_rate": table["cure_rate"].map("{:.1%}".format),
        "infection_rate": table["infection_rate"].map("{:,.1f}".format),
        "naive_fatality_rate": table["naive_fatality_rate"].map("{:.2%}".format),
        "adjusted_fatality_rate": table["adjusted_fatality_rate"].map("{:.2%}".format),
    }
    frame = pd.DataFrame(rows).T
    frame.columns = table["name"]
    frame.insert(0, "metric", [label(name, lang) for name in frame.index])
    return frame.reset_index(drop=True)


def situation(
    as_of: Day,
    level: str = typer.Option("province", help="nation, province, prefecture, county or a depth"),
    region: str | None = typer.Option(None, help="only units inside this region"),
    sort: str = typer.Option("new", help="column to sort by, largest first"),
    form: Format = "table",
    lang: Lang = "en",
) -> None:
    """Every region's indicators, the four rates and Rt on a day, as known that day."""
    lang = check_lang(lang)
    with console.status("assessing every region"):
        frame = situation_service.situation(
            database.open_store(), as_of.date(), level=level, region=region, sort=sort, lang=lang
        )
    output(frame, form, f"{as_of:%Y-%m-%d} {level}", lang)


def rt(
    region: str,
    as_of: Day | None = typer.Option(None, help="as known on this day (default: latest)"),
    si_mean: float | None = typer.Option(None, help="serial interval mean, days"),
    si_sd: float | None = typer.Option(None, help="serial interval SD, days"),
    window: int = typer.Option(7, help="window length, days"),
    form: Format = "table",
) -> None:
    """Rt of one region over time (Cori et al. 2013), with its 95% credible interval."""
    frame = situation_service.rt(
        database.open_store(),
        region,
        as_of=as_of.date() if as_of else None,
        si_mean=si_mean,
        si_sd=si_sd,
        window=window,
    )
    output(frame, form, f"Rt {region}", "en")
