"""FHIR interchange (issues 12 and 19): the Questionnaire generated from the Intake model,
responses read through it, and a screening as a Bundle, in R4B (the default) and R5. The
Questionnaire's SDC behaviour, the errors, the Bundle's truth and the check-in are in
tests/test_fhir_*.py; tests/test_fhir_lforms.py runs a real renderer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from hipscreen.cases import load_case
from hipscreen.cli import main
from hipscreen.documents import InputError
from hipscreen.fhir import (
    RELEASES,
    bundle_json,
    intake_from_response,
    questionnaire_json,
)
from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint
from hipscreen.knowledge.intake import Intake, Safety
from hipscreen.result import DISCLAIMER, Result
from hipscreen.screening import screen
from tests.fhir_helpers import base_response, find_item, response
from tests.strategies import intakes

CASE_FILES = sorted(Path(__file__).resolve().parent.parent.joinpath("cases").glob("*.yaml"))
CASE_IDS = [path.stem for path in CASE_FILES]
NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
PRIORITY = {"emergency": "stat", "urgent": "urgent", "clinician_review": "routine"}


def model(release: str, name: str) -> Any:
    if release == "R4B":
        from fhir.resources.R4B import get_fhir_model_class
    else:
        from fhir.resources import get_fhir_model_class
    return get_fhir_model_class(name)


@cache
def case_result(path: Path) -> Result:
    return screen(load_case(path).intake)


@cache
def questionnaire(release: str) -> dict[str, Any]:
    return json.loads(questionnaire_json(release))


# -- our own check that a response answers its Questionnaire (fhir.resources does not) ---------
def _answer_problems(question: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    link_id, kind = question["linkId"], question["type"]
    values = {key: value for key, value in answer.items() if key.startswith("value")}
    if len(values) != 1 or answer.get("item"):
        return [f"{link_id}: an answer holds exactly one value ({sorted(answer)})"]
    (key, value), = values.items()
    if kind == "boolean":
        return [] if key == "valueBoolean" and isinstance(value, bool) else [
            f"{link_id}: expected valueBoolean, got {key} {value!r}"]
    if kind == "integer":
        if key != "valueInteger" or not isinstance(value, int) or isinstance(value, bool):
            return [f"{link_id}: expected valueInteger, got {key} {value!r}"]
        limits = {ext["url"]: ext["valueInteger"] for ext in question.get("extension", [])
                  if "valueInteger" in ext}
        if not limits.get(MIN_VALUE, value) <= value <= limits.get(MAX_VALUE, value):
            return [f"{link_id}: {value} outside {limits.get(MIN_VALUE)}..{limits.get(MAX_VALUE)}"]
        return []
    assert kind in ("choice", "coding"), kind
    allowed = {(o["valueCoding"]["system"], o["valueCoding"]["code"])
               for o in question["answerOption"]}
    if key != "valueCoding" or (value.get("system"), value.get("code")) not in allowed:
        return [f"{link_id}: {key} {value!r} is not one of its answerOptions"]
    return []


def as_read_back(intake: Intake) -> Intake:
    """`intake` as its response reads back: the form does not ask a man whether he is pregnant,
    so once the safety questions were asked, that item left out is a no, not "not asked"."""
    safety = intake.safety
    asked = len(intake.safety_not_asked) < len(Safety.model_fields)
    if intake.sex == "male" and asked and safety.pregnant is None:
        return intake.model_copy(update={"safety": safety.model_copy(update={"pregnant": False})})
    return intake


def not_asked_links(intake: Intake) -> set[str]:
    """The red-flag items a response of `intake` leaves out because they were never asked (a
    required item, absent: not asked, never "no")."""
    links = {f"safety.{name}" for name in intake.safety_not_asked}
    return links | ({"safety"} if len(intake.safety_not_asked) == len(Safety.model_fields)
                    else set())


def conformance_problems(resp: dict[str, Any], quest: dict[str, Any],
                         not_asked: set[str] = frozenset()) -> list[str]:
    """Every linkId exists where the Questionnaire has it, every answer is allowed (type,
    answerOption, minValue/maxValue, repeats), every required item is there (but those in
    `not_asked`)."""
    problems: list[str] = []

    def check(items: list[dict[str, Any]], questions: list[dict[str, Any]], where: str) -> None:
        by_id = {q["linkId"]: q for q in questions if q["type"] != "display"}
        seen: set[str] = set()
        for item in items:
            question = by_id.get(item.get("linkId"))
            if question is None:
                problems.append(f"{item.get('linkId')}: no such item in {where}")
                continue
            if question["linkId"] in seen:
                problems.append(f"{question['linkId']}: given twice")
            seen.add(question["linkId"])
            if question["type"] == "group":
                if item.get("answer"):
                    problems.append(f"{question['linkId']}: a group with answers")
                check(item.get("item", []), question.get("item", []), question["linkId"])
                continue
            answers = item.get("answer", [])
            if item.get("item"):
                problems.append(f"{question['linkId']}: a question with items")
            if len(answers) > 1 and not question.get("repeats"):
                problems.append(f"{question['linkId']}: {len(answers)} answers, not repeating")
            codes = [json.dumps(a, sort_keys=True) for a in answers]
            if len(set(codes)) != len(codes):
                problems.append(f"{question['linkId']}: the same answer twice")
            for answer in answers:
                problems.extend(_answer_problems(question, answer))
        problems.extend(f"{q['linkId']}: required but missing" for q in by_id.values()
                        if q.get("required") and q["linkId"] not in seen
                        and q["linkId"] not in not_asked)

    check(resp.get("item", []), quest["item"], "the top level")
    return problems


# -- the Questionnaire ---------------------------------------------------------------------------
def _leaves(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The questions that answer an Intake field (not display items nor the follow-up's gate)."""
    out = {}
    for item in items:
        if item["type"] == "group":
            out |= _leaves(item["item"])
        elif item["type"] != "display" and item["linkId"] != "tried_plan":
            out[item["linkId"]] = item
    return out


