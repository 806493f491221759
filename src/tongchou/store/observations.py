"""Versioned values: bulk writes of a batch, corrections, and reads as of a day.

Writes go through the driver's fastest path (executemany on SQLite, COPY on PostgreSQL) inside
the caller's transaction, so a failed or interrupted import leaves nothing behind. Reads of
many values skip SQLAlchemy's per-row objects, which would dominate their cost.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select, text

from tongchou.store.schema import batches, metrics, observations

KEY = ("metric_id", "day", "region_id")
CURRENT_COLUMNS = (*KEY, "value", "known_from", "batch_id", "flag")
VALUE_FRAME = ["metric_id", "day", "region_id", "value"]


def metric_ids(connection: Connection) -> dict[str, int]:
    return dict(connection.execute(select(metrics.c.name, metrics.c.id)).all())


def add_batch(connection: Connection, **fields) -> int:
    fields.setdefault("imported_at", dt.datetime.now(dt.UTC))
    return connection.execute(insert(batches).returning(batches.c.id), fields).scalar_one()


def current_values(connection: Connection, metric_id_list: list[int]) -> pd.DataFrame:
    """The current version of every value of these metrics."""
    marks = ", ".join(str(int(m)) for m in metric_id_list)
    query = (
        f"SELECT metric_id, day, region_id, value FROM observations WHERE metric_id IN ({marks})"
    )
    return _fetch(connection, query, {})


def read_values(
    connection: Connection,
    metric_id_list: list[int],
    first_day: int,
    last_day: int,
    as_of_day: int,
) -> pd.DataFrame:
    """Values between two days (inclusive) as they were known at the end of `as_of_day`:
    current versions already known then, and replaced versions that were current then."""
    marks = ", ".join(str(int(m)) for m in metric_id_list)
    where = f"metric_id IN ({marks}) AND day BETWEEN :first AND :last AND known_from <= :as_of"
    query = (
        f"SELECT metric_id, day, region_id, value FROM observations WHERE {where} "
        f"UNION ALL SELECT metric_id, day, region_id, value FROM revisions WHERE {where} "
        "AND known_until > :as_of"
    )
    return _fetch(connection, query, {"first": first_day, "last": last_day, "as_of": as_of_day})


def _fetch(connection: Connection, query: str, params: dict) -> pd.DataFrame:
    if connection.engine.dialect.name == "postgresql":
        array = _packed(connection, query, params)
    else:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(query, params)  # sqlite3 takes :name parameters as they are
        flat = np.fromiter(itertools.chain.from_iterable(cursor), dtype=np.float64)
        cursor.close()
        array = flat.reshape(-1, len(VALUE_FRAME))
        array = {c: array[:, i] for i, c in enumerate(VALUE_FRAME)}
    frame = pd.DataFrame(array)
    for column in KEY:
        frame[column] = frame[column].astype(np.int64)
    return frame


# One packed row per value, built by the server: a bytea per row would cost a Python object each.
_PACKED_ROW = np.dtype(
    [("metric_id", ">i2"), ("day", ">i4"), ("region_id", ">i4"), ("value", ">f8")]
)


def _packed(connection: Connection, query: str, params: dict) -> dict[str, np.ndarray]:
    """Rows of a query packed by PostgreSQL into one bytea and unpacked by numpy in one go;
    every column is NOT NULL and fixed width. The parameters are integers (days), written in
    as literals."""
    for name, value in params.items():
        query = query.replace(f":{name}", str(int(value)))
    packed = (
        "SELECT string_agg(int2send(metric_id::smallint) || int4send(day) || "
        f"int4send(region_id) || float8send(value), ''::bytea) FROM ({query}) AS picked"
    )
    with connection.connection.driver_connection.cursor(binary=True) as cursor:
        (blob,) = cursor.execute(packed).fetchone()
    rows = np.frombuffer(blob or b"", dtype=_PACKED_ROW)
    return {c: rows[c].astype(np.float64 if c == "value" else np.int64) for c in VALUE_FRAME}


def insert_values(connection: Connection, frame: pd.DataFrame) -> None:
    """Bulk insert new current versions (columns of CURRENT_COLUMNS)."""
    if frame.empty:
        return
    frame = frame[list(CURRENT_COLUMNS)].sort_values(list(KEY))
    driver = connection.connection.driver_connection
    columns = ", ".join(CURRENT_COLUMNS)
    if connection.engine.dialect.name == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, sep="\t", header=False, index=False)
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY observations ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
    elif connection.engine.dialect.name == "sqlite":
        records = zip(*(frame[c].tolist() for c in CURRENT_COLUMNS), strict=True)
        marks = ", ".join("?" * len(CURRENT_COLUMNS))
        cursor = driver.cursor()
        cursor.executemany(f"INSERT INTO observations ({columns}) VALUES ({marks})", records)
        cursor.close()
    else:
        connection.execute(insert(observations), frame.to_dict("records"))


def supersede(connection: Connection, frame: pd.DataFrame, known_until: int) -> None:
    """Replace current versions by corrected ones (columns of CURRENT_COLUMNS): each old
    version moves to `revisions`, current until `known_until`."""
    if frame.empty:
        return
    key = " AND ".join(f"{c} = :{c}" for c in KEY)
    move = text(
        "INSERT INTO revisions (metric_id, day, region_id, value, known_from, batch_id, flag, "
        f"known_until) SELECT metric_id, day, region_id, value, known_from, batch_id, flag, "
        f":known_until FROM observations WHERE {key}"
    )
    replace = text(
        "UPDATE observations SET value = :value, known_from = :known_from, "
        f"batch_id = :batch_id, flag = :flag WHERE {key}"
    )
    rows = [
        {
            c: (float(v) if c == "value" else int(v))
            for c, v in zip(CURRENT_COLUMNS, row, strict=True)
        }
        for row in frame[list(CURRENT_COLUMNS)].itertuples(index=False)
    ]
    connection.execute(move, [{**row, "known_until": known_until} for row in rows])
    connection.execute(replace, rows)


def day_range(connection: Connection) -> tuple[int | None, int | None]:
    """The first and last day with a stored value (None, None for an empty store)."""
    first, last = connection.execute(text("SELECT min(day), max(day) FROM observations")).one()
    return first, last
