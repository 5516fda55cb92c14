"""Documented case files: read and validate them, run them against the rule base, report.

files.py is the case-file model and its reading; outcome.py screens one case and diffs it against
its expectations; runner.py runs a folder with coverage; baseline.py saves runs and compares
them; report.py renders a report as a table, Markdown or JUnit.

A case file (docs/design.md, "Case files") is one YAML document: ``id`` (also the file stem),
``title``, ``story``, ``source``, ``intake`` (exactly what `Intake` accepts) and ``expect``
(``triage`` required; ``deficits``, ``not_deficits``, ``drills``, ``not_drills`` optional).

`hipscreen cases [PATH ...]` (default ``cases/``: `default_cases_dir()`, ./cases, else the
checkout's cases/, else the documented cases installed with the package):

* loads every ``*.yaml`` / ``*.yml`` file under the paths; an invalid file (bad YAML, unknown
  key, unknown deficit or drill id, intake that fails validation, id that is not the file
  stem) is reported with the file, the field and what was expected, and the others still run;
* screens each valid case and diffs expected against actual field by field; a missing deficit
  or drill carries the rule base's own why-not explanation (`Result.why_not`);
* reports triage agreement: how many screened cases get exactly the expected triage, and
  which are under-triaged (less urgent than expected) or over-triaged (more urgent);
* reports coverage: the rules each case fires, how many cases fire each rule, and what no case
  reaches (rules, red-flag rows, deficits, drills, precautions, triage levels);
* ``--save FILE`` writes every case's actual outcome (`SavedRun`, JSON); ``--baseline FILE``
  compares this run against such a file, case by case (triage, deficits, drills);
* ``--format table|json|markdown|junit``; the JSON document is the `CaseReport` model;
* exit code 0 when every case passes, 1 when any fails, 2 when any file is invalid.
"""

from hipscreen.cases.baseline import (
    BaselineComparison,
    CaseChange,
    SavedRun,
    compare_outcomes,
    compare_runs,
    load_run,
    save_run,
    saved_run,
)
from hipscreen.cases.files import (
    CASE_SUFFIXES,
    DEFAULT_PATH,
    EXIT_FAIL,
    EXIT_INVALID,
    EXIT_PASS,
    CaseError,
    CaseFile,
    Expect,
    checkout_cases_dir,
    default_cases_dir,
    discover,
    load_case,
    load_case_text,
    shipped_cases_dir,
)
from hipscreen.cases.outcome import CaseResult, Difference, Outcome, differences, run_case
from hipscreen.cases.report import (
    case_frame,
    coverage_frame,
    render,
    render_junit,
    render_markdown,
    render_table,
    summary_line,
    triage_frame,
    triage_line,
    triage_lines,
)
from hipscreen.cases.runner import (
    CaseReport,
    Coverage,
    Summary,
    TriageAgreement,
    TriageMiss,
    coverage,
    run_cases,
    triage_agreement,
)

__all__ = [
    "CASE_SUFFIXES", "DEFAULT_PATH", "EXIT_FAIL", "EXIT_INVALID", "EXIT_PASS",
    "BaselineComparison", "CaseChange", "CaseError", "CaseFile", "CaseReport", "CaseResult",
    "Coverage", "Difference", "Expect", "Outcome", "SavedRun", "Summary", "TriageAgreement",
    "TriageMiss",
    "case_frame", "checkout_cases_dir", "compare_outcomes", "compare_runs", "coverage",
    "coverage_frame", "default_cases_dir", "differences", "discover", "load_case",
    "load_case_text", "load_run", "render", "render_junit", "render_markdown", "render_table",
    "run_case", "run_cases", "save_run", "saved_run", "shipped_cases_dir",
    "summary_line", "triage_agreement", "triage_frame", "triage_line", "triage_lines",
]
