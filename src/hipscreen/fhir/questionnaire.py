"""The intake as a FHIR Questionnaire, generated from the Intake model (never written by hand).

Each field of `Intake` is one item whose `linkId` is the field's dotted path (`age`,
`safety.saddle_numbness`, `movement.hip_ir_degrees.left`); a sub-model is a group. Yes/no
fields are `boolean` items, whole numbers `integer` items with the standard minValue/maxValue
extensions, fixed choices `choice` (R4B) or `coding` (R5) items whose `answerOption` codings
come from the Literal or Enum values, and list fields repeat. Each field has its own code
system, `https://hipscreen.example/fhir/CodeSystem/<linkId>`, because a code's meaning depends
on the question ("left" in `movement.hip_shift` is not "left" in `movement.knee_collapse`).

Every red-flag item (the `safety` group and each question in it) is `required`: a response
answers each yes or no. A red-flag item absent from a response was not asked (never a no: the
screen then gives no self-care plan), and one given with no answer is refused.

A movement test left out was not tested: its item is simply absent from a response. A
list-valued test (`movement.hinge_faults`) done with nothing found is answered with the code
`none`, so it stays different from "not tested".
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from hipscreen.fhir.common import (
    NONE_CODE,
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_URL,
    Release,
    build,
    check_release,
    code_system,
)
from hipscreen.knowledge.intake import Intake, choices_of, strip_optional
from hipscreen.result import DISCLAIMER
from hipscreen.words import field_label, value_words

Kind = Literal["group", "boolean", "integer", "choice"]
RED_FLAG_GROUP = "safety"
"""The group of the red-flag questions: it and each of its items is required."""
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"


@dataclass(frozen=True)
class Question:
    """One item of the Questionnaire, read from one field of the Intake model."""

    link_id: str
    kind: Kind
    text: str
    required: bool = False
    repeats: bool = False
    low: int | None = None
    high: int | None = None
    options: tuple[str, ...] = ()
    children: tuple[Question, ...] = ()

    @property
    def name(self) -> str:
        """The field name: the last part of the linkId."""
        return self.link_id.rpartition(".")[2]

    @property
    def system(self) -> str:
        return code_system(self.link_id)

    @property
    def none_option(self) -> bool:
        """A repeating choice whose empty answer means "tested, none found"."""
        return NONE_CODE in self.options and self.repeats

    def display(self, code: str) -> str:
        if self.none_option and code == NONE_CODE:
            return "None of these (tested, nothing found)"
        return value_words(self.link_id, code)

    @property
    def expected(self) -> str:
        """What an answer must be, in words, for error messages."""
        if self.kind == "boolean":
            return "a yes/no answer (valueBoolean true or false)"
        if self.kind == "integer":
            return f"a whole number {self.low}..{self.high} (valueInteger)"
        return f"one of {', '.join(self.options)}"


def _group_text(path: str, model: type[BaseModel]) -> str:
    label = field_label(path)
    if label != path:
        return label
    return " ".join((model.__doc__ or path).split("\n\n")[0].split())


def _text(path: str, description: str | None, number: bool) -> str:
    """The app's label of the field; a number's own description, which names its unit
    ("Pain now, 0 to 10", "How long this episode has lasted, in weeks")."""
    label = field_label(path)
    if number and description or label == path:
        return description or path
    return label


def _questions(model: type[BaseModel], prefix: str = "") -> tuple[Question, ...]:
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation, nullable = strip_optional(info.annotation)
        red_flag = path == RED_FLAG_GROUP or path.startswith(f"{RED_FLAG_GROUP}.")
        common: dict[str, Any] = {"link_id": path, "required": info.is_required() or red_flag}
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.append(Question(kind="group", text=_group_text(path, annotation),
                                children=_questions(annotation, f"{path}."), **common))
            continue
        common["text"] = _text(path, info.description, annotation is int)
        if annotation is bool:
            out.append(Question(kind="boolean", **common))
        elif annotation is int:
            low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
            high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
            out.append(Question(kind="integer", low=low, high=high, **common))
        elif (choices := choices_of(annotation)) is not None:
            out.append(Question(kind="choice", options=choices, **common))
        elif (typing.get_origin(annotation) is tuple
              and (items := choices_of(typing.get_args(annotation)[0])) is not None):
            if nullable:  # None = not tested, () = tested and nothing found
                items = (*items, NONE_CODE)
            out.append(Question(kind="choice", repeats=True, options=items, **common))
        else:  # a new kind of field: fail loudly rather than guess
            raise TypeError(f"fhir: no Questionnaire item rule for {path} ({annotation!r})")
    return tuple(out)


QUESTIONS: tuple[Question, ...] = _questions(Intake)
"""The Questionnaire's items, in the order of the Intake model."""


def _index(questions: tuple[Question, ...], parent: Question | None,
           into: dict[str, tuple[Question, Question | None]]) -> dict:
    for question in questions:
        into[question.link_id] = (question, parent)
        _index(question.children, question, into)
    return into


BY_LINK_ID: dict[str, tuple[Question, Question | None]] = _index(QUESTIONS, None, {})
"""Every linkId -> (its question, the group it belongs to or None at the top level)."""


def _item(question: Question, release: Release) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.link_id, "text": question.text}
    if question.kind == "group":
        item["type"] = "group"
        if question.required:
            item["required"] = True
        item["item"] = [_item(child, release) for child in question.children]
        return item
    if question.kind == "choice":
        item["type"] = "choice" if release == "R4B" else "coding"
        if release == "R5":
            item["answerConstraint"] = "optionsOnly"
        item["answerOption"] = [
            {"valueCoding": {"system": question.system, "code": code,
                             "display": question.display(code)}}
            for code in question.options]
    else:
        item["type"] = question.kind
    if question.kind == "integer":
        item["extension"] = [{"url": MIN_VALUE, "valueInteger": question.low},
                             {"url": MAX_VALUE, "valueInteger": question.high}]
    if question.required:
        item["required"] = True
    if question.repeats:
        item["repeats"] = True
    return item


def questionnaire(release: Release = "R4B") -> Any:
    """The Questionnaire as a fhir.resources model of `release` (R4B or R5)."""
    from hipscreen.fingerprint import hipscreen_version

    release = check_release(release)
    return build(release, {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": hipscreen_version(),
        "name": "HipscreenIntake",
        "title": "hipscreen intake: recurring low back pain that may come from the hip",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "hipscreen",
        "description": (
            "The hipscreen intake, generated from its Intake model: each linkId is the field's "
            "dotted path. Every safety (red-flag) question is required and answered yes or no: "
            "a safety item left out of a response was not asked, which is never read as no and "
            "never gives a self-care plan; a safety item with no answer is refused. A movement "
            "test that was not done has no item (not tested), which differs from the answer "
            "'none'. "
            + DISCLAIMER),
        "item": [_item(question, release) for question in QUESTIONS],
    })


def questionnaire_json(release: Release = "R4B") -> str:
    """The Questionnaire as FHIR JSON of `release` (R4B or R5)."""
    return questionnaire(release).model_dump_json(indent=2)
