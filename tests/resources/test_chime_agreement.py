"""The hospital pipeline set up as Penn Medicine's CHIME (v1.1.3, deterministic SIR, defaults
of defaults/cli.cfg), fed CHIME's own daily admissions: where CHIME is right the census is
the same; where it is not (nested categories, patients already in hospital) the difference
is exactly the one intended. Reference tables: tests/resources/data (see its README)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tongchou.resources.hospital import CurrentCensus, HospitalParameters, project_hospital_demand
from tongchou.resources.published import CHIME_DEFAULTS
from tongchou.resources.stays import fixed_days

DATA = Path(__file__).parent / "data"
# CHIME's rates of infections: hospitalised 2.5%, ICU 0.75%, ventilated 0.5%.
ICU_SHARE, VENTILATED_SHARE = 0.0075 / 0.025, 0.005 / 0.0075


def chime(name: str) -> pd.DataFrame:
    # Row 0 is CHIME's first day, which has no admissions (NaN) and an empty census.
    return pd.read_csv(DATA / name).iloc[1:].reset_index(drop=True)


def project(admissions: np.ndarray, parameters: HospitalParameters, **options):
    """Our census of CHIME's hospital admissions (share 1: they are admissions already)."""
    as_admissions = replace(parameters, hospitalised_share=1.0)
    return project_hospital_demand(admissions[None, :], as_admissions, **options)


def test_chime_admissions_are_nested_shares():
    frame = chime("chime_v1_1_3_defaults.csv")
    np.testing.assert_allclose(frame.admits_icu, ICU_SHARE * frame.admits_hospitalized, rtol=1e-8)
    np.testing.assert_allclose(
        frame.admits_ventilated, VENTILATED_SHARE * frame.admits_icu, rtol=1e-8
    )


def test_same_census_where_chime_is_right():
    # Stays that nest (hospital 7, ICU 5, ventilated 4 days): CHIME's separate censuses are
    # then right, and ours agree once ICU patients spend their last 2 of 7 days on a ward.
    frame = chime("chime_v1_1_3_nested_stays.csv")
    parameters = HospitalParameters(
        hospitalised_share=1.0,
        icu_share=ICU_SHARE,
        ventilated_share=VENTILATED_SHARE,
        ward_stay=fixed_days(7),
        icu_stay=fixed_days(5),
        ventilation_stay=fixed_days(4),
        post_icu_stay=fixed_days(2),
    )
    demand = project(frame.admits_hospitalized.to_numpy(), parameters)
    assert frame.shape[0] == 130
    for ours, theirs in (
        (demand.hospitalised, frame.census_hospitalized),
        (demand.icu, frame.census_icu),
        (demand.ventilated, frame.census_ventilated),
    ):
        np.testing.assert_allclose(ours[0], theirs, rtol=1e-6, atol=1e-6)


def test_chime_defaults_undercount_the_nested_stays():
    # CHIME's defaults keep every inpatient 7 days, ICU patients 9 and ventilated ones 10, each
    # category on its own (CHIME issue 385). Nested, an ICU patient is in hospital for the
    # whole ICU stay (9 days, or 10 when ventilated, as ventilation must fit in the ICU stay):
    #   ours - CHIME, inpatients: 0.3 (a[t-7] + a[t-8]) + 0.2 a[t-9]
    #   ours - CHIME, ICU:        0.2 a[t-9]          (0.2 = 0.3 x 2/3 ventilated)
    #   ventilated:               the same.
    frame = chime("chime_v1_1_3_defaults.csv")
    a = frame.admits_hospitalized.to_numpy()
    demand = project(a, CHIME_DEFAULTS)

    def lagged(k):
        return np.concatenate([np.zeros(k), a[:-k]])

    np.testing.assert_allclose(
        demand.hospitalised[0] - frame.census_hospitalized,
        0.3 * (lagged(7) + lagged(8)) + 0.2 * lagged(9),
        atol=1e-3,  # the census is float32: about 1e-4 on values of several hundred
    )
    np.testing.assert_allclose(demand.icu[0] - frame.census_icu, 0.2 * lagged(9), atol=1e-3)
    np.testing.assert_allclose(demand.ventilated[0], frame.census_ventilated, rtol=1e-6)
    assert (demand.hospitalised[0] - frame.census_hospitalized).max() > 5


def test_patients_present_at_the_start_are_counted():
    # CHIME 1.0 started the census from zero whatever the current inpatients (issue 187);
    # CHIME 1.1 rebuilds them from its back-projected epidemic. Here the reported census is
    # taken as it is: with 7-day stays and steady admissions before, the 69 inpatients of
    # the origin day leave at 69/7 a day.
    frame = chime("chime_v1_1_3_nested_stays.csv")
    after = frame.day.to_numpy() > 0
    a = frame.admits_hospitalized.to_numpy()[after]
    parameters = HospitalParameters(
        hospitalised_share=1.0,
        icu_share=0.0,
        ventilated_share=0.0,
        ward_stay=fixed_days(7),
        icu_stay=fixed_days(5),
        ventilation_stay=fixed_days(4),
    )
    empty = project(a, parameters)
    current = CurrentCensus(np.array([69.0]), np.zeros(1), np.zeros(1))
    started = project(a, parameters, current=current)
    left = started.hospitalised[0] - empty.hospitalised[0]
    np.testing.assert_allclose(left[:8], 69 * np.array([6, 5, 4, 3, 2, 1, 0, 0]) / 7)
    # CHIME's own census on day 0 is its fit to those 69 patients.
    assert frame.census_hospitalized[frame.day == 0].item() == pytest.approx(69, rel=0.1)
