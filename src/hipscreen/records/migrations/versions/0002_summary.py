"""A summary per record (scores, plan, decisions), so history and check-ins read no whole result.

Revision ID: 0002
Revises: 0001

Records written before this revision get their summary computed here from their input and
result, as they were stored; the code below reads only the JSON keys that revision 0001's
hipscreen wrote, so it never depends on today's models.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def summary_of(kind: str, given: dict, result: dict, psfs: dict | None) -> dict:
    """The summary of one stored record (the store writes the same for a new one)."""
    if kind == "checkin":
        pain_now, worst = given.get("pain_now"), given.get("pain_worst_week")
        scores = dict(given.get("psfs") or {})
        last = dict((result.get("baseline") or {}).get("psfs") or {})
        for name, score in scores.items():
            for old in [k for k in last if " ".join(k.split()).casefold()
                        == " ".join(name.split()).casefold()]:
                del last[old]
            last[name] = score
        age = (result.get("baseline") or {}).get("age")
    else:
        symptoms = given.get("symptoms") or {}
        pain_now, worst = symptoms.get("pain_now", 0), symptoms.get("pain_worst_week", 0)
        scores = dict(psfs or {})
        last = dict(scores)
        age = given.get("age")
    triage = result.get("triage") or {}
    return {
        "pain_now": pain_now, "pain_worst_week": worst, "psfs": scores, "psfs_last": last,
        "age": age,  # the screening's age, carried to each check-in (age-dependent red flags)
        "plan": [{"drill": p["drill"], "side": p["side"]} for p in result.get("plan") or []],
        "drills_allowed": bool(triage.get("drills_allowed", True)),
        "decisions": [{"drill": d["drill"], "decision": d["decision"], "to": d.get("to"),
                       "text": d.get("text", "")} for d in result.get("decisions") or []],
        "worse": [f"psfs:{c['activity']}" if c.get("activity") else c["measure"]
                  for c in result.get("changes") or [] if c.get("worse")],
    }


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("summary", sa.JSON, nullable=True))
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                       sa.column("input", sa.JSON), sa.column("result", sa.JSON),
                       sa.column("psfs", sa.JSON), sa.column("summary", sa.JSON))
    bind = op.get_bind()
    rows = bind.execute(sa.select(records.c.id, records.c.kind, records.c.input,
                                  records.c.result, records.c.psfs)).all()
    for row in rows:
        bind.execute(records.update().where(records.c.id == row.id).values(
            summary=summary_of(row.kind, row.input, row.result, row.psfs)))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("summary")
