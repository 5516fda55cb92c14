"""The check-in as a FHIR Questionnaire, and a check-in QuestionnaireResponse read through the
CheckIn model (docs/design.md, "Follow-up: check-ins and records").

Items: `date`; the `safety` group, the intake's red-flag questions asked again (every one
required, the same linkIds; absent = not asked, an empty answer refused); `pain_now` and
`pain_worst_week`; `psfs`, a group that repeats up to 3 times, each an activity the person
names (`psfs.activity`), which opens its score (`psfs.score`); and `drills`, one group per
drill of the catalogue (`drills.<drill id>`) that opens with a gate, "I tried it"
(`drills.<id>.tried`), whose yes opens how it went (sessions, pain during it, settled by the
next morning, what was felt, too easy). Only the drills tried are given; a drill whose
details are given counts as tried whatever its gate says.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hipscreen.fhir.common import Release, build, canonical_base, check_release, narrative
from hipscreen.fhir.questionnaire import (
    Condition,
    Question,
    in_languages,
    index,
    item,
    questionnaire_version,
    questions_of,
)
from hipscreen.fhir.response import (
    FORMS,
    Form,
    _Reader,
    _refused,
    items_of,
    read_response,
    remember_received,
    response_dict,
)
from hipscreen.i18n import _, check_language, use_language
from hipscreen.knowledge.checkin import PSFS_MAX_ACTIVITIES, CheckIn, DrillCheckIn, Sign
from hipscreen.knowledge.intake import DrillId, Safety
from hipscreen.result import DISCLAIMER

CHECKIN_QUESTIONNAIRE_ID = "hipscreen-checkin"
TRIED = "tried"


def _drill_name(drill: str) -> str:
    from hipscreen.knowledge.catalogue import catalogue

    entry = catalogue().drills.get(drill)
    return entry.name if entry is not None else drill.replace("_", " ")


def _drill_group(drill: str) -> Question:
    from hipscreen.review import SIGN_WORDS

    prefix = f"drills.{drill}"
    gate = f"{prefix}.{TRIED}"
    opened = (Condition(gate, "=", True),)
    details = []
    for question in questions_of(DrillCheckIn, f"{prefix}.", behaviour={}):
        more: dict[str, Any] = {"enable_when": opened}
        if question.name == "sessions":  # the model's "(leave the drill out...)" is for YAML
            more["text"] = _("Sessions done since the last record")
        if question.name == "felt":
            more["words"] = tuple((s.value, SIGN_WORDS[s.value].capitalize()) for s in Sign)
        details.append(replace(question, **more))
    name = _drill_name(drill)
    return Question(link_id=prefix, kind="group", field=drill, text=name, children=(
        Question(link_id=gate, kind="boolean",
                 text=_("I tried {name} since the last record", name=name)),
        *details))


def _checkin_questions() -> tuple[Question, ...]:
    out = []
    for name, info in CheckIn.model_fields.items():
        if name == "date":
            out.append(Question(link_id="date", field="date", kind="date",
                                text=_("The day of this check-in (leave it out for today)")))
        elif name == "safety":
            out.append(Question(
                link_id="safety", field="safety", kind="group",  # its items are required
                text=_("Safety questions (red flags), asked again: answer each one yes or no"),
                children=questions_of(Safety, "safety.", behaviour={})))
        elif name in ("pain_now", "pain_worst_week"):
            low = next(m.ge for m in info.metadata if hasattr(m, "ge"))
            high = next(m.le for m in info.metadata if hasattr(m, "le"))
            out.append(Question(link_id=name, field=name, kind="integer", required=True,
                                low=low, high=high, text=_(info.description)))
        elif name == "psfs":
            out.append(Question(
                link_id="psfs", field="psfs", kind="group", repeats=True,
                max_occurs=PSFS_MAX_ACTIVITIES,
                text=_("Activities that matter to you (up to {n}): how well can you do each "
                       "one now?", n=PSFS_MAX_ACTIVITIES),
                children=(  # a named activity opens its score, which it then needs
                    Question(link_id="psfs.activity", field="activity", kind="string",
                             text=_("The activity, in your words")),
                    Question(link_id="psfs.score", field="score", kind="integer",
                             required=True, low=0, high=10,
                             enable_when=(Condition("psfs.activity", "exists", True),),
                             text=_("How well you can do it now: 0 (unable) to 10 (as before "
                                    "the problem)")))))
        elif name == "drills":
            out.append(Question(link_id="drills", field="drills", kind="group",
                                text=_("The drills of your plan that you tried"),
                                children=tuple(_drill_group(d.value) for d in DrillId)))
        else:  # a new CheckIn field: fail loudly rather than leave it out of the form
            raise TypeError(f"fhir: no check-in Questionnaire item rule for {name}")
    return tuple(out)


def checkin_questions(lang: str = "en") -> tuple[Question, ...]:
    """The check-in's items with their texts in `lang` (the same items in every language)."""
    with use_language(check_language(lang)):
        return _checkin_questions()


