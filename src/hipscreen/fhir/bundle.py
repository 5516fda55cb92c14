"""A screening Result as a FHIR Bundle of type `collection`.

`collection` rather than `document`: a document is an attested, signed-off record that needs a
Composition and an author who vouches for it; a screening aid's output is a set of proposals for
a clinician to look at, and a clinic system takes from it what it stores. The Bundle holds:

* the QuestionnaireResponse exactly as received, when the intake was one (its answers, its
  `authored`, its `meta`: nothing added, nothing dropped);
* the answers as hipscreen screened them, a separate QuestionnaireResponse tagged
  `answers-as-screened`: with a received response, that response plus hipscreen's defaults for
  the questions it did not answer (its narrative names them); from an intake file, the intake.
  A safety question never asked has no item (absent = not asked, never "no");
* a GuidanceResponse for the screening: module = hipscreen's canonical with its version, the
  knowledge-base fingerprint as an extension (both also on the Device that made it); its
  result is the CarePlan, the referral, or (R4B, which cannot point at a ServiceRequest) a
  RequestGroup holding them;
* a RiskAssessment of the deficits: each a prediction whose qualitativeRisk is in HL7's
  risk-probability words (likely = high, possible = moderate; hipscreen's own word beside it),
  the certainty factor only in the rationale (it is not a probability); and a RiskAssessment
  of the red flags: the triage level in an extension (on it and on each flag), each flag's
  outcome coded in SNOMED CT where the condition has a code;
* when the plan stands, a draft CarePlan with a draft ServiceRequest per drill (the dose first
  in its patient instruction); when the triage stops the plan (emergency, urgent, or a
  clinician_review row that allows no drills), a referral ServiceRequest with the priority of
  the triage (stat, urgent, routine) and no CarePlan; at clinician_review with a plan, both the
  draft plan and a routine referral ("start once a clinician agrees");
* a Provenance from every conclusion to the response, with hipscreen (a Device) as its agent;
* the Patient screened and the Device.

Every resource hipscreen makes has a narrative (the same sentences as the other outputs) and
the disclaimer as a note where it has `note`. Identifiers are unique per screening: the Bundle's
identifier and every fullUrl are new each time. The Patient is anonymous and new each time,
unless a person label is given: then it carries the label as its identifier and a fullUrl
derived from it, so it is exactly as stable as the label.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from hipscreen.documents import InputError, clip
from hipscreen.fhir.common import (
    DEFAULT_BASE,
    RISK_PROBABILITY,
    SNOMED,
    Release,
    build,
    canonical_base,
    check_release,
    code_system,
    extension_url,
    fhir_datetime,
    model_class,
    module_url,
    narrative,
)
from hipscreen.fhir.questionnaire import BY_LINK_ID
from hipscreen.fhir.response import intake_response_dict, received_response
from hipscreen.fhir.terminology import RED_FLAG_CONDITIONS, RISK_WORDS, coding
from hipscreen.i18n import _
from hipscreen.render import safety_not_asked_line
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, DeficitResult, PlanItem, RedFlagHit, Result
from hipscreen.words import CONFIDENCE_WORDS, SIDE_WORDS, certainty_scale, flag_answer_words

PRIORITY = {"emergency": "stat", "urgent": "urgent", "clinician_review": "routine"}
"""The ServiceRequest priority of a referral, by triage level."""
GENDER = {"female": "female", "male": "male", "other": "other", "undisclosed": "unknown"}
PATIENT_REFERRAL = {"system": SNOMED, "code": "3457005", "display": "Patient referral"}
ANSWERS_AS_SCREENED = "answers-as-screened"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, DEFAULT_BASE)


class _Ids:
    """urn:uuid fullUrls, new for every screening (a random seed unless one is given)."""

    def __init__(self, seed: str | None) -> None:
        self.seed = seed or uuid.uuid4().hex

    def __call__(self, role: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.seed}/{role}')}"


def person_url(person: str, base: str | None = None) -> str:
    """The Patient fullUrl of a person label: the same label, the same Patient."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{canonical_base(base)}/person/{person}')}"


