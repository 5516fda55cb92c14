"""Responses that cannot be read are refused in clear lines (issue 19, item 6): a missing or
another questionnaire (or version) names both, an empty answer list or group and an answer
with two value[x] get one line each, and `hipscreen batch responses.ndjson` works."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hipscreen.cli import main
from hipscreen.documents import InputError
from hipscreen.fhir import intake_from_response
from hipscreen.fingerprint import hipscreen_version
from tests.fhir_helpers import base_response, find_item

URL = "https://hipscreen.example/fhir/Questionnaire/intake"
VERSION = hipscreen_version()


def _refusal(resp: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        intake_from_response(resp, "r.json")
    lines = str(caught.value).splitlines()
    assert all(line.startswith("r.json: ") for line in lines), lines  # one clear line each
    return lines


# -- the questionnaire and its version --------------------------------------------------------
@pytest.mark.parametrize(("canonical", "words"), [
    (None, f"r.json: questionnaire: missing; expected {URL}|{VERSION} (the hipscreen intake; "
           "`hipscreen fhir questionnaire` prints it)"),
    (URL, f"r.json: questionnaire '{URL}': no version; expected {URL}|{VERSION}"),
    (f"{URL}|0.0.1", f"r.json: questionnaire '{URL}|0.0.1': version '0.0.1' of the form, but this "
                     f"hipscreen reads version '{VERSION}' ({URL}|{VERSION})"),
    ("http://loinc.org/q/12345|2", f"r.json: questionnaire 'http://loinc.org/q/12345|2': expected "
                                   f"{URL}|{VERSION}"),
    (f"https://hipscreen.example/fhir/Questionnaire/checkin|{VERSION}",
     "that is the hipscreen check-in: use `hipscreen checkin FILE`"),
])
def test_a_missing_or_other_questionnaire_is_refused_naming_both(canonical, words):
    resp = base_response()
    resp.pop("questionnaire")
    if canonical is not None:
        resp["questionnaire"] = canonical
    (line,) = _refusal(resp)
    assert words in line, line


def test_the_questionnaire_error_still_names_a_red_flag_first(tmp_path, capsys):
    resp = base_response()
    resp.pop("questionnaire")
    find_item(resp, "safety.saddle_numbness")["answer"] = [{"valueBoolean": True}]
    path = tmp_path / "qr.json"
    path.write_text(json.dumps(resp))
    assert main(["screen", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipscreen: EMERGENCY despite the errors below")
    assert "questionnaire: missing" in err


# -- empty answers and two values ----------------------------------------------------------------
def test_an_empty_answer_list_is_refused_in_one_line():
    resp = base_response()
    find_item(resp, "symptoms.pain_now")["answer"] = []
    assert _refusal(resp) == [
        "r.json: linkId 'symptoms.pain_now': an empty answer list (answer: []); give an answer, "
        "or leave the item out if it was not answered"]


def test_an_empty_group_is_refused_in_one_line():
    resp = base_response()
    find_item(resp, "movement")["item"] = []
    assert _refusal(resp) == [
        "r.json: linkId 'movement': an empty group (item: []); leave it out, or give the answers "
        "it holds"]


@pytest.mark.parametrize(("link_id", "answer", "expected"), [
    ("safety.fever_or_unwell", {"valueBoolean": False, "valueInteger": 3},
     "the answer holds 2 values (valueBoolean, valueInteger); an answer holds exactly one: a "
     "yes/no answer (valueBoolean true or false)"),
    ("symptoms.pain_now", {"valueInteger": 2, "valueString": "2", "valueDecimal": 2.0},
     "the answer holds 3 values (valueInteger, valueString, valueDecimal); an answer holds "
     "exactly one: a whole number 0..10 (valueInteger)"),
])
def test_two_values_in_one_answer_get_one_clear_line(link_id, answer, expected):
    resp = base_response()
    find_item(resp, link_id)["answer"] = [answer]
    assert _refusal(resp) == [f"r.json: linkId '{link_id}': {expected}"]


def test_two_values_in_the_second_of_several_answers_say_which():
    resp = base_response()
    find_item(resp, "activities")["answer"].append(
        {"valueCoding": {"code": "golf"}, "valueBoolean": True})
    (line,) = _refusal(resp)
    assert line.startswith("r.json: linkId 'activities': answer 2 holds 2 values")


# -- batch: NDJSON ------------------------------------------------------------------------------
def test_the_readmes_batch_of_ndjson_responses_works(tmp_path, capsys):
    import pandas as pd

    source = tmp_path / "responses.ndjson"
    good, bad = base_response(), base_response()
    good["id"], bad["id"] = "good", "bad"
    find_item(bad, "symptoms.pain_now")["answer"] = []
    source.write_text(f"{json.dumps(good)}\n{json.dumps(bad)}\n")
    out = tmp_path / "screened.csv"
    assert main(["batch", str(source), "-o", str(out), "--jobs", "1"]) in (0, 1)
    rows = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("id")
    assert rows.loc["good", "triage"] == "self_care" and rows.loc["good", "error"] == ""
    assert "an empty answer list" in rows.loc["bad", "error"]
