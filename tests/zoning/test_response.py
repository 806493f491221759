import datetime as dt

import numpy as np
import pytest

from tongchou.errors import InputError
from tongchou.zoning import ResponseStep, count_units, suggest_response

DATES = [dt.date(2020, 2, 1) + dt.timedelta(d) for d in range(20)]


def test_count_units_by_province_day_and_level():
    levels = np.array([[0, 2], [1, 2], [2, -1], [0, 0]])
    province = np.array([0, 0, 0, 1])
    counts, undecided = count_units(levels, province, n_provinces=2, n_levels=3)
    assert counts[0].tolist() == [[1, 1, 1], [0, 0, 2]]
    assert counts[1].tolist() == [[1, 0, 0], [1, 0, 0]]
    assert undecided.tolist() == [[0, 1], [0, 0]]


def counts_with_high_until(last_high_day: int) -> np.ndarray:
    counts = np.zeros((1, 20, 3), dtype=int)
    counts[0, :, 0] = 10
    counts[0, : last_high_day + 1, 2] = 2
    return counts


def test_fourteen_days_without_a_high_risk_unit_suggests_level_two():
    result = suggest_response(counts_with_high_until(5), [1], "cn-2020-county", dates=DATES)
    (s,) = result
    assert (s.suggested, s.quiet_days, s.quiet_since, s.last_seen, s.last_seen_units) == (
        2,
        14,
        DATES[6],
        DATES[5],
        2,
    )
    assert s.today == {"low": 10, "medium": 0, "high": 0}
    assert s.text() == (
        "step down from level 1 to level 2: no high risk unit or above for 14 days "
        "(last: 2 on 2020-02-06)"
    )
    assert (
        s.text("zh")
        == "建议由一级响应调整为二级：已连续14天无高风险及以上地区（最近一次：2020-02-06，2个）"
    )


def test_thirteen_days_is_not_enough():
    (s,) = suggest_response(counts_with_high_until(6), [1], "cn-2020-county", dates=DATES)
    assert s.suggested is None and s.quiet_days == 13
    assert s.text().startswith("stay at level 1: 13 days without a high risk unit or above")


def test_level_two_waits_for_no_medium_or_high_unit():
    counts = counts_with_high_until(2)
    counts[0, 10, 1] = 1  # a medium-risk county on day 10 resets the run for level 2
    (s,) = suggest_response(counts, [2], "cn-2020-county", dates=DATES)
    assert s.suggested is None and s.quiet_days == 9 and s.last_seen == DATES[10]
    (s,) = suggest_response(counts, [2], "cn-2020-county", steps=[ResponseStep(2, 3, "medium", 9)])
    assert s.suggested == 3


def test_an_undecided_unit_breaks_the_run():
    undecided = np.zeros((1, 20), dtype=int)
    undecided[0, 15] = 1
    (s,) = suggest_response(counts_with_high_until(0), [1], "cn-2020-county", undecided=undecided)
    assert s.quiet_days == 4 and s.suggested is None


def test_bad_response_inputs():
    with pytest.raises(InputError, match="current: unknown response level"):
        suggest_response(counts_with_high_until(0), [5], "cn-2020-county")
    with pytest.raises(InputError, match=r"steps\[0\].absent: unknown level.*'high'"):
        suggest_response(
            counts_with_high_until(0), [1], "cn-2020-county", steps=[ResponseStep(1, 2, "hihg", 14)]
        )
    with pytest.raises(InputError, match="counts: wrong shape"):
        suggest_response(np.zeros((1, 20, 4)), [1], "cn-2020-county")
