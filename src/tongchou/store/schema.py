"""The tables of the store (SQLAlchemy Core).

Dates are stored as day numbers (days since 1970-01-01) so that reads of a whole panel are
integer comparisons on both SQLite and PostgreSQL; `tongchou.store.days` converts.
`observations` holds the current version of each value, known from `known_from` on. A
correction moves the version it replaces to `revisions`, which keeps it with the day it stopped
being current, so that the audit trail is whole and reads as of a past day see what was known
then.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
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


def _value_columns() -> list[Column]:
    # No foreign keys on the two fact tables: the importer resolves every region, metric and
    # batch in the transaction that writes the values, and PostgreSQL's per-row foreign-key
    # triggers would take most of the time of a bulk import.
    return [
        Column("metric_id", SmallInteger, nullable=False),
        Column("day", Integer, nullable=False),
        Column("region_id", Integer, nullable=False),
        Column("value", Float, nullable=False),
        Column("known_from", Integer, nullable=False),
        Column("batch_id", Integer, nullable=False),
        Column("flag", SmallInteger, nullable=False, default=FLAG_NONE),
    ]


# The current version of every value, clustered on (metric, day, region) so that a panel read is
# one range scan (SQLite stores it WITHOUT ROWID, ordered by the key).
observations = Table(
    "observations",
    metadata,
    *_value_columns(),
    PrimaryKeyConstraint("metric_id", "day", "region_id"),
    sqlite_with_rowid=False,
)

# Versions that a correction replaced, visible to reads made as of a day in
# [known_from, known_until).
revisions = Table(
    "revisions",
    metadata,
    *_value_columns(),
    Column("known_until", Integer, nullable=False),
    Index("ix_revisions_read", "metric_id", "day"),
)

# Zoning (分区分级). A run of `tongchou zones replay`: which rules, which units, which days, on
# the data known when, by whom.
zone_runs = Table(
    "zone_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ruleset", String(64), nullable=False),
    Column("unit_level", String(32), nullable=False),
    Column("first_day", Integer, nullable=False),
    Column("last_day", Integer, nullable=False),
    Column("as_of_day", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("clusters", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("computed_by", Text, nullable=False),
)

# Decisions of a command centre: a level set by a named person for a region, in force from
# start_day to until_day (inclusive; NULL: until withdrawn). Rows are never changed except to
# record a withdrawal, which keeps who withdrew it, when and why: from withdrawn_from_day on
# (the override then ends the day before), or altogether (NULL: as if never made).
zone_overrides = Table(
    "zone_overrides",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ruleset", String(64), nullable=False),
    Column("region_id", Integer, ForeignKey("regions.id"), nullable=False),
    Column("level", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("person", Text, nullable=False),
    Column("start_day", Integer, nullable=False),
    Column("until_day", Integer, nullable=True),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_by", Text, nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    Column("withdrawn_from_day", Integer, nullable=True),
    Index("ix_zone_overrides_region", "ruleset", "region_id"),
)

# The level of each region on each day under a ruleset, as a replay held it (step-down rules
# and overrides applied), beside the level the rules alone give (computed) and the day's own
# classification; clause: the alternative of the level's condition that held (-1: the
# default level, -2: undecided); cause: why the level changed that day; reason: in words, on
# the days it changed. Level ids are NULL where undecided.
zone_levels = Table(
    "zone_levels",
    metadata,
    Column("ruleset", String(64), nullable=False),
    Column("day", Integer, nullable=False),
    Column("region_id", Integer, ForeignKey("regions.id"), nullable=False),
    Column("level", String(64), nullable=True),
    Column("computed", String(64), nullable=True),
    Column("classified", String(64), nullable=True),
    Column("clause", SmallInteger, nullable=False),
    Column("cause", String(16), nullable=False),
    Column("step_rule", SmallInteger, nullable=True),
    Column("override_id", Integer, ForeignKey("zone_overrides.id"), nullable=True),
    Column("clusters_proxy", Boolean, nullable=False),
    Column("reason", Text, nullable=True),
    Column("run_id", Integer, ForeignKey("zone_runs.id"), nullable=False),
    PrimaryKeyConstraint("ruleset", "day", "region_id"),
    sqlite_with_rowid=False,
)

# Provincial emergency response levels (1 = 一级 .. 4 = 四级), each in force from start_day
# until the next record of the same province.
response_levels = Table(
    "response_levels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_id", Integer, ForeignKey("regions.id"), nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("start_day", Integer, nullable=False),
    Column("person", Text, nullable=False),
    Column("note", Text, nullable=True),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Index("ix_response_levels_region", "region_id", "start_day"),
)
