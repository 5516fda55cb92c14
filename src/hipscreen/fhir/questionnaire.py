"""The intake as a FHIR Questionnaire that SDC renderers (LHC-Forms, for one) run as it stands,
generated from the Intake model (never written by hand).

Each field of `Intake` is one item whose `linkId` is the field's dotted path (`age`,
`safety.saddle_numbness`, `movement.hip_ir_degrees.left`); a sub-model is a group. Yes/no
fields are `boolean` items (a renderer shows yes / no / not answered), whole numbers `integer`
items with minValue/maxValue, a UCUM unit and an entryFormat, fixed choices `choice` (R4B) or
`coding` (R5) items whose `answerOption` codings come from the Literal or Enum values, and list
fields repeat. Each choice field has its own code system, `<base>/CodeSystem/<linkId>`
(`hipscreen fhir codesystems` prints them), because a code's meaning depends on the question.
Questions with a standard code carry it in `item.code` (fhir/terminology.py).

Required is only what a person screening themselves can answer: the age and every red-flag
question. A red-flag item absent from a response was not asked (never a no: the screen then
gives no self-care plan), and one given with no answer is refused.

The form behaves (SDC enableWhen): the clinician's measurements open when "Filled in by" is a
clinician; "Pregnant now" is not asked of a man; a yes to a leg symptom opens how long it has
lasted; "I have tried the plan" opens the after-the-plan follow-up; each self-test has display
items with its instructions and what its picture shows, for a person screening themselves.
Display items and the gate `tried_plan` are no Intake field: their answers are ignored.

A movement test left out was not tested: its item is simply absent from a response. A
list-valued test (`movement.hinge_faults`) done with nothing found is answered with the code
`none`, which excludes every other answer (SDC optionExclusive), so it stays different from
"not tested".

Languages: a Questionnaire is made in one language (`lang`, default the language in use; its
`language` says which), and every text a person reads (item text, answer and initial displays,
title, description) carries the other languages in the standard translation extension on its
primitive (`_text`, `_display`). The items are built once per language from the same model, so
they match one to one; a response is read by linkId and code, never by its words. The English
items (`QUESTIONS`) are what responses are read against.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel

from hipscreen.fhir.common import (
    CONSTRAINT,
    ENTRY_FORMAT,
    MAX_OCCURS,
    MAX_VALUE,
    MIN_VALUE,
    NONE_CODE,
    OPTION_EXCLUSIVE,
    QUESTIONNAIRE_ID,
    UNIT,
    Release,
    build,
    canonical_base,
    check_release,
    code_system,
    narrative,
    questionnaire_url,
)
from hipscreen.fhir.terminology import ITEM_CODES, coding, unit_coding
from hipscreen.i18n import LANGUAGES, N_, Words, _, check_language, current_language, use_language
from hipscreen.knowledge.intake import Intake, choices_of, strip_optional
from hipscreen.result import DISCLAIMER
from hipscreen.words import field_label, value_words

Kind = Literal["group", "boolean", "integer", "choice", "string", "date", "display"]
RED_FLAG_GROUP = "safety"
"""The group of the red-flag questions: each of its items is required (the group itself is not:
a renderer would ask the group for a value of its own)."""
GATE = "tried_plan"
"""The yes/no item that opens the after-the-plan follow-up (no Intake field)."""
HOW_TO, PICTURE = "how-to", "picture"
"""The last part of the linkId of a self-test's display items (`movement.hip_shift.how-to`):
a hyphen, so it never clashes with a field name."""
ALL, ANY = "all", "any"


@dataclass(frozen=True)
class Condition:
    """One enableWhen: `question` `operator` `answer` (a bool, an int or a choice code)."""

    question: str
    operator: str
    answer: bool | int | str

    def fhir(self, base: str) -> dict[str, Any]:
        out: dict[str, Any] = {"question": self.question, "operator": self.operator}
        if self.operator == "exists" or isinstance(self.answer, bool):
            out["answerBoolean"] = self.answer
        elif isinstance(self.answer, int):
            out["answerInteger"] = self.answer
        else:
            out["answerCoding"] = {"system": code_system(self.question, base),
                                   "code": self.answer}
        return out


@dataclass(frozen=True)
class Question:
    """One item of a Questionnaire, read from one field of a model (or a display item or a
    gate, which fill no field: `field` None)."""

    link_id: str
    kind: Kind
    text: str
    field: str | None = None
    required: bool = False
    repeats: bool = False
    low: int | None = None
    high: int | None = None
    options: tuple[str, ...] = ()
    children: tuple[Question, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = ALL
    initial: str | None = None
    max_occurs: int | None = None
    words: tuple[tuple[str, str], ...] = ()
    """Displays of codes that `value_words` does not know (a check-in's own choices)."""

    @property
    def name(self) -> str:
        """The field name: the last part of the linkId."""
        return self.link_id.rpartition(".")[2]

    def system_at(self, base: str | None = None) -> str:
        """The code system of its choices (under the canonical base in effect by default)."""
        return code_system(self.link_id, base)

    @property
    def none_option(self) -> bool:
        """A repeating choice whose empty answer means "tested, none found"."""
        return NONE_CODE in self.options and self.repeats

    def display(self, code: str) -> str:
        if self.none_option and code == NONE_CODE:
            return _("None of these (tested, nothing found)")
        return dict(self.words).get(code) or value_words(self.link_id, code)

    @property
    def expected(self) -> str:
        """What an answer must be, in words, for error messages."""
        if self.kind == "boolean":
            return "a yes/no answer (valueBoolean true or false)"
        if self.kind == "integer":
            return f"a whole number {self.low}..{self.high} (valueInteger)"
        if self.kind == "string":
            return "a text (valueString)"
        if self.kind == "date":
            return "a date YYYY-MM-DD (valueDate)"
        if self.kind == "group":
            return f"the group with its items ({self.text})"
        return f"one of {', '.join(self.options)}"


# -- the intake's items, from the Intake model ----------------------------------------------------
GROUP_TEXTS = Words({
    "safety": N_("Safety questions (red flags): answer each one yes or no"),
    "symptoms": N_("Your symptoms: what hurts, where, how much and when"),
    "movement": N_("Movement tests: leave out any test you did not do"),
    "movement.hip_ir_degrees": N_("Hip internal rotation measured by a clinician, in degrees"),
    "drill_response": N_("After trying the plan: what you felt during which drills"),
})
CLINICIAN = Condition("mode", "=", "clinician")
SELF_SCREEN = (Condition("mode", "exists", False), Condition("mode", "=", "self"))
NOT_A_MAN = (Condition("sex", "exists", False), Condition("sex", "=", "female"),
             Condition("sex", "=", "other"), Condition("sex", "=", "undisclosed"))
LEG_SYMPTOMS = (Condition("safety.both_legs_numb_or_weak", "=", True),
                Condition("safety.both_legs_pain_or_tingling", "=", True),
                Condition("safety.worsening_leg_weakness", "=", True),
                Condition("symptoms.pins_and_needles_below_knee", "=", True),
                Condition("symptoms.locations", "=", "below_knee_left"),
                Condition("symptoms.locations", "=", "below_knee_right"))
BEHAVIOUR: dict[str, dict[str, Any]] = {
    "mode": {"initial": "self"},
    "movement.hip_ir_degrees": {"enable_when": (CLINICIAN,)},
    "safety.pregnant": {"enable_when": NOT_A_MAN, "enable_behavior": ANY},
    "symptoms.leg_symptoms_weeks": {"enable_when": LEG_SYMPTOMS, "enable_behavior": ANY},
    "drill_response": {"enable_when": (Condition(GATE, "=", True),)},
}
"""The SDC behaviour of intake items, by linkId."""
NOT_ASKED_OF_MEN = "safety.pregnant"
"""The one red-flag item the form disables (for a man): absent from a response that answers
the sex as male, it is read as no, not as "not asked"."""


def _group_text(path: str, model: type[BaseModel]) -> str:
    if path in GROUP_TEXTS:
        return GROUP_TEXTS[path]
    label = field_label(path)
    if label != path:
        return label
    summary = " ".join((model.__doc__ or path).split("\n\n")[0].split())
    return _(summary)


DESCRIBED = (
    N_("Age in years"), N_("Pain now, 0 to 10"), N_("Worst pain in the last week, 0 to 10"),
    N_("How long this episode has lasted, in weeks"),
    N_("How many weeks the leg pain, tingling, numbness or weakness has lasted"),
    N_("Age when back pain first began (this episode, if it is the first)"),
    N_("Left hip IR in degrees"), N_("Right hip IR in degrees"),
    N_("Worst pain during the drill, 0 to 10"),
    N_("Any pain from it had settled by the next morning"),
    N_("Signs you should not feel that you felt during it"), N_("The drill has become too easy"))
"""The item texts the forms take from a model's field description (`_text`: a number's, or a
field the app has no label for), marked here so that the message extractor finds them (a test
checks that every such text is one of these)."""


def _text(path: str, description: str | None, number: bool) -> str:
    """The app's label of the field; a number's own description, which names its unit
    ("Pain now, 0 to 10", "How long this episode has lasted, in weeks")."""
    label = field_label(path)
    if number and description or label == path:
        return _((description or path).split(";")[0])  # "...; left out = not asked" is for YAML
    return label


def questions_of(model: type[BaseModel], prefix: str = "", *, required: bool = True,
                 behaviour: dict[str, dict[str, Any]] | None = None) -> tuple[Question, ...]:
    """The items of the fields of `model`: a field is required when it and every group above
    it is required (`required`), and each red-flag item is; `behaviour` adds SDC behaviour."""
    behaviour = BEHAVIOUR if behaviour is None else behaviour
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation, nullable = strip_optional(info.annotation)
        red_flag = path.startswith(f"{RED_FLAG_GROUP}.")  # each question; not its group,
        needed = (required and info.is_required()) or red_flag  # which renderers cannot fill
        common: dict[str, Any] = {"link_id": path, "field": name, "required": needed,
                                  **behaviour.get(path, {})}
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.append(Question(kind="group", text=_group_text(path, annotation),
                                children=questions_of(annotation, f"{path}.", required=needed,
                                                      behaviour=behaviour), **common))
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


def _self_test_help(question: Question) -> tuple[Question, ...]:
    """The display items before a movement test: how to do it, and what its picture shows
    (for a person screening themselves; the clinician's measurement has its own)."""
    from hipscreen.knowledge.catalogue import catalogue

    test = catalogue().movement_tests.get(question.name)
    if test is None:
        return ()
    clinician = question.kind == "group"
    when = {"enable_when": SELF_SCREEN, "enable_behavior": ANY} if not clinician else {}
    return (
        Question(link_id=f"{question.link_id}.{HOW_TO}", kind="display",
                 text=f"{test.label.rstrip('.')}{'' if test.label.endswith('?') else '.'} "
                      f"{test.how_to}", **when),
        Question(link_id=f"{question.link_id}.{PICTURE}", kind="display",
                 text=_("What the picture shows: {alt}", alt=test.picture_alt), **when),
    )


def _with_layout(questions: tuple[Question, ...]) -> tuple[Question, ...]:
    """The intake's items with the display items of each self-test and the follow-up's gate."""
    out: list[Question] = []
    for question in questions:
        if question.link_id == "drill_response":
            out.append(Question(link_id=GATE, kind="boolean", text=_(
                "I have tried the drill plan and can say how the drills felt")))
        if question.link_id == "movement":
            children: list[Question] = []
            for child in question.children:
                if child.kind == "group":  # the clinician's measurement: its help inside it
                    child = replace(child, children=(*_self_test_help(child), *child.children))
                    children.append(child)
                else:
                    children += [*_self_test_help(child), child]
            question = replace(question, children=tuple(children))
        out.append(question)
    return tuple(out)


def intake_questions(lang: str = "en") -> tuple[Question, ...]:
    """The intake's items with their texts in `lang` (the same items, linkIds and codes in every
    language: only the words differ)."""
    with use_language(check_language(lang)):
        return _with_layout(questions_of(Intake))


QUESTIONS: tuple[Question, ...] = intake_questions("en")
"""The Questionnaire's items, in the order of the Intake model (in English, the source
language, whatever language is in use when this module is first imported)."""


def index(questions: tuple[Question, ...], parent: Question | None = None,
          into: dict[str, tuple[Question, Question | None]] | None = None) -> dict:
    """Every linkId -> (its question, the group it belongs to or None at the top level)."""
    into = {} if into is None else into
    for question in questions:
        into[question.link_id] = (question, parent)
        index(question.children, question, into)
    return into


BY_LINK_ID: dict[str, tuple[Question, Question | None]] = index(QUESTIONS)
"""Every linkId of the intake -> (its question, the group it belongs to or None)."""


# -- items as FHIR ------------------------------------------------------------------------------
UNIT_WORDS = Words({"years": N_("years"), "weeks": N_("weeks"), "degrees": N_("degrees")},
                   context="unit")
"""The words of a number's unit in its entryFormat (the UCUM display stays as UCUM has it)."""


def _entry_format(question: Question) -> str:
    unit = unit_coding(question.name)
    if unit and unit["display"] != "score":
        return _("{low} to {high} {unit}", low=question.low, high=question.high,
                 unit=UNIT_WORDS.get(unit["display"], unit["display"]))
    return _("{low} to {high}", low=question.low, high=question.high)


def _constraint(key: str, expression: str, human: str) -> dict[str, Any]:
    return {"url": CONSTRAINT, "extension": [
        {"url": "key", "valueId": key}, {"url": "severity", "valueCode": "error"},
        {"url": "expression", "valueString": expression}, {"url": "human", "valueString": human}]}


def item(question: Question, release: Release, base: str) -> dict[str, Any]:
    """One Questionnaire item (with its children) as FHIR JSON of `release`."""
    out: dict[str, Any] = {"linkId": question.link_id}
    if question.link_id in ITEM_CODES:
        out["code"] = [coding(*ITEM_CODES[question.link_id])]
    out["text"] = question.text
    extensions: list[dict[str, Any]] = []
    if question.kind == "group":
        out["type"] = "group"
        if question.link_id == "movement.hip_ir_degrees":
            left, right = (f"item.where(linkId = '{question.link_id}.{side}').answer.exists()"
                           for side in ("left", "right"))
            extensions.append(_constraint("hip-ir-both-sides", f"{left} = {right}",
                                          _("Give the degrees of both hips, or of neither")))
    elif question.kind == "choice":
        out["type"] = "choice" if release == "R4B" else "coding"
        if release == "R5":
            out["answerConstraint"] = "optionsOnly"
    else:
        out["type"] = question.kind
    if question.kind == "integer":
        extensions += [{"url": MIN_VALUE, "valueInteger": question.low},
                       {"url": MAX_VALUE, "valueInteger": question.high}]
        if unit := unit_coding(question.name):
            extensions.append({"url": UNIT, "valueCoding": unit})
        extensions.append({"url": ENTRY_FORMAT, "valueString": _entry_format(question)})
    if question.max_occurs:
        extensions.append({"url": MAX_OCCURS, "valueInteger": question.max_occurs})
    if extensions:
        out["extension"] = extensions
    if question.enable_when:
        out["enableWhen"] = [condition.fhir(base) for condition in question.enable_when]
        if len(question.enable_when) > 1:
            out["enableBehavior"] = question.enable_behavior
    if question.required:
        out["required"] = True
    if question.repeats:
        out["repeats"] = True
    if question.kind == "choice":
        out["answerOption"] = [_option(question, code, base) for code in question.options]
    if question.initial is not None:
        out["initial"] = [{"valueCoding": _coding(question, question.initial, base)}]
    if question.children:
        out["item"] = [item(child, release, base) for child in question.children]
    return out


def _coding(question: Question, code: str, base: str) -> dict[str, str]:
    return {"system": question.system_at(base), "code": code, "display": question.display(code)}


def _option(question: Question, code: str, base: str) -> dict[str, Any]:
    option: dict[str, Any] = {"valueCoding": _coding(question, code, base)}
    if question.none_option and code == NONE_CODE:
        option["extension"] = [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]
    return option


def questionnaire_version() -> str:
    """The version of hipscreen's Questionnaires: hipscreen's own version."""
    from hipscreen.fingerprint import hipscreen_version

    return hipscreen_version()


# -- languages ------------------------------------------------------------------------------------
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
"""The standard extension that carries a primitive's text in another language (`lang`,
`content`), on the primitive's own element: `_text` of an item, `_display` of a coding."""
TRANSLATED = ("text", "display", "title", "description")
"""The string elements a person reads, translated wherever they appear in a Questionnaire
(except inside `code`: a LOINC or SNOMED CT display is the terminology's own)."""


def translation(lang: str, content: str) -> dict[str, Any]:
    """One translation extension: `content` is the text in `lang`."""
    return {"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": lang},
                                              {"url": "content", "valueString": content}]}


