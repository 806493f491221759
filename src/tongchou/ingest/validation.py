"""Checking long records against the region tree, the metric registry and what is stored.

Every check is vectorised over the records; text is resolved once per distinct value. A
problem names the file's row and column, the value, what was expected and the nearest valid
value, and points at the record it condemns so that `--skip-invalid` can leave it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tongchou.errors import NotFound, Problem
from tongchou.facts.metrics import MetricRegistry
from tongchou.geo.regions import RegionTable
from tongchou.ingest.layouts import Records, by_distinct, parse_days
from tongchou.store.days import from_day, to_day

SUGGESTION_LIMIT = 20


@dataclass
class Checked:
    """Records resolved to codes, metric names, day numbers and values, with their problems.

    frame columns: region (code), metric (name), day, value, row, column, record (index into
    the records); `reasons` maps each condemned record to its first problem.
    """

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)
    placeholders: list[dict] = field(default_factory=list)
    missing: int = 0

    def fail(self, records: pd.Index | list[int], problems: list[Problem]) -> None:
        """Condemn records: one problem for each, or one problem for all of them."""
        records = [int(r) for r in records]
        paired = len(problems) == len(records)
        for i, record in enumerate(records):
            problem = problems[i] if paired else problems[min(i, len(problems) - 1)]
            self.reasons.setdefault(record, str(problem))
        self.problems.extend(problems)

    @property
    def bad(self) -> set[int]:
        return set(self.reasons)


def check_records(
    records: Records, regions: RegionTable, metrics: MetricRegistry, place: str, latest: dt.date
) -> Checked:
    f = records.frame
    present = f["value"] != ""
    checked = Checked(pd.DataFrame(index=f.index[present]), missing=int((~present).sum()))
    f = f.loc[present]
    out = checked.frame
    out["row"], out["column"] = f["row"], f["column"]
    out["region"] = _resolve_regions(f, regions, place, records, checked)
    out["metric"] = _resolve_metrics(f, metrics, place, checked)
    out["day"] = _resolve_days(f, place, records.date_column, latest, checked)
    out["value"] = _resolve_values(f, out["metric"], metrics, place, checked)
    out["record"] = f.index
    _check_duplicates(out, place, checked)
    return checked


def _problem(place, f, index, message, value, column=None, **extra) -> Problem:
    return Problem(
        place,
        message,
        value=value,
        row=int(f.at[index, "row"]),
        column=column or f.at[index, "column"],
        **extra,
    )


def _resolve_regions(
    f: pd.DataFrame, regions: RegionTable, place: str, records: Records, checked: Checked
) -> pd.Series:
    """Codes for the region texts. Where a table gives a unit's parent (`within`) and name, as
    the canghailan layout does, a code the tree lacks is looked up by its name, and a unit
    that is not in the tree at all becomes a placeholder under the parent."""
    keys = f[["region", "within", "name"]].drop_duplicates()
    placeholders: dict[str, dict] = {}
    # coded placeholders first, so that a later row naming the same unit without a code finds it
    for region, _, name in keys.itertuples(index=False):
        row = None if region in regions else regions.placeholder_for(region, name or None)
        if row is not None:
            placeholders[region] = row
    tree = regions.with_placeholders(list(placeholders.values()))
    resolved: dict[tuple[str, str, str], str | None] = {}
    unknown = 0
    for key in keys.itertuples(index=False, name=None):
        code = _resolve_one(tree, *key)
        if code is None and key[1] in tree:
            # a unit the report names but the tree lacks: kept as a placeholder of its own
            within, name = key[1], key[2] or key[0]
            code = f"{within}/{name}"
            if code not in tree:
                placeholders.setdefault(code, {"code": code, "parent": within, "name_zh": name})
        resolved[key] = code
        if code is None:
            unknown += 1
            # closest names cost a fuzzy search over the whole tree: only for the first few
            suggestions = tree.suggest(key[0]) if unknown <= SUGGESTION_LIMIT else []
            bad = f.index[(f["region"] == key[0]) & (f["within"] == key[1])]
            checked.fail(
                bad,
                [
                    Problem(
                        place,
                        "unknown region",
                        value=key[0],
                        row=int(f.at[bad[0], "row"]),
                        column=records.region_column,
                        expected="a region code or name in the store",
                        nearest=suggestions[0] if suggestions else None,
                    )
                ],
            )
    checked.placeholders = list(placeholders.values())
    keys["code"] = [resolved[k] for k in keys.itertuples(index=False, name=None)]
    codes = f[["region", "within", "name"]].merge(keys, how="left", on=["region", "within", "name"])
    return pd.Series(codes["code"].to_numpy(dtype=object), index=f.index)


def _resolve_one(tree: RegionTable, region: str, within: str, name: str) -> str | None:
    """The code, or None. A row restating its own parent (Taiwan listed as a city of Taiwan)
    is not the parent: it resolves to None so that it gets a placeholder."""
    if region in tree:
        return None if region == within else region
    for text in [region] + ([name] if name and name != region else []):
        try:
            code = tree.lookup(text, within or None, suggest=False)
        except NotFound:
            continue
        return None if code == within else code
    return None


def _resolve_metrics(
    f: pd.DataFrame, metrics: MetricRegistry, place: str, checked: Checked
) -> pd.Series:
    names = {}
    for text in f["metric"].unique():
        names[text] = text if text in metrics else metrics.from_header(text)
        if names[text] is None:
            bad = f.index[f["metric"] == text]
            nearest = metrics.nearest(text)
            checked.fail(
                bad,
                [
                    _problem(
                        place,
                        f,
                        bad[0],
                        "unknown metric",
                        text,
                        column="metric",
                        expected="a metric of the registry",
                        nearest=nearest[0] if nearest else None,
                    )
                ],
            )
    return pd.Series(by_distinct(f["metric"], names.get), index=f.index, dtype=object)


def _resolve_days(
    f: pd.DataFrame, place: str, date_column: str, latest: dt.date, checked: Checked
) -> pd.Series:
    days = pd.Series(parse_days(f["date"]), index=f.index)
    unparsed = days.isna()
    for text in f.loc[unparsed, "date"].unique():
        bad = f.index[unparsed & (f["date"] == text)]
        checked.fail(
            bad,
            [
                _problem(
                    place,
                    f,
                    bad[0],
                    "cannot read this date",
                    text,
                    column=date_column,
                    expected="YYYY-MM-DD",
                )
            ],
        )
    future = days > to_day(latest)
    for text in f.loc[future, "date"].unique():
        bad = f.index[future & (f["date"] == text)]
        checked.fail(
            bad,
            [
                _problem(
                    place,
                    f,
                    bad[0],
                    "date is in the future",
                    text,
                    column=date_column,
                    expected=f"a date on or before {latest}",
                )
            ],
        )
    return days


def _resolve_values(
    f: pd.DataFrame, metric_names: pd.Series, metrics: MetricRegistry, place: str, checked: Checked
) -> pd.Series:
    text = f["value"].str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    not_number = values.isna() | ~np.isfinite(values.fillna(0))
    _fail_each(
        f, f.index[not_number], place, checked, "not a number", expected="a number such as 12"
    )
    is_count = by_distinct(metric_names, lambda m: m in metrics and metrics.get(m).kind != "rate")
    negative = (values < 0) & is_count.astype(bool)
    _fail_each(
        f,
        f.index[negative],
        place,
        checked,
        "a count cannot be negative",
        expected="a count >= 0",
        nearest=0,
    )
    return values


def _fail_each(
    f: pd.DataFrame,
    bad: pd.Index,
    place: str,
    checked: Checked,
    message: str,
    limit: int = 1000,
    **extra,
) -> None:
    """One problem per record up to `limit`, then one that counts the rest."""
    problems = [_problem(place, f, i, message, f.at[i, "value"], **extra) for i in bad[:limit]]
    if len(bad) > limit:
        problems.append(Problem(place, f"{len(bad) - limit} more values: {message}"))
    checked.fail(bad, problems)


def _check_duplicates(out: pd.DataFrame, place: str, checked: Checked) -> None:
    keys = ["region", "metric", "day"]
    usable = out.dropna(subset=keys)
    repeated = usable[usable.duplicated(keys, keep=False)]
    if repeated.empty:
        return
    conflicting = repeated.groupby(keys)["value"].transform("nunique") > 1
    for _, group in repeated[conflicting].groupby(keys):
        first = group.iloc[0]
        checked.fail(
            group["record"],
            [
                Problem(
                    place,
                    f"{first['region']} {first['metric']} on "
                    f"{from_day(int(first['day']))} is given twice with different values "
                    f"(rows {', '.join(str(int(r)) for r in group['row'])})",
                    value=", ".join(f"{v:g}" for v in group["value"]),
                    row=int(first["row"]),
                    column=first["column"],
                    expected="one value per region, metric and date",
                )
            ],
        )