def _ref(url: str, display: str | None = None) -> dict[str, str]:
    return {"reference": url, "display": display} if display else {"reference": url}


def _concept(codings: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return {"coding": codings, "text": text}


def _drill_role(index: int, item: PlanItem) -> str:
    return f"drill/{index}/{item.drill}/{item.side}"


def _side(side: str) -> str:
    return SIDE_WORDS.get(side, side).lower()


def _leaf_answers(items: Any, out: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """linkId -> its answers, for every item with answers (nested ones too)."""
    out = {} if out is None else out
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("answer"):
            out.setdefault(str(item.get("linkId")), []).extend(item["answer"])
        _leaf_answers(item.get("item"), out)
    return out


def _answer_words(answer: Mapping[str, Any]) -> str:
    for key, value in answer.items():
        if key == "valueBoolean":
            return "Yes" if value else "No"
        if key == "valueCoding" and isinstance(value, Mapping):
            return str(value.get("display") or value.get("code"))
        if key.startswith("value"):
            return str(value)
    return "(no value)"


def _answer_lines(answers: Mapping[str, list[Any]]) -> list[str]:
    lines = []
    for link_id, given in answers.items():
        known = BY_LINK_ID.get(link_id)
        label = known[0].text if known else link_id
        lines.append(f"{label}: {', '.join(_answer_words(a) for a in given)}")
    return lines


class _Builder:
    def __init__(self, result: Result, release: Release, now: datetime, base: str,
                 received: dict[str, Any] | None, person: str | None, seed: str | None) -> None:
        from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint

        self.result, self.release, self.base = result, release, base
        self.now = fhir_datetime(now)
        self.version, self.fingerprint = hipscreen_version(), knowledge_fingerprint()
        self.id = _Ids(seed)
        self.entries: list[tuple[str, dict[str, Any]]] = []
        self.received, self.person = received, person
        self.patient = person_url(person, base) if person else self.id("patient")
        self.device = self.id("device")
        self.received_url = self.id("response/received") if received is not None else None
        self.answers = self.id("response/answers")
        self.by = f"hipscreen {self.version}"

    def add(self, url: str, resource: dict[str, Any], *, disclaimer: bool = True) -> str:
        if disclaimer and "note" in model_class(self.release, resource["resourceType"]).model_fields:
            resource["note"] = [{"text": self.result.disclaimer}, *resource.get("note", [])]
        self.entries.append((url, resource))
        return url

    def r4b(self) -> bool:
        return self.release == "R4B"

    def code(self, vocabulary: str, code: str, display: str) -> dict[str, Any]:
        return coding(code_system(vocabulary, self.base), code, display)

    def triage_extension(self, level: str) -> dict[str, Any]:
        from hipscreen.screening import TRIAGE_LABELS

        return {"url": extension_url("triage-level", self.base), "valueCodeableConcept":
                _concept([self.code("triage-level", level, TRIAGE_LABELS[level])],
                         TRIAGE_LABELS[level])}

    def basis(self) -> list[dict[str, str]]:
        if self.received_url:
            return [_ref(self.received_url, "the QuestionnaireResponse as received"),
                    _ref(self.answers, "the answers as screened (with hipscreen's defaults)")]
        return [_ref(self.answers, "the intake answers")]

    # -- the responses ----------------------------------------------------------------------
    def responses(self) -> None:
        authored = self.now
        if self.received is not None:
            self.add(self.received_url, self.received, disclaimer=False)  # exactly as received
            authored = self.received.get("authored") or self.now
        qr = intake_response_dict(self.result.intake, base=self.base, subject=self.patient)
        qr["authored"] = authored if isinstance(authored, str) else _json_default(authored)
        qr["meta"] = {"tag": [self.code("bundle-entry", ANSWERS_AS_SCREENED,
                                        "The answers as hipscreen screened them")]}
        mine = _leaf_answers(qr["item"])
        if self.received is not None:
            given = _leaf_answers(self.received.get("item"))
            added = {k: v for k, v in mine.items() if k not in given}
            intro = (f"The answers as hipscreen screened them: the QuestionnaireResponse "
                     f"received ({sum(map(len, given.values()))} answers), with hipscreen's "
                     f"defaults for {len(added)} questions it did not answer.")
            blocks: list[Any] = [intro]
            if added:
                blocks += ["Defaults hipscreen used (the person did not give these):",
                           _answer_lines(added)]
        else:
            blocks = ["The intake answers as hipscreen screened them (from an intake file; "
                      "no QuestionnaireResponse was received).", _answer_lines(mine)]
        if line := safety_not_asked_line(self.result):
            blocks.append(line)
        qr = {"resourceType": qr.pop("resourceType"), "meta": qr.pop("meta"),
              "text": narrative(*blocks), **qr}
        self.add(self.answers, qr)

    # -- the conclusions --------------------------------------------------------------------
    def guidance(self, care_plan: str | None, referral: str | None,
                 request_group: str | None) -> str:
        triage = self.result.triage
        words = f"Triage: {triage.label} ({triage.level}). {triage.action}"
        resource: dict[str, Any] = {
            "resourceType": "GuidanceResponse",
            "text": narrative(f"hipscreen {self.version} screened the answers.", words),
            "extension": [{"url": extension_url("knowledge-fingerprint", self.base),
                           "valueString": self.fingerprint},
                          self.triage_extension(triage.level)],
            "moduleCanonical": f"{module_url(self.base)}|{self.version}",
            "status": "success",
            "subject": _ref(self.patient),
            "occurrenceDateTime": self.now,
            "performer": _ref(self.device, self.by),
            "note": [{"text": words}],
        }
        if self.r4b():  # R4B: one CarePlan or RequestGroup, never a bare ServiceRequest
            if target := request_group or care_plan:
                resource["result"] = _ref(target)
        elif requests := [u for u in (care_plan, referral) if u]:
            resource["result"] = [_ref(u) for u in requests]
        return self.add(self.id("guidance"), resource)

    def _assessment(self, role: str, code: str, display: str, predictions: list[dict[str, Any]],
                    mitigation: str | None, notes: list[str], summary: list[Any],
                    extension: list[dict[str, Any]] | None = None) -> str:
        resource: dict[str, Any] = {
            "resourceType": "RiskAssessment",
            "text": narrative(display + ".", *summary, *notes),
        }
        if extension:
            resource["extension"] = extension
        resource |= {
            "status": "preliminary",  # a screening aid's conclusion, for a clinician to confirm
            "code": _concept([self.code("assessment", code, display)], display),
            "subject": _ref(self.patient),
            "occurrenceDateTime": self.now,
            "performer": _ref(self.device, self.by),
            "basis": self.basis(),
            "note": [{"text": text} for text in notes],
        }
        if predictions:
            resource["prediction"] = predictions
        if mitigation:
            resource["mitigation"] = mitigation
        return self.add(self.id(role), resource)

    def deficits(self) -> str:
        def prediction(d: DeficitResult) -> dict[str, Any]:
            risk_code, risk_display = RISK_WORDS[d.confidence]
            return {
                "outcome": _concept([self.code("deficit", d.id, d.label)],
                                    f"{d.label} - {_side(d.side)}"),
                "qualitativeRisk": _concept(
                    [coding(RISK_PROBABILITY, risk_code, risk_display),
                     self.code("confidence", d.confidence, CONFIDENCE_WORDS[d.confidence])],
                    CONFIDENCE_WORDS[d.confidence]),
                "rationale": (f"{CONFIDENCE_WORDS[d.confidence]}, side: {_side(d.side)}; "
                              f"certainty {d.certainty:.2f} as a certainty factor, not a "
                              f"probability ({certainty_scale()}). {d.explanation} Evidence "
                              f"rules: {', '.join(d.evidence)}."),
            }

        deficits = self.result.deficits
        none = [] if deficits else ["No deficit was concluded from these answers."]
        summary = [[f"{d.label} ({_side(d.side)}): {CONFIDENCE_WORDS[d.confidence].lower()}"
                    for d in deficits]]
        return self._assessment("deficits", "hip-deficits", "Likely and possible hip deficits",
                                [prediction(d) for d in deficits], None, none, summary)

    def _flag_codings(self, flag: RedFlagHit) -> list[dict[str, Any]]:
        codings = [self.code("red-flag", flag.id, flag.label)]
        if flag.id in RED_FLAG_CONDITIONS:
            codings.insert(0, coding(SNOMED, *RED_FLAG_CONDITIONS[flag.id]))
        return codings

    def red_flags(self) -> str:
        triage = self.result.triage

        def prediction(flag: RedFlagHit) -> dict[str, Any]:
            raised = "; ".join(flag_answer_words(flag.answers))
            return {
                "extension": [self.triage_extension(flag.level)],
                "outcome": _concept(self._flag_codings(flag), flag.label),
                "rationale": f"Raised by: {raised}. Action: {flag.action} Source: {flag.source}",
            }

        notes = [f"Triage: {triage.label} ({triage.level})."]
        if unasked := safety_not_asked_line(self.result):  # never read as a negative screen
            notes.append(unasked + " A red-flag item absent from the QuestionnaireResponse was "
                                   "not asked; it is not a 'no'.")
        if not triage.red_flags:
            notes.append("No red flag was found in these answers.")
        summary = [[f"{f.label} ({f.level}): {f.action}" for f in triage.red_flags]]
        return self._assessment("red-flags", "red-flags", "Red flags and triage",
                                [prediction(f) for f in triage.red_flags], triage.action, notes,
                                summary, [self.triage_extension(triage.level)])

    def _request(self, role: str, code: dict[str, Any], instruction: str, text: list[Any],
                 **more: Any) -> str:
        if not self.r4b():  # R5: code and supportingInfo are CodeableReferences
            code = {"concept": code}
            more["supportingInfo"] = [{"reference": r} for r in more.get("supportingInfo", [])]
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "text": narrative(*text),
            "code": code,
            "subject": _ref(self.patient),
            "authoredOn": self.now,
            "requester": _ref(self.device, self.by),
            "patientInstruction": (instruction if self.r4b()
                                   else [{"instructionMarkdown": instruction}]),
            **more,
        }
        return self.add(self.id(role), resource)

    def drill(self, index: int, item: PlanItem, supporting: list[str]) -> str:
        side = _side(item.side)
        lines = [_("{name} ({side}). Dose: {dose}.", name=item.name, side=side,
                   dose=item.dose.text),
                 _("Purpose: {purpose}", purpose=item.purpose),
                 _("Why for you: {why}", why=" ".join(item.why)), _("Steps:")]
        lines += [f"{i}. {step}" for i, step in enumerate(item.steps, start=1)]
        lines += [_("Cues: {cues}.", cues="; ".join(item.cues)),
                  _("You should feel: {feel}.", feel="; ".join(item.feel)),
                  _("You should not feel: {feel}.", feel="; ".join(item.dont_feel)),
                  _("Easier: {easier}", easier=item.regression),
                  _("Harder: {harder}", harder=item.progression)]
        code = _concept([self.code("drill", item.drill, item.name)], f"{item.name} - {side}")
        text = [_("Proposed drill: {name} ({side}). Dose: {dose}.", name=item.name, side=side,
                  dose=item.dose.text),
                _("Purpose: {purpose}", purpose=item.purpose),
                [f"{i}. {step}" for i, step in enumerate(item.steps, start=1)]]
        return self._request(_drill_role(index, item), code, "\n".join(lines), text,
                             status="draft", intent="proposal",
                             supportingInfo=[_ref(u) for u in supporting])

    def referral(self, supporting: list[str]) -> str:
        triage = self.result.triage
        reasons = [_concept(self._flag_codings(f), f.label) for f in triage.red_flags]
        if not reasons:
            from hipscreen.screening import TRIAGE_LABELS

            reasons = [_concept([self.code("triage-level", triage.level,
                                           TRIAGE_LABELS[triage.level])],
                                TRIAGE_LABELS[triage.level])]
        reason = ({"reasonCode": reasons} if self.r4b()
                  else {"reason": [{"concept": r} for r in reasons]})
        code = {"coding": [PATIENT_REFERRAL], "text": f"Referral: {triage.label}"}
        text = [f"Referral, priority {PRIORITY.get(triage.level, 'routine')}: {triage.label}.",
                triage.action, [f.label for f in triage.red_flags]]
        return self._request("referral", code, triage.action, text, status="active",
                             intent="proposal", priority=PRIORITY.get(triage.level, "routine"),
                             supportingInfo=[_ref(u) for u in supporting], **reason)

    def care_plan(self, activities: list[str], supporting: list[str]) -> str:
        result = self.result
        notes = [f"{p.label}: {p.text}" for p in result.precautions]
        if result.safety_net:
            notes.append(_("Safety-netting (see a clinician if): {items}",
                           items=" ".join(result.safety_net)))
        activity_key = "reference" if self.r4b() else "plannedActivityReference"
        description = (result.triage.plan_note
                       or _("A dosed drill plan from a hipscreen screening, in order."))
        plan = sorted(result.plan, key=lambda p: p.order)
        resource = {
            "resourceType": "CarePlan",
            "text": narrative(_("hipscreen drill plan (draft)."), description,
                              [f"{p.name} ({_side(p.side)}): {p.dose.text}" for p in plan],
                              *notes),
            "status": "draft",
            "intent": "proposal",
            "title": _("hipscreen drill plan"),
            "description": description,
            "subject": _ref(self.patient),
            "created": self.now,
            "contributor": [_ref(self.device, self.by)],
            "supportingInfo": [_ref(u) for u in supporting],
            "activity": [{activity_key: _ref(url)} for url in activities],
            "note": [{"text": text} for text in notes],
        }
        return self.add(self.id("care-plan"), resource)

    def request_group(self, referral: str, care_plan: str | None) -> str:
        """R4B: what the GuidanceResponse proposes, as one RequestGroup (its result cannot
        point at a ServiceRequest)."""
        triage = self.result.triage
        actions = [{"title": f"Referral: {triage.label}", "resource": _ref(referral)}]
        if care_plan:
            actions.append({"title": "Drill plan (draft): "
                                     f"{triage.plan_note or 'start once a clinician agrees'}",
                            "resource": _ref(care_plan)})
        return self.add(self.id("request-group"), {
            "resourceType": "RequestGroup",
            "text": narrative("What hipscreen proposes.", [a["title"] for a in actions]),
            "status": "draft",
            "intent": "proposal",
            "priority": PRIORITY.get(triage.level, "routine"),
            "subject": _ref(self.patient),
            "authoredOn": self.now,
            "author": _ref(self.device, self.by),
            "action": actions,
        })

    def provenance(self, targets: list[str]) -> None:
        source = self.received_url or self.answers
        resource: dict[str, Any] = {
            "resourceType": "Provenance",
            "text": narrative("Made by hipscreen (a Device) from the answers "
                              + ("as received." if self.received_url else "of the intake.")),
            "target": [_ref(u) for u in targets],
            "recorded": self.now,
            "activity": _concept([coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                                         "CREATE", "create")], "create"),
            "agent": [{"type": _concept([coding(
                "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                "composer", "Composer")], "Composer"), "who": _ref(self.device, self.by)}],
            "entity": [{"role": "source", "what": _ref(source, self.basis()[0]["display"])}],
        }
        if not self.r4b():
            resource["patient"] = _ref(self.patient)
        self.add(self.id("provenance"), resource)

    def party(self) -> None:
        patient: dict[str, Any] = {"resourceType": "Patient"}
        if self.person:
            patient["text"] = narrative(f"The person screened, known by the pseudonymous label "
                                        f"{self.person!r} (no name).")
            patient["identifier"] = [{"system": f"{self.base}/person-label",
                                      "value": self.person}]
        else:
            patient["text"] = narrative("The person screened: anonymous (no name, no "
                                        "identifier; a new Patient for each screening).")
        if self.result.intake.sex:
            patient["gender"] = GENDER[self.result.intake.sex]
        self.add(self.patient, patient)
        software = {"text": "Screening software (rule-based decision support)"}
        names = [{"name": "hipscreen", "type": "user-friendly-name"}] if self.r4b() else [
            {"value": "hipscreen", "type": "user-friendly-name"}]
        self.add(self.device, {
            "resourceType": "Device",
            "text": narrative(f"hipscreen {self.version}, screening software (rule-based "
                              f"decision support); knowledge-base fingerprint "
                              f"{self.fingerprint}."),
            "deviceName" if self.r4b() else "name": names,
            "type": software if self.r4b() else [software],
            "version": [{"type": {"text": "software"}, "value": self.version},
                        {"type": {"text": "knowledge-base fingerprint"},
                         "value": self.fingerprint}],
        })


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return fhir_datetime(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def bundle_dict(result: Result, release: Release = "R4B", *, now: datetime | None = None,
                response: Mapping[str, Any] | None = None, person: str | None = None,
                base: str | None = None, seed: str | None = None) -> dict[str, Any]:
    """The Bundle of one screening as FHIR JSON (a dict, validated by fhir.resources); see the
    module docstring for what it holds. `response` is the QuestionnaireResponse the intake was
    read from (default: the one `intake_from_response` read `result.intake` from, if any);
    `person` a pseudonymous label; `now` stamps it; `seed` makes its ids repeatable (tests)."""
    release, base = check_release(release), canonical_base(base)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    received = dict(response) if response is not None else received_response(result.intake)
    if received is not None:
        received = json.loads(json.dumps(received, default=_json_default))
    b = _Builder(result, release, now, base, received, person, seed)
    b.responses()
    triage = result.triage
    stops = triage.level in LEVELS_THAT_STOP_DRILLS or not triage.drills_allowed
    plan_stands = bool(result.plan) and not stops
    refer = stops or triage.level in PRIORITY  # every level but self_care sends to a clinician
    care_plan_url = b.id("care-plan") if plan_stands else None
    referral_url = b.id("referral") if refer else None
    group_url = b.id("request-group") if refer and b.r4b() else None
    guidance = b.guidance(care_plan_url, referral_url, group_url)
    conclusions = [guidance, deficits := b.deficits(), red_flags := b.red_flags()]
    if plan_stands:
        plan = sorted(result.plan, key=lambda p: p.order)
        conclusions.append(b.care_plan([b.id(_drill_role(i, item)) for i, item in enumerate(plan)],
                                       [deficits, b.answers]))
        conclusions += [b.drill(i, item, [deficits]) for i, item in enumerate(plan)]
    if refer:
        conclusions.append(b.referral([red_flags, b.answers]))
        if group_url:
            conclusions.append(b.request_group(referral_url, care_plan_url))
    b.provenance(conclusions + ([b.answers] if b.received_url else []))
    b.party()
    data = {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": b.id("bundle")},
        "type": "collection",
        "timestamp": b.now,
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in b.entries],
    }
    try:
        build(release, data)
    except ValidationError as exc:
        if received is None:
            raise  # a bug in hipscreen, not in its input
        raise InputError(f"the QuestionnaireResponse received is not valid in a FHIR {release} "
                         f"Bundle ({clip(str(exc).splitlines()[0])}); ask for the release it "
                         "was written in") from None
    return data


def bundle(result: Result, release: Release = "R4B", *, now: datetime | None = None,
           response: Mapping[str, Any] | None = None, person: str | None = None,
           base: str | None = None, seed: str | None = None) -> Any:
    """The Bundle of one screening as a fhir.resources model of `release` (which writes
    dates and numbers its own way: `bundle_json` keeps the received response exactly)."""
    return build(check_release(release), bundle_dict(
        result, release, now=now, response=response, person=person, base=base, seed=seed))


def bundle_json(result: Result, release: Release = "R4B", *, now: datetime | None = None,
                response: Mapping[str, Any] | None = None, person: str | None = None,
                base: str | None = None, seed: str | None = None) -> str:
    """The Bundle of one screening as FHIR JSON of `release` (R4B or R5)."""
    return json.dumps(bundle_dict(result, release, now=now, response=response, person=person,
                                  base=base, seed=seed), indent=2, ensure_ascii=False)
