"""Boundaries of the built-in rulesets, and agreement with the published rules as code."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.zoning import builtin_rulesets, classify, load_ruleset

WEEK = 7
POP = np.array([100_000.0])  # per 100,000 equals the raw count


def weekly(cases=0.0, admissions=0.0, beds=0.0, rt=None, positivity=None):
    """Inputs for one region over 7 days: weekly totals on the last day, shares every day."""
    out = {
        "confirmed_new": np.zeros((1, WEEK)),
        "admissions_new": np.zeros((1, WEEK)),
        "bed_occupancy": np.full((1, WEEK), beds),
    }
    out["confirmed_new"][0, -1] = cases
    out["admissions_new"][0, -1] = admissions
    if rt is not None:
        out["rt_mean"] = np.full((1, WEEK), rt)
    if positivity is not None:
        out["test_positivity"] = np.full((1, WEEK), positivity)
    return out


def level_of(ruleset: str, inputs: dict) -> str | None:
    result = classify(ruleset, inputs, POP, days=-1)
    return result.level_ids()[0, 0]


def test_every_builtin_loads_and_cites_a_source():
    assert builtin_rulesets() == [
        "cn-2020-county",
        "cn-2022-area",
        "covidactnow",
        "hghi-2020",
        "us-cdc-community-2022",
    ]
    for name in builtin_rulesets():
        assert len(load_ruleset(name).source) > 30


@pytest.mark.parametrize(
    ("cases", "admissions", "beds", "expected"),
    [
        (199.0, 9.0, 0.0999, "low"),
        (199.0, 10.0, 0.0, "medium"),
        (199.0, 19.9, 0.0, "medium"),
        (199.0, 20.0, 0.0, "high"),
        (199.0, 0.0, 0.10, "medium"),
        (199.0, 0.0, 0.149, "medium"),
        (199.0, 0.0, 0.15, "high"),
        (200.0, 0.0, 0.0, "medium"),
        (200.0, 9.9, 0.0999, "medium"),
        (200.0, 10.0, 0.0, "high"),
        (200.0, 0.0, 0.10, "high"),
    ],
)
def test_cdc_community_level_boundaries(cases, admissions, beds, expected):
    assert level_of("us-cdc-community-2022", weekly(cases, admissions, beds)) == expected


def test_cdc_needs_every_indicator():
    inputs = weekly(50, 5, 0.05)
    inputs["bed_occupancy"][0, 3] = np.nan
    assert level_of("us-cdc-community-2022", inputs) is None


@pytest.mark.parametrize(
    ("daily_per_100k", "expected"),
    [
        (0.99, "green"),
        (1.0, "yellow"),
        (9.99, "yellow"),
        (10.0, "orange"),
        (24.99, "orange"),
        (25.0, "red"),
    ],
)
def test_hghi_bands(daily_per_100k, expected):
    # A 7-day average: the week's total on one day.
    assert level_of("hghi-2020", weekly(cases=daily_per_100k * WEEK)) == expected


@pytest.mark.parametrize(
    ("daily", "rt", "positivity", "expected"),
    [
        (1.0, 2.0, 0.5, "low"),  # case density low decides, whatever the rest
        (1.01, None, None, "medium"),
        (1.01, 1.1, 0.1, "medium"),
        (1.01, 1.11, None, "high"),
        (1.01, None, 0.11, "high"),
        (10.01, None, None, "high"),
        (1.01, 1.41, None, "critical"),
        (25.01, 0.5, 0.01, "critical"),
        (75.0, None, None, "critical"),
        (75.01, None, None, "extreme"),
    ],
)
def test_covidactnow_levels(daily, rt, positivity, expected):
    inputs = weekly(cases=daily * WEEK, rt=rt, positivity=positivity)
    assert level_of("covidactnow", inputs) == expected


def test_covidactnow_says_which_inputs_it_did_without():
    result = classify("covidactnow", weekly(cases=20 * WEEK), POP, days=-1)
    assert result.level_ids()[0, 0] == "high"
    assert result.reason(0) == (
        "high: daily new confirmed cases per 100,000, 7-day average: 20 > 1 and daily new "
        "confirmed cases per 100,000, 7-day average: 20 > 10; not given, so not counted: Rt, "
        "test positivity"
    )


def test_cn2022_area_is_high_within_7_days_of_an_infection():
    new = np.zeros((2, 20))
    new[0, 12] = 1  # days 13..19 make 7 without an infection
    new[1, 13] = 1
    result = classify("cn-2022-area", {"confirmed_new": new}, days=-1)
    assert result.level_ids()[:, 0].tolist() == ["low", "high"]


def cdc_reference(cases, beds, admissions):
    """The rule as Covid Act Now codes it (libs/metrics/community_levels.py)."""
    if cases < 200:
        if admissions < 10 and beds < 0.1:
            return "low"
        if admissions >= 20 or beds >= 0.15:
            return "high"
        return "medium"
    if admissions < 10 and beds < 0.1:
        return "medium"
    return "high"


def can_reference(density, positivity, rt):
    """Covid Act Now's overall level (libs/metrics/top_level_metric_risk_levels.py)."""

    def level(value, thresholds):
        if value is None:
            return -1
        for i, upper in enumerate(thresholds):
            if value <= upper:
                return i
        return len(thresholds)

    density_level = level(density, [1, 10, 25, 75])
    if density_level <= 0:
        return density_level
    return max(density_level, level(positivity, [0.03, 0.1, 0.2]), level(rt, [0.9, 1.1, 1.4]))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 400), st.integers(0, 40), st.integers(0, 300).map(lambda b: b / 1000))
def test_cdc_ruleset_agrees_with_the_reference_rule(cases, admissions, beds):
    expected = cdc_reference(cases, beds, admissions)
    assert level_of("us-cdc-community-2022", weekly(cases, admissions, beds)) == expected


maybe_rt = st.none() | st.integers(50, 200).map(lambda x: x / 100)
maybe_positivity = st.none() | st.integers(0, 400).map(lambda x: x / 1000)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 800), maybe_rt, maybe_positivity)
def test_covidactnow_ruleset_agrees_with_the_reference_rule(weekly_cases, rt, positivity):
    density = weekly_cases / WEEK
    expected = can_reference(np.round(density, 9), positivity, rt)
    names = load_ruleset("covidactnow").level_ids
    found = level_of("covidactnow", weekly(weekly_cases, rt=rt, positivity=positivity))
    assert found == names[expected]
