"""A QuestionnaireResponse in and out, always through the Intake (or CheckIn) model.

Out: every answer the screening used is one item (linkId = the field's dotted path, nested in
its group); a movement test not done has no item. In: the resource is validated by
fhir.resources, then each item is checked against the Questionnaire's question (the linkId
exists and sits in its group, the answer has the right type, code and range) reading the raw
JSON values, so a yes is `true` and never `"yes"` or `1`; the answers become the nested dict
of the model, and every problem is reported in one line with its linkId.

The response must name the Questionnaire it answers, with its version: a missing or another
one is refused, naming both. An empty answer list, or an answer with two values, is refused.

Red flags (docs/design.md, Safety): a red-flag item absent from a response was not asked (None,
never "no"); one present with no answer (or `answer: []`) is refused. The one exception is the
item the form itself does not ask: "Pregnant now" of a man is no. A refused response is still
read for its red flags: when the answers it gives raise an emergency or urgent flag, the error
leads with that triage (`IntakeInputError.salvaged` holds the salvaged result).

The response read is remembered with the Intake it gives (for as long as that Intake object
lives), so a Bundle of its screening carries the response exactly as received.
"""

from __future__ import annotations

import copy
import difflib
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from hipscreen.documents import InputError, IntakeInputError, clip, field_problems, shorten
from hipscreen.fhir.common import (
    BASE_ENV,
    NONE_CODE,
    RELEASES,
    Release,
    build,
    canonical_base,
    check_release,
    fhir_datetime,
    questionnaire_url,
)
from hipscreen.fhir.questionnaire import (
    BY_LINK_ID,
    GATE,
    NOT_ASKED_OF_MEN,
    QUESTIONS,
    RED_FLAG_GROUP,
    Question,
    questionnaire_version,
)
from hipscreen.knowledge.intake import Intake, Safety

ACCEPTED_STATUS = ("completed", "amended")
RESOURCE_TYPE = "QuestionnaireResponse"
VALUE_KEYS = {"boolean": "valueBoolean", "integer": "valueInteger", "choice": "valueCoding",
              "string": "valueString", "date": "valueDate"}


@dataclass(frozen=True)
class Form:
    """One of hipscreen's Questionnaires, as a reader of its responses needs it."""

    name: str  # the last part of its canonical URL: intake, checkin
    title: str
    command: str  # the `hipscreen fhir` action that prints it
    reads: str  # the command that reads its responses
    questions: tuple[Question, ...]
    by_link_id: dict[str, tuple[Question, Question | None]]
    model: type[BaseModel]
    finish: Callable[[dict[str, Any], _Reader], None]
    """Turns the answers read into the model's dict (in place), recording any problem."""


# -- Intake -> QuestionnaireResponse -------------------------------------------------------------
def answer_of(question: Question, value: Any, base: str | None = None) -> dict[str, Any]:
    if question.kind == "choice":
        return {"valueCoding": {"system": question.system_at(base), "code": value,
                                "display": question.display(value)}}
    return {VALUE_KEYS[question.kind]: value}


def items_of(questions: tuple[Question, ...], data: Mapping[str, Any], base: str | None,
             gate: Callable[[Question, Mapping[str, Any]], Any] | None = None
             ) -> list[dict[str, Any]]:
    """The response items of `data` (the model's dict): a value left out (None) has no item."""
    items = []
    for question in questions:
        if question.kind == "display":
            continue
        value = (gate(question, data) if question.field is None and gate
                 else data.get(question.field) if question.field else None)
        if value is None:  # left out: not tested, not given
            continue
        item: dict[str, Any] = {"linkId": question.link_id, "text": question.text}
        if question.kind == "group":
            instances = value if question.repeats else [value]
            for instance in instances:
                if children := items_of(question.children, instance, base, gate):
                    items.append({**item, "item": children})
            continue
        values = list(value) if question.repeats else [value]
        if question.repeats and not values:
            if not question.none_option:  # an empty list is the default: nothing to say
                continue
            values = [NONE_CODE]
        items.append({**item, "answer": [answer_of(question, v, base) for v in values]})
    return items


def _intake_gate(question: Question, data: Mapping[str, Any]) -> Any:
    if question.link_id == GATE:  # the follow-up was answered: the plan was tried
        return True if any((data.get("drill_response") or {}).values()) else None
    return None


