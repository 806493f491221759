"""Open data beside the bulletin: the schema is stable and describes the files; every number
shown is in them with its provenance."""

from __future__ import annotations

import csv
import json

import pytest

from tongchou.publish import opendata
from tongchou.publish.numbers import NUMBERS

JSON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


@pytest.fixture(scope="module")
def document(national):
    return json.loads((national.folder / "data" / opendata.JSON_FILE).read_text("utf-8"))


def test_the_shipped_schema_is_the_current_fields_version():
    """A change of the published numbers must come with a new schema version and file."""
    assert json.loads(opendata.shipped_schema()) == opendata.schema_document(), (
        "the fields changed: bump SCHEMA_VERSION, name a new schema file and write "
        "opendata.schema_document() into it"
    )


def test_every_record_has_the_schema_fields_and_types(document):
    schema = json.loads(opendata.shipped_schema())
    record_schema = schema["properties"]["records"]["items"]
    assert document["version"] == schema["properties"]["version"]["const"]
    assert document["fields"] == record_schema["required"]
    for record in document["records"]:
        assert list(record) == record_schema["required"]
        for name, value in record.items():
            kinds = record_schema["properties"][name]["type"]
            kinds = kinds if isinstance(kinds, list) else [kinds]
            allowed = tuple(t for k in kinds for t in np_types(k))
            assert isinstance(value, allowed), (name, value)
            if isinstance(value, bool):
                assert "boolean" in kinds, name


def np_types(kind):
    found = JSON_TYPES[kind]
    return found if isinstance(found, tuple) else (found,)


def test_the_csv_has_the_same_rows_as_the_json(national, document):
    with (national.folder / "data" / opendata.CSV_FILE).open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == document["fields"]
    assert len(rows) == len(document["records"])
    first = document["records"][0]
    assert rows[0]["region_code"] == first["region_code"] == "CN"
    assert float(rows[0]["confirmed"]) == first["confirmed"]
    assert rows[0]["admission_rate"] == "" and first["admission_rate"] is None


def test_every_number_of_the_table_is_in_the_open_data(national_data, document):
    on_day = {(r["region_code"]): r for r in document["records"] if r["date"] == "2020-02-23"}
    table = national_data["table"]
    compared = 0
    for i, code in enumerate(table["code"]):
        if code not in on_day:
            # only regions without a single number are left out
            assert all(table[n.key][i] is None for n in NUMBERS if n.kind != "flag"), code
            continue
        for number in NUMBERS:
            assert on_day[code][number.key] == table[number.key][i], (code, number.key)
            compared += 1
    assert compared > 500 * len(NUMBERS)


def test_the_charted_series_are_in_the_open_data(national_data, document):
    charts = national_data["charts"]
    hubei = {r["date"]: r for r in document["records"] if r["region_code"] == "420000"}
    k = charts["top"].index("420000")
    for date, value in zip(charts["dates"], charts["small"]["new_confirmed"][k], strict=True):
        assert hubei[date]["new_confirmed"] == value


def test_provenance_names_the_batches_behind_each_row(national, document):
    origin = json.loads((national.folder / "data" / opendata.PROVENANCE_FILE).read_text("utf-8"))
    batches = {str(b["id"]): b for b in origin["batches"]}
    assert batches and all(
        b["source"].endswith("china_daily_2020.csv.xz") for b in batches.values()
    )
    nation = next(r for r in document["records"] if r["region_code"] == "CN")
    assert nation["source_batches"] in batches
    assert not nation["summed_from_subdivisions"]
    assert set(origin["computed"]) | set(origin["stored"]) == {n.key for n in NUMBERS}
    assert "Cori" in origin["computed"]["rt"]
    assert origin["zones"]["id"] == "cn-2020-county"


def test_zone_levels_are_in_the_open_data(document):
    wuhan = next(
        r for r in document["records"] if r["region_code"] == "420100" and r["date"] == "2020-02-23"
    )
    assert wuhan["risk_level"] == "high"
    assert "累计确诊" in wuhan["risk_reason_zh"]
