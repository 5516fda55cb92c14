"""Records keep their integrity (issue 18, items 4, 5, 7 and 9), on SQLite and on a real
PostgreSQL (the throwaway cluster of tests/conftest.py):

* ids are never given twice: after the newest record is deleted, the next one gets a larger id,
  also on a database written by revision 0002 and upgraded, where every row and every log entry
  keeps its id and every log entry still names the same record;
* one chain per person: two processes checking in for one person at once (2 x 30) leave a
  linear chain, each check-in reviewed against the record it follows;
* reads never migrate: an older schema is refused with "run `hipscreen db upgrade`", and a
  database that does not exist is an error for every read (nothing is created);
* a person's history is read a page at a time.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from hipscreen import screen
from hipscreen.records import (
    MissingDatabase,
    RecordError,
    RecordStore,
    SchemaMismatch,
    StaleBaseline,
    upgrade,
)
from hipscreen.records.export import export_records
from hipscreen.review import review
from tests.records_helpers import HINGE, URGENT, new_pg_database, race

CHECKIN = {"safety": {}, "pain_now": 2, "pain_worst_week": 4, "psfs": {"deadlift": 5},
           "drills": {"single_leg_hip_hinge": {"sessions": 3, "pain_during": 1,
                                               "settled_next_morning": True}}}


@pytest.fixture(scope="module")
def hinge():
    return screen(HINGE)


@pytest.fixture(scope="module")
def urgent():
    return screen(URGENT)


def _raw(url: str):
    """An engine of our own, as another program (or an older hipscreen) would open the file."""
    return sa.create_engine(RecordStore(url).url)


# -- ids are never given twice ----------------------------------------------------------------------
def test_a_deleted_records_id_is_never_given_again(db_url, hinge, urgent):
    store = RecordStore(db_url)
    first = store.save_screening(hinge, person="p-one")
    second = store.save_screening(urgent, person="p-two")
    store.delete(second, by="JS", reason="newest, deleted")
    third = store.save_screening(hinge, person="p-three")
    assert third > second > first
    store.delete(third, by="JS")
    store.delete(first, by="JS")
    fourth = store.save_screening(hinge, person="p-four")  # an empty table: still no reuse
    assert fourth > third
    deleted = {e.record_id: e.detail["person"] for e in store.events() if e.action == "deleted"}
    assert deleted == {second: "p-two", third: "p-three", first: "p-one"}
    assert [r.record_id for r in store.queue()] == [fourth]


def _insert_as_revision_0002(conn, person: str, result, *, follows=None, status="new") -> int:
    """A record as the hipscreen of revision 0002 wrote it (no store: today's store refuses to
    write on an older schema)."""
    from hipscreen.records.store import summary_of_result

    cols = {"created_at": sa.DateTime(timezone=True), "input": sa.JSON, "result": sa.JSON,
            "psfs": sa.JSON, "summary": sa.JSON}
    row = dict(created_at=dt.datetime.now(dt.UTC), kind="screening", mode="self", person=person,
               input=result.intake.model_dump(mode="json"), result=result.model_dump(mode="json"),
               triage=result.triage.level, triage_rank=0 if result.triage.level == "urgent" else 3,
               status=status, follows=follows, hipscreen_version="0.9.0",
               knowledge_fingerprint="0123456789abcdef", psfs=None,
               summary=summary_of_result(result, None))
    table = sa.table("records", sa.column("id", sa.Integer),
                     *(sa.column(k, cols.get(k)) for k in row))
    return conn.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()


def _log_as_revision_0002(conn, record_id: int, action: str, detail: dict) -> None:
    events = sa.table("events", sa.column("at", sa.DateTime(timezone=True)),
                      sa.column("record_id", sa.Integer), sa.column("action", sa.String),
                      sa.column("by", sa.String), sa.column("detail", sa.JSON))
    conn.execute(events.insert().values(at=dt.datetime.now(dt.UTC), record_id=record_id,
                                        action=action, by="JS", detail=detail))


def _everything(url: str) -> tuple[list, list]:
    engine = _raw(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, person, kind, follows, status, input, result, "
                                        "summary FROM records ORDER BY id").all()
            log = conn.exec_driver_sql("SELECT id, record_id, action, by, detail FROM events "
                                       "ORDER BY id").all()
    finally:
        engine.dispose()
    return [tuple(r) for r in rows], [tuple(e) for e in log]


def test_an_old_database_upgrades_keeping_every_row_link_and_log_entry(db_url, hinge, urgent):
    """Revision 0002 on SQLite gave a deleted newest record's id again. A database it wrote,
    whose newest record was deleted, upgrades to 0003 with every row, link and log entry as it
    was, and the next record gets an id above the deleted one."""
    store = RecordStore(db_url)
    assert upgrade(db_url, "0002") == (None, "0002")
    engine = _raw(db_url)
    try:
        with engine.begin() as conn:
            a = _insert_as_revision_0002(conn, "amy", hinge)
            b = _insert_as_revision_0002(conn, "amy", urgent, follows=a)
            c = _insert_as_revision_0002(conn, "bob", hinge, status="reviewed")
            d = _insert_as_revision_0002(conn, "bob", urgent, follows=c)
            _log_as_revision_0002(conn, c, "status", {"from": "new", "to": "reviewed"})
            conn.execute(sa.text("DELETE FROM records WHERE id = :d"), {"d": d})  # the newest
            _log_as_revision_0002(conn, d, "deleted", {"person": "bob", "kind": "screening"})
    finally:
        engine.dispose()
    before = _everything(db_url)
    assert upgrade(db_url) == ("0002", "0003")
    assert _everything(db_url) == before  # every row with its id and links, every log entry
    assert [r.follows for r in store.history("amy")] == [None, a]
    new = store.save_screening(hinge, person="carol")
    assert new > d > c > b
    for event in store.events():  # every log entry still names the same record
        if event.action == "deleted":
            assert event.record_id == d and event.detail["person"] == "bob"
            with pytest.raises(RecordError, match="does not exist"):
                store.get(event.record_id)
        else:
            assert event.record_id == c and store.get(c).person == "bob"
    if store.is_sqlite:
        engine = _raw(db_url)
        try:
            with engine.connect() as conn:
                ddl = conn.exec_driver_sql("SELECT group_concat(sql) FROM sqlite_master WHERE "
                                           "name IN ('records', 'events')").scalar()
        finally:
            engine.dispose()
        assert ddl.count("AUTOINCREMENT") == 2


# -- one chain per person -----------------------------------------------------------------------------
CHECKER = textwrap.dedent("""
    import sys
    from hipscreen.records import RecordStore, StaleBaseline
    from hipscreen.review import review
    url, person, n, how = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    checkin = {"safety": {}, "pain_now": 2, "pain_worst_week": 4, "psfs": {"deadlift": 5},
               "drills": {"single_leg_hip_hinge": {"sessions": 3, "pain_during": 1,
                                                   "settled_next_morning": True}}}
    store = RecordStore(url)
    store.latest(person)  # connected and ready before the start
    sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
    refused = 0
    for _ in range(n):
        if how == "check_in":
            store.check_in(checkin, person=person)
            continue
        while True:  # as the app does: review, then save; review again when refused
            done = review(checkin, store.baseline(person))
            try:
                store.save_checkin(done, person=person, follows=done.baseline.record_id)
                break
            except StaleBaseline:
                refused += 1
    print("done", refused)
