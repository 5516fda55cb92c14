"""The engine's conclusions are read once (issue 21): a Result carries its red flags' answers and its
deficits' evidence as structured links (deficit -> evidence -> findings -> answers as field/value
pairs), one reader (hipscreen.conclusions) serves screening and review, and nothing downstream
parses an answer back out of a string. A result saved before (answers as lines, no links) still
loads, with the same links."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

from hipscreen.records.store import Record
from hipscreen.result import Answer, Result
from hipscreen.screening import screen

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "hipscreen"

RUNNER = {"age": 34, "safety": {}, "activities": ["running"],
          "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                       "locations": ["low_back_right"]},
          "movement": {"hip_shift": "right"}}
SADDLE = {"age": 40, "safety": {"saddle_numbness": True},
          "symptoms": {"pain_now": 3, "pain_worst_week": 9, "weeks": 2}}
NOTHING_ASKED = {"age": 40, "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 2}}
LONG_EPISODE = {"age": 40, "safety": {}, "symptoms": {"pain_now": 3, "pain_worst_week": 5,
                                                     "weeks": 20}}
MEASURED = {"age": 50, "mode": "clinician", "safety": {},
            "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 8,
                         "locations": ["groin_left"]},
            "movement": {"hip_ir_degrees": {"left": 22, "right": 38}}}


def _old_shape(result: Result) -> dict:
    """The JSON a result had before answers were structured: lines, and no deficit links."""
    data = json.loads(result.model_dump_json())
    for flag in data["triage"]["red_flags"]:
        flag["answers"] = [Answer.model_validate(a).line() for a in flag["answers"]]
    for deficit in data["deficits"]:
        del deficit["support"]
    return data


def test_a_red_flag_carries_its_answers_as_fields_and_values():
    result = screen(SADDLE)
    flag = next(f for f in result.triage.red_flags if f.id == "cauda_equina")
    assert Answer(field="safety.saddle_numbness", value=True) in flag.answers
    dumped = json.loads(result.model_dump_json())["triage"]["red_flags"][0]["answers"]
    assert {"field": "safety.saddle_numbness", "value": True} in dumped


def test_a_question_never_asked_is_an_answer_of_none_never_a_no():
    result = screen(NOTHING_ASKED)
    answers = [a for f in result.triage.red_flags for a in f.answers]
    assert answers and all(a.value is None and a.not_asked for a in answers)
    assert answers[0].line().startswith("safety.not_asked = ")  # as the maintainer's text says it
    assert Answer.of_line(answers[0].line()) == answers[0]


@pytest.mark.parametrize(("line", "answer"), [
    ("safety.saddle_numbness = True", Answer(field="safety.saddle_numbness", value=True)),
    ("symptoms.pain_worst_week = 9", Answer(field="symptoms.pain_worst_week", value=9)),
    ("symptoms.locations = groin_left", Answer(field="symptoms.locations", value="groin_left")),
    ("safety.hip_surgery = under_12_weeks",
     Answer(field="safety.hip_surgery", value="under_12_weeks")),
    ("safety.not_asked = pregnant", Answer(field="safety.pregnant", value=None)),
    ("movement.hip_ir_degrees = left 22 deg, right 38 deg",
     Answer(field="movement.hip_ir_degrees", value={"left": 22, "right": 38})),
])
def test_an_old_line_reads_as_the_answer_and_the_answer_says_the_same_line(line, answer):
    assert Answer.of_line(line) == answer
    assert answer.line() == line


def test_a_hip_rotation_answer_is_the_intake_shape():
    answer = Answer.of_fact("movement.hip_ir_degrees", (22, 38))
    assert answer.value == {"left": 22, "right": 38}


def test_a_deficit_carries_its_evidence_findings_and_answers():
    result = screen(RUNNER)
    deficit = next(d for d in result.deficits
                   if (d.id, d.side) == ("hip_stability_deficit", "right"))
    assert deficit.support, "the evidence behind the deficit"
    assert {e.rule for e in deficit.support} == set(deficit.evidence)
    shift = next(f for f in deficit.findings() if f.id == "hip_shift")
    assert shift.side == "right"
    assert Answer(field="movement.hip_shift", value="right") in shift.answers
    assert deficit.weights_of(shift) == [e.weight for e in deficit.support
                                         if e.rule == "hip_shift_suggests_unstable_hip"]


def test_links_do_not_need_the_trace():
    traced, untraced = screen(RUNNER), screen(RUNNER, trace=False)
    assert [d.support for d in traced.deficits] == [d.support for d in untraced.deficits]


@pytest.mark.parametrize("intake", [RUNNER, SADDLE, NOTHING_ASKED, LONG_EPISODE, MEASURED],
                         ids=["runner", "saddle", "nothing-asked", "long-episode", "measured"])
def test_a_result_saved_with_answer_lines_and_no_links_loads_the_same(intake):
    result = screen(intake)
    old = _old_shape(result)
    assert Result.model_validate(old) == Result.model_validate_json(result.model_dump_json())
    assert Result.model_validate_json(json.dumps(old)).deficits == result.deficits


def test_a_stored_record_of_an_old_result_still_loads():
    result = screen(SADDLE)
    record = Record(id=1, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), kind="screening",
                    mode="self", person="p", input=SADDLE, result=_old_shape(result),
                    triage=result.triage.level, status="new", follows=None, made_by=None,
                    hipscreen_version="0", knowledge_fingerprint="0", psfs=None)
    loaded = record.model()
    assert loaded.triage.red_flags == result.triage.red_flags


def test_an_old_result_without_its_trace_loads_with_no_links():
    old = _old_shape(screen(RUNNER, trace=False))
    loaded = Result.model_validate(old)
    assert loaded.deficits and all(d.support == [] for d in loaded.deficits)


def test_the_words_for_an_answer_keep_its_unit():
    """A number is worded with its field (the line '... = 20' once lost the weeks)."""
    from hipscreen.words import flag_answer_words, tell_the_service

    result = screen(LONG_EPISODE)
    flag = next(f for f in result.triage.red_flags
                if any(a.field == "symptoms.weeks" for a in f.answers))
    assert "This episode has lasted: 20 weeks" in flag_answer_words(flag.answers)
    assert isinstance(tell_the_service(result), list)


def test_screening_and_review_read_the_conclusions_through_one_reader():
    def defined(path: Path) -> set[str]:
        return {n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(n, ast.FunctionDef)}

    for name in ("screening.py", "review_reading.py"):
        text = (SRC / name).read_text(encoding="utf-8")
        assert "conclusions" in text
        assert not defined(SRC / name) & {"_triage", "_answer_text", "_answers_behind",
                                          "_precautions", "_drill_card", "_trace"}, name


@pytest.mark.parametrize("name", ["words.py", "render.py", "picture.py", "pdf.py",
                                  "fhir/bundle.py", "review.py", "review_reading.py",
                                  "review_words.py", "screening.py"])
def test_no_answer_is_parsed_back_out_of_a_string(name):
    text = (SRC / name).read_text(encoding="utf-8")
    for parse in ('partition(" = ")', 'split(" = ")', '" = "', "not_asked = "):
        assert parse not in text, f"{name} parses an answer line: {parse}"


@pytest.mark.parametrize(("name", "function"), [
    ("words.py", "supporting_findings"), ("words.py", "person_sentence"),
    ("render.py", "clinician_reasons"), ("picture.py", "deficit_reasons")])
def test_the_deficit_to_finding_walk_is_not_written_again(name, function):
    """Words, render and picture (and the PDF, through deficit_reasons) read a deficit's links
    (DeficitResult.support, findings()); none walks the trace from a deficit to its evidence and
    findings itself."""
    tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    source = ast.unparse(node)
    assert "trace" not in source and "Evidence" not in source and "reasoning_graph" not in source


def test_the_answers_in_spanish_are_words():
    from hipscreen.i18n import use_language
    from hipscreen.words import flag_answer_words

    with use_language("es"):
        result = screen(SADDLE)
        words = [w for f in result.triage.red_flags for w in flag_answer_words(f.answers)]
    assert words and all(" = " not in w for w in words)
