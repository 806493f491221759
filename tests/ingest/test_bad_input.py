"""Bad input gets a clear error naming file, row, column, value and the fix, and leaves the
store exactly as it was."""

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from tongchou.errors import InputError
from tongchou.ingest import importer
from tongchou.ingest.importer import import_file

HEADER = "region,date,metric,value\n"
GOOD = "A1,2020-02-01,confirmed,5\nA1,2020-02-02,confirmed,7\n"


def counts(engine) -> tuple[int, ...]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("observations", "revisions", "batches", "regions")
        )


def refused(engine, path, pattern, **options) -> InputError:
    before = counts(engine)
    with pytest.raises(InputError, match=pattern) as caught:
        import_file(engine, path, today=dt.date(2020, 3, 1), **options)
    assert counts(engine) == before, "a refused batch must write nothing"
    return caught.value


@pytest.mark.parametrize(
    ("row", "pattern", "nearest"),
    [
        ("Alpah City,2020-02-03,confirmed,1", r"bad.csv:4:region: unknown region", "A1 "),
        ("A1,2020-02-03,confirmd,1", r"bad.csv:4:metric: unknown metric", "confirmed"),
        ("A1,2020-02-03,confirmed,lots", r"bad.csv:4:value: not a number", None),
        ("A1,2020-02-03,confirmed,-3", r"bad.csv:4:value: a count cannot be negative", 0),
        ("A1,03/02/2020,confirmed,9", r"bad.csv:4:date: cannot read this date.*YYYY-MM-DD", None),
        ("A1,2020-02-30,confirmed,9", r"bad.csv:4:date: cannot read this date", None),
        ("A1,2020-03-05,confirmed,9", r"bad.csv:4:date: date is in the future", None),
    ],
)
def test_each_bad_cell_is_named_and_nothing_is_written(tiny_store, tmp_path, row, pattern, nearest):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD + row + "\n")
    error = refused(tiny_store, path, pattern)
    assert len(error.problems) == 1
    if nearest is not None:
        assert str(error.problems[0].nearest).startswith(str(nearest))


def test_a_row_duplicated_with_a_different_value(tiny_store, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(HEADER + GOOD + "A1,2020-02-02,confirmed,8\n")
    error = refused(tiny_store, path, r"given twice with different values \(rows 3, 4\)")
    assert error.problems[0].value == "7, 8"


def test_an_exact_duplicate_row_is_harmless(tiny_store, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(HEADER + GOOD + "A1,2020-02-02,confirmed,7\n")
    assert import_file(tiny_store, path).values_new == 2


def test_a_falling_cumulative_series_is_a_suspected_correction(tiny_store, tmp_path):
    path = tmp_path / "falls.csv"
    path.write_text(HEADER + GOOD + "A1,2020-02-03,confirmed,6\n")
    error = refused(
        tiny_store,
        path,
        r"falls from 7 on 2020-02-02 to 6 on 2020-02-03: a "
        r"suspected correction",
    )
    assert "--accept-decreases" in error.problems[0].expected
    report = import_file(tiny_store, path, accept_decreases=True)
    assert (report.values_new, report.decreases_accepted) == (3, 1)


def test_a_fall_against_values_already_stored_is_caught_too(tiny_store, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(HEADER + GOOD)
    import_file(tiny_store, first)
    later = tmp_path / "later.csv"
    later.write_text(HEADER + "A1,2020-02-03,confirmed,4\n")
    refused(tiny_store, later, r"later.csv:2:value: .*falls from 7 on 2020-02-02 to 4")


def test_a_stock_may_fall(tiny_store, tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text(HEADER + "A1,2020-02-01,suspected,5\nA1,2020-02-02,suspected,2\n")
    assert import_file(tiny_store, path).values_new == 2


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        ((HEADER + GOOD + "A1,2020-02-03,confi").encode(), "looks truncated"),
        ((HEADER + "A1,2020-02-01,confirmed,5,extra,cells\n").encode(), "not a well-formed"),
        ("地区,日期,指标,数值\n".encode("utf-16"), "neither UTF-8 nor GBK"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither UTF-8 nor GBK"),
        (b"foo,bar\n1,2\n", "cannot recognise the layout"),
    ],
)
def test_unreadable_files(tiny_store, tmp_path, content, pattern):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    refused(tiny_store, path, pattern)


def test_a_wide_table_with_an_unknown_metric_column(tiny_store, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("region,date,confirmed,deeths\nA1,2020-02-01,5,1\n")
    error = refused(tiny_store, path, "column is not a known metric")
    assert error.problems[0].nearest == "dead"


def test_no_regions_in_the_store_says_how_to_load_them(engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + GOOD)
    refused(engine, path, "the store has no regions yet")


def test_skip_invalid_imports_the_rest_and_writes_the_rejects(tiny_store, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER + GOOD + "Nowhere,2020-02-01,confirmed,1\nA2,2020-02-01,dead,-1\n"
        "A2,2020-02-01,confirmed,3\n"
    )
    report = import_file(tiny_store, path, skip_invalid=True, today=dt.date(2020, 3, 1))
    assert (report.values_new, report.values_rejected) == (3, 2)
    rejects = pd.read_csv(report.rejects_path)
    assert rejects["row"].tolist() == [4, 5]
    assert "unknown region" in rejects.at[0, "reason"]
    assert "cannot be negative" in rejects.at[1, "reason"]


def test_an_interrupted_import_leaves_the_store_as_it_was(tiny_store, tmp_path, monkeypatch):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + GOOD)
    import_file(tiny_store, path)
    before = counts(tiny_store)
    more = tmp_path / "b.csv"
    more.write_text(HEADER + "A2,2020-02-01,confirmed,1\nA1,2020-02-02,confirmed,8\n")

    def interrupted(*args):
        real_supersede(*args)  # the last write of a batch: new values are in, old ones moved
        raise KeyboardInterrupt

    real_supersede = importer.supersede
    monkeypatch.setattr(importer, "supersede", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_file(tiny_store, more)
    assert counts(tiny_store) == before
    with tiny_store.connect() as connection:
        values = connection.execute(sa.text("SELECT value FROM observations ORDER BY day"))
        # the new value and the correction of the second were both rolled back
        assert values.scalars().all() == [5, 7]
