"""Situation indicators: hand-computed cases, Hubei's reports of 2020 with the jump of
12 February, properties, all indicators together, and bad input."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tongchou.errors import InputError
from tongchou.facts.conversion import daily_from_cumulative
from tongchou.surveillance.indicators import (
    active_cases,
    compute_indicators,
    days_since_last_case,
    incidence_per_100k,
    trailing_mean,
    window_sum,
)

NAN = math.nan

# canghailan/Wuhan-2019-nCoV (MIT), Data/: Hubei cumulative confirmed, 2020-01-19 .. 2020-02-20.
# 2020-02-12 adds the clinically diagnosed cases (13,797 new against ~2,400 a day before).
HUBEI_START = datetime.date(2020, 1, 19)
HUBEI_CONFIRMED = [
    198, 270, 375, 444, 549, 729, 1052, 1423, 2714, 3554, 4586, 5806, 7153, 9074, 11177, 13522,
    16678, 19665, 22112, 24953, 27013, 29631, 31728, 33366, 47163, 51986, 54406, 56249, 58182,
    59989, 61682, 62457, 63088,
]  # fmt: skip


def row(*values) -> np.ndarray:
    return np.array([values], dtype=float)


# --- jumps, windows, incidence, active, days since last case -----------------------------


def test_hubei_clinical_diagnosis_jump_is_flagged_and_kept():
    cumulative = row(*HUBEI_CONFIRMED[1:])
    counts = daily_from_cumulative(cumulative, initial=HUBEI_CONFIRMED[0])
    dates = [HUBEI_START + datetime.timedelta(days=d + 1) for d in range(cumulative.shape[1])]
    flagged = [dates[d] for d in np.flatnonzero(counts.jump[0])]
    # 27 January: 1,291 new against a mean of 175 (the first large batch of Wuhan tests).
    assert flagged == [datetime.date(2020, 1, 27), datetime.date(2020, 2, 12)]
    assert counts.daily[0, dates.index(datetime.date(2020, 2, 12))] == 47163 - 33366


def test_window_sum_by_hand_with_a_gap():
    daily = row(1, NAN, 5, 1, 2, 3)
    np.testing.assert_array_equal(window_sum(daily, 3), row(NAN, NAN, 6, 6, NAN, 6))
    np.testing.assert_array_equal(
        trailing_mean(row(*range(1, 9)), 7), row(*[NAN] * 6, 28 / 7, 35 / 7)
    )


def test_incidence_per_100k_by_hand():
    daily = np.ones((2, 14))
    population = np.array([50_000, 200_000])
    week = incidence_per_100k(daily, population, 7)
    fortnight = incidence_per_100k(daily, population, 14)
    np.testing.assert_allclose(week[:, 6], [14.0, 3.5])
    np.testing.assert_allclose(fortnight[:, 13], [28.0, 7.0])
    assert np.isnan(fortnight[:, :13]).all()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 1000), min_size=14, max_size=40),
    st.floats(1e3, 1e8),
    st.floats(0.01, 100),
)
def test_incidence_scales_inversely_with_population(values, population, factor):
    daily = row(*values)
    base = incidence_per_100k(daily, [population], 14)
    scaled = incidence_per_100k(daily, [population * factor], 14)
    np.testing.assert_allclose(scaled * factor, base, rtol=1e-9)


def test_active_cases():
    np.testing.assert_array_equal(
        active_cases(row(10, 20, NAN), row(1, 5, 5), row(0, 1, 1)), row(9, 14, NAN)
    )


def test_days_since_last_case():
    np.testing.assert_array_equal(
        days_since_last_case(row(0, 2, 0, 0, NAN, 1, 0)), row(NAN, 0, 1, 2, 3, 0, 1)
    )


# --- everything together -----------------------------------------------------------------


def test_compute_indicators_and_the_tidy_table():
    confirmed = np.vstack([HUBEI_CONFIRMED, np.linspace(0, 64, len(HUBEI_CONFIRMED))])
    cured = np.floor(confirmed * 0.1)
    dead = np.floor(confirmed * 0.02)
    population = [59_270_000, 1_000_000]
    dates = [HUBEI_START + datetime.timedelta(days=d) for d in range(confirmed.shape[1])]
    found = compute_indicators(confirmed, cured, dead, population)
    new = found.counts["confirmed"].daily
    np.testing.assert_array_equal(new[0, 1:], np.diff(HUBEI_CONFIRMED))
    np.testing.assert_allclose(found.active, confirmed - cured - dead)
    week = found.incidence7 * np.c_[population] / 1e5
    np.testing.assert_allclose(week[:, 6:], found.mean7[:, 6:] * 7)
    assert found.incidence7[0, 7] == pytest.approx((1423 - 198) / 59_270_000 * 1e5)
    assert found.incidence14[0, 14] == pytest.approx((11177 - 198) / 59_270_000 * 1e5)
    # The 12 February jump is excluded from the growth regression.
    feb12 = dates.index(datetime.date(2020, 2, 12))
    y = np.log(new[0, feb12 - 13 : feb12 + 1] + 0.5)
    kept = np.arange(14) != 13
    fit = stats.linregress(np.arange(14)[kept], y[kept])
    assert found.growth.rate[0, feb12] == pytest.approx(fit.slope, rel=1e-9)

    table = found.to_frame(["420000", "999999"], dates)
    assert len(table) == 2 * len(dates)
    assert list(table.columns[:4]) == ["region", "date", "confirmed_new", "cured_new"]
    hubei = table[(table.region == "420000") & (table.date == datetime.date(2020, 2, 12))]
    assert hubei.confirmed_new.item() == 13797 and hubei.confirmed_jump.item()
    for column in (
        "growth_rate",
        "doubling_lower",
        "halving_upper",
        "days_since_last_case",
        "incidence14",
        "growth_not_significant",
        "dead_after_gap",
    ):
        assert column in table


def test_revisions_frame_is_labelled():
    found = compute_indicators(row(0, 5, 3, 4), row(0, 0, 0, 0), row(0, 0, 0, 0), [1000])
    dates = [datetime.date(2020, 2, d) for d in (1, 2, 3, 4)]
    frame = found.revisions_frame(["110101"], dates)
    assert frame.to_dict("records") == [
        {"series": "confirmed", "region": "110101", "date": dates[1],
         "revised_on": dates[2], "amount": -2.0},
        {"series": "confirmed", "region": "110101", "date": dates[2],
         "revised_on": dates[2], "amount": 2.0},
    ]  # fmt: skip


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("population", [[0.0], [-5.0], [math.inf]])
def test_bad_population_is_named(population):
    with pytest.raises(InputError, match=r"population\[110101\].*positive") as caught:
        compute_indicators(row(1, 2), row(0, 0), row(0, 0), population, regions=["110101"])
    assert caught.value.problems[0].value == population[0]


def test_unknown_population_leaves_only_the_per_person_figures_missing():
    found = compute_indicators(row(1, 3), row(0, 0), row(0, 0), [NAN])
    assert np.isnan(found.incidence7).all()
    assert found.counts["confirmed"].daily.tolist() == [[1.0, 2.0]]


def test_population_of_wrong_length():
    with pytest.raises(InputError, match="one value per region"):
        incidence_per_100k(np.ones((2, 7)), [1e5])


def test_negative_cumulative_is_named_with_region_and_date():
    dates = [datetime.date(2020, 1, 1), datetime.date(2020, 1, 2)]
    with pytest.raises(InputError, match=r"confirmed\[420000, 2020-01-02\]") as caught:
        compute_indicators(row(1, -2), row(0, 0), row(0, 0), [1e6], regions=["420000"], dates=dates)
    assert caught.value.problems[0].value == -2


def test_shapes_must_agree():
    with pytest.raises(InputError, match="shape differs"):
        compute_indicators(np.ones((2, 5)), np.ones((2, 4)), np.ones((2, 5)), [1e5, 1e5])
    found = compute_indicators(np.ones((1, 3)), np.ones((1, 3)), np.zeros((1, 3)), [1e5])
    with pytest.raises(InputError, match="one code per row"):
        found.to_frame(["a", "b"], [1, 2, 3])
