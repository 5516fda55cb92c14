"""Two languages for the follow-up (issue 21): the check-in review and the FHIR forms in Spanish.

The rules reason in ids and never in words, so a check-in reviewed in Spanish reaches exactly the
decisions it reaches in English; only its sentences change. The Questionnaires carry every text a
person reads in the other language too (the standard translation extension on `_text` and
`_display`), and `lang="es"` makes Spanish the primary text with English as the translation."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file

from hipscreen.cases.files import load_case
from hipscreen.cases.outcome import review_case
from hipscreen.fhir import (
    RELEASES,
    checkin_questionnaire_json,
    intake_from_response,
    questionnaire_json,
    response_from_intake,
)
from hipscreen.fhir.checkin import CHECKIN_QUESTIONS, checkin_questions
from hipscreen.fhir.questionnaire import GATE, QUESTIONS, TRANSLATION, intake_questions
from hipscreen.i18n import DOMAINS, KEYWORDS, read_catalogue, translate, use_language
from hipscreen.knowledge.intake import Intake
from hipscreen.review import DECISION_WORDS, SIGN_WORDS, is_worse_note, review_text

ROOT = Path(__file__).resolve().parents[1]
CHECKIN_CASES = sorted((ROOT / "cases" / "checkins").glob("*.yaml"))
FOLLOWUP_SOURCES = [*sorted((ROOT / "src/hipscreen").glob("review*.py")),
                    *sorted((ROOT / "src/hipscreen/fhir").glob("*.py"))]
FORMS = {"intake": questionnaire_json, "checkin": checkin_questionnaire_json}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


# -- the check-in review ------------------------------------------------------------------------
@cache
def reviewed(stem: str, lang: str):
    with use_language(lang):
        return review_case(load_case(ROOT / "cases" / "checkins" / f"{stem}.yaml"))


def decided(rev) -> dict[str, Any]:
    """Everything the rules decided, in ids and numbers (no words)."""
    return {
        "triage": (rev.triage.level, rev.triage.drills_allowed,
                   [(f.id, f.level, tuple(f.answers)) for f in rev.triage.red_flags]),
        "changes": [(c.measure, c.activity, c.before, c.now, c.worse_by, c.worse)
                    for c in rev.changes],
        "decisions": [(d.drill, d.side, d.decision, d.to, d.tried, tuple(d.rules),
                       d.see_clinician, len(d.reasons)) for d in rev.decisions],
        "plan": [(p.drill, p.side, p.variant, p.replaces, p.order, len(p.why)) for p in rev.plan],
        "precautions": [p.id for p in rev.precautions],
        "rules_fired": rev.rules_fired,
        "trace": [(s.kind, s.rule, s.fact_id) for s in rev.trace],
        "notes": len(rev.notes),
    }


def test_the_checkin_cases_are_found():
    assert len(CHECKIN_CASES) >= 12


@pytest.mark.parametrize("path", CHECKIN_CASES, ids=[p.stem for p in CHECKIN_CASES])
def test_a_checkin_reviewed_in_spanish_reaches_the_same_decisions(path):
    english, spanish = reviewed(path.stem, "en"), reviewed(path.stem, "es")
    assert decided(spanish) == decided(english)


def test_a_decision_in_spanish_words_and_the_english_unchanged():
    english = reviewed("checkin-hinge-pain-during-6-regress", "en")
    spanish = reviewed("checkin-hinge-pain-during-6-regress", "es")
    (en,), (es,) = english.decisions, spanish.decisions
    assert en.decision == es.decision == "regress"
    assert en.text.startswith("Make it easier - the ") and "6/10" in en.text
    assert es.text.startswith("Hágalo más fácil") and "6/10" in es.text
    (reason,) = es.reasons
    assert reason.startswith("el dolor durante el ejercicio llegó a 6/10 (")
    assert reason.endswith(" es más dolor del que es seguro para entrenar)")
    assert spanish.triage.action.startswith("Siga con el nuevo plan")
    assert spanish.plan[0].why[0].startswith("La versión más fácil de ")
    with use_language("es"):
        assert DECISION_WORDS["regress"] == "Hacerlo más fácil"
        assert SIGN_WORDS["low_back_pinch"] == "un pinchazo en la zona lumbar"
        text = review_text(spanish)
    assert "Ejercicio por ejercicio" in text and "HACERLO MÁS FÁCIL" in text
    assert "Drill by drill" not in text and "Make it easier" not in text
    assert DECISION_WORDS["regress"] == "Make it easier"  # read in English outside the block
    assert "Drill by drill" in review_text(english) and "MAKE IT EASIER" in review_text(english)


@pytest.mark.parametrize("stem", ["checkin-worst-pain-up-2-too-easy-hinge-kept",
                                  "checkin-psfs-deadlift-down-2"])
def test_worse_and_held_in_spanish(stem):
    spanish = reviewed(stem, "es")
    assert spanish.triage.level == "clinician_review"
    worse = [n for n in spanish.notes if is_worse_note(n)]
    assert worse and all(n.startswith("Peor desde el último registro: ") for n in worse)
    assert "un cambio que importa" in worse[0]
    with use_language("es"):
        text = review_text(spanish)
    assert "PEOR, y el cambio importa" in text
    assert not any(f"* {n}" in text for n in worse)  # shown once, next to its score


def test_a_drill_held_for_a_clinician_in_spanish():
    spanish = reviewed("checkin-worst-pain-up-2-too-easy-hinge-kept", "es")
    (held,) = spanish.decisions
    assert held.decision == "keep"
    assert held.text.startswith("Manténgalo igual: estaba listo para hacerlo más difícil")
    assert ("Se mantiene en este nivel hasta que le vea un profesional sanitario: peor desde el "
            "último registro (peor dolor de la última semana: 4 -> 6 (+2))") in held.text


def test_a_red_flag_stop_in_spanish_keeps_its_action_short():
    spanish = reviewed("checkin-saddle-numbness-stops-every-drill", "es")
    assert spanish.triage.level == "emergency" and not spanish.plan
    for decision in spanish.decisions:
        assert decision.decision == "stop" and decision.see_clinician
        assert decision.text.startswith("Pare: una señal de alarma en este seguimiento")
        assert decision.text.endswith(spanish.triage.action)


# -- the catalogue --------------------------------------------------------------------------------
def followup_entries() -> list:
    return [m for m in read_catalogue("es", "followup") if m.id]


def test_followup_po_reads_with_its_plural_rule_and_every_entry_translated():
    catalogue = read_catalogue("es", "followup")
    assert catalogue is not None and catalogue.num_plurals == 2
    entries = followup_entries()
    assert len(entries) >= 100
    assert all(m.string and not m.fuzzy for m in entries), [m.id for m in entries if not m.string]


def test_placeholders_are_intact_in_every_translation():
    for message in followup_entries():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


def test_every_message_of_the_review_and_the_forms_is_translated():
    known = {}
    for domain in DOMAINS:
        catalogue = read_catalogue("es", domain)
        for message in catalogue or ():
            if message.id and message.string:
                known[(message.context, message.id)] = message.string
    missing = []
    for source in FOLLOWUP_SOURCES:
        for _, message, _, context in extract_from_file("python", source, keywords=KEYWORDS):
            message = message[0] if isinstance(message, tuple) else message
            if (context, message) not in known and message not in {i for _, i in known}:
                missing.append(f"{source.name}: {message!r}")
    assert not missing, missing


def test_the_texts_the_forms_take_from_model_descriptions_are_messages():
    from hipscreen.messages import extract

    messages = {m.msgid for m in extract("followup").values()}

    def walk(questions):
        for question in questions:
            yield question
            yield from walk(question.children)
    described = {q.text for q in walk(QUESTIONS + CHECKIN_QUESTIONS)
                 if q.kind == "integer" or (q.link_id.startswith("drills.")
                                            and q.link_id.count(".") == 2
                                            and not q.link_id.endswith(".tried"))}
    assert described and described <= messages, described - messages


def test_the_english_items_stay_english_whatever_language_is_in_use():
    with use_language("es"):
        assert intake_questions("en") == QUESTIONS
        assert checkin_questions("en") == CHECKIN_QUESTIONS
    assert intake_questions("es") != QUESTIONS


# -- the Questionnaires ---------------------------------------------------------------------------
@cache
def form(name: str, release: str, lang: str) -> dict[str, Any]:
    return json.loads(FORMS[name](release, lang=lang))


def all_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        out.append(item)
        out += all_items(item.get("item", []))
    return out


def translations(element: dict[str, Any] | None) -> dict[str, str]:
    """lang -> content of the translation extensions on a primitive's `_x` element."""
    out = {}
    for ext in (element or {}).get("extension", []):
        assert ext["url"] == TRANSLATION
        parts = {e["url"]: e for e in ext["extension"]}
        assert set(parts) == {"lang", "content"}
        out[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return out


def codings(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The codings a person reads: the answer options and the initial answer (not item.code,
    whose LOINC or SNOMED CT display is the terminology's own)."""
    return [o["valueCoding"] for o in item.get("answerOption", []) + item.get("initial", [])
            if "valueCoding" in o]


def wordless(coding: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in coding.items() if k not in ("display", "_display")}


CASES = [(name, release, lang) for name in FORMS for release in RELEASES for lang in ("en", "es")]


@pytest.mark.parametrize(("name", "release", "lang"), CASES)
def test_every_text_and_display_has_its_translation(name, release, lang):
    other = "es" if lang == "en" else "en"
    data = form(name, release, lang)
    assert data["language"] == lang
    assert translations(data.get("_title")).keys() == {other}
    assert translations(data.get("_description")).keys() == {other}
    items = all_items(data["item"])
    assert len(items) > 40
    for item in items:
        assert item["text"], item["linkId"]
        assert translations(item.get("_text")).keys() == {other}, item["linkId"]
        for coding in codings(item):
            assert translations(coding.get("_display")).keys() == {other}, (item["linkId"], coding)
        for code in item.get("code", []):
            assert "_display" not in code


@pytest.mark.parametrize(("name", "release"), [(n, r) for n in FORMS for r in RELEASES])
def test_the_spanish_form_is_the_english_form_the_other_way_round(name, release):
    en, es = form(name, release, "en"), form(name, release, "es")
    assert (en["url"], en["version"], en["id"]) == (es["url"], es["version"], es["id"])
    en_items, es_items = all_items(en["item"]), all_items(es["item"])
    assert [i["linkId"] for i in en_items] == [i["linkId"] for i in es_items]
    for mine, theirs in zip(en_items, es_items, strict=True):
        assert translations(mine["_text"]) == {"es": theirs["text"]}
        assert translations(theirs["_text"]) == {"en": mine["text"]}
        assert [wordless(c) for c in codings(mine)] == [wordless(c) for c in codings(theirs)]
        for a, b in zip(codings(mine), codings(theirs), strict=True):
            assert translations(a["_display"]) == {"es": b["display"]}
        assert mine.get("enableWhen") == theirs.get("enableWhen")
        assert mine.get("required") == theirs.get("required")
        assert mine.get("code") == theirs.get("code")
    assert translations(en["_title"]) == {"es": es["title"]}


def test_the_spanish_words_of_the_forms():
    intake = {i["linkId"]: i for i in all_items(form("intake", "R4B", "es")["item"])}
    assert intake[GATE]["text"] == "He probado el plan de ejercicios y puedo decir cómo me fueron"
    assert intake["safety"]["text"].startswith("Preguntas de seguridad")
    assert intake["movement.hip_shift.picture"]["text"].startswith("Qué muestra el dibujo: ")
    faults = {c["code"]: c["display"] for c in codings(intake["movement.hinge_faults"])}
    assert faults["none"] == "Ninguno de estos (probado, no encontré nada)"
    checkin = {i["linkId"]: i for i in all_items(form("checkin", "R4B", "es")["item"])}
    assert checkin["psfs"]["text"].startswith("Actividades que le importan (hasta 3)")
    felt = {c["code"]: c["display"] for c in codings(checkin["drills.glute_bridge.felt"])}
    assert felt["low_back_pinch"] == "Un pinchazo en la zona lumbar"
    assert checkin["drills.glute_bridge.tried"]["text"].startswith("He probado «")
    assert form("checkin", "R4B", "es")["title"].startswith("Seguimiento de hipscreen")


@pytest.mark.parametrize(("name", "release", "lang"), CASES)
def test_no_placeholder_is_left_in_a_form(name, release, lang):
    text = json.dumps(form(name, release, lang), ensure_ascii=False)
    shown = re.findall(r'"(?:text|display|title|valueString)": "([^"]*\{\w*\}[^"]*)"', text)
    assert not shown


def test_texts_written_for_the_forms_are_all_spanish_in_the_spanish_form():
    ours = {m.id for m in followup_entries()}
    for name in FORMS:
        en = all_items(form(name, "R4B", "en")["item"])
        es = all_items(form(name, "R4B", "es")["item"])
        for mine, theirs in zip(en, es, strict=True):
            if mine["text"] in ours:
                assert theirs["text"] != mine["text"], mine["linkId"]


def test_the_default_language_is_the_one_in_use():
    with use_language("es"):
        assert json.loads(questionnaire_json())["language"] == "es"
    assert json.loads(questionnaire_json())["language"] == "en"


def test_a_response_with_spanish_displays_reads_the_same():
    intake = Intake(age=34, activities=["running"], safety={},
                    symptoms={"pain_now": 2, "pain_worst_week": 4, "locations": ["low_back_left"]},
                    movement={"hip_shift": "right", "hinge_faults": []})
    data = json.loads(response_from_intake(intake).model_dump_json())

    def spanish(items):
        for item in items:
            for answer in item.get("answer", []):
                if "valueCoding" in answer:
                    code = answer["valueCoding"]["code"]
                    answer["valueCoding"]["display"] = translate(code, lang="es") + " (es)"
            spanish(item.get("item", []))
    spanish(data["item"])
    assert intake_from_response(data, "r.json") == intake


@pytest.mark.parametrize(("what", "title"), [("questionnaire", "Cuestionario de hipscreen"),
                                             ("checkin-questionnaire", "Seguimiento de hipscreen")])
def test_hipscreen_fhir_prints_a_form_in_spanish(what, title, capsys):
    from hipscreen.cli import build_parser, main

    fhir = build_parser()._subparsers._group_actions[0].choices["fhir"]
    if not any("--lang" in action.option_strings for action in fhir._actions):
        pytest.skip("`hipscreen fhir` has no --lang option yet (cli.py: _add_lang_option(p))")
    assert main(["fhir", what, "--lang", "es", "--fhir-release", "R5"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["language"] == "es" and printed["title"].startswith(title)
    assert main(["fhir", what]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "en"
