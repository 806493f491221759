"""regions, metrics, batches, current observations and their revisions

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("parent_code", sa.String(64), nullable=True, index=True),
        sa.Column("depth", sa.SmallInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.Text),
        sa.Column("name_en", sa.Text),
        sa.Column("pinyin", sa.Text),
        sa.Column("population", sa.Float),
        sa.Column("population_year", sa.SmallInteger),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("source", sa.Text),
    )
    op.create_table(
        "metrics",
        sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("label_zh", sa.Text, nullable=False),
        sa.Column("label_en", sa.Text, nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("layout", sa.String(32), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Text, nullable=False),
        sa.Column("reported_on", sa.Integer),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("values_new", sa.Integer, nullable=False),
        sa.Column("values_corrected", sa.Integer, nullable=False),
        sa.Column("values_unchanged", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
    )
    op.create_table(
        "observations",
        *_value_columns(),
        sa.PrimaryKeyConstraint("metric_id", "day", "region_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "revisions", *_value_columns(), sa.Column("known_until", sa.Integer, nullable=False)
    )
    op.create_index("ix_revisions_read", "revisions", ["metric_id", "day"])


def _value_columns() -> list[sa.Column]:
    # no foreign keys on the fact tables: see tongchou.store.schema
    return [
        sa.Column("metric_id", sa.SmallInteger, nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("region_id", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("known_from", sa.Integer, nullable=False),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("flag", sa.SmallInteger, nullable=False),
    ]


def downgrade() -> None:
    op.drop_table("revisions")
    op.drop_table("observations")
    op.drop_table("batches")
    op.drop_table("metrics")
    op.drop_table("regions")
