"""The bulletin's content: hand-computed cases, properties, and the national bulletin of
2020-02-23."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tongchou.errors import NotFound
from tongchou.publish import formats
from tongchou.publish.content import focus_start, resolve_scope, rounded
from tongchou.publish.numbers import NUMBERS
from tongchou.publish.provenance import mark_spans
from tongchou.services.situation import assess

from .conftest import DAY, HUBEI


def test_rounding_keeps_missing_as_none_and_counts_whole():
    assert rounded(np.array([3.0, np.nan, 12.6]), "confirmed") == [3, None, 13]
    assert rounded(np.array([0.123456, np.nan]), "cure_rate") == [0.12346, None]
    assert rounded(np.array([True, False]), "rt_few_cases") == [True, False]
    assert all(type(v) is int for v in rounded(np.array([1.0, 2.0]), "dead"))


@given(
    arrays(np.float64, st.integers(0, 30), elements=st.floats(-1e6, 1e6) | st.just(np.nan)),
    st.sampled_from([n.key for n in NUMBERS if n.kind != "flag"]),
)
def test_rounding_is_none_exactly_where_missing(values, key):
    out = rounded(values, key)
    assert [v is None for v in out] == np.isnan(values).tolist()
    assert rounded(np.array([v for v in out if v is not None], dtype=float), key) == [
        v for v in out if v is not None
    ]


def test_charts_open_a_week_before_the_mean_reaches_a_hundredth_of_its_peak():
    mean = np.array([0, 0, 0.1, 0.5, 2, 10, 50, 100, 80, 40], dtype=float)
    assert focus_start(mean, share=0.01, lead=2) == 2  # 1.0 first reached on day 4
    assert focus_start(np.zeros(5)) == 0
    assert focus_start(np.full(5, np.nan)) == 0


@given(
    st.lists(st.tuples(st.integers(-5, 40), st.integers(-5, 40)), max_size=12),
    st.integers(0, 10),
    st.integers(1, 30),
)
def test_marked_spans_are_the_days_inside_any_span(spans, start, n):
    expected = [any(b <= start + k < e for b, e in spans) for k in range(n)]
    assert mark_spans(spans, start, n).tolist() == expected


def test_formats_follow_each_language():
    assert formats.count(77262, "zh") == "77262"
    assert formats.count(77262, "en") == "77,262"
    assert formats.count(None, "zh") == "未报告"
    assert formats.signed(-38, "zh") == "\u221238"
    assert formats.signed(416, "en") == "+416"
    assert formats.signed(0.0, "en") == "±0"
    assert formats.change_words(-38, "zh") == "减少38例"
    assert formats.change_words(1850, "en") == "up 1,850"
    assert formats.percent(0.033587, "en", 2) == "3.36%"
    assert formats.day("2020-02-23", "zh") == "2020年2月23日"
    assert formats.day("2020-02-23", "en") == "23 February 2020"
    assert formats.moment("2020-02-24T08:00:00+08:00") == "2020-02-24 00:00 UTC"


def test_the_national_table_holds_every_region_and_missing_is_none(national_data, china_store):
    table = national_data["table"]
    assert table["code"][0] == "CN"
    assert len(set(table["code"])) == len(table["code"])
    regions = assess(china_store, DAY).regions
    assert len(table["code"]) == len(regions)
    dongcheng = table["code"].index("110101")
    assert table["confirmed"][dongcheng] == 12
    # a county with no report of its own is blank, not zero
    unreported = [i for i, c in enumerate(table["code"]) if c == "130102"][0]
    assert table["confirmed"][unreported] is None


def test_the_regions_that_matter_most_are_the_provinces_with_most_recent_cases(national_data):
    charts = national_data["charts"]
    assert charts["top"][0] == HUBEI and len(charts["top"]) == 10
    recent = [sum(v or 0 for v in series[-7:]) for series in charts["small"]["new_confirmed"]]
    assert recent == sorted(recent, reverse=True)
    table = national_data["table"]
    others = [
        7 * table["new_confirmed_7d_mean"][i]
        for i, (code, depth) in enumerate(zip(table["code"], table["depth"], strict=True))
        if depth == 1
        and code not in charts["top"]
        and table["new_confirmed_7d_mean"][i] is not None
    ]
    assert max(others) <= recent[-1] + 1e-6


def test_a_province_bulletin_charts_the_province_and_the_nation(hubei):
    from .conftest import page_data

    data = page_data(hubei.page)
    assert data["charts"]["main"] == [HUBEI, "CN"]
    assert data["charts"]["top"][0] == "420100"  # Wuhan
    assert {c for c in data["table"]["code"]} >= {"420100", "429004"}
    assert "110000" not in data["table"]["code"]


def test_unknown_region_and_region_without_reports_are_clear_errors(china_store):
    assessment = assess(china_store, DAY)
    with pytest.raises(NotFound, match="unknown region"):
        resolve_scope(assessment, "Atlantis")
    with pytest.raises(NotFound, match=r"no reports for .*长安区.*130100"):
        resolve_scope(assessment, "130102")
    early = assess(china_store, dt.date(2020, 1, 10))
    with pytest.raises(NotFound, match="no reports for"):
        resolve_scope(early, "440000")
