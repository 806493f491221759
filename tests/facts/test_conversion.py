"""Cumulative and daily counts: hand-computed cases, the revision rule against a plain
per-region reading of it, Wuhan's cured revision of April 2020, properties, and bad input."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.facts.conversion import cumulative_from_daily, daily_from_cumulative, flag_jumps

NAN = math.nan

# Same source: Wuhan cumulative cured, 2020-03-20 .. 2020-04-20; the 17 April revision lowered
# it from 47,283 to 46,335.
WUHAN_START = datetime.date(2020, 3, 20)
WUHAN_CURED = [
    41440, 41891, 42354, 42788, 43214, 43686, 44068, 44591, 44951, 45418, 45733, 46002, 46175,
    46320, 46461, 46611, 46794, 46863, 46922, 46992, 47037, 47085, 47112, 47129, 47186, 47211,
    47250, 47283, 46335, 46342, 46355, 46359,
]  # fmt: skip


def row(*values) -> np.ndarray:
    return np.array([values], dtype=float)


def reference_clean(cumulative, initial=0.0):
    """The revision rule read literally, one region at a time (the engine does all at once)."""
    daily, previous = [], initial
    for value in cumulative:
        if math.isnan(value):
            daily.append(NAN)
        else:
            daily.append(value - previous)
            previous = value
    unresolved = [False] * len(daily)
    for day, count in enumerate(daily):
        if not count < 0:
            continue
        need = -count
        for earlier in range(day - 1, -1, -1):
            if need <= 0:
                break
            if daily[earlier] > 0:
                taken = min(need, daily[earlier])
                daily[earlier] -= taken
                need -= taken
        daily[day] = -need
        unresolved[day] = need > 0
    return daily, unresolved


def test_increasing_series_gives_plain_differences():
    counts = daily_from_cumulative(row(0, 1, 3, 6, 6))
    np.testing.assert_array_equal(counts.daily, row(0, 1, 2, 3, 0))
    assert counts.revisions.empty
    assert not counts.unresolved.any() and not counts.after_gap.any()


def test_decrease_is_taken_from_the_day_before():
    counts = daily_from_cumulative(row(0, 1, 3, 2, 5))
    np.testing.assert_array_equal(counts.daily, row(0, 1, 1, 0, 3))
    assert counts.revisions.to_dict("records") == [
        {"region": 0, "day": 2, "revised_on": 3, "amount": -1.0},
        {"region": 0, "day": 3, "revised_on": 3, "amount": 1.0},
    ]


def test_decrease_reaches_back_newest_first_over_zero_days():
    # raw differences 5, 2, 0, 3, -6: take 3 from day 3, nothing from day 2, 2 from day 1, 1 from
    # day 0; the cleaned counts still add up to the final cumulative 4.
    counts = daily_from_cumulative(row(5, 7, 7, 10, 4))
    np.testing.assert_array_equal(counts.daily, row(4, 0, 0, 0, 0))
    changes = dict(zip(counts.revisions.day, counts.revisions.amount, strict=True))
    assert changes == {0: -1.0, 1: -2.0, 3: -3.0, 4: 6.0}
    assert counts.revisions.amount.sum() == 0


def test_decrease_larger_than_everything_before_stays_negative_and_flagged():
    counts = daily_from_cumulative(row(12, 5), initial=10.0)
    np.testing.assert_array_equal(counts.daily, row(0, -5))
    np.testing.assert_array_equal(counts.unresolved, [[False, True]])
    assert counts.daily.sum() == 5 - 10


def test_decrease_beyond_four_weeks_is_found():
    cumulative = np.full((1, 40), 3.0)
    cumulative[0, 0] = 1.0  # one case on day 0, two on day 1, then 37 quiet days
    cumulative[0, 39] = 0.0  # and a revision that removes all three
    counts = daily_from_cumulative(cumulative)
    assert np.all(counts.daily == 0) and not counts.unresolved.any()
    assert sorted(counts.revisions.day) == [0, 1, 39]


def test_gap_is_carried_to_the_next_report_and_flagged():
    counts = daily_from_cumulative(row(1, NAN, NAN, 6, 8))
    np.testing.assert_array_equal(counts.daily, row(1, NAN, NAN, 5, 2))
    np.testing.assert_array_equal(counts.after_gap, [[False, False, False, True, False]])


def test_first_report_after_leading_gap_depends_on_initial():
    known = daily_from_cumulative(row(NAN, NAN, 4, 6))
    np.testing.assert_array_equal(known.daily, row(NAN, NAN, 4, 2))
    assert known.after_gap[0, 2]
    unknown = daily_from_cumulative(row(NAN, NAN, 4, 6), initial=NAN)
    np.testing.assert_array_equal(unknown.daily, row(NAN, NAN, NAN, 2))
    assert not unknown.after_gap.any()


def test_revision_after_gap_skips_missing_days():
    counts = daily_from_cumulative(row(5, NAN, 3))
    np.testing.assert_array_equal(counts.daily, row(3, NAN, 0))


def test_regions_are_independent():
    cumulative = np.array([[0, 2, 1, 4], [3, 3, 3, 3], [1, NAN, 0, 2]], dtype=float)
    together = daily_from_cumulative(cumulative).daily
    for region in range(3):
        alone = daily_from_cumulative(cumulative[region : region + 1]).daily
        np.testing.assert_array_equal(together[region : region + 1], alone)


def test_wuhan_cured_revision_of_17_april():
    counts = daily_from_cumulative(row(*WUHAN_CURED[1:]), initial=WUHAN_CURED[0])
    dates = [WUHAN_START + datetime.timedelta(days=d + 1) for d in range(len(WUHAN_CURED) - 1)]
    revised_on = dates.index(datetime.date(2020, 4, 17))
    assert WUHAN_CURED[revised_on + 1] - WUHAN_CURED[revised_on] == 46335 - 47283
    assert np.all(counts.daily >= 0) and not counts.unresolved.any()
    assert counts.daily.sum() == WUHAN_CURED[-1] - WUHAN_CURED[0]
    changes = counts.revisions
    assert set(changes.revised_on) == {revised_on}
    assert changes.amount.sum() == 0
    taken = changes[changes.amount < 0].sort_values("day", ascending=False)
    # Newest first: every day but the oldest touched loses its whole count.
    assert list(taken.day) == list(range(revised_on - 1, revised_on - 1 - len(taken), -1))
    whole = taken.iloc[:-1]
    assert np.all(counts.daily[0, whole.day] == 0)
    assert -taken.amount.sum() == 47283 - 46335


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0, 0, 0, 1, 2, 5, -1, -4, -30, None]), min_size=1, max_size=70),
        min_size=1,
        max_size=4,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_revision_rule_matches_the_literal_reading(steps):
    cumulative = np.array(
        [np.cumsum([0 if s is None else s for s in r]) + 40 for r in steps], dtype=float
    )
    cumulative[np.array([[s is None for s in r] for r in steps])] = np.nan
    cumulative = np.maximum(cumulative, 0)
    counts = daily_from_cumulative(cumulative)
    for region, values in enumerate(cumulative):
        expected, unresolved = reference_clean(list(values))
        np.testing.assert_allclose(counts.daily[region], expected)
        np.testing.assert_array_equal(counts.unresolved[region], unresolved)
    # Never negative unless flagged; the rows of each decrease add up to zero.
    assert not np.any((counts.daily < 0) & ~counts.unresolved)
    assert np.allclose(counts.revisions.groupby(["region", "revised_on"]).amount.sum(), 0)
    last = [r[~np.isnan(r)][-1] if (~np.isnan(r)).any() else 0 for r in cumulative]
    np.testing.assert_allclose(np.nansum(counts.daily, axis=1), last)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 10_000), st.none()), min_size=1, max_size=60),
    st.integers(0, 100),
)
def test_daily_cumulative_daily_round_trip(values, initial):
    daily = row(*[NAN if v is None else v for v in values])
    cumulative = cumulative_from_daily(daily, initial=initial)
    back = daily_from_cumulative(cumulative, initial=initial)
    np.testing.assert_array_equal(back.daily, daily)
    assert back.revisions.empty and not back.unresolved.any()


def test_cumulative_from_daily_by_hand():
    np.testing.assert_array_equal(
        cumulative_from_daily(row(1, 2, NAN, 4), initial=10), row(11, 13, NAN, 17)
    )


# --- jumps and bad input -----------------------------------------------------------------


def test_jump_needs_the_floor_and_the_factor():
    quiet = np.array([[2, 2, 2, 2, 2, 2, 2, 40, 60]], dtype=float)
    np.testing.assert_array_equal(flag_jumps(quiet, factor=5, floor=50)[0, 7:], [False, True])
    np.testing.assert_array_equal(flag_jumps(quiet, factor=5, floor=10)[0, 7:], [True, True])
    # Day 8 against days 1..7: mean (6 * 2 + 40) / 7 = 7.43; 60 > 5 * 7.43 but 60 < 10 * 7.43.
    assert not flag_jumps(quiet, factor=10, floor=10)[0, 8]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.ones(5), "2 dimensions"),
        (np.ones((1, 0)), "empty"),
        ([["a", "b"]], "not numeric"),
        (row(1, math.inf), "finite"),
    ],
)
def test_bad_arrays(values, message):
    with pytest.raises(InputError, match=message):
        daily_from_cumulative(values)
