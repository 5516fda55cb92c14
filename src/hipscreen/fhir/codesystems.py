"""hipscreen's own CodeSystems, for every code it uses that no standard terminology has: one
per choice question of its Questionnaires (`<base>/CodeSystem/<linkId>`: "left" in
`movement.hip_shift` is not "left" in `movement.knee_collapse`) and one per output vocabulary
(`deficit`, `drill`, `red-flag`, `triage-level`, `confidence`, `assessment`, `bundle-entry`).
`hipscreen fhir codesystems` prints them as one Bundle, for a terminology server."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from hipscreen.fhir.common import (
    Release,
    build,
    canonical_base,
    check_release,
    code_system,
    narrative,
)
from hipscreen.fhir.questionnaire import QUESTIONS, Question, questionnaire_version
from hipscreen.result import DISCLAIMER


def _choice_questions(questions: tuple[Question, ...]) -> list[Question]:
    out = []
    for question in questions:
        if question.kind == "choice":
            out.append(question)
        out += _choice_questions(question.children)
    return out


def vocabularies() -> dict[str, tuple[str, list[tuple[str, str, str | None]]]]:
    """name -> (title, [(code, display, definition)]) of every hipscreen CodeSystem."""
    from hipscreen.fhir.bundle import ANSWERS_AS_SCREENED
    from hipscreen.fhir.checkin import CHECKIN_QUESTIONS
    from hipscreen.knowledge.catalogue import catalogue
    from hipscreen.screening import TRIAGE_LABELS
    from hipscreen.words import CONFIDENCE_WORDS

    cat = catalogue()
    out: dict[str, tuple[str, list[tuple[str, str, str | None]]]] = {}
    for question in _choice_questions(QUESTIONS) + _choice_questions(CHECKIN_QUESTIONS):
        out.setdefault(question.link_id, (
            f"Answers to '{question.text}' ({question.link_id})",
            [(code, question.display(code), None) for code in question.options]))
    out["deficit"] = ("hipscreen deficits", [(k, d.label, " ".join(d.text.split()))
                                             for k, d in cat.deficits.items()])
    out["drill"] = ("hipscreen drills", [(k, d.name, " ".join(d.purpose.split()))
                                         for k, d in cat.drills.items()])
    out["red-flag"] = ("hipscreen red flags", [(k, f.label, f"When: {f.when}. Triage: {f.level}.")
                                               for k, f in cat.red_flags.items()])
    out["triage-level"] = ("hipscreen triage levels, most urgent first",
                           [(k, v, None) for k, v in TRIAGE_LABELS.items()])
    out["confidence"] = ("How strongly the answers point at a deficit",
                         [(k, v, None) for k, v in CONFIDENCE_WORDS.items()])
    out["assessment"] = ("hipscreen assessments", [
        ("hip-deficits", "Likely and possible hip deficits", None),
        ("red-flags", "Red flags and triage", None)])
    out["bundle-entry"] = ("The roles of resources in a hipscreen Bundle", [
        (ANSWERS_AS_SCREENED, "The answers as hipscreen screened them",
         "The answers received, with hipscreen's defaults for the questions not answered")])
    return out


def _computable(name: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in name).split()
    return "Hipscreen" + "".join(w[:1].upper() + w[1:] for w in words)


def code_systems(release: Release = "R4B", *, base: str | None = None) -> dict[str, Any]:
    """Every hipscreen CodeSystem, as a Bundle (type collection) of FHIR JSON, validated."""
    release, base = check_release(release), canonical_base(base)
    version = questionnaire_version()
    entries = []
    for name, (title, concepts) in vocabularies().items():
        url = code_system(name, base)
        resource = {
            "resourceType": "CodeSystem",
            "id": ("hipscreen-" + re.sub(r"[^A-Za-z0-9.-]", "-", name))[:64],
            "text": narrative(title + ".", [f"{code}: {display}" for code, display, _ in concepts]),
            "url": url,
            "version": version,
            "name": _computable(name),
            "title": title,
            "status": "active",
            "experimental": False,
            "publisher": "hipscreen",
            "description": f"{title}. {DISCLAIMER}",
            "caseSensitive": True,
            "content": "complete",
            "count": len(concepts),
            "concept": [{"code": code, "display": display,
                         **({"definition": definition} if definition else {})}
                        for code, display, definition in concepts],
        }
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}",
                        "resource": resource})
    data = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    build(release, data)
    return data


def code_systems_json(release: Release = "R4B", *, base: str | None = None) -> str:
    return json.dumps(code_systems(release, base=base), indent=2, ensure_ascii=False)


__all__ = ["code_systems", "code_systems_json", "vocabularies"]