@pytest.mark.parametrize("release", RELEASES)
def test_fhir_questionnaire_command_prints_a_valid_questionnaire(release, capsys, tmp_path):
    assert main(["fhir", "questionnaire", "--fhir-release", release]) == 0
    printed = json.loads(capsys.readouterr().out)
    model(release, "Questionnaire").model_validate(printed)
    assert printed == questionnaire(release)
    assert printed["url"] == "https://hipscreen.example/fhir/Questionnaire/intake"
    assert main(["fhir", "questionnaire", "--fhir-release", release, "-o", str(tmp_path / "q.json")]) == 0
    assert json.loads((tmp_path / "q.json").read_text()) == printed


def test_default_release_is_r4b(capsys):
    assert main(["fhir", "questionnaire"]) == 0
    assert json.loads(capsys.readouterr().out) == questionnaire("R4B")
    assert questionnaire("R4B")["item"][0]["type"] == "choice"  # R5 calls it "coding"
    assert questionnaire("R5")["item"][0]["type"] == "coding"


@pytest.mark.parametrize("release", RELEASES)
def test_questionnaire_is_generated_from_the_intake_model(release):
    from hipscreen.batch import COLUMN_NAMES  # the batch columns: every answer by dotted path

    leaves = _leaves(questionnaire(release)["item"])
    assert set(leaves) == set(COLUMN_NAMES)
    top = {item["linkId"]: item for item in questionnaire(release)["item"]}
    assert {k for k, v in top.items() if v["type"] == "group"} == {
        "safety", "symptoms", "movement", "drill_response"}
    assert top["age"]["required"] is True
    assert "required" not in top["safety"]  # its items are; a renderer cannot fill a group
    assert [k for k, v in leaves.items() if v.get("required")] == [  # what a self-screener can answer
        "age", *(f"safety.{name}" for name in Safety.model_fields)]
    assert {leaves[f"safety.{name}"]["type"] for name in Safety.model_fields} == {
        "boolean", "choice" if release == "R4B" else "coding"}  # yes/no; hip surgery: when
    assert leaves["safety.saddle_numbness"]["type"] == "boolean"
    assert leaves["safety.saddle_numbness"]["text"] == (
        "Numbness around the genitals, back passage or inner thighs")
    age_limits = {e["url"]: e["valueInteger"] for e in top["age"]["extension"] if "valueInteger" in e}
    assert age_limits == {MIN_VALUE: 8, MAX_VALUE: 110}
    shift = leaves["movement.hip_shift"]
    assert [o["valueCoding"]["code"] for o in shift["answerOption"]] == ["none", "left", "right"]
    assert {o["valueCoding"]["system"] for o in shift["answerOption"]} == {
        "https://hipscreen.example/fhir/CodeSystem/movement.hip_shift"}
    locations = leaves["symptoms.locations"]
    assert locations["repeats"] is True
    assert {"code": "low_back_right", "display": "Low back, right"}.items() <= (
        locations["answerOption"][1]["valueCoding"].items())
    faults = [o["valueCoding"]["code"] for o in leaves["movement.hinge_faults"]["answerOption"]]
    assert faults[-1] == "none" and "back_rounds" in faults  # tested and clean != not tested
    assert "none" not in [o["valueCoding"]["code"] for o in leaves["activities"]["answerOption"]]
    for item in leaves.values():
        assert item["text"] and item["text"] != item["linkId"]