def response_dict(form: Form, items: list[dict[str, Any]], *, base: str | None = None,
                  subject: str | None = None, authored: datetime | None = None) -> dict:
    data: dict[str, Any] = {
        "resourceType": RESOURCE_TYPE,
        "questionnaire": f"{questionnaire_url(base, form.name)}|{questionnaire_version()}",
        "status": "completed",
    }
    if subject:
        data["subject"] = {"reference": subject}
    if authored:
        data["authored"] = fhir_datetime(authored)
    data["item"] = items
    return data


def intake_response_dict(intake: Intake, *, base: str | None = None, subject: str | None = None,
                         authored: datetime | None = None) -> dict[str, Any]:
    """The QuestionnaireResponse of `intake` as FHIR JSON (a dict), for any release."""
    items = items_of(QUESTIONS, intake.model_dump(mode="json", exclude_none=True), base,
                     _intake_gate)
    return response_dict(INTAKE, items, base=base, subject=subject, authored=authored)


def response_from_intake(intake: Intake, release: Release = "R4B", *,
                         subject: str | None = None, authored: datetime | None = None,
                         base: str | None = None) -> Any:
    """The QuestionnaireResponse (a fhir.resources model of `release`) holding every answer of
    `intake`; `subject` is a reference such as "urn:uuid:..." to the person screened."""
    return build(check_release(release), intake_response_dict(
        intake, base=base, subject=subject, authored=authored))


# -- the resource as a whole ---------------------------------------------------------------------
def _walk_answers(items: Any, visit: Callable[[str | None, Any], None]) -> None:
    """Calls `visit(linkId, answer)` for every answer of every item, nested ones too."""
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, dict):
            continue
        link_id = item.get("linkId") if isinstance(item.get("linkId"), str) else None
        answers = item.get("answer")
        for answer in answers if isinstance(answers, list) else []:
            visit(link_id, answer)
            if isinstance(answer, dict):
                _walk_answers(answer.get("item"), visit)
        _walk_answers(item.get("item"), visit)


def value_keys(answer: Any) -> list[str]:
    return [key for key in answer if key.startswith("value")] if isinstance(answer, dict) else []


