"""`hipscreen export`: saved records as a table (CSV, JSONL or Parquet, by the file extension).

* ``intakes`` (the default): one row per saved screening or revision, ``id`` = the record id,
  then every intake column exactly as `hipscreen batch` reads them (`batch.row_from_intake`), so
  the file goes straight back into `hipscreen batch`.
* ``records``: one row per record of any kind: its metadata (who, when, status, version,
  knowledge fingerprint, the record it follows), its scores, plan and decisions.

The records are read before anything is written: a database that does not exist (or an older
schema) is an error and no file is made. The table is written atomically and owner-only (0600),
like the database (`hipscreen.outfile`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hipscreen.records.store import RecordStore

RECORD_COLUMNS = ("record_id", "created_at", "kind", "mode", "person", "triage", "status",
                  "follows", "made_by", "hipscreen_version", "knowledge_fingerprint", "pain_now",
                  "pain_worst_week", "psfs", "worse", "plan", "decisions")


def _intake_rows(store: RecordStore) -> list[dict[str, str]]:
    from hipscreen.batch import ID_COLUMN, row_from_intake
    from hipscreen.knowledge.intake import Intake

    rows = []
    for record in store.all_records():
        if record.kind in ("screening", "revision"):
            rows.append({ID_COLUMN: str(record.id), **row_from_intake(Intake.model_validate(record.input))})
    return rows


def _record_rows(store: RecordStore) -> list[dict[str, object]]:
    rows = []
    for record in store.all_records():
        s = record.summary
        rows.append({
            "record_id": record.id, "created_at": record.created_at.isoformat(),
            "kind": record.kind, "mode": record.mode, "person": record.person,
            "triage": record.triage, "status": record.status,
            "follows": "" if record.follows is None else str(record.follows),
            "made_by": record.made_by or "", "hipscreen_version": record.hipscreen_version,
            "knowledge_fingerprint": record.knowledge_fingerprint,
            "pain_now": s.get("pain_now"), "pain_worst_week": s.get("pain_worst_week"),
            "psfs": ";".join(f"{k}={v}" for k, v in (s.get("psfs") or {}).items()),
            "worse": ";".join(s.get("worse") or []),
            "plan": ";".join(f"{p['drill']}:{p['side']}" for p in s.get("plan") or []),
            "decisions": ";".join(f"{d['drill']}:{d['decision']}" for d in s.get("decisions") or []),
        })
    return rows


def export_records(store: RecordStore, path: str | Path, *, what: str = "intakes") -> int:
    """Write the table; return how many rows. Raises BatchInputError for a bad output path."""
    from hipscreen.batch import COLUMN_NAMES, ID_COLUMN, write_table

    if what == "intakes":
        rows = _intake_rows(store)
        frame = pd.DataFrame(rows, columns=[ID_COLUMN, *COLUMN_NAMES], dtype="string")
    else:
        rows = _record_rows(store)
        frame = pd.DataFrame(rows, columns=list(RECORD_COLUMNS))
    # health data: owner only, like the database; never written over the database file itself
    write_table(frame, path, inputs=[store.sqlite_path], private=True)
    return len(rows)
