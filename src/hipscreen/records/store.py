"""The record store: save, read, list and export records on SQLite or PostgreSQL.

* The database is one SQLite file in the user's data directory unless a URL is given (`--db URL`
  or HIPSCREEN_DATABASE_URL), e.g. ``postgresql://user:password@host/hipscreen`` for a clinic
  (psycopg 3). A bare file path is a SQLite file.
* Nothing is written until something is saved, and reading never changes the schema: a read from
  a SQLite file that does not exist (or a database with no schema) raises MissingDatabase and
  creates nothing; a read from an older schema raises SchemaMismatch, saying to run
  `hipscreen db upgrade` (`upgrade(url)`). The first save into a new database creates it (a
  SQLite file readable by its owner only) at the newest schema; a save into an existing database
  at an older schema is refused the same way: changing a schema (a table rebuilt, other
  installations of an older hipscreen locked out) is done only when asked.
* Ids are never given twice (AUTOINCREMENT on SQLite, sequences on PostgreSQL): a log entry that
  names a record names that record forever.
* One chain per person: every write that adds or removes a person's record holds a per-person
  lock (PostgreSQL: a transaction advisory lock on the label; SQLite: BEGIN IMMEDIATE, one
  writer at a time) and reads the person's newest record inside it. `check_in` reviews the
  check-in against that record and saves it in one transaction; `save_checkin` refuses
  (StaleBaseline) a review made against a record that is no longer the newest.
* A person's records are read a page at a time (`history(person, limit=, before=)`,
  `history_page`), newest page first, each page oldest first.
* Nothing is overwritten: a clinician's revision is a new record that follows the original; a
  status change updates the record's status and is logged in `events`; a deletion removes the
  record and is logged there too (who, when, which record, why).
* A URL's password never appears in a message: every error names the URL as
  `render_as_string(hide_password=True)` gives it, and quotes only the driver's own first line,
  with the password masked, never the SQL or its parameters.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from hipscreen.knowledge.catalogue import TRIAGE_ORDER
from hipscreen.records.models import KINDS, STATUSES, events, records

ENV_VAR = "HIPSCREEN_DATABASE_URL"
APP_NAME = "hipscreen"
DB_FILE_NAME = "records.sqlite3"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PERSON_PATTERN = re.compile(r"^[\w][\w .@#+-]{0,59}$")
INITIALS_PATTERN = re.compile(r"^[A-Za-z][A-Za-z.-]{0,9}$")
SQLITE_BUSY_SECONDS = 30
_PG_MIGRATION_LOCK = 0x68697073  # "hips": one migration at a time per PostgreSQL database
_PG_PERSON_LOCKS = 0x70657273  # "pers": with hashtext(person), one writer per person at a time
HISTORY_PAGE = 50  # records per page of a person's history, unless asked otherwise


class RecordError(ValueError):
    """A request the store cannot carry out (unknown record, bad label); exit code 2."""


class DatabaseError(RuntimeError):
    """The database could not be reached or used; the message never holds a password."""


class MissingDatabase(RecordError):
    """A read from a database that does not exist (or holds no records schema): nothing was
    ever saved there. Nothing is created."""


class SchemaMismatch(DatabaseError):
    """The database's schema is older than this hipscreen's (run `hipscreen db upgrade`) or newer
    (upgrade hipscreen). Reads never migrate; saves do not either, except into a new database."""

    def __init__(self, message: str, *, current: str | None, head: str) -> None:
        super().__init__(message)
        self.current, self.head = current, head


class StaleBaseline(RecordError):
    """A check-in reviewed against a record that is no longer the person's newest (another
    record was saved, or that one deleted, since): review it again."""


# -- where the records live ---------------------------------------------------------------------
def default_database_path() -> Path:
    """The embedded default: one SQLite file in the user's data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILE_NAME


