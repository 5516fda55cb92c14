"""A screening Result as a FHIR Bundle of type `collection`.

`collection` rather than `document`: a document is an attested, signed-off record that needs a
Composition and an author who vouches for it; a screening aid's output is a set of proposals for
a clinician to look at, and a clinic system takes from it what it stores. The Bundle holds:

* the QuestionnaireResponse of the intake (the source of everything else); a safety question
  never asked has no item in it (absent = not asked, never "no"), and the red-flag
  RiskAssessment says in a note that the safety questions were not asked;
* a GuidanceResponse for the screening: module = hipscreen's canonical with its version, the
  knowledge-base fingerprint as an extension (both also on the Device that made it);
* a RiskAssessment of the deficits: each a prediction with "likely" or "possible" as its
  qualitativeRisk, the certainty only in the rationale text (it is a certainty factor, not a
  probability); and a RiskAssessment of the red flags, each with its triage level;
* when the plan stands, a draft CarePlan with a draft ServiceRequest per drill (the dose first
  in its patient instruction); when the triage stops the plan (emergency, urgent, or a
  clinician_review row that allows no drills), a referral ServiceRequest with the priority of
  the triage (stat, urgent, routine) and no CarePlan; at clinician_review with a plan, both the
  draft plan and a routine referral ("start once a clinician agrees");
* a Provenance from every conclusion to the response, with hipscreen (a Device) as its agent;
* the Patient screened (anonymous: no name, no identifier) and the Device.

Resources point at each other by `urn:uuid:` fullUrls, uuid5s of the result's content, so the
same result gives the same ids. The disclaimer is a note on every resource that has `note`.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from hipscreen.fhir.common import (
    BASE_URL,
    FINGERPRINT_EXTENSION,
    MODULE_URL,
    Release,
    build,
    check_release,
    code_system,
    model_class,
)
from hipscreen.fhir.response import response_from_intake
from hipscreen.render import safety_not_asked_line
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, DeficitResult, PlanItem, RedFlagHit, Result
from hipscreen.words import CONFIDENCE_WORDS, SIDE_WORDS, certainty_scale, flag_answer_words

PRIORITY = {"emergency": "stat", "urgent": "urgent", "clinician_review": "routine"}
"""The ServiceRequest priority of a referral, by triage level."""
GENDER = {"female": "female", "male": "male", "other": "other", "undisclosed": "unknown"}
SNOMED = "http://snomed.info/sct"
PATIENT_REFERRAL = {"system": SNOMED, "code": "3457005", "display": "Patient referral"}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE_URL)


class _Ids:
    """Deterministic urn:uuid fullUrls: the same result and release give the same ids."""

    def __init__(self, result: Result, release: Release) -> None:
        digest = hashlib.sha256(result.model_dump_json().encode("utf-8"))
        self.seed = f"{release}:{digest.hexdigest()}"

    def __call__(self, role: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.seed}/{role}')}"


def _ref(url: str, display: str | None = None) -> dict[str, str]:
    return {"reference": url, "display": display} if display else {"reference": url}


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}],
            "text": text or display}


def _drill_role(index: int, item: PlanItem) -> str:
    return f"drill/{index}/{item.drill}/{item.side}"


def _side(side: str) -> str:
    return SIDE_WORDS.get(side, side).lower()


class _Builder:
    def __init__(self, result: Result, release: Release, now: datetime) -> None:
        from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint

        self.result, self.release, self.now = result, release, now
        self.version, self.fingerprint = hipscreen_version(), knowledge_fingerprint()
        self.id = _Ids(result, release)
        self.entries: list[tuple[str, dict[str, Any]]] = []
        self.patient, self.device = self.id("patient"), self.id("device")
        self.response = self.id("response")

    def add(self, url: str, resource: dict[str, Any]) -> str:
        if "note" in model_class(self.release, resource["resourceType"]).model_fields:
            resource["note"] = [{"text": self.result.disclaimer}, *resource.get("note", [])]
        self.entries.append((url, resource))
        return url

    def r4b(self) -> bool:
        return self.release == "R4B"

    # -- the resources ----------------------------------------------------------------------
    def questionnaire_response(self) -> None:
        qr = response_from_intake(self.result.intake, self.release, subject=self.patient,
                                  authored=self.now)
        self.add(self.response, qr.model_dump(mode="json", exclude_none=True))

    def guidance(self, care_plan: str | None, referral: str | None) -> str:
        triage = self.result.triage
        resource: dict[str, Any] = {
            "resourceType": "GuidanceResponse",
            "extension": [{"url": FINGERPRINT_EXTENSION, "valueString": self.fingerprint}],
            "moduleCanonical": f"{MODULE_URL}|{self.version}",
            "status": "success",
            "subject": _ref(self.patient),
            "occurrenceDateTime": self.now,
            "performer": _ref(self.device, f"hipscreen {self.version}"),
            "note": [{"text": f"Triage: {triage.label} ({triage.level}). {triage.action}"}],
        }
        if self.r4b():  # R4B: one CarePlan (or RequestGroup), never a bare ServiceRequest
            if care_plan:
                resource["result"] = _ref(care_plan)
        elif requests := [u for u in (care_plan, referral) if u]:
            resource["result"] = [_ref(u) for u in requests]
        return self.add(self.id("guidance"), resource)

    def _assessment(self, role: str, code: str, display: str, predictions: list[dict[str, Any]],
                    mitigation: str | None, notes: list[str]) -> str:
        resource: dict[str, Any] = {
            "resourceType": "RiskAssessment",
            "status": "preliminary",  # a screening aid's conclusion, for a clinician to confirm
            "code": _concept(code_system("assessment"), code, display),
            "subject": _ref(self.patient),
            "occurrenceDateTime": self.now,
            "performer": _ref(self.device, f"hipscreen {self.version}"),
            "basis": [_ref(self.response, "the intake answers")],
            "note": [{"text": text} for text in notes],
        }
        if predictions:
            resource["prediction"] = predictions
        if mitigation:
            resource["mitigation"] = mitigation
        return self.add(self.id(role), resource)

    def deficits(self) -> str:
        def prediction(d: DeficitResult) -> dict[str, Any]:
            return {
                "outcome": _concept(code_system("deficit"), d.id, d.label,
                                    f"{d.label} - {_side(d.side)}"),
                "qualitativeRisk": _concept(code_system("confidence"), d.confidence,
                                            CONFIDENCE_WORDS[d.confidence]),
                "rationale": (f"{CONFIDENCE_WORDS[d.confidence]}, side: {_side(d.side)}; "
                              f"certainty {d.certainty:.2f} as a certainty factor, not a "
                              f"probability ({certainty_scale()}). {d.explanation} Evidence "
                              f"rules: {', '.join(d.evidence)}."),
            }

        none = [] if self.result.deficits else ["No deficit was concluded from these answers."]
        return self._assessment("deficits", "hip-deficits", "Likely and possible hip deficits",
                                [prediction(d) for d in self.result.deficits], None, none)

    def red_flags(self) -> str:
        triage = self.result.triage

        def prediction(flag: RedFlagHit) -> dict[str, Any]:
            raised = "; ".join(flag_answer_words(flag.answers))
            return {
                "outcome": _concept(code_system("red-flag"), flag.id, flag.label),
                "qualitativeRisk": self._triage_concept(flag.level),
                "rationale": f"Raised by: {raised}. Action: {flag.action} Source: {flag.source}",
            }

        notes = [f"Triage: {triage.label} ({triage.level})."]
        if unasked := safety_not_asked_line(self.result):  # never read as a negative screen
            notes.append(unasked + " A red-flag item absent from the QuestionnaireResponse was "
                                   "not asked; it is not a 'no'.")
        if not triage.red_flags:
            notes.append("No red flag was found in these answers.")
        return self._assessment("red-flags", "red-flags", "Red flags and triage",
                                [prediction(f) for f in triage.red_flags], triage.action, notes)

    def _triage_concept(self, level: str) -> dict[str, Any]:
        from hipscreen.screening import TRIAGE_LABELS

        return _concept(code_system("triage-level"), level, TRIAGE_LABELS[level])

    def _request(self, role: str, code: dict[str, Any], instruction: str,
                 **more: Any) -> str:
        if not self.r4b():  # R5: code and supportingInfo are CodeableReferences
            code = {"concept": code}
            more["supportingInfo"] = [{"reference": r} for r in more.get("supportingInfo", [])]
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "code": code,
            "subject": _ref(self.patient),
            "authoredOn": self.now,
            "requester": _ref(self.device, f"hipscreen {self.version}"),
            "patientInstruction": (instruction if self.r4b()
                                   else [{"instructionMarkdown": instruction}]),
            **more,
        }
        return self.add(self.id(role), resource)

    def drill(self, index: int, item: PlanItem, supporting: list[str]) -> str:
        lines = [f"{item.name} ({_side(item.side)}). Dose: {item.dose.text}.",
                 f"Purpose: {item.purpose}", f"Why for you: {' '.join(item.why)}", "Steps:"]
        lines += [f"{i}. {step}" for i, step in enumerate(item.steps, start=1)]
        lines += [f"Cues: {'; '.join(item.cues)}.",
                  f"You should feel: {'; '.join(item.feel)}.",
                  f"You should not feel: {'; '.join(item.dont_feel)}.",
                  f"Easier: {item.regression}", f"Harder: {item.progression}"]
        code = _concept(code_system("drill"), item.drill, item.name,
                        f"{item.name} - {_side(item.side)}")
        return self._request(_drill_role(index, item), code,
                             "\n".join(lines), status="draft", intent="proposal",
                             supportingInfo=[_ref(u) for u in supporting])

    def referral(self, supporting: list[str]) -> str:
        triage = self.result.triage
        reasons = [_concept(code_system("red-flag"), f.id, f.label) for f in triage.red_flags]
        reasons = reasons or [self._triage_concept(triage.level)]
        reason = ({"reasonCode": reasons} if self.r4b()
                  else {"reason": [{"concept": r} for r in reasons]})
        code = {"coding": [PATIENT_REFERRAL], "text": f"Referral: {triage.label}"}
        return self._request("referral", code, triage.action, status="active", intent="proposal",
                             priority=PRIORITY.get(triage.level, "routine"),
                             supportingInfo=[_ref(u) for u in supporting], **reason)

    def care_plan(self, activities: list[str], supporting: list[str]) -> str:
        result = self.result
        notes = [f"{p.label}: {p.text}" for p in result.precautions]
        if result.safety_net:
            notes.append("Safety-netting (see a clinician if): " + " ".join(result.safety_net))
        activity_key = "reference" if self.r4b() else "plannedActivityReference"
        resource = {
            "resourceType": "CarePlan",
            "status": "draft",
            "intent": "proposal",
            "title": "hipscreen drill plan",
            "description": (result.triage.plan_note
                            or "A dosed drill plan from a hipscreen screening, in order."),
            "subject": _ref(self.patient),
            "created": self.now,
            "contributor": [_ref(self.device, f"hipscreen {self.version}")],
            "supportingInfo": [_ref(u) for u in supporting],
            "activity": [{activity_key: _ref(url)} for url in activities],
            "note": [{"text": text} for text in notes],
        }
        return self.add(self.id("care-plan"), resource)

    def provenance(self, targets: list[str]) -> None:
        resource: dict[str, Any] = {
            "resourceType": "Provenance",
            "target": [_ref(u) for u in targets],
            "recorded": self.now,
            "activity": _concept("http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                                 "CREATE", "create"),
            "agent": [{"type": _concept(
                "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                "composer", "Composer"), "who": _ref(self.device, f"hipscreen {self.version}")}],
            "entity": [{"role": "source", "what": _ref(self.response, "the intake answers")}],
        }
        if not self.r4b():
            resource["patient"] = _ref(self.patient)
        self.add(self.id("provenance"), resource)

    def party(self) -> None:
        patient: dict[str, Any] = {"resourceType": "Patient"}
        if self.result.intake.sex:
            patient["gender"] = GENDER[self.result.intake.sex]
        self.add(self.patient, patient)
        software = {"text": "Screening software (rule-based decision support)"}
        names = [{"name": "hipscreen", "type": "user-friendly-name"}] if self.r4b() else [
            {"value": "hipscreen", "type": "user-friendly-name"}]
        self.add(self.device, {
            "resourceType": "Device",
            "deviceName" if self.r4b() else "name": names,
            "type": software if self.r4b() else [software],
            "version": [{"type": {"text": "software"}, "value": self.version},
                        {"type": {"text": "knowledge-base fingerprint"},
                         "value": self.fingerprint}],
        })


def bundle(result: Result, release: Release = "R4B", *, now: datetime | None = None) -> Any:
    """The Bundle of one screening (a fhir.resources model of `release`); see the module
    docstring for what it holds. `now` (default: the current time) stamps it."""
    release = check_release(release)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    b = _Builder(result, release, now)
    b.questionnaire_response()
    triage = result.triage
    stops = triage.level in LEVELS_THAT_STOP_DRILLS or not triage.drills_allowed
    plan_stands = bool(result.plan) and not stops
    refer = stops or triage.level in PRIORITY  # every level but self_care sends to a clinician
    deficits_url = b.id("deficits")
    guidance = b.guidance(b.id("care-plan") if plan_stands else None,
                          b.id("referral") if refer else None)
    conclusions = [guidance, b.deficits(), red_flags := b.red_flags()]
    if plan_stands:
        plan = sorted(result.plan, key=lambda p: p.order)
        conclusions.append(b.care_plan([b.id(_drill_role(i, item)) for i, item in enumerate(plan)],
                                       [deficits_url, b.response]))
        conclusions += [b.drill(i, item, [deficits_url]) for i, item in enumerate(plan)]
    if refer:
        conclusions.append(b.referral([red_flags, b.response]))
    b.provenance(conclusions)
    b.party()
    return build(release, {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": b.id("bundle")},
        "type": "collection",
        "timestamp": now,
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in b.entries],
    })


def bundle_json(result: Result, release: Release = "R4B", *, now: datetime | None = None) -> str:
    """The Bundle of one screening as FHIR JSON of `release` (R4B or R5)."""
    return bundle(result, release, now=now).model_dump_json(indent=2)
