"""Commands for zoning (分区分级): the zones of a day, stored replays, overrides, each region's
measures, and provincial response levels."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from tongchou.cli.output import Format, Lang, check_lang, console, frame_table, output
from tongchou.errors import InputError
from tongchou.services import zone_decisions as decisions
from tongchou.services import zones as zones_service
from tongchou.services.regions import stored_regions
from tongchou.store import database
from tongchou.zoning import DEFAULT_RULESET

zones_app = typer.Typer(
    invoke_without_command=True,
    help="Zones (分区分级): every unit's risk level on a day, why, and what changed.",
)
response_app = typer.Typer(no_args_is_help=True, help="Provincial emergency response levels.")

DATE = ["%Y-%m-%d"]
Ruleset = Annotated[
    str, typer.Option("--ruleset", help="built-in ruleset id or a YAML file of your own")
]
Level = Annotated[
    str, typer.Option("--level", help="units to zone: county, prefecture, province or a depth")
]
Region = Annotated[str | None, typer.Option("--region", help="only units inside this region")]
Person = Annotated[str, typer.Option("--person", help="who decided (kept with the record)")]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


_HEADINGS = {
    "zh": {
        "name": "名称", "province": "省份", "level": "等级", "label": "风险等级", "reason": "依据",
        "computed": "按规则", "override": "人工调整", "clusters": "聚集性疫情",
        "from": "原等级", "to": "新等级", "direction": "方向", "cause": "原因", "date": "日期",
        "region": "地区", "low": "低风险", "medium": "中风险", "high": "高风险",
        "undecided": "无法判定", "total": "合计", "units": "单位数", "share": "占比",
        "current": "现行响应", "suggested": "建议", "quiet_days": "连续天数",
        "last_seen": "最近出现", "units_today": "当日各级单位", "evidence": "依据",
        "domain": "领域", "measure": "措施", "person": "决定人", "since": "起始",
        "response": "响应级别", "until": "截至", "entered_at": "录入时间",
        "withdrawn_at": "撤销时间",
    },
}  # fmt: skip


def _headed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column headings in the language asked for (the data keep their own names)."""
    headings = _HEADINGS.get(lang, {})
    return frame.rename(columns=headings).rename_axis(headings.get(frame.index.name))


