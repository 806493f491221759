"""Recognising a table's layout from its header and turning it into long records.

Layouts, tried in this order:
- `canghailan`: the daily province and city table of the Wuhan-2019-nCoV project (date,
  provinceCode, cityCode, confirmed, suspected, cured, dead ...);
- `long`: region, date, metric, value;
- `wide-by-date`: one row per region and one column per date, as the JHU CSSE time series;
  the metric comes from the file name (confirmed, deaths, recovered) or is given;
- `wide`: region, date, and one column per metric.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.facts.metrics import MetricRegistry, normalise_header
from tongchou.ingest.readers import Table
from tongchou.store.days import to_day

REGION_HEADERS = (
    "region",
    "code",
    "regioncode",
    "regionid",
    "area",
    "location",
    "地区",
    "区划代码",
    "地区代码",
    "地区名称",
    "行政区划",
    "name",
)
DATE_HEADERS = ("date", "day", "reportdate", "日期", "报告日期")
METRIC_HEADERS = ("metric", "indicator", "variable", "指标")
VALUE_HEADERS = ("value", "count", "数值", "数量", "值")
JHU_REGION_HEADERS = ("province/state", "provincestate", "country/region", "countryregion")
JHU_IGNORED = (
    "lat",
    "long",
    "long_",
    "lon",
    "uid",
    "iso2",
    "iso3",
    "code3",
    "fips",
    "admin2",
    "combinedkey",
    "population",
)
CANGHAILAN_HEADERS = {"date", "provincecode", "citycode", "province", "city", "countrycode"}
JHU_FILE_METRICS = {"confirmed": "confirmed", "deaths": "dead", "recovered": "cured"}


@dataclass(frozen=True)
class Records:
    """Long records, still as text: one per value, with where it came from.

    frame columns: region, within (a parent code that narrows a name lookup, or ''), name
    (the unit's name where the table gives one beside its code, or ''), date, metric, value,
    row (the file's row number), column (the value's column).
    """

    frame: pd.DataFrame
    layout: str
    region_column: str
    date_column: str


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    wanted = {normalise_header(n) for n in names}
    return next((c for c in columns if normalise_header(c) in wanted), None)


def _header_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def recognise(table: Table, metrics: MetricRegistry, metric: str | None = None) -> Records:
    columns = list(table.cells.columns)
    normalised = {normalise_header(c) for c in columns}
    if normalised >= CANGHAILAN_HEADERS:
        return _canghailan(table, metrics)
    region = _find(columns, REGION_HEADERS)
    date = _find(columns, DATE_HEADERS)
    metric_column = _find(columns, METRIC_HEADERS)
    value = _find(columns, VALUE_HEADERS)
    if region and date and metric_column and value:
        return _long(table, region, date, metric_column, value)
    date_columns = [c for c in columns if _header_date(c)]
    if len(date_columns) >= 2:
        return _wide_by_date(table, metrics, date_columns, metric)
    if region and date:
        return _wide(table, metrics, region, date)
    raise InputError(
        Problem(
            table.place,
            "cannot recognise the layout of this table from its header",
            value=", ".join(columns[:8]),
            expected="region,date,metric,value; or region,date,<metric columns>; or one "
            "column per date (JHU CSSE); or the canghailan daily layout",
        )
    )


def _frame(table: Table, **columns) -> pd.DataFrame:
    frame = pd.DataFrame(
        {k: v.to_numpy() if isinstance(v, pd.Series) else v for k, v in columns.items()}
    )
    frame["row"] = table.rows.to_numpy() if "row" not in columns else frame["row"]
    return frame


def _long(table: Table, region: str, date: str, metric: str, value: str) -> Records:
    c = table.cells
    frame = _frame(
        table,
        region=c[region].str.strip(),
        within="",
        name="",
        date=c[date].str.strip(),
        metric=c[metric].str.strip(),
        value=c[value].str.strip(),
        column=value,
    )
    return Records(frame, "long", region, date)


def _melt(
    table: Table,
    id_columns: dict[str, pd.Series],
    value_columns: dict[str, str],
    constant: dict[str, str],
) -> pd.DataFrame:
    """One record per (row, value column): value_columns maps a column to the text of the
    field it fills ('metric' or 'date' as given in `constant['vary']`)."""
    vary = constant["vary"]
    parts = []
    for column, label in value_columns.items():
        part = {name: series.to_numpy() for name, series in id_columns.items()}
        part[vary] = label
        part["value"] = table.cells[column].str.strip().to_numpy()
        part["row"] = table.rows.to_numpy()
        part["column"] = column
        parts.append(pd.DataFrame(part))
    frame = pd.concat(parts, ignore_index=True)
    for name, text in constant.items():
        if name != "vary":
            frame[name] = text
    return frame.loc[frame["value"] != ""].reset_index(drop=True)


def _wide(table: Table, metrics: MetricRegistry, region: str, date: str) -> Records:
    others = [c for c in table.cells.columns if c not in (region, date)]
    unknown = [c for c in others if metrics.from_header(c) is None]
    if unknown:
        raise InputError(
            [
                Problem(
                    table.place,
                    "column is not a known metric",
                    value=c,
                    column=c,
                    row=1,
                    expected="a metric name or alias (see `tongchou metrics`)",
                    nearest=(metrics.nearest(c) or [None])[0],
                )
                for c in unknown
            ]
        )
    ids = {"region": table.cells[region].str.strip(), "date": table.cells[date].str.strip()}
    frame = _melt(
        table,
        ids,
        {c: metrics.from_header(c) for c in others},
        {"vary": "metric", "within": "", "name": ""},
    )
    return Records(frame, "wide", region, date)


def _wide_by_date(
    table: Table, metrics: MetricRegistry, date_columns: list[str], metric: str | None
) -> Records:
    place = table.place
    if metric is None:
        lowered = place.lower()
        metric = next((m for key, m in JHU_FILE_METRICS.items() if key in lowered), None)
    if metric is None:
        raise InputError(
            Problem(
                place,
                "a table with one column per date holds one metric; "
                "the file name does not say which",
                expected="--metric NAME (e.g. confirmed)",
            )
        )
    c = table.cells
    columns = list(c.columns)
    jhu = [
        col
        for col in columns
        if normalise_header(col) in {normalise_header(h) for h in JHU_REGION_HEADERS}
    ]
    if jhu:
        # the finest filled JHU column names the region: province/state, else country
        region_values = c[jhu[0]].str.strip()
        for fallback in jhu[1:]:
            region_values = region_values.where(region_values != "", c[fallback].str.strip())
        region_column = "/".join(jhu)
    else:
        region_column = _find(columns, REGION_HEADERS)
        if region_column is None:
            others = [x for x in columns if x not in date_columns]
            region_column = others[0] if others else None
        if region_column is None:
            raise InputError(
                Problem(
                    place,
                    "no region column before the date columns",
                    expected="a first column 'region'",
                )
            )
        region_values = c[region_column].str.strip()
    dates = {col: _header_date(col).isoformat() for col in date_columns}
    frame = _melt(
        table,
        {"region": region_values},
        dates,
        {"vary": "date", "within": "", "name": "", "metric": metric},
    )
    return Records(frame, "wide-by-date", region_column, "(header)")


def _canghailan(table: Table, metrics: MetricRegistry) -> Records:
    c = table.cells.rename(columns=lambda x: normalise_header(x))
    original = {normalise_header(x): x for x in table.cells.columns}
    city_code, city = c["citycode"].str.strip(), c["city"].str.strip()
    province_code = c["provincecode"].str.strip()
    country = c["countrycode"].str.strip()
    # a city row without a code names its unit; the name is resolved within its province
    region = city_code.where(city_code != "", city)
    region = region.where(city != "", province_code)
    region = region.where((city != "") | (province_code != ""), country)
    within = province_code.where(city != "", "")
    value_columns = {
        original[k]: metrics.from_header(k)
        for k in c.columns
        if k not in CANGHAILAN_HEADERS and k != "country" and metrics.from_header(k)
    }
    ids = {"region": region, "within": within, "name": city, "date": c["date"].str.strip()}
    frame = _melt(table, ids, value_columns, {"vary": "metric"})
    return Records(frame, "canghailan", original["citycode"], original["date"])


DATE_PATTERNS = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{4}\.\d{1,2}\.\d{1,2}$"), "%Y.%m.%d"),
    (re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"), "%Y年%m月%d日"),
    (re.compile(r"^\d{8}$"), "%Y%m%d"),
)


def parse_days(texts: pd.Series) -> np.ndarray:
    """Dates from text as day numbers (float, NaN where unparseable). Only unambiguous forms
    are accepted (year first); a time of day, as XLSX cells carry, is ignored."""
    return by_distinct(texts, _parse_day).astype(np.float64)


def _parse_day(text: str) -> float:
    value = str(text).strip()
    if " " in value and value[:4].isdigit():
        value = value.split(" ", 1)[0]
    for pattern, fmt in DATE_PATTERNS:
        if pattern.match(value):
            with contextlib.suppress(ValueError):  # e.g. 2020-02-30
                return float(to_day(dt.datetime.strptime(value, fmt).date()))
            break
    return np.nan


def by_distinct(series: pd.Series, resolve) -> np.ndarray:
    """`resolve` applied once to each distinct value, spread back to every row: files repeat
    the same few regions, dates and metrics over and over."""
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    return np.array([resolve(v) for v in distinct], dtype=object)[codes]
