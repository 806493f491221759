"""The 17 February 2020 county standard: boundaries, clusters observed and by proxy, reasons."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.zoning import classify, load_ruleset

DAYS = 40
LOW, MEDIUM, HIGH = 0, 1, 2


def series(*cases: dict[int, float]) -> dict[str, np.ndarray]:
    """Inputs for regions given as {day: new cases}; no case on other days."""
    new = np.zeros((len(cases), DAYS))
    for r, by_day in enumerate(cases):
        for day, n in by_day.items():
            new[r, day] = n
    return {"confirmed_new": new, "confirmed_cumulative": np.cumsum(new, axis=1)}


def test_cumulative_exactly_50_is_medium_and_51_is_high():
    inputs = series({5: 45, 37: 2, 38: 2, 39: 1}, {5: 46, 37: 2, 38: 2, 39: 1})
    result = classify("cn-2020-county", inputs, days=-1)
    assert result.level[:, 0].tolist() == [MEDIUM, HIGH]
    assert result.reason(0) == (
        "medium risk: 5 new confirmed cases within 14 days and cumulative 50 <= 50; "
        "new clusters stood in for by a proxy (>= 3 new confirmed cases within 7 days), "
        "not observed"
    )
    assert result.reason(1) == (
        "high risk: cumulative 51 > 50 and a cluster within 14 days "
        "(proxy: >= 3 new confirmed cases within 7 days)"
    )
    assert result.reason(1, lang="zh") == (
        "高风险：累计确诊51例，超过50例，且14天内有聚集性疫情发生（代用指标：7天内新增确诊≥3例）"
    )


def test_thirteen_days_without_a_case_is_medium_fourteen_is_low():
    last = DAYS - 1
    inputs = series({2: 3, last - 13: 1}, {2: 3, last - 14: 1})
    result = classify("cn-2020-county", inputs, days=-1)
    assert result.level[:, 0].tolist() == [MEDIUM, LOW]
    assert result.reason(1).startswith(
        "low risk: no new confirmed case for 14 consecutive days (>= 14)"
    )
    assert result.reason(0, lang="zh").startswith("中风险：14天内新增确诊1例，且累计确诊4例")


def test_no_case_ever_is_low_for_that_reason():
    result = classify("cn-2020-county", series({}), days=-1)
    assert result.level[0, 0] == LOW
    assert result.reason(0).startswith("low risk: no confirmed case;")
    assert result.reason(0, lang="zh").startswith("低风险：无确诊病例；")


def test_over_50_without_a_cluster_is_medium():
    # 60 cases long ago, then a single case 3 days ago: no 7-day run of 3 cases recently.
    inputs = series({2: 60, DAYS - 4: 1})
    result = classify("cn-2020-county", inputs, days=-1)
    assert result.level[0, 0] == MEDIUM
    assert "cumulative 61 > 50 and no cluster within 14 days (proxy:" in result.reason(0)


def test_observed_clusters_replace_the_proxy():
    inputs = series({2: 60, DAYS - 3: 5}, {2: 60, DAYS - 4: 1})
    observed = np.zeros((2, DAYS))
    observed[1, DAYS - 4] = 1  # a reported cluster behind a single reported case
    result = classify("cn-2020-county", {**inputs, "clusters_new": observed}, days=-1)
    assert result.proxied == ()
    # The proxy would call the first region high (5 cases in a day); observation says no.
    assert result.level[:, 0].tolist() == [MEDIUM, HIGH]
    assert result.reason(1) == "high risk: cumulative 61 > 50 and a cluster within 14 days"
    assert all("proxy" not in text for text in result.reasons())


def test_every_reason_says_when_clusters_are_by_proxy():
    inputs = series({}, {3: 2}, {5: 45, 37: 2, 38: 2, 39: 2}, {DAYS - 1: 1})
    result = classify("cn-2020-county", inputs, days=slice(20, None))
    assert result.proxied == ("clusters_new",)
    for day in range(result.shape[1]):
        for lang, word in (("en", "proxy"), ("zh", "代用指标")):
            assert all(word in text for text in result.reasons(day=day, lang=lang))


def test_a_missing_total_leaves_the_region_undecided():
    inputs = series({30: 2})
    inputs["confirmed_cumulative"][0, -1] = np.nan
    result = classify("cn-2020-county", inputs, days=-1)
    assert result.level[0, 0] == -1
    # Two cases in a day make no cluster, so "high" fails; whether "medium" holds needs the
    # total.
    assert result.reason(0).startswith(
        "undecided: cannot tell whether medium risk applies; missing: cumulative confirmed "
        "cases; new clusters"
    )
    assert result.explain(0)["undecided_level"] == "medium"


def test_range_of_days_by_dates_and_frame_labels():
    dates = [dt.date(2020, 2, 1) + dt.timedelta(d) for d in range(DAYS)]
    inputs = series({5: 60, 30: 3, 31: 3})
    result = classify(
        "cn-2020-county", inputs, days=[dates[29], dates[31]], dates=dates, regions=["420100"]
    )
    frame = result.frame()
    assert list(frame.columns) == [dates[29], dates[31]]
    assert frame.loc["420100"].tolist() == ["low", "high"]
    assert result.frame(lang="zh").loc["420100"].tolist() == ["低风险", "高风险"]


def test_explain_gives_the_numbers_used():
    inputs = series({5: 46, 37: 2, 38: 2, 39: 1})
    info = classify("cn-2020-county", inputs, days=-1).explain(0)
    assert info["level"] == "high"
    assert [(t["indicator"], t["value"], t["holds"], t["proxy"]) for t in info["tests"]] == [
        ("confirmed_cumulative", 51.0, True, False),
        ("clusters_new", 2.0, True, True),  # days 38 and 39 close a 7-day run of >= 3
    ]


def test_missing_series_and_unknown_names_are_input_errors():
    inputs = series({1: 1})
    with pytest.raises(InputError, match="confirmed_cumulative.*missing series"):
        classify("cn-2020-county", {"confirmed_new": inputs["confirmed_new"]})
    with pytest.raises(InputError, match="did you mean 'confirmed_new'"):
        classify("cn-2020-county", {**inputs, "confirmed_nwe": inputs["confirmed_new"]})
    inputs["confirmed_new"][0, 3] = -2
    with pytest.raises(InputError, match=r"inputs\['confirmed_new'\]\[0, 3\]: negative value"):
        classify("cn-2020-county", inputs)


def test_the_default_ruleset_is_this_one():
    assert load_ruleset().id == "cn-2020-county"


def reference_level(new: np.ndarray, total: float, t: int) -> int:
    """The standard as a plain loop over one county's days (complete data)."""
    positive = [d for d in range(t + 1) if new[d] > 0]
    if total == 0 or not positive or t - positive[-1] >= 14:
        return LOW
    cluster = any(new[d] > 0 and new[d - 6 : d + 1].sum() >= 3 for d in range(t - 13, t + 1))
    return HIGH if total > 50 and cluster else MEDIUM


