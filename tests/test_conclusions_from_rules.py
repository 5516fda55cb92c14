"""Every conclusion comes from a rule (issue 9, section 3; docs/design.md "Nothing downstream
re-derives a conclusion"): each precaution in a Result and each note on a plan item is a fact
that a prescribe-stage rule declared, found in the trace with the rule and the facts it matched.
The other sentences of a plan item's "why" only put trace facts into words.

`unexplained(result)` lists whatever a Result shows that no trace step backs. It runs on every
case file, and on doctored results to prove it catches a conclusion added outside the rules."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from hipscreen.cases import load_case
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.result import PrecautionApplied, Result, TraceStep
from hipscreen.rules import prescribe
from hipscreen.rules.registry import rules
from hipscreen.screening import screen

CASE_DIR = Path(__file__).resolve().parents[1] / "cases"
CASE_FILES = sorted(CASE_DIR.glob("*.yaml"))

NEW_RULES = {
    "a_plan_carries_the_pain_monitoring_model": ("pain-monitoring", ("pain_monitoring",)),
    "glute_underuse_puts_glute_work_first": ("article-drill-sl-hinge",
                                             ("hamstring_cramp_glute_first",)),
    "one_sided_single_leg_drill_gets_an_extra_set_on_that_side": ("one-side-first", ("plan_note",)),
}
TRAINS = re.compile(r"^Trains (?P<label>.+) \((?P<side>left|right|both), "
                    r"(?P<confidence>likely|possible)\), shown by: .+\.$")
INSTEAD = re.compile(r"^It takes the place of the (?P<name>.+?)\. (?P<text>.+)$")


def prescribe_rules() -> set[str]:
    return {r.id for r in rules().values() if r.stage == "prescribe"}


def _precaution_steps(result: Result, precaution: str) -> list[TraceStep]:
    """Trace steps whose fact applies `precaution`: a drill it swapped (Replaced) or removed
    (Blocked), or the precaution applying to the plan as it stands (PrecautionApplies)."""
    return [s for s in result.trace
            if (s.kind in ("Replaced", "Blocked") and s.data["precaution"] == precaution)
            or (s.kind == "PrecautionApplies" and s.data["id"] == precaution)]


def _step_drills(step: TraceStep) -> list[str]:
    return list(step.data["drills"]) if step.kind == "PrecautionApplies" else [step.data["drill"]]


def _declared_by_a_prescribe_rule(step: TraceStep, what: str) -> list[str]:
    if step.rule is None:
        return [f"{what}: trace step {step.fact_id} has no rule (an intake answer?)"]
    if step.rule not in prescribe_rules():
        return [f"{what}: trace step {step.fact_id} comes from rule {step.rule!r}, "
                "not a prescribe-stage rule"]
    return []


def _renders_the_trace(sentence: str, item, result: Result) -> bool:
    """Whether a "why" sentence only puts trace facts into words: the deficit a drill trains
    (a Deficit fact it serves) or the precaution that swapped it in (a Replaced fact)."""
    cat = catalogue()
    if m := TRAINS.match(sentence):
        return any(s.kind == "Deficit" and s.data["id"] in item.serves
                   and cat.deficits[s.data["id"]].label.lower() == m["label"]
                   and s.data["side"] == m["side"] and s.data["confidence"] == m["confidence"]
                   for s in result.trace)
    if m := INSTEAD.match(sentence):
        return any(s.kind == "Replaced" and s.rule in prescribe_rules()
                   and cat.drills[s.data["drill"]].name.lower() == m["name"]
                   and cat.precautions[s.data["precaution"]].text.strip() == m["text"]
                   for s in result.trace)
    return False


def unexplained(result: Result) -> list[str]:
    """What the Result shows that no rule declared: an empty list when every precaution and
    every plan note is a trace fact of a prescribe-stage rule, with the same drills."""
    problems: list[str] = []
    for precaution in result.precautions:
        what = f"precaution {precaution.id}"
        steps = _precaution_steps(result, precaution.id)
        if not steps:
            problems.append(f"{what}: no trace step declares it")
            continue
        for step in steps:
            problems += _declared_by_a_prescribe_rule(step, what)
        in_trace = list(dict.fromkeys(d for s in steps for d in _step_drills(s)))
        if sorted(precaution.drills) != sorted(in_trace):
            problems.append(f"{what}: drills {precaution.drills} but the trace gives {in_trace}")
    shown = {p.id for p in result.precautions}
    for step in result.trace:
        pid = step.data.get("id") if step.kind == "PrecautionApplies" else (
            step.data.get("precaution") if step.kind in ("Replaced", "Blocked") else None)
        if pid is not None and pid not in shown:
            problems.append(f"precaution {pid}: concluded in the trace but not in the Result")
    for item in result.plan:
        notes = [s for s in result.trace if s.kind == "PlanNote" and s.data["drill"] == item.drill]
        left = Counter(s.data["note"] for s in notes)
        for step in notes:
            problems += _declared_by_a_prescribe_rule(step, f"{item.drill}: note")
            if step.data["side"] != item.side:
                problems.append(f"{item.drill}: a note for side {step.data['side']}, "
                                f"planned {item.side}")
        for sentence in item.why:
            if left[sentence] > 0:
                left[sentence] -= 1
            elif not _renders_the_trace(sentence, item, result):
                problems.append(f"{item.drill}: {sentence!r} is neither a rule's plan note "
                                "nor a trace fact in words")
        problems += [f"{item.drill}: the note {note!r} of the trace is missing from its why"
                     for note, n in left.items() if n > 0]
    return problems


# -- every case file ------------------------------------------------------------------------
@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_every_precaution_and_plan_note_of_a_case_comes_from_a_rule(path: Path) -> None:
    result = screen(load_case(path).intake)
    assert unexplained(result) == []


def test_the_case_files_exercise_each_kind_of_conclusion() -> None:
    """The check above is not empty: the cases show each new conclusion at least once."""
    results = [screen(load_case(p).intake) for p in CASE_FILES]
    precautions = {p.id for r in results for p in r.precautions}
    assert {"pain_monitoring", "hamstring_cramp_glute_first"} <= precautions
    assert any(s.kind == "PlanNote" for r in results for s in r.trace)


# -- the check really reads the trace -------------------------------------------------------
@pytest.fixture(scope="module")
def one_sided_cramp() -> Result:
    """A right-sided hip with a hamstring cramp: glute work first, notes on one-sided drills."""
    return screen({"safety": {}, "age": 30, "movement": {"hip_shift": "right"},
                   "drill_response": {"hamstring_cramp": ["single_leg_hip_hinge"]}})


def test_the_fixture_result_is_fully_explained(one_sided_cramp: Result) -> None:
    assert unexplained(one_sided_cramp) == []
    assert {"hamstring_cramp_glute_first", "pain_monitoring"} <= {
        p.id for p in one_sided_cramp.precautions}
    assert any(s.kind == "PlanNote" for s in one_sided_cramp.trace)


def test_a_precaution_added_outside_the_rules_is_caught(one_sided_cramp: Result) -> None:
    cat = catalogue()
    entry = cat.precautions["pregnancy_supported_balance"]
    extra = PrecautionApplied(id="pregnancy_supported_balance", label=entry.label,
                              text=entry.text, drills=[], source=entry.source)
    doctored = one_sided_cramp.model_copy(
        update={"precautions": [*one_sided_cramp.precautions, extra]})
    assert unexplained(doctored) == ["precaution pregnancy_supported_balance: no trace step declares it"]


@pytest.mark.parametrize("kind", ["PrecautionApplies", "PlanNote"])
def test_a_conclusion_whose_rule_left_no_trace_step_is_caught(one_sided_cramp: Result,
                                                              kind: str) -> None:
    """As if screening.py wrote the precaution or the note itself, with no rule behind it."""
    trace = [s for s in one_sided_cramp.trace if s.kind != kind]
    assert unexplained(one_sided_cramp.model_copy(update={"trace": trace}))


def test_a_step_from_a_rule_of_another_stage_is_caught(one_sided_cramp: Result) -> None:
    trace = [dataclasses.replace(s, rule="observed_hip_shift_is_a_finding")
             if s.kind == "PrecautionApplies" else s for s in one_sided_cramp.trace]
    problems = unexplained(one_sided_cramp.model_copy(update={"trace": trace}))
    assert problems and all("not a prescribe-stage rule" in p for p in problems)


def test_drills_written_in_by_hand_are_caught(one_sided_cramp: Result) -> None:
    precautions = [p.model_copy(update={"drills": [*p.drills, "dowel_hip_hinge"]})
                   if p.id == "hamstring_cramp_glute_first" else p
                   for p in one_sided_cramp.precautions]
    problems = unexplained(one_sided_cramp.model_copy(update={"precautions": precautions}))
    assert len(problems) == 1 and "hamstring_cramp_glute_first: drills" in problems[0]


def test_a_why_sentence_written_in_by_hand_is_caught(one_sided_cramp: Result) -> None:
    item = one_sided_cramp.plan[-1]
    plan = [*one_sided_cramp.plan[:-1],
            item.model_copy(update={"why": [*item.why, "Do it twice a day."]})]
    problems = unexplained(one_sided_cramp.model_copy(update={"plan": plan}))
    assert problems == [f"{item.drill}: 'Do it twice a day.' is neither a rule's plan note "
                        "nor a trace fact in words"]


def test_a_note_repeated_by_hand_is_caught(one_sided_cramp: Result) -> None:
    item = next(p for p in one_sided_cramp.plan if p.side == "right")
    plan = [p.model_copy(update={"why": [*p.why, p.why[-1]]}) if p is item else p
            for p in one_sided_cramp.plan]
    assert unexplained(one_sided_cramp.model_copy(update={"plan": plan}))


# -- the three rules ------------------------------------------------------------------------
def test_the_rules_are_in_the_registry_with_their_sources() -> None:
    registry = rules()
    for rule_id, (source, concludes) in NEW_RULES.items():
        info = registry[rule_id]
        assert info.stage == "prescribe"
        assert (info.source, info.concludes) == (source, concludes)
        assert info.text and "{" not in info.text
        assert source in catalogue().sources


def test_pain_monitoring_rests_on_every_planned_drill(one_sided_cramp: Result) -> None:
    [step] = [s for s in one_sided_cramp.trace if s.kind == "PrecautionApplies"
              and s.data["id"] == "pain_monitoring"]
    assert step.rule == "a_plan_carries_the_pain_monitoring_model"
    planned = sorted(s.fact_id for s in one_sided_cramp.trace if s.kind == "Planned")
    assert step.premises == planned and len(planned) == len(one_sided_cramp.plan)


def test_no_plan_no_pain_monitoring() -> None:
    stopped = screen({"age": 30, "safety": {"saddle_numbness": True},
                      "movement": {"hip_shift": "right"}})
    assert stopped.plan == [] and stopped.precautions == []
    assert "a_plan_carries_the_pain_monitoring_model" not in stopped.rules_fired
    nothing = screen({"safety": {}, "age": 30})
    assert nothing.plan == [] and nothing.precautions == []


def test_glute_work_first_names_the_glute_drills_of_the_knowledge_base(
        one_sided_cramp: Result) -> None:
    [step] = [s for s in one_sided_cramp.trace if s.kind == "PrecautionApplies"
              and s.data["id"] == "hamstring_cramp_glute_first"]
    assert step.rule == "glute_underuse_puts_glute_work_first"
    glute_drills = catalogue().deficits["glute_underuse"].drills
    assert list(step.data["drills"]) == [d for d in glute_drills if d in one_sided_cramp.drill_ids()]
    premises = {s.fact_id: s for s in one_sided_cramp.trace if s.fact_id in step.premises}
    assert {(s.kind, s.data.get("id", s.data.get("drill"))) for s in premises.values()} == {
        ("Deficit", "glute_underuse"), ("Planned", step.data["drills"][0])}
    assert one_sided_cramp.plan[0].drill in glute_drills


def test_glute_work_first_is_not_said_when_the_glute_drill_was_taken_out() -> None:
    """Improved on purpose: with a low back pinch in the glute bridge too, the bridge leaves the
    plan, and the screen no longer says glute work (that bridge) comes first."""
    result = screen({"safety": {}, "age": 30, "movement": {"hip_shift": "right"},
                     "drill_response": {"hamstring_cramp": ["single_leg_hip_hinge"],
                                        "low_back_pinch": ["glute_bridge"]}})
    assert "glute_bridge" not in result.drill_ids() and result.plan
    ids = [p.id for p in result.precautions]
    assert "hamstring_cramp_glute_first" not in ids
    assert ids == ["pinch_with_no_easier_variant", "pain_monitoring"]
    assert unexplained(result) == []


def test_the_extra_set_note_is_the_catalogue_text_for_one_sided_single_leg_drills(
        one_sided_cramp: Result) -> None:
    cat = catalogue()
    for item in one_sided_cramp.plan:
        drill = cat.drills[item.drill]
        notes = [s for s in one_sided_cramp.trace
                 if s.kind == "PlanNote" and s.data["drill"] == item.drill]
        if drill.single_leg and item.side in ("left", "right"):
            [step] = notes
            assert step.rule == "one_sided_single_leg_drill_gets_an_extra_set_on_that_side"
            assert step.data["note"] == drill.one_side_note.replace("<side>", item.side)
            assert item.why[-1] == "Do both legs; start with the right and add one extra set on it."
        else:
            assert notes == []


def test_the_note_text_is_read_from_the_catalogue(monkeypatch) -> None:
    cat = catalogue()
    drills = {k: d.model_copy(update={"one_side_note": "Lead with the <side> leg."})
              if d.single_leg else d for k, d in cat.drills.items()}
    monkeypatch.setattr(prescribe, "catalogue", lambda: cat.model_copy(update={"drills": drills}))
    result = screen({"safety": {}, "age": 30, "movement": {"hip_shift": "left"}})
    stability = next(p for p in result.plan if p.drill == "single_leg_stability")
    assert stability.side == "left" and stability.why[-1] == "Lead with the left leg."
    assert unexplained(result) == []


def test_no_note_on_both_sides_or_on_a_two_legged_drill() -> None:
    result = screen({"safety": {}, "age": 30, "movement": {"hip_shift": "right", "knee_collapse": "left",
                                             "hinge_faults": ["back_rounds"]},
                     "drill_response": {"low_back_pinch": ["single_leg_hip_hinge", "kickstand_hinge"]}})
    assert "dowel_hip_hinge" in result.drill_ids()
    assert not [s for s in result.trace if s.kind == "PlanNote"
                and (s.data["side"] == "both" or not catalogue().drills[s.data["drill"]].single_leg)]
    assert unexplained(result) == []


def test_screening_declares_nothing_itself() -> None:
    """screening.py reads facts; the words of the notes and the precaution ids live in the
    knowledge base and the rules, not in it."""
    source = (Path(__file__).resolve().parents[1] / "src" / "hipscreen" / "screening.py").read_text()
    for written_in in ("extra set", "glute_bridge", "pain_monitoring",
                       "hamstring_cramp_glute_first", "glute_underuse", "single_leg"):
        assert written_in not in source, written_in
