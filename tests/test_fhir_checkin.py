"""The check-in as a FHIR Questionnaire, and a check-in QuestionnaireResponse accepted by
`hipscreen checkin` (issue 19, item 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hipscreen.cases import load_case
from hipscreen.cli import main
from hipscreen.documents import InputError
from hipscreen.fhir import (
    RELEASES,
    checkin_from_response,
    checkin_questionnaire_json,
    intake_from_response,
    response_from_checkin,
    response_from_intake,
)
from hipscreen.fingerprint import hipscreen_version
from hipscreen.knowledge.checkin import CheckIn
from hipscreen.knowledge.intake import DrillId, Intake, Safety
from tests.fhir_helpers import find_item

CASES = Path(__file__).resolve().parent.parent / "cases" / "checkins"
CHECKIN_CASES = sorted(CASES.glob("*.yaml"))
URL = "https://hipscreen.example/fhir/Questionnaire/checkin"


def _questionnaire(release: str) -> dict[str, Any]:
    return json.loads(checkin_questionnaire_json(release))


def _items(release: str = "R4B") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def walk(children: list[dict[str, Any]]) -> None:
        for item in children:
            out[item["linkId"]] = item
            walk(item.get("item", []))
    walk(_questionnaire(release)["item"])
    return out


def _response(checkin: CheckIn, release: str = "R4B") -> dict[str, Any]:
    return json.loads(response_from_checkin(checkin, release).model_dump_json())


@pytest.mark.parametrize("release", RELEASES)
def test_the_checkin_questionnaire(release, capsys):
    from fhir.resources import get_fhir_model_class as r5
    from fhir.resources.R4B import get_fhir_model_class as r4b

    assert main(["fhir", "checkin-questionnaire", "--fhir-release", release]) == 0
    printed = json.loads(capsys.readouterr().out)
    (r4b if release == "R4B" else r5)("Questionnaire").model_validate(printed)
    assert printed["url"] == URL and printed["version"] == hipscreen_version()
    by_id = _items(release)
    assert [i["linkId"] for i in printed["item"]] == list(CheckIn.model_fields)
    # the red flags asked again: the intake's items, each required
    assert {f"safety.{n}" for n in Safety.model_fields} <= set(by_id)
    assert all(by_id[f"safety.{n}"].get("required") for n in Safety.model_fields)
    assert by_id["pain_now"]["required"] and by_id["pain_now"]["code"][0]["code"] == "72514-3"
    psfs = by_id["psfs"]
    assert psfs["repeats"] is True
    assert {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs",
            "valueInteger": 3} in psfs["extension"]
    # one group per drill, its gate opening how it went
    for drill in DrillId:
        gate = by_id[f"drills.{drill}.tried"]
        assert gate["type"] == "boolean" and "required" not in gate
        for name in ("sessions", "pain_during", "settled_next_morning", "felt", "too_easy"):
            detail = by_id[f"drills.{drill}.{name}"]
            assert detail["enableWhen"] == [{"question": f"drills.{drill}.tried", "operator": "=",
                                             "answerBoolean": True}]
            assert detail.get("required", False) is (name in (
                "sessions", "pain_during", "settled_next_morning"))
    felt = {o["valueCoding"]["code"]: o["valueCoding"]["display"]
            for o in by_id["drills.glute_bridge.felt"]["answerOption"]}
    assert felt["low_back_pinch"] == "A low back pinch"


def _all_checkins() -> list[tuple[str, CheckIn]]:
    out = []
    for path in CHECKIN_CASES:
        case = load_case(path)
        out += [(f"{path.stem}-{i}", c) for i, c in enumerate([*case.earlier_checkins,
                                                                case.checkin])]
    return out


@pytest.mark.parametrize("release", RELEASES)
def test_every_checkin_of_the_case_files_round_trips(release):
    checkins = _all_checkins()
    assert len(checkins) >= len(CHECKIN_CASES) > 5
    for name, checkin in checkins:
        resp = _response(checkin, release)
        assert checkin_from_response(resp, name) == checkin, name


def test_hipscreen_checkin_reads_a_checkin_response_as_it_reads_yaml(tmp_path, capsys):
    import yaml

    path = next(p for p in CHECKIN_CASES if "hinge-pain-during-6-regress" in p.name)
    case = load_case(path)
    intake = tmp_path / "intake.yaml"
    intake.write_text(yaml.safe_dump(case.intake.model_dump(mode="json", exclude_none=True)))
    as_yaml = tmp_path / "checkin.yaml"
    as_yaml.write_text(yaml.safe_dump(case.checkin.model_dump(mode="json", exclude_none=True)))
    as_fhir = tmp_path / "checkin.json"
    as_fhir.write_text(json.dumps(_response(case.checkin)))
    reviews = []
    for source in (as_yaml, as_fhir):
        assert main(["checkin", str(source), "--previous", str(intake), "--format", "json"]) == 0
        review = json.loads(capsys.readouterr().out)
        reviews.append({k: review[k] for k in ("triage", "decisions", "plan", "checkin")})
    assert reviews[0] == reviews[1]
    assert [d["decision"] for d in reviews[1]["decisions"]] == ["regress"]


def test_a_drill_given_as_tried_opens_its_details_and_a_no_leaves_it_out():
    checkin = CheckIn(safety={}, pain_now=1, pain_worst_week=2, psfs={"running": 6},
                      drills={"glute_bridge": {"sessions": 4, "pain_during": 1,
                                               "settled_next_morning": True}})
    resp = _response(checkin)
    assert find_item(resp, "drills.glute_bridge.tried")["answer"] == [{"valueBoolean": True}]
    find_item(resp, "drills")["item"].append({"linkId": "drills.hip_airplane", "item": [
        {"linkId": "drills.hip_airplane.tried", "answer": [{"valueBoolean": False}]}]})
    assert checkin_from_response(resp, "c.json") == checkin


def _base() -> dict[str, Any]:
    return _response(CheckIn(safety={}, pain_now=1, pain_worst_week=2,
                             psfs={"running": 6, "deadlift": 4}))


def _lines(resp: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        checkin_from_response(resp, "c.json")
    return str(caught.value).splitlines()


def test_a_checkin_response_is_refused_in_lines_naming_the_linkid():
    resp = _base()
    resp["item"] = [i for i in resp["item"] if i["linkId"] != "safety"]
    assert _lines(resp) == [  # asked again at every check-in
        "c.json: linkId 'safety': required but missing; expected the group with its items "
        "(Safety questions (red flags), asked again: answer each one yes or no)"]
    resp = _base()
    find_item(resp, "safety.fever_or_unwell")["answer"] = []
    assert _lines(resp) == ["c.json: linkId 'safety.fever_or_unwell': a red-flag question must "
                            "be answered yes or no; it has no answer (leave the item out if it "
                            "was not asked)"]
    resp = _base()
    find_item(resp, "psfs")  # two activities of the same name
    for group in (g for g in resp["item"] if g["linkId"] == "psfs"):
        group["item"][0]["answer"] = [{"valueString": "running"}]
    assert any("c.json: linkId 'psfs.activity': the activity 'running' is named twice" in line
               for line in _lines(resp))
    resp = _base()
    find_item(resp, "pain_now")["answer"] = [{"valueInteger": 11}]
    assert _lines(resp) == ["c.json: linkId 'pain_now': expected a whole number 0..10 "
                            "(valueInteger); got 11"]


def test_a_red_flag_in_a_refused_checkin_leads_its_error():
    resp = _base()
    find_item(resp, "safety.saddle_numbness")["answer"] = [{"valueBoolean": True}]
    find_item(resp, "pain_now")["answer"] = []
    lines = _lines(resp)
    assert lines[0].startswith("EMERGENCY despite the errors below")
    assert lines[-1].startswith("c.json: linkId 'pain_now': an empty answer list")


def test_the_wrong_form_is_named_for_what_it_is(tmp_path, capsys):
    checkin_qr = _base()
    with pytest.raises(InputError, match="that is the hipscreen check-in: use `hipscreen checkin"):
        intake_from_response(checkin_qr, "c.json")
    intake_qr = json.loads(response_from_intake(Intake(age=30)).model_dump_json())
    with pytest.raises(InputError, match="that is the hipscreen intake: use `hipscreen screen"):
        checkin_from_response(intake_qr, "i.json")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(checkin_qr))
    assert main(["screen", str(path)]) == 2
    assert "use `hipscreen checkin FILE`" in capsys.readouterr().err
