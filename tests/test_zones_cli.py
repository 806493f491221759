"""The zoning commands as a user meets them: real processes on the bundled China store."""

import csv
import json
import os
import subprocess
import sys

import pytest

from tongchou.services.zone_decisions import override_table


def tongchou(*args, store, cwd):
    return subprocess.run(
        [sys.executable, "-m", "tongchou", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env={**os.environ, "TONGCHOU_DATABASE_URL": str(store.url), "COLUMNS": "200"},
        timeout=300,
    )


def test_zones_of_a_day_with_exports(china_store, tmp_path):
    result = tongchou(
        "zones", "--as-of", "2020-02-23", "--region", "湖北", "--lang", "zh",
        "--csv", "hubei.csv", "--geojson", "hubei.geojson", store=china_store, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "湖北省" in result.stdout and "高风险" in result.stdout
    assert "代用指标" in result.stdout  # the cluster proxy is named
    with open(tmp_path / "hubei.csv", encoding="utf-8-sig") as file:
        rows = {row["region"]: row for row in csv.DictReader(file)}
    assert len(rows) == 17 and rows["420100"]["level"] == "high"
    assert rows["420100"]["reason"].startswith("高风险：累计确诊46201例")
    collection = json.loads((tmp_path / "hubei.geojson").read_text(encoding="utf-8"))
    levels = {f["properties"]["code"]: f["properties"]["level"] for f in collection["features"]}
    assert levels["420100"] == "high" and levels["110100"] is None  # outside the region


def test_measures_of_a_region(china_store, tmp_path):
    result = tongchou("measures", "武汉", "--as-of", "2020-02-23", "--lang", "zh",
                      store=china_store, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "湖北省武汉市" in result.stdout and "高风险" in result.stdout
    assert "内防扩散" in result.stdout and "复工复产" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["zones", "override", "wuhna", "--level", "high", "--reason", "r", "--person", "p"],
         "unknown region 'wuhna'"),
        (["zones", "override", "武汉", "--level", "hihg", "--reason", " ", "--person", "p"],
         "--reason: an override needs a reason"),
        (["zones"], "--as-of: give the day to zone"),
        (["response", "suggest", "--as-of", "2020-02-23"], "no response level is recorded"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_message_and_nothing_is_stored(china_store, tmp_path, args,
                                                              message):  # fmt: skip
    result = tongchou(*args, store=china_store, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in " ".join(result.stderr.split())
    assert override_table(china_store).empty


def test_a_bad_ruleset_file_is_named_with_its_key(china_store, tmp_path):
    (tmp_path / "rules.yaml").write_text(
        "id: mine\nname: {zh: 我的, en: mine}\nsource: test\nlevels:\n"
        "  - {id: low, colour: '#00aa00', label: {zh: 低, en: low}}\n"
        "  - id: high\n    colour: '#ff0000'\n    label: {zh: 高, en: high}\n"
        "    when: {indicator: confirmed_neww, above: 0}\ndefault: low\n",
        encoding="utf-8",
    )
    result = tongchou("zones", "--as-of", "2020-02-23", "--ruleset", "rules.yaml",
                      store=china_store, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    text = " ".join(result.stderr.split())
    assert "rules.yaml" in text and "confirmed_neww" in text and "confirmed_new" in text
