"""Versioned values: bulk writes of a batch and reads as of a day.

Writes go through the driver's fastest path (executemany on SQLite, COPY on PostgreSQL) inside
the caller's transaction, so a failed or interrupted import leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update

from tongchou.store.schema import batches, metrics, observations

OBSERVATION_COLUMNS = (
    "region_id",
    "metric_id",
    "day",
    "value",
    "known_from",
    "known_until",
    "batch_id",
    "flag",
)


def metric_ids(connection: Connection) -> dict[str, int]:
    return dict(connection.execute(select(metrics.c.name, metrics.c.id)).all())


def current_values(
    connection: Connection, metric_id_list: list[int], first_day: int, last_day: int
) -> pd.DataFrame:
    """The current version of every value of these metrics between two days (inclusive)."""
    o = observations.c
    query = select(o.region_id, o.metric_id, o.day, o.value).where(
        o.metric_id.in_(metric_id_list),
        o.day.between(first_day, last_day),
        o.known_until.is_(None),
    )
    return _fetch(connection, query, ["region_id", "metric_id", "day", "value"])


def read_values(
    connection: Connection, metric_id_list: list[int], first_day: int, last_day: int, as_of_day: int
) -> pd.DataFrame:
    """Values between two days as they were known at the end of `as_of_day`."""
    o = observations.c
    query = select(o.region_id, o.metric_id, o.day, o.value).where(
        o.metric_id.in_(metric_id_list),
        o.day.between(first_day, last_day),
        o.known_from <= as_of_day,
        or_(o.known_until.is_(None), o.known_until > as_of_day),
    )
    return _fetch(connection, query, ["region_id", "metric_id", "day", "value"])


def _fetch(connection: Connection, query, columns: list[str]) -> pd.DataFrame:
    # a raw cursor skips SQLAlchemy's per-row objects, which dominate large reads
    compiled = query.compile(connection.engine, compile_kwargs={"render_postcompile": True})
    cursor = connection.connection.driver_connection.cursor()
    params = compiled.params
    if connection.engine.dialect.paramstyle == "qmark":
        params = tuple(params[name] for name in compiled.positiontup)
    cursor.execute(str(compiled), params)
    rows = cursor.fetchall()
    cursor.close()
    if not rows:
        return pd.DataFrame({c: np.array([], dtype=float) for c in columns})
    array = np.array(rows, dtype=np.float64)
    frame = pd.DataFrame(array, columns=columns)
    for column in columns:
        if column != "value":
            frame[column] = frame[column].astype(np.int64)
    return frame


def add_batch(connection: Connection, **fields) -> int:
    fields.setdefault("imported_at", dt.datetime.now(dt.UTC))
    return connection.execute(insert(batches).returning(batches.c.id), fields).scalar_one()


def close_versions(connection: Connection, keys: pd.DataFrame, known_until: int) -> None:
    """End the current version of each (region_id, metric_id, day) in `keys`."""
    if keys.empty:
        return
    o = observations.c
    statement = (
        update(observations)
        .where(
            and_(
                o.region_id == bindparam("r"),
                o.metric_id == bindparam("m"),
                o.day == bindparam("d"),
                o.known_until.is_(None),
            )
        )
        .values(known_until=known_until)
    )
    rows = [
        {"r": int(r), "m": int(m), "d": int(d)}
        for r, m, d in keys[["region_id", "metric_id", "day"]].itertuples(index=False)
    ]
    connection.execute(statement, rows)


def insert_values(connection: Connection, frame: pd.DataFrame) -> None:
    """Bulk insert rows with the columns of OBSERVATION_COLUMNS."""
    if frame.empty:
        return
    frame = frame[list(OBSERVATION_COLUMNS)]
    driver = connection.connection.driver_connection
    if connection.engine.dialect.name == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, sep="\t", header=False, index=False, na_rep="\\N")
        columns = ", ".join(OBSERVATION_COLUMNS)
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY observations ({columns}) FROM STDIN") as copy,
        ):
            copy.write(buffer.getvalue())
    elif connection.engine.dialect.name == "sqlite":
        known_until = frame["known_until"].astype(object)
        known_until = known_until.where(known_until.notna(), None)
        records = zip(
            frame["region_id"].tolist(),
            frame["metric_id"].tolist(),
            frame["day"].tolist(),
            frame["value"].tolist(),
            frame["known_from"].tolist(),
            known_until.tolist(),
            frame["batch_id"].tolist(),
            frame["flag"].tolist(),
            strict=True,
        )
        placeholders = ", ".join("?" * len(OBSERVATION_COLUMNS))
        cursor = driver.cursor()
        columns = ", ".join(OBSERVATION_COLUMNS)
        cursor.executemany(f"INSERT INTO observations ({columns}) VALUES ({placeholders})", records)
        cursor.close()
    else:
        connection.execute(insert(observations), frame.to_dict("records"))
