"""The knowledge as data a maintainer can tune: thresholds and evidence weights live in YAML, and
an edit to a copy of knowledge/data shows in the rules, why-not, the reference and the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hipscreen import Intake, screen
from hipscreen.cli import command_help
from hipscreen.explain import why_not
from hipscreen.knowledge.catalogue import PLACEHOLDER, catalogue, catalogue_from
from hipscreen.reference import reference_markdown
from hipscreen.rules.registry import rules

from .knowledge_copies import tuned_copy

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app" / "main.py"


@pytest.fixture
def tuned(tmp_path: Path) -> Path:
    """Measured IR counts as limited below 25 degrees (not 30), severe pain from 7/10 (not 8)."""
    tuned_copy(tmp_path, "thresholds", "hip_ir_limited_below_degrees", value=25)
    return tuned_copy(tmp_path, "thresholds", "severe_pain_worst_week", value=7)


def test_a_threshold_edit_changes_the_answer_and_the_why_not_words(tuned):
    intake = Intake.model_validate({"safety": {}, "age": 40,
                                    "symptoms": {"pain_now": 2, "pain_worst_week": 7},
                                    "movement": {"hip_ir_degrees": {"left": 27, "right": 28}}})
    shipped = screen(intake)
    assert shipped.triage.level == "self_care"
    assert "limited_hip_ir" in {s.data.get("id") for s in shipped.trace if s.kind == "Finding"}
    assert "at least 8/10" in why_not(shipped, "nerve_or_severe_pain").summary
    with catalogue_from(tuned):
        result = screen(intake)
        assert result.triage.level == "clinician_review"
        assert "limited_hip_ir" not in {s.data.get("id") for s in result.trace
                                        if s.kind == "Finding"}
        why = why_not(result, "limited_hip_ir")
        assert any("below 25 degrees" in r.rule_text for r in why.rules)
        milder = Intake.model_validate({"safety": {}, "age": 40, "symptoms": {"pain_worst_week": 6}})
        assert "at least 7/10" in why_not(screen(milder), "nerve_or_severe_pain").summary
    assert screen(intake).triage.level == "self_care"  # the shipped catalogue is back


def test_a_threshold_edit_changes_the_reference(tuned):
    shipped = reference_markdown(command_help())
    assert "below 30 degrees" in shipped and "below 25 degrees" not in shipped
    with catalogue_from(tuned):
        tuned_text = reference_markdown(command_help())
    assert "below 25 degrees" in tuned_text and "below 30 degrees" not in tuned_text
    assert "at least 7/10" in tuned_text and "at least 8/10" not in tuned_text


def test_a_threshold_edit_changes_the_app_label(tuned):
    def caption() -> str:
        at = AppTest.from_file(str(APP), default_timeout=30)
        at.run()
        at.switch_page("pages/clinician_intake.py").run()
        return next(c.value for c in at.caption if "decide limited IR" in c.value)

    assert "below 30 degrees" in caption()
    with catalogue_from(tuned):
        assert "below 25 degrees" in caption()


def test_an_evidence_weight_lives_in_evidence_yaml(tmp_path):
    rule = "knee_collapse_suggests_unstable_hip"
    assert rules()[rule].weight == catalogue().evidence[rule].weight == 0.4
    data = tuned_copy(tmp_path, "evidence", rule, weight=0.2)
    intake = Intake.model_validate({"safety": {}, "age": 30, "movement": {"knee_collapse": "right"}})
    assert [d.id for d in screen(intake).deficits] == ["hip_stability_deficit"]
    with catalogue_from(data):
        assert rules()[rule].weight == 0.2
        assert screen(intake).deficits == []  # 0.2 is below 'possible'


def test_every_evidence_rule_has_its_weight_in_the_knowledge_base():
    evidence = catalogue().evidence
    weighed = {rid for rid, r in rules().items() if r.weight is not None}
    assert weighed == set(evidence)
    assert all(rules()[rid].concludes == (entry.deficit,) for rid, entry in evidence.items())
    assert all(rules()[rid].source == entry.source for rid, entry in evidence.items())


def test_no_threshold_number_is_copied_into_rules_code_or_labels():
    """Each threshold's number appears in the YAML only: not in a rule id, a rule's docstring,
    the app's or the rules' Python, nor a catalogue text that is shown to people."""
    numbers = {f"{t.value:g}" for t in catalogue().thresholds.values()}
    ir_floor = f"{catalogue().thresholds['hip_ir_limited_below_degrees'].value:g}"
    assert not [r for r in rules() if re.search(rf"(^|_){ir_floor}(_|$)", r)]
    for rule in rules().values():
        raw = rule.text  # after filling: the docstring itself must have used placeholders
        assert not PLACEHOLDER.search(raw), rule.id
    patterns = []
    for t in catalogue().thresholds.values():
        value = f"{t.value:g}"
        if t.unit == "years":  # an age limit is often written without its unit
            patterns.append(rf"(under|below) {re.escape(value)}\b")
        if t.unit:
            patterns.append(rf"\b{re.escape(value)} ?{re.escape(t.unit)}")
        if t.value < 1:
            patterns.append(rf"\b{t.value * 100:.0f}%")
    sources = [*(ROOT / "rules").glob("*.py"), *(ROOT / "app").rglob("*.py"),
               *(ROOT / "knowledge" / "data").glob("*.yaml")]
    for path in sources:
        if path.name in ("thresholds.yaml", "sources.yaml"):  # a source quotes its own passage
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            words = re.sub(r"#.*", "", line)
            if re.search(r"surger", words, re.I):
                # "hip surgery under 12 weeks ago" names the intake's answer (under_12_weeks),
                # not the not-settling threshold that happens to be 12 weeks too
                words = re.sub(r"12 ?weeks", "", words)
            for pattern in patterns:
                assert not re.search(pattern, words), (path.name, line, pattern)
    assert numbers and patterns  # the check looked at real thresholds
