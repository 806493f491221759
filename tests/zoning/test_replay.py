"""Step-down replay: the 9th-edition area sequence, rises, overrides and transitions."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.zoning import Override, classify, replay

DAYS = 30
DATES = [dt.date(2022, 7, 1) + dt.timedelta(d) for d in range(DAYS)]
LOW, MEDIUM, HIGH = 0, 1, 2


def cases(*by_region: dict[int, float]) -> dict[str, np.ndarray]:
    new = np.zeros((len(by_region), DAYS))
    for r, days in enumerate(by_region):
        for day, n in days.items():
            new[r, day] = n
    return {"confirmed_new": new}


def test_high_to_medium_after_7_days_then_low_after_3_more():
    result = replay("cn-2022-area", cases({10: 2}), dates=DATES)
    # The first 6 days' 7-day windows reach before the record: undecided, not guessed low.
    expected = [-1] * 6 + [LOW] * 4 + [HIGH] * 7 + [MEDIUM] * 3 + [LOW] * 10
    assert result.level[0].tolist() == expected
    # The rules alone classify it low from day 17; the step-down holds medium three days.
    assert result.classified[0, 17:20].tolist() == [LOW, LOW, LOW]
    table = result.transitions()
    assert table[["date", "from", "to", "cause"]].fillna("-").values.tolist() == [
        [DATES[6], "-", "low", "start"],
        [DATES[10], "low", "high", "rise"],
        [DATES[17], "high", "medium", "step_down"],
        [DATES[20], "medium", "low", "step_down"],
    ]
    assert table.reason[2] == (
        "7 consecutive days without a new infection: 7 days without new confirmed cases "
        "(rule high-risk area -> medium-risk area after 7)"
    )
    assert table.reason[3].startswith("a high-risk area that became medium, after 3 more days")
    assert result.transitions("zh").reason[1] == "高风险区：7天内新增感染者2例"


def test_a_new_infection_while_stepping_down_goes_back_up_at_once():
    result = replay("cn-2022-area", cases({5: 1, 13: 1}), dates=DATES)
    # day 12 would be medium; the case on day 13 makes it high again for 7 more days
    assert result.level[0, 5:13].tolist() == [HIGH] * 7 + [MEDIUM]
    assert result.level[0, 13:20].tolist() == [HIGH] * 7
    assert result.level[0, 20:23].tolist() == [MEDIUM] * 3
    assert result.level[0, 23] == LOW


def test_a_designated_medium_area_steps_down_after_7_days():
    designation = Override(0, "medium", "a case shopped here", "Wang Fang", DATES[3], DATES[4])
    result = replay("cn-2022-area", cases({}), dates=DATES, overrides=[designation])
    assert result.level[0, :12].tolist() == [-1] * 3 + [MEDIUM] * 7 + [LOW] * 2
    assert result.computed[0].tolist() == [-1] * 6 + [LOW] * (DAYS - 6)
    table = result.transitions()
    assert table["from"].fillna("-").tolist() == ["-", "medium"]
    assert table.cause.tolist() == ["override", "step_down"]
    assert table.reason[0] == "override by Wang Fang: a case shopped here (until 2022-07-05)"


def test_an_override_holds_a_level_beside_the_computed_one():
    hold = Override(0, "high", "screening not finished", "Li Wei", 17, 22)
    result = replay("cn-2022-area", cases({10: 2}), dates=DATES, overrides=[hold])
    assert result.computed[0, 17:20].tolist() == [MEDIUM] * 3
    assert result.level[0, 17:22].tolist() == [HIGH] * 5
    assert result.override[0, 17:22].tolist() == [0] * 5
    # After the hold ends the rules go on from high: the run is long enough, so medium.
    assert result.level[0, 22] == MEDIUM
    assert result.transitions().reason.iloc[-2].startswith("override by Li Wei ended; ")


def test_going_up_is_immediate_and_a_level_without_rules_falls_at_once():
    new = np.zeros((1, DAYS))
    new[0, 20] = 20
    cum = np.cumsum(new, axis=1) + 60
    result = replay("cn-2020-county", {"confirmed_new": new, "confirmed_cumulative": cum})
    assert result.level[0, 20] == HIGH
    assert result.classified[0, 20] == HIGH
    np.testing.assert_array_equal(result.level, result.classified)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (Override(0, "high", "", "Li Wei", 1, 3), r"overrides\[0\].reason: an override needs a"),
        (Override(0, "high", "cluster", "  ", 1, 3), r"overrides\[0\].person: an override needs"),
        (
            Override(0, "hihg", "cluster", "Li Wei", 1, 3),
            r"overrides\[0\].level: unknown level .*did you mean 'high'",
        ),
        (Override(4, "high", "cluster", "Li Wei", 1, 3), r"overrides\[0\].region: no such region"),
        (
            Override(0, "high", "cluster", "Li Wei", 5, 5),
            r"overrides\[0\].expiry: expiry must come after start",
        ),
    ],
)
def test_bad_overrides_are_input_errors(override, message):
    with pytest.raises(InputError, match=message):
        replay("cn-2022-area", cases({}), dates=DATES, overrides=[override])


def test_overlapping_overrides_for_one_region_are_refused():
    first = Override(0, "high", "cluster", "Li Wei", 1, 10)
    second = Override(0, "medium", "review", "Wang Fang", 5, None)
    with pytest.raises(InputError, match=r"overrides\[1\]: overlaps overrides\[0\] for region 0"):
        replay("cn-2022-area", cases({}), overrides=[first, second])


def test_replay_needs_consecutive_days():
    with pytest.raises(InputError, match="consecutive days"):
        replay("cn-2022-area", cases({}), days=[3, 1])


case_days = st.dictionaries(st.integers(0, DAYS - 1), st.integers(1, 5), max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(case_days, min_size=1, max_size=4))
def test_the_held_level_is_never_below_the_classified_one(by_region):
    inputs = cases(*by_region)
    result = replay("cn-2022-area", inputs)
    decided = result.classified >= 0
    assert (result.level[decided] >= result.classified[decided]).all()
    # Without overrides the held and the computed levels are the same thing.
    np.testing.assert_array_equal(result.level, result.computed)
    # And the classification inside the replay is the plain classification.
    np.testing.assert_array_equal(result.classified, classify("cn-2022-area", inputs).level)
