"""The record store on SQLite and on a real PostgreSQL: migrations from empty, saving, history,
the queue, revisions, status, deletion, export, two processes at once, an old record after a
migration, and a password that never shows.

The PostgreSQL tests start a throwaway cluster (initdb + pg_ctl in a temporary directory, as the
user `nobody` when the tests run as root) and remove it afterwards; they are skipped, saying why,
only when no PostgreSQL server binaries exist (CI installs Debian's postgresql package).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from hipscreen import screen
from hipscreen.cli import main
from hipscreen.records import MissingDatabase, RecordError, RecordStore
from hipscreen.records.models import metadata
from hipscreen.review import review
from tests.records_helpers import EMERGENCY, HINGE, REVIEW, ROOT, URGENT, new_pg_database, race


@pytest.fixture
def store(db_url) -> RecordStore:
    return RecordStore(db_url)


@pytest.fixture(scope="module")
def results():
    return {name: screen(intake) for name, intake in
            (("hinge", HINGE), ("urgent", URGENT), ("emergency", EMERGENCY), ("review", REVIEW))}


# -- migrations -----------------------------------------------------------------------------------
def test_migrations_run_from_empty_and_match_the_models(store):
    assert store.revision() is None
    assert store.upgrade() == store.head() == "0003"
    assert store.upgrade() == "0003"  # idempotent
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(store.url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diffs == [], "the migrations and records/models.py disagree"


def test_a_record_written_by_the_first_schema_is_read_after_the_migration(store, results):
    """Revision 0001 had no summary: a record saved then gets one when 0002 runs, and reads as
    if it had been saved today."""
    store.upgrade("0001")
    result = results["hinge"]
    engine = sa.create_engine(store.url)
    row = dict(created_at=dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC), kind="screening",
               mode="self", person="old-timer", input=result.intake.model_dump(mode="json"),
               result=result.model_dump(mode="json"), triage="self_care", triage_rank=3,
               status="new", hipscreen_version="0.0.9", knowledge_fingerprint="0123456789abcdef",
               psfs={"deadlift": 6})
    types = {"created_at": sa.DateTime(timezone=True), "input": sa.JSON, "result": sa.JSON,
             "psfs": sa.JSON}
    old = sa.table("records", *(sa.column(k, types.get(k)) for k in row))
    try:
        with engine.begin() as conn:
            conn.execute(old.insert().values(**row))
    finally:
        engine.dispose()
    assert store.revision() == "0001"
    assert store.upgrade() == store.head()
    (record,) = store.history("old-timer")
    assert record.summary["plan"] == [{"drill": "single_leg_hip_hinge", "side": "both"}]
    assert record.summary["psfs_last"] == {"deadlift": 6}
    assert store.get(record.record_id).model() == result.model_validate(result.model_dump(mode="json"))
    follow = review({"safety": {}, "pain_now": 1, "pain_worst_week": 4, "psfs": {"deadlift": 3}},
                    store.baseline("old-timer"))
    assert follow.worse() and follow.baseline.record_id == record.record_id


def test_the_store_writes_the_same_summary_as_the_migration(store, results):
    import importlib.util

    path = ROOT / "src/hipscreen/records/migrations/versions/0002_summary.py"
    spec = importlib.util.spec_from_file_location("m0002", path)
    m0002 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0002)
    first = store.save_screening(results["hinge"], person="same", psfs={"deadlift": 5})
    done = review({"safety": {}, "pain_now": 2, "pain_worst_week": 6, "psfs": {"deadlift": 2},
                   "drills": {"single_leg_hip_hinge": {"sessions": 3, "pain_during": 7,
                                                       "settled_next_morning": True}}},
                  store.baseline("same"))
    second = store.save_checkin(done, person="same", follows=first)
    for record_id in (first, second):
        r = store.get(record_id)
        assert r.summary == m0002.summary_of(r.kind, r.input, r.result, r.psfs)


# -- saving and reading ---------------------------------------------------------------------------
def test_a_record_carries_every_field_design_asks_for(store, results):
    from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint

    record_id = store.save_screening(results["hinge"], person="runner-17", psfs={"deadlift": 6},
                                     made_by="JS")
    r = store.get(record_id)
    assert (r.kind, r.mode, r.person, r.status, r.made_by, r.follows) == (
        "screening", "self", "runner-17", "new", "JS", None)
    assert r.hipscreen_version == hipscreen_version()
    assert r.knowledge_fingerprint == knowledge_fingerprint()
    assert r.input == results["hinge"].intake.model_dump(mode="json")
    assert r.result["triage"]["level"] == r.triage == "self_care"
    assert r.created_at.tzinfo is not None and r.psfs == {"deadlift": 6}


def test_the_queue_is_most_urgent_first_then_oldest_first(store, results):
    order = ["review", "hinge", "emergency", "urgent", "hinge", "emergency"]
    ids = [store.save_screening(results[name], person=f"p{i}") for i, name in enumerate(order)]
    rows = store.queue()
    assert [r.triage for r in rows] == ["emergency", "emergency", "urgent", "clinician_review",
                                        "self_care", "self_care"]
    assert [r.record_id for r in rows] == [ids[2], ids[5], ids[3], ids[0], ids[1], ids[4]]
    store.set_status(ids[2], "closed", by="JS")
    assert ids[2] not in [r.record_id for r in store.queue(status=["new", "reviewed"])]
    assert [r.record_id for r in store.queue(status="closed")] == [ids[2]]
    today = rows[0].created_at.date()
    assert len(store.queue(since=today, until=today)) == 6
    assert store.queue(since=today.replace(year=today.year + 1)) == []
    # pages: the same order, cut in pieces, and the count that goes with the filters
    assert [r.record_id for r in store.queue(limit=4)] == [r.record_id for r in rows[:4]]
    assert [r.record_id for r in store.queue(limit=4, offset=4)] == [r.record_id for r in rows[4:]]
    assert store.queue_count() == 6 and store.queue_count(status="closed") == 1
    with pytest.raises(RecordError, match="offset"):
        store.queue(offset=-1)


def test_history_and_checkins_follow_each_other(store, results):
    first = store.save_screening(results["hinge"], person="lifter", psfs={"deadlift": 6})
    base = store.baseline("lifter")
    assert base.record_id == first and base.psfs == {"deadlift": 6} and base.pain_worst_week == 4
    done = review({"safety": {}, "pain_now": 2, "pain_worst_week": 7, "drills": {
        "single_leg_hip_hinge": {"sessions": 4, "pain_during": 6, "settled_next_morning": True}}},
        base)
    second = store.save_checkin(done, person="lifter", follows=first)
    history = store.history("lifter")
    assert [(h.record_id, h.kind, h.follows) for h in history] == [
        (first, "screening", None), (second, "checkin", first)]
    assert history[1].summary["decisions"][0]["decision"] == "regress"
    assert history[1].summary["worse"] == ["pain_worst_week"]
    assert store.baseline("lifter").plan[0].drill == "kickstand_hinge"
    assert store.history("nobody-here") == []


def test_a_revision_is_a_new_record_and_the_original_is_unchanged(store, results):
    original = store.save_screening(results["hinge"], person="p-rev")
    before = store.get(original)
    measured = screen({**HINGE, "mode": "clinician",
                       "movement": {**HINGE["movement"], "hip_ir_degrees": {"left": 22, "right": 38}}})
    revision = store.save_revision(original, measured, made_by="AB", status="reviewed")
    after = store.get(original)
    assert (after.input, after.result) == (before.input, before.result)
    assert after.status == "reviewed"
    new = store.get(revision)
    assert (new.kind, new.follows, new.made_by, new.person) == ("revision", original, "AB", "p-rev")
    assert any(d["id"] == "hip_ir_control_deficit" for d in new.result["deficits"])
    (event,) = store.events(original)
    assert event.action == "status" and event.by == "AB"
    assert event.detail["from"] == "new" and event.detail["to"] == "reviewed"
    with pytest.raises(RecordError, match="initials"):
        store.save_revision(original, measured, made_by=None)


def test_deleting_is_explicit_and_logged(store, results):
    first = store.save_screening(results["hinge"], person="p-del")
    second = store.save_screening(results["urgent"], person="p-del")
    done = review({"safety": {}, "pain_now": 1, "pain_worst_week": 2}, store.baseline("p-del"))
    third = store.save_checkin(done, person="p-del", follows=second)
    store.delete(second, by="JS", reason="entered twice")
    assert [h.record_id for h in store.history("p-del")] == [first, third]
    assert store.get(third).follows is None  # the link goes, the content stays
    (event,) = store.events(second)
    assert event.action == "deleted" and event.by == "JS"
    assert event.detail["reason"] == "entered twice" and event.detail["triage"] == "urgent"
    with pytest.raises(RecordError, match="does not exist"):
        store.get(second)


@pytest.mark.parametrize("label", ["", " ", "a" * 61, "a/b", "<script>", "-lead"])
def test_a_person_label_is_pseudonymous_and_plain(tmp_path, results, label):
    with pytest.raises(RecordError, match="pseudonymous label"):
        RecordStore(tmp_path / "x.db").save_screening(results["hinge"], person=label)
    assert not (tmp_path / "x.db").exists()


# -- nothing written unless asked -----------------------------------------------------------------
def test_reading_never_creates_the_database_file(tmp_path, monkeypatch):
    """A read from a database that was never written is an error (never an empty answer that
    looks like "no records"), and creates nothing."""
    monkeypatch.delenv("HIPSCREEN_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = RecordStore()
    assert str(store.sqlite_path).startswith(str(tmp_path / "data"))
    assert store.revision() is None
    for read in (store.queue, lambda: store.history("x"), lambda: store.baseline("x"),
                 store.count, store.events, lambda: list(store.all_records())):
        with pytest.raises(MissingDatabase, match="does not exist.*save a screening first"):
            read()
    assert not (tmp_path / "data").exists()


def test_the_sqlite_file_is_private(tmp_path, results):
    path = tmp_path / "deep" / "records.sqlite3"
    RecordStore(path).save_screening(results["hinge"], person="p")
    assert path.stat().st_mode & 0o777 == 0o600


# -- two processes at once ------------------------------------------------------------------------
SAVER = textwrap.dedent("""
    import sys
    from hipscreen import screen
    from hipscreen.records import RecordStore
    url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = screen({"safety": {}, "age": 40, "movement": {"hip_shift": "left"}})
    store = RecordStore(url)
    sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
    for i in range(n):
        store.save_screening(result, person=f"{who}-{i}")
    print("done")
