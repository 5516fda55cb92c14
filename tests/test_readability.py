"""Every text a person reads is plain English: a Flesch-Kincaid grade of 6 or below for each
group of texts, and no sentence over 25 words.

The texts are measured as they are shown: thresholds written {threshold_id} in the catalogue
are measured as the words they render to ("below 30 degrees"). Groups:

- safety: the red-flag rows (label, when, action), the "see a clinician if" list and the
  triage labels and actions of src/hipscreen/screening.py;
- result: what a plan says: deficits, findings, precautions, and each drill's purpose, steps,
  cues, what to feel and not feel, dose, easier and harder versions and one-side note;
- self_tests: the movement tests a person does alone (label, what each would check, how to do
  it); the clinician's goniometer test is left out.

Drill names are left out: they are the article's names for the drills. The pictures' alt texts
are left out too: each must equal its SVG's <title>, which tools/draw_pictures.py draws, so they
change with the pictures. Run
`uv run pytest tests/test_readability.py -s` to see the grade of every group and its hardest texts.
"""

from __future__ import annotations

import re
import statistics
import warnings

import pytest

from hipscreen import screening
from hipscreen.knowledge.catalogue import catalogue

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # textstat 0.7.3 imports pkg_resources (setuptools<81)
    import textstat

MAX_GRADE = 6.0
MAX_SENTENCE_WORDS = 25
CLINICIAN_ONLY_TESTS = frozenset({"hip_ir_degrees"})  # a goniometer reading, in clinician mode
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'/-]*")

Texts = list[tuple[str, str]]  # (where, text as shown)


def safety_texts() -> Texts:
    cat = catalogue()
    out: Texts = []
    for key, flag in cat.red_flags.items():
        out += [(f"red_flags.{key}.{name}", getattr(flag, name)) for name in ("label", "when", "action")]
    out += [(f"safety_net[{i}]", item.text) for i, item in enumerate(cat.safety_net)]
    out += [(f"screening.TRIAGE_LABELS[{level}]", label)
            for level, label in screening.TRIAGE_LABELS.items()]
    out += [("screening.SELF_CARE_ACTION", screening.SELF_CARE_ACTION),
            ("screening.CLINICIAN_REVIEW_NOTE", screening.CLINICIAN_REVIEW_NOTE)]
    return out


def result_texts() -> Texts:
    cat = catalogue()
    out: Texts = []
    for key, deficit in cat.deficits.items():
        out += [(f"deficits.{key}.label", deficit.label), (f"deficits.{key}.text", deficit.text)]
    out += [(f"findings.{key}.label", finding.label) for key, finding in cat.findings.items()]
    for key, precaution in cat.precautions.items():
        out += [(f"precautions.{key}.label", precaution.label),
                (f"precautions.{key}.text", precaution.text)]
    for key, drill in cat.drills.items():
        where = f"drills.{key}"
        out += [(f"{where}.purpose", drill.purpose)]
        for name in ("steps", "cues", "feel", "dont_feel"):
            out += [(f"{where}.{name}[{i}]", item) for i, item in enumerate(getattr(drill, name))]
        out += [(f"{where}.dose", drill.dose.text()), (f"{where}.regression", drill.regression),
                (f"{where}.progression", drill.progression)]
        if drill.one_side_note:
            out.append((f"{where}.one_side_note", drill.one_side_note.replace("<side>", "left")))
    return out


def self_test_texts() -> Texts:
    out: Texts = []
    for key, test in catalogue().movement_tests.items():
        if key not in CLINICIAN_ONLY_TESTS:
            out += [(f"movement_tests.{key}.{name}", getattr(test, name))
                    for name in ("label", "would_check", "how_to")]
    return out


GROUPS = {"safety": safety_texts, "result": result_texts, "self_tests": self_test_texts}


