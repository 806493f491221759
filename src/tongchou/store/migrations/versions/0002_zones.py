"""zoning: replay runs, zone levels per ruleset, region and day, overrides, response levels

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zone_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ruleset", sa.String(64), nullable=False),
        sa.Column("unit_level", sa.String(32), nullable=False),
        sa.Column("first_day", sa.Integer, nullable=False),
        sa.Column("last_day", sa.Integer, nullable=False),
        sa.Column("as_of_day", sa.Integer, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("clusters", sa.Text, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.Text, nullable=False),
    )
    op.create_table(
        "zone_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ruleset", sa.String(64), nullable=False),
        sa.Column("region_id", sa.Integer, sa.ForeignKey("regions.id"), nullable=False),
        sa.Column("level", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("person", sa.Text, nullable=False),
        sa.Column("start_day", sa.Integer, nullable=False),
        sa.Column("until_day", sa.Integer),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_by", sa.Text),
        sa.Column("withdrawn_reason", sa.Text),
        sa.Column("withdrawn_from_day", sa.Integer),
    )
    op.create_index("ix_zone_overrides_region", "zone_overrides", ["ruleset", "region_id"])
    op.create_table(
        "zone_levels",
        sa.Column("ruleset", sa.String(64), nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("region_id", sa.Integer, sa.ForeignKey("regions.id"), nullable=False),
        sa.Column("level", sa.String(64)),
        sa.Column("computed", sa.String(64)),
        sa.Column("classified", sa.String(64)),
        sa.Column("clause", sa.SmallInteger, nullable=False),
        sa.Column("cause", sa.String(16), nullable=False),
        sa.Column("step_rule", sa.SmallInteger),
        sa.Column("override_id", sa.Integer, sa.ForeignKey("zone_overrides.id")),
        sa.Column("clusters_proxy", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("zone_runs.id"), nullable=False),
        sa.PrimaryKeyConstraint("ruleset", "day", "region_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "response_levels",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("region_id", sa.Integer, sa.ForeignKey("regions.id"), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("start_day", sa.Integer, nullable=False),
        sa.Column("person", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_response_levels_region", "response_levels", ["region_id", "start_day"])


def downgrade() -> None:
    op.drop_table("response_levels")
    op.drop_table("zone_levels")
    op.drop_table("zone_overrides")
    op.drop_table("zone_runs")
