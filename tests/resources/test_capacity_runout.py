"""Run-out of beds: the first day over capacity, its spread over paths, missing capacity."""

from __future__ import annotations

import numpy as np
import pytest

from tongchou.errors import InputError
from tongchou.resources.capacity import Capacity, check_capacity, find_run_out, run_out_frame
from tongchou.resources.hospital import CurrentCensus, project_hospital_demand
from tongchou.resources.published import CHINA_2020


def test_first_day_over_capacity_by_hand():
    census = np.array(
        [
            [[5, 8, 11, 12, 9], [1, 1, 1, 1, 1]],  # path 0: region 0 over 10 on day 3
            [[5, 6, 7, 10, 10], [1, 1, 1, 1, 1]],  # path 1: reaching 10 is not over it
            [[11, 0, 0, 0, 0], [1, 1, 1, 1, 1]],  # path 2: over on day 1
        ],
        dtype=float,
    )
    result = find_run_out(census, np.array([10.0, np.nan]), "icu_beds")
    np.testing.assert_array_equal(result.first_day[:, 0], [3, np.inf, 1])
    assert result.probability[0] == pytest.approx(2 / 3)
    assert (result.early_day[0], result.median_day[0], result.late_day[0]) == (1, 3, np.inf)
    # Unknown capacity: flagged and NaN, not "never".
    assert result.unknown.tolist() == [False, True]
    assert np.isnan(result.probability[1]) and np.isnan(result.first_day[:, 1]).all()


def test_a_single_projection_has_one_path():
    result = find_run_out(np.array([[1.0, 2, 3], [0, 0, 0]]), np.array([2.0, 0.0]))
    np.testing.assert_array_equal(result.median_day, [3, np.inf])
    np.testing.assert_array_equal(result.probability, [1, 0])


def test_capacity_of_a_forecast():
    rng = np.random.default_rng(0)
    cases = rng.poisson([[[50.0] * 14, [5.0] * 14]], size=(200, 2, 14)).astype(np.float32)
    current = CurrentCensus(np.array([300.0, 10]), np.array([60.0, 2]), np.array([20.0, 1]))
    demand = project_hospital_demand(cases, CHINA_2020, current=current)
    capacity = Capacity(np.array([250.0, 100]), np.array([40.0, np.nan]), np.array([30.0, 10]))
    results = check_capacity(demand, capacity)
    assert set(results) == {"ward_beds", "icu_beds", "ventilators"}
    assert results["icu_beds"].probability[0] == 1  # 60 ICU patients, 40 beds
    assert results["icu_beds"].median_day[0] == 1
    assert results["ward_beds"].probability[1] == 0
    assert results["icu_beds"].unknown.tolist() == [False, True]
    frame = run_out_frame(results, ["420100", "540100"])
    assert len(frame) == 6
    row = frame[(frame.region == "540100") & (frame.resource == "icu_beds")].iloc[0]
    assert row.unknown and np.isnan(row.probability)


def test_negative_capacity_names_the_resource():
    with pytest.raises(InputError) as caught:
        find_run_out(np.ones((2, 3)), np.array([1.0, -4.0]), "ventilators")
    problem = caught.value.problems[0]
    assert (problem.place, problem.row, problem.value) == ("Capacity.ventilators", 1, -4.0)
    with pytest.raises(InputError):
        find_run_out(np.ones((2, 3)), np.array([1.0, 2.0, 3.0]), "ward_beds")