def resolve_url(given: str | None = None) -> URL:
    """The database URL to use: `given` (--db), else HIPSCREEN_DATABASE_URL, else the default
    SQLite file. A path without '://' is a SQLite file; postgresql:// uses psycopg 3."""
    text = given or os.environ.get(ENV_VAR) or ""
    if not text.strip():
        return URL.create("sqlite", database=str(default_database_path()))
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise RecordError("the database URL cannot be read; expected sqlite:///PATH or "
                          "postgresql://USER:PASSWORD@HOST/NAME") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise RecordError(f"unsupported database {url.get_backend_name()!r}; expected sqlite or "
                          "postgresql")
    return url


def safe_url(url: URL | str) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    try:
        url = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):
        return "(unreadable database URL)"
    return url.render_as_string(hide_password=True)


def _problem(exc: BaseException, url: URL) -> str:
    """The first line of the driver's own message, with the password masked (never the SQL or
    its parameters, which hold health data)."""
    orig = getattr(exc, "orig", None) or exc
    text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if url.password:
        text = text.replace(str(url.password), "***")
    return text[:200]


# -- engines ------------------------------------------------------------------------------------
_engines: dict[str, Engine] = {}
_ready: set[str] = set()
_lock = threading.Lock()


def _switch_to_wal(cursor) -> None:
    """Turn on write-ahead logging. Changing the journal mode needs the file to itself and
    SQLite answers "database is locked" at once instead of waiting (busy_timeout does not apply),
    so a process that opens the file while another is writing retries for a while."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_setup(engine: Engine) -> None:
    """SQLite: real transactions (BEGIN emitted by us, BEGIN IMMEDIATE for writes so two
    processes queue rather than fail), write-ahead logging, a wait when the file is busy, and
    foreign keys on."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(conn.info.pop("begin", "BEGIN"))


