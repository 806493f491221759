"""`tongchou scenario`: run scenario files, list the examples; errors in a line, no traceback."""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from tongchou import cli
from tongchou.scenarios import build_model
from tongchou.services import scenarios as service


@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    regions = {"code": ["R0", "R1"], "population": [1e6, 3e6], "parent": ["420000", "110000"]}
    model = build_model(pd.DataFrame(regions))
    monkeypatch.setattr(service, "china_model", lambda: model)


@pytest.fixture
def files(tmp_path):
    paths = []
    for name, contacts in (("base", 1.0), ("strict", 0.4)):
        spec = {
            "name": name,
            "start": "2020-01-10",
            "end": "2020-02-08",
            "seeds": {"R0": {"E": 100, "Iu": 100}},
            "interventions": [
                {"lever": "distancing", "regions": "all", "start": "2020-01-12",
                 "contacts": contacts}
            ],
        }  # fmt: skip
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(spec))
        paths.append(str(path))
    return paths


def tongchou(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tongchou", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exit_:
        code = exit_.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_run_as_csv_gives_one_row_per_scenario(monkeypatch, capsys, files):
    code, out, _ = tongchou(
        monkeypatch, capsys, "scenario", "run", *files, "--members", "6", "--format", "csv"
    )
    assert code == 0
    table = pd.read_csv(io.StringIO(out), index_col="scenario")
    assert list(table.index) == ["base", "strict"]
    assert table.loc["strict", "infections"] < table.loc["base", "infections"]
    assert table["days_over_capacity"].isna().all()  # no beds given: unknown, not 0
    expected = service.run_scenarios(files, members=6, seed=0)
    np.testing.assert_allclose(table["infections"], expected["infections"])


def test_run_as_json_and_table(monkeypatch, capsys, files):
    code, out, _ = tongchou(
        monkeypatch, capsys, "scenario", "run", *files, "--members", "3", "--format", "json"
    )
    assert code == 0
    records = json.loads(out)
    assert [r["scenario"] for r in records] == ["base", "strict"]
    assert records[0]["activity"] == 1.0
    code, out, _ = tongchou(monkeypatch, capsys, "scenario", "run", files[0], "--members", "3")
    assert code == 0 and "base" in out and "100.0%" in out


def test_plot_writes_a_png(monkeypatch, capsys, files, tmp_path):
    chart = tmp_path / "chart.png"
    code, _, err = tongchou(
        monkeypatch, capsys, "scenario", "run", *files, "--members", "3", "--plot", str(chart)
    )
    assert code == 0, err
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_names_the_extra(monkeypatch, capsys, files, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = tongchou(
        monkeypatch, capsys, "scenario", "run", files[0], "--members", "2",
        "--plot", str(tmp_path / "c.png"),
    )  # fmt: skip
    assert code == 1
    assert "optional extra 'plot'" in " ".join(err.split()) and "Traceback" not in err


def test_examples_lists_the_three_bundled_files(monkeypatch, capsys):
    code, out, _ = tongchou(monkeypatch, capsys, "scenario", "examples", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out), index_col="example")
    assert list(table.index) == ["wuhan_2020", "wuhan_closure_3_days_later", "wuhan_no_closure"]
    assert table.loc["wuhan_no_closure", "title"] == "Wuhan never closed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.yaml"], "no such scenario file"),
        (["{base}", "--members", "0"], "members: must be a whole number >= 1"),
        (["{unknown}"], "unknown.yaml: seeds"),
    ],
)
def test_bad_input_is_one_line_without_traceback(monkeypatch, capsys, files, tmp_path, args,
                                                 message):  # fmt: skip
    unknown = tmp_path / "unknown.yaml"
    with open(files[0]) as file:
        spec = yaml.safe_load(file)
    spec["seeds"] = {"999999": {"E": 10}}
    unknown.write_text(yaml.safe_dump(spec))
    args = [a.format(base=files[0], unknown=unknown) for a in args]
    code, _, err = tongchou(monkeypatch, capsys, "scenario", "run", *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_run_by_province_gives_a_row_per_scenario_and_province(monkeypatch, capsys, files):
    code, out, _ = tongchou(
        monkeypatch, capsys, "scenario", "run", *files, "--members", "4", "--by", "province",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0
    table = pd.read_csv(io.StringIO(out), dtype={"group": str})
    assert list(zip(table["scenario"], table["group"], table["name"], strict=True)) == [
        ("base", "110000", "Beijing"),
        ("base", "420000", "Hubei"),
        ("strict", "110000", "Beijing"),
        ("strict", "420000", "Hubei"),
    ]
    code, _, err = tongchou(monkeypatch, capsys, "scenario", "run", *files, "--by", "county")
    assert code == 2 and "unknown grouping" in err and "Traceback" not in err
