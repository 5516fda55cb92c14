"""A QuestionnaireResponse in and out, always through the Intake model.

Out: every answer the screening used is one item (linkId = the field's dotted path, nested in
its group); a movement test not done has no item. In: the resource is validated by
fhir.resources, then each item is checked against the Questionnaire's question (the linkId
exists and sits in its group, the answer has the right type, code and range) reading the raw
JSON values, so a yes is `true` and never `"yes"` or `1`; the answers become the nested dict
of the Intake model, and every problem is reported with its linkId.

Red flags (DESIGN.md, Safety): a red-flag item absent from a response was not asked (None,
never "no"); one present with no answer (or `answer: []`) is refused. A refused response is
still read for its red flags: when the answers it gives raise an emergency or urgent flag, the
error leads with that triage (`IntakeInputError.salvaged` holds the salvaged result).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from hipscreen.documents import InputError, IntakeInputError, clip, field_problems, shorten
from hipscreen.fhir.common import (
    NONE_CODE,
    QUESTIONNAIRE_URL,
    RELEASES,
    Release,
    build,
    check_release,
)
from hipscreen.fhir.questionnaire import BY_LINK_ID, QUESTIONS, RED_FLAG_GROUP, Question
from hipscreen.knowledge.intake import Intake, Safety

ACCEPTED_STATUS = ("completed", "amended")
RESOURCE_TYPE = "QuestionnaireResponse"


# -- Intake -> QuestionnaireResponse -------------------------------------------------------------
def _answer(question: Question, value: Any) -> dict[str, Any]:
    if question.kind == "boolean":
        return {"valueBoolean": value}
    if question.kind == "integer":
        return {"valueInteger": value}
    return {"valueCoding": {"system": question.system, "code": value,
                            "display": question.display(value)}}


def _items(questions: tuple[Question, ...], data: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = []
    for question in questions:
        if data.get(question.name) is None:  # left out: not tested, not given
            continue
        value = data[question.name]
        item: dict[str, Any] = {"linkId": question.link_id, "text": question.text}
        if question.kind == "group":
            if children := _items(question.children, value):
                items.append({**item, "item": children})
            continue
        values = list(value) if question.repeats else [value]
        if question.repeats and not values:
            if not question.none_option:  # an empty list is the default: nothing to say
                continue
            values = [NONE_CODE]
        items.append({**item, "answer": [_answer(question, v) for v in values]})
    return items


def response_from_intake(intake: Intake, release: Release = "R4B", *,
                         subject: str | None = None, authored: datetime | None = None) -> Any:
    """The QuestionnaireResponse (a fhir.resources model of `release`) holding every answer of
    `intake`; `subject` is a reference such as "urn:uuid:..." to the person screened."""
    from hipscreen.fingerprint import hipscreen_version

    data: dict[str, Any] = {
        "resourceType": RESOURCE_TYPE,
        "questionnaire": f"{QUESTIONNAIRE_URL}|{hipscreen_version()}",
        "status": "completed",
        "item": _items(QUESTIONS, intake.model_dump(mode="json", exclude_none=True)),
    }
    if subject:
        data["subject"] = {"reference": subject}
    if authored:
        data["authored"] = authored
    return build(check_release(release), data)


# -- QuestionnaireResponse -> Intake -------------------------------------------------------------
def _resource_problems(data: Mapping[str, Any]) -> list[str]:
    """What is wrong with the resource as a whole, before its items are read."""
    kind = data.get("resourceType")
    if kind != RESOURCE_TYPE:
        return [f"resourceType {shorten(kind)}: expected {RESOURCE_TYPE} (a response to the "
                "hipscreen intake; `hipscreen fhir questionnaire` prints its Questionnaire)"]
    problems: list[str] = []
    errors: list[ValidationError] = []
    for release in RELEASES:  # an R4B or an R5 response: the items are the same in both
        try:
            build(release, dict(data))
            break
        except ValidationError as exc:
            errors.append(exc)
    else:
        problems += [_fhir_problem(data, problem.loc, problem.kind,
                                   problem.what if problem.kind.endswith("missing") else problem.text)
                     for problem in field_problems(errors[0])]
    status = data.get("status")
    if status not in ACCEPTED_STATUS and (status is not None or not errors):
        problems.append(f"status {shorten(status)}: expected {' or '.join(ACCEPTED_STATUS)} "
                        "(an unfinished response may lack answers)")
    canonical = data.get("questionnaire")
    if canonical is not None and str(canonical).partition("|")[0] != QUESTIONNAIRE_URL:
        problems.append(f"questionnaire {shorten(canonical)}: expected {QUESTIONNAIRE_URL} "
                        "(optionally with |version)")
    return problems


def _fhir_problem(data: Any, loc: tuple[str | int, ...], kind: str, text: str) -> str:
    """A fhir.resources error, named by the linkId of the item it is in when there is one."""
    link_id, node, path = None, data, []
    for part in loc:
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
        if isinstance(node, dict) and isinstance(node.get("linkId"), str):
            link_id, path = node["linkId"], []
        else:
            path.append(f"[{part + 1}]" if isinstance(part, int) else f".{part}")
    where = "".join(path).lstrip(".") or ("the item" if link_id is not None else "the resource")
    if kind == "extra_forbidden":
        text = f"unknown element; not part of a FHIR {RESOURCE_TYPE}"
    text = clip(" ".join(text.removeprefix("Value error, ").split()))  # one line each
    if link_id is not None:
        return f"linkId {shorten(link_id)}: {where}: {text}"
    return f"{where}: {text}"


def _has(node: dict | list, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _did_you_mean(link_id: str) -> str:
    if len(link_id) > 100:
        return ""
    hint = difflib.get_close_matches(link_id, list(BY_LINK_ID), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


class _Reader:
    """Reads the items of one response into the nested dict of the Intake model."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.problems: dict[str, str] = {}  # linkId (or "" for the resource) -> message
        self.seen: set[str] = set()
        self.intake: Intake | None = None

    def problem(self, link_id: str, text: str) -> None:
        self.problems.setdefault(link_id, text)

    def items(self, items: Any, parent: Question | None, into: dict[str, Any]) -> None:
        for item in items or []:
            link_id = item.get("linkId") if isinstance(item, dict) else None
            if not isinstance(link_id, str):
                self.problem("", f"an item without a linkId: {shorten(item)}")
                continue
            known = BY_LINK_ID.get(link_id)
            if known is None:
                self.problem(link_id, "not a question of the hipscreen intake"
                             + _did_you_mean(link_id))
                continue
            question, group = known
            if link_id in self.seen:
                self.problem(link_id, "given twice; each linkId may appear once")
                continue
            self.seen.add(link_id)
            if group is not parent:
                place = f"inside group '{group.link_id}'" if group else "at the top level"
                self.problem(link_id, f"belongs {place}, as in the Questionnaire")
                continue
            if question.kind == "group":
                if item.get("answer"):
                    self.problem(link_id, "a group holds items, not answers")
                    continue
                answered: dict[str, Any] = {}
                self.items(item.get("item"), question, answered)
                if answered:  # a group with no answer in it says nothing: as if left out
                    into[question.name] = answered
                continue
            if item.get("item"):
                self.problem(link_id, "a question holds answers, not items")
                continue
            self.question(question, item.get("answer") or [], into)

    def question(self, question: Question, answers: list[Any], into: dict[str, Any]) -> None:
        link_id = question.link_id
        if not answers:
            if link_id.startswith(f"{RED_FLAG_GROUP}."):  # never a silent "no"
                self.problem(link_id, "a red-flag question must be answered yes or no; it has "
                                      "no answer (leave the item out if it was not asked)")
            return  # any other item with no answer says nothing: as if left out
        if len(answers) > 1 and not question.repeats:
            self.problem(link_id, f"expected one answer; got {len(answers)}")
            return
        values = []
        for answer in answers:
            if not isinstance(answer, dict) or answer.get("item"):
                self.problem(link_id, "an answer holds one value and no items")
                return
            value = self.value(question, answer)
            if value is None:
                return
            if value in values:
                self.problem(link_id, f"{value!r} given twice; each answer may appear once")
                return
            values.append(value)
        if not question.repeats:
            into[question.name] = values[0]
        elif question.none_option and NONE_CODE in values:
            if len(values) > 1:
                self.problem(link_id, f"'{NONE_CODE}' (tested, nothing found) cannot go with "
                                      "other answers")
                return
            into[question.name] = []
        else:
            into[question.name] = values

    def value(self, question: Question, answer: dict[str, Any]) -> Any:
        """The raw answer value if it is allowed; else None, with the problem recorded."""
        key = {"boolean": "valueBoolean", "integer": "valueInteger",
               "choice": "valueCoding"}[question.kind]
        given = next(((k, v) for k, v in answer.items() if k.startswith("value")), (None, None))
        got = f"{given[0]} {shorten(given[1])}" if given[0] else "no value"
        value = answer.get(key)
        if question.kind == "boolean" and isinstance(value, bool):
            return value
        if question.kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            if question.low <= value <= question.high:
                return value
            got = shorten(value)
        if question.kind == "choice" and isinstance(value, dict):
            system, code = value.get("system"), value.get("code")
            if system not in (None, question.system):
                self.problem(question.link_id, f"expected a code of system {question.system}; "
                                               f"got system {shorten(system)}")
                return None
            if isinstance(code, str) and code in question.options:
                return code
            got = shorten(code)
        self.problem(question.link_id, f"expected {question.expected}; got {got}")
        return None