def _as_shown(text: str) -> str:
    """One text as a reader meets it: whitespace of folded YAML closed up, and a full stop at
    the end of a label or list item, so joined texts stay separate sentences."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def joined(texts: Texts) -> str:
    return " ".join(_as_shown(text) for _, text in texts)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def words(sentence: str) -> int:
    return len(WORD.findall(sentence))


def measure(name: str) -> dict:
    """A group's grade over its joined text, the median grade per text, its hardest texts and
    its longest sentence."""
    texts = GROUPS[name]()
    per_text = sorted(((grade(_as_shown(t)), where, t) for where, t in texts), reverse=True)
    longest = max(((words(s), where, s) for where, t in texts for s in sentences(t)))
    return {"group": name, "texts": len(texts), "grade": grade(joined(texts)),
            "median": statistics.median(g for g, _, _ in per_text), "hardest": per_text[:5],
            "longest": longest}


def report(stats: dict) -> str:
    lines = [f"{stats['group']}: {stats['texts']} texts, grade {stats['grade']:.1f} over the group, "
             f"median {stats['median']:.1f} per text; longest sentence {stats['longest'][0]} "
             f"words ({stats['longest'][1]})"]
    lines += [f"  {g:5.1f}  {where}: {text}" for g, where, text in stats["hardest"]]
    return "\n".join(lines)


@pytest.mark.parametrize("group", list(GROUPS))
def test_group_reads_at_grade_six_or_below(group: str) -> None:
    stats = measure(group)
    print("\n" + report(stats))
    assert stats["texts"] > 0
    assert stats["grade"] <= MAX_GRADE, report(stats)


@pytest.mark.parametrize("group", list(GROUPS))
def test_no_sentence_is_over_25_words(group: str) -> None:
    long = [(words(s), where, s) for where, text in GROUPS[group]()
            for s in sentences(text) if words(s) > MAX_SENTENCE_WORDS]
    assert long == [], "\n".join(f"{n} words, {where}: {s}" for n, where, s in long)


def test_thresholds_are_measured_as_the_words_they_render_to() -> None:
    shown = [text for group in GROUPS.values() for _, text in group()]
    assert shown and not [t for t in shown if "{" in t or "}" in t]


def test_the_measure_itself_tells_plain_from_hard_text() -> None:
    assert grade("Go to an emergency department now. Do not wait.") <= MAX_GRADE
    assert grade("Radiculopathy necessitates expeditious neurosurgical consultation "
                 "notwithstanding symptomatic amelioration.") > MAX_GRADE
    assert sentences("One. Two words here! Three?") == ["One.", "Two words here!", "Three?"]
    assert words("Pain during a drill up to 5/10 is fine.") == 9


# -- every result a person can get: the texts of each screened case file --------------------
def person_texts_of(result) -> Texts:
    """What a person reads in a result: the triage and its red flags, the deficit sentences,
    each planned drill (purpose, steps, cues, feel, dose, why), the precautions and the 'see a
    clinician if' list."""
    from hipscreen.words import deficit_words, drill_purpose_words

    t = result.triage
    out: Texts = [("triage.label", t.label), ("triage.action", t.action)]
    out += [("triage.plan_note", t.plan_note)] if t.plan_note else []
    for flag in t.red_flags:
        out += [(f"red_flag.{flag.id}.label", flag.label), (f"red_flag.{flag.id}.action", flag.action)]
    out += [(f"deficit.{d.id}", d.explanation) for d in result.deficits]
    out += [(f"deficit_words.{d.id}", deficit_words(d.id, d.side)) for d in result.deficits]
    for item in result.plan:
        where = f"plan.{item.drill}"
        out += [(f"{where}.purpose", item.purpose), (f"{where}.dose", item.dose.text)]
        for name in ("steps", "cues", "feel", "dont_feel"):
            out += [(f"{where}.{name}[{i}]", text) for i, text in enumerate(getattr(item, name))]
        # the app's person view: what it trains in plain words, then the plan's own notes (the
        # "Trains <deficit> (side, confidence), shown by: ..." line is the clinician's)
        why = drill_purpose_words(result, item.serves, item.side)
        why += [w for w in item.why if not w.startswith("Trains ")]
        out += [(f"{where}.why[{i}]", text) for i, text in enumerate(why)]
    out += [(f"precaution.{p.id}", p.text) for p in result.precautions]
    out += [(f"safety_net[{i}]", text) for i, text in enumerate(result.safety_net)]
    return out


def _case_results():
    from pathlib import Path

    from hipscreen.cases import load_case
    from hipscreen.cases.files import discover

    root = Path(__file__).resolve().parents[1] / "cases"
    paths = [p for p in discover([root])[0] if "checkins" not in p.parts]
    return [(p.stem, load_case(p).intake) for p in paths]


CASES = _case_results()


@pytest.mark.parametrize(("case", "intake"), CASES, ids=[c for c, _ in CASES])
def test_every_case_result_reads_at_grade_six_with_short_sentences(case, intake) -> None:
    """The person-facing texts of each case file's result (vignettes included), as one
    document: grade 6 or lower, no sentence over 25 words."""
    texts = person_texts_of(screening.screen(intake))
    assert grade(joined(texts)) <= MAX_GRADE, [where for where, _ in texts]
    long = [(where, s) for where, text in texts for s in sentences(_as_shown(text))
            if words(s) > MAX_SENTENCE_WORDS]
    assert long == []
