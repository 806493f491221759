"""Build china_cases_2020-01-10_23.csv, the test extract of daily new confirmed cases by
prefecture-tier unit, from ../shared/data/canghailan (see README.md here).

    .venv/bin/python tests/scenarios/data/make_china_cases.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2].parent / "shared/data/canghailan/china_daily_2019-12-01_2020-04-30.csv"
FIRST, LAST = "2020-01-10", "2020-01-23"
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def unit_of(code: str) -> str | None:
    """The prefecture-tier unit (MCA 2019) a row's code belongs to; None for placeholders."""
    if not code.isdigit():
        return None
    if code[2:4] == "90":  # county-level units administered by the province keep their code
        return code
    return code[:4] + "00"


def main(source: Path = SOURCE) -> None:
    table = pd.read_csv(source, dtype={"provinceCode": str, "cityCode": str})
    table = table[(table["date"] <= LAST) & table["provinceCode"].notna()]
    municipal = table["provinceCode"].isin(MUNICIPALITIES) & table["cityCode"].isna()
    rows = table[municipal].assign(unit=lambda f: f["provinceCode"].str[:2] + "0100")
    cities = table[~table["provinceCode"].isin(MUNICIPALITIES) & table["cityCode"].notna()]
    cities = cities.assign(unit=cities["cityCode"].map(unit_of)).dropna(subset=["unit"])
    both = pd.concat([rows, cities])
    cumulative = both.groupby(["unit", "date"])["confirmed"].sum().unstack("date")
    dates = pd.date_range("2019-12-01", LAST).strftime("%Y-%m-%d")
    cumulative = cumulative.reindex(columns=dates)
    # before its first report a unit had no confirmed case; a day without a report between
    # two reports is interpolated linearly (the next report carries those days' cases)
    first = cumulative.notna().to_numpy().argmax(axis=1)
    values = cumulative.to_numpy(dtype=float, copy=True)
    for row, column in enumerate(first):
        values[row, :column] = 0.0
    filled = pd.DataFrame(values, index=cumulative.index, columns=dates)
    filled = filled.T.interpolate(limit_area="inside").ffill().T
    daily = filled.diff(axis=1).clip(lower=0).loc[:, FIRST:LAST].round().astype(int)
    long = daily.stack().rename("new_cases").reset_index()
    long.columns = ["code", "date", "new_cases"]
    long = long[long["new_cases"] > 0]
    out = HERE / "china_cases_2020-01-10_23.csv"
    long.to_csv(out, index=False)
    print(f"{out.name}: {len(long)} rows, {long['new_cases'].sum()} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