""")


@pytest.mark.parametrize("how", ["check_in", "review_then_save"])
def test_two_processes_checking_in_for_one_person_leave_one_chain(db_url, hinge, how):
    store = RecordStore(db_url)
    first = store.save_screening(hinge, person="racer", psfs={"deadlift": 6})
    n = 30
    race(CHECKER, [(db_url, "racer", str(n), how)] * 2, timeout=300)
    chain = store.history("racer")
    assert len(chain) == 2 * n + 1 and chain[0].record_id == first
    assert [h.follows for h in chain] == [None] + [h.record_id for h in chain[:-1]]
    for h in chain[1:]:  # each reviewed against the record it follows
        assert store.get(h.record_id).result["baseline"]["record_id"] == h.follows


def test_a_check_in_reviewed_against_an_older_record_is_not_saved(db_url, hinge):
    store = RecordStore(db_url)
    first = store.save_screening(hinge, person="late", psfs={"deadlift": 6})
    stale = review(CHECKIN, store.baseline("late"))
    second, done = store.check_in(CHECKIN, person="late")
    assert done.baseline.record_id == first and store.get(second).follows == first
    with pytest.raises(StaleBaseline, match=f"newest record is now {second}.*review the check-in"):
        store.save_checkin(stale, person="late", follows=first)
    fresh = review(CHECKIN, store.baseline("late"))
    store.delete(second, by="JS")  # the record it was reviewed against goes
    with pytest.raises(StaleBaseline, match=f"newest record is now {first}"):
        store.save_checkin(fresh, person="late", follows=second)
    with pytest.raises(RecordError, match="reviewed against record"):
        store.save_checkin(stale, person="late", follows=second)
    assert [h.record_id for h in store.history("late")] == [first]
    with pytest.raises(RecordError, match="save a screening first"):
        store.check_in(CHECKIN, person="nobody-yet")


# -- reads never migrate ------------------------------------------------------------------------------
def _reads(store: RecordStore, tmp_path: Path):
    return {"get": lambda: store.get(1), "latest": lambda: store.latest("p"),
            "baseline": lambda: store.baseline("p"), "history": lambda: store.history("p"),
            "history_page": lambda: store.history_page("p"), "queue": store.queue,
            "events": store.events, "count": store.count,
            "all_records": lambda: list(store.all_records()),
            "export": lambda: export_records(store, tmp_path / "out.csv")}


def test_reading_an_older_schema_says_to_upgrade_and_changes_nothing(db_url, tmp_path, hinge):
    store = RecordStore(db_url)
    store.upgrade("0002")
    for name, read in _reads(store, tmp_path).items():
        with pytest.raises(SchemaMismatch, match=r"revision 0002.*needs 0003.*hipscreen db "
                                                 r"upgrade") as caught:
            read()
        assert (caught.value.current, caught.value.head) == ("0002", "0003"), name
    with pytest.raises(SchemaMismatch, match="hipscreen db upgrade"):  # nor does a save
        store.save_screening(hinge, person="p")
    assert store.revision() == "0002" and not (tmp_path / "out.csv").exists()
    assert upgrade(db_url) == ("0002", "0003")
    assert store.history("p") == [] and store.count() == 0


def test_a_newer_schema_is_refused(db_url):
    store = RecordStore(db_url)
    store.upgrade()
    engine = _raw(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    finally:
        engine.dispose()
    from hipscreen.records import dispose_engines

    dispose_engines()  # another process: nothing known about this database yet
    with pytest.raises(SchemaMismatch, match="0099 is newer than this hipscreen knows"):
        store.queue()


def test_a_missing_database_is_an_error_for_every_read(tmp_path):
    store = RecordStore(tmp_path / "never" / "records.sqlite3")
    for name, read in _reads(store, tmp_path).items():
        with pytest.raises(MissingDatabase, match="does not exist: nothing has been saved"):
            read()
        assert not (tmp_path / "never").exists() and not (tmp_path / "out.csv").exists(), name


def test_an_empty_postgresql_database_is_an_error_for_every_read(pg_cluster, tmp_path):
    url = new_pg_database(pg_cluster)
    store = RecordStore(url)
    for read in _reads(store, tmp_path).values():
        with pytest.raises(MissingDatabase, match="holds no records"):
            read()
    assert store.revision() is None and not (tmp_path / "out.csv").exists()


# -- a person's history, a page at a time ------------------------------------------------------------
def test_history_pages_from_the_newest_back(db_url, hinge):
    store = RecordStore(db_url)
    store.save_screening(hinge, person="pager", psfs={"deadlift": 6})
    store.save_screening(hinge, person="someone-else")
    for _ in range(24):
        store.check_in(CHECKIN, person="pager")
    everything = store.history("pager")
    assert len(everything) == 25
    page = store.history_page("pager", limit=10)
    assert page.total == 25 and page.rows == everything[-10:]
    older = store.history_page("pager", limit=10, before=page.before)
    oldest = store.history_page("pager", limit=10, before=older.before)
    assert older.rows == everything[5:15] and oldest.rows == everything[:5]
    assert oldest.before is None
    assert store.history_page("pager", limit=25).before is None
    assert store.history("pager", limit=3) == everything[-3:]
    assert store.history("pager", limit=3, before=everything[1].record_id) == everything[:1]
    assert store.count("pager") == 25
    for bad in (0, -1, True, "5"):
        with pytest.raises(RecordError, match="limit"):
            store.history_page("pager", limit=bad)
    with pytest.raises(RecordError, match="before"):
        store.history("pager", before="12")


def test_a_check_in_never_creates_a_database(tmp_path, pg_cluster):
    for url in (tmp_path / "none.sqlite3", new_pg_database(pg_cluster)):
        store = RecordStore(url)
        with pytest.raises(MissingDatabase, match="save a screening first"):
            store.check_in(CHECKIN, person="p")
        assert store.revision() is None
    assert not (tmp_path / "none.sqlite3").exists()
