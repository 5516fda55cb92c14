"""review(checkin, baseline) -> Review: a check-in run through the rule base against the previous
record (docs/design.md "Follow-up: check-ins and records").

The previous record is a `Baseline`: the plan under review, the worst pain and the PSFS scores it
holds. It comes from a screening's Result (`Baseline.of_result`), from an earlier Review
(`Baseline.of_review`), or from a saved record. The check-in's answers become facts (its safety
questions as the intake's, so the safety rules triage them exactly as at the first screening; one
fact per tried drill and per sign felt; each score against the previous one), the same engine
runs, and the review stage (rules/review.py) decides per drill and builds the next plan. As with
a screening, nothing here concludes anything: the Review only reads the engine's facts.

By job: this module turns a check-in into facts and runs the engine; `review_model` holds the
models, `review_reading` reads the run's conclusions into a Review, `review_explain` says why a
decision was (not) made, `review_words` holds the review's words and its text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.checkin import CheckIn, psfs_key
from hipscreen.review_explain import decision_how, how, why_not  # noqa: F401  (the public API)
from hipscreen.review_model import (  # noqa: F401  (the public API: read from here)
    Baseline,
    Decision,
    DrillDecisionItem,
    PlannedDrill,
    Review,
    ScoreChange,
    Side,
)
from hipscreen.review_reading import read_review
from hipscreen.review_words import (  # noqa: F401  (the public API: read from here)
    DECISION_WORDS,
    KEEP_GOING_ACTION,
    NO_PLAN_NOTE,
    REVIEW_PLAN_NOTE,
    SIDES,
    SIGN_WORDS,
    WORSE_ACTION,
    WORSE_NOTE,
    is_worse_note,
    review_text,
    threshold_words,
)


# -- from the check-in to facts -------------------------------------------------------------
class CheckInMismatch(ValueError):
    """A check-in that does not fit the plan under review; `problems` are (field, what)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"field '{f}': {w}" for f, w in problems))
        self.problems = problems

    def lines(self, where: str) -> list[str]:
        return [f"{where}: field '{field}': {what}" for field, what in self.problems]


def plan_problems(checkin: CheckIn, baseline: Baseline) -> list[tuple[str, str]]:
    """Drills the check-in reports that are not in the plan under review."""
    planned = [p.drill for p in baseline.plan] if baseline.drills_allowed else []
    expected = (f"expected one of the plan under review: {', '.join(planned)}" if planned
                else "the plan under review has no drills, so leave 'drills' out")
    return [(f"drills.{drill}", f"not in the plan under review; {expected}")
            for drill in checkin.drills if drill not in planned]


def checkin_facts(checkin: CheckIn, baseline: Baseline) -> list:
    from hipscreen.rules.facts import Change, DrillReport, Felt, UnderReview, answer
    from hipscreen.screening import fields_the_rules_read

    facts = []
    for name, value in checkin.safety:
        if value is None:  # never asked: not a "no" (the safety rules then give no plan)
            facts.append(answer("safety.not_asked", value=name))
        elif value is True or (name == "hip_surgery" and value != "none"):
            facts.append(answer(f"safety.{name}", value=value))
    facts += [answer("symptoms.pain_now", value=checkin.pain_now),
              answer("symptoms.pain_worst_week", value=checkin.pain_worst_week)]
    if baseline.age is not None:
        facts.append(answer("age", value=baseline.age))
    read = fields_the_rules_read()
    facts = [f for f in facts if f["field"] in read]
    if baseline.drills_allowed:
        drills = catalogue().drills
        facts += [UnderReview(drill=p.drill, side=p.side,
                              harder=drills[p.drill].progresses_to or p.drill)
                  for p in baseline.plan]
    for drill, report in checkin.drills.items():
        facts.append(DrillReport(drill=drill, sessions=report.sessions, pain_during=report.pain_during,
                                 settled_next_morning=report.settled_next_morning,
                                 too_easy=report.too_easy))
        facts += [Felt(drill=drill, sign=sign) for sign in report.felt]
    if baseline.pain_worst_week is not None:
        before, now = baseline.pain_worst_week, checkin.pain_worst_week
        facts.append(Change(measure="pain_worst_week", activity=None, before=before, now=now,
                            worse_by=now - before))
    earlier = {psfs_key(k): v for k, v in baseline.psfs.items()}
    for key, (name, now) in checkin.psfs_by_key().items():
        if key in earlier:
            facts.append(Change(measure="psfs", activity=name, before=earlier[key], now=now,
                                worse_by=earlier[key] - now))
    return facts


def review(checkin: CheckIn | dict[str, Any], baseline: Baseline, *, today: dt.date | None = None
           ) -> Review:
    """Review one check-in against the previous record. Raise CheckInMismatch when it reports a
    drill that is not in the plan under review."""
    from hipscreen.screening import engine

    if not isinstance(checkin, CheckIn):
        checkin = CheckIn.model_validate(checkin)
    problems = plan_problems(checkin, baseline)
    if problems:
        raise CheckInMismatch(problems)
    eng = engine()
    eng.reset()
    eng.declare(*checkin_facts(checkin, baseline))
    eng.run()
    return read_review(checkin, baseline, eng, checkin.date or today or dt.date.today())

