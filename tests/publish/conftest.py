"""Bulletins of the bundled China 2020 data, written once for the publishing tests, and a
headless Chromium to open them in.

Tests that need Chromium fail under CI (CI=true), where it must be installed, and are
skipped elsewhere when it is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil

import pytest

from tongchou.publish.bulletin import write_bulletin

DAY = dt.date(2020, 2, 23)
HUBEI = "420000"


def page_data(page) -> dict:
    """The content a written page carries for its scripts."""
    html = page.read_text(encoding="utf-8")
    found = re.search(
        r'<script id="bulletin-data" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1).replace("<\\/", "</").replace("<\\!--", "<!--"))


@pytest.fixture(scope="session")
def national(china_store, tmp_path_factory):
    return write_bulletin(china_store, DAY, tmp_path_factory.mktemp("bulletins") / "nation", "zh")


@pytest.fixture(scope="session")
def hubei(china_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulletins") / "hubei"
    return write_bulletin(china_store, DAY, folder, "en", region="湖北")


@pytest.fixture(scope="session")
def national_data(national):
    return page_data(national.page)


@pytest.fixture(scope="session")
def browser():
    from tongchou.publish.browser import Browser, find_chromium

    try:
        executable = find_chromium()
    except Exception as exc:  # NotFound: no browser on this machine
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required under CI: {exc}")
        pytest.skip(str(exc))
    if not shutil.which(executable) and not os.path.exists(executable):
        pytest.fail(f"Chromium named by TONGCHOU_CHROMIUM does not exist: {executable}")
    with Browser(executable) as opened:
        yield opened
