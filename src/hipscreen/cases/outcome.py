"""What the rule base concluded for one case, and how it differs from the case's expectations."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from pydantic import Field

from hipscreen.cases.files import CaseFile, Expect, StrictModel
from hipscreen.documents import clip
from hipscreen.explain import why_not
from hipscreen.result import Result, TriageLevel
from hipscreen.review import Review
from hipscreen.review import why_not as review_why_not


# -- outcomes, differences and results -------------------------------------------------------
class DeficitOutcome(StrictModel):
    id: str
    side: str
    confidence: str
    certainty: float


class DrillOutcome(StrictModel):
    drill: str
    side: str
    variant: str
    replaces: str | None = None


class Outcome(StrictModel):
    """What the rule base concluded for one case: the fields a case file can expect, plus the
    red flags and precautions behind them."""

    triage: TriageLevel
    red_flags: list[str] = []
    deficits: list[DeficitOutcome] = []
    drills: list[DrillOutcome] = []
    precautions: list[str] = []
    decisions: dict[str, str] = Field(
        default_factory=dict, description="Check-in cases: drill under review -> its decision")
    worse: list[str] = Field(
        default_factory=list, description="Check-in cases: the scores found worse (pain_worst_week, "
                                          "psfs:<activity>)")

    @classmethod
    def of_review(cls, review: Review) -> Outcome:
        """What a check-in's review concluded; `drills` is the updated plan."""
        return cls(
            triage=review.triage.level, red_flags=[f.id for f in review.triage.red_flags],
            drills=[DrillOutcome(drill=p.drill, side=p.side, variant=p.variant,
                                 replaces=p.replaces) for p in review.plan],
            precautions=[p.id for p in review.precautions],
            decisions={d.drill: d.decision for d in review.decisions},
            worse=[f"psfs:{c.activity}" if c.activity else c.measure for c in review.worse()])

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


class Difference(StrictModel):
    """One expectation the actual outcome does not meet."""

    field: Literal["triage", "deficits", "not_deficits", "drills", "not_drills", "decisions",
                   "worse"]
    id: str | None = Field(None, description="The deficit or drill id, for the list fields")
    expected: str
    actual: str
    headline: str = Field(description="Expected vs actual, short")
    message: str = Field(description="The headline with the why-not (or why) explanation")
    explanation: str | None = Field(
        None, description="Why not (a missing id) or why (an unexpected one), from the rule base")


class CaseResult(StrictModel):
    """The outcome of one case file."""

    id: str = Field(description="The case id (the file stem for an invalid file)")
    file: str
    title: str | None = None
    expected_triage: TriageLevel | None = Field(
        None, description="The case file's expected triage (None when the file did not validate)")
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
        return why_not(result, conclusion).summary
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


def review_differences(expect: Expect, review: Review) -> list[Difference]:
    """Field-level expected-vs-actual differences of one reviewed check-in case."""
    outcome = Outcome.of_review(review)
    diffs: list[Difference] = []
    if outcome.triage != expect.triage:
        why = "; ".join([f"{f.id} ({f.level})" for f in review.triage.red_flags]
                        + [c.text() for c in review.worse()]) or "no red flag met, nothing worse"
        diffs.append(_difference(
            "triage", f"expected triage {expect.triage}, got {outcome.triage}", expect.triage,
            outcome.triage, why=why, joiner="because"))
    for drill, decision in expect.decisions.items():
        actual = outcome.decisions.get(drill)
        if actual != decision:
            diffs.append(_difference(
                "decisions", f"expected {drill}: {decision}, got {actual or 'not under review'}",
                decision, actual or "not under review", id=drill,
                why=_explained(lambda d=drill, e=decision: review_why_not(review, e, drill=d).summary)))
    drills = outcome.drill_ids()
    for drill in expect.drills:
        if drill not in drills:
            diffs.append(_difference(
                "drills", f"missing drill {drill} in the updated plan", "in the plan",
                "not in the plan", id=drill,
                why=_explained(lambda d=drill: review_why_not(review, d).summary)))
    for drill in expect.not_drills:
        if drill in drills:
            diffs.append(_difference(
                "not_drills", f"unexpected drill {drill} in the updated plan", "not in the plan",
                "in the plan", id=drill, why=_explained(lambda d=drill: review_why_not(review, d).summary),
                joiner="why"))
    if expect.worse is not None and expect.worse != bool(outcome.worse):
        shown = ", ".join(c.text() for c in review.changes) or "nothing to compare with"
        diffs.append(_difference(
            "worse", f"expected worse: {str(expect.worse).lower()}, got "
                     f"{str(bool(outcome.worse)).lower()}", str(expect.worse).lower(),
            str(bool(outcome.worse)).lower(), why=shown, joiner="scores"))
    return diffs


def _explained(explain) -> str:
    try:
        return explain()
    except Exception as exc:  # an explanation failure must not hide the case's verdict
        return f"(no explanation: {type(exc).__name__}: {exc})"


def review_case(case: CaseFile) -> Review:
    """Screen the case's intake, review its earlier check-ins in order, then its check-in.
    Raise CheckInMismatch (with fields under 'checkin' or 'earlier_checkins.N') when a check-in
    reports a drill that is not in the plan it reviews."""
    from hipscreen.review import Baseline, CheckInMismatch, review
    from hipscreen.screening import screen

    baseline = Baseline.of_result(screen(case.intake), psfs=case.psfs)
    steps = [(f"earlier_checkins.{i}", c) for i, c in enumerate(case.earlier_checkins)]
    for where, checkin in [*steps, ("checkin", case.checkin)]:
        try:
            done = review(checkin, baseline)
        except CheckInMismatch as exc:
            raise CheckInMismatch([(f"{where}.{f}", w) for f, w in exc.problems]) from None
        baseline = Baseline.of_review(done)
    return done


def run_case(case: CaseFile, path: Path | str) -> CaseResult:
    """Screen one validated case (or review its check-in) and compare with its expectations."""
    from hipscreen.review import CheckInMismatch
    from hipscreen.screening import screen

    start = time.perf_counter()
    common = {"id": case.id, "file": str(path), "title": case.title,
              "expected_triage": case.expect.triage}
    try:
        if case.checkin is not None:
            review = review_case(case)
            diffs, outcome = review_differences(case.expect, review), Outcome.of_review(review)
            fired = review.rules_fired
        else:
            result = screen(case.intake)
            diffs, outcome = differences(case.expect, result), Outcome.of(result)
            fired = result.rules_fired
    except CheckInMismatch as exc:
        return CaseResult(**common, status="invalid", errors=exc.lines(str(path)),
                          seconds=time.perf_counter() - start)
    except Exception as exc:  # a crash of one case is reported, the others still run
        return CaseResult(**common, status="error",
                          errors=[f"{type(exc).__name__}: {clip(str(exc))}"],
                          seconds=time.perf_counter() - start)
    return CaseResult(**common, status="fail" if diffs else "pass", differences=diffs,
                      outcome=outcome, rules_fired=list(dict.fromkeys(fired)),
                      seconds=time.perf_counter() - start)