@zones_app.callback()
def zones(
    ctx: typer.Context,
    as_of: Annotated[dt.datetime | None, typer.Option("--as-of", formats=DATE)] = None,
    ruleset: Ruleset = DEFAULT_RULESET,
    level: Level = zones_service.DEFAULT_LEVEL,
    region: Region = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="write every unit to a CSV")] = None,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="write the zone map as GeoJSON")
    ] = None,
    units: Annotated[bool, typer.Option("--units", help="also print every unit")] = False,
    lang: Lang = "en",
) -> None:
    """Counts of units by level (nation and provinces) on a day, the changes since the day
    before and why; with --csv and --geojson, every unit's level, reason and key inputs."""
    if ctx.invoked_subcommand is not None:
        return
    if as_of is None:
        raise InputError("--as-of: give the day to zone, e.g. --as-of 2020-02-23")
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status("assessing and zoning every unit"):
        zoning = zones_service.zone(
            engine, as_of.date(), ruleset=ruleset, level=level, within=region
        )
        table = zones_service.zone_table(zoning, lang=lang)
    zh = lang == "zh"
    name = zoning.ruleset.name.zh if zh else zoning.ruleset.name.en
    title = f"{name}: {as_of:%Y-%m-%d}, {zones_service.level_name(level, lang)}"
    counts = zones_service.zone_counts(zoning, lang=lang)
    console.print(frame_table(_headed(counts.reset_index(), lang), title, lang))
    _print_clusters(zoning, lang)
    _print_no_case(table, lang)
    changes = zones_service.zone_changes(zoning, lang=lang)
    before = as_of.date() - dt.timedelta(days=1)
    if changes.empty:
        console.print("与前一日相比无变化" if zh else f"no change since {before}")
    else:
        shown = changes[["region", "name", "from", "to", "direction", "reason"]]
        heading = f"{before} → {as_of:%Y-%m-%d}: " + ("等级变化" if zh else "changes")
        console.print(frame_table(_headed(shown, lang), heading, lang))
    if units:
        shown = table[["name", "province", "label", "reason"]].rename(columns={"label": "level"})
        shown = shown.reset_index()
        console.print(frame_table(_headed(shown, lang), title, lang))
    if csv is not None:
        path = zones_service.write_zone_csv(table, csv)
        console.print(f"{len(table)} units written to {path}")
    if geojson is not None:
        collection, missing = zones_service.zone_geojson(table, zones_service.map_level_of(level))
        geojson.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        console.print(f"zone map written to {geojson} ({len(collection['features'])} outlines)")
        if missing:
            names = ", ".join(f"{c} {table.at[c, 'name']}" for c in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            console.print(f"  {len(missing)} units have no bundled outline: {names}{more}")


def _print_no_case(table: pd.DataFrame, lang: str) -> None:
    cumulative = table["confirmed_cumulative"]
    known, none = int(cumulative.notna().sum()), int((cumulative == 0).sum())
    if not known:
        return
    if lang == "zh":
        console.print(f"无确诊病例的单位：{none}个，占有数据单位（{known}个）的{none / known:.1%}")
    else:
        console.print(f"units without a confirmed case: {none} of {known} with a count "
                      f"({none / known:.1%})")  # fmt: skip


def _print_clusters(zoning: zones_service.Zoning, lang: str) -> None:
    proxied = int(zoning.proxied.sum())
    if zoning.ruleset.proxies.get(zones_service.CLUSTERS) is None:
        return
    source = zoning.clusters_source(lang)
    if proxied:
        label = source[zoning.proxied][0]
        observed = len(zoning.codes) - proxied
        if lang == "zh":
            console.print(
                f"聚集性疫情：{proxied}个单位无记录，采用{label}；{observed}个单位为实际记录"
            )
        else:
            console.print(
                f"clusters: {proxied} units have no records, {label}; {observed} recorded"
            )


@zones_app.command("replay")
def zones_replay(
    start: Annotated[dt.datetime, typer.Option("--from", formats=DATE, help="first day")],
    end: Annotated[dt.datetime, typer.Option("--to", formats=DATE, help="last day")],
    ruleset: Ruleset = DEFAULT_RULESET,
    level: Level = zones_service.DEFAULT_LEVEL,
    region: Region = None,
    form: Format = "table",
    lang: Lang = "en",
) -> None:
    """Compute the levels day by day (step-down rules and overrides applied), store them
    (a period replayed again is replaced), and list the transitions."""
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status("replaying and storing the levels"):
        report = decisions.replay_zones(
            engine, start.date(), end.date(), ruleset=ruleset, level=level, within=region,
            lang=lang,
        )  # fmt: skip
    console.print(
        f"run {report.run_id}: {report.rows:,} levels stored for {len(report.zoning.codes)} "
        f"{level} units, {report.start} to {report.end}, ruleset {report.zoning.ruleset.id}"
        + (f" ({report.replaced:,} earlier levels replaced)" if report.replaced else "")
    )
    _print_clusters(report.zoning, lang)
    shown = report.transitions[["date", "region", "name", "from", "to", "cause", "reason"]]
    output(_headed(shown.set_index("date"), lang), form, "transitions", lang)


@zones_app.command("stored")
def zones_stored(
    start: Annotated[dt.datetime, typer.Option("--from", formats=DATE, help="first day")],
    end: Annotated[dt.datetime, typer.Option("--to", formats=DATE, help="last day")],
    ruleset: Ruleset = DEFAULT_RULESET,
    region: Annotated[str | None, typer.Option("--region", help="one region")] = None,
    form: Format = "table",
) -> None:
    """Print the stored levels of a period (all units, or one region)."""
    engine = database.open_store()
    codes = None
    if region:
        codes = [stored_regions(engine).lookup(region)]
    table = decisions.stored_zones(engine, start.date(), end.date(), ruleset=ruleset, codes=codes)
    columns = ["date", "region", "level", "computed", "classified", "cause", "override_id",
               "reason"]  # fmt: skip
    output(table[columns].set_index("date"), form, f"stored levels, {ruleset}", "en")


@zones_app.command("override")
def zones_override(
    region: Annotated[str, typer.Argument(help="code, name or pinyin")],
    level: Annotated[str, typer.Option("--level", help="a level id of the ruleset, e.g. high")],
    reason: Annotated[str, typer.Option("--reason", help="why")],
    person: Person,
    start: Annotated[
        dt.datetime | None, typer.Option("--from", formats=DATE, help="first day (today)")
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option("--until", formats=DATE, help="last day in force (none: until withdrawn)"),
    ] = None,
    ruleset: Ruleset = DEFAULT_RULESET,
) -> None:
    """Hold a region at a level, by a named person's decision, with the reason (audited)."""
    engine = database.open_store()
    first = _day(start) or dt.date.today()
    override_id = decisions.add_override(
        engine, region, level, reason=reason, person=person, start=first, until=_day(until),
        ruleset=ruleset,
    )  # fmt: skip
    span = f"{first} to {_day(until)}" if until else f"from {first} until withdrawn"
    console.print(f"override {override_id} stored: {region} at {level} {span}, by {person}")


@zones_app.command("withdraw")
def zones_withdraw(
    override_id: Annotated[int, typer.Argument(help="the override's number")],
    person: Person,
    reason: Annotated[str, typer.Option("--reason", help="why")],
    start: Annotated[
        dt.datetime | None,
        typer.Option("--from", formats=DATE, help="from this day on (none: altogether)"),
    ] = None,
) -> None:
    """Withdraw an override (from a day on, or altogether); the record and its audit stay."""
    engine = database.open_store()
    decisions.withdraw_override(engine, override_id, person=person, reason=reason,
                                start=_day(start))  # fmt: skip
    console.print(f"override {override_id} withdrawn by {person}")


@zones_app.command("overrides")
def zones_overrides(
    ruleset: Annotated[str | None, typer.Option("--ruleset")] = None, form: Format = "table"
) -> None:
    """List every override with its audit trail."""
    table = decisions.override_table(database.open_store(), ruleset)
    columns = ["region", "level", "start", "until", "person", "reason", "entered_at",
               "withdrawn_at", "withdrawn_by"]  # fmt: skip
    output(table[columns], form, "overrides", "en")


def measures(
    region: Annotated[str, typer.Argument(help="code, name or pinyin")],
    as_of: Annotated[dt.datetime, typer.Option("--as-of", formats=DATE)],
    ruleset: Ruleset = DEFAULT_RULESET,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", help="a playbook YAML of your own")
    ] = None,
    lang: Lang = "en",
) -> None:
    """The region's sheet of measures (精准施策) for its level that day, with the reason."""
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status("assessing"):
        sheet = decisions.region_measures(engine, region, as_of.date(), ruleset=ruleset,
                                          playbook=playbook, lang=lang)  # fmt: skip
    console.print(f"[bold]{sheet.name}[/bold]  {sheet.as_of}  {sheet.label}")
    console.print(sheet.reason)
    if sheet.level is None:
        console.print("等级无法判定，无措施清单" if lang == "zh" else "level undecided: no sheet")
        raise typer.Exit(1)
    book = sheet.playbook
    title = book.name.zh if lang == "zh" else book.name.en
    console.print(frame_table(_headed(sheet.frame(lang), lang), title, lang))


