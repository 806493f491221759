"""Zoning use cases (分区分级): the level of every unit on a day, why, the counts by level, the
changes since the day before, and the exports (CSV, GeoJSON).

The daily assessment (`tongchou.services.situation.assess`) supplies the series; `zone_series`
maps them to the engine's inputs, in one place. Levels are replayed from the first stored day
to the day asked for, so that step-down rules and stored overrides hold as a command centre
would have held them. Clusters (聚集性疫情) recorded in the store (metric ``clusters_new``) are
used for the units that have records; the ruleset's declared proxy stands in for the others,
and every output says which.

    zoning = zone(engine, dt.date(2020, 2, 23), level="prefecture")
    zone_table(zoning, lang="zh")      # one row per unit: level, reason, key inputs
    zone_counts(zoning)                # units per level, nation and provinces
    zone_changes(zoning)               # who went up or down that day, and why
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, NotFound, Problem
from tongchou.facts.panel import carry_forward
from tongchou.geo.boundaries import LEVELS as MAP_LEVELS
from tongchou.geo.boundaries import feature_collection, without_boundary
from tongchou.geo.regions import RegionTable
from tongchou.services.situation import Assessment, assess
from tongchou.store.days import from_day
from tongchou.store.panels import read_panel
from tongchou.store.zones import in_force, read_overrides
from tongchou.zoning import DEFAULT_RULESET, Override, Replay, Ruleset, load_ruleset, replay
from tongchou.zoning.reasons import number
from tongchou.zoning.windows import window_stat

log = logging.getLogger(__name__)

DEFAULT_LEVEL = "prefecture"
UNDECIDED_COLOUR = "#9e9e9e"
CLUSTERS = "clusters_new"
# Series every zoning keeps for its tables, whatever the ruleset reads.
KEY_SERIES = ("confirmed_new", "confirmed_cumulative")

# The engine's series and where the daily cycle finds them; the single place where the
# engine's names meet the metric registry's.
SERIES_SOURCES = {
    "confirmed_new": "confirmed: daily new cases after the revision rule",
    "confirmed_cumulative": "confirmed: the running total, standing over days without a report",
    "deaths_new": "dead: daily new deaths after the revision rule",
    "rt_mean": "Rt (Cori et al. 2013) of the daily assessment, posterior mean",
    "clusters_new": "clusters_new, as recorded",
    "admissions_new": "admitted_new, as recorded",
    "bed_occupancy": "in_hospital / beds, as recorded",
}
_STORED_METRICS = {
    "clusters_new": ("clusters_new",),
    "admissions_new": ("admitted_new",),
    "bed_occupancy": ("in_hospital", "beds"),
}

_WORDS = {
    "en": {
        "override": "override by {person}: {reason}{until}; the rules give: {computed}",
        "until": " (until {until})",
        "held": "{level} held: {quiet} days without a new case, {needed} needed to step down"
        " to {target}; the day's rules give: {reason}",
        "held_undecided": "{level} held: the day's rules cannot decide: {reason}",
        "observed": "observed",
        "proxy": "proxy: {label}",
        "nation": "nation",
        "undecided": "undecided",
    },
    "zh": {
        "override": "{person}人工调整：{reason}{until}；按规则：{computed}",
        "until": "（至{until}）",
        "held": "维持{level}：已连续{quiet}天无新增，需{needed}天方可降为{target}；"
        "当日按规则：{reason}",
        "held_undecided": "维持{level}：当日无法按规则判定：{reason}",
        "observed": "实际记录",
        "proxy": "代用指标：{label}",
        "nation": "全国",
        "undecided": "无法判定",
    },
}


# Names of the usual zoning levels in Chinese, for titles and notes.
LEVEL_NAMES_ZH = {"county": "县级", "prefecture": "地市级", "province": "省级", "leaf": "县级"}


def level_name(level: str, lang: str) -> str:
    return LEVEL_NAMES_ZH.get(str(level), str(level)) if lang == "zh" else str(level)


def words(lang: str) -> dict[str, str]:
    return _WORDS["zh" if lang == "zh" else "en"]


@dataclass(frozen=True)
class Zoning:
    """Held levels of a set of units over days (the first stored day to ``as_of``).

    Arrays are (units, days) in the order of ``codes`` and ``dates``: level (held, with
    step-down rules and overrides; -1 undecided), computed (the rules alone), classified (the
    day's own classification), override (stored override id in force, else -1). ``parts``
    holds the engine's replays and the rows of ``codes`` each covers: one for units with
    recorded clusters, one for units where the proxy stands in.
    """

    ruleset: Ruleset
    regions: RegionTable
    unit_level: str
    within: str | None
    as_of: dt.date
    codes: tuple[str, ...]
    dates: tuple[dt.date, ...]
    parts: tuple[tuple[np.ndarray, Replay], ...]
    series: dict[str, np.ndarray]
    proxied: np.ndarray
    level: np.ndarray
    computed: np.ndarray
    classified: np.ndarray
    override: np.ndarray
    overrides: pd.DataFrame

    def day(self, date: dt.date | None = None) -> int:
        """The column of a date (default: ``as_of``)."""
        date = date or self.as_of
        first, last = self.dates[0], self.dates[-1]
        if not first <= date <= last:
            raise NotFound(f"{date} is outside the zoned days ({first} to {last})")
        return (date - first).days

    def part(self, row: int) -> tuple[Replay, int]:
        """The replay that holds unit ``row``, and the unit's row in it."""
        for rows, result in self.parts:
            local = int(np.searchsorted(rows, row))
            if local < len(rows) and rows[local] == row:
                return result, local
        raise IndexError(row)

    def reason(self, row: int, day: int, lang: str = "en") -> str:
        """Why unit ``row`` holds its level on day ``day``."""
        result, local = self.part(row)
        w = words(lang)
        names = self.level_names(lang)
        classified = result.classification.reason(local, day, lang)
        held, rules = int(result.level[local, day]), int(result.classified[local, day])
        k = int(result.override[local, day])
        if k >= 0:
            o = result.overrides[k]
            last = None if o.expiry is None else o.expiry - dt.timedelta(days=1)
            until = "" if last is None else w["until"].format(until=last)
            return w["override"].format(
                person=o.person, reason=o.reason, until=until,
                computed=names[int(result.computed[local, day])],
            )  # fmt: skip
        if held == rules or held < 0:
            return classified
        if rules < 0:
            return w["held_undecided"].format(level=names[held], reason=classified)
        rules_from = [r for r in self.ruleset.step_downs if r.source == held]
        needed = min((r.after_days for r in rules_from), default=0)
        target = names[min((r.target for r in rules_from), default=rules)]
        return w["held"].format(
            level=names[held], quiet=int(result.quiet[local, day]), needed=needed,
            target=target, reason=classified,
        )  # fmt: skip

    def level_names(self, lang: str = "en") -> list[str]:
        """Level labels by index; the last entry (index -1) names an undecided unit."""
        return [level.name(lang) for level in self.ruleset.levels] + [words(lang)["undecided"]]

    def clusters_source(self, lang: str = "en") -> np.ndarray:
        """For each unit, whether its clusters are recorded or stood in for by the proxy."""
        proxy = self.ruleset.proxies.get(CLUSTERS)
        w = words(lang)
        label = getattr(proxy.label, "zh" if lang == "zh" else "en") if proxy else ""
        return np.where(self.proxied, w["proxy"].format(label=label), w["observed"])


def zone_series(
    assessment: Assessment, names: set[str], engine: Engine | None = None
) -> dict[str, np.ndarray]:
    """The engine's input series for every region of the assessment, (regions, days): those
    of ``names`` that the assessment or the store holds. Counts that the revision rule left
    negative are unknown (NaN) to the engine, which takes only counts >= 0."""
    a = assessment
    derived = {
        "confirmed_new": lambda: a.indicators.counts["confirmed"].daily,
        "confirmed_cumulative": lambda: carry_forward(a.panel["confirmed"]),
        "deaths_new": lambda: a.indicators.counts["dead"].daily,
        "rt_mean": lambda: a.rt.mean,
    }
    out = {name: make() for name, make in derived.items() if name in names}
    stored = [n for n in names if n in _STORED_METRICS] if engine is not None else []
    if stored:
        metrics = sorted({m for n in stored for m in _STORED_METRICS[n]})
        panel = read_panel(
            engine, metrics, a.panel.dates[0].date(), a.as_of, as_of=a.as_of, regions=a.regions
        )
        if "clusters_new" in stored:
            out["clusters_new"] = panel["clusters_new"]
        if "admissions_new" in stored:
            out["admissions_new"] = panel["admitted_new"]
        if "bed_occupancy" in stored:
            with np.errstate(invalid="ignore", divide="ignore"):
                out["bed_occupancy"] = panel["in_hospital"] / panel["beds"]
    cleaned = {}
    for name, values in out.items():
        values = np.array(values, dtype=float)
        with np.errstate(invalid="ignore"):
            values[(values < 0) | np.isinf(values)] = np.nan
        if not np.isnan(values).all():
            cleaned[name] = values
    return cleaned


def needed_series(ruleset: Ruleset) -> set[str]:
    """Every series a ruleset reads: in its tests, its proxies and its step-down rules."""
    tests = [*ruleset.tests, *(t for p in ruleset.proxies.values() for t in p.tests)]
    names = {t.measure.input for t in tests}
    return names | ({ruleset.without_new} if ruleset.step_downs else set())


def unit_codes(regions: RegionTable, level: str, within: str | None = None) -> list[str]:
    """The units of a level (county, prefecture, province or a depth), inside a region."""
    codes = regions.level(level, within)
    if not codes:
        raise NotFound(f"no {level} units inside {within}")
    return codes


def zone(
    source: Engine | Assessment,
    as_of: dt.date,
    *,
    ruleset: Ruleset | str = DEFAULT_RULESET,
    level: str = DEFAULT_LEVEL,
    within: str | None = None,
    codes: Sequence[str] | None = None,
    engine: Engine | None = None,
) -> Zoning:
    """Levels of the units of ``level`` (or of ``codes``) on every day up to ``as_of``, from
    what was known on ``as_of``. ``source``: the store, or an assessment already made; with
    an assessment, ``engine`` gives the recorded clusters and stored overrides (without it,
    neither is used)."""
    ruleset = load_ruleset(ruleset)
    if isinstance(source, Engine):
        engine, assessment = source, assess(source, as_of)
    else:
        assessment = source
    if assessment.as_of != as_of:
        raise InputError(
            Problem("as_of", "differs from the assessment's day", value=str(as_of),
                    expected=str(assessment.as_of))
        )  # fmt: skip
    regions = assessment.regions
    within = regions.lookup(within) if within else None
    codes = list(codes) if codes is not None else unit_codes(regions, level, within)
    rows = assessment.panel.regions.get_indexer(codes)
    if (rows < 0).any():
        raise NotFound(f"regions not assessed: {', '.join(np.asarray(codes)[rows < 0][:5])}")
    needed = needed_series(ruleset)
    every = zone_series(assessment, needed | set(KEY_SERIES), engine)
    series = {name: values[rows] for name, values in every.items()}
    if not set(KEY_SERIES) <= set(series):
        raise NotFound(f"the store holds no confirmed counts up to {as_of}")
    lacking = sorted(ruleset.required_inputs() - set(series) - set(ruleset.proxies))
    if lacking:
        raise InputError(
            [
                Problem(f"ruleset {ruleset.id}", f"needs {name}, which the store does not hold",
                        expected=SERIES_SOURCES.get(name, "a series of that name"))
                for name in lacking
            ],
            hint="import those metrics, or choose another ruleset (--ruleset)",
        )  # fmt: skip
    population = regions.frame.loc[codes, "population"].to_numpy(dtype=float)
    dates = tuple(d.date() for d in assessment.panel.dates)
    overrides = _stored_overrides(engine, ruleset.id, codes)
    groups = _cluster_groups(ruleset, series)
    proxied = np.zeros(len(codes), dtype=bool)
    parts = []
    merged = {
        k: np.full((len(codes), len(dates)), -1, dtype=np.int64)
        for k in ("level", "computed", "classified", "override")
    }
    for group, use_proxy in groups:
        inputs = {
            n: v[group]
            for n, v in series.items()
            if n in needed and not (use_proxy and n == CLUSTERS)
        }
        if not use_proxy and CLUSTERS in inputs:
            # A unit with a cluster register: a day without a record had no recorded cluster.
            inputs[CLUSTERS] = np.nan_to_num(inputs[CLUSTERS], nan=0.0)
        proxied[group] = use_proxy
        group_codes = [codes[i] for i in group]
        given, ids = _engine_overrides(overrides, group_codes)
        result = replay(
            ruleset, inputs, population[group], dates=dates, regions=group_codes,
            overrides=given,
        )  # fmt: skip
        parts.append((group, result))
        merged["level"][group] = result.level
        merged["computed"][group] = result.computed
        merged["classified"][group] = result.classified
        # The engine numbers the overrides it was given; the table keeps the stored ids.
        merged["override"][group] = np.append(ids, -1)[result.override]
    return Zoning(
        ruleset=ruleset, regions=regions, unit_level=str(level), within=within, as_of=as_of,
        codes=tuple(codes), dates=dates, parts=tuple(parts), series=series, proxied=proxied,
        overrides=overrides, **merged,
    )  # fmt: skip


def _cluster_groups(ruleset: Ruleset, series: dict) -> list[tuple[np.ndarray, bool]]:
    """Rows (in order) that use recorded clusters and rows where the ruleset's proxy stands
    in."""
    n = len(next(iter(series.values())))
    if CLUSTERS not in ruleset.proxies:
        return [(np.arange(n), False)]
    recorded = ~np.isnan(series[CLUSTERS]).all(axis=1) if CLUSTERS in series else np.zeros(n, bool)
    groups = [(np.flatnonzero(recorded), False), (np.flatnonzero(~recorded), True)]
    return [(rows, proxy) for rows, proxy in groups if rows.size]


def _stored_overrides(engine: Engine | None, ruleset: str, codes: Sequence[str]) -> pd.DataFrame:
    """Overrides of the ruleset for these units, with the days each applies (first, last)."""
    if engine is None:
        return pd.DataFrame(columns=["id", "region", "level", "reason", "person", "first", "last"])
    with engine.connect() as connection:
        table = read_overrides(connection, ruleset)
    table = table[table["region"].isin(set(codes))]
    spans = [
        in_force(r.start_day, r.until_day, r.withdrawn_at, r.withdrawn_from_day)
        for r in table.itertuples()
    ]
    table = table.assign(
        first=[s[0] if s else None for s in spans], last=[s[1] if s else None for s in spans]
    )
    return table[[s is not None for s in spans]].reset_index(drop=True)


def _engine_overrides(
    overrides: pd.DataFrame, codes: list[str]
) -> tuple[list[Override], np.ndarray]:
    """The stored overrides of these units as the engine takes them, and their stored ids."""
    position = {code: i for i, code in enumerate(codes)}
    given, ids = [], []
    for r in overrides.itertuples():
        if r.region in position:
            expiry = None if pd.isna(r.last) else from_day(int(r.last) + 1)
            given.append(Override(position[r.region], r.level, r.reason, r.person,
                                  from_day(int(r.first)), expiry))  # fmt: skip
            ids.append(int(r.id))
    return given, np.array(ids, dtype=np.int64)


# --- tables --------------------------------------------------------------------------------


def provinces_of(regions: RegionTable, codes: Sequence[str]) -> np.ndarray:
    """The province (depth 1) of each code; None for the nation."""
    depth = regions.frame["depth"].to_numpy()
    parent = regions.parent_position
    rows = regions.frame.index.get_indexer(list(codes))
    for _ in range(int(depth.max(initial=0))):
        deeper = depth[rows] > 1
        rows = np.where(deeper, parent[rows], rows)
    out = regions.frame.index.to_numpy(dtype=object)[rows]
    out[depth[rows] < 1] = None
    return out


def key_inputs(zoning: Zoning, day: int) -> dict[str, np.ndarray]:
    """The inputs an analyst checks first, for every unit on one day: missing days are left
    out of the 14-day sums; NaN where nothing is known (or no case was ever reported)."""
    days = np.array([day])
    s = zoning.series

    def stat(name: str, kind: str, window: int = 14) -> np.ndarray:
        values, censored = window_stat(s[name], kind, window, days, skip_missing=True)
        if censored is not None:
            values[censored] = np.nan
        return values[:, 0]

    out = {"confirmed_cumulative": s["confirmed_cumulative"][:, day]}
    out["confirmed_new_14d"] = stat("confirmed_new", "sum")
    out["days_without_new"] = stat("confirmed_new", "days_since_positive")
    if CLUSTERS in s:
        out["clusters_14d"] = np.where(zoning.proxied, np.nan, stat(CLUSTERS, "sum"))
    return out


def zone_table(zoning: Zoning, date: dt.date | None = None, lang: str = "en") -> pd.DataFrame:
    """One row per unit on a day (default ``as_of``): its level, why, the level the rules
    alone give, the override in force, where its clusters come from, and key inputs."""
    t = zoning.day(date)
    regions = zoning.regions
    ids = np.array([*zoning.ruleset.level_ids, None], dtype=object)
    colours = np.array([lv.colour for lv in zoning.ruleset.levels] + [UNDECIDED_COLOUR])
    names = np.array(zoning.level_names(lang), dtype=object)
    level = zoning.level[:, t]
    provinces = provinces_of(regions, zoning.codes)
    frame = pd.DataFrame(
        {
            "name": [regions.name(c, lang) for c in zoning.codes],
            "province": [regions.name(p, lang) if p else "" for p in provinces],
            "level": ids[level],
            "label": names[level],
            "colour": colours[level],
            "reason": [zoning.reason(i, t, lang) for i in range(len(zoning.codes))],
            "computed": ids[zoning.computed[:, t]],
            "override": np.where(zoning.override[:, t] >= 0, zoning.override[:, t], None),
            "clusters": zoning.clusters_source(lang),
            **{k: pd.array(np.round(v), dtype="Int64") for k, v in key_inputs(zoning, t).items()},
        },
        index=pd.Index(zoning.codes, name="region"),
    )
    frame.attrs.update(as_of=zoning.dates[t], ruleset=zoning.ruleset.id, level=zoning.unit_level)
    return frame


def zone_counts(zoning: Zoning, date: dt.date | None = None, lang: str = "en") -> pd.DataFrame:
    """Units at each level on a day: all zoned units first (the nation, or the region zoned
    within), then each province with units."""
    t = zoning.day(date)
    n_levels = len(zoning.ruleset.levels)
    level = zoning.level[:, t]
    slot = np.where(level < 0, n_levels, level)
    provinces = provinces_of(zoning.regions, zoning.codes)
    keys = sorted({p for p in provinces if p is not None})
    index = {p: i for i, p in enumerate(keys)}
    group = np.array([index.get(p, -1) for p in provinces])
    table = np.zeros((len(keys) + 1, n_levels + 1), dtype=np.int64)
    np.add.at(table, (0, slot), 1)
    inside = group >= 0
    np.add.at(table, (group[inside] + 1, slot[inside]), 1)
    columns = [*zoning.ruleset.level_ids, "undecided"]
    roots = zoning.regions.frame.index[zoning.regions.frame["depth"] == 0]
    top = zoning.within or (roots[0] if len(roots) else "all")
    frame = pd.DataFrame(table, columns=columns, index=pd.Index([top, *keys], name="region"))
    names = [zoning.regions.name(c, lang) if c in zoning.regions else c for c in frame.index]
    names[0] = names[0] if zoning.within else words(lang)["nation"]
    frame.insert(0, "name", names)
    frame["total"] = table.sum(axis=1)
    first = np.arange(len(frame)) == 0
    frame = frame[first | ((frame["total"] > 0) & (frame.index != top))]
    if not frame["undecided"].any():
        frame = frame.drop(columns="undecided")
    return frame


def zone_changes(zoning: Zoning, date: dt.date | None = None, lang: str = "en") -> pd.DataFrame:
    """The units whose level changed from the day before to ``date`` (default ``as_of``):
    from, to, direction (up, down, start), cause and reason."""
    t = zoning.day(date)
    tables = [result.transitions(lang, day=t) for _, result in zoning.parts]
    table = none_for_missing(pd.concat(tables, ignore_index=True), ["from", "to"])
    order = {level_id: i for i, level_id in enumerate(zoning.ruleset.level_ids)}
    before = table["from"].map(order)
    after = table["to"].map(order)
    direction = np.where(before.isna() | after.isna(), "start",
                         np.where(after > before, "up", "down"))  # fmt: skip
    table.insert(1, "name", [zoning.regions.name(c, lang) for c in table["region"]])
    table.insert(5, "direction", direction)
    return table.sort_values(["direction", "region"], ignore_index=True)


def none_for_missing(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Level columns with None (as the engine writes an undecided level) for NaN, which
    joining tables brings in."""
    values = table[columns].astype(object)
    table[columns] = values.where(values.notna(), None)
    return table


def zone_summary(
    source: Engine | Assessment,
    as_of: dt.date,
    level: str = DEFAULT_LEVEL,
    *,
    ruleset: Ruleset | str = DEFAULT_RULESET,
    lang: str = "en",
) -> pd.DataFrame:
    """The zone map of a day in numbers: units per level, and the units with no confirmed case.

    Rows: each level, ``undecided`` (units the data cannot place), ``total``, and
    ``no_confirmed_case`` (units whose cumulative count is 0; share of the units with a
    known count). ``attrs["note"]`` says at which level the figures are, since the 2020
    standard's unit (and the 23 February 2020 speech's 46%) is the county.
    """
    zoning = zone(source, as_of, ruleset=ruleset, level=level)
    t = zoning.day()
    counts = zone_counts(zoning, lang=lang).iloc[0]
    names = dict(zip([*zoning.ruleset.level_ids, "undecided"], zoning.level_names(lang),
                     strict=True))  # fmt: skip
    rows = [(k, names[k], int(counts[k])) for k in names if k in counts.index]
    total = int(counts["total"])
    cumulative = zoning.series["confirmed_cumulative"][:, t]
    known = int(np.isfinite(cumulative).sum())
    none = int((cumulative == 0).sum())
    zh = lang == "zh"
    rows.append(("total", "合计" if zh else "total", total))
    frame = pd.DataFrame(rows, columns=["key", "label", "units"]).set_index("key")
    frame["share"] = frame["units"] / total if total else np.nan
    no_case = "无确诊病例" if zh else "no confirmed case"
    frame.loc["no_confirmed_case"] = [no_case, none, none / known if known else np.nan]
    frame.attrs.update(
        as_of=as_of, level=str(level), ruleset=zoning.ruleset.id, units=total,
        known=known, note=_summary_note(str(level), total, known, none, lang),
    )  # fmt: skip
    return frame


def _summary_note(level: str, total: int, known: int, none: int, lang: str) -> str:
    share = number(none / known, lang, percent=True) if known else "?"
    if lang == "zh":
        return (
            f"按{level_name(level, lang)}单位统计：{total}个单位中{known}个有累计确诊数据，"
            f"其中{none}个（{share}）无确诊病例。讲话所说1396个县（46%）为县级统计；本数据多为地市级，"
            "地市内只要一个县有病例即计为有病例，故比例低于县级。"
        )
    return (
        f"At {level} level: {known} of {total} units have a cumulative count, {none} of them "
        f"({share}) without a confirmed case. The speech's 1,396 counties (46%) are counted "
        "by county; these data are mostly by prefecture, and a prefecture counts as having "
        "cases if any of its counties has one, so its share is lower."
    )


# --- exports -------------------------------------------------------------------------------


def write_zone_csv(table: pd.DataFrame, path: Path | str) -> Path:
    """The unit table as UTF-8 CSV (with a byte-order mark, so that spreadsheets read the
    Chinese names)."""
    path = Path(path)
    table.to_csv(path, encoding="utf-8-sig")
    return path


def zone_geojson(table: pd.DataFrame, map_level: str) -> tuple[dict, list[str]]:
    """A GeoJSON FeatureCollection of the bundled outlines of ``map_level`` (province,
    prefecture, county) with each unit's level, label, colour and reason; and the units of
    the table that have no outline."""
    if map_level not in MAP_LEVELS:
        raise InputError(
            Problem("level", "no bundled outlines at this level", value=map_level,
                    expected=", ".join(MAP_LEVELS))
        )  # fmt: skip
    keep = ["level", "label", "colour", "reason", "computed", "override", "clusters"]
    properties = {
        code: {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for code, row in table[keep].iterrows()
    }
    others = {"level": None, "label": None, "colour": UNDECIDED_COLOUR, "reason": None}
    collection = feature_collection(map_level, properties, others=others)
    collection["properties"] = {k: str(v) for k, v in table.attrs.items()}
    return collection, without_boundary(table.index, map_level)


def map_level_of(level: str) -> str:
    """The outline level that draws the units of a zoning level."""
    named = {"1": "province", "2": "prefecture", "leaf": "county"}
    return named.get(str(level), str(level))
