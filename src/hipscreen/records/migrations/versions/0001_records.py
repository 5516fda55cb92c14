"""Records and their event log.

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
        "records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("person", sa.String(80), nullable=False),
        sa.Column("input", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("triage", sa.String(20), nullable=False),
        sa.Column("triage_rank", sa.SmallInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("follows", sa.Integer, sa.ForeignKey("records.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("made_by", sa.String(20), nullable=True),
        sa.Column("hipscreen_version", sa.String(40), nullable=False),
        sa.Column("knowledge_fingerprint", sa.String(64), nullable=False),
        sa.Column("psfs", sa.JSON, nullable=True),
    )
    op.create_index("ix_records_queue", "records",
                    ["triage_rank", "created_at", "id", "status", "person", "kind"])
    op.create_index("ix_records_person", "records", ["person", "created_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.String(20), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_events_record", "events", ["record_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("records")