@response_app.command("set")
def response_set(
    province: Annotated[str, typer.Argument(help="code, name or pinyin of a province")],
    level: Annotated[str, typer.Argument(help="1..4 or 一级..四级")],
    start: Annotated[dt.datetime, typer.Option("--from", formats=DATE, help="in force from")],
    person: Person,
    note: Annotated[str | None, typer.Option("--note", help="e.g. the decree")] = None,
) -> None:
    """Record a province's emergency response level (一级 .. 四级) from a day on."""
    engine = database.open_store()
    record = decisions.set_response_level(engine, province, level, start=start.date(),
                                          person=person, note=note)  # fmt: skip
    console.print(f"response level recorded ({record}): {province} {level} from {start:%Y-%m-%d}")


@response_app.command("show")
def response_show(
    as_of: Annotated[dt.datetime, typer.Option("--as-of", formats=DATE)], lang: Lang = "en"
) -> None:
    """The response level in force in each province with a record."""
    lang = check_lang(lang)
    table = decisions.response_levels_on(database.open_store(), as_of.date(), lang)
    output(_headed(table, lang), "table", f"response levels {as_of:%Y-%m-%d}", lang)


@response_app.command("suggest")
def response_suggest(
    as_of: Annotated[dt.datetime, typer.Option("--as-of", formats=DATE)],
    ruleset: Ruleset = DEFAULT_RULESET,
    level: Level = zones_service.DEFAULT_LEVEL,
    days: Annotated[
        int | None, typer.Option("--days", help="days without such units needed (14)")
    ] = None,
    lang: Lang = "en",
) -> None:
    """Suggest stepping a province's response down (一级 -> 二级 after days without a
    high-risk unit, 二级 -> 三级 without a medium-risk one), with the evidence."""
    lang = check_lang(lang)
    engine = database.open_store()
    with console.status("zoning"):
        table = decisions.suggest_response_levels(engine, as_of.date(), ruleset=ruleset,
                                                  level=level, days=days, lang=lang)  # fmt: skip
    shown = table[["name", "current", "suggested", "evidence"]].reset_index()
    console.print(frame_table(_headed(shown, lang), f"{as_of:%Y-%m-%d}", lang))
