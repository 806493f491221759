"""The command line as a user meets it: real processes, exit codes, no tracebacks."""

import os
import subprocess
import sys

import pytest


def tongchou(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "tongchou", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.delenv("TONGCHOU_DATABASE_URL", raising=False)
    return tmp_path


def test_every_command_has_help(workdir):
    for command in (
        [],
        ["db"],
        ["regions"],
        ["import"],
        ["demo"],
        ["metrics"],
        ["regions", "import"],
        ["db", "upgrade"],
    ):
        result = tongchou(*command, "--help", cwd=workdir)
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout


def test_import_error_is_one_clear_message_without_traceback(workdir):
    assert tongchou("regions", "import", "--china", cwd=workdir).returncode == 0
    bad = workdir / "bad.csv"
    bad.write_text("region,date,metric,value\nwuhn,2020-02-01,confirmed,3\n")
    result = tongchou("import", str(bad), cwd=workdir)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.csv:2:region: unknown region" in result.stderr
    assert "420100" in result.stderr  # the nearest valid region
    assert "nothing was imported" in result.stderr
    assert (workdir / "tongchou.db").exists()


def test_skip_invalid_from_the_command_line(workdir):
    tongchou("regions", "import", "--china", cwd=workdir)
    mixed = workdir / "mixed.csv"
    mixed.write_text(
        "region,date,metric,value\n武汉,2020-02-01,confirmed,3\nnowhere,2020-02-01,confirmed,1\n"
    )
    result = tongchou("import", "--skip-invalid", str(mixed), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout and "1 rejected" in result.stdout
    assert (workdir / "mixed.csv.rejects.csv").exists()


def test_a_bad_database_url_is_named(workdir):
    result = tongchou("db", "current", cwd=workdir, env={"TONGCHOU_DATABASE_URL": "nonsense://"})
    assert result.returncode == 2
    assert "TONGCHOU_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_regions_import_and_find_for_another_country(workdir):
    csv = workdir / "fr.csv"
    csv.write_text(
        "code,parent,name,level,population\nFR,,France,nation,68000000\n"
        "FR-IDF,FR,Île-de-France,region,12300000\nFR-75,FR-IDF,Paris,department,"
        "2100000\n"
    )
    result = tongchou("regions", "import", str(csv), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    found = tongchou("regions", "find", "paris", cwd=workdir)
    assert "FR-75" in found.stdout and "2,100,000" in found.stdout
    orphan = workdir / "orphan.csv"
    orphan.write_text("code,parent,name\nFR-69,FR-ARA,Rhône\n")
    refused = tongchou("regions", "import", str(orphan), cwd=workdir)
    assert refused.returncode == 2
    assert "orphan.csv:2:parent: parent is not a region" in refused.stderr


def test_situation_and_rt_commands(workdir, china_store):
    env = {"TONGCHOU_DATABASE_URL": str(china_store.url)}
    csv = tongchou(
        "situation",
        "--as-of",
        "2020-02-23",
        "--level",
        "prefecture",
        "--region",
        "hubei",
        "--format",
        "csv",
        cwd=workdir,
        env=env,
    )
    assert csv.returncode == 0, csv.stderr
    lines = csv.stdout.strip().splitlines()
    assert lines[0].startswith("region,name,population,confirmed,new")
    assert len(lines) == 18 and lines[1].startswith("420100,")  # Wuhan had the most new cases
    rt = tongchou("rt", "武汉", "--as-of", "2020-03-01", "--format", "json", cwd=workdir, env=env)
    assert rt.returncode == 0, rt.stderr
    assert '"date":"2020-03-01' in rt.stdout.replace(" ", "")
    bad = tongchou("rt", "wuhn", cwd=workdir, env=env)
    assert bad.returncode == 2 and "420100" in bad.stderr and "Traceback" not in bad.stderr
