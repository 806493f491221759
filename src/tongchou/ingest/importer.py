"""Importing a file as one batch: read, recognise, check, then write in one transaction.

By default a batch with any problem writes nothing. With `skip_invalid` the valid values go
in and the rejected ones are written, with their reasons, to a rejects CSV. Values already
stored unchanged are skipped (re-importing a file changes nothing); a changed value is a
correction: the old version is closed and kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou import config
from tongchou.errors import InputError, Problem
from tongchou.facts.metrics import MetricRegistry, builtin_metrics
from tongchou.ingest.layouts import by_distinct, recognise
from tongchou.ingest.readers import read_table
from tongchou.ingest.validation import Checked, check_records
from tongchou.store.days import from_day, to_day
from tongchou.store.observations import (
    add_batch,
    current_values,
    insert_values,
    metric_ids,
    supersede,
)
from tongchou.store.regions import load_regions, region_ids, save_regions
from tongchou.store.schema import FLAG_DECREASE_ACCEPTED, FLAG_NONE

log = logging.getLogger(__name__)
KEYS = ["region_id", "metric_id", "day"]


@dataclass(frozen=True)
class ImportReport:
    source: str
    layout: str
    batch_id: int | None
    rows_read: int
    values_new: int
    values_corrected: int
    values_unchanged: int
    values_rejected: int
    decreases_accepted: int
    placeholders_added: int
    rejects_path: Path | None


def import_file(
    engine: Engine,
    path: Path | str,
    *,
    metric: str | None = None,
    skip_invalid: bool = False,
    rejects_path: Path | str | None = None,
    accept_decreases: bool = False,
    reported_on: dt.date | None = None,
    user: str | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    path = Path(path)
    registry = builtin_metrics()
    table = read_table(path)
    records = recognise(table, registry, metric)
    today = today or dt.date.today()
    latest = reported_on or today
    with engine.begin() as connection:
        regions = load_regions(connection)
        if len(regions) == 0:
            raise InputError(
                Problem(path.name, "the store has no regions yet"),
                hint="load them first: `tongchou regions import --china` or "
                "`tongchou regions import FILE`",
            )
        checked = check_records(records, regions, registry, path.name, latest)
        if checked.placeholders:
            save_regions(
                connection, regions.with_placeholders(checked.placeholders), source=path.name
            )
        codes = region_ids(connection)
        metrics_by_name = metric_ids(connection)
        incoming = _keyed(checked, codes, metrics_by_name)
        existing = _existing(connection, incoming)
        _check_decreases(
            incoming, existing, registry, metrics_by_name, path.name, checked, accept_decreases
        )
        if checked.problems and not skip_invalid:
            raise InputError(
                checked.problems,
                hint="nothing was imported; correct the file, "
                "or import the valid rows with --skip-invalid",
            )
        rejected = checked.frame.loc[checked.frame["record"].isin(checked.bad)]
        incoming = incoming.loc[~incoming["record"].isin(checked.bad)]
        written = _write(
            connection,
            incoming,
            existing,
            path,
            records.layout,
            user,
            reported_on,
            today,
            len(table.cells),
            len(rejected),
        )
        rejects = _write_rejects(rejects_path, path, records.frame, rejected, checked)
    report = ImportReport(
        source=path.name,
        layout=records.layout,
        rows_read=len(table.cells),
        values_rejected=len(rejected),
        placeholders_added=len(checked.placeholders),
        decreases_accepted=int((incoming["flag"] == FLAG_DECREASE_ACCEPTED).sum()),
        rejects_path=rejects,
        **written,
    )
    log.info("imported %s: %s", path.name, report)
    return report


def _keyed(checked: Checked, codes: dict[str, int], metrics: dict[str, int]) -> pd.DataFrame:
    f = checked.frame.loc[~checked.frame["record"].isin(checked.bad)]
    f = f.drop_duplicates(["region", "metric", "day"])
    return pd.DataFrame(
        {
            "region_id": by_distinct(f["region"], codes.get).astype(np.int64),
            "metric_id": by_distinct(f["metric"], metrics.get).astype(np.int64),
            "day": f["day"].astype(np.int64),
            "value": f["value"].astype(np.float64),
            "record": f["record"],
            "row": f["row"],
            "flag": FLAG_NONE,
        }
    )


def _existing(connection, incoming: pd.DataFrame) -> pd.DataFrame:
    if incoming.empty:
        return pd.DataFrame(columns=[*KEYS, "value"])
    # cumulative checks need each series' neighbours outside the batch's own dates
    return current_values(connection, sorted(incoming["metric_id"].unique().tolist()))


def _check_decreases(
    incoming: pd.DataFrame,
    existing: pd.DataFrame,
    registry: MetricRegistry,
    metrics: dict[str, int],
    place: str,
    checked: Checked,
    accept: bool,
) -> None:
    """A cumulative series that falls is a suspected correction: an error unless accepted."""
    cumulative = [metrics[m.name] for m in registry if m.kind == "cumulative" and m.name in metrics]
    new = incoming.loc[incoming["metric_id"].isin(cumulative)]
    if new.empty:
        return
    old = existing.loc[existing["metric_id"].isin(cumulative)].assign(record=-1)
    series = pd.concat([new[[*KEYS, "value", "record"]], old[[*KEYS, "value", "record"]]])
    series = series.drop_duplicates(KEYS, keep="first").sort_values(KEYS, ignore_index=True)
    same = (series[["region_id", "metric_id"]].diff() == 0).all(axis=1)
    previous_value = series["value"].shift()
    previous_day = series["day"].shift()
    falls = same & (series["value"] < previous_value)
    previous_record = series["record"].shift()
    involved = falls & ((series["record"] >= 0) | (previous_record >= 0))
    if not involved.any():
        return
    hits = series.loc[involved]
    culprit = hits["record"].where(hits["record"] >= 0, previous_record[involved]).astype(int)
    if accept:
        incoming.loc[incoming["record"].isin(culprit), "flag"] = FLAG_DECREASE_ACCEPTED
        return
    names = {v: k for k, v in metrics.items()}
    frame = checked.frame
    problems = []
    for record, (_, hit) in zip(culprit, hits.iterrows(), strict=True):
        problems.append(
            Problem(
                place,
                f"cumulative {names[int(hit['metric_id'])]} of "
                f"{frame.at[record, 'region']} falls from "
                f"{previous_value[hit.name]:g} on {from_day(int(previous_day[hit.name]))} to "
                f"{hit['value']:g} on {from_day(int(hit['day']))}: a suspected correction",
                row=int(frame.at[record, "row"]),
                column=frame.at[record, "column"],
                expected="a cumulative count that does not fall; if the source revised it down, "
                "import with --accept-decreases",
            )
        )
    checked.fail(culprit.tolist(), problems)


def _write(
    connection, incoming, existing, path, layout, user, reported_on, today, rows_read, rows_rejected
) -> dict:
    merged = incoming.merge(existing, on=KEYS, how="left", suffixes=("", "_stored"))
    unchanged = merged["value"] == merged["value_stored"]
    corrected = merged["value_stored"].notna() & ~unchanged
    new = merged["value_stored"].isna()
    counts = {
        "values_new": int(new.sum()),
        "values_corrected": int(corrected.sum()),
        "values_unchanged": int(unchanged.sum()),
    }
    if not (new.any() or corrected.any()):
        return {"batch_id": None, **counts}
    report_day = to_day(reported_on) if reported_on else None
    batch_id = add_batch(
        connection,
        source=path.name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        layout=layout,
        imported_by=user or config.current_user(),
        reported_on=report_day,
        rows_read=rows_read,
        rows_rejected=rows_rejected,
        **counts,
    )
    correction_day = report_day if report_day is not None else to_day(today)
    rows = merged[[*KEYS, "value", "flag"]].assign(batch_id=batch_id)
    first_known = rows["day"] if report_day is None else report_day
    insert_values(connection, rows.loc[new].assign(known_from=first_known))
    supersede(connection, rows.loc[corrected].assign(known_from=correction_day), correction_day)
    return {"batch_id": batch_id, **counts}


def _write_rejects(
    target, path: Path, records: pd.DataFrame, rejected: pd.DataFrame, checked: Checked
) -> Path | None:
    if rejected.empty:
        return None
    target = Path(target) if target else path.with_name(path.name + ".rejects.csv")
    out = records.loc[rejected["record"], ["row", "column", "region", "date", "metric", "value"]]
    out["reason"] = [checked.reasons[int(r)] for r in rejected["record"]]
    try:
        out.to_csv(target, index=False, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(Problem(str(target), f"cannot write the rejects file: {exc}")) from None
    return target
