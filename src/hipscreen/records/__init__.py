"""Records: screenings, clinician revisions and check-ins saved on a database (SQLite by default,
PostgreSQL for a clinic), with Alembic migrations (docs/design.md "Follow-up: check-ins and records").

    from hipscreen.records import RecordStore

    store = RecordStore()                      # --db URL, HIPSCREEN_DATABASE_URL, or the default file
    record_id = store.save_screening(result, person="runner-17")
    store.queue(status="new")                  # most urgent first, then oldest first
    record_id, done = store.check_in(checkin, person="runner-17")  # follows the newest record
    store.history_page("runner-17", limit=50)  # the newest 50, oldest first; .before pages back
    upgrade(url)                               # `hipscreen db upgrade`: reads never migrate

Nothing is saved unless a caller asks: no command or page writes a record on its own.
"""

from hipscreen.records.store import (
    ENV_VAR,
    DatabaseError,
    Event,
    HistoryPage,
    HistoryRow,
    MissingDatabase,
    QueueRow,
    Record,
    RecordError,
    RecordStore,
    SchemaMismatch,
    StaleBaseline,
    baseline_of,
    default_database_path,
    dispose_engines,
    resolve_url,
    safe_url,
    upgrade,
)

__all__ = ["ENV_VAR", "DatabaseError", "Event", "HistoryPage", "HistoryRow", "MissingDatabase",
           "QueueRow", "Record", "RecordError", "RecordStore", "SchemaMismatch", "StaleBaseline",
           "baseline_of", "default_database_path", "dispose_engines", "resolve_url", "safe_url",
           "upgrade"]
