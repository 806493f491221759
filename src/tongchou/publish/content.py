"""The content of a bulletin: every number it shows, for one scope (the nation, a province or a
city) on one day, as plain data that the page, the press release and the open data render.

Everything is taken from one assessment (tongchou.services.situation.assess) by position:
the scope's headline figures and their change from the day before, its series for charts,
the ten units below it that matter most that day, and one row per region inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tongchou.errors import NotFound
from tongchou.geo.regions import PLACEHOLDER, RegionTable
from tongchou.publish.numbers import BY_KEY, NUMBERS, number_arrays, parameters
from tongchou.publish.zoning_view import ZoneView
from tongchou.services.situation import Assessment

# Decimals kept for each kind of number, in the page and in the open data alike.
DECIMALS = {
    "count": 0,
    "mean": 2,
    "per_100k": 3,
    "proportion": 5,
    "per_day": 4,
    "days": 1,
    "ratio": 3,
}
HEADLINE = ("new_confirmed", "active", "confirmed", "suspected", "cured", "dead")
DAILY = ("new_cured", "new_dead")
RATES = (
    "admission_rate",
    "cure_rate",
    "infection_rate",
    "naive_fatality_rate",
    "adjusted_fatality_rate",
)
RT = ("rt", "rt_lower", "rt_upper", "rt_few_cases", "rt_window_has_jump")
CHART_SERIES = (
    "new_confirmed",
    "new_confirmed_7d_mean",
    "confirmed",
    "active",
    "cured",
    "dead",
    *RT,
)
SMALL_SERIES = ("new_confirmed", "new_confirmed_7d_mean")
TOP = 10
TOP_WINDOW = 7


@dataclass(frozen=True)
class Scope:
    """The region a bulletin is about, with its Chinese and English names, and the regions
    inside it (by depth, then as the tree lists them; placeholders included)."""

    code: str
    depth: int
    name: dict[str, str]
    full_name: dict[str, str]
    inside: tuple[str, ...]
    inside_depth: tuple[int, ...]
    inside_unit: tuple[bool, ...]

    @property
    def is_root(self) -> bool:
        return self.depth == 0

    def units(self, depth: int) -> list[str]:
        """The units (not placeholders) inside the scope at one depth."""
        return [
            c
            for c, d, unit in zip(self.inside, self.inside_depth, self.inside_unit, strict=True)
            if d == depth and unit
        ]

    def codes(self) -> list[str]:
        """The scope and every region inside it."""
        return [self.code, *self.inside]


def main_codes(regions: RegionTable, scope: Scope) -> list[str]:
    """The regions whose trends the bulletin charts: the scope, and the nation beside it."""
    return [scope.code] if scope.is_root else [scope.code, *regions.select(depth=0)[:1]]


def resolve_scope(assessment: Assessment, region: str | None, day: int = -1) -> Scope:
    """The scope a region names (None: the root of the tree, the nation); NotFound for an
    unknown region or for one without any report up to the day."""
    regions = assessment.regions
    if region is None:
        roots = regions.select(depth=0)
        if not roots:
            raise NotFound("the region tree has no root region")
        code = roots[0]
    else:
        code = regions.lookup(region)
    row = assessment.panel.row(code)
    reported = ~np.isnan(assessment.panel["confirmed"][row, : _column(assessment, day) + 1])
    if not reported.any():
        with_data = [c for c in regions.ancestors(code) if _has_data(assessment, c, day)]
        raise NotFound(
            f"no reports for {regions.full_name(code)} ({code}) up to "
            f"{_date(assessment, day)}: nothing to publish for it",
            suggestions=[f"{c} {regions.full_name(c)}" for c in with_data[:1]],
        )
    depth = int(regions.frame.at[code, "depth"])
    names = {lang: regions.name(code, lang) for lang in ("zh", "en")}
    full = {lang: regions.full_name(code, lang) if depth else names[lang] for lang in ("zh", "en")}
    inside = regions.frame.loc[regions.descendants(code), ["depth", "kind"]]
    inside = inside.sort_values("depth", kind="stable")
    return Scope(
        code,
        depth,
        names,
        full,
        tuple(inside.index),
        tuple(inside["depth"].astype(int)),
        tuple(inside["kind"] != PLACEHOLDER),
    )


def _column(assessment: Assessment, day: int) -> int:
    return day % len(assessment.panel.dates)


def _date(assessment: Assessment, day: int) -> dt.date:
    return assessment.panel.dates[_column(assessment, day)].date()


def _has_data(assessment: Assessment, code: str, day: int) -> bool:
    row = assessment.panel.row(code)
    return bool(
        (~np.isnan(assessment.panel["confirmed"][row, : _column(assessment, day) + 1])).any()
    )


def rounded(values: np.ndarray, key: str) -> list:
    """Values of one number as JSON-ready items: rounded for its kind, None where missing."""
    kind = BY_KEY[key].kind
    if kind == "flag":
        return np.asarray(values, dtype=bool).tolist()
    values = np.round(np.asarray(values, dtype=float), DECIMALS[kind])
    items = values.astype(object)
    items[np.isnan(values)] = None
    if DECIMALS[kind] == 0:
        whole = ~np.isnan(values)
        items[whole] = values[whole].astype(np.int64).astype(object)
    return items.tolist()


def scalar(values: np.ndarray, key: str):
    return rounded(np.asarray([values]), key)[0]


def top_regions(assessment: Assessment, arrays: dict, scope: Scope, t: int) -> list[str]:
    """The units one level below the scope with the most new confirmed cases over the last
    TOP_WINDOW days (ties: the most active cases), at most TOP of them, those with a report."""
    children = scope.units(scope.depth + 1)
    if not children:
        return []
    rows = assessment.panel.regions.get_indexer(children)
    recent = np.nansum(arrays["new_confirmed"][rows, max(t - TOP_WINDOW + 1, 0) : t + 1], axis=1)
    reported = ~np.isnan(arrays["confirmed"][rows, t])
    active = np.nan_to_num(arrays["active"][rows, t], nan=-1.0)
    order = np.lexsort((-active, -recent))
    return [children[i] for i in order if reported[i]][:TOP]


def _names(regions: RegionTable, code: str) -> dict:
    """Short names, and full names (with the province and city) for lists of places."""
    names = {lang: regions.name(code, lang) for lang in ("zh", "en")}
    names["full"] = {lang: regions.full_name(code, lang) for lang in ("zh", "en")}
    return names


def focus_start(mean7: np.ndarray, share: float = 0.01, lead: int = 7) -> int:
    """Where charts open (the reader can widen them): a week before the 7-day mean first
    reached `share` of its highest value; the first day when it never had cases."""
    if not np.isfinite(mean7).any() or np.nanmax(mean7) <= 0:
        return 0
    reached = np.flatnonzero(np.nan_to_num(mean7) >= share * np.nanmax(mean7))
    return max(int(reached[0]) - lead, 0)


def _figures(arrays: dict, row: int, t: int, keys) -> list[dict]:
    out = []
    for key in keys:
        today = arrays[key][row, t]
        before = arrays[key][row, t - 1] if t > 0 else None
        figure = {"key": key, "value": scalar(today, key)}
        figure["previous"] = None if before is None else scalar(before, key)
        if BY_KEY[key].kind != "flag" and before is not None:
            figure["change"] = scalar(today - before, key)
        out.append(figure)
    return out


def _series(arrays: dict, rows: list[int], start: int, t: int, keys) -> dict:
    return {key: [rounded(arrays[key][r, start : t + 1], key) for r in rows] for key in keys}


def region_columns(regions: RegionTable, codes: list[str]) -> dict[str, list]:
    """Code, parent, depth, kind, names (each language falling back on the other, then on
    the code) and population of each region, as lists."""
    frame = regions.frame.loc[codes]
    code = frame.index.to_series()
    parent = frame["parent"].astype(object)
    return {
        "code": list(codes),
        "parent": parent.where(parent.notna(), None).tolist(),
        "depth": frame["depth"].astype(int).tolist(),
        "kind": frame["kind"].tolist(),
        "name_zh": frame["name_zh"].fillna(frame["name_en"]).fillna(code).tolist(),
        "name_en": frame["name_en"].fillna(frame["name_zh"]).fillna(code).tolist(),
        "population": rounded(frame["population"].to_numpy(dtype=float), "confirmed"),
    }


def _table(arrays: dict, regions: RegionTable, assessment: Assessment, codes, t: int) -> dict:
    rows = assessment.panel.regions.get_indexer(codes)
    columns = {
        **region_columns(regions, codes),
        "aggregated": assessment.panel.aggregated[rows, t, 0].tolist(),
    }
    for number in NUMBERS:
        columns[number.key] = rounded(arrays[number.key][rows, t], number.key)
    columns["new_confirmed_previous"] = (
        rounded(arrays["new_confirmed"][rows, t - 1], "new_confirmed") if t > 0 else None
    )
    return columns


def bulletin_content(
    assessment: Assessment,
    scope: Scope,
    *,
    day: int = -1,
    batches: list[dict] | None = None,
    zones: ZoneView | None = None,
    forecast: dict | None = None,
    generated_at: dt.datetime | None = None,
) -> dict:
    """Every number of the bulletin of `scope` on `day` (a column of the assessment; default
    its last day), as JSON-ready data. `zones` (tongchou.publish.zoning_view) adds each
    region's risk level and the zones section; `forecast` (forecast_view) the forecast."""
    a = assessment
    t = _column(a, day)
    regions = a.regions
    arrays = number_arrays(a)
    row = a.panel.row(scope.code)
    codes = scope.codes()
    top = top_regions(a, arrays, scope, t)
    main = main_codes(regions, scope)
    charted = [*main, *[c for c in top if c not in main]]
    confirmed = a.panel["confirmed"][row, : t + 1]
    started = np.flatnonzero(np.nan_to_num(confirmed) > 0)
    start = int(started[0]) if started.size else 0
    focus = focus_start(arrays["new_confirmed_7d_mean"][row, start : t + 1])
    rows = [a.panel.row(c) for c in charted]
    dates = a.panel.dates
    table = _table(arrays, regions, a, codes, t)
    if zones is not None:
        table.update(_zone_columns(zones, codes))
    named = {*charted, *(ch["code"] for ch in zones.changes)} if zones else set(charted)
    return {
        "format": "tongchou-bulletin/1",
        "as_of": dates[t].date().isoformat(),
        "previous": dates[t - 1].date().isoformat() if t > 0 else None,
        "first_day": dates[0].date().isoformat(),
        "generated_at": (generated_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "scope": {
            "code": scope.code,
            "depth": scope.depth,
            "name": scope.name,
            "full_name": scope.full_name,
        },
        "headline": _figures(arrays, row, t, HEADLINE + DAILY),
        "rates": _figures(arrays, row, t, RATES),
        "rt": _figures(arrays, row, t, RT),
        "charts": {
            "dates": [d.date().isoformat() for d in dates[start : t + 1]],
            "focus": focus,
            "main": main,
            "top": top,
            "top_rule": {"window": TOP_WINDOW, "count": TOP},
            "regions": charted,
            "series": _series(arrays, rows[: len(main)], start, t, CHART_SERIES),
            "small": _series(arrays, rows[len(main) :], start, t, SMALL_SERIES),
        },
        "table": table,
        "names": {c: _names(regions, c) for c in named},
        "numbers": [
            {
                "key": n.key,
                "kind": n.kind,
                "unit": n.unit,
                "label": {lang: n.label(lang) for lang in ("zh", "en")},
                "definition": {lang: n.definition(lang, a) for lang in ("zh", "en")},
            }
            for n in NUMBERS
        ],
        "parameters": {k: str(v) for k, v in parameters(a).items()},
        "sources": batches or [],
        "zones": _zone_section(zones) if zones is not None else None,
        "forecast": forecast,
    }


def _zone_columns(zones: ZoneView, codes: list[str]) -> dict[str, list]:
    """Each region's level today and the day before (indices into the levels; None where
    undecided or not zoned), and why, in both languages."""
    level = dict(zip(zones.codes, zones.level.tolist(), strict=True))
    before = dict(zip(zones.codes, zones.previous.tolist(), strict=True))
    known = [level.get(c, -1) >= 0 for c in codes]
    return {
        "risk": [level[c] if k else None for c, k in zip(codes, known, strict=True)],
        "risk_previous": [before[c] if before.get(c, -1) >= 0 else None for c in codes],
        "risk_reason_zh": [zones.reasons[c]["zh"] if c in zones.reasons else None for c in codes],
        "risk_reason_en": [zones.reasons[c]["en"] if c in zones.reasons else None for c in codes],
    }


def _zone_section(zones: ZoneView) -> dict:
    labels = {lv["id"]: {"zh": lv["zh"], "en": lv["en"]} for lv in zones.levels}
    unknown = {"zh": "未定级", "en": "no level"}
    changes = [
        {
            **ch,
            "from_label": labels.get(ch["from"], unknown),
            "to_label": labels.get(ch["to"], unknown),
        }
        for ch in zones.changes
    ]
    return {
        "ruleset": zones.ruleset,
        "levels": [{**lv, "index": i} for i, lv in enumerate(zones.levels)],
        "counts": {str(depth): counts for depth, counts in zones.counts.items()},
        "changes": changes,
        "measures": zones.measures,
        "proxy": zones.proxy,
    }