# -- Intake -> QuestionnaireResponse -> Intake ---------------------------------------------------
@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("path", CASE_FILES, ids=CASE_IDS)
def test_every_case_intake_round_trips_and_answers_the_questionnaire(path, release):
    intake = load_case(path).intake
    resp = response(intake, release)
    model(release, "QuestionnaireResponse").model_validate(resp)
    assert conformance_problems(resp, questionnaire(release), not_asked_links(intake)) == []
    back = intake_from_response(resp, path.name)
    assert back == intake
    assert back.model_dump() == intake.model_dump()


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(intakes)
def test_any_intake_round_trips(data):
    intake = Intake.model_validate(data)
    for release in RELEASES:
        resp = response(intake, release)
        assert conformance_problems(resp, questionnaire(release), not_asked_links(intake)) == []
        assert intake_from_response(resp, "random") == as_read_back(intake)


def test_not_tested_has_no_item_and_differs_from_none():
    tested = Intake(age=30, movement={"hip_shift": "none", "hinge_faults": []})
    skipped = Intake(age=30)
    links = json.dumps(response(skipped))
    assert "movement" not in links
    resp = response(tested)
    movement = next(item for item in resp["item"] if item["linkId"] == "movement")
    answers = {item["linkId"]: item["answer"] for item in movement["item"]}
    assert answers["movement.hip_shift"][0]["valueCoding"]["code"] == "none"
    assert answers["movement.hinge_faults"][0]["valueCoding"]["code"] == "none"
    assert intake_from_response(resp, "x").movement.hinge_faults == ()
    assert {t.field for t in screen(skipped).skipped_tests} > {
        t.field for t in screen(intake_from_response(resp, "x")).skipped_tests}


def test_safety_items_left_out_are_not_asked_never_no():
    resp = {"resourceType": "QuestionnaireResponse", "status": "completed",
            "questionnaire": f"https://hipscreen.example/fhir/Questionnaire/intake|{hipscreen_version()}",
            "item": [{"linkId": "age", "answer": [{"valueInteger": 40}]},
                     {"linkId": "safety", "item": [
                         {"linkId": "safety.pregnant", "answer": [{"valueBoolean": True}]}]}]}
    intake = intake_from_response(resp, "x")
    assert intake.safety.pregnant is True and intake.safety.saddle_numbness is None
    assert intake == Intake(age=40, safety={**dict.fromkeys(Safety.model_fields),
                                            "pregnant": True})
    assert screen(intake).triage.level == "clinician_review"
    assert "safety_not_asked" in {f.id for f in screen(intake).triage.red_flags}
    no_group = {**resp, "item": resp["item"][:1]}
    assert intake_from_response(no_group, "x").safety == Safety.not_asked()


@pytest.mark.parametrize("empty", [{"answer": []}, {}], ids=["answer []", "no answer"])
def test_a_red_flag_item_with_no_answer_is_refused_in_one_line(empty):
    resp = base_response()
    item = find_item(resp, "safety.fever_or_unwell")
    item.pop("answer")
    item.update(empty)
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    assert str(caught.value) == (
        "r.json: linkId 'safety.fever_or_unwell': a red-flag question must be answered yes or "
        "no; it has no answer (leave the item out if it was not asked)")


