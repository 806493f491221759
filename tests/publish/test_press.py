"""The press release: the bulletin's numbers as a daily notice, in Chinese and English."""

from __future__ import annotations

import re


def test_the_chinese_notice_reads_like_the_commission_s(national):
    text = (national.folder / "press-release.zh.md").read_text(encoding="utf-8")
    assert text.startswith("# 全国疫情通报（2020年2月23日）")
    assert (
        "2月23日0—24时，全国报告新增确诊病例416例，新增治愈出院病例1850例，新增死亡病例150例。"
        in text
    )
    assert "累计报告确诊病例77262例" in text and "现有疑似病例3434例" in text
    assert "新增确诊病例减少38例" in text
    assert "湖北省398例" in text
    assert "收治率未报告" in text
    assert "None" not in text and not re.search(r"\bnan\b", text, re.I)


def test_the_english_notice_has_the_same_numbers(national):
    text = (national.folder / "press-release.en.md").read_text(encoding="utf-8")
    assert text.startswith("# Epidemic situation in China, 23 February 2020")
    assert (
        "reported 416 new confirmed cases, 1,850 cases cured and discharged, and 150 deaths" in text
    )
    assert "77,262 confirmed cases have been reported in all" in text
    assert "Hubei 398" in text
    assert "admission rate not reported" in text
    assert "None" not in text


def test_a_province_notice_names_the_province_and_its_cities(hubei):
    zh = (hubei.folder / "press-release.zh.md").read_text(encoding="utf-8")
    assert zh.startswith("# 湖北省疫情通报")
    assert "湖北省报告新增确诊病例398例" in zh
    assert "武汉市541例" in zh


def test_the_notice_reports_the_zones_and_the_forecast(national):
    text = (national.folder / "press-release.zh.md").read_text(encoding="utf-8")
    assert "地市级单位：高风险80个，中风险163个，低风险122个" in text
    assert "未来14天" in text and "90%预测区间" in text
