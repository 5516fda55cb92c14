"""The record tables, as the newest migration leaves them (SQLAlchemy Core).

A record is one screening, clinician revision or check-in as saved (docs/design.md "Follow-up:
check-ins and records"). Its input and result are kept whole, as JSON, with the hipscreen version
and the knowledge-base fingerprint that made the result; `summary` holds the few numbers the
history, the progress charts and the next check-in read, so they never parse a whole result.
`events` logs every status change and every deletion; it has no foreign key, so the log of a
deleted record stays.

Ids are never given twice (migration 0003): on SQLite both tables are AUTOINCREMENT, so a deleted
record's id is not handed to the next record; PostgreSQL's sequences never go back. An event that
says "record 3 deleted" names that record forever. A person's records are read in id order
(`ix_records_person`): the store saves them one at a time per person, so id order is the order
of their chain.

The tables are created and changed only by the Alembic migrations in `migrations/versions/`;
these definitions are what the store's queries use, and a test checks that the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData()

KINDS = ("screening", "revision", "checkin")
STATUSES = ("new", "reviewed", "referred", "closed")

records = Table(
    "records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("person", String(80), nullable=False),
    Column("input", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("triage", String(20), nullable=False),
    Column("triage_rank", SmallInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("follows", Integer, ForeignKey("records.id", ondelete="SET NULL"), nullable=True),
    Column("made_by", String(20), nullable=True),
    Column("hipscreen_version", String(40), nullable=False),
    Column("knowledge_fingerprint", String(64), nullable=False),
    Column("psfs", JSON, nullable=True),
    Column("summary", JSON, nullable=True),
    # the queue reads only this index: its order, then the columns it lists
    Index("ix_records_queue", "triage_rank", "created_at", "id", "status", "person", "kind"),
    Index("ix_records_person", "person", "id"),
    sqlite_autoincrement=True,
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("by", String(20), nullable=True),
    Column("detail", JSON, nullable=True),
    Index("ix_events_record", "record_id"),
    sqlite_autoincrement=True,
)
