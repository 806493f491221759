"""Every accepted layout and encoding lands the same values in the store."""

import datetime as dt
import json

import pandas as pd
import pytest

from tongchou.ingest.importer import import_file
from tongchou.store.panels import read_panel

LONG = (
    "region,date,metric,value\nA1,2020-02-01,confirmed,5\nA1,2020-02-02,confirmed,7\n"
    "Alpha Town,2020-02-01,confirmed,1\nB,2020-02-02,dead,2\n"
)
EXPECTED = {
    ("A1", "2020-02-01", "confirmed"): 5,
    ("A1", "2020-02-02", "confirmed"): 7,
    ("A2", "2020-02-01", "confirmed"): 1,
    ("B", "2020-02-02", "dead"): 2,
}


def stored(engine) -> dict:
    panel = read_panel(
        engine, ["confirmed", "dead"], dt.date(2020, 2, 1), dt.date(2020, 2, 2), aggregate=False
    )
    long = panel.long()
    return {(r.region, f"{r.date:%Y-%m-%d}", r.metric): r.value for r in long.itertuples()}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_long_csv_in_each_encoding(tiny_store, tmp_path, encoding):
    path = tmp_path / "long.csv"
    path.write_bytes(LONG.replace("Alpha Town", "A2").encode(encoding))
    report = import_file(tiny_store, path)
    assert report.layout == "long"
    assert stored(tiny_store) == EXPECTED


def test_gbk_csv_with_chinese_headers_and_names(engine, tmp_path):
    from tongchou.services.regions import load_china

    load_china(engine)
    path = tmp_path / "湖北.csv"
    path.write_bytes(
        "地区,日期,累计确诊,累计死亡\n武汉市,2020-02-01,4109,224\n孝感,2020/2/1,1120,\n".encode(
            "gbk"
        )
    )
    report = import_file(engine, path)
    assert report.layout == "wide" and report.values_new == 3
    panel = read_panel(
        engine, ["confirmed", "dead"], dt.date(2020, 2, 1), dt.date(2020, 2, 1), aggregate=False
    )
    assert panel.frame("confirmed").at["420100", pd.Timestamp("2020-02-01")] == 4109
    assert panel.frame("confirmed").at["420900", pd.Timestamp("2020-02-01")] == 1120
    assert panel.frame("dead").at["420100", pd.Timestamp("2020-02-01")] == 224
    assert pd.isna(panel.frame("dead").at["420900", pd.Timestamp("2020-02-01")])


def test_wide_xlsx(tiny_store, tmp_path):
    frame = pd.DataFrame(
        {
            "region": ["A1", "A1", "A2", "B"],
            "date": ["2020-02-01", "2020-02-02", "2020-02-01", "2020-02-02"],
            "confirmed": [5, 7, 1, None],
            "deaths": [None, None, None, 2],
        }
    )
    path = tmp_path / "wide.xlsx"
    frame.to_excel(path, index=False)
    report = import_file(tiny_store, path)
    assert report.layout == "wide"
    assert stored(tiny_store) == EXPECTED


def test_xlsx_with_real_date_cells(tiny_store, tmp_path):
    frame = pd.DataFrame({"region": ["A1"], "date": [pd.Timestamp("2020-02-01")], "confirmed": [5]})
    path = tmp_path / "dates.xlsx"
    frame.to_excel(path, index=False)
    import_file(tiny_store, path)
    assert stored(tiny_store) == {("A1", "2020-02-01", "confirmed"): 5}


@pytest.mark.parametrize("wrapped", [False, True])
def test_json_records(tiny_store, tmp_path, wrapped):
    records = [
        {"region": r, "date": d, "metric": m, "value": v} for (r, d, m), v in EXPECTED.items()
    ]
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"data": records} if wrapped else records))
    assert import_file(tiny_store, path).layout == "long"
    assert stored(tiny_store) == EXPECTED


def test_jhu_time_series_layout_takes_the_metric_from_the_file_name(tiny_store, tmp_path):
    path = tmp_path / "time_series_covid19_confirmed_global.csv"
    path.write_text(
        "Province/State,Country/Region,Lat,Long,2/1/20,2/2/20\n"
        "A1,Xland,1.0,2.0,5,7\n,A2,1.0,2.0,1,\n"
    )
    report = import_file(tiny_store, path)
    assert report.layout == "wide-by-date"
    assert stored(tiny_store) == {k: v for k, v in EXPECTED.items() if k[2] == "confirmed"}


def test_canghailan_layout(tiny_store, tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text(
        "date,country,countryCode,province,provinceCode,city,cityCode,confirmed,suspected,"
        "cured,dead\n2020-02-01,Xland,X,,,,,6,0,0,0\n2020-02-01,Xland,X,Alpha,A,,,6,1,0,0\n"
        "2020-02-01,Xland,X,Alpha,A,Alpha City,A1,5,0,0,0\n"
        "2020-02-01,Xland,X,Alpha,A,Alpha Town,,1,0,0,0\n"
        "2020-02-01,Xland,X,Alpha,A,Prison,,3,0,0,0\n"
    )
    report = import_file(tiny_store, path)
    assert report.layout == "canghailan"
    assert report.placeholders_added == 1  # the prison is no unit of the tree, nor dropped
    values = stored(tiny_store)
    assert values[("A2", "2020-02-01", "confirmed")] == 1  # a code-less city found by name
    assert values[("A/Prison", "2020-02-01", "confirmed")] == 3
    assert values[("X", "2020-02-01", "confirmed")] == 6


def test_reimporting_the_same_file_changes_nothing(tiny_store, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(LONG)
    first = import_file(tiny_store, path)
    second = import_file(tiny_store, path)
    assert (first.values_new, first.batch_id is not None) == (4, True)
    assert (second.values_new, second.values_corrected, second.values_unchanged) == (0, 0, 4)
    assert second.batch_id is None
    assert stored(tiny_store) == EXPECTED


def test_a_changed_value_is_a_correction_and_as_of_reads_see_the_old_one(tiny_store, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(LONG)
    import_file(tiny_store, path)
    fix = tmp_path / "fix.csv"
    fix.write_text("region,date,metric,value\nA1,2020-02-02,confirmed,9\n")
    report = import_file(tiny_store, fix, reported_on=dt.date(2020, 2, 10))
    assert report.values_corrected == 1

    def value_as_of(day):
        panel = read_panel(
            tiny_store,
            ["confirmed"],
            dt.date(2020, 2, 2),
            dt.date(2020, 2, 2),
            as_of=day,
            aggregate=False,
        )
        return panel.frame("confirmed").at["A1", pd.Timestamp("2020-02-02")]

    assert value_as_of(dt.date(2020, 2, 9)) == 7
    assert value_as_of(dt.date(2020, 2, 10)) == 9
    # before the day it describes, nothing was known of it
    assert pd.isna(value_as_of(dt.date(2020, 2, 1)))


def test_every_value_carries_its_provenance(tiny_store, tmp_path):
    import sqlalchemy as sa

    path = tmp_path / "long.csv"
    path.write_text(LONG)
    import_file(tiny_store, path, user="analyst-7")
    with tiny_store.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT b.source, b.imported_by, b.imported_at, count(*) FROM observations o "
                "JOIN batches b ON b.id = o.batch_id "
                "GROUP BY b.source, b.imported_by, b.imported_at"
            )
        ).all()
    assert len(rows) == 1
    source, user, imported_at, count = rows[0]
    assert (source, user, count) == ("long.csv", "analyst-7", 4)
    assert imported_at is not None
