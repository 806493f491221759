"""Open data beside a bulletin: every number it shows, one row per region per day (the layout
of Our World in Data and Covid Act Now), as CSV and JSON, with a JSON Schema (stable and
versioned: schema/bulletin-data-v1.schema.json) and the provenance of each value.

Rows: every region of the bulletin's table on its day and the day before, and the regions
charted (the scope, the nation, the ten regions that matter most) on every charted day.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from tongchou.publish.content import region_columns, rounded
from tongchou.publish.numbers import NUMBERS, STORED, number_arrays, parameters
from tongchou.services.situation import Assessment

SCHEMA_VERSION = "1.0.0"
SCHEMA_FILE = "bulletin-data-v1.schema.json"
CSV_FILE = "bulletin-data.csv"
JSON_FILE = "bulletin-data.json"
PROVENANCE_FILE = "provenance.json"
FORECAST_FILE = "forecast.csv"

IDENTITY = (
    ("region_code", "string", "Region code (MCA 2019 six-digit code for China; CN: the nation)."),
    ("parent_code", ["string", "null"], "Code of the region this one belongs to."),
    (
        "region_kind",
        "string",
        "nation, province, prefecture, county, or placeholder (cases "
        "the source assigns to no unit, e.g. arrivals from elsewhere).",
    ),
    (
        "depth",
        "integer",
        "Depth in the region tree: 0 the nation, 1 provinces, 2 "
        "prefecture-level units, 3 county-level units.",
    ),
    ("name_zh", "string", "Name in Chinese."),
    ("name_en", "string", "Name in English."),
    ("population", ["number", "null"], "Resident population used for rates per 100,000."),
    ("date", "string", "The day the row describes (ISO 8601)."),
)
TRAILER = (
    (
        "risk_level",
        ["string", "null"],
        "Risk level of the zoning ruleset on the day (null: not zoned, or too few data to decide).",
    ),
    ("risk_reason_zh", ["string", "null"], "Why the region has its level, in Chinese."),
    ("risk_reason_en", ["string", "null"], "Why the region has its level, in English."),
    (
        "summed_from_subdivisions",
        "boolean",
        "The stored counts of this row were summed from "
        "the region's subdivisions because it had no report of its own.",
    ),
    (
        "source_batches",
        ["string", "null"],
        "Ids of the import batches behind the row's "
        "stored counts, space-separated; provenance.json describes each batch.",
    ),
)
JSON_TYPES = {"flag": "boolean"}


def field_names() -> list[str]:
    return [name for name, *_ in IDENTITY] + [n.key for n in NUMBERS] + [n for n, *_ in TRAILER]


def schema_document() -> dict:
    """The JSON Schema of the JSON file, from this module's fields. The shipped file is this
    document for version SCHEMA_VERSION; a change of fields is a new version and file."""
    properties = {}
    for name, kind, description in IDENTITY:
        properties[name] = {"type": kind, "description": description}
    properties["date"]["format"] = "date"
    for n in NUMBERS:
        kind = JSON_TYPES.get(n.kind, ["number", "null"])
        properties[n.key] = {
            "type": kind,
            "title": n.label("en"),
            "x-title-zh": n.label("zh"),
            "description": n.define_en,
            "x-description-zh": n.define_zh,
            "x-unit": n.unit,
            "x-kind": n.kind,
        }
    for name, kind, description in TRAILER:
        properties[name] = {"type": kind, "description": description}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_FILE,
        "title": "tongchou bulletin data",
        "description": "Every number of a tongchou bulletin, one record per region per day. "
        "Missing values are null, never 0. The CSV file has the same fields as columns, in "
        "the same order (UTF-8 with a byte-order mark; an empty cell is null).",
        "x-version": SCHEMA_VERSION,
        "type": "object",
        "required": ["version", "as_of", "scope", "records"],
        "properties": {
            "version": {"const": SCHEMA_VERSION},
            "as_of": {
                "type": "string",
                "format": "date",
                "description": "The bulletin's day: values as known at its end.",
            },
            "scope": {"type": "string", "description": "Code of the bulletin's region."},
            "generated_at": {"type": "string", "format": "date-time"},
            "fields": {"type": "array", "items": {"type": "string"}},
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": field_names(),
                    "additionalProperties": False,
                    "properties": properties,
                },
            },
        },
    }


def shipped_schema() -> str:
    return (resources.files("tongchou.publish") / "schema" / SCHEMA_FILE).read_text("utf-8")


def records(
    assessment: Assessment,
    content: dict,
    batches: dict | None = None,
    zone_levels: dict[str, list] | None = None,
) -> dict[str, list]:
    """The rows of the open data (those with any number) as columns, in field order.
    `batches`: batch ids by (region, date) (provenance.value_batches); `zone_levels`: the
    zone view's levels by code as {code: [level id today, reason zh, reason en]}."""
    a = assessment
    table = content["table"]
    t = a.panel.dates.get_loc(pd.Timestamp(content["as_of"]))
    pairs = [(code, day) for day in (t - 1, t) if day >= 0 for code in table["code"]]
    dates = content["charts"]["dates"]
    first = a.panel.dates.get_loc(pd.Timestamp(dates[0])) if dates else t
    pairs += [(code, day) for code in content["charts"]["regions"] for day in range(first, t + 1)]
    pairs = list(dict.fromkeys(pairs))
    codes = [p[0] for p in pairs]
    rows = a.panel.regions.get_indexer(codes)
    days = np.array([p[1] for p in pairs])
    ids = region_columns(a.regions, codes)
    day_of = [d.date() for d in a.panel.dates]
    out = {
        "region_code": codes,
        "parent_code": ids["parent"],
        "region_kind": ids["kind"],
        "depth": ids["depth"],
        "name_zh": ids["name_zh"],
        "name_en": ids["name_en"],
        "population": ids["population"],
        "date": [day_of[d].isoformat() for d in days],
    }
    arrays = number_arrays(a)
    known = np.zeros(len(codes), dtype=bool)
    for number in NUMBERS:
        values = arrays[number.key][rows, days]
        out[number.key] = rounded(values, number.key)
        if number.kind != "flag":
            known |= ~np.isnan(values)
    levels = zone_levels or {}
    on_day = (days == t).tolist()
    for i, name in enumerate(("risk_level", "risk_reason_zh", "risk_reason_en")):
        out[name] = [
            levels[c][i] if d and c in levels else None for c, d in zip(codes, on_day, strict=True)
        ]
    known |= np.array([level is not None for level in out["risk_level"]], dtype=bool)
    stored = [a.panel.metrics.index(m) for m in STORED]
    summed = a.panel.aggregated[rows, days][:, stored].any(axis=1)
    out["summed_from_subdivisions"] = summed.tolist()
    lookup = batches or {}
    out["source_batches"] = [lookup.get((c, day_of[d])) for c, d in zip(codes, days, strict=True)]
    # a region that never reported (most counties, where the data are by prefecture) has a
    # row of nothing: it stays in the bulletin's table, blank, and out of the open data
    keep = np.flatnonzero(known)
    return {name: [out[name][i] for i in keep] for name in field_names()}