def _add_translation(element: dict[str, Any], key: str, lang: str, content: Any) -> None:
    if isinstance(element.get(key), str) and isinstance(content, str):
        element.setdefault(f"_{key}", {"extension": []})["extension"].append(
            translation(lang, content))


def add_translations(primary: Any, other: Any, lang: str) -> None:
    """Put the texts of `other` (the same resource, or the same part of it, built in `lang`)
    on `primary` as translation extensions: the two are walked side by side, so each text gets
    the text that stands in its place in `other`."""
    if isinstance(primary, list) and isinstance(other, list):
        for mine, theirs in zip(primary, other, strict=True):
            add_translations(mine, theirs, lang)
        return
    if not isinstance(primary, dict) or not isinstance(other, dict):
        return
    for key in list(primary):
        if key in TRANSLATED:
            _add_translation(primary, key, lang, other.get(key))
        elif key == "code":  # a standard terminology's display is its own
            continue
        elif key == "extension":  # an entryFormat or a constraint's words are in `language`
            continue  # only (fhir.resources has no element for a value[x]'s own extensions)
        elif isinstance(primary[key], dict | list):
            add_translations(primary[key], other.get(key), lang)


def in_languages(make: Callable[[], dict[str, Any]], lang: str | None = None) -> dict[str, Any]:
    """The resource `make` builds, in `lang` (default: the language in use) with its texts in
    every other language hipscreen speaks as translation extensions, and `language` set."""
    lang = check_language(lang or current_language())
    with use_language(lang):
        primary = make()
    for other in LANGUAGES:
        if other != lang:
            with use_language(other):
                add_translations(primary, make(), other)
    return {**primary, "language": lang}