def _one_value_each(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `data` whose answers with two or more value[x] hold none (the reader says
    so in its own words), for fhir.resources to check the rest."""
    data = copy.deepcopy(dict(data))

    def strip(_: str | None, answer: Any) -> None:
        if len(keys := value_keys(answer)) > 1:
            for key in keys:
                del answer[key]
    _walk_answers(data.get("item"), strip)
    return data


def _questionnaire_problem(canonical: Any, form: Form, base: str) -> str | None:
    """A missing or mismatched `questionnaire` (or version), naming what was given and what
    this hipscreen reads."""
    version = questionnaire_version()
    url = questionnaire_url(base, form.name)
    expected = f"{url}|{version}"
    where = f"`hipscreen fhir {form.command}` prints it"
    if canonical is None:
        return f"questionnaire: missing; expected {expected} (the {form.title}; {where})"
    if not isinstance(canonical, str):
        return f"questionnaire {shorten(canonical)}: expected the text {expected}"
    given_url, _, given_version = canonical.partition("|")
    if given_url != url:
        hint = ""
        for other in FORMS.values():
            if other is not form and given_url == questionnaire_url(base, other.name):
                hint = f"; that is the {other.title}: use `{other.reads}`"
        if not hint and given_url.endswith(f"/Questionnaire/{form.name}"):
            hint = (f"; the canonical base in effect is {base} (set ${BASE_ENV} to read "
                    "responses to a form printed under another base)")
        return f"questionnaire {shorten(canonical)}: expected {expected}{hint}"
    if not given_version:
        return (f"questionnaire {shorten(canonical)}: no version; expected {expected} (the "
                "version says which form the answers were given to)")
    if given_version != version:
        return (f"questionnaire {shorten(canonical)}: version {given_version!r} of the form, but "
                f"this hipscreen reads version {version!r} ({expected}); fill in the current "
                f"form ({where})")
    return None


def _resource_problems(data: Mapping[str, Any], form: Form, base: str) -> list[str]:
    """What is wrong with the resource as a whole, before its items are read."""
    kind = data.get("resourceType")
    if kind != RESOURCE_TYPE:
        return [f"resourceType {shorten(kind)}: expected {RESOURCE_TYPE} (a response to the "
                f"{form.title}; `hipscreen fhir {form.command}` prints its Questionnaire)"]
    problems: list[str] = []
    errors: list[ValidationError] = []
    checked = _one_value_each(data)
    for release in RELEASES:  # an R4B or an R5 response: the items are the same in both
        try:
            build(release, checked)
            break
        except ValidationError as exc:
            errors.append(exc)
    else:
        problems += [_fhir_problem(checked, problem.loc, problem.kind,
                                   problem.what if problem.kind.endswith("missing") else problem.text)
                     for problem in field_problems(errors[0])]
    status = data.get("status")
    if status not in ACCEPTED_STATUS and (status is not None or not errors):
        problems.append(f"status {shorten(status)}: expected {' or '.join(ACCEPTED_STATUS)} "
                        "(an unfinished response may lack answers)")
    if problem := _questionnaire_problem(data.get("questionnaire"), form, base):
        problems.append(problem)
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


# -- the items ----------------------------------------------------------------------------------
class _Reader:
    """Reads the items of one response into the nested dict of the form's model."""

    def __init__(self, form: Form, base: str) -> None:
        self.form, self.base = form, base
        self.values: dict[str, Any] = {}
        self.problems: dict[str, str] = {}  # linkId (or "" for the resource) -> message
        self.model: Any = None

    def problem(self, link_id: str, text: str) -> None:
        self.problems.setdefault(link_id, text)

    def _did_you_mean(self, link_id: str) -> str:
        if len(link_id) > 100:
            return ""
        hint = difflib.get_close_matches(link_id, list(self.form.by_link_id), n=1)
        return f" (did you mean {hint[0]!r}?)" if hint else ""

    def items(self, items: Any, parent: Question | None, into: dict[str, Any]) -> None:
        if items is not None and not isinstance(items, list):
            return  # fhir.resources has said what is wrong with it
        seen: set[str] = set()
        for item in items or []:
            link_id = item.get("linkId") if isinstance(item, dict) else None
            if not isinstance(link_id, str):
                self.problem("", f"an item without a linkId: {shorten(item)}")
                continue
            known = self.form.by_link_id.get(link_id)
            if known is None:
                self.problem(link_id, f"not a question of the {self.form.title}"
                             + self._did_you_mean(link_id))
                continue
            question, group = known
            if link_id in seen and not (question.kind == "group" and question.repeats):
                self.problem(link_id, "given twice; each linkId may appear once")
                continue
            seen.add(link_id)
            if group is not parent:
                place = f"inside group '{group.link_id}'" if group else "at the top level"
                self.problem(link_id, f"belongs {place}, as in the Questionnaire")
                continue
            if question.kind in ("group", "display"):
                what = "a group holds items" if question.kind == "group" else "a display item"
                if "answer" in item:
                    self.problem(link_id, f"{what}, not answers")
                    continue
                if question.kind == "display":
                    if item.get("item"):
                        self.problem(link_id, "a display item holds no items")
                    continue
                if item.get("item") == []:
                    self.problem(link_id, "an empty group (item: []); leave it out, or give "
                                          "the answers it holds")
                    continue
                answered: dict[str, Any] = {}
                self.items(item.get("item"), question, answered)
                if not answered:  # a group with no answer in it says nothing: as if left out
                    continue
                if question.repeats:
                    into.setdefault(question.field, []).append(answered)
                else:
                    into[question.field] = answered
                continue
            if item.get("item"):
                self.problem(link_id, "a question holds answers, not items")
                continue
            self.question(question, item, into)

    def question(self, question: Question, item: dict[str, Any], into: dict[str, Any]) -> None:
        link_id = question.link_id
        answers = item.get("answer")
        if not answers:
            if link_id.startswith(f"{RED_FLAG_GROUP}."):  # never a silent "no"
                self.problem(link_id, "a red-flag question must be answered yes or no; it has "
                                      "no answer (leave the item out if it was not asked)")
            elif answers == []:
                self.problem(link_id, "an empty answer list (answer: []); give an answer, or "
                                      "leave the item out if it was not answered")
            return  # any other item with no answer says nothing: as if left out
        if not isinstance(answers, list):
            return  # fhir.resources has said what is wrong with it
        if len(answers) > 1 and not question.repeats:
            self.problem(link_id, f"expected one answer; got {len(answers)}")
            return
        values = []
        for number, answer in enumerate(answers, start=1):
            if not isinstance(answer, dict) or answer.get("item"):
                self.problem(link_id, "an answer holds one value and no items")
                return
            if len(keys := value_keys(answer)) > 1:
                which = f"answer {number}" if len(answers) > 1 else "the answer"
                self.problem(link_id, f"{which} holds {len(keys)} values ({', '.join(keys)}); "
                                      f"an answer holds exactly one: {question.expected}")
                return
            value = self.value(question, answer)
            if value is None:
                return
            if value in values:
                self.problem(link_id, f"{value!r} given twice; each answer may appear once")
                return
            values.append(value)
        if question.field is None:  # a gate: it only opens other items
            return
        if not question.repeats:
            into[question.field] = values[0]
        elif question.none_option and NONE_CODE in values:
            if len(values) > 1:
                self.problem(link_id, f"'{NONE_CODE}' (tested, nothing found) cannot go with "
                                      "other answers")
                return
            into[question.field] = []
        else:
            into[question.field] = values

    def value(self, question: Question, answer: dict[str, Any]) -> Any:
        """The raw answer value if it is allowed; else None, with the problem recorded."""
        key = VALUE_KEYS[question.kind]
        given = next(((k, v) for k, v in answer.items() if k.startswith("value")), (None, None))
        got = f"{given[0]} {shorten(given[1])}" if given[0] else "no value"
        value = answer.get(key)
        if question.kind == "boolean" and isinstance(value, bool):
            return value
        if question.kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            if question.low <= value <= question.high:
                return value
            got = shorten(value)
        if question.kind == "string" and isinstance(value, str) and value.strip():
            return value
        if question.kind == "date" and isinstance(value, str):
            return value  # the model reads the date and says what is wrong with it
        if question.kind == "date" and hasattr(value, "isoformat"):  # a YAML date
            return value.isoformat()
        if question.kind == "choice" and isinstance(value, dict):
            system, code = value.get("system"), value.get("code")
            expected_system = question.system_at(self.base)
            if system not in (None, expected_system):
                self.problem(question.link_id, f"expected a code of system {expected_system}; "
                                               f"got system {shorten(system)}")
                return None
            if isinstance(code, str) and code in question.options:
                return code
            got = shorten(code)
        self.problem(question.link_id, f"expected {question.expected}; got {got}")
        return None


def _link_id_of(loc: tuple[str | int, ...], by_link_id: Mapping[str, Any]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in by_link_id:
            return ".".join(parts[:length])
    return ""


def _model_problems(reader: _Reader) -> None:
    form = reader.form
    try:
        reader.model = form.model.model_validate(reader.values)
    except ValidationError as exc:
        for problem in field_problems(exc, form.model):
            link_id = _link_id_of(problem.loc, form.by_link_id)
            if link_id in reader.problems:  # its answer was refused above: not "missing" too
                continue
            question = form.by_link_id[link_id][0] if link_id else None
            text = problem.text
            if problem.kind == "missing" and question is not None:
                text = f"required but missing; expected {question.expected}"
                group = form.by_link_id[link_id][1]
                if group is not None:
                    text += f" (every item of group '{group.link_id}' is needed once it is given)"
            reader.problem(link_id, text)


def _lines(problems: Mapping[str, str], where: str, form: Form) -> list[str]:
    order = {link_id: i for i, link_id in enumerate(form.by_link_id)}
    ranked = sorted(problems.items(), key=lambda p: order.get(p[0], -1))
    return [f"{where}: linkId {shorten(link_id)}: {text}" if link_id else f"{where}: {text}"
            for link_id, text in ranked]


def _not_asked_where_absent(values: dict[str, Any]) -> dict[str, Any]:
    """A red-flag item absent from the response was not asked: None, never the model's "no";
    but "Pregnant now", which the form does not ask of a man, is no for a man."""
    if isinstance(values.get(RED_FLAG_GROUP), dict):
        given = values[RED_FLAG_GROUP]
        values[RED_FLAG_GROUP] = {**dict.fromkeys(Safety.model_fields), **given}
        pregnant = NOT_ASKED_OF_MEN.partition(".")[2]
        if values.get("sex") == "male" and pregnant not in given:
            values[RED_FLAG_GROUP][pregnant] = False
    return values


def _finish_intake(values: dict[str, Any], reader: _Reader) -> None:
    _not_asked_where_absent(values)


def _refused(problems: list[str], values: dict[str, Any] | None,
             salvage: bool) -> IntakeInputError:
    """The error of a refused response, led by an emergency or urgent triage that the answers it
    did give raise (docs/design.md, "A red flag always wins"); with `salvage` off, the answers are
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


def read_response(data: Mapping[str, Any], where: str, form: Form, *, base: str | None = None
                  ) -> tuple[Any, list[str], dict[str, Any] | None]:
    """(the model, or None; one line per problem; the answers that could be read)."""
    base = canonical_base(base)
    resource = _resource_problems(data, form, base)
    reader: _Reader | None = _Reader(form, base)
    try:
        reader.items(data.get("item"), None, reader.values)
    except Exception:  # a resource already refused may hold anything: read what can be read
        if not resource:
            raise
        reader = None
    if resource:
        if reader is not None:
            form.finish(reader.values, reader)
        return None, [f"{where}: {text}" for text in resource], reader.values if reader else None
    form.finish(reader.values, reader)
    _model_problems(reader)
    if reader.problems or reader.model is None:
        return None, _lines(reader.problems, where, form), reader.values
    return reader.model, [], reader.values


def intake_from_response(data: Mapping[str, Any], where: str, *, salvage: bool = True,
                         base: str | None = None) -> Intake:
    """The Intake of a FHIR QuestionnaireResponse (R4B or R5) to the hipscreen intake
    Questionnaire (this version, under the canonical base in effect).

    A red-flag item absent from the response is not asked (None), never "no". Raises
    IntakeInputError with one line per problem, each naming `where` and the linkId, led by the
    emergency or urgent triage the answers given still raise (and holding that salvaged result;
    with `salvage` off, only the readable answers, as `answers`, and nothing is screened).
    """
    intake, problems, values = read_response(data, where, INTAKE, base=base)
    if problems:
        raise _refused(problems, values, salvage)
    remember_received(intake, data)
    return intake


def response_row(record: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One NDJSON QuestionnaireResponse as a batch row: the flat dotted columns of its intake
    (`hipscreen.rows.row_from_intake`) with the response's id as the row id, or, when it is
    bad, a row that carries every problem (naming the linkId) as its read error, and the
    answers it could read (`SALVAGE_COLUMN`), which the row's screening reads for red flags."""
    from hipscreen.rows import (
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


# -- the response as received -------------------------------------------------------------------
_RECEIVED: dict[int, tuple[weakref.ref, dict[str, Any]]] = {}
_RECEIVED_LOCK = threading.RLock()  # re-entrant: a collected model's callback may run inside


def remember_received(model: Any, data: Mapping[str, Any]) -> None:
    """Keep a copy of the response `model` was read from, for as long as `model` lives."""
    key, kept = id(model), copy.deepcopy(dict(data))

    def forget(ref: weakref.ref) -> None:
        with _RECEIVED_LOCK:
            if _RECEIVED.get(key, (None,))[0] is ref:  # not a newer object with the same id
                del _RECEIVED[key]

    with _RECEIVED_LOCK:
        _RECEIVED[key] = (weakref.ref(model, forget), kept)


def received_response(model: Any) -> dict[str, Any] | None:
    """The response `model` (an Intake or CheckIn object) was read from, as received; None
    when it was not read from a response."""
    with _RECEIVED_LOCK:
        entry = _RECEIVED.get(id(model))
    if entry is None or entry[0]() is not model:
        return None
    return copy.deepcopy(entry[1])


INTAKE = Form(name="intake", title="hipscreen intake", command="questionnaire",
              reads="hipscreen screen FILE",
              questions=QUESTIONS, by_link_id=BY_LINK_ID, model=Intake, finish=_finish_intake)
FORMS: dict[str, Form] = {"intake": INTAKE}
"""hipscreen's forms by name; fhir/checkin.py adds the check-in."""