def provenance(assessment: Assessment, content: dict, batch_table: pd.DataFrame) -> dict:
    """Where each kind of value comes from: the import batches, and how every computed
    number is made (its definition and the engines' settings)."""
    listed = batch_table.astype(object).where(batch_table.notna(), None)
    return {
        "as_of": content["as_of"],
        "known_as_of": f"values as known at the end of {content['as_of']}; later corrections "
        "do not change them",
        "generated_at": content["generated_at"],
        "batches": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            for row in listed.to_dict("records")
        ],
        "stored": {
            n.key: f"stored metric {n.stored!r}, from the batches listed in the row's "
            "source_batches (or summed from the subdivisions' where "
            "summed_from_subdivisions)"
            for n in NUMBERS
            if n.stored
        },
        "computed": {n.key: n.definition("en", assessment) for n in NUMBERS if not n.stored},
        "parameters": {k: str(v) for k, v in parameters(assessment).items()},
        "zones": content["zones"]["ruleset"] if content["zones"] else None,
    }


def forecast_columns(content: dict) -> dict[str, list]:
    """The forecast shown, one row per region and day ahead."""
    forecast = content["forecast"]
    columns: dict[str, list] = {"region_code": [], "date": []}
    for code, entry in forecast["regions"].items():
        columns["region_code"] += [code] * len(forecast["dates"])
        columns["date"] += forecast["dates"]
        for key, values in entry.items():
            if isinstance(values, list):
                columns.setdefault(key, []).extend(values)
        for key in ("status", "census_from"):
            columns.setdefault(key, []).extend([entry[key]] * len(forecast["dates"]))
    return columns


def _csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(path: Path, columns: dict[str, list]) -> None:
    """UTF-8 with a byte-order mark (spreadsheets then read the Chinese names); an empty
    cell is a missing value, true/false are flags."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        writer.writerows([_csv_cell(v) for v in row] for row in zip(*columns.values(), strict=True))


def write_open_data(folder: Path, rows: dict[str, list], content: dict, origin: dict) -> list[str]:
    """Write the CSV, the JSON, the schema and the provenance into `folder`; the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / CSV_FILE, rows)
    names = list(rows)
    document = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_FILE,
        "as_of": content["as_of"],
        "scope": content["scope"]["code"],
        "generated_at": content["generated_at"],
        "fields": names,
        "records": [
            dict(zip(names, values, strict=True)) for values in zip(*rows.values(), strict=True)
        ],
    }
    (folder / JSON_FILE).write_text(
        json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False),
        encoding="utf-8",
    )
    (folder / SCHEMA_FILE).write_text(shipped_schema(), encoding="utf-8")
    (folder / PROVENANCE_FILE).write_text(
        json.dumps(origin, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8"
    )
    files = [CSV_FILE, JSON_FILE, SCHEMA_FILE, PROVENANCE_FILE]
    if content["forecast"]:
        write_csv(folder / FORECAST_FILE, forecast_columns(content))
        files.append(FORECAST_FILE)
    return files
