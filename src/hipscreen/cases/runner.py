"""Run every case file under some paths: pass/fail, rule coverage, the whole report."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from hipscreen.cases.baseline import BaselineComparison, SavedRun, compare_runs, saved_run
from hipscreen.cases.files import (
    EXIT_FAIL,
    EXIT_INVALID,
    EXIT_PASS,
    CaseError,
    StrictModel,
    default_cases_dir,
    discover,
    load_case,
)
from hipscreen.cases.outcome import CaseResult, run_case
from hipscreen.documents import MAX_BYTES, clip
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.result import TRIAGE_ORDER, TriageLevel
from hipscreen.rules.registry import rules


# -- coverage ------------------------------------------------------------------------------
class RuleCoverage(StrictModel):
    rule: str
    stage: str
    cases: int = Field(description="How many cases fire this rule")
    case_ids: list[str]


class Coverage(StrictModel):
    """Which parts of the knowledge base the screened cases reach (Drools-style scenario
    coverage): every rule with the cases that fire it, and what no case reaches."""

    cases_screened: int
    rules: list[RuleCoverage]
    rules_never_fired: list[str]
    red_flags_never_raised: list[str]
    deficits_never_concluded: list[str]
    drills_never_planned: list[str]
    precautions_never_applied: list[str]
    triage_levels_never_reached: list[str]


def coverage(results: Sequence[CaseResult]) -> Coverage:
    screened = [r for r in results if r.outcome is not None]
    cat = catalogue()
    table = []
    for info in rules().values():
        ids = [r.id for r in screened if info.id in r.rules_fired]
        table.append(RuleCoverage(rule=info.id, stage=info.stage, cases=len(ids), case_ids=ids))

    def never(known: Iterable[str], reached: Iterable[str]) -> list[str]:
        seen = set(reached)
        return [k for k in known if k not in seen]

    outcomes = [r.outcome for r in screened]
    return Coverage(
        cases_screened=len(screened), rules=table,
        rules_never_fired=[row.rule for row in table if row.cases == 0],
        red_flags_never_raised=never(cat.red_flags, (f for o in outcomes for f in o.red_flags)),
        deficits_never_concluded=never(cat.deficits, (d for o in outcomes for d in o.deficit_ids())),
        drills_never_planned=never(cat.drills, (d for o in outcomes for d in o.drill_ids())),
        precautions_never_applied=never(cat.precautions,
                                        (p for o in outcomes for p in o.precautions)),
        triage_levels_never_reached=never(TRIAGE_ORDER, (o.triage for o in outcomes)))


# -- triage agreement ----------------------------------------------------------------------
class TriageMiss(StrictModel):
    """A case whose actual triage is not the expected one."""

    id: str
    file: str
    expected: TriageLevel
    actual: TriageLevel


class TriageAgreement(StrictModel):
    """Expected against actual triage over the screened cases (pass or fail; an invalid file or a
    crash has no actual triage). Most urgent first: emergency > urgent > clinician_review >
    self_care. Under-triaged: the actual level is less urgent than expected (the unsafe miss);
    over-triaged: more urgent than expected."""

    compared: int = Field(description="Screened cases with an expected and an actual triage")
    agree: int = Field(description="Cases whose actual triage is exactly the expected one")
    under_triaged: int = Field(description="Cases triaged less urgently than expected")
    over_triaged: int = Field(description="Cases triaged more urgently than expected")
    under_triaged_cases: list[TriageMiss] = []
    over_triaged_cases: list[TriageMiss] = []


def triage_agreement(results: Sequence[CaseResult]) -> TriageAgreement:
    """Count exact triage agreement, under- and over-triage over the screened cases."""
    rank = TRIAGE_ORDER.index  # 0 = emergency, the most urgent
    agree, under, over = 0, [], []
    compared = [r for r in results if r.outcome is not None and r.expected_triage is not None]
    for r in compared:
        expected, actual = r.expected_triage, r.outcome.triage
        if actual == expected:
            agree += 1
            continue
        miss = TriageMiss(id=r.id, file=r.file, expected=expected, actual=actual)
        (under if rank(actual) > rank(expected) else over).append(miss)
    return TriageAgreement(compared=len(compared), agree=agree, under_triaged=len(under),
                           over_triaged=len(over), under_triaged_cases=under,
                           over_triaged_cases=over)


# -- the whole run -------------------------------------------------------------------------
class Summary(StrictModel):
    total: int
    passed: int
    failed: int = Field(description="Cases whose outcome differs from the expectation")
    errors: int = Field(description="Cases whose screening raised")
    invalid: int = Field(description="Files or paths that could not be used")
    seconds: float = Field(description="Wall time of loading and screening every case")
    exit_code: Literal[0, 1, 2]


class CaseReport(StrictModel):
    """The JSON document of `hipscreen cases --format json`.

    `cases` holds one `CaseResult` per case file (status pass, fail, error or invalid) and one
    per unusable path; `triage` compares expected with actual triage (exact agreement, under-
    and over-triage); `coverage` is computed from the screened cases; `baseline` is present
    when the run was compared with a saved one (--baseline).
    """

    paths: list[str]
    summary: Summary
    triage: TriageAgreement
    cases: list[CaseResult]
    coverage: Coverage
    baseline: BaselineComparison | None = None


def run_cases(paths: Sequence[str | Path] = (), *, only: Sequence[str] = (),
              baseline: SavedRun | None = None, baseline_name: str = "baseline",
              max_bytes: int = MAX_BYTES) -> CaseReport:
    """Load, validate and run every case file under `paths` (none: `default_cases_dir()`);
    `only` restricts to those ids."""
    start = time.perf_counter()
    paths = list(paths) or [default_cases_dir()]
    files, problems = discover(paths)
    results: list[CaseResult] = [
        CaseResult(id=path.stem or str(path), file=str(path), status="invalid", errors=[message])
        for path, message in problems]
    if only:
        files = [f for f in files if f.stem in set(only)]
        missing = sorted(set(only) - {f.stem for f in files})
        results += [CaseResult(id=case_id, file="", status="invalid",
                               errors=[f"--only {case_id}: no case file {case_id}.yaml under "
                                       f"{', '.join(map(str, paths))}"]) for case_id in missing]
    seen: dict[str, Path] = {}
    for path in files:
        try:
            case = load_case(path, max_bytes=max_bytes)
        except CaseError as exc:
            results.append(CaseResult(id=path.stem, file=str(path), status="invalid",
                                      errors=str(exc).splitlines()))
            continue
        except Exception as exc:  # a guard: one unreadable file never aborts the others
            results.append(CaseResult(id=path.stem, file=str(path), status="invalid", errors=[
                f"{path}: cannot be read ({type(exc).__name__}: {clip(str(exc))})"]))
            continue
        if case.id in seen:
            results.append(CaseResult(
                id=case.id, file=str(path), status="invalid",
                errors=[f"{path}: field 'id': {case.id!r} is also the id of {seen[case.id]}; "
                        "expected a unique id"]))
            continue
        seen[case.id] = path
        results.append(run_case(case, path))
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "error", "invalid")}
    code = EXIT_INVALID if counts["invalid"] else EXIT_FAIL if counts["fail"] + counts["error"] \
        else EXIT_PASS
    comparison = None
    if baseline is not None:
        comparison = compare_runs(baseline, saved_run(results), baseline_name=baseline_name,
                                  partial=bool(only))
    return CaseReport(
        paths=[str(p) for p in paths], cases=results, triage=triage_agreement(results),
        coverage=coverage(results),
        baseline=comparison,
        summary=Summary(total=len(results), passed=counts["pass"], failed=counts["fail"],
                        errors=counts["error"], invalid=counts["invalid"],
                        seconds=round(time.perf_counter() - start, 4), exit_code=code))