def _link_id_of(loc: tuple[str | int, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in BY_LINK_ID:
            return ".".join(parts[:length])
    return ""


def _model_problems(reader: _Reader) -> None:
    try:
        reader.intake = Intake.model_validate(reader.values)
    except ValidationError as exc:
        for problem in field_problems(exc, Intake):
            link_id = _link_id_of(problem.loc)
            if link_id in reader.problems:  # its answer was refused above: not "missing" too
                continue
            question = BY_LINK_ID[link_id][0] if link_id else None
            text = problem.text
            if problem.kind == "missing" and question is not None:
                text = f"required but missing; expected {question.expected}"
                group = BY_LINK_ID[link_id][1]
                if group is not None:
                    text += f" (every item of group '{group.link_id}' is needed once it is given)"
            reader.problem(link_id, text)


def _lines(problems: Mapping[str, str], where: str) -> list[str]:
    order = {link_id: i for i, link_id in enumerate(BY_LINK_ID)}
    ranked = sorted(problems.items(), key=lambda p: order.get(p[0], -1))
    return [f"{where}: linkId {shorten(link_id)}: {text}" if link_id else f"{where}: {text}"
            for link_id, text in ranked]


def _not_asked_where_absent(values: dict[str, Any]) -> dict[str, Any]:
    """A red-flag item absent from the response was not asked: None, never the model's "no"."""
    if isinstance(values.get(RED_FLAG_GROUP), dict):
        values[RED_FLAG_GROUP] = {**dict.fromkeys(Safety.model_fields),
                                  **values[RED_FLAG_GROUP]}
    return values


def _refused(problems: list[str], values: dict[str, Any] | None,
             salvage: bool) -> IntakeInputError:
    """The error of a refused response, led by an emergency or urgent triage that the answers it
    did give raise (DESIGN.md, "A red flag always wins"); with `salvage` off, the answers are
    only kept on the error, for the caller to screen."""
    if not salvage:
        return IntakeInputError("\n".join(problems), answers=values)
    from hipscreen.render import red_flags_despite_errors
    from hipscreen.screening import screen_safety_first

    salvaged = None
    if values is not None:
        try:
            salvaged, _ = screen_safety_first(values)
        except Exception:  # the problems must still be reported
            salvaged = None
    banner = (red_flags_despite_errors(salvaged) if salvaged is not None
              and salvaged.triage.level in ("emergency", "urgent") else [])
    return IntakeInputError("\n".join(problems), salvaged, banner, answers=values)


def intake_from_response(data: Mapping[str, Any], where: str, *, salvage: bool = True) -> Intake:
    """The Intake of a FHIR QuestionnaireResponse (R4B or R5) to the hipscreen Questionnaire.

    A red-flag item absent from the response is not asked (None), never "no". Raises
    IntakeInputError with one line per problem, each naming `where` and the linkId, led by the
    emergency or urgent triage the answers given still raise (and holding that salvaged result;
    with `salvage` off, only the readable answers, as `answers`, and nothing is screened).
    """
    resource = _resource_problems(data)
    reader: _Reader | None = _Reader()
    try:
        reader.items(data.get("item"), None, reader.values)
    except Exception:  # a resource already refused may hold anything: read what can be read
        if not resource:
            raise
        reader = None
    if resource:
        raise _refused([f"{where}: {text}" for text in resource],
                       _not_asked_where_absent(reader.values) if reader else None, salvage)
    _not_asked_where_absent(reader.values)
    _model_problems(reader)
    if reader.problems or reader.intake is None:
        raise _refused(_lines(reader.problems, where), reader.values, salvage)
    return reader.intake


def response_row(record: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One NDJSON QuestionnaireResponse as a batch row: the flat dotted columns of its intake
    (`hipscreen.batch.row_from_intake`) with the response's id as the row id, or, when it is
    bad, a row that carries every problem (naming the linkId) as its read error, and the
    answers it could read (`SALVAGE_COLUMN`), which the row's screening reads for red flags."""
    from hipscreen.batch import (
        ERROR_SEPARATOR,
        ID_COLUMN,
        READ_ERROR_COLUMN,
        SALVAGE_COLUMN,
        row_from_intake,
    )

    row_id = record.get("id")
    kept = {ID_COLUMN: row_id} if isinstance(row_id, str) and row_id else {}
    try:
        intake = intake_from_response(record, where, salvage=False)  # no rule engine here
    except IntakeInputError as exc:
        row = {**kept, READ_ERROR_COLUMN: ERROR_SEPARATOR.join(exc.problems.splitlines())}
        if exc.answers:  # screened for its red flags with the row, beside the error
            row[SALVAGE_COLUMN] = exc.answers
        return row
    except InputError as exc:
        return {**kept, READ_ERROR_COLUMN: ERROR_SEPARATOR.join(str(exc).splitlines())}
    return {**kept, **row_from_intake(intake)}
