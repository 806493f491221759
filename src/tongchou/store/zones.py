"""Zone levels, overrides and response levels in the store.

Zone levels are written in bulk through the driver's fast path (executemany on SQLite, COPY on
PostgreSQL) inside the caller's transaction: a replay of 3,000 regions over 120 days is
360,000 rows, and a failed write leaves the period as it was. Days are day numbers
(`tongchou.store.days`).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update

from tongchou.errors import Conflict, NotFound
from tongchou.store.schema import (
    regions,
    response_levels,
    zone_levels,
    zone_overrides,
    zone_runs,
)

LEVEL_COLUMNS = tuple(c.name for c in zone_levels.columns)


def _insert(connection: Connection, table, fields: dict) -> int:
    """Insert one row; its id."""
    return connection.execute(insert(table).returning(table.c.id), fields).scalar_one()


def _read_with_codes(connection: Connection, table, *where, order_by) -> pd.DataFrame:
    """Rows of a table keyed by region id, with the region's code as ``region``."""
    columns = [c for c in table.columns if c.name != "region_id"]
    query = (
        select(regions.c.code.label("region"), *columns)
        .join(regions, regions.c.id == table.c.region_id)
        .where(*where)
        .order_by(*order_by)
    )
    rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=["region", *(c.name for c in columns)])


def add_run(connection: Connection, **fields) -> int:
    fields.setdefault("computed_at", dt.datetime.now(dt.UTC))
    return _insert(connection, zone_runs, fields)


def replace_levels(
    connection: Connection,
    ruleset: str,
    first_day: int,
    last_day: int,
    region_id_list: list[int],
    frame: pd.DataFrame,
) -> int:
    """Replace the levels of these regions over [first_day, last_day] under a ruleset by the
    rows of ``frame`` (columns of LEVEL_COLUMNS); the number of rows removed."""
    removed = 0
    # In slices: each id is a bound parameter, and SQLite caps their number (32,766).
    for start in range(0, len(region_id_list), 5000):
        chunk = [int(i) for i in region_id_list[start : start + 5000]]
        removed += connection.execute(
            delete(zone_levels).where(
                zone_levels.c.ruleset == ruleset,
                zone_levels.c.day.between(first_day, last_day),
                zone_levels.c.region_id.in_(chunk),
            )
        ).rowcount
    _bulk_insert(connection, frame[list(LEVEL_COLUMNS)])
    return removed


def _bulk_insert(connection: Connection, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    # Rows in key order go into the clustered table fastest.
    frame = frame.sort_values(["day", "region_id"])
    driver = connection.connection.driver_connection
    columns = ", ".join(LEVEL_COLUMNS)
    if connection.engine.dialect.name == "postgresql":
        # CSV, written by pandas in one go: quoting keeps tabs and line breaks of reasons,
        # and an unquoted empty field is NULL (no stored text is empty).
        buffer = io.StringIO()
        frame[list(LEVEL_COLUMNS)].to_csv(buffer, header=False, index=False)
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY zone_levels ({columns}) FROM STDIN (FORMAT CSV)") as copy:
                copy.write(buffer.getvalue())
        return
    # NaN and NA are written as NULL.
    cells = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in LEVEL_COLUMNS]
    records = list(zip(*cells, strict=True))
    if connection.engine.dialect.name == "sqlite":
        marks = ", ".join("?" * len(LEVEL_COLUMNS))
        cursor = driver.cursor()
        cursor.executemany(f"INSERT INTO zone_levels ({columns}) VALUES ({marks})", records)
        cursor.close()
    else:
        rows = [dict(zip(LEVEL_COLUMNS, record, strict=True)) for record in records]
        connection.execute(insert(zone_levels), rows)


