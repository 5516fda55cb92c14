"""Documented case files: load and validate them, run them against the rule base, report.

A case file (DESIGN.md, "Case files") is one YAML document: ``id`` (also the file stem),
``title``, ``story``, ``source``, ``intake`` (exactly what `Intake` accepts) and ``expect``
(``triage`` required; ``deficits``, ``not_deficits``, ``drills``, ``not_drills`` optional).

`hipscreen cases [PATH ...]` (default ``cases/``):

* loads every ``*.yaml`` / ``*.yml`` file under the paths; an invalid file (bad YAML, unknown
  key, unknown deficit or drill id, intake that fails validation, id that is not the file
  stem) is reported with the file, the field and what was expected, and the others still run;
* screens each valid case and diffs expected against actual field by field; a missing deficit
  or drill carries the rule base's own why-not explanation (`Result.why_not`);
* reports coverage: the rules each case fires, how many cases fire each rule, and what no case
  reaches (rules, red-flag rows, deficits, drills, precautions, triage levels);
* ``--save FILE`` writes every case's actual outcome (`SavedRun`, JSON); ``--baseline FILE``
  compares this run against such a file, case by case (triage, deficits, drills);
* ``--format table|json|markdown|junit``; the JSON document is the `CaseReport` model;
* exit code 0 when every case passes, 1 when any fails, 2 when any file is invalid.
"""

from __future__ import annotations

import argparse
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from hipscreen.documents import (
    MAX_BYTES,
    InputError,
    clip,
    describe_validation_error,
    load_json,
    load_mapping,
    read_text,
    shorten,
)
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Intake
from hipscreen.rules.registry import rules
from hipscreen.screening.result import TRIAGE_ORDER, Result, TriageLevel

if TYPE_CHECKING:  # pandas is imported where a table is built: JSON and JUnit runs skip it
    import pandas as pd

CASE_SUFFIXES = (".yaml", ".yml")
DEFAULT_PATH = "cases"
SAVED_RUN_FORMAT = "hipscreen-case-outcomes"
MAX_SAVED_RUN_BYTES = 100_000_000  # a saved run holds every case's outcome: bigger than one file

EXIT_PASS, EXIT_FAIL, EXIT_INVALID = 0, 1, 2
STOPPING_LEVELS = ("emergency", "urgent")  # DESIGN.md "Safety": no drills at these levels


class CaseError(Exception):
    """A case file, path or saved run cannot be used; the message names where and why."""


# -- the case file model ---------------------------------------------------------------------
def _known_id(kind: str):
    def check(value: str) -> str:
        known = getattr(catalogue(), kind)
        if value not in known:
            raise ValueError(f"unknown {kind[:-1]} id {value!r}; expected one of: "
                             f"{', '.join(sorted(known))}")
        return value

    return check


