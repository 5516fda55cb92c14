"""A Bundle that tells the truth (issue 19, items 3-5): the QuestionnaireResponse exactly as
received beside the labelled answers as screened, identifiers unique per screening, a Patient
only as stable as the person label, standard terminology where it exists and hipscreen's own
CodeSystems for the rest, RiskAssessment as FHIR intends, a narrative in every resource."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hipscreen.cli import main
from hipscreen.fhir import (
    RELEASES,
    bundle_dict,
    bundle_json,
    code_systems,
    intake_from_response,
    questionnaire_json,
    response_from_intake,
)
from hipscreen.fingerprint import hipscreen_version
from hipscreen.knowledge.intake import Intake
from hipscreen.screening import screen

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
SNOMED = "http://snomed.info/sct"
RISK = "http://terminology.hl7.org/CodeSystem/risk-probability"
TAG = "answers-as-screened"


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _url_of(bundle: dict[str, Any], resource: dict[str, Any]) -> str:
    return next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource)


def _tagged(resource: dict[str, Any]) -> bool:
    return TAG in {t.get("code") for t in resource.get("meta", {}).get("tag", [])}


def _answers(items: list[dict[str, Any]]) -> int:
    return sum(len(i.get("answer", [])) + _answers(i.get("item", [])) for i in items)


def renderer_response() -> dict[str, Any]:
    """A response as a renderer writes it: only what the person answered (13 answers), its own
    meta and authored time, a fraction of a second and a time zone hipscreen would not write."""
    system = "https://hipscreen.example/fhir/CodeSystem"
    return {
        "resourceType": "QuestionnaireResponse",
        "meta": {"profile": ["http://hl7.org/fhir/4.0/StructureDefinition/QuestionnaireResponse"],
                 "tag": [{"code": "lformsVersion: 40.1.3"}]},
        "status": "completed",
        "authored": "2026-11-30T09:15:42.123+01:00",
        "questionnaire": f"https://hipscreen.example/fhir/Questionnaire/intake|{hipscreen_version()}",
        "item": [
            {"linkId": "mode", "text": "Filled in by",
             "answer": [{"valueCoding": {"system": f"{system}/mode", "code": "self"}}]},
            {"linkId": "age", "answer": [{"valueInteger": 34}]},
            {"linkId": "sex", "answer": [{"valueCoding": {"system": f"{system}/sex",
                                                          "code": "male"}}]},
            {"linkId": "safety", "item": [
                {"linkId": f"safety.{name}", "answer": [{"valueBoolean": False}]}
                for name in ("bladder_or_bowel_change", "saddle_numbness", "fever_or_unwell",
                             "cannot_bear_weight", "hot_swollen_hip", "new_limp")]},
            {"linkId": "symptoms", "item": [
                {"linkId": "symptoms.pain_now", "answer": [{"valueInteger": 3}]},
                {"linkId": "symptoms.pain_worst_week", "answer": [{"valueInteger": 5}]}]},
            {"linkId": "movement", "item": [
                {"linkId": "movement.hip_shift", "answer": [{"valueCoding": {
                    "system": f"{system}/movement.hip_shift", "code": "right"}}]},
                {"linkId": "movement.hinge_faults", "answer": [{"valueCoding": {
                    "system": f"{system}/movement.hinge_faults", "code": "none"}}]}]},
        ],
    }


# -- item 3: the response as received ------------------------------------------------------------
@pytest.mark.parametrize("release", RELEASES)
def test_the_bundle_carries_the_response_exactly_as_received(release, tmp_path, capsys):
    received = renderer_response()
    assert _answers(received["item"]) == 13
    path = tmp_path / "qr.json"
    path.write_text(json.dumps(received))
    assert main(["screen", str(path), "--format", "fhir", "--fhir-release", release]) == 0
    bundle = json.loads(capsys.readouterr().out)
    responses = _resources(bundle, "QuestionnaireResponse")
    kept = [r for r in responses if not _tagged(r)]
    assert kept == [received]  # nothing added, nothing dropped: meta, authored as written
    assert _answers(kept[0]["item"]) == 13
    (screened,) = [r for r in responses if _tagged(r)]  # the answers as screened, labelled
    assert _answers(screened["item"]) > 13
    assert screened["authored"] == received["authored"]
    assert "with hipscreen's defaults for" in screened["text"]["div"]
    assert "Defaults hipscreen used (the person did not give these)" in screened["text"]["div"]
    assert ("<li>Stretching helps only for a while, and the tightness comes back: No</li>"
            in screened["text"]["div"])  # a default the person never gave, named as one
    assert "Age in years: 34" not in screened["text"]["div"]  # given: not a default
    # what points at what: the basis names both, the provenance the one received
    kept_url, screened_url = _url_of(bundle, kept[0]), _url_of(bundle, screened)
    for assessment in _resources(bundle, "RiskAssessment"):
        assert [(b["reference"], b["display"]) for b in assessment["basis"]] == [
            (kept_url, "the QuestionnaireResponse as received"),
            (screened_url, "the answers as screened (with hipscreen's defaults)")]
    (provenance,) = _resources(bundle, "Provenance")
    assert provenance["entity"] == [{"role": "source", "what": {
        "reference": kept_url, "display": "the QuestionnaireResponse as received"}}]
    assert screened_url in {t["reference"] for t in provenance["target"]}


def test_an_intake_file_gives_one_labelled_response():
    bundle = bundle_dict(screen(Intake(age=34, safety={})), now=NOW)
    (qr,) = _resources(bundle, "QuestionnaireResponse")
    assert _tagged(qr) and qr["authored"] == "2025-03-04T05:06:07Z"
    assert "from an intake file" in qr["text"]["div"]


def test_a_response_is_carried_only_for_the_intake_read_from_it():
    received = renderer_response()
    intake = intake_from_response(received, "qr.json")
    carried = bundle_dict(screen(intake))["entry"][0]["resource"]
    assert carried == received
    same_answers = Intake.model_validate(intake.model_dump())  # an equal intake, not read from it
    assert all(_tagged(r) for r in _resources(bundle_dict(screen(same_answers)),
                                              "QuestionnaireResponse"))


# -- item 4: identifiers -----------------------------------------------------------------------
def test_identifiers_are_unique_per_screening_and_the_patient_as_stable_as_its_label():
    result = screen(Intake(age=34, safety={}))
    first, second = (json.loads(bundle_json(result)) for _ in range(2))
    assert first["identifier"]["value"] != second["identifier"]["value"]
    assert not {e["fullUrl"] for e in first["entry"]} & {e["fullUrl"] for e in second["entry"]}
    (p1,), (p2,) = _resources(first, "Patient"), _resources(second, "Patient")
    assert _url_of(first, p1) != _url_of(second, p2) and "identifier" not in p1
    labelled = [bundle_dict(result, person="P-0042") for _ in range(2)]
    patients = [_resources(b, "Patient")[0] for b in labelled]
    assert _url_of(labelled[0], patients[0]) == _url_of(labelled[1], patients[1])
    assert patients[0]["identifier"] == [{"system": "https://hipscreen.example/fhir/person-label",
                                          "value": "P-0042"}]
    assert labelled[0]["identifier"] != labelled[1]["identifier"]  # still two screenings
    other = bundle_dict(result, person="P-0043")
    assert _url_of(other, _resources(other, "Patient")[0]) != _url_of(labelled[0], patients[0])
    assert bundle_json(result, now=NOW, seed="s") == bundle_json(result, now=NOW, seed="s")


# -- item 5: terminology, RiskAssessment, narrative, the R4B referral ---------------------------
@pytest.mark.parametrize("release", RELEASES)
def test_red_flags_carry_snomed_and_triage_in_an_extension(release):
    result = screen(Intake(age=45, safety={"saddle_numbness": True}))
    bundle = bundle_dict(result, release)
    _, red_flags = _resources(bundle, "RiskAssessment")
    (prediction,) = red_flags["prediction"]
    codings = prediction["outcome"]["coding"]
    assert codings[0] == {"system": SNOMED, "code": "192970008",
                          "display": "Cauda equina syndrome"}
    assert codings[1]["code"] == "cauda_equina"
    assert codings[1]["system"] == "https://hipscreen.example/fhir/CodeSystem/red-flag"
    assert "qualitativeRisk" not in prediction  # no probability words for a triage
    (extension,) = prediction["extension"]
    assert extension["url"] == "https://hipscreen.example/fhir/StructureDefinition/triage-level"
    assert extension["valueCodeableConcept"]["coding"][0]["code"] == "emergency"
    (referral,) = _resources(bundle, "ServiceRequest")
    reasons = (referral["reasonCode"] if release == "R4B"
               else [r["concept"] for r in referral["reason"]])
    assert reasons[0]["coding"][0]["code"] == "192970008"
    assert referral["priority"] == "stat"
    (guidance,) = _resources(bundle, "GuidanceResponse")
    if release == "R4B":  # the referral is linked through a RequestGroup
        (group,) = _resources(bundle, "RequestGroup")
        assert guidance["result"] == {"reference": _url_of(bundle, group)}
        assert group["action"][0]["resource"]["reference"] == _url_of(bundle, referral)
    else:
        assert guidance["result"] == [{"reference": _url_of(bundle, referral)}]


def test_deficits_speak_risk_probability():
    result = screen(Intake(age=34, safety={}, symptoms={"stretching_only_temporary_relief": True,
                                                        "worse_with": ["after_leg_day"]},
                           movement={"hip_shift": "right"}))
    deficits, _ = _resources(bundle_dict(result), "RiskAssessment")
    assert deficits["prediction"]
    for prediction, deficit in zip(deficits["prediction"], result.deficits, strict=True):
        risk, own = prediction["qualitativeRisk"]["coding"]
        assert risk["system"] == RISK
        assert risk["code"] == {"likely": "high", "possible": "moderate"}[deficit.confidence]
        assert own["code"] == deficit.confidence
        assert "not a probability" in prediction["rationale"]


def test_every_resource_has_a_narrative_but_the_one_received():
    received = renderer_response()
    intake = intake_from_response(received, "qr.json")
    bundle = bundle_dict(screen(intake))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource == received:
            assert "text" not in resource
            continue
        assert resource["text"]["status"] == "generated", resource["resourceType"]
        assert len(resource["text"]["div"]) > 60


# -- the CodeSystems ----------------------------------------------------------------------------
def _systems(node: Any) -> set[tuple[str, str]]:
    if isinstance(node, dict):
        found = ({(node["system"], node["code"])} if isinstance(node.get("system"), str)
                 and isinstance(node.get("code"), str) else set())
        return found | {s for value in node.values() for s in _systems(value)}
    if isinstance(node, list):
        return {s for value in node for s in _systems(value)}
    return set()


@pytest.mark.parametrize("release", RELEASES)
def test_codesystems_cover_every_hipscreen_code_used(release, capsys):
    from fhir.resources import get_fhir_model_class as r5
    from fhir.resources.R4B import get_fhir_model_class as r4b

    assert main(["fhir", "codesystems", "--fhir-release", release]) == 0
    printed = json.loads(capsys.readouterr().out)
    (r4b if release == "R4B" else r5)("Bundle").model_validate(printed)
    defined = {(e["resource"]["url"], c["code"]) for e in printed["entry"]
               for c in e["resource"]["concept"]}
    assert all(e["resource"]["text"]["div"] for e in printed["entry"])
    used = _systems(json.loads(questionnaire_json(release)))
    for intake in (Intake(age=45, safety={"saddle_numbness": True}),
                   Intake(age=34, safety={}, movement={"hip_shift": "right"}),
                   Intake(age=60, safety={"cancer_history": True}, mode="clinician")):
        used |= _systems(bundle_dict(screen(intake), release))
    ours = {u for u in used if u[0].startswith("https://hipscreen.example/fhir/CodeSystem/")}
    assert ours and ours <= defined


def test_codesystems_follow_the_canonical_base(capsys):
    clinic = "https://terminology.clinic.example.org/fhir"
    printed = code_systems(base=clinic)
    assert all(e["resource"]["url"].startswith(f"{clinic}/CodeSystem/") for e in printed["entry"])
    bundle = bundle_dict(screen(Intake(age=34, safety={})), base=clinic)
    (guidance,) = _resources(bundle, "GuidanceResponse")
    assert guidance["moduleCanonical"].startswith(f"{clinic}/Library/hipscreen|")
    qr = response_from_intake(Intake(age=34), base=clinic)
    assert qr.questionnaire.startswith(f"{clinic}/Questionnaire/intake|")
