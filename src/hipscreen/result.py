"""The Result of one screening: triage, deficits, plan, precautions, skipped tests and the trace.

Plain data: importing it loads neither the rule engine nor the rules. HOW and WHY NOT are
functions over this data in `hipscreen.explain` (``how(result, id)``, ``why_not(result, id)``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import CoreSchema, core_schema

from hipscreen.i18n import N_
from hipscreen.knowledge.catalogue import TRIAGE_ORDER, TriageLevel
from hipscreen.knowledge.intake import Intake

__all__ = ["TRIAGE_ORDER", "TriageLevel", "Result"]

DISCLAIMER = N_(
    "hipscreen is a screening aid, not a diagnosis. It does not replace an assessment by a "
    "qualified clinician."
)

Side = Literal["left", "right", "both"]
Confidence = Literal["likely", "possible"]
LEVELS_THAT_STOP_DRILLS: frozenset[str] = frozenset({"emergency", "urgent"})


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedFlagHit(_Out):
    """A red-flag row of docs/design.md that the answers meet."""

    id: str
    level: TriageLevel
    label: str
    action: str
    answers: list[str] = Field(description="The intake answers that raised it")
    source: str


class Triage(_Out):
    level: TriageLevel
    label: str = Field(description="The level in words, never only a colour")
    action: str = Field(description="What to do, in plain words")
    red_flags: list[RedFlagHit] = []
    drills_allowed: bool
    plan_note: str | None = Field(
        None, description="e.g. 'start once a clinician agrees' at clinician_review")


class DeficitResult(_Out):
    id: str
    label: str
    side: Side
    certainty: float = Field(ge=0, le=1, description="Combined certainty factor")
    confidence: Confidence
    evidence: list[str] = Field(description="Ids of the evidence rules that fired")
    explanation: str


class Dose(_Out):
    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    per_side: bool = True
    sessions_per_week: str
    text: str = Field(description="The dose in plain words")
    source: str


class PlanItem(_Out):
    drill: str
    name: str
    side: Side
    variant: str = Field(description="standard, supported, regressed, ...")
    replaces: str | None = Field(None, description="The drill this one stands in for")
    order: int
    purpose: str
    steps: list[str]
    cues: list[str]
    feel: list[str]
    dont_feel: list[str]
    dose: Dose
    regression: str
    progression: str
    why: list[str] = Field(description="Why this drill for you")
    serves: list[str] = Field(description="Deficit ids this drill serves")
    source: str


class PrecautionApplied(_Out):
    id: str
    label: str
    text: str
    drills: list[str] = Field(description="Drills removed or swapped because of it")
    source: str


class SkippedTest(_Out):
    field: str
    label: str
    would_check: str


@dataclass(slots=True)
class TraceStep:
    """One declared fact and how it came to be.

    A plain dataclass, not a pydantic model: a screen makes about fifty of them, pydantic takes
    dataclass instances as they are (a model would validate each one again), and a frozen
    dataclass would spend more on its own __init__ than a fast screen spends on all its other
    results. Treat a step as read-only, as the rest of a Result. Read from JSON, pydantic
    validates steps like any field, and refuses unknown keys."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    fact_id: int
    kind: str
    data: dict[str, Any]
    rule: Annotated[str | None, Field(description="Rule id; None for an intake answer")] = None
    rule_text: str | None = None
    source: str | None = None
    premises: Annotated[list[int], Field(description="Fact ids the rule matched")] = \
        dataclass_field(default_factory=list)
    also_by: Annotated[list[dict[str, Any]], Field(
        description="Other rule firings that concluded the same fact: rule and premises")] = \
        dataclass_field(default_factory=list)


class Trace(Sequence[TraceStep]):
    """A Result's trace: its steps, built from the engine's derivation record the first time
    anything reads them (iterating, indexing, comparing, serialising, pickling).

    screen() hands over the record of the run (its facts and derivations, which the engine's
    next reset replaces rather than clears) and a function that turns it into steps; most
    readers of a Result never look at the trace, and the ones that do pay once. Read from
    JSON, or given a list, the steps are validated as list[TraceStep]."""

    __slots__ = ("_build", "_steps")

    def __init__(self, steps: Iterable[TraceStep] | None = None, *,
                 build: Callable[[], list[TraceStep]] | None = None) -> None:
        if (steps is None) == (build is None):
            raise TypeError("Trace takes either its steps or a function that builds them")
        self._steps = None if steps is None else list(steps)
        self._build = build

    def steps(self) -> list[TraceStep]:
        """The steps, built now if they were not yet."""
        if self._steps is None:
            self._steps = self._build()
            self._build = None
        return self._steps

    def __getitem__(self, index):
        return self.steps()[index]

    def __len__(self) -> int:
        return len(self.steps())

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self.steps())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Trace):
            return self.steps() == other.steps()
        if isinstance(other, list | tuple):
            return self.steps() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  (a sequence that compares by content)

    def __repr__(self) -> str:
        return f"Trace({self.steps()!r})"

    def __reduce__(self):
        return (Trace, (self.steps(),))

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler: GetCoreSchemaHandler) -> CoreSchema:
        as_list = handler.generate_schema(list[TraceStep])
        from_list = core_schema.no_info_after_validator_function(cls, as_list)
        return core_schema.json_or_python_schema(
            json_schema=from_list,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_list]),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda trace: list(trace), return_schema=as_list))


class Result(_Out):
    disclaimer: str = DISCLAIMER
    intake: Intake
    triage: Triage
    deficits: list[DeficitResult]
    plan: list[PlanItem]
    precautions: list[PrecautionApplied]
    skipped_tests: list[SkippedTest]
    safety_net: list[str] = Field(description="See a clinician if ...")
    rules_fired: list[str]
    trace: Trace
    traced: bool = Field(True, description="False when screened without the trace (batch)")

    @model_validator(mode="after")
    def _no_drills_when_stopped(self) -> Result:
        if self.plan and (self.triage.level in LEVELS_THAT_STOP_DRILLS
                          or not self.triage.drills_allowed):
            raise ValueError(f"a plan must not be given at triage {self.triage.level}")
        return self

    def deficit_ids(self) -> list[str]:
        return [d.id for d in self.deficits]

    def drill_ids(self) -> list[str]:
        return [p.drill for p in self.plan]