def test_an_emergency_in_a_refused_response_is_reported_beside_the_error(tmp_path, capsys):
    resp = base_response()
    find_item(resp, "safety.fever_or_unwell")["answer"] = []
    find_item(resp, "safety.saddle_numbness")["answer"] = [{"valueBoolean": True}]
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("EMERGENCY despite the errors below: Go to an emergency department")
    assert lines[-1].startswith("r.json: linkId 'safety.fever_or_unwell': a red-flag question")
    assert caught.value.salvaged.triage.level == "emergency"
    path = tmp_path / "qr.json"
    path.write_text(json.dumps(resp))
    assert main(["screen", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipscreen: EMERGENCY despite the errors below")


def test_a_wrong_type_elsewhere_never_hides_an_urgent_flag():
    resp = base_response()
    find_item(resp, "safety.worsening_leg_weakness")["answer"] = [{"valueBoolean": True}]
    find_item(resp, "symptoms.pain_now")["answer"] = [{"valueString": "6"}]
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    text = str(caught.value)
    assert text.startswith("URGENT despite the errors below: See a doctor today.")
    assert "r.json: linkId 'symptoms.pain_now': expected a whole number" in text
    resp["status"] = "in-progress"  # a resource problem: the items are still read for red flags
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    assert str(caught.value).startswith("URGENT despite the errors below")


def test_a_refusal_without_an_emergency_or_urgent_flag_has_no_banner():
    resp = base_response()
    find_item(resp, "safety.cancer_history")["answer"] = [{"valueBoolean": True}]  # review only
    find_item(resp, "symptoms.pain_now")["answer"] = [{"valueString": "6"}]
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    assert str(caught.value).startswith("r.json: linkId 'symptoms.pain_now'")


# -- bad responses: every problem names its linkId ------------------------------------------------
def _set_answer(link_id: str, *answers: dict[str, Any]):
    def change(resp):
        find_item(resp, link_id)["answer"] = list(answers)
    return change


def _coding(link_id: str, code: str, system: str | None = None) -> dict[str, Any]:
    return {"valueCoding": {"system": system or f"https://hipscreen.example/fhir/CodeSystem/{link_id}",
                            "code": code}}


def _move_out(resp):
    symptoms = find_item(resp, "symptoms")
    resp["item"].append(symptoms["item"].pop(0))


def _unknown(resp):
    find_item(resp, "movement")["item"].append(
        {"linkId": "movement.hip_shfit", "answer": [_coding("movement.hip_shift", "left")]})


BAD = {
    "code not offered": ("movement.hip_shift", "expected one of none, left, right; got 'up'",
                         _set_answer("movement.hip_shift", _coding("movement.hip_shift", "up"))),
    "another system": ("activities", "system", _set_answer(
        "activities", _coding("activities", "running", "http://loinc.org"))),
    "age out of range": ("age", "8..110", _set_answer("age", {"valueInteger": 5})),
    "yes as text": ("age", "valueInteger", _set_answer("age", {"valueString": "34"})),
    "true as a number": ("symptoms.pain_now", "whole number",
                         _set_answer("symptoms.pain_now", {"valueInteger": True})),
    "two answers": ("movement.hip_shift", "one answer", _set_answer(
        "movement.hip_shift", _coding("movement.hip_shift", "left"),
        _coding("movement.hip_shift", "right"))),
    "the same answer twice": ("activities", "twice", _set_answer(
        "activities", _coding("activities", "running"), _coding("activities", "running"))),
    "out of its group": ("symptoms.pain_now", "inside group 'symptoms'", _move_out),
    "unknown linkId": ("movement.hip_shfit", "did you mean 'movement.hip_shift'", _unknown),
    "a yes that is a string": ("safety.saddle_numbness", "valueBoolean", _set_answer(
        "safety.saddle_numbness", {"valueBoolean": "yes"})),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_response_is_refused_naming_the_linkid(case):
    link_id, words, change = BAD[case]
    resp = base_response()
    assert conformance_problems(resp, questionnaire("R4B")) == []
    change(resp)
    assert conformance_problems(resp, questionnaire("R4B"))  # our own check sees it too
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"r.json: linkId '{link_id}': ") and words in line
               for line in lines), lines


def test_cross_answer_problems_and_missing_answers_name_their_linkid():
    resp = base_response()
    find_item(resp, "symptoms.pain_now")["answer"] = [{"valueInteger": 6}]
    resp["item"] = [i for i in resp["item"] if i["linkId"] != "age"]
    find_item(resp, "movement")["item"].append({"linkId": "movement.hip_ir_degrees", "item": [
        {"linkId": "movement.hip_ir_degrees.left", "answer": [{"valueInteger": 20}]}]})
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    lines = str(caught.value).splitlines()
    assert lines[0] == ("r.json: linkId 'age': required but missing; expected a whole number "
                        "8..110 (valueInteger)")
    assert any(line.startswith("r.json: linkId 'symptoms.pain_worst_week': the worst pain")
               for line in lines)
    assert any(line.startswith("r.json: linkId 'movement.hip_ir_degrees.right': required")
               for line in lines)


@pytest.mark.parametrize(("change", "words"), [
    (lambda r: r.update(resourceType="Patient"), "resourceType 'Patient': expected "
                                                 "QuestionnaireResponse"),
    (lambda r: r.update(status="in-progress"), "status 'in-progress': expected completed"),
    (lambda r: r.update(questionnaire="http://example.org/Q"), "questionnaire"),
    (lambda r: r.update(colour="blue"), "colour: unknown element"),
    (lambda r: r["item"][0].update(bogus=1), "linkId 'mode': bogus: unknown element"),
])
def test_a_malformed_resource_is_refused_in_one_line_each(change, words):
    resp = base_response()
    change(resp)
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    assert any(line.startswith("r.json: ") and words in line
               for line in str(caught.value).splitlines()), str(caught.value)


def test_screen_exits_2_naming_the_linkid(tmp_path, capsys):
    resp = base_response()
    find_item(resp, "movement.hip_shift")["answer"] = [_coding("movement.hip_shift", "up")]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(resp))
    assert main(["screen", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: linkId 'movement.hip_shift': expected one of none, left, right; got 'up'" in err
    assert "Traceback" not in err


def test_screen_reads_a_response_in_yaml_too(tmp_path, capsys):
    import yaml

    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(base_response()))
    assert main(["screen", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intake"]["movement"]["hip_shift"] == "right"


# -- the Bundle ---------------------------------------------------------------------------------
def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for value in node.values() for r in _references(value)]
    if isinstance(node, list):
        return [r for value in node for r in _references(value)]
    return []


def check_bundle(result: Result, release: str) -> None:
    """The Bundle of `result` validates, resource by resource, and holds what issues 12 and 19
    ask."""
    text = bundle_json(result, release, now=NOW, seed="check")
    assert text == bundle_json(result, release, now=NOW, seed="check")  # repeatable with a seed
    bundle = json.loads(text)
    model(release, "Bundle").model_validate(bundle)
    assert bundle["type"] == "collection"
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls) and all(u.startswith("urn:uuid:") for u in urls)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        cls = model(release, resource["resourceType"])
        cls.model_validate(resource)  # every resource on its own, too
        assert resource["text"]["status"] == "generated"  # a narrative in each
        assert resource["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
        if "note" in cls.model_fields:
            assert {"text": DISCLAIMER} in resource["note"], resource["resourceType"]
        assert set(_references(resource)) <= set(urls), resource["resourceType"]
    by_url = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}

    # the response is the intake
    (qr,) = _resources(bundle, "QuestionnaireResponse")
    assert intake_from_response(qr, "bundle") == result.intake
    assert conformance_problems(qr, questionnaire(release), not_asked_links(result.intake)) == []
    answered = {i["linkId"] for g in qr["item"] if g["linkId"] == "safety" for i in g["item"]}
    assert not answered & {f"safety.{n}" for n in result.intake.safety_not_asked}

    # the guidance: hipscreen, its version and the knowledge-base fingerprint
    (guidance,) = _resources(bundle, "GuidanceResponse")
    assert guidance["moduleCanonical"] == (
        f"https://hipscreen.example/fhir/Library/hipscreen|{hipscreen_version()}")
    assert guidance["extension"][0]["valueString"] == knowledge_fingerprint()

    # the deficits: qualitative only, the certainty in words
    deficits, red_flags = _resources(bundle, "RiskAssessment")
    predictions = deficits.get("prediction", [])
    assert [(p["outcome"]["coding"][0]["code"], p["qualitativeRisk"]["coding"][1]["code"])
            for p in predictions] == [(d.id, d.confidence) for d in result.deficits]
    assert {p["qualitativeRisk"]["coding"][0]["system"] for p in predictions} <= {
        "http://terminology.hl7.org/CodeSystem/risk-probability"}
    for prediction, deficit in zip(predictions, result.deficits, strict=True):
        assert "probabilityDecimal" not in prediction and "probabilityRange" not in prediction
        assert f"certainty {deficit.certainty:.2f}" in prediction["rationale"]
    assert [p["outcome"]["coding"][-1]["code"] for p in red_flags.get("prediction", [])] == [
        f.id for f in result.triage.red_flags]
    assert all("qualitativeRisk" not in p for p in red_flags.get("prediction", []))  # triage: ext
    assert red_flags["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == (
        result.triage.level)

    # the plan, or the referral
    care_plans = _resources(bundle, "CarePlan")
    requests = _resources(bundle, "ServiceRequest")
    referrals = [r for r in requests if r.get("priority")]
    drills = [r for r in requests if not r.get("priority")]
    stops = result.triage.level in ("emergency", "urgent") or not result.triage.drills_allowed
    if result.plan and not stops:
        (care_plan,) = care_plans
        assert care_plan["status"] == "draft"
        key = "reference" if release == "R4B" else "plannedActivityReference"
        planned = [by_url[a[key]["reference"]] for a in care_plan["activity"]]
        assert planned == drills and len(drills) == len(result.plan)
        for request, item in zip(drills, sorted(result.plan, key=lambda p: p.order), strict=True):
            instruction = (request["patientInstruction"] if release == "R4B"
                           else request["patientInstruction"][0]["instructionMarkdown"])
            assert f"Dose: {item.dose.text}" in instruction
    else:
        assert care_plans == [] and drills == []
    (guidance,) = _resources(bundle, "GuidanceResponse")
    results = guidance.get("result", [])
    results = [results] if isinstance(results, dict) else results
    if result.triage.level in PRIORITY:
        (referral,) = referrals
        assert referral["priority"] == PRIORITY[result.triage.level]
        referral_url = next(u for u, r in by_url.items() if r is referral)
        if release == "R4B":  # the guidance points at a RequestGroup that holds the referral
            (group,) = _resources(bundle, "RequestGroup")
            assert [r["reference"] for r in results] == [
                next(u for u, r in by_url.items() if r is group)]
            assert referral_url in {a["resource"]["reference"] for a in group["action"]}
        else:
            assert referral_url in {r["reference"] for r in results}
    else:
        assert referrals == [] and _resources(bundle, "RequestGroup") == []

    # provenance: every conclusion points back to the response
    (provenance,) = _resources(bundle, "Provenance")
    targets = {t["reference"] for t in provenance["target"]}
    conclusions = {url for url, r in by_url.items() if r["resourceType"] in (
        "GuidanceResponse", "RiskAssessment", "CarePlan", "ServiceRequest", "RequestGroup")}
    assert targets == conclusions
    (source,) = provenance["entity"]
    assert by_url[source["what"]["reference"]] is qr


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("path", CASE_FILES, ids=CASE_IDS)
def test_every_case_bundle_validates_and_holds_what_the_issue_asks(path, release):
    check_bundle(case_result(path), release)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(intakes)
def test_any_screening_gives_a_valid_bundle(data):
    result = screen(Intake.model_validate(data))
    for release in RELEASES:
        check_bundle(result, release)


RED_FLAG_CASES = [path for path in CASE_FILES
                  if load_case(path).expect.triage in ("emergency", "urgent")]


@pytest.mark.parametrize("path", RED_FLAG_CASES, ids=[p.stem for p in RED_FLAG_CASES])
def test_red_flag_cases_give_a_referral_with_its_priority_and_no_care_plan(path):
    expected = load_case(path).expect.triage
    for release in RELEASES:
        bundle = json.loads(bundle_json(case_result(path), release, now=NOW))
        assert _resources(bundle, "CarePlan") == []
        (referral,) = _resources(bundle, "ServiceRequest")
        assert referral["priority"] == PRIORITY[expected]
        assert referral["intent"] == "proposal"


def test_red_flag_cases_exist_at_both_levels():
    levels = {load_case(path).expect.triage for path in RED_FLAG_CASES}
    assert levels == {"emergency", "urgent"}


@pytest.mark.parametrize("release", RELEASES)
def test_screen_format_fhir_writes_a_bundle(release, tmp_path, capsys):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"age": 34, "safety": {}, "movement": {"hip_shift": "right"}}))
    assert main(["screen", str(path), "--format", "fhir", "--fhir-release", release]) == 0
    bundle = json.loads(capsys.readouterr().out)
    model(release, "Bundle").model_validate(bundle)
    assert _resources(bundle, "CarePlan")
    # and the bundle's own response screens again to the same intake
    qr_path = tmp_path / "qr.json"
    qr_path.write_text(json.dumps(_resources(bundle, "QuestionnaireResponse")[0]))
    assert main(["screen", str(qr_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["intake"]["movement"]["hip_shift"] == "right"


# -- batch: NDJSON of responses -----------------------------------------------------------------
def test_batch_screens_ndjson_responses_and_keeps_a_broken_one_in_place(tmp_path):
    import pandas as pd

    from hipscreen.batch import screen_file

    paths = CASE_FILES[:4]
    lines = []
    for path in paths:
        resp = response(load_case(path).intake)
        resp["id"] = path.stem
        lines.append(json.dumps(resp))
    broken = base_response()
    broken["id"] = "broken"
    find_item(broken, "movement.hip_shift")["answer"] = [_coding("movement.hip_shift", "up")]
    lines.insert(2, json.dumps(broken))
    source = tmp_path / "responses.jsonl"
    source.write_text("\n".join(lines) + "\n")
    summary = screen_file(source, tmp_path / "out.csv", jobs=1, progress=False)
    assert (summary.rows, summary.screened, summary.errors) == (5, 4, 1)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["id"]) == [paths[0].stem, paths[1].stem, "broken", paths[2].stem, paths[3].stem]
    assert out.loc[2, "error"].startswith("line 3: linkId 'movement.hip_shift': expected one of")
    assert out.loc[2, "triage"] == ""
    for row, path in zip(out.drop(index=2).itertuples(), paths, strict=True):
        assert row.error == ""
        assert row.triage == case_result(path).triage.level


def test_batch_keeps_the_red_flag_of_a_refused_response_beside_its_error(tmp_path):
    import pandas as pd

    from hipscreen.batch import screen_file

    refused = base_response()
    refused["id"] = "refused"
    find_item(refused, "safety.hot_swollen_hip")["answer"] = [{"valueBoolean": True}]
    find_item(refused, "symptoms.pain_now")["answer"] = [{"valueInteger": 9}]  # worse than the worst
    empty = base_response()
    empty["id"] = "empty"
    find_item(empty, "safety.saddle_numbness")["answer"] = []
    fine = base_response()
    fine["id"] = "fine"
    source = tmp_path / "responses.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in (refused, empty, fine)) + "\n")
    summary = screen_file(source, tmp_path / "out.csv", jobs=1, progress=False)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False).set_index("id")
    assert (summary.rows, summary.errors) == (3, 2)
    assert out.loc["refused", "triage"] == "emergency"
    assert out.loc["refused", "red_flags"] == "joint_infection"
    assert out.loc["refused", "error"].startswith("line 1: linkId 'symptoms.pain_worst_week'")
    assert (out.loc["empty", "triage"], out.loc["empty", "red_flags"]) == (
        "clinician_review", "safety_not_asked")  # the unanswered item is not asked, never no
    assert "linkId 'safety.saddle_numbness': a red-flag question" in out.loc["empty", "error"]
    assert (out.loc["fine", "triage"], out.loc["fine", "error"]) == ("self_care", "")


def test_a_bundle_of_an_intake_not_asked_the_safety_questions_says_so():
    result = screen(Intake(age=40))
    bundle = json.loads(bundle_json(result, "R4B", now=NOW))
    (qr,) = _resources(bundle, "QuestionnaireResponse")
    assert "safety" not in {item["linkId"] for item in qr["item"]}  # absent: not asked
    _, red_flags = _resources(bundle, "RiskAssessment")
    notes = " ".join(n["text"] for n in red_flags["note"])
    assert "The safety questions were not asked" in notes and "not a 'no'" in notes
    (prediction,) = red_flags["prediction"]
    assert prediction["outcome"]["coding"][0]["code"] == "safety_not_asked"
    assert prediction["rationale"].startswith("Raised by: No safety question was asked. Action:")