DeficitId = Annotated[str, AfterValidator(_known_id("deficits"))]
DrillId = Annotated[str, AfterValidator(_known_id("drills"))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    """What must follow from a case's intake. Only `triage` is required."""

    triage: TriageLevel = Field(description="The exact triage level")
    deficits: list[DeficitId] = Field(
        default_factory=list, description="Each must be concluded (likely or possible)")
    not_deficits: list[DeficitId] = Field(
        default_factory=list, description="None of these may be concluded")
    drills: list[DrillId] = Field(default_factory=list, description="Each must be in the plan")
    not_drills: list[DrillId] = Field(
        default_factory=list, description="None of these may be in the plan")

    @model_validator(mode="after")
    def _not_both(self) -> Expect:
        for kind in ("deficits", "drills"):
            both = sorted(set(getattr(self, kind)) & set(getattr(self, f"not_{kind}")))
            if both:
                raise ValueError(f"{', '.join(both)} cannot be both in {kind} and in not_{kind}")
        if self.drills and self.triage in STOPPING_LEVELS:
            raise ValueError(f"drills: no drill is ever planned at {self.triage} (a red flag at "
                             "that level stops the plan), so this case could never pass; expected "
                             "no drills, or move them to not_drills")
        return self


class CaseFile(_Strict):
    """One documented case, as written in cases/*.yaml."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Unique; also the file stem")
    # A documented case has all three; they are optional so that a held-out case file that
    # leaves one out still runs (nothing is concluded from them).
    title: str | None = Field(None, min_length=1)
    story: str | None = Field(None, min_length=1, description="The documented case, in words")
    source: str | None = Field(None, min_length=1, description="Article section or guideline row")
    intake: Intake
    expect: Expect


def load_case_text(text: str, name: str | Path, *, max_bytes: int = MAX_BYTES) -> CaseFile:
    """Validate a case file's text; `name` is its file name (the id must equal its stem). Raise
    CaseError naming the file, the field and what was expected. Used for files and uploads."""
    try:
        data = load_mapping(text, str(name), max_bytes=max_bytes,
                            expected=f"case-file keys ({', '.join(CaseFile.model_fields)})")
    except InputError as exc:
        raise CaseError(str(exc)) from None
    try:
        case = CaseFile.model_validate(data)
    except ValidationError as exc:
        raise CaseError(describe_validation_error(exc, str(name), CaseFile)) from None
    stem = Path(name).stem
    if case.id != stem:
        raise CaseError(f"{name}: field 'id': expected the file stem {shorten(stem)} "
                        f"(got {shorten(case.id)})")
    return case


def load_case(path: Path, *, max_bytes: int = MAX_BYTES) -> CaseFile:
    """Read and validate one case file; raise CaseError naming the file, field and expectation."""
    try:
        text = read_text(path, max_bytes=max_bytes)
    except InputError as exc:
        raise CaseError(str(exc)) from None
    return load_case_text(text, path, max_bytes=max_bytes)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Case files under the paths (files, or directories searched recursively), and problems
    (a path that does not exist, a directory without case files) as (path, message)."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())
            if not found:
                problems.append((path, f"{path}: no case files (*.yaml, *.yml) in this directory"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append((path, f"{path}: no such file or directory"))
    unique = {p.resolve(): p for p in reversed(files)}  # first mention wins, as given
    return list(reversed(unique.values())), problems


# -- outcomes, differences and results -------------------------------------------------------
class DeficitOutcome(_Strict):
    id: str
    side: str
    confidence: str
    certainty: float


class DrillOutcome(_Strict):
    drill: str
    side: str
    variant: str
    replaces: str | None = None


class Outcome(_Strict):
    """What the rule base concluded for one case: the fields a case file can expect, plus the
    red flags and precautions behind them."""

    triage: TriageLevel
    red_flags: list[str] = []
    deficits: list[DeficitOutcome] = []
    drills: list[DrillOutcome] = []
    precautions: list[str] = []

    @classmethod
    def of(cls, result: Result) -> Outcome:
        return cls(
            triage=result.triage.level,
            red_flags=[f.id for f in result.triage.red_flags],
            deficits=[DeficitOutcome(id=d.id, side=d.side, confidence=d.confidence,
                                     certainty=d.certainty) for d in result.deficits],
            drills=[DrillOutcome(drill=p.drill, side=p.side, variant=p.variant,
                                 replaces=p.replaces) for p in result.plan],
            precautions=[p.id for p in result.precautions])

    def deficit_ids(self) -> list[str]:
        return list(dict.fromkeys(d.id for d in self.deficits))

    def drill_ids(self) -> list[str]:
        return [d.drill for d in self.drills]


class Difference(_Strict):
    """One expectation the actual outcome does not meet."""

    field: Literal["triage", "deficits", "not_deficits", "drills", "not_drills"]
    id: str | None = Field(None, description="The deficit or drill id, for the list fields")
    expected: str
    actual: str
    headline: str = Field(description="Expected vs actual, short")
    message: str = Field(description="The headline with the why-not (or why) explanation")
    explanation: str | None = Field(
        None, description="Why not (a missing id) or why (an unexpected one), from the rule base")


class CaseResult(_Strict):
    """The outcome of one case file."""

    id: str = Field(description="The case id (the file stem for an invalid file)")
    file: str
    title: str | None = None
    status: Literal["pass", "fail", "invalid", "error"] = Field(
        description="invalid: the file did not validate; error: screening raised")
    differences: list[Difference] = []
    errors: list[str] = Field(default_factory=list,
                              description="Validation problems, or the screening error")
    outcome: Outcome | None = None
    rules_fired: list[str] = Field(default_factory=list,
                                   description="Distinct rules fired, in firing order")
    seconds: float = 0.0


def _deficit_text(outcome: Outcome, deficit: str) -> str:
    parts = [f"{d.confidence} on {d.side} (certainty {d.certainty:g})"
             for d in outcome.deficits if d.id == deficit]
    return "; ".join(parts)


def _why_not(result: Result, conclusion: str) -> str:
    try:
        return result.why_not(conclusion).summary
    except Exception as exc:  # an explanation failure must not hide the case's verdict
        return f"(no explanation: {type(exc).__name__}: {exc})"


def _difference(field: str, headline: str, expected: str, actual: str, *,
                id: str | None = None, why: str | None = None, joiner: str = "why not") -> Difference:
    message = f"{headline} — {joiner}: {why}" if why else headline
    return Difference(field=field, id=id, expected=expected, actual=actual, headline=headline,
                      message=message, explanation=why)


def differences(expect: Expect, result: Result) -> list[Difference]:
    """Field-level expected-vs-actual differences of one screened case."""
    outcome = Outcome.of(result)
    diffs: list[Difference] = []
    if outcome.triage != expect.triage:
        flags = "; ".join(f"{f.id} ({f.level})" for f in result.triage.red_flags)
        diffs.append(_difference(
            "triage", f"expected triage {expect.triage}, got {outcome.triage}", expect.triage,
            outcome.triage, why=flags or "no red flag met", joiner="red flags"))
    deficits, drills = outcome.deficit_ids(), outcome.drill_ids()
    for deficit in expect.deficits:
        if deficit not in deficits:
            diffs.append(_difference(
                "deficits", f"missing deficit {deficit}", "concluded", "not concluded",
                id=deficit, why=_why_not(result, deficit)))
    for deficit in expect.not_deficits:
        if deficit in deficits:
            shown = _deficit_text(outcome, deficit)
            evidence = sorted({r for d in result.deficits if d.id == deficit for r in d.evidence})
            diffs.append(_difference(
                "not_deficits", f"unexpected deficit {deficit}: {shown}", "not concluded",
                shown, id=deficit, why=", ".join(evidence), joiner="evidence from"))
    for drill in expect.drills:
        if drill not in drills:
            diffs.append(_difference(
                "drills", f"missing drill {drill}", "in the plan", "not in the plan", id=drill,
                why=_why_not(result, drill)))
    for drill in expect.not_drills:
        for item in result.plan:
            if item.drill == drill:
                shown = f"{item.variant} on {item.side}" + (
                    f", replacing {item.replaces}" if item.replaces else "")
                diffs.append(_difference(
                    "not_drills", f"unexpected drill {drill} in the plan ({shown})",
                    "not in the plan", shown, id=drill, why=", ".join(item.serves) or None,
                    joiner="serves"))
    return diffs


def run_case(case: CaseFile, path: Path | str) -> CaseResult:
    """Screen one validated case and compare it with its expectations."""
    from hipscreen.screening.engine import screen

    start = time.perf_counter()
    try:
        result = screen(case.intake)
        diffs = differences(case.expect, result)
    except Exception as exc:  # a crash of one case is reported, the others still run
        return CaseResult(id=case.id, file=str(path), title=case.title, status="error",
                          errors=[f"{type(exc).__name__}: {clip(str(exc))}"],
                          seconds=time.perf_counter() - start)
    return CaseResult(
        id=case.id, file=str(path), title=case.title, status="fail" if diffs else "pass",
        differences=diffs, outcome=Outcome.of(result),
        rules_fired=list(dict.fromkeys(result.rules_fired)), seconds=time.perf_counter() - start)


# -- coverage ------------------------------------------------------------------------------
class RuleCoverage(_Strict):
    rule: str
    stage: str
    cases: int = Field(description="How many cases fire this rule")
    case_ids: list[str]


class Coverage(_Strict):
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


# -- saved runs and the baseline comparison -----------------------------------------------
class SavedRun(_Strict):
    """`--save FILE`: every case's actual outcome, to compare a later rule base against."""

    format: Literal["hipscreen-case-outcomes"] = SAVED_RUN_FORMAT
    version: Literal[1] = 1
    saved_at: str = Field(description="UTC time of the run, ISO 8601")
    outcomes: dict[str, Outcome] = Field(description="Case id -> its actual outcome")


class CaseChange(_Strict):
    """What changed for one case between the baseline run and this one."""

    id: str
    change: Literal["changed", "new", "removed"] = Field(
        description="new: not in the baseline; removed: in the baseline but not run now")
    triage: str | None = Field(None, description="'before -> after' when the triage changed")
    deficits_added: list[str] = []
    deficits_removed: list[str] = []
    deficits_changed: list[str] = Field(
        default_factory=list, description="Same deficit, other side, confidence or certainty")
    drills_added: list[str] = []
    drills_removed: list[str] = []
    drills_changed: list[str] = Field(
        default_factory=list, description="Same drill, other side or variant")

    def lines(self) -> list[str]:
        if self.change != "changed":
            return ["new case, not in the baseline" if self.change == "new"
                    else "in the baseline, not run now"]
        out = [f"triage {self.triage}"] if self.triage else []
        for label, values in (("deficits added", self.deficits_added),
                              ("deficits removed", self.deficits_removed),
                              ("deficits changed", self.deficits_changed),
                              ("drills added", self.drills_added),
                              ("drills removed", self.drills_removed),
                              ("drills changed", self.drills_changed)):
            if values:
                out.append(f"{label}: {', '.join(values)}")
        return out


class BaselineComparison(_Strict):
    baseline: str = Field(description="The saved run compared against")
    cases_compared: int
    unchanged: int
    changes: list[CaseChange]


def _deficit_key(outcome: Outcome) -> dict[str, str]:
    by_id: dict[str, list[str]] = {}
    for d in outcome.deficits:
        by_id.setdefault(d.id, []).append(f"{d.side} {d.confidence} {d.certainty:g}")
    return {k: ", ".join(sorted(v)) for k, v in by_id.items()}


def _drill_key(outcome: Outcome) -> dict[str, str]:
    return {d.drill: f"{d.side} {d.variant}" for d in outcome.drills}


def _diff_maps(before: dict[str, str], after: dict[str, str]):
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    changed = [f"{k} ({before[k]} -> {after[k]})" for k in after
               if k in before and before[k] != after[k]]
    return added, removed, changed


def compare_outcomes(before: Outcome, after: Outcome, case_id: str) -> CaseChange | None:
    """The change of one case between two outcomes, or None when nothing the case file can
    expect (triage, deficits, drills) changed."""
    d_add, d_rem, d_chg = _diff_maps(_deficit_key(before), _deficit_key(after))
    p_add, p_rem, p_chg = _diff_maps(_drill_key(before), _drill_key(after))
    triage = f"{before.triage} -> {after.triage}" if before.triage != after.triage else None
    if not (triage or d_add or d_rem or d_chg or p_add or p_rem or p_chg):
        return None
    return CaseChange(id=case_id, change="changed", triage=triage, deficits_added=d_add,
                      deficits_removed=d_rem, deficits_changed=d_chg, drills_added=p_add,
                      drills_removed=p_rem, drills_changed=p_chg)


def compare_runs(baseline: SavedRun, current: SavedRun, *, baseline_name: str = "baseline",
                 partial: bool = False) -> BaselineComparison:
    """Case by case, what changed from `baseline` to `current`. With `partial` (an --only
    run) cases of the baseline that were not run now are not reported as removed."""
    changes: list[CaseChange] = []
    compared = unchanged = 0
    for case_id, after in current.outcomes.items():
        before = baseline.outcomes.get(case_id)
        if before is None:
            changes.append(CaseChange(id=case_id, change="new"))
            continue
        compared += 1
        change = compare_outcomes(before, after, case_id)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    if not partial:
        changes += [CaseChange(id=case_id, change="removed")
                    for case_id in baseline.outcomes if case_id not in current.outcomes]
    return BaselineComparison(baseline=baseline_name, cases_compared=compared,
                              unchanged=unchanged, changes=changes)


def saved_run(results: Sequence[CaseResult]) -> SavedRun:
    return SavedRun(saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    outcomes={r.id: r.outcome for r in results if r.outcome is not None})


def save_run(results: Sequence[CaseResult], path: Path | str) -> SavedRun:
    run = saved_run(results)
    try:
        Path(path).write_text(run.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CaseError(f"{path}: cannot write the saved run ({exc.strerror})") from None
    return run


def load_run(path: Path | str) -> SavedRun:
    """Read a file written by --save; raise CaseError when it is missing or not such a file."""
    try:
        data = load_json(read_text(path, max_bytes=MAX_SAVED_RUN_BYTES), str(path),
                         max_bytes=MAX_SAVED_RUN_BYTES)
    except InputError as exc:
        raise CaseError(f"cannot read the baseline: {exc}") from None
    try:
        return SavedRun.model_validate(data)
    except ValidationError as exc:
        first = describe_validation_error(exc, str(path), SavedRun).splitlines()[0]
        raise CaseError(f"not a saved case run (written by `hipscreen cases --save`): "
                        f"{first}") from None


# -- the whole run -------------------------------------------------------------------------
class Summary(_Strict):
    total: int
    passed: int
    failed: int = Field(description="Cases whose outcome differs from the expectation")
    errors: int = Field(description="Cases whose screening raised")
    invalid: int = Field(description="Files or paths that could not be used")
    seconds: float = Field(description="Wall time of loading and screening every case")
    exit_code: Literal[0, 1, 2]


class CaseReport(_Strict):
    """The JSON document of `hipscreen cases --format json`.

    `cases` holds one `CaseResult` per case file (status pass, fail, error or invalid) and one
    per unusable path; `coverage` is computed from the screened cases; `baseline` is present
    when the run was compared with a saved one (--baseline).
    """

    paths: list[str]
    summary: Summary
    cases: list[CaseResult]
    coverage: Coverage
    baseline: BaselineComparison | None = None


def run_cases(paths: Sequence[str | Path] = (DEFAULT_PATH,), *, only: Sequence[str] = (),
              baseline: SavedRun | None = None, baseline_name: str = "baseline",
              max_bytes: int = MAX_BYTES) -> CaseReport:
    """Load, validate and run every case file under `paths`; `only` restricts to those ids."""
    start = time.perf_counter()
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
        paths=[str(p) for p in paths], cases=results, coverage=coverage(results),
        baseline=comparison,
        summary=Summary(total=len(results), passed=counts["pass"], failed=counts["fail"],
                        errors=counts["error"], invalid=counts["invalid"],
                        seconds=round(time.perf_counter() - start, 4), exit_code=code))


# -- rendering -----------------------------------------------------------------------------
def case_frame(report: CaseReport) -> pd.DataFrame:
    """One row per case: id, result, rules fired, and the differences or problems."""
    import pandas as pd

    rows = []
    for r in report.cases:
        detail = [d.headline for d in r.differences] + r.errors
        rows.append({"case": r.id, "result": r.status, "rules fired": len(r.rules_fired),
                     "expected vs actual": " | ".join(detail)})
    return pd.DataFrame(rows, columns=["case", "result", "rules fired", "expected vs actual"])


def coverage_frame(report: CaseReport) -> pd.DataFrame:
    """One row per rule: its stage and how many cases fire it."""
    import pandas as pd

    return pd.DataFrame([{"rule": c.rule, "stage": c.stage, "cases": c.cases}
                         for c in report.coverage.rules], columns=["rule", "stage", "cases"])


def baseline_frame(report: CaseReport) -> pd.DataFrame:
    """One row per changed case: what changed since the baseline."""
    import pandas as pd

    changes = report.baseline.changes if report.baseline else []
    return pd.DataFrame([{"case": c.id, "change": "; ".join(c.lines())} for c in changes],
                        columns=["case", "change"])


def _uncovered(report: CaseReport) -> list[tuple[str, list[str]]]:
    cov = report.coverage
    return [("rules no case fires", cov.rules_never_fired),
            ("red-flag rows no case raises", cov.red_flags_never_raised),
            ("deficits no case concludes", cov.deficits_never_concluded),
            ("drills no case plans", cov.drills_never_planned),
            ("precautions no case applies", cov.precautions_never_applied),
            ("triage levels no case reaches", cov.triage_levels_never_reached)]


def _summary_line(report: CaseReport) -> str:
    s = report.summary
    return (f"{s.total} case files: {s.passed} passed, {s.failed} failed, {s.errors} errors, "
            f"{s.invalid} invalid ({s.seconds:.2f} s)")


def _failure_details(report: CaseReport) -> list[str]:
    lines = []
    for r in report.cases:
        if r.status == "pass":
            continue
        lines.append(f"{r.id} ({r.file}): {r.status}")
        lines += [f"  - {d.message}" for d in r.differences]
        lines += [f"  - {e}" for e in r.errors]
    return lines


def _to_string(frame: pd.DataFrame) -> str:
    """A DataFrame as plain text, text columns aligned left."""
    import pandas as pd

    if frame.empty:
        return "(none)"
    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            text = frame[column].astype(str)
            width = max(int(text.str.len().max()), len(str(column)))
            frame[column] = text.str.ljust(width)
            frame = frame.rename(columns={column: str(column).ljust(width)})
    return "\n".join(line.rstrip() for line in frame.to_string(index=False).splitlines())


def render_table(report: CaseReport, *, show_coverage: bool = True) -> str:
    out = [_to_string(case_frame(report)), ""]
    details = _failure_details(report)
    if details:
        out += ["Failures and invalid files:", *details, ""]
    if show_coverage:
        out += ["Coverage: cases firing each rule", _to_string(coverage_frame(report)), ""]
    for label, missing in _uncovered(report):
        out.append(f"{label}: {', '.join(missing) if missing else 'none'}")
    if report.baseline is not None:
        b = report.baseline
        out += ["", f"Compared with {b.baseline}: {b.cases_compared} cases compared, "
                    f"{b.unchanged} unchanged, {len(b.changes)} changed",
                _to_string(baseline_frame(report))]
    out += ["", _summary_line(report)]
    return "\n".join(out)


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a DataFrame (pandas' to_markdown needs tabulate)."""
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def render_markdown(report: CaseReport, *, show_coverage: bool = True) -> str:
    out = ["# Case suite", "", _summary_line(report), "", markdown_table(case_frame(report)), ""]
    details = _failure_details(report)
    if details:
        out += ["## Failures and invalid files", "", "```", *details, "```", ""]
    if show_coverage:
        out += ["## Coverage", "", markdown_table(coverage_frame(report)), ""]
    out += [f"- {label}: {', '.join(missing) if missing else 'none'}"
            for label, missing in _uncovered(report)]
    if report.baseline is not None:
        b = report.baseline
        out += ["", f"## Changes since {b.baseline}", "",
                f"{b.cases_compared} cases compared, {b.unchanged} unchanged, "
                f"{len(b.changes)} changed.", ""]
        if b.changes:
            out.append(markdown_table(baseline_frame(report)))
    return "\n".join(out) + "\n"


def render_junit(report: CaseReport) -> str:
    """JUnit XML: one <testcase> per case file; a difference is a <failure>, an invalid file or
    a screening crash an <error>. Coverage gaps are <properties> of the suite."""
    s = report.summary
    failures = s.failed
    errors = s.errors + s.invalid
    suites = ET.Element("testsuites", name="hipscreen cases", tests=str(s.total),
                        failures=str(failures), errors=str(errors), time=f"{s.seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="cases", tests=str(s.total),
                          failures=str(failures), errors=str(errors), skipped="0",
                          time=f"{s.seconds:.3f}",
                          timestamp=datetime.now(UTC).isoformat(timespec="seconds"))
    props = ET.SubElement(suite, "properties")
    for label, missing in _uncovered(report):
        ET.SubElement(props, "property", name=label, value=", ".join(missing) or "none")
    for r in report.cases:
        case = ET.SubElement(suite, "testcase", name=r.id, classname="cases",
                             file=r.file, time=f"{r.seconds:.4f}")
        if r.status == "fail":
            node = ET.SubElement(case, "failure", type="ExpectationMismatch",
                                 message=r.differences[0].message)
            node.text = "\n".join(d.message for d in r.differences)
        elif r.status in ("invalid", "error"):
            kind = "InvalidCaseFile" if r.status == "invalid" else "ScreeningError"
            node = ET.SubElement(case, "error", type=kind, message=r.errors[0])
            node.text = "\n".join(r.errors)
        if r.rules_fired:
            ET.SubElement(case, "system-out").text = "rules fired: " + ", ".join(r.rules_fired)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render(report: CaseReport, fmt: str, *, show_coverage: bool = True) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(report, show_coverage=show_coverage)
    if fmt == "junit":
        return render_junit(report)
    return render_table(report, show_coverage=show_coverage) + "\n"


# -- the subcommand --------------------------------------------------------------------------
def command(args: argparse.Namespace) -> int:
    """Run `hipscreen cases`; return the exit code."""
    try:
        baseline = load_run(args.baseline) if args.baseline else None
        report = run_cases(args.paths or [DEFAULT_PATH], only=args.only or (),
                           baseline=baseline, baseline_name=args.baseline or "baseline",
                           max_bytes=args.max_bytes)
        if args.save:
            save_run(report.cases, args.save)
    except CaseError as exc:
        print(f"hipscreen cases: {exc}", file=sys.stderr)
        return EXIT_INVALID
    text = render(report, args.format, show_coverage=not args.no_coverage)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"hipscreen cases: {args.output}: cannot write the report ({exc.strerror})",
                  file=sys.stderr)
            return EXIT_INVALID
        print(_summary_line(report))
    else:
        sys.stdout.write(text)
    return report.summary.exit_code


def register(subparsers) -> None:
    """Add `cases` to the hipscreen command group."""
    p = subparsers.add_parser(
        "cases", help="Run documented case files against the rule base.",
        description="Run documented case files (DESIGN.md 'Case files'): pass/fail with "
                    "expected-vs-actual differences, rule coverage, and the changes since a "
                    "saved run. Exit 0 all pass, 1 any fails, 2 any file invalid.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=f"Case files or directories (searched recursively); default {DEFAULT_PATH}/")
    p.add_argument("--format", choices=("table", "json", "markdown", "junit"), default="table",
                   help="table for people (default), json (the CaseReport model), markdown, "
                        "or junit XML for CI")
    p.add_argument("--only", action="append", metavar="ID",
                   help="Run only the case with this id (repeatable)")
    p.add_argument("--save", metavar="FILE",
                   help="Write every case's actual outcome to FILE (JSON) for a later --baseline")
    p.add_argument("--baseline", metavar="FILE",
                   help="Compare with a run saved by --save: what changed, case by case")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="Write the report to FILE instead of standard output")
    p.add_argument("--no-coverage", action="store_true",
                   help="Leave the per-rule coverage table out (gaps are still listed)")
    p.add_argument("--max-bytes", type=int, default=MAX_BYTES, metavar="N",
                   help=f"Mark a case file larger than N bytes invalid (default {MAX_BYTES:,})")
    p.set_defaults(func=command)