sparse_counts = st.lists(st.sampled_from([0, 0, 0, 0, 1, 2, 5]), min_size=DAYS, max_size=DAYS)


@settings(max_examples=80, deadline=None)
@given(st.lists(sparse_counts, min_size=1, max_size=6), st.sampled_from([0.0, 30.0, 60.0]))
def test_agrees_with_a_plain_loop_over_each_county(rows, prior):
    new = np.array(rows, dtype=float)
    inputs = {"confirmed_new": new, "confirmed_cumulative": prior + np.cumsum(new, axis=1)}
    result = classify("cn-2020-county", inputs, days=[25, DAYS - 1])
    for j, t in enumerate((25, DAYS - 1)):
        expected = [
            reference_level(row, inputs["confirmed_cumulative"][r, t], t)
            for r, row in enumerate(new)
        ]
        assert result.level[:, j].tolist() == expected


def test_skip_missing_treats_gaps_as_days_left_out():
    inputs = series({3: 2})
    inputs["confirmed_new"][0, 30:32] = np.nan  # two days without a report
    strict = classify("cn-2020-county", inputs, days=-1)
    skipped = classify("cn-2020-county", inputs, days=-1, skip_missing=True)
    # Strictly, the unreported days might have had cases: 14 quiet days are not known.
    assert strict.level[0, 0] == -1
    assert skipped.level[0, 0] == LOW
    assert skipped.reason(0).startswith("low risk: no new confirmed case for 36 consecutive days")
