"""Regenerate the CHIME reference tables in this folder (needs `pip install penn-chime==0.0.3`,
which packages CHIME v1.1.3; its model needs only numpy and pandas: `--no-deps` is enough).

    .venv/bin/python tests/resources/data/make_chime_reference.py
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from penn_chime.model.parameters import Disposition, Parameters
from penn_chime.model.sir import Sir

HERE = Path(__file__).parent
COLUMNS = [
    "day",
    "admits_hospitalized",
    "admits_icu",
    "admits_ventilated",
    "census_hospitalized",
    "census_icu",
    "census_ventilated",
]


def run(hospital_days: int, icu_days: int, ventilated_days: int):
    """CHIME's defaults (defaults/cli.cfg of v1.1.x) with the given lengths of stay."""
    parameters = Parameters(
        current_hospitalized=69,
        doubling_time=5.0,
        hospitalized=Disposition.create(days=hospital_days, rate=0.025),
        icu=Disposition.create(days=icu_days, rate=0.0075),
        ventilated=Disposition.create(days=ventilated_days, rate=0.005),
        infectious_days=10,
        market_share=0.15,
        n_days=100,
        population=3_600_000,
        recovered=0,
        relative_contact_rate=0.45,
        current_date=date(2020, 3, 28),
        mitigation_date=date(2020, 3, 28),
    )
    return Sir(parameters).raw_df[COLUMNS]


if __name__ == "__main__":
    logging.disable(logging.INFO)
    run(7, 9, 10).to_csv(HERE / "chime_v1_1_3_defaults.csv", index=False, float_format="%.10g")
    run(7, 5, 4).to_csv(HERE / "chime_v1_1_3_nested_stays.csv", index=False, float_format="%.10g")
