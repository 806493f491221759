"""The tables of the store (SQLAlchemy Core).

Dates are stored as day numbers (days since 1970-01-01) so that reads of a whole panel are
integer comparisons on both SQLite and PostgreSQL; `tongchou.store.days` converts.
Each observation is one version of a value: it is visible to reads made as of a day in
[known_from, known_until). A correction closes the old version and adds a new one, so the old
value stays in the audit trail.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

regions = Table(
    "regions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("parent_code", String(64), nullable=True, index=True),
    Column("depth", SmallInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name_zh", Text, nullable=True),
    Column("name_en", Text, nullable=True),
    Column("pinyin", Text, nullable=True),
    Column("population", Float, nullable=True),
    Column("population_year", SmallInteger, nullable=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("source", Text, nullable=True),
)

metrics = Table(
    "metrics",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("label_zh", Text, nullable=False),
    Column("label_en", Text, nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("layout", String(32), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("reported_on", Integer, nullable=True),
    Column("rows_read", Integer, nullable=False),
    Column("values_new", Integer, nullable=False),
    Column("values_corrected", Integer, nullable=False),
    Column("values_unchanged", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
)

# flag values of observations: why a value is stored as it is
FLAG_NONE = 0
FLAG_DECREASE_ACCEPTED = 1

observations = Table(
    "observations",
    metadata,
    Column("region_id", Integer, ForeignKey("regions.id"), nullable=False),
    Column("metric_id", SmallInteger, ForeignKey("metrics.id"), nullable=False),
    Column("day", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("known_from", Integer, nullable=False),
    Column("known_until", Integer, nullable=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("flag", SmallInteger, nullable=False, default=FLAG_NONE),
    Index("ix_observations_read", "metric_id", "day"),
    Index(
        "ux_observations_current",
        "region_id",
        "metric_id",
        "day",
        unique=True,
        sqlite_where=Column("known_until").is_(None),
        postgresql_where=Column("known_until").is_(None),
    ),
)