""")


def test_two_processes_saving_at_once_lose_nothing(db_url):
    """Both start on an empty database (both may race to create the schema), are released at the
    same moment, and save 20 records each."""
    n = 20
    race(SAVER, [(db_url, who, str(n)) for who in ("a", "b")], timeout=120)
    rows = RecordStore(db_url).queue()
    assert len(rows) == 2 * n
    assert len({r.record_id for r in rows}) == 2 * n
    assert {r.person for r in rows} == {f"{w}-{i}" for w in "ab" for i in range(n)}


# -- the commands -----------------------------------------------------------------------------------
def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    out = {}
    for name, data in (("hinge", HINGE), ("urgent", URGENT), ("emergency", EMERGENCY)):
        out[name] = tmp_path / f"{name}.yaml"
        out[name].write_text(yaml.safe_dump(data))
    out["checkin"] = tmp_path / "checkin.yaml"
    out["checkin"].write_text(yaml.safe_dump({"safety": {}, "pain_now": 1, "pain_worst_week": 3,
                                              "psfs": {"deadlift": 3}, "drills": {
        "single_leg_hip_hinge": {"sessions": 8, "pain_during": 1, "settled_next_morning": True,
                                 "too_easy": True}}}))
    out["red"] = tmp_path / "red.yaml"
    out["red"].write_text(yaml.safe_dump({"safety": {"saddle_numbness": True}, "pain_now": 1,
                                          "pain_worst_week": 3}))
    return out


def test_the_commands_save_check_in_list_and_export(capsys, files, db_url, tmp_path):
    code, out, err = run(capsys, "screen", files["hinge"], "--save", "--person", "lifter-1",
                         "--psfs", "deadlift=6", "--db", db_url, "--format", "json")
    assert code == 0, err
    first = json.loads(out)
    assert first["record_id"] == 1 and first["triage"]["level"] == "self_care"
    code, out, err = run(capsys, "screen", files["urgent"], "--save", "--db", db_url)
    assert code == 0 and "saved as record 2 for person 'person-" in err
    code, out, err = run(capsys, "checkin", files["checkin"], "--person", "lifter-1", "--db", db_url,
                         "--format", "json")
    assert code == 0, err
    reviewed = json.loads(out)
    assert reviewed["record_id"] == 3
    assert reviewed["triage"]["level"] == "clinician_review"  # deadlift 6 -> 3
    assert [d["decision"] for d in reviewed["decisions"]] == ["keep"]  # held: a clinician review awaits
    code, out, err = run(capsys, "checkin", files["red"], "--person", "lifter-1", "--db", db_url)
    assert code == 0 and "EMERGENCY" in out and "STOP" in out
    code, out, _ = run(capsys, "history", "--person", "lifter-1", "--db", db_url, "--format", "json")
    assert [(h["record_id"], h["kind"]) for h in json.loads(out)] == [
        (1, "screening"), (3, "checkin"), (4, "checkin")]
    code, out, _ = run(capsys, "queue", "--db", db_url, "--format", "json")
    queue = json.loads(out)
    assert [q["record_id"] for q in queue] == [4, 2, 3, 1]
    assert set(queue[0]) >= {"record_id", "person", "created_at", "triage", "status"}
    code, out, _ = run(capsys, "queue", "--db", db_url, "--limit", "2", "--offset", "1",
                       "--format", "json")
    assert [q["record_id"] for q in json.loads(out)] == [2, 3]  # a page of the same order
    code, out, _ = run(capsys, "queue", "--db", db_url)
    assert out.splitlines()[0].split()[:3] == ["record_id", "triage", "created_at"]
    code, out, _ = run(capsys, "show", "3", "--db", db_url)
    assert code == 0 and "HIPSCREEN CHECK-IN" in out and "follows record 1" in out
    code, out, _ = run(capsys, "status", "2", "referred", "--by", "JS", "--db", db_url)
    assert code == 0
    code, out, _ = run(capsys, "queue", "--db", db_url, "--status", "referred", "--format", "json")
    assert [q["record_id"] for q in json.loads(out)] == [2]
    # export: the intakes go straight back into batch
    exported = tmp_path / "intakes.csv"
    code, out, _ = run(capsys, "export", "--db", db_url, "-o", exported)
    assert code == 0 and "exported 2 intakes" in out
    screened = tmp_path / "screened.csv"
    assert run(capsys, "batch", exported, "-o", screened, "--jobs", "1")[0] == 0
    import pandas as pd

    back = pd.read_csv(screened, dtype=str, keep_default_na=False)
    assert back["id"].tolist() == ["1", "2"]
    assert back["triage"].tolist() == ["self_care", "urgent"]
    for suffix in (".jsonl", ".parquet"):
        code, out, _ = run(capsys, "export", "--db", db_url, "-o", tmp_path / f"r{suffix}",
                           "--what", "records")
        assert code == 0 and "exported 4 records" in out
    records = pd.read_parquet(tmp_path / "r.parquet")
    assert records["record_id"].tolist() == [1, 2, 3, 4]
    assert records.loc[2, "decisions"] == "single_leg_hip_hinge:keep"
    # deleting needs confirmation
    code, _, err = run(capsys, "delete", "2", "--by", "JS", "--db", db_url)
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "delete", "2", "--by", "JS", "--reason", "test", "--yes", "--db", db_url)
    assert code == 0 and "deleted (logged)" in out
    code, _, err = run(capsys, "show", "2", "--db", db_url)
    assert code == 2 and "record 2 does not exist" in err


def test_db_upgrade_and_status(capsys, db_url):
    code, out, _ = run(capsys, "db", "status", "--db", db_url)
    assert code == 0 and "(empty)" in out and "needs `hipscreen db upgrade`" in out
    code, out, _ = run(capsys, "db", "upgrade", "--db", db_url)
    assert code == 0 and "(empty) -> 0003" in out
    code, out, _ = run(capsys, "db", "status", "--db", db_url)
    assert "up to date" in out


def test_checkin_without_a_saved_record_says_what_to_do(capsys, files, tmp_path):
    db = tmp_path / "empty.sqlite3"
    code, _, err = run(capsys, "checkin", files["checkin"], "--person", "new-1", "--db", db)
    assert code == 2 and "save a screening first" in err
    assert not db.exists()


def test_the_environment_variable_chooses_the_database(capsys, files, tmp_path, monkeypatch):
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("HIPSCREEN_DATABASE_URL", f"sqlite:///{db}")
    assert run(capsys, "screen", files["hinge"], "--save", "--person", "e-1")[0] == 0
    assert RecordStore(str(db)).count() == 1


# -- passwords ------------------------------------------------------------------------------------
def test_a_password_never_appears_in_output_or_errors(capsys, files, pg_cluster, caplog):
    from sqlalchemy.engine import make_url

    real = make_url(new_pg_database(pg_cluster))
    secret = real.password
    wrong = real.set(password="Wr0ng-Pa55word").render_as_string(hide_password=False)
    right = real.render_as_string(hide_password=False)
    refused = real.set(port=1).render_as_string(hide_password=False)
    seen = []
    for argv in (["screen", files["hinge"], "--save", "--db", right],
                 ["queue", "--db", right], ["db", "status", "--db", right],
                 ["screen", files["hinge"], "--save", "--db", wrong], ["queue", "--db", wrong],
                 ["queue", "--db", refused], ["db", "upgrade", "--db", refused]):
        code, out, err = run(capsys, *argv)
        seen.append((code, out + err))
    text = "\n".join(t for _, t in seen) + caplog.text
    assert secret not in text and "Wr0ng-Pa55word" not in text
    assert [c for c, _ in seen] == [0, 0, 0, 1, 1, 1, 1]
    assert "***" in text and "password authentication failed" in text
    assert "Traceback" not in text


# -- the CLI: bounded history, one chain per person, reads never migrate ---------------------------
def test_history_shows_the_newest_page_and_says_how_to_page_back(capsys, files, tmp_path):
    db = tmp_path / "records.sqlite3"
    assert run(capsys, "screen", files["hinge"], "--save", "--person", "pager", "--psfs",
               "deadlift=6", "--db", db)[0] == 0
    for _ in range(6):  # each check-in follows the newest record
        code, _, err = run(capsys, "checkin", files["checkin"], "--person", "pager", "--db", db)
        assert code == 0, err
    code, out, _ = run(capsys, "history", "--person", "pager", "--db", db, "--format", "json")
    rows = json.loads(out)
    assert [r["record_id"] for r in rows] == list(range(1, 8))
    assert [r["follows"] for r in rows] == [None, 1, 2, 3, 4, 5, 6]
    code, out, err = run(capsys, "history", "--person", "pager", "--db", db, "--limit", "3",
                         "--format", "json")
    assert code == 0 and [r["record_id"] for r in json.loads(out)] == [5, 6, 7]
    assert "showing the newest 3 of 7 records; older: --before 5" in err
    code, out, err = run(capsys, "history", "--person", "pager", "--db", db, "--limit", "3",
                         "--before", "5")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == ["2", "3", "4"]
    assert "older: --before 2" in err
    code, out, err = run(capsys, "history", "--person", "pager", "--db", db, "--limit", "3",
                         "--before", "2")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == ["1"] and err == ""
    code, out, err = run(capsys, "history", "--person", "pager", "--db", db, "--all", "--limit", "2",
                         "--format", "json")
    assert code == 0 and len(json.loads(out)) == 7 and err == ""
    for bad in ("0", "-3", "x"):
        with pytest.raises(SystemExit) as caught:
            main(["history", "--person", "pager", "--db", str(db), "--limit", bad])
        assert caught.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_a_checkin_that_reports_a_drill_not_in_the_plan_saves_nothing(capsys, files, tmp_path):
    db = tmp_path / "records.sqlite3"
    assert run(capsys, "screen", files["hinge"], "--save", "--person", "p-9", "--db", db)[0] == 0
    bad = tmp_path / "bad-checkin.yaml"
    bad.write_text(yaml.safe_dump({"safety": {}, "pain_now": 1, "pain_worst_week": 2, "drills": {
        "hip_airplane": {"sessions": 3, "pain_during": 0, "settled_next_morning": True}}}))
    code, out, err = run(capsys, "checkin", bad, "--person", "p-9", "--db", db)
    assert code == 2 and out == ""
    assert f"{bad}: field 'drills.hip_airplane': not in the plan under review" in err
    assert RecordStore(db).count() == 1


def test_reading_an_old_schema_from_the_cli_says_to_upgrade(capsys, files, db_url, tmp_path):
    store = RecordStore(db_url)
    store.upgrade("0002")
    for argv in (["history", "--person", "p-1"], ["queue"], ["show", "1"],
                 ["export", "-o", tmp_path / "out.csv"],
                 ["checkin", files["checkin"], "--person", "p-1"]):
        code, _, err = run(capsys, *argv, "--db", db_url)
        assert code == 1, (argv, err)
        assert "schema revision 0002, this hipscreen needs 0003; run `hipscreen db upgrade`" in err
    assert store.revision() == "0002" and not (tmp_path / "out.csv").exists()
    code, out, _ = run(capsys, "db", "upgrade", "--db", db_url)
    assert code == 0 and "0002 -> 0003" in out
    code, out, _ = run(capsys, "queue", "--db", db_url)
    assert code == 0 and out.strip() == "(no records)"
