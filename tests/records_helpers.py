"""What the record-store tests share: the intakes they save, a fresh PostgreSQL database on the
throwaway cluster (the `pg_cluster` and `db_url` fixtures, and the app's `db`, are in
tests/conftest.py), the app's record pages, and a race of processes released at the same moment."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HINGE = {"safety": {}, "age": 41, "activities": ["lifting"],
         "symptoms": {"pain_now": 2, "pain_worst_week": 4, "worse_with": ["bending_lifting"]},
         "movement": {"hinge_faults": ["back_rounds"]}}
URGENT = {"age": 50, "safety": {"fever_or_unwell": True}}
EMERGENCY = {"age": 50, "safety": {"saddle_numbness": True}}
REVIEW = {"age": 50, "safety": {"osteoporosis_or_steroids": True}}
RECORD_PAGES = ("pages/checkin.py", "pages/progress.py", "pages/queue.py")  # the app's, sign-in only


def new_pg_database(cluster: str) -> str:
    """The URL of a new, empty database on the throwaway cluster at `cluster`."""
    from hipscreen.records.throwaway import create_database

    return create_database(cluster, f"t_{uuid.uuid4().hex[:12]}")


def race(script: str, argvs: Sequence[Sequence[str]], *, timeout: float) -> list[str]:
    """Run `python -c script ARGV...` once per argv, all started first; each prints "ready" and
    waits for a line on stdin, and all are released at the same moment. Return each one's
    standard output, asserting that it exited 0 and printed "done"."""
    procs = [subprocess.Popen([sys.executable, "-c", script, *argv], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for argv in argvs]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0 and "done" in out, err
        outputs.append(out)
    return outputs
