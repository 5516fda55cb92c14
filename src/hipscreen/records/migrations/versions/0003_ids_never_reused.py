"""Ids are never given twice; a person's records are indexed in id order.

Revision ID: 0003
Revises: 0002

* SQLite hands a deleted row's id to the next row unless the table is AUTOINCREMENT, so the log's
  "record 3 deleted" could later name another person's record 3. Both tables are rebuilt as
  AUTOINCREMENT (batch, recreate="always"), every row copied with its id, and SQLite's counter
  (`sqlite_sequence`) is set past the largest record id ever given: the largest record left, or
  a larger one that only the event log still names (the newest record, deleted).
  The rebuild needs foreign keys off (else dropping the old table would set every `follows` to
  NULL): the store turns them off for the migration, and this revision refuses to run if they
  are on, and checks every link afterwards.
* PostgreSQL's sequences never go back; the records' sequence is moved past any id the event log
  names, in case a restore left it behind.
* `ix_records_person` becomes (person, id): a person's records in the order they were saved,
  read a page at a time.

Every row and every event stays, with its id. One transaction: a crash leaves revision 0002.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _tables(autoincrement: bool, person_index: list[str]) -> tuple[sa.Table, sa.Table]:
    """The two tables as revision 0002 left them (never today's models), AUTOINCREMENT or not,
    with the person index on `person_index`."""
    meta = sa.MetaData()
    records = sa.Table(
        "records", meta,
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
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Index("ix_records_queue", "triage_rank", "created_at", "id", "status", "person", "kind"),
        sa.Index("ix_records_person", *person_index),
        sqlite_autoincrement=autoincrement,
    )
    events = sa.Table(
        "events", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.String(20), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Index("ix_events_record", "record_id"),
        sqlite_autoincrement=autoincrement,
    )
    return records, events


def _highest_record_id(bind) -> int:
    """The largest record id ever given: a record left, or one the event log names."""
    return int(bind.execute(sa.text(
        "SELECT max(n) FROM (SELECT max(id) AS n FROM records "
        "UNION ALL SELECT max(record_id) FROM events) AS ids")).scalar() or 0)


def _rebuild_sqlite(autoincrement: bool, person_index: list[str]) -> None:
    """Rebuild both tables (rows copied with their ids, indexes made anew)."""
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("revision 0003 rebuilds the records table and needs SQLite's foreign "
                           "keys off (run it with `hipscreen db upgrade`)")
    records, events = _tables(autoincrement, person_index)
    options = {"sqlite_autoincrement": True} if autoincrement else {}
    for table in (records, events):
        with op.batch_alter_table(table.name, recreate="always", copy_from=table,
                                  table_kwargs=options):
            pass
    if autoincrement:
        high = _highest_record_id(bind)
        updated = bind.execute(sa.text("UPDATE sqlite_sequence SET seq = max(seq, :high) "
                                       "WHERE name = 'records'"), {"high": high}).rowcount
        if not updated and high:
            bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('records', :high)"),
                         {"high": high})
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"revision 0003: {len(broken)} broken links after the rebuild")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite(autoincrement=True, person_index=["person", "id"])
        return
    high = _highest_record_id(bind)
    if high:
        bind.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('records', 'id')::regclass, greatest(:high, "
            "coalesce(pg_sequence_last_value(pg_get_serial_sequence('records', 'id')::regclass), "
            "0)))"), {"high": high})
    op.drop_index("ix_records_person", table_name="records")
    op.create_index("ix_records_person", "records", ["person", "id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(autoincrement=False, person_index=["person", "created_at"])
        return
    op.drop_index("ix_records_person", table_name="records")
    op.create_index("ix_records_person", "records", ["person", "created_at"])
