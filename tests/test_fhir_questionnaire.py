"""The intake Questionnaire runs in an SDC renderer as it stands (issue 19, item 1): nothing
required that a self-screener cannot answer, enableWhen on the mode, the sex and a yes that
opens details, display items with each self-test's instructions and picture, every red-flag
item required and shown yes/no, "none" exclusive, limits, units and entry formats, LOINC and
SNOMED CT codes; and the canonical base the user sets."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from hipscreen.cli import main
from hipscreen.documents import InputError
from hipscreen.fhir import RELEASES, intake_from_response, questionnaire_json, response_from_intake
from hipscreen.fingerprint import hipscreen_version
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import MOVEMENT_TESTS, Intake, Safety

LOINC, SNOMED, UCUM = "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org"
EXT = "http://hl7.org/fhir/StructureDefinition/"
BASE = "https://hipscreen.example/fhir"


@cache
def questionnaire(release: str = "R4B") -> dict[str, Any]:
    return json.loads(questionnaire_json(release))


def items(release: str = "R4B") -> dict[str, dict[str, Any]]:
    """Every item (groups and display items too), by linkId, in the order of the form."""
    out: dict[str, dict[str, Any]] = {}

    def walk(children: list[dict[str, Any]]) -> None:
        for item in children:
            out[item["linkId"]] = item
            walk(item.get("item", []))
    walk(questionnaire(release)["item"])
    return out


def extensions(item: dict[str, Any]) -> dict[str, Any]:
    return {e["url"].removeprefix(EXT): e for e in item.get("extension", [])}


def enable_when(item: dict[str, Any]) -> set[tuple[str, str, Any]]:
    out = set()
    for condition in item.get("enableWhen", []):
        (key,) = [k for k in condition if k.startswith("answer")]
        value = condition[key]
        out.add((condition["question"], condition["operator"],
                 value["code"] if isinstance(value, dict) else value))
    return out


@pytest.mark.parametrize("release", RELEASES)
def test_nothing_is_required_that_a_self_screener_cannot_answer(release):
    by_id = items(release)
    required = [k for k, v in by_id.items() if v.get("required")]
    assert required == ["age", *(f"safety.{name}" for name in Safety.model_fields)]
    ir = by_id["movement.hip_ir_degrees"]
    assert "required" not in ir and not any(
        by_id[f"movement.hip_ir_degrees.{side}"].get("required") for side in ("left", "right"))
    # both sides or neither: said to the renderer, and checked by hipscreen
    (constraint,) = [e for e in ir["extension"] if e["url"].endswith("questionnaire-constraint")]
    assert {e["url"] for e in constraint["extension"]} == {"key", "severity", "expression", "human"}


@pytest.mark.parametrize("release", RELEASES)
def test_the_form_opens_what_applies(release):
    by_id = items(release)
    assert enable_when(by_id["movement.hip_ir_degrees"]) == {("mode", "=", "clinician")}
    pregnant = by_id["safety.pregnant"]
    assert enable_when(pregnant) == {("sex", "exists", False), ("sex", "=", "female"),
                                     ("sex", "=", "other"), ("sex", "=", "undisclosed")}
    assert pregnant["enableBehavior"] == "any"  # never asked of a man
    weeks = by_id["symptoms.leg_symptoms_weeks"]
    assert ("safety.both_legs_numb_or_weak", "=", True) in enable_when(weeks)  # a yes opens it
    assert weeks["enableBehavior"] == "any"
    assert enable_when(by_id["drill_response"]) == {("tried_plan", "=", True)}
    assert by_id["tried_plan"]["type"] == "boolean"
    mode = by_id["mode"]
    assert mode["initial"][0]["valueCoding"]["code"] == "self"
    # every enableWhen points at an item before it, with an answer that item can give
    order = list(by_id)
    for link_id, item in by_id.items():
        for condition in item.get("enableWhen", []):
            source = by_id[condition["question"]]
            assert order.index(source["linkId"]) < order.index(link_id), link_id
            if "answerCoding" in condition:
                assert condition["answerCoding"]["code"] in {
                    o["valueCoding"]["code"] for o in source["answerOption"]}
                assert condition["answerCoding"]["system"] == (
                    source["answerOption"][0]["valueCoding"]["system"])
            elif condition["operator"] != "exists":
                assert source["type"] == "boolean"


@pytest.mark.parametrize("release", RELEASES)
def test_each_self_test_has_its_instructions_and_picture_in_words(release):
    by_id = items(release)
    tests = catalogue().movement_tests
    for name in MOVEMENT_TESTS:
        test = tests[name]
        how, picture = by_id[f"movement.{name}.how-to"], by_id[f"movement.{name}.picture"]
        assert how["type"] == picture["type"] == "display"
        assert test.how_to in how["text"] and how["text"].startswith(test.label.rstrip("?."))
        assert picture["text"] == f"What the picture shows: {test.picture_alt}"
        if name == "hip_ir_degrees":  # inside the clinician's group, which mode opens
            assert "enableWhen" not in how
        else:  # shown to a person screening themselves
            assert enable_when(how) == {("mode", "exists", False), ("mode", "=", "self")}
    movement = [i["linkId"] for i in questionnaire(release)["item"]
                if i["linkId"] == "movement"]
    assert movement  # the instructions sit just before their test
    order = list(by_id)
    assert order.index("movement.hip_shift.how-to") + 2 == order.index("movement.hip_shift")


@pytest.mark.parametrize("release", RELEASES)
def test_every_red_flag_item_is_required_and_answered_yes_or_no(release):
    by_id = items(release)
    for name in Safety.model_fields:
        item = by_id[f"safety.{name}"]
        assert item["required"] is True, name
        assert "initial" not in item  # no answer by default: "no" is an answer a person gives
        assert item["type"] == ("boolean" if name != "hip_surgery"
                                else "choice" if release == "R4B" else "coding")
    assert "required" not in by_id["safety"]  # a renderer cannot give a group a value


@pytest.mark.parametrize("release", RELEASES)
def test_none_excludes_every_other_answer(release):
    options = items(release)["movement.hinge_faults"]["answerOption"]
    exclusive = [o["valueCoding"]["code"] for o in options
                 if {"url": f"{EXT}questionnaire-optionExclusive", "valueBoolean": True}
                 in o.get("extension", [])]
    assert exclusive == ["none"]


@pytest.mark.parametrize("release", RELEASES)
def test_numbers_carry_limits_units_and_an_entry_format(release):
    by_id = items(release)
    for link_id, (low, high, unit) in {
        "age": (8, 110, "a"), "symptoms.pain_now": (0, 10, "{score}"),
        "symptoms.weeks": (0, 520, "wk"), "movement.hip_ir_degrees.left": (0, 90, "deg"),
    }.items():
        ext = extensions(by_id[link_id])
        assert (ext["minValue"]["valueInteger"], ext["maxValue"]["valueInteger"]) == (low, high)
        assert ext["questionnaire-unit"]["valueCoding"]["system"] == UCUM
        assert ext["questionnaire-unit"]["valueCoding"]["code"] == unit
        assert ext["entryFormat"]["valueString"].startswith(f"{low} to {high}")
    for item in by_id.values():
        if item["type"] == "integer":
            assert {"minValue", "maxValue", "entryFormat"} <= set(extensions(item)), item["linkId"]


@pytest.mark.parametrize("release", RELEASES)
def test_standard_codes_on_pain_and_red_flags(release):
    by_id = items(release)
    codes = {k: (v["code"][0]["system"], v["code"][0]["code"]) for k, v in by_id.items()
             if "code" in v}
    assert codes["symptoms.pain_now"] == (LOINC, "72514-3")
    assert codes["age"] == (LOINC, "30525-0")
    red_flag_codes = {k: c for k, c in codes.items() if k.startswith("safety.")}
    assert {system for system, _ in red_flag_codes.values()} == {SNOMED}
    assert red_flag_codes == {
        "safety.cancer_history": (SNOMED, "266987004"),
        "safety.unexplained_weight_loss": (SNOMED, "448765001"),
        "safety.pregnant": (SNOMED, "77386006"),
        "safety.arthritis_history": (SNOMED, "3723001"),
        "safety.psoriasis_history": (SNOMED, "9014002"),
    }
    assert not any(c["code"].startswith("hipscreen") for v in by_id.values()
                   for c in v.get("code", []))


def test_the_questionnaire_has_a_narrative_and_validates_in_both_releases():
    from fhir.resources import get_fhir_model_class as r5
    from fhir.resources.R4B import get_fhir_model_class as r4b

    for release, get in (("R4B", r4b), ("R5", r5)):
        data = questionnaire(release)
        get("Questionnaire").model_validate(data)
        assert data["text"]["status"] == "generated"
        assert data["version"] == hipscreen_version()


# -- reading what the form does not ask --------------------------------------------------------
def _response(intake: Intake) -> dict[str, Any]:
    return json.loads(response_from_intake(intake).model_dump_json())


def _drop(resp: dict[str, Any], link_id: str) -> dict[str, Any]:
    def walk(children):
        return [{**i, "item": walk(i["item"])} if "item" in i else i
                for i in children if i["linkId"] != link_id]
    return {**resp, "item": walk(resp["item"])}


def test_pregnancy_not_asked_of_a_man_is_no_but_left_out_for_a_woman_is_not_asked():
    man = _drop(_response(Intake(age=40, sex="male", safety={})), "safety.pregnant")
    assert intake_from_response(man, "x").safety.pregnant is False
    woman = _drop(_response(Intake(age=40, sex="female", safety={})), "safety.pregnant")
    assert intake_from_response(woman, "x").safety.pregnant is None  # never a silent no
    nobody = _response(Intake(age=40, sex="male"))  # no safety question asked at all
    assert intake_from_response(nobody, "x").safety == Safety.not_asked()


def test_display_items_and_the_gate_fill_no_field():
    intake = Intake(age=40, safety={}, drill_response={"hamstring_cramp": ["glute_bridge"]})
    resp = _response(intake)
    assert [i["answer"] for i in resp["item"] if i["linkId"] == "tried_plan"] == [
        [{"valueBoolean": True}]]
    gate = next(i for i in resp["item"] if i["linkId"] == "tried_plan")
    gate["answer"] = [{"valueBoolean": False}]  # the follow-up given anyway: its answers count
    movement = {"linkId": "movement", "item": [
        {"linkId": "movement.hip_shift.how-to", "text": "shown"},
        {"linkId": "movement.hip_shift", "answer": [{"valueCoding": {
            "system": f"{BASE}/CodeSystem/movement.hip_shift", "code": "left"}}]}]}
    resp["item"].append(movement)
    back = intake_from_response(resp, "x")
    assert back.drill_response == intake.drill_response and back.movement.hip_shift == "left"
    movement["item"][0]["answer"] = [{"valueString": "x"}]
    with pytest.raises(InputError, match="linkId 'movement.hip_shift.how-to': a display item"):
        intake_from_response(resp, "x")


# -- the canonical base ------------------------------------------------------------------------
def test_the_canonical_base_can_be_set_and_responses_are_read_under_it(capsys, monkeypatch):
    clinic = "https://fhir.clinic.example.org/hipscreen"
    assert main(["fhir", "questionnaire", "--canonical-base", clinic + "/"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["url"] == f"{clinic}/Questionnaire/intake"
    systems = {o["valueCoding"]["system"] for i in printed["item"] for o in i.get("answerOption", [])}
    assert systems and all(s.startswith(f"{clinic}/CodeSystem/") for s in systems)
    resp = json.loads(response_from_intake(Intake(age=30, activities=["golf"]), base=clinic)
                      .model_dump_json())
    assert resp["questionnaire"] == f"{clinic}/Questionnaire/intake|{hipscreen_version()}"
    with pytest.raises(InputError, match="the canonical base in effect is https://hipscreen"):
        intake_from_response(resp, "r.json")  # the default base: another form
    monkeypatch.setenv("HIPSCREEN_FHIR_BASE", clinic)
    assert intake_from_response(resp, "r.json").activities == ("golf",)


@pytest.mark.parametrize("bad", ["hipscreen.example", "https://x.example/fhir?a=1", "ftp://x/y",
                                 "https://x.example/a|b"])
def test_a_bad_canonical_base_is_refused_in_one_line(bad, capsys):
    assert main(["fhir", "questionnaire", "--canonical-base", bad]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--canonical-base" in err and "absolute http(s) URL" in err