def _engine(url: URL) -> Engine:
    key = url.render_as_string(hide_password=False)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            if url.get_backend_name() == "sqlite":
                engine = sa.create_engine(url, connect_args={
                    "timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False})
                _sqlite_setup(engine)
            else:
                engine = sa.create_engine(url, pool_pre_ping=True,
                                          connect_args={"connect_timeout": 10})
            _engines[key] = engine
        return engine


@functools.cache
def _scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _head() -> str:
    """The newest schema revision this hipscreen knows."""
    return _scripts().get_current_head()


def _known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def upgrade(url: str | os.PathLike[str] | URL | None = None,
            target: str = "head") -> tuple[str | None, str | None]:
    """`hipscreen db upgrade`: bring the database at `url` (as `resolve_url` reads it) to the
    newest schema, creating it when new; return (revision before, revision reached). Safe to run
    again, and from several processes at once."""
    store = RecordStore(url)
    before = store.revision()
    return before, store.upgrade(target)


def dispose_engines() -> None:
    """Close every pooled connection (tests, and before a process forks)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _ready.clear()


# -- what the store returns -------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRow:
    record_id: int
    person: str
    created_at: dt.datetime
    triage: str
    status: str
    kind: str

    def as_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "person": self.person,
                "created_at": self.created_at.isoformat(), "triage": self.triage,
                "status": self.status, "kind": self.kind}


@dataclass(frozen=True)
class HistoryRow:
    record_id: int
    created_at: dt.datetime
    kind: str
    mode: str
    triage: str
    status: str
    follows: int | None
    made_by: str | None
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "created_at": self.created_at.isoformat(),
                "kind": self.kind, "mode": self.mode, "triage": self.triage,
                "status": self.status, "follows": self.follows, "made_by": self.made_by,
                **self.summary}


@dataclass(frozen=True)
class HistoryPage:
    """One page of a person's history: `rows` oldest first; `before` is the cursor for the page
    of older records (pass it as `before=`), None when there is none; `total` counts every
    record of the person."""

    rows: list[HistoryRow]
    before: int | None
    total: int


@dataclass(frozen=True)
class Record:
    """One record as stored: docs/design.md's fields, the input and result as JSON data."""

    id: int
    created_at: dt.datetime
    kind: str
    mode: str
    person: str
    input: dict[str, Any]
    result: dict[str, Any]
    triage: str
    status: str
    follows: int | None
    made_by: str | None
    hipscreen_version: str
    knowledge_fingerprint: str
    psfs: dict[str, int] | None
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["created_at"] = self.created_at.isoformat()
        return data

    def model(self):
        """The result as hipscreen's model: a Result (screening, revision) or a Review (check-in).
        Raises pydantic's ValidationError when an older version wrote a shape this one cannot
        read; the JSON data in `result` is always there."""
        if self.kind == "checkin":
            from hipscreen.review import Review

            return Review.model_validate(self.result)
        from hipscreen.result import Result

        return Result.model_validate(self.result)


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime
    record_id: int
    action: str
    by: str | None
    detail: dict[str, Any] | None


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every time the store writes is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_person(label: str) -> str:
    """A pseudonymous person label (no name needed): 1-60 letters, digits, spaces, . @ # + - _"""
    text = " ".join(str(label).split())
    if not PERSON_PATTERN.match(text):
        raise RecordError("--person: expected a pseudonymous label of 1-60 letters, digits, spaces "
                          "or . @ # + - _ (for example 'runner-17'); no name is needed")
    return text


def check_initials(initials: str | None) -> str | None:
    if initials is None or initials == "":
        return None
    if not INITIALS_PATTERN.match(initials):
        raise RecordError("initials: expected 1-10 letters (dots and hyphens allowed), e.g. 'JS'")
    return initials


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise RecordError(f"status: expected one of {', '.join(STATUSES)}; got {status[:20]!r}")
    return status


# -- summaries ----------------------------------------------------------------------------------
def summary_of_result(result, psfs: dict[str, int] | None) -> dict[str, Any]:
    """The summary of a screening or revision (the same keys as migration 0002 computes)."""
    scores = dict(psfs or {})
    return {"pain_now": result.intake.symptoms.pain_now,
            "pain_worst_week": result.intake.symptoms.pain_worst_week,
            "psfs": scores, "psfs_last": dict(scores), "age": result.intake.age,
            "plan": [{"drill": p.drill, "side": p.side} for p in result.plan],
            "drills_allowed": result.triage.drills_allowed, "decisions": [], "worse": []}


def summary_of_review(review) -> dict[str, Any]:
    """The summary of a check-in: its scores, the updated plan, the decisions."""
    from hipscreen.review import Baseline

    after = Baseline.of_review(review)
    return {"pain_now": review.checkin.pain_now, "pain_worst_week": review.checkin.pain_worst_week,
            "psfs": dict(review.checkin.psfs), "psfs_last": dict(after.psfs), "age": after.age,
            "plan": [{"drill": p.drill, "side": p.side} for p in review.plan],
            "drills_allowed": review.triage.drills_allowed,
            "decisions": [{"drill": d.drill, "decision": d.decision, "to": d.to, "text": d.text}
                          for d in review.decisions],
            "worse": [f"psfs:{c.activity}" if c.activity else c.measure for c in review.worse()]}


def baseline_of(record_id: int, kind: str, summary: dict[str, Any]):
    """The Baseline a saved record leaves for the next check-in, from its summary."""
    from hipscreen.review import Baseline, PlannedDrill

    return Baseline(kind="checkin" if kind == "checkin" else "screening", record_id=record_id,
                    plan=[PlannedDrill(**p) for p in summary.get("plan") or []],
                    drills_allowed=summary.get("drills_allowed", True),
                    pain_worst_week=summary.get("pain_worst_week"),
                    psfs=dict(summary.get("psfs_last") or {}), age=summary.get("age"))


# -- the store ------------------------------------------------------------------------------------
class RecordStore:
    """Records on one database. Cheap to create: engines are shared per URL in a process."""

    def __init__(self, url: str | os.PathLike[str] | URL | None = None) -> None:
        self.url = url if isinstance(url, URL) else resolve_url(None if url is None else str(url))
        self.safe_url = safe_url(self.url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        database = self.url.database or ""
        self.sqlite_path = (Path(database) if self.is_sqlite and database not in ("", ":memory:")
                            else None)

    def __repr__(self) -> str:
        return f"RecordStore({self.safe_url!r})"

    # -- connections ----------------------------------------------------------------------
    def exists(self) -> bool:
        """False only for a SQLite file that was never written (nothing saved yet)."""
        return self.sqlite_path is None or self.sqlite_path.exists()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise DatabaseError(f"database {self.safe_url}: {_problem(exc, self.url)}") from None
        except OSError as exc:
            raise DatabaseError(f"database {self.safe_url}: {exc.strerror or exc}") from None

    def _create_file(self) -> None:
        if self.sqlite_path is None or self.sqlite_path.exists():
            return
        self.sqlite_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.sqlite_path, os.O_CREAT | os.O_WRONLY, 0o600)  # health data: owner only
        os.close(fd)

    @property
    def _key(self) -> str:
        return self.url.render_as_string(hide_password=False)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction on an up-to-date schema (SQLite: BEGIN IMMEDIATE). A new database
        is created at the newest schema; an older schema is refused (SchemaMismatch)."""
        with self._errors():
            self._create_file()
            if self._key not in _ready:
                current = self.revision()
                if current is None:
                    self.upgrade()
                else:
                    self._check_schema(current)
            with _engine(self.url).connect() as conn:
                if self.is_sqlite:
                    conn.info["begin"] = "BEGIN IMMEDIATE"
                with conn.begin():
                    yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction on a database at the newest schema. Never creates or migrates
        anything: MissingDatabase when nothing was ever saved there, SchemaMismatch when the
        schema is not this hipscreen's."""
        if not self.exists():
            raise self._missing()
        with self._errors(), _engine(self.url).connect() as conn, conn.begin():
            if self._key not in _ready:
                from alembic.runtime.migration import MigrationContext

                current = MigrationContext.configure(conn).get_current_revision()
                if current is None:
                    raise self._missing()
                self._check_schema(current)
            yield conn

    def _require_records(self) -> None:
        """For a write that needs a saved record (a check-in): MissingDatabase or SchemaMismatch
        as for a read, before anything is created."""
        with self._read():
            pass

    def _missing(self) -> MissingDatabase:
        where = "does not exist" if self.is_sqlite and not self.exists() else "holds no records"
        return MissingDatabase(
            f"database {self.safe_url} {where}: nothing has been saved there yet; save a "
            "screening first (hipscreen screen FILE --save --person LABEL), or check --db and "
            f"{ENV_VAR}")

    def _check_schema(self, current: str) -> None:
        """Mark the database ready when `current` is the newest revision; else SchemaMismatch."""
        head = self.head()
        if current == head:
            _ready.add(self._key)
            return
        if current in _known_revisions():
            raise SchemaMismatch(
                f"database {self.safe_url}: schema revision {current}, this hipscreen needs "
                f"{head}; run `hipscreen db upgrade` with the same --db (back the database up "
                "first; it is never upgraded on its own)", current=current, head=head)
        raise SchemaMismatch(
            f"database {self.safe_url}: schema revision {current} is newer than this hipscreen "
            f"knows (newest {head}); use a newer hipscreen", current=current, head=head)

    def _lock_person(self, conn: Connection, person: str) -> None:
        """Hold the person's lock until the transaction ends (PostgreSQL: an advisory lock on
        the label's hash; SQLite: the write transaction, BEGIN IMMEDIATE, already excludes
        every other writer). Every later statement sees what the person's last writer
        committed."""
        if not self.is_sqlite:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:person))"),
                         {"space": _PG_PERSON_LOCKS, "person": person})

    # -- schema -----------------------------------------------------------------------------
    def _alembic_config(self, conn: Connection):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        return config

    def head(self) -> str:
        return _head()

    def revision(self) -> str | None:
        """The schema revision of the database (None: empty, or a SQLite file not yet made).
        Reads only the revision; creates nothing."""
        if not self.exists():
            return None
        from alembic.runtime.migration import MigrationContext

        with self._errors(), _engine(self.url).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self, target: str = "head") -> str | None:
        """Run the migrations up to `target` (default the newest); return the revision reached.
        Creates a new database. One process at a time: PostgreSQL takes an advisory lock,
        SQLite a write lock; all of it in one transaction. On SQLite foreign keys are off while
        the migrations run (a table rebuild would otherwise unlink every `follows`); the last
        migration that rebuilds checks every link."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        _ready.discard(self._key)
        with self._errors():
            self._create_file()
            with _engine(self.url).connect() as conn:
                raw = conn.connection.dbapi_connection if self.is_sqlite else None
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction: applies
                    conn.info["begin"] = "BEGIN IMMEDIATE"
                try:
                    with conn.begin():
                        if raw is None:
                            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                         {"key": _PG_MIGRATION_LOCK})
                        command.upgrade(self._alembic_config(conn), target)
                        reached = MigrationContext.configure(conn).get_current_revision()
                finally:
                    if raw is not None:
                        raw.execute("PRAGMA foreign_keys = ON")
        if reached == self.head():
            _ready.add(self._key)
        return reached

    # -- saving -------------------------------------------------------------------------------
    def _insert(self, conn: Connection, *, kind: str, mode: str, person: str, given: dict,
                result: dict, triage: str, status: str, follows: int | None,
                made_by: str | None, psfs: dict | None, summary: dict) -> int:
        from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint

        assert kind in KINDS
        if follows is not None and conn.execute(
                sa.select(records.c.id).where(records.c.id == follows)).first() is None:
            raise RecordError(f"record {follows} does not exist (the record this one follows)")
        row = conn.execute(records.insert().values(
            created_at=_now(), kind=kind, mode=mode, person=person, input=given, result=result,
            triage=triage, triage_rank=TRIAGE_ORDER.index(triage), status=status,
            follows=follows, made_by=made_by, hipscreen_version=hipscreen_version(),
            knowledge_fingerprint=knowledge_fingerprint(), psfs=psfs, summary=summary,
        ).returning(records.c.id))
        return int(row.scalar_one())

    @staticmethod
    def _newest(conn: Connection, person: str):
        """The person's newest record (id, kind, summary) as seen inside this transaction."""
        return conn.execute(
            sa.select(records.c.id, records.c.kind, records.c.summary)
            .where(records.c.person == person)
            .order_by(records.c.id.desc()).limit(1)).first()

    def save_screening(self, result, *, person: str, psfs: dict[str, int] | None = None,
                       made_by: str | None = None) -> int:
        """Save a screening's Result for a person (PSFS activities named now, optional)."""
        person = check_person(person)
        made_by = check_initials(made_by)
        psfs = _checked_psfs(psfs)
        given = result.intake.model_dump(mode="json")
        with self._write() as conn:
            self._lock_person(conn, person)
            return self._insert(conn, kind="screening", mode=result.intake.mode, person=person,
                                given=given, result=result.model_dump(mode="json"),
                                triage=result.triage.level, status="new", follows=None,
                                made_by=made_by, psfs=psfs,
                                summary=summary_of_result(result, psfs))

    def save_revision(self, original_id: int, result, *, made_by: str,
                      status: str = "reviewed") -> int:
        """A clinician's re-screen of a record, saved as a new record that follows it (the
        original is never changed, except its status, which is logged). The person label and
        the PSFS activities carry over."""
        made_by = check_initials(made_by)
        if made_by is None:
            raise RecordError("a revision needs the clinician's initials")
        status = check_status(status)
        with self._write() as conn:
            person = conn.execute(sa.select(records.c.person)
                                  .where(records.c.id == original_id)).scalar()
            if person is None:
                raise RecordError(f"record {original_id} does not exist")
            self._lock_person(conn, person)
            original = conn.execute(sa.select(records.c.person, records.c.psfs, records.c.status)
                                    .where(records.c.id == original_id)).first()
            if original is None:  # deleted while we waited for the lock
                raise RecordError(f"record {original_id} does not exist")
            new_id = self._insert(
                conn, kind="revision", mode=result.intake.mode, person=original.person,
                given=result.intake.model_dump(mode="json"), result=result.model_dump(mode="json"),
                triage=result.triage.level, status=status, follows=original_id, made_by=made_by,
                psfs=original.psfs, summary=summary_of_result(result, original.psfs))
            if original.status != status:
                self._set_status(conn, original_id, original.status, status, made_by,
                                 note=f"revised as record {new_id}")
            return new_id

    def save_checkin(self, review, *, person: str, follows: int | None,
                     made_by: str | None = None) -> int:
        """Save a check-in's Review as the person's next record, following `follows`, which must
        still be the person's newest record when this commits (and the record the review was
        made against); else StaleBaseline, and nothing is saved: review again. `check_in`
        reviews and saves in one step and never meets this."""
        person = check_person(person)
        made_by = check_initials(made_by)
        reviewed = getattr(getattr(review, "baseline", None), "record_id", None)
        if reviewed is not None and follows != reviewed:
            raise RecordError(f"the check-in was reviewed against record {reviewed}, not "
                              f"record {follows}")
        if follows is not None:
            self._require_records()
        with self._write() as conn:
            self._lock_person(conn, person)
            newest = self._newest(conn, person)
            newest_id = None if newest is None else newest.id
            if newest_id != follows:
                raise StaleBaseline(_stale(person, follows, newest_id))
            return self._insert(conn, kind="checkin", mode="self" if made_by is None else "clinician",
                                person=person, given=review.checkin.model_dump(mode="json"),
                                result=review.model_dump(mode="json"), triage=review.triage.level,
                                status="new", follows=follows, made_by=made_by, psfs=None,
                                summary=summary_of_review(review))

    def check_in(self, checkin, *, person: str, made_by: str | None = None,
                 today: dt.date | None = None):
        """Review a check-in (a CheckIn or its fields) against the person's newest record and
        save it as the record that follows it, in one transaction under the person's lock, so
        two check-ins at once form a chain; return (record id, Review). RecordError when the
        person has no saved record; hipscreen.review.CheckInMismatch (nothing saved) when the
        check-in reports a drill that is not in the plan under review."""
        from hipscreen.review import review as review_checkin

        person = check_person(person)
        made_by = check_initials(made_by)
        self._require_records()
        with self._write() as conn:
            self._lock_person(conn, person)
            newest = self._newest(conn, person)
            if newest is None:
                raise RecordError(f"--person {person!r}: no saved record in {self.safe_url}; "
                                  "save a screening first (hipscreen screen FILE --save "
                                  "--person LABEL)")
            done = review_checkin(checkin, baseline_of(newest.id, newest.kind,
                                                       newest.summary or {}), today=today)
            record_id = self._insert(
                conn, kind="checkin", mode="self" if made_by is None else "clinician",
                person=person, given=done.checkin.model_dump(mode="json"),
                result=done.model_dump(mode="json"), triage=done.triage.level, status="new",
                follows=newest.id, made_by=made_by, psfs=None, summary=summary_of_review(done))
        return record_id, done

    # -- status and deletion ----------------------------------------------------------------------
    def _set_status(self, conn: Connection, record_id: int, old: str, new: str,
                    by: str | None, note: str | None = None) -> None:
        conn.execute(records.update().where(records.c.id == record_id).values(status=new))
        detail = {"from": old, "to": new} | ({"note": note} if note else {})
        conn.execute(events.insert().values(at=_now(), record_id=record_id, action="status",
                                            by=by, detail=detail))

    def set_status(self, record_id: int, status: str, *, by: str | None,
                   note: str | None = None) -> None:
        """Change a record's status (new, reviewed, referred, closed); the change is logged."""
        status = check_status(status)
        by = check_initials(by)
        with self._write() as conn:
            row = conn.execute(sa.select(records.c.status).where(records.c.id == record_id)).first()
            if row is None:
                raise RecordError(f"record {record_id} does not exist")
            if row.status != status:
                self._set_status(conn, record_id, row.status, status, by, note)

    def delete(self, record_id: int, *, by: str | None, reason: str | None = None) -> None:
        """Delete one record (explicitly: the caller has asked for confirmation). The event log
        keeps who deleted which record when, and why; records that followed it keep their own
        content and lose only the link. Its id is never given to another record."""
        by = check_initials(by)
        with self._write() as conn:
            person = conn.execute(sa.select(records.c.person)
                                  .where(records.c.id == record_id)).scalar()
            if person is None:
                raise RecordError(f"record {record_id} does not exist")
            self._lock_person(conn, person)
            row = conn.execute(sa.select(records.c.person, records.c.kind, records.c.created_at,
                                         records.c.triage).where(records.c.id == record_id)).first()
            if row is None:
                raise RecordError(f"record {record_id} does not exist")
            conn.execute(records.update().where(records.c.follows == record_id).values(follows=None))
            conn.execute(records.delete().where(records.c.id == record_id))
            conn.execute(events.insert().values(
                at=_now(), record_id=record_id, action="deleted", by=by,
                detail={"person": row.person, "kind": row.kind, "triage": row.triage,
                        "created_at": _utc(row.created_at).isoformat(),
                        "reason": (reason or "")[:200]}))

    # -- reading ------------------------------------------------------------------------------
    def get(self, record_id: int) -> Record:
        with self._read() as conn:
            row = conn.execute(sa.select(records).where(records.c.id == record_id)).first()
        if row is None:
            raise RecordError(f"record {record_id} does not exist")
        return _record(row)

    def latest(self, person: str):
        """The person's newest record as (record id, kind, summary), or None."""
        person = check_person(person)
        with self._read() as conn:
            row = self._newest(conn, person)
        return None if row is None else (row.id, row.kind, row.summary or {})

    def baseline(self, person: str):
        """The Baseline the person's newest record leaves for a check-in, or None."""
        found = self.latest(person)
        return None if found is None else baseline_of(*found)

    def history(self, person: str, *, limit: int | None = None,
                before: int | None = None) -> list[HistoryRow]:
        """A person's records, oldest first, with their summaries (no whole results): the newest
        `limit` of them (every one when None) with an id below `before` (all when None). Page
        back with `before=` the first row's id, or use `history_page`."""
        return self._history(check_person(person), limit=_checked_limit(limit),
                             before=_checked_before(before))[0]

    def history_page(self, person: str, *, limit: int = HISTORY_PAGE,
                     before: int | None = None) -> HistoryPage:
        """One page of a person's history: the newest `limit` records below `before`, oldest
        first, the cursor for the older page, and how many records the person has."""
        rows, more, total = self._history(check_person(person), limit=_checked_limit(limit),
                                          before=_checked_before(before), with_total=True)
        return HistoryPage(rows=rows, before=rows[0].record_id if more and rows else None,
                           total=total)

    def _history(self, person: str, *, limit: int | None, before: int | None,
                 with_total: bool = False) -> tuple[list[HistoryRow], bool, int]:
        query = (sa.select(records.c.id, records.c.created_at, records.c.kind, records.c.mode,
                           records.c.triage, records.c.status, records.c.follows,
                           records.c.made_by, records.c.summary)
                 .where(records.c.person == person).order_by(records.c.id.desc()))
        if before is not None:
            query = query.where(records.c.id < before)
        if limit is not None:
            query = query.limit(limit + 1)
        with self._read() as conn:
            rows = conn.execute(query).all()
            total = int(conn.execute(sa.select(sa.func.count()).select_from(records)
                                     .where(records.c.person == person)).scalar_one()
                        ) if with_total else 0
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        return [HistoryRow(record_id=r.id, created_at=_utc(r.created_at), kind=r.kind,
                           mode=r.mode, triage=r.triage, status=r.status, follows=r.follows,
                           made_by=r.made_by, summary=r.summary or {})
                for r in reversed(rows)], more, total

    def queue(self, *, status: str | Sequence[str] | None = None,
              since: dt.date | dt.datetime | None = None, until: dt.date | dt.datetime | None = None,
              limit: int | None = None, offset: int = 0) -> list[QueueRow]:
        """Saved records, most urgent triage first, then oldest first; filtered by status and
        by the day they were saved (`since` and `until` inclusive); `limit` rows from `offset`
        (a page of the queue)."""
        query = self._queue_filter(
            sa.select(records.c.id, records.c.person, records.c.created_at,
                      records.c.triage, records.c.status, records.c.kind)
            .order_by(records.c.triage_rank, records.c.created_at, records.c.id),
            status=status, since=since, until=until)
        if limit is not None:
            query = query.limit(_checked_limit(limit))
        if offset:
            if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
                raise RecordError(f"offset: expected a whole number 0 or more, got {offset!r}")
            query = query.offset(offset)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [QueueRow(record_id=r.id, person=r.person, created_at=_utc(r.created_at),
                         triage=r.triage, status=r.status, kind=r.kind) for r in rows]

    def queue_count(self, *, status: str | Sequence[str] | None = None,
                    since: dt.date | dt.datetime | None = None,
                    until: dt.date | dt.datetime | None = None) -> int:
        """How many records `queue` would list with the same filters (for its pages)."""
        query = self._queue_filter(sa.select(sa.func.count()).select_from(records),
                                   status=status, since=since, until=until)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    @staticmethod
    def _queue_filter(query, *, status, since, until):
        statuses = [status] if isinstance(status, str) else list(status or [])
        for s in statuses:
            check_status(s)
        if statuses:
            query = query.where(records.c.status.in_(statuses))
        if since is not None:
            query = query.where(records.c.created_at >= _start_of(since))
        if until is not None:
            query = query.where(records.c.created_at < _end_of(until))
        return query

    def events(self, record_id: int | None = None) -> list[Event]:
        query = sa.select(events).order_by(events.c.at, events.c.id)
        if record_id is not None:
            query = query.where(events.c.record_id == record_id)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [Event(id=r.id, at=_utc(r.at), record_id=r.record_id, action=r.action, by=r.by,
                      detail=r.detail) for r in rows]

    def all_records(self) -> Iterator[Record]:
        """Every record, oldest first (for export)."""
        with self._read() as conn:
            for row in conn.execute(sa.select(records).order_by(records.c.created_at,
                                                                records.c.id)):
                yield _record(row)

    def count(self, person: str | None = None) -> int:
        """How many records (of one person, when given)."""
        query = sa.select(sa.func.count()).select_from(records)
        if person is not None:
            query = query.where(records.c.person == check_person(person))
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())


