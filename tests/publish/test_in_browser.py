"""The bulletin opened in a real headless Chromium, looked at as a reader would: it loads
without console errors, the map shows its shapes coloured by level and drills down, the
charts have data, the table sorts, the language switch works, and it fits a phone."""

from __future__ import annotations

import pytest

from tongchou.publish.browser import PHONE

READY = "document.documentElement.dataset.ready === 'true'"
MAP = "echarts.getInstanceByDom(document.getElementById('map-chart'))"


@pytest.fixture(scope="module")
def page(browser, national):
    opened = browser.open(national.page, wait=READY, timeout=60)
    yield opened
    assert opened.errors == [], opened.errors


def data_points(page, element_id: str, series: int = 0) -> int:
    return page.evaluate(
        f"echarts.getInstanceByDom(document.getElementById('{element_id}'))"
        f".getOption().series[{series}].data.filter(v => v !== null && v !== undefined).length"
    )


def test_the_page_loads_without_errors(page):
    assert page.errors == []
    assert page.evaluate("document.title") == "全国疫情通报 2020年2月23日"
    assert (
        page.evaluate("document.querySelector('.figure-lead .figure-value .zh').innerText") == "416"
    )


def test_the_map_shows_every_prefecture_coloured_by_its_level(page, national_data):
    table = national_data["table"]
    decided = sum(
        1 for d, r in zip(table["depth"], table["risk"], strict=True) if d == 2 and r is not None
    )
    shapes = page.evaluate(f"{MAP}.getOption().series[0].data.length")
    assert shapes == 367  # prefecture-level outlines, units of the tree and the rest
    palette = page.evaluate("window.tongchouPalette.risk(3)")
    fills = page.evaluate(
        f"(() => {{ const data = {MAP}.getModel().getSeriesByIndex(0).getData();"
        " return data.mapArray(i => data.getItemVisual(i, 'style').fill); })()"
    )
    coloured = [fill for fill in fills if fill in palette]
    assert len(coloured) == decided
    assert {palette[2], palette[1], palette[0]} <= set(coloured)  # high, medium and low all seen


def test_clicking_a_city_on_the_map_shows_its_districts(page, national_data):
    page.evaluate("document.getElementById('map').scrollIntoView()")
    point = page.evaluate(
        f"(() => {{ const p = {MAP}.convertToPixel({{seriesIndex: 0}}, [114.30, 30.60]);"
        " const r = document.getElementById('map-chart').getBoundingClientRect();"
        " return [r.x + p[0], r.y + p[1]]; })()"
    )
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        page.send(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": point[0], "y": point[1], "button": "left", "clickCount": 1},
        )
    page.wait_for("document.querySelector('#map-crumbs strong')?.innerText === '武汉市'")
    districts = [
        c
        for c, p in zip(
            national_data["table"]["code"], national_data["table"]["parent"], strict=True
        )
        if p == "420100"
    ]
    assert page.evaluate(f"{MAP}.getOption().series[0].data.length") == len(districts) == 13
    assert "湖北省" in page.evaluate("document.getElementById('map-crumbs').innerText")
    page.click("#map-crumbs button")  # back to the nation
    page.wait_for(f"{MAP}.getOption().series[0].data.length === 34")


def test_the_charts_have_data(page, national_data):
    for element in ("chart-new", "chart-cumulative", "chart-rt", "chart-forecast"):
        page.evaluate(f"document.getElementById('{element}').scrollIntoView()")
        page.wait_for(
            f"echarts.getInstanceByDom(document.getElementById('{element}'))"
            ".getOption() !== undefined"
        )
    days = len(national_data["charts"]["dates"])
    assert data_points(page, "chart-new") == days
    assert data_points(page, "chart-cumulative") == days
    assert data_points(page, "chart-rt", 2) == days
    assert data_points(page, "chart-forecast", 5) == 14  # the median, 14 days ahead
    page.evaluate("document.getElementById('regions').scrollIntoView()")
    page.wait_for(
        "[...document.querySelectorAll('[data-small]')].every(e => "
        "echarts.getInstanceByDom(e).getOption())"
    )
    assert page.evaluate("document.querySelectorAll('[data-small]').length") == 10


def test_the_table_sorts_when_a_heading_is_clicked(page):
    page.click("#regions-table th:nth-child(5) button")  # 累计确诊, largest first
    names = page.evaluate(
        "[...document.querySelectorAll('#regions-table tbody tr td:first-child')]"
        ".slice(0, 3).map(td => td.innerText.trim())"
    )
    assert names == ["湖北省", "广东省", "河南省"]
    page.click("#table-levels button:nth-child(2)")  # prefectures
    assert page.evaluate("document.querySelectorAll('#regions-table tbody tr').length") == 366 + 93


def test_the_language_switch_changes_every_word(page):
    page.click('.lang-switch [data-set-lang="en"]')
    page.wait_for("document.documentElement.lang === 'en'")
    assert page.evaluate("document.title") == "Situation in China, 23 February 2020"
    assert page.evaluate("document.querySelector('h1').innerText") == "Situation in China"
    legend = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-new'))"
        ".getOption().series.map(s => s.name)"
    )
    assert legend == ["New confirmed", "7-day mean"]
    assert page.evaluate("document.querySelector('#regions-table th').innerText").startswith(
        "Region"
    )
    assert page.evaluate("location.hash") == "#en"
    page.click('.lang-switch [data-set-lang="zh"]')
    page.wait_for("document.documentElement.lang === 'zh-CN'")
    assert page.evaluate("document.querySelector('h1').innerText") == "全国疫情通报"


def test_it_fits_a_phone_and_screenshots_are_taken(browser, national, tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    phone = browser.open(national.page, device=PHONE, wait=READY, timeout=60)
    assert phone.errors == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot = phone.screenshot(folder / "phone.png", full_page=False)
    desktop = browser.open(national.page, wait=READY, timeout=60)
    wide = desktop.screenshot(folder / "desktop.png", full_page=False)
    for path in (shot, wide):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 50_000


def test_a_province_bulletin_in_english_opens_on_its_cities(browser, hubei):
    opened = browser.open(hubei.page, wait=READY, timeout=60)
    assert opened.errors == []
    assert opened.evaluate("document.documentElement.lang") == "en"
    assert opened.evaluate(f"{MAP}.getOption().series[0].data.length") == 17
    assert opened.evaluate("document.querySelector('h1').innerText") == "Situation in Hubei"
