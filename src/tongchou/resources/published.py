"""Published COVID-19 hospital parameters, each with its sources and what was assumed.

CHINA_2020: shares from the Chinese CDC's 44,672 confirmed cases and the 1,099-patient
national cohort; stays from the 191 Wuhan inpatients of Zhou et al.

CHIME_DEFAULTS: the defaults of Penn Medicine's CHIME v1.1 (defaults/cli.cfg), written as
conditional shares. CHIME applies its rates to infections times a hospital market share, not
to reported cases; use them on infections.
"""

from __future__ import annotations

from tongchou.resources.hospital import HospitalParameters
from tongchou.resources.stays import fixed_days, weibull_from_quartiles

_WU_MCGOOGAN = (
    "Wu Z, McGoogan JM. Characteristics of and important lessons from the coronavirus disease "
    "2019 (COVID-19) outbreak in China. JAMA 2020;323(13):1239-42: of 44,672 confirmed cases "
    "81% mild, 14% severe, 5% critical. Hospitalised share = severe + critical = 0.19; ICU "
    "share of them = 5 / 19."
)
_GUAN = (
    "Guan W et al. Clinical characteristics of coronavirus disease 2019 in China. N Engl J Med "
    "2020;382:1708-20: of 1,099 patients 5.0% admitted to ICU and 2.3% invasively ventilated; "
    "ventilated share of ICU patients = 2.3 / 5.0."
)
_ZHOU = (
    "Zhou F et al. Clinical course and risk factors for mortality of adult inpatients with "
    "COVID-19 in Wuhan, China. Lancet 2020;395:1054-62 (table 2): hospital stay median 11 "
    "days (IQR 7-14), ICU stay median 8 days (IQR 4-12); discretised Weibulls fitted to the "
    "quartiles (median 11.1 and 8.3 days)."
)
_ASSUMED_CHINA = (
    "Assumed, not published: ventilation lasts as long as the ICU stay; a case is admitted on "
    "the day it is reported (in China in 2020 confirmed cases were admitted to designated "
    "hospitals); critical patients go to the ICU on admission and leave hospital from it. "
    "Mild cases isolated in shelter (Fangcang) hospitals are not counted as hospital beds."
)

_ICU_STAY_ZHOU = weibull_from_quartiles(4, 12)

CHINA_2020 = HospitalParameters(
    hospitalised_share=0.19,
    icu_share=5 / 19,
    ventilated_share=2.3 / 5.0,
    ward_stay=weibull_from_quartiles(7, 14),
    icu_stay=_ICU_STAY_ZHOU,
    ventilation_stay=_ICU_STAY_ZHOU,
    sources=(_WU_MCGOOGAN, _GUAN, _ZHOU, _ASSUMED_CHINA),
)

CHIME_DEFAULTS = HospitalParameters(
    hospitalised_share=0.025,
    icu_share=0.0075 / 0.025,
    ventilated_share=0.005 / 0.0075,
    ward_stay=fixed_days(7),
    icu_stay=fixed_days(9),
    ventilation_stay=fixed_days(10),
    sources=(
        "CHIME v1.1 (Penn Medicine / Code for Philly, github.com/CodeForPhilly/chime, "
        "defaults/cli.cfg): hospitalised 2.5% of infections for 7 days, ICU 0.75% for 9 days, "
        "ventilated 0.5% for 10 days. Here ICU and ventilated patients are nested in the "
        "hospitalised ones, so their hospital stay is the ICU stay (9 days, 10 when ventilated) "
        "rather than 7.",
    ),
)
