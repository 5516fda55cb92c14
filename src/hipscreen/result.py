"""The Result of one screening: triage, deficits, plan, precautions, skipped tests and the trace.

Plain data: importing it loads neither the rule engine nor the rules. HOW and WHY NOT are
functions over this data in `hipscreen.explain` (``how(result, id)``, ``why_not(result, id)``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import CoreSchema, core_schema

from hipscreen.i18n import N_
from hipscreen.knowledge.catalogue import TRIAGE_ORDER, TriageLevel
from hipscreen.knowledge.intake import Intake

__all__ = ["TRIAGE_ORDER", "TriageLevel", "Answer", "Result"]

DISCLAIMER = N_(
    "hipscreen is a screening aid, not a diagnosis. It does not replace an assessment by a "
    "qualified clinician."
)

Side = Literal["left", "right", "both"]
Confidence = Literal["likely", "possible"]
LEVELS_THAT_STOP_DRILLS: frozenset[str] = frozenset({"emergency", "urgent"})


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NOT_ASKED_FIELD = "safety.not_asked"
"""The field of the answer the engine declares for a safety question never asked (its value: the
question's name). An `Answer` says it as the question itself with the value None."""

HIP_IR_FIELD = "movement.hip_ir_degrees"
AnswerValue = bool | int | float | str | dict[str, int] | None


class Answer(_Out):
    """One intake answer a conclusion rests on, as a field and its value: the value as the intake
    gives it (True, 9, "low_back_right"), one item of a list answer, a measured hip rotation as
    {"left": 22, "right": 38}, and None for a safety question never asked (not asked is not a
    "no")."""

    field: str = Field(description="The intake field, as a dotted path ('symptoms.pain_now')")
    value: AnswerValue = Field(description=(
        "The answer: one item of a list answer; None for a safety question never asked"))

    @property
    def not_asked(self) -> bool:
        """A safety question never asked."""
        return self.value is None and self.field.startswith("safety.")

    @property
    def name(self) -> str:
        """The field's last part ('saddle_numbness' of 'safety.saddle_numbness')."""
        return self.field.rpartition(".")[2]

    def line(self) -> str:
        """The answer as the engine states it, for the maintainer's text and Markdown:
        "symptoms.pain_worst_week = 9", "safety.not_asked = saddle_numbness"."""
        if self.not_asked:
            return f"{NOT_ASKED_FIELD} = {self.name}"
        return f"{self.field} = {self.value_text()}"

    def value_text(self) -> str:
        """The value as the engine's line says it ("True", "9", "left 22 deg, right 38 deg")."""
        value = self.value
        if isinstance(value, dict):
            return f"left {value.get('left')} deg, right {value.get('right')} deg"
        return str(value)

    @classmethod
    def of_fact(cls, field: str, value: Any) -> Answer:
        """An answer from the engine's Answer fact (a safety question never asked is declared
        as `safety.not_asked` with the question as its value; a hip rotation as a pair)."""
        if field == NOT_ASKED_FIELD:
            return cls(field=f"safety.{value}", value=None)
        if field == HIP_IR_FIELD and isinstance(value, tuple | list):
            return cls(field=field, value={"left": value[0], "right": value[1]})
        return cls(field=field, value=value)

    @classmethod
    def of_line(cls, line: str) -> Answer:
        """An answer from its line ("safety.saddle_numbness = True"): only to read a Result
        saved before answers were structured (red flags' answers were lines then)."""
        field, sep, text = line.partition(" = ")
        if not sep:
            return cls(field=line, value=None)
        if field == NOT_ASKED_FIELD:
            return cls.of_fact(field, text)
        return cls(field=field, value=_value_of_text(text))


_DEGREES = re.compile(r"^left (-?\d+) deg, right (-?\d+) deg$")


def _value_of_text(text: str) -> AnswerValue:
    """A value as a saved line wrote it (Python's str of the value)."""
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    if degrees := _DEGREES.match(text):
        return {"left": int(degrees[1]), "right": int(degrees[2])}
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _answers_of_old_lines(data: Any) -> Any:
    """A saved result's answers as they were stored before they were structured (lines such as
    "safety.saddle_numbness = True"), read as Answers."""
    if isinstance(data, dict) and isinstance(data.get("answers"), list):
        answers = [Answer.of_line(a) if isinstance(a, str) else a for a in data["answers"]]
        data = {**data, "answers": answers}
    return data


class RedFlagHit(_Out):
    """A red-flag row of docs/design.md that the answers meet."""

    id: str
    level: TriageLevel
    label: str
    action: str
    answers: list[Answer] = Field(description=(
        "The intake answers that raised it, ordered by their lines; a safety question never "
        "asked has the value None"))
    source: str

    @model_validator(mode="before")
    @classmethod
    def _old_lines(cls, data: Any) -> Any:
        return _answers_of_old_lines(data)


class Triage(_Out):
    level: TriageLevel
    label: str = Field(description="The level in words, never only a colour")
    action: str = Field(description="What to do, in plain words")
    red_flags: list[RedFlagHit] = []
    drills_allowed: bool
    plan_note: str | None = Field(
        None, description="e.g. 'start once a clinician agrees' at clinician_review")


class FindingLink(_Out):
    """A finding behind a deficit's evidence, with the answers it came from (directly, not
    through another finding)."""

    id: str
    side: Side
    answers: list[Answer] = []


class EvidenceLink(_Out):
    """One piece of evidence for a deficit: the evidence rule, its weight and its findings."""

    rule: str
    weight: float
    findings: list[FindingLink]


class DeficitResult(_Out):
    id: str
    label: str
    side: Side
    certainty: float = Field(ge=0, le=1, description="Combined certainty factor")
    confidence: Confidence
    evidence: list[str] = Field(description="Ids of the evidence rules that fired")
    explanation: str
    support: list[EvidenceLink] = Field(default_factory=list, description=(
        "The evidence behind it, each with its findings and their answers, in the order the "
        "rules concluded them (empty in a result saved before links were kept)"))

    def findings(self) -> list[FindingLink]:
        """The findings behind this deficit, each once, in the order of its evidence."""
        found: dict[tuple[str, str], FindingLink] = {}
        for evidence in self.support:
            for finding in evidence.findings:
                found.setdefault((finding.id, finding.side), finding)
        return list(found.values())

    def weights_of(self, finding: FindingLink) -> list[float]:
        """The weights of the evidence this finding gave this deficit."""
        return [e.weight for e in self.support
                if any((f.id, f.side) == (finding.id, finding.side) for f in e.findings)]


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


# -- the one walk from a conclusion back to the answers ------------------------------------------
STOPS_AT = frozenset({"Finding", "RedFlag", "Triage", "DrillsStopped", "Deficit", "Planned",
                      "Blocked"})
"""The kinds of fact a finding's answers are not looked for behind (another finding, a red
flag, ...): what the reasoning picture shows as a node of its own."""


class DerivationRecord(Protocol):
    """What a walk reads of a run: each fact's kind and data, and the premises of each way it was
    concluded. The engine's record (`hipscreen.conclusions`) and a Result's trace both are one."""

    def kind(self, fact_id: int) -> str | None:
        """The fact's kind; None for a fact the record does not hold."""

    def data(self, fact_id: int) -> Mapping[str, Any]: ...

    def premise_sets(self, fact_id: int) -> list[Sequence[int]]: ...


def answer_of(record: DerivationRecord, fact_id: int) -> Answer:
    data = record.data(fact_id)
    return Answer.of_fact(data["field"], data["value"])


def answers_behind(record: DerivationRecord, fact_id: int) -> list[Answer]:
    """The intake answers a conclusion rests on, through every fact in between, each once, in the
    order of their lines (a red flag's answers)."""
    found: dict[str, Answer] = {}
    todo, seen = [fact_id], set()
    while todo:
        for premises in record.premise_sets(todo.pop()):
            for p in premises:
                if p in seen:
                    continue
                seen.add(p)
                if record.kind(p) == "Answer":
                    answer = answer_of(record, p)
                    found.setdefault(answer.line(), answer)
                else:
                    todo.append(p)
    return [found[line] for line in sorted(found)]


def finding_answers(record: DerivationRecord, fact_id: int) -> list[Answer]:
    """The answers a finding came from: its premises, through facts that are not themselves a
    finding or another shown conclusion, each once, in the order of the premises."""
    found: list[Answer] = []
    seen: set[int] = {fact_id}

    def walk(fid: int) -> None:
        for premises in record.premise_sets(fid):
            for p in premises:
                if p in seen:
                    continue
                seen.add(p)
                kind = record.kind(p)
                if kind == "Answer":
                    answer = answer_of(record, p)
                    if answer not in found:
                        found.append(answer)
                elif kind is not None and kind not in STOPS_AT:
                    walk(p)

    walk(fact_id)
    return found


def evidence_links(record: DerivationRecord, deficit_fact_id: int) -> list[EvidenceLink]:
    """A deficit's evidence, each with its findings and their answers, in premise order."""
    links: list[EvidenceLink] = []
    for premises in record.premise_sets(deficit_fact_id):
        for p in premises:
            if record.kind(p) != "Evidence":
                continue
            findings: list[FindingLink] = []
            for finding_premises in record.premise_sets(p):
                for f in finding_premises:
                    if record.kind(f) != "Finding":
                        continue
                    data = record.data(f)
                    link = FindingLink(id=data["id"], side=data["side"],
                                       answers=finding_answers(record, f))
                    if link not in findings:
                        findings.append(link)
            data = record.data(p)
            evidence = EvidenceLink(rule=data["rule"], weight=data["weight"], findings=findings)
            if evidence not in links:
                links.append(evidence)
    return links


class TraceRecord:
    """A trace's steps as a derivation record (a step holds a fact that a rule or an answer
    declared; its premises and also_by are the ways it was concluded)."""

    def __init__(self, steps: Iterable[TraceStep]) -> None:
        self.steps = {s.fact_id: s for s in steps}

    def kind(self, fact_id: int) -> str | None:
        step = self.steps.get(fact_id)
        return None if step is None else step.kind

    def data(self, fact_id: int) -> Mapping[str, Any]:
        return self.steps[fact_id].data

    def premise_sets(self, fact_id: int) -> list[Sequence[int]]:
        step = self.steps.get(fact_id)
        if step is None:
            return []
        return [step.premises] + [a.get("premises", []) for a in step.also_by]


def check_no_plan_when_stopped(plan: Sequence[PlanItem], triage: Triage) -> None:
    """The safety invariant every model holding a plan keeps (a screening's Result, a check-in's
    Review): no drill at a level that stops drills, or when the rules stopped them."""
    if plan and (triage.level in LEVELS_THAT_STOP_DRILLS or not triage.drills_allowed):
        raise ValueError(f"a plan must not be given at triage {triage.level}")


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
    def _links_of_an_old_result(self) -> Result:
        """A result saved before deficits kept their evidence links gets them from its trace
        (the same walk as at screening); without a trace they stay empty."""
        if not self.deficits or all(d.support for d in self.deficits) or not self.traced:
            return self
        record = TraceRecord(self.trace)
        steps = {(s.data.get("id"), s.data.get("side")): s.fact_id
                 for s in record.steps.values() if s.kind == "Deficit"}
        deficits = [d if d.support or (d.id, d.side) not in steps else
                    d.model_copy(update={"support": evidence_links(record, steps[(d.id, d.side)])})
                    for d in self.deficits]
        object.__setattr__(self, "deficits", deficits)  # frozen: set once, while validating
        return self

    @model_validator(mode="after")
    def _no_drills_when_stopped(self) -> Result:
        check_no_plan_when_stopped(self.plan, self.triage)
        return self

    def deficit_ids(self) -> list[str]:
        return [d.id for d in self.deficits]

    def drill_ids(self) -> list[str]:
        return [p.drill for p in self.plan]