CHECKIN_QUESTIONS: tuple[Question, ...] = checkin_questions("en")
CHECKIN_BY_LINK_ID = index(CHECKIN_QUESTIONS)


def checkin_questionnaire_dict(release: Release = "R4B", *, base: str | None = None
                               ) -> dict[str, Any]:
    """The check-in Questionnaire as FHIR JSON (a dict), in the language in use."""
    from hipscreen.fhir.common import questionnaire_url
    from hipscreen.i18n import current_language

    description = _(
        "The hipscreen check-in: how the plan went since the last screening or check-in, "
        "read through its CheckIn model (`hipscreen checkin` reads a response to it). The "
        "safety (red-flag) questions are asked again, each required and answered yes or no: "
        "a safety item left out was not asked, which is never read as no.") + " "
    disclaimer = _(DISCLAIMER)
    return {
        "resourceType": "Questionnaire",
        "id": CHECKIN_QUESTIONNAIRE_ID,
        "text": narrative(_("hipscreen check-in: how the plan went."), description, disclaimer),
        "url": questionnaire_url(base, "checkin"),
        "version": questionnaire_version(),
        "name": "HipscreenCheckIn",
        "title": _("hipscreen check-in: how the drill plan went"),
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "hipscreen",
        "description": description + disclaimer,
        "item": [item(question, release, base)
                 for question in checkin_questions(current_language())],
    }


def checkin_questionnaire(release: Release = "R4B", *, base: str | None = None,
                          lang: str | None = None) -> Any:
    """The check-in Questionnaire as a fhir.resources model of `release` (R4B or R5), in `lang`
    (default: the language in use) with its texts in the other languages as translation
    extensions."""
    release, base = check_release(release), canonical_base(base)
    return build(release, in_languages(lambda: checkin_questionnaire_dict(release, base=base),
                                       lang))


def checkin_questionnaire_json(release: Release = "R4B", *, base: str | None = None,
                               lang: str | None = None) -> str:
    return checkin_questionnaire(release, base=base, lang=lang).model_dump_json(indent=2)


# -- CheckIn <-> QuestionnaireResponse -----------------------------------------------------------
def _gate(question: Question, data: Any) -> Any:
    return True if question.link_id.endswith(f".{TRIED}") else None


def checkin_response_dict(checkin: CheckIn, *, base: str | None = None,
                          subject: str | None = None) -> dict[str, Any]:
    """The QuestionnaireResponse of `checkin` as FHIR JSON (a dict)."""
    data = checkin.model_dump(mode="json", exclude_none=True)
    data["psfs"] = [{"activity": name, "score": score} for name, score in checkin.psfs.items()]
    data["psfs"] = data["psfs"] or None
    return response_dict(CHECKIN, items_of(CHECKIN_QUESTIONS, data, base, _gate), base=base,
                         subject=subject)


def response_from_checkin(checkin: CheckIn, release: Release = "R4B", *,
                          base: str | None = None, subject: str | None = None) -> Any:
    return build(check_release(release), checkin_response_dict(checkin, base=base,
                                                               subject=subject))


def _finish_checkin(values: dict[str, Any], reader: _Reader) -> None:
    if isinstance(values.get("safety"), dict):  # absent = not asked, never "no"
        values["safety"] = {**dict.fromkeys(Safety.model_fields), **values["safety"]}
    if isinstance(values.get("psfs"), list):
        scores: dict[str, Any] = {}
        for activity in values["psfs"]:
            name = activity.get("activity")
            if name is None or "score" not in activity:
                missing = "psfs.activity" if name is None else "psfs.score"
                reader.problem(missing, "required but missing in an activity of group 'psfs' "
                                        "(each names the activity and its score)")
                continue
            if name in scores:
                reader.problem("psfs.activity", f"the activity {name[:40]!r} is named twice")
                continue
            scores[name] = activity["score"]
        values["psfs"] = scores


def checkin_from_response(data: dict[str, Any], where: str, *, base: str | None = None
                          ) -> CheckIn:
    """The CheckIn of a FHIR QuestionnaireResponse to the hipscreen check-in Questionnaire.
    Raises IntakeInputError with one line per problem naming `where` and the linkId, led by
    the emergency or urgent triage the safety answers it gives still raise."""
    checkin, problems, values = read_response(data, where, CHECKIN, base=base)
    if problems:
        safety = (values or {}).get("safety")
        # the red flags of the check-in's safety answers, screened as at intake (age unknown)
        raise _refused(problems, {"age": None, "safety": safety} if safety else None,
                       salvage=True)
    remember_received(checkin, data)
    return checkin


CHECKIN = Form(name="checkin", title="hipscreen check-in", command="checkin-questionnaire",
               reads="hipscreen checkin FILE", questions=CHECKIN_QUESTIONS,
               by_link_id=CHECKIN_BY_LINK_ID, model=CheckIn, finish=_finish_checkin)
FORMS["checkin"] = CHECKIN

__all__ = ["CHECKIN_QUESTIONS", "checkin_from_response", "checkin_questionnaire",
           "checkin_questionnaire_json", "response_from_checkin"]
