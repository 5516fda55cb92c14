"""Benchmark the record store: saving one screening (median, SQLite and PostgreSQL), listing a
queue of 10,000 records, a person's history of 100 check-ins, and the first page of the history
of a person with 5,000 check-ins (what Progress and `history` show first).

    uv run python benchmarks/records.py                  # SQLite, and a throwaway PostgreSQL
    uv run python benchmarks/records.py --pg URL         # an existing PostgreSQL instead
    uv run python benchmarks/records.py --no-pg

Targets (issue 11): save <= 10 ms median on SQLite; queue of 10,000 <= 300 ms; history <= 50 ms.
Issue 18: the first page (50 records) of a history of 5,000 check-ins < 1 s, also in a process
that has not opened the database yet ("cold": connect, check the schema, read); the whole
unpaged history of 5,000 is shown for comparison.
Every record holds a real screening (its whole Result with the trace, about 25 kB of JSON), as a
saved record would. The throwaway PostgreSQL cluster runs with fsync and synchronous commit on,
as a clinic's would.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGETS = {"save_sqlite": 10.0, "queue_sqlite": 300.0, "queue_postgresql": 300.0,
           "history_sqlite": 50.0, "history_postgresql": 50.0,
           "page_sqlite": 1000.0, "page_postgresql": 1000.0,
           "page_cold_sqlite": 1000.0, "page_cold_postgresql": 1000.0}


def _ms(seconds: float) -> float:
    return seconds * 1000


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(_ms(time.perf_counter() - start))
    return out


def _fill_queue(store, result, n: int) -> None:
    """n saved records, inserted in one transaction (as n saves would leave them), across the
    four triage levels and statuses."""
    import datetime as dt

    from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint
    from hipscreen.knowledge.catalogue import TRIAGE_ORDER
    from hipscreen.records.models import STATUSES, records
    from hipscreen.records.store import summary_of_result

    given, data = result.intake.model_dump(mode="json"), result.model_dump(mode="json")
    summary = summary_of_result(result, None)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [dict(created_at=start + dt.timedelta(minutes=i), kind="screening", mode="self",
                 person=f"queue-{i}", input=given, result=data, triage=TRIAGE_ORDER[i % 4],
                 triage_rank=i % 4, status=STATUSES[i % 4], follows=None, made_by=None,
                 hipscreen_version=hipscreen_version(), knowledge_fingerprint=knowledge_fingerprint(),
                 psfs=None, summary=summary) for i in range(n)]
    with store._write() as conn:
        for chunk in range(0, n, 1000):
            conn.execute(records.insert(), rows[chunk:chunk + 1000])


def _fill_checkins(store, person: str, done, n: int) -> None:
    """n check-ins for one person, each following the one before (as n check-ins would leave
    them), inserted in one transaction: every one holds the same reviewed check-in."""
    import datetime as dt

    from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint
    from hipscreen.knowledge.catalogue import TRIAGE_ORDER
    from hipscreen.records.models import records
    from hipscreen.records.store import summary_of_review

    row = dict(kind="checkin", mode="self", person=person,
               input=done.checkin.model_dump(mode="json"), result=done.model_dump(mode="json"),
               triage=done.triage.level, triage_rank=TRIAGE_ORDER.index(done.triage.level),
               status="new", made_by=None, hipscreen_version=hipscreen_version(),
               knowledge_fingerprint=knowledge_fingerprint(), psfs=None,
               summary=summary_of_review(done))
    follows = store.latest(person)[0]
    with store._write() as conn:
        for _ in range(n):
            follows = conn.execute(records.insert().values(
                created_at=dt.datetime.now(dt.UTC), follows=follows, **row)
                .returning(records.c.id)).scalar_one()


def bench_pages(url: str, name: str, args, checkin) -> dict[str, float]:
    """The first page of the history of a person with args.long check-ins."""
    from hipscreen.records import RecordStore, dispose_engines
    from hipscreen.review import review

    store = RecordStore(url)
    person = "progress-long"
    store.check_in(checkin, person=person)  # one real check-in; the others repeat its review
    done = review(checkin, store.baseline(person))
    _fill_checkins(store, person, done, args.long - 1)
    assert store.count(person) == args.long + 1
    cold = []
    for _ in range(5):
        dispose_engines()  # as a new process (the CLI, a fresh app session) finds it
        start = time.perf_counter()
        page = RecordStore(url).history_page(person, limit=50)
        cold.append(_ms(time.perf_counter() - start))
    assert len(page.rows) == 50 and page.before is not None
    warm = _timed(lambda: store.history_page(person, limit=50), 20)
    whole = _timed(lambda: store.history(person), 3)
    return {f"page_{name}": statistics.median(warm), f"page_cold_{name}": statistics.median(cold),
            f"whole_{name}": statistics.median(whole)}


def bench(url: str, name: str, args, result, checkin) -> dict[str, float]:
    from hipscreen.records import RecordStore
    from hipscreen.review import review

    store = RecordStore(url)
    store.upgrade()
    store.save_screening(result, person="warm-up")
    saves = _timed(lambda: store.save_screening(result, person="bench"), args.saves)
    figures = {f"save_{name}": statistics.median(saves),
               f"save_{name}_p95": sorted(saves)[int(len(saves) * 0.95) - 1]}
    person = "history-1"
    first = store.save_screening(result, person=person, psfs={"running 5 km": 5})
    follows = first
    for _ in range(args.checkins):
        done = review(checkin, store.baseline(person))
        follows = store.save_checkin(done, person=person, follows=follows)
    history = _timed(lambda: store.history(person), 30)
    assert len(store.history(person)) == args.checkins + 1
    figures[f"history_{name}"] = statistics.median(history)
    _fill_queue(store, result, args.queue - store.count())
    queue = _timed(lambda: store.queue(), 10)
    assert len(store.queue()) == args.queue
    figures[f"queue_{name}"] = statistics.median(queue)
    figures[f"queue_new_{name}"] = statistics.median(_timed(lambda: store.queue(status="new"), 10))
    store.save_screening(result, person="progress-long", psfs={"running 5 km": 5})
    figures |= bench_pages(url, name, args, checkin)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="screenings saved for the median")
    parser.add_argument("--queue", type=int, default=10_000, help="records in the queue")
    parser.add_argument("--checkins", type=int, default=100, help="check-ins in the history")
    parser.add_argument("--long", type=int, default=5_000,
                        help="check-ins of the person whose first history page is timed")
    parser.add_argument("--pg", metavar="URL", help="an existing PostgreSQL database to use")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)

    from hipscreen import screen
    from hipscreen.records import dispose_engines
    from hipscreen.records.throwaway import NoPostgres, throwaway_postgres

    result = screen({"safety": {}, "age": 34, "activities": ["running"],
                     "symptoms": {"pain_now": 3, "pain_worst_week": 5, "keeps_coming_back": True,
                                  "locations": ["low_back_right"], "worse_with": ["after_leg_day"]},
                     "movement": {"hip_shift": "right", "hinge_faults": ["back_rounds"]}})
    checkin = {"safety": {}, "pain_now": 2, "pain_worst_week": 4, "psfs": {"running 5 km": 5},
               "drills": {"single_leg_stability": {"sessions": 9, "pain_during": 1,
                                                   "settled_next_morning": True}}}
    print(f"one record: {len(result.model_dump_json()):,} bytes of result JSON")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures |= bench(f"sqlite:///{tmp}/records.sqlite3", "sqlite", args, result, checkin)
    if not args.no_pg:
        try:
            with (contextlib.nullcontext(args.pg) if args.pg
                  else throwaway_postgres(fsync=True)) as url:
                if not args.pg:
                    from hipscreen.records.throwaway import create_database

                    url = create_database(url, "bench")
                figures |= bench(url, "postgresql", args, result, checkin)
                dispose_engines()
        except NoPostgres as exc:
            print(f"PostgreSQL: skipped ({exc})")
    rows = [("save one screening, SQLite, median", "save_sqlite"),
            ("save one screening, SQLite, p95", "save_sqlite_p95"),
            ("save one screening, PostgreSQL, median", "save_postgresql"),
            ("save one screening, PostgreSQL, p95", "save_postgresql_p95"),
            (f"queue of {args.queue:,} records, SQLite, median", "queue_sqlite"),
            (f"queue of {args.queue:,} records, PostgreSQL, median", "queue_postgresql"),
            (f"queue, status 'new' only ({args.queue // 4:,}), SQLite", "queue_new_sqlite"),
            (f"queue, status 'new' only ({args.queue // 4:,}), PostgreSQL", "queue_new_postgresql"),
            (f"history of {args.checkins} check-ins, SQLite, median", "history_sqlite"),
            (f"history of {args.checkins} check-ins, PostgreSQL, median", "history_postgresql"),
            (f"first page (50) of {args.long:,} check-ins, SQLite", "page_sqlite"),
            (f"first page (50) of {args.long:,} check-ins, PostgreSQL", "page_postgresql"),
            ("  same, new process (connect + schema), SQLite", "page_cold_sqlite"),
            ("  same, new process (connect + schema), PostgreSQL", "page_cold_postgresql"),
            (f"whole history of {args.long:,}, unpaged, SQLite", "whole_sqlite"),
            (f"whole history of {args.long:,}, unpaged, PostgreSQL", "whole_postgresql")]
    print(f"\n{'figure':<52} {'ms':>9}  target")
    for label, key in rows:
        if key in figures:
            target = TARGETS.get(key)
            verdict = "" if target is None else f"<= {target:g} ms " + (
                "ok" if figures[key] <= target else "MISSED")
            print(f"{label:<52} {figures[key]:>9.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