def _checked_limit(limit: int | None) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise RecordError(f"limit: expected a whole number of at least 1, got {limit!r}")
    return limit


def _checked_before(before: int | None) -> int | None:
    if before is None:
        return None
    if isinstance(before, bool) or not isinstance(before, int):
        raise RecordError(f"before: expected a record id, got {before!r}")
    return before


def _stale(person: str, follows: int | None, newest: int | None) -> str:
    if newest is None:
        return (f"the check-in was reviewed against record {follows}, which no longer exists and "
                f"person {person!r} has no record now; nothing was saved")
    what = "none" if follows is None else f"record {follows}"
    return (f"the check-in was reviewed against {what}, but person {person!r}'s newest record is "
            f"now {newest} (saved or changed since); nothing was saved: review the check-in again")


def _checked_psfs(psfs: dict[str, int] | None) -> dict[str, int] | None:
    if not psfs:
        return None
    from pydantic import TypeAdapter, ValidationError

    from hipscreen.knowledge.checkin import Psfs

    try:
        return TypeAdapter(Psfs).validate_python(psfs)
    except ValidationError as exc:
        raise RecordError("psfs: " + "; ".join(e["msg"].removeprefix("Value error, ")
                                              for e in exc.errors())) from None


def _start_of(day: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(day, dt.datetime):
        return _utc(day)
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _end_of(day: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(day, dt.datetime):
        return _utc(day)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _record(row) -> Record:
    return Record(id=row.id, created_at=_utc(row.created_at), kind=row.kind, mode=row.mode,
                  person=row.person, input=row.input, result=row.result, triage=row.triage,
                  status=row.status, follows=row.follows, made_by=row.made_by,
                  hipscreen_version=row.hipscreen_version,
                  knowledge_fingerprint=row.knowledge_fingerprint, psfs=row.psfs,
                  summary=row.summary or {})
