"""The archive: a bulletin for every day as that day knew it, and an index with a timeline."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tongchou.errors import InputError
from tongchou.ingest.importer import import_file
from tongchou.publish.archive import unchanged_days, write_archive
from tongchou.publish.provenance import days_seen_differently
from tongchou.services.situation import assess

from .conftest import page_data

FIRST, LAST = dt.date(2020, 2, 21), dt.date(2020, 2, 23)


@pytest.fixture(scope="module")
def archive(china_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive") / "bulletins"
    return write_archive(china_store, FIRST, LAST, folder, "zh")


def test_every_day_has_its_bulletin_and_the_index_links_them(archive):
    assert archive.days == [FIRST, dt.date(2020, 2, 22), LAST]
    index = archive.page.read_text(encoding="utf-8")
    for day in archive.days:
        page = archive.folder / day.isoformat() / "index.html"
        assert page.exists()
        assert f'href="{day.isoformat()}/index.html"' in index
        # the day's page uses the archive's shared scripts and links back to the index
        html = page.read_text(encoding="utf-8")
        assert 'src="../assets/bulletin.js"' in html and 'href="../index.html"' in html
    manifest = json.loads((archive.folder / "archive.json").read_text())
    assert manifest["days"] == [d.isoformat() for d in archive.days]
    assert (archive.folder / "assets" / "maps" / "prefecture.js").exists()


def test_each_day_shows_what_was_known_that_day(archive, china_store):
    data = page_data(archive.folder / "2020-02-22" / "index.html")
    fresh = assess(china_store, dt.date(2020, 2, 22))
    shown = {f["key"]: f["value"] for f in data["headline"]}
    row = fresh.panel.row("CN")
    assert shown["new_confirmed"] == fresh.indicators.counts["confirmed"].daily[row, -1]
    assert shown["confirmed"] == 76846
    assert data["as_of"] == "2020-02-22" and data["zones"] is not None


def test_a_period_that_ends_before_it_starts_is_an_error(china_store, tmp_path):
    with pytest.raises(InputError, match="ends before it starts"):
        write_archive(china_store, LAST, FIRST, tmp_path / "a")


def test_a_later_correction_marks_the_days_that_saw_the_old_value(tiny_store, tmp_path):
    series = tmp_path / "series.csv"
    rows = [f"A1,2020-02-{d:02d},confirmed,{d}" for d in range(1, 13)]
    series.write_text("region,date,metric,value\n" + "\n".join(rows) + "\n")
    import_file(tiny_store, series)
    fix = tmp_path / "fix.csv"
    fix.write_text("region,date,metric,value\nA1,2020-02-03,confirmed,2\n")
    import_file(tiny_store, fix, reported_on=dt.date(2020, 2, 8), accept_decreases=True)
    marked = days_seen_differently(
        tiny_store, ["confirmed"], dt.date(2020, 2, 1), dt.date(2020, 2, 12)
    )
    days = [dt.date(2020, 2, 1) + dt.timedelta(k) for k in range(12) if marked[k]]
    assert days == [dt.date(2020, 2, d) for d in range(3, 8)]


def test_the_last_day_s_assessment_stands_in_only_where_it_is_exact(china_store):
    final = assess(china_store, dt.date(2020, 1, 31))
    same = unchanged_days(china_store, final)
    assert same[-1]
    # a decrease reported later was moved back onto earlier days: those days differ
    moved = final.indicators.counts["confirmed"].revisions
    for day, revised_on in zip(moved["day"], moved["revised_on"], strict=True):
        assert not same[day:revised_on].any()


def test_worker_processes_write_the_same_bulletins(archive, china_store, tmp_path):
    parallel = write_archive(
        china_store, dt.date(2020, 2, 22), LAST, tmp_path / "parallel", "zh", workers=2
    )
    assert parallel.days == [dt.date(2020, 2, 22), LAST]
    for day in parallel.days:
        for name in ("press-release.zh.md", "press-release.en.md", "data/bulletin-data.csv"):
            ours = (parallel.folder / day.isoformat() / name).read_text(encoding="utf-8")
            serial = (archive.folder / day.isoformat() / name).read_text(encoding="utf-8")
            assert ours == serial, (day, name)


def test_the_replay_command_writes_an_archive(china_store, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from tongchou.cli import app

    monkeypatch.setenv("TONGCHOU_DATABASE_URL", str(china_store.url))
    folder = tmp_path / "replayed"
    arguments = ["replay", "--from", "2020-01-18", "--to", "2020-01-19", "--bulletins",
                 str(folder), "--region", "广东", "--workers", "1"]  # fmt: skip
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    manifest = json.loads((folder / "archive.json").read_text())
    # Guangdong's first case was reported on 19 January: the day before is left out, and said
    assert manifest["days"] == ["2020-01-19"] and manifest["skipped"] == ["2020-01-18"]
    assert "left out 1 day without a report" in result.output
    # before its first report, a province has nothing to publish
    arguments[2:5] = ["2020-01-05", "--to", "2020-01-06"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code != 0 and "no reports for 广东省" in str(result.exception)