def read_levels(
    connection: Connection,
    ruleset: str,
    first_day: int,
    last_day: int,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Stored levels over [first_day, last_day] under a ruleset, with region codes."""
    where = [zone_levels.c.ruleset == ruleset, zone_levels.c.day.between(first_day, last_day)]
    if codes is not None:
        where.append(regions.c.code.in_(list(codes)))
    return _read_with_codes(
        connection, zone_levels, *where, order_by=(zone_levels.c.day, regions.c.code)
    )


def in_force(
    start_day: int, until_day: int | None, withdrawn_at, withdrawn_from_day: int | None
) -> tuple[int, int | None] | None:
    """The first and last day an override applies (last None: until withdrawn), or None for
    one withdrawn altogether. Missing values may come as None or NaN (from a DataFrame)."""
    until_day = None if pd.isna(until_day) else int(until_day)
    if not pd.isna(withdrawn_at):
        if pd.isna(withdrawn_from_day) or withdrawn_from_day <= start_day:
            return None
        last = int(withdrawn_from_day) - 1
        until_day = last if until_day is None else min(until_day, last)
    return int(start_day), until_day


def add_override(
    connection: Connection,
    *,
    ruleset: str,
    region_id: int,
    level: str,
    reason: str,
    person: str,
    start_day: int,
    until_day: int | None,
) -> int:
    """Store an override; Conflict if one for the same region and ruleset is in force on any
    of its days (withdraw that one first)."""
    others = connection.execute(
        select(zone_overrides).where(
            zone_overrides.c.ruleset == ruleset, zone_overrides.c.region_id == region_id
        )
    ).all()
    last = until_day if until_day is not None else float("inf")
    for other in others:
        span = in_force(other.start_day, other.until_day, other.withdrawn_at,
                        other.withdrawn_from_day)  # fmt: skip
        if span is None:
            continue
        other_last = span[1] if span[1] is not None else float("inf")
        if span[0] <= last and start_day <= other_last:
            raise Conflict(
                f"override {other.id} of the same region and ruleset is in force on some of "
                f"these days; withdraw it first (tongchou zones withdraw {other.id} --person "
                "NAME --reason TEXT [--from DAY]) or choose other dates"
            )
    fields = {
        "ruleset": ruleset,
        "region_id": region_id,
        "level": level,
        "reason": reason,
        "person": person,
        "start_day": start_day,
        "until_day": until_day,
        "entered_at": dt.datetime.now(dt.UTC),
    }
    return _insert(connection, zone_overrides, fields)


def withdraw_override(
    connection: Connection,
    override_id: int,
    *,
    person: str,
    reason: str,
    from_day: int | None = None,
) -> None:
    """Record the withdrawal of an override: from ``from_day`` on (it then ends the day
    before), or altogether (None: as if it had never been made). The row and its audit
    stay."""
    found = connection.execute(
        select(zone_overrides).where(zone_overrides.c.id == override_id)
    ).first()
    if found is None:
        raise NotFound(f"no override {override_id}")
    if found.withdrawn_at is not None:
        raise Conflict(f"override {override_id} was already withdrawn on {found.withdrawn_at}")
    connection.execute(
        update(zone_overrides)
        .where(zone_overrides.c.id == override_id)
        .values(
            withdrawn_at=dt.datetime.now(dt.UTC),
            withdrawn_by=person,
            withdrawn_reason=reason,
            withdrawn_from_day=from_day,
        )
    )


def read_overrides(
    connection: Connection, ruleset: str | None = None, *, withdrawn: bool = True
) -> pd.DataFrame:
    """Overrides with region codes, oldest first (withdrawn ones too unless ``withdrawn`` is
    False)."""
    where = []
    if ruleset is not None:
        where.append(zone_overrides.c.ruleset == ruleset)
    if not withdrawn:
        where.append(zone_overrides.c.withdrawn_at.is_(None))
    return _read_with_codes(connection, zone_overrides, *where, order_by=(zone_overrides.c.id,))


def add_response_level(
    connection: Connection,
    *,
    region_id: int,
    level: int,
    start_day: int,
    person: str,
    note: str | None = None,
) -> int:
    fields = {
        "region_id": region_id,
        "level": level,
        "start_day": start_day,
        "person": person,
        "note": note,
        "entered_at": dt.datetime.now(dt.UTC),
    }
    return _insert(connection, response_levels, fields)


def read_response_levels(connection: Connection) -> pd.DataFrame:
    """Every recorded response level with its province code, in the order entered."""
    return _read_with_codes(connection, response_levels, order_by=(response_levels.c.id,))