def questionnaire_dict(release: Release = "R4B", *, base: str | None = None,
                       questions: Callable[[str], tuple[Question, ...]] | None = None
                       ) -> dict[str, Any]:
    """The intake Questionnaire as FHIR JSON (a dict), in the language in use."""
    questions = questions or intake_questions
    description = _(
        "The hipscreen intake, generated from its Intake model: each linkId is the field's "
        "dotted path. Every safety (red-flag) question is required and answered yes or no: "
        "a safety item left out of a response was not asked, which is never read as no and "
        "never gives a self-care plan; a safety item with no answer is refused. A movement "
        "test that was not done has no item (not tested), which differs from the answer "
        "'none'.") + " "
    disclaimer = _(DISCLAIMER)
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "text": narrative(_("hipscreen intake: recurring low back pain that may come from the "
                            "hip."), description, disclaimer),
        "url": questionnaire_url(base),
        "version": questionnaire_version(),
        "name": "HipscreenIntake",
        "title": _("hipscreen intake: recurring low back pain that may come from the hip"),
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "hipscreen",
        "description": description + disclaimer,
        "item": [item(question, release, base) for question in questions(current_language())],
    }


def questionnaire(release: Release = "R4B", *, base: str | None = None,
                  lang: str | None = None) -> Any:
    """The intake Questionnaire as a fhir.resources model of `release` (R4B or R5), under the
    canonical base `base` (default: $HIPSCREEN_FHIR_BASE, else the example base), in `lang`
    (default: the language in use, English unless set) with every text a person reads also in
    the other languages (the standard translation extension)."""
    release, base = check_release(release), canonical_base(base)
    return build(release, in_languages(lambda: questionnaire_dict(release, base=base), lang))


def questionnaire_json(release: Release = "R4B", *, base: str | None = None,
                       lang: str | None = None) -> str:
    """The intake Questionnaire as FHIR JSON of `release` (R4B or R5), in `lang`."""
    return questionnaire(release, base=base, lang=lang).model_dump_json(indent=2)


__all__ = [
    "BY_LINK_ID",
    "GATE",
    "QUESTIONS",
    "TRANSLATION",
    "Condition",
    "Question",
    "add_translations",
    "in_languages",
    "index",
    "intake_questions",
    "item",
    "questionnaire",
    "questionnaire_dict",
    "questionnaire_json",
    "questionnaire_version",
    "questions_of",
    "translation",
]
