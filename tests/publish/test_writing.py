"""Writing bulletins: a folder that is checked first, a bulletin swapped in whole, clear
errors for bad input, and the command line."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from tongchou.cli import app
from tongchou.errors import Conflict, InputError, NotFound
from tongchou.publish import bulletin as bulletin_module
from tongchou.publish.bulletin import write_bulletin

from .conftest import DAY


def test_the_bulletin_is_self_contained(national):
    folder = national.folder
    html = national.page.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    for name in (
        "echarts.min.js",
        "palette.js",
        "risk-map.js",
        "bulletin.js",
        "bulletin.css",
        "echarts-LICENSE.txt",
        "echarts-NOTICE.txt",
    ):
        assert (folder / "assets" / name).stat().st_size > 0
    for level in ("province", "prefecture", "county"):
        assert (folder / "assets" / "maps" / f"{level}.js").exists()
    manifest = json.loads((folder / "bulletin.json").read_text())
    assert manifest["as_of"] == "2020-02-23" and manifest["scope"] == "CN"
    for name in manifest["files"]:
        assert (folder / name).exists(), name


def test_bad_days_are_clear_errors(china_store, tmp_path):
    with pytest.raises(NotFound, match="before the first day with data"):
        write_bulletin(china_store, dt.date(2019, 11, 30), tmp_path / "b")
    with pytest.raises(NotFound, match=r"after the last day with data \(2020-04-30\)"):
        write_bulletin(china_store, dt.date(2020, 5, 1), tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_a_folder_that_cannot_be_written_is_a_clear_error(china_store, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_bulletin(china_store, DAY, blocker / "bulletin")
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_bulletin(china_store, DAY, blocker)


def test_a_folder_of_other_files_is_never_replaced(china_store, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "report.docx").write_text("mine")
    with pytest.raises(Conflict, match="did not write"):
        write_bulletin(china_store, DAY, folder)
    assert (folder / "report.docx").read_text() == "mine"


def test_a_failed_run_leaves_the_previous_bulletin_in_place(china_store, tmp_path, monkeypatch):
    folder = tmp_path / "bulletin"
    first = write_bulletin(china_store, DAY, folder, forecast=False)
    before = first.page.read_text(encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulletin_module, "press_release", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_bulletin(china_store, dt.date(2020, 2, 24), folder, forecast=False)
    assert first.page.read_text(encoding="utf-8") == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "bulletin"]
    assert leftovers == []


def test_the_command_writes_a_bulletin_and_reports_errors_in_a_line(
    china_store, tmp_path, monkeypatch
):
    monkeypatch.setenv("TONGCHOU_DATABASE_URL", str(china_store.url))
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(
        app,
        [
            "bulletin",
            "--as-of",
            "2020-02-23",
            "--out",
            str(out),
            "--region",
            "武汉",
            "--lang",
            "en",
            "--no-forecast",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-lang="en"' in html and "Wuhan" in html
    result = runner.invoke(app, ["bulletin", "--as-of", "2020-06-01", "--out", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, NotFound)
