"""Hospital census: hand-made admissions, nested categories, the current census, bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.resources.hospital import (
    CurrentCensus,
    HospitalParameters,
    demand_frame,
    project_hospital_demand,
)
from tongchou.resources.published import CHIME_DEFAULTS, CHINA_2020
from tongchou.resources.stays import fixed_days


def parameters(**change) -> HospitalParameters:
    base = {
        "hospitalised_share": 1.0,
        "icu_share": 0.0,
        "ventilated_share": 0.0,
        "ward_stay": fixed_days(3),
        "icu_stay": fixed_days(3),
        "ventilation_stay": fixed_days(2),
    }
    base.update(change)
    return HospitalParameters(**base)


def test_census_of_hand_made_admissions():
    cases = np.array([[10.0, 0, 5, 0, 0]])
    # Three-day stays: admitted on day 0, in a bed on days 0, 1, 2.
    demand = project_hospital_demand(cases, parameters())
    np.testing.assert_allclose(demand.admissions[0], [10, 0, 5, 0, 0])
    np.testing.assert_allclose(demand.hospitalised[0], [10, 10, 15, 5, 5])
    # Half stay one day, half two: S = (1, 0.5, 0).
    halves = project_hospital_demand(cases, parameters(ward_stay=[0, 0.5, 0.5]))
    np.testing.assert_allclose(halves.hospitalised[0], [10, 5, 5, 2.5, 0])


def test_share_delay_and_cases_reported_before_the_origin():
    # 20% admitted, the day after report, for two days.
    p = parameters(hospitalised_share=0.2, admission_delay=[0, 1], ward_stay=fixed_days(2))
    cases = np.array([[10.0, 20, 0, 0]])
    demand = project_hospital_demand(cases, p)
    np.testing.assert_allclose(demand.admissions[0], [0, 2, 4, 0])
    np.testing.assert_allclose(demand.hospitalised[0], [0, 2, 6, 4])
    # 50 cases on the origin day are admitted on day 1 after it: 10 more admissions.
    with_past = project_hospital_demand(cases, p, past_cases=np.array([[7.0, 50.0]]))
    np.testing.assert_allclose(with_past.admissions[0], [10, 2, 4, 0])
    np.testing.assert_allclose(with_past.hospitalised[0], [10, 12, 6, 4])


def test_nested_categories_are_counted_once():
    # 100 admissions: 50 ward only (2 days), 25 ICU (3 days), 25 ICU and ventilated. The
    # ventilation (4 days) outlasts the ICU stay (3): those patients stay 4 days in the ICU.
    p = parameters(
        icu_share=0.5,
        ventilated_share=0.5,
        ward_stay=fixed_days(2),
        icu_stay=fixed_days(3),
        ventilation_stay=fixed_days(4),
    )
    demand = project_hospital_demand(np.array([[100.0, 0, 0, 0, 0]]), p)
    np.testing.assert_allclose(demand.hospitalised[0], [100, 100, 50, 25, 0])
    np.testing.assert_allclose(demand.icu[0], [50, 50, 50, 25, 0])
    np.testing.assert_allclose(demand.ventilated[0], [25, 25, 25, 25, 0])
    np.testing.assert_allclose(demand.ward[0], [50, 50, 0, 0, 0])
    holding = project_hospital_demand(
        np.array([[100.0, 0, 0, 0, 0]]),
        replace(p, icu_patients_hold_ward_bed=True),
    )
    np.testing.assert_allclose(holding.ward[0], [100, 100, 50, 25, 0])


def test_icu_delay_and_step_down_ward_days():
    # ICU patients spend 1 day in the ward, 2 in the ICU, 1 in the ward again.
    p = parameters(
        icu_share=1.0,
        icu_stay=fixed_days(2),
        icu_delay=fixed_days(1),
        post_icu_stay=fixed_days(1),
    )
    demand = project_hospital_demand(np.array([[10.0, 0, 0, 0, 0, 0]]), p)
    np.testing.assert_allclose(demand.hospitalised[0], [10, 10, 10, 10, 0, 0])
    np.testing.assert_allclose(demand.icu[0], [0, 10, 10, 0, 0, 0])
    np.testing.assert_allclose(demand.ward[0], [10, 0, 0, 10, 0, 0])


pmfs = st.lists(st.floats(0, 1), min_size=1, max_size=8).filter(lambda p: sum(p) > 0.01)


def _stay(weights):
    pmf = np.array([0.0, *weights])
    return pmf / pmf.sum()


def _delay(weights):
    pmf = np.array(weights)
    return pmf / pmf.sum()


@settings(max_examples=60, deadline=None)
@given(
    icu=st.floats(0, 1),
    vent=st.floats(0, 1),
    ward=pmfs,
    icu_stay=pmfs,
    vent_stay=pmfs,
    delay=pmfs,
    post=pmfs,
    seed=st.integers(0, 2**31),
)
def test_ventilated_within_icu_within_hospital(
    icu, vent, ward, icu_stay, vent_stay, delay, post, seed
):
    p = parameters(
        icu_share=icu,
        ventilated_share=vent,
        ward_stay=_stay(ward),
        icu_stay=_stay(icu_stay),
        ventilation_stay=_stay(vent_stay),
        icu_delay=_delay(delay),
        post_icu_stay=_delay(post),
    )
    cases = np.random.default_rng(seed).poisson(20, size=(3, 2, 25)).astype(float)
    current = CurrentCensus(np.array([50.0, 5]), np.array([20.0, 5]), np.array([10.0, 0]))
    demand = project_hospital_demand(cases, p, current=current)
    tolerance = 1e-3
    assert np.all(demand.ventilated <= demand.icu + tolerance)
    assert np.all(demand.icu <= demand.hospitalised + tolerance)
    assert np.all(demand.ward >= -tolerance)


def test_current_patients_leave_by_their_remaining_stay():
    # Four-day stays, admissions steady before: of 100 patients a quarter is on each day of
    # their stay, so 75, 50, 25, 0 remain (CHIME started from an empty hospital: issue 187).
    p = parameters(
        icu_share=0.3,
        ventilated_share=0.5,
        ward_stay=fixed_days(4),
        icu_stay=fixed_days(4),
        ventilation_stay=fixed_days(2),
    )
    current = CurrentCensus(np.array([100.0]), np.array([40.0]), np.array([10.0]))
    demand = project_hospital_demand(np.zeros((1, 5)), p, current=current)
    np.testing.assert_allclose(demand.hospitalised[0], [75, 50, 25, 0, 0])
    np.testing.assert_allclose(demand.icu[0], [30, 20, 10, 0, 0])
    np.testing.assert_allclose(demand.ventilated[0], [5, 0, 0, 0, 0])
    # Stays of 1 or 3 days, half each: S = (1, .5, .5), E = 2, R = (1, .5, .25, 0).
    uneven = parameters(ward_stay=[0, 0.5, 0, 0.5])
    left = project_hospital_demand(
        np.zeros((1, 4)), uneven, current=CurrentCensus(np.array([80.0]), np.zeros(1), np.zeros(1))
    )
    np.testing.assert_allclose(left.hospitalised[0], [40, 20, 0, 0])


def test_unknown_current_census_gives_nan_not_zero():
    current = CurrentCensus(np.array([10.0, np.nan]), np.array([0.0, 1]), np.array([0.0, 0]))
    demand = project_hospital_demand(np.ones((2, 3)), parameters(), current=current)
    np.testing.assert_array_equal(demand.unknown, [False, True])
    assert np.isnan(demand.hospitalised[1]).all() and np.isnan(demand.icu[1]).all()
    assert not np.isnan(demand.hospitalised[0]).any()
    np.testing.assert_allclose(demand.admissions[1], 1.0)


def test_paths_are_projected_each_on_its_own():
    rng = np.random.default_rng(4)
    cases = rng.poisson(30, size=(6, 4, 20)).astype(np.float32)
    current = CurrentCensus(np.full(4, 40.0), np.full(4, 10.0), np.full(4, 3.0))
    past = rng.poisson(30, size=(4, 10)).astype(float)
    p = replace(CHINA_2020, admission_delay=[0.2, 0.5, 0.3])
    together = project_hospital_demand(cases, p, current=current, past_cases=past)
    for path in range(6):
        alone = project_hospital_demand(cases[path], p, current=current, past_cases=past)
        np.testing.assert_allclose(together.icu[path], alone.icu, rtol=1e-5)
        np.testing.assert_allclose(together.hospitalised[path], alone.hospitalised, rtol=1e-5)


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"icu_share": 1.2}, "HospitalParameters.icu_share"),
        ({"hospitalised_share": -0.1}, "HospitalParameters.hospitalised_share"),
        ({"ventilated_share": float("nan")}, "HospitalParameters.ventilated_share"),
        ({"ward_stay": fixed_days(0)}, "HospitalParameters.ward_stay"),
        ({"icu_stay": [0.2, 0.8]}, "HospitalParameters.icu_stay"),
        ({"ventilation_stay": [0, 0.5, 0.4]}, "HospitalParameters.ventilation_stay"),
        ({"admission_delay": [-0.5, 1.5]}, "HospitalParameters.admission_delay"),
    ],
)
def test_bad_parameters_name_themselves(change, place):
    with pytest.raises(InputError) as caught:
        parameters(**change)
    assert caught.value.problems[0].place == place


def test_bad_run_input():
    with pytest.raises(InputError) as caught:
        project_hospital_demand(np.ones((2, 366)), CHIME_DEFAULTS)
    assert caught.value.problems[0].place == "horizon"
    with pytest.raises(InputError) as caught:
        project_hospital_demand(np.array([[1.0, -1.0]]), CHIME_DEFAULTS)
    assert caught.value.problems[0].place == "cases"
    with pytest.raises(InputError) as caught:
        bad = CurrentCensus(np.array([5.0]), np.array([-1.0]), np.array([0.0]))
        project_hospital_demand(np.ones((1, 3)), CHIME_DEFAULTS, current=bad)
    assert caught.value.problems[0].place == "CurrentCensus.icu"
    with pytest.raises(InputError) as caught:
        bad = CurrentCensus(np.array([5.0]), np.array([6.0]), np.array([0.0]))
        project_hospital_demand(np.ones((1, 3)), CHIME_DEFAULTS, current=bad)
    assert caught.value.problems[0].place == "CurrentCensus"


def test_demand_frame_summarises_paths():
    cases = np.stack([np.full((2, 3), float(k)) for k in range(1, 6)])  # 5 paths: 1..5 a day
    demand = project_hospital_demand(cases, parameters(ward_stay=fixed_days(1)))
    frame = demand_frame(demand, ["A1", "B"], date(2020, 2, 1), levels=(0.25, 0.5))
    assert len(frame) == 5 * 2 * 3
    row = frame[(frame.region == "B") & (frame.measure == "hospitalised")].iloc[2]
    assert row.date == date(2020, 2, 3)
    assert (row["q0.25"], row["q0.5"]) == (2.0, 3.0)
