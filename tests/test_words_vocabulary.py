"""One vocabulary (issue 21, item 2): a triage level's words and colours, the "no drills"
sentence, a drill's variant and a rule condition are each written once and read everywhere."""

from __future__ import annotations

import re
from pathlib import Path

from hipscreen.explain import condition_words
from hipscreen.i18n import use_language
from hipscreen.knowledge.intake import Intake
from hipscreen.pdf import report_data
from hipscreen.render import to_text
from hipscreen.rules.registry import rules
from hipscreen.screening import screen
from hipscreen.words import (
    LEVEL_COLOURS,
    NO_DRILLS_AT_THIS_LEVEL,
    VARIANT_WORDS,
    no_plan_words,
    variant_words,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((ROOT / "src" / "hipscreen").rglob("*.py")), *sorted((ROOT / "app").rglob("*.py"))]


def test_a_level_is_put_into_words_and_colours_in_one_place():
    tables = re.compile(r'"clinician_review":\s*(N_\(|"#)')
    found = [p.relative_to(ROOT).as_posix() for p in SOURCES if tables.search(p.read_text())]
    # conclusions.TRIAGE_LABELS is the triage's headline with what to do ("URGENT - see a doctor
    # today"), the Result's label and the FHIR display: not the level's words
    assert found == ["src/hipscreen/conclusions.py", "src/hipscreen/words.py"]
    typst = (ROOT / "src" / "hipscreen" / "templates" / "common.typ").read_text()
    assert "#f8d7da" not in typst  # the template reads the colours from the data


def test_the_no_drills_sentences_are_written_once():
    for path in SOURCES:
        if path.name == "words.py":
            continue
        text = path.read_text()
        assert "No exercises" not in text and "do not point to a hip stability" not in text, path
        assert "easier version\")" not in text and "regressed version" not in text, path


def test_a_stopped_plan_and_its_words_agree_in_the_text_and_the_pdf():
    result = screen(Intake(age=52, safety={"saddle_numbness": True}))
    assert not result.triage.drills_allowed
    assert no_plan_words(result) in to_text(result)
    data = report_data(result, "plan")
    assert data["words"]["no_exercises"] == NO_DRILLS_AT_THIS_LEVEL
    assert (data["triage"]["fill"], data["triage"]["stroke"]) == LEVEL_COLOURS[result.triage.level]
    with use_language("es"):
        assert no_plan_words(result).startswith("Sin ejercicios")


def test_a_variant_is_named_once_and_never_twice():
    result = screen(Intake(age=34, safety={"pregnant": True}, movement={"hip_shift": "left"}))
    for item in result.plan:
        words = variant_words(item)
        assert words in ("", *VARIANT_WORDS.values())
        if words:
            assert words.split()[0] not in item.name.lower()


def test_a_negated_condition_reads_as_words():
    said = {condition_words(c) for r in rules().values() for c in r.conditions}
    assert "no red flag" in said
    assert not [s for s in said if s.startswith("no a ") or "RedFlag(" in s]
