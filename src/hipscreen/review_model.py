"""The check-in review's models: the Baseline it compares with, score changes, decisions, Review."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hipscreen.i18n import N_, Words, _
from hipscreen.knowledge.checkin import CheckIn, psfs_key
from hipscreen.result import (
    DISCLAIMER,
    PlanItem,
    PrecautionApplied,
    Result,
    TraceStep,
    Triage,
    check_no_plan_when_stopped,
)

Side = Literal["left", "right", "both"]
Decision = Literal["progress", "keep", "regress", "stop"]
MEASURE_WORDS = Words({"pain_worst_week": N_("worst pain of the last week")})
"""A score's name in `ScoreChange.text` (a PSFS activity is named by the person)."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedDrill(_Out):
    drill: str
    side: Side


class Baseline(_Out):
    """What a check-in is compared with: the previous record's plan, worst pain and PSFS."""

    kind: Literal["screening", "checkin"] = "screening"
    record_id: int | None = Field(None, description="The saved record, when there is one")
    plan: list[PlannedDrill] = Field(default_factory=list, description="The plan under review")
    drills_allowed: bool = True
    pain_worst_week: int | None = Field(None, ge=0, le=10)
    psfs: dict[str, int] = Field(default_factory=dict, description=(
        "The last score of each PSFS activity named so far"))
    age: int | None = Field(None, ge=8, le=110, description=(
        "The person's age at the screening, so that red flags that depend on age (a broken hip "
        "at 65+, a child's hip) are triaged at a check-in as at the screening"))

    @classmethod
    def of_result(cls, result: Result, *, psfs: dict[str, int] | None = None,
                  record_id: int | None = None) -> Baseline:
        """The baseline a screening leaves: its plan, its worst pain, the PSFS named at saving."""
        return cls(kind="screening", record_id=record_id,
                   plan=[PlannedDrill(drill=p.drill, side=p.side) for p in result.plan],
                   drills_allowed=result.triage.drills_allowed,
                   pain_worst_week=result.intake.symptoms.pain_worst_week, psfs=dict(psfs or {}),
                   age=result.intake.age)

    @classmethod
    def of_review(cls, review: Review, *, record_id: int | None = None) -> Baseline:
        """The baseline a check-in leaves: the updated plan, its scores (a PSFS activity it did
        not score keeps its last score)."""
        psfs = dict(review.baseline.psfs)
        for name, score in review.checkin.psfs.items():
            for old in [k for k in psfs if psfs_key(k) == psfs_key(name)]:
                del psfs[old]
            psfs[name] = score
        return cls(kind="checkin", record_id=record_id,
                   plan=[PlannedDrill(drill=p.drill, side=p.side) for p in review.plan],
                   drills_allowed=review.triage.drills_allowed,
                   pain_worst_week=review.checkin.pain_worst_week, psfs=psfs,
                   age=review.baseline.age)


class ScoreChange(_Out):
    """A check-in score against the previous record's."""

    measure: Literal["pain_worst_week", "psfs"]
    activity: str | None = None
    before: int
    now: int
    worse_by: int = Field(description="Points worse (up for pain, down for PSFS); negative when better")
    worse: bool = Field(description="Worse by a change that matters (a rule concluded it)")

    def text(self) -> str:
        what = (_("PSFS '{activity}'", activity=self.activity) if self.activity
                else MEASURE_WORDS[self.measure])
        sign = "+" if self.now >= self.before else ""
        return f"{what}: {self.before} -> {self.now} ({sign}{self.now - self.before})"


class DrillDecisionItem(_Out):
    """What the review decided for one drill of the plan under review, and why."""

    drill: str
    name: str
    side: Side
    decision: Decision
    to: str | None = Field(None, description="The drill of the next plan; None when stopped")
    to_name: str | None = None
    tried: bool
    reasons: list[str] = Field(description="Why, in plain words, from the facts the rules matched")
    text: str = Field(description="The decision and its reasons as one sentence")
    rules: list[str] = Field(description="The rules that decided it")
    see_clinician: bool = False


class Review(_Out):
    """The review of one check-in: triage, a decision per drill, the next plan, the trace."""

    disclaimer: str = DISCLAIMER
    checkin: CheckIn
    date: dt.date = Field(description="The check-in's date (today when it gave none)")
    baseline: Baseline
    triage: Triage
    changes: list[ScoreChange] = Field(description="Each score against the previous record")
    notes: list[str] = Field(default_factory=list)
    decisions: list[DrillDecisionItem]
    plan: list[PlanItem] = Field(description="The next plan")
    precautions: list[PrecautionApplied]
    safety_net: list[str]
    rules_fired: list[str]
    trace: list[TraceStep]
    traced: bool = True

    @model_validator(mode="after")
    def _no_drills_when_stopped(self) -> Review:
        check_no_plan_when_stopped(self.plan, self.triage)
        return self

    def answers(self) -> dict[str, Any]:
        """The answers the review reasoned from, shaped like an intake's where they are the
        intake's (safety, symptoms), for why-not's 'answered ...' words."""
        data = self.checkin.model_dump(mode="json")
        return {"safety": data["safety"],
                "symptoms": {"pain_now": data["pain_now"], "pain_worst_week": data["pain_worst_week"]},
                "psfs": data["psfs"], "drills": data["drills"]}

    def decision_of(self, drill: str) -> DrillDecisionItem | None:
        return next((d for d in self.decisions if d.drill == drill), None)

    def drill_ids(self) -> list[str]:
        return [p.drill for p in self.plan]

    def worse(self) -> list[ScoreChange]:
        return [c for c in self.changes if c.worse]

