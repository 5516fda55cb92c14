"""The CLIPS anchor's generator (tests/clips_helpers.py, issue 13): the generated port agrees
with screen(), covers every screening rule, and refuses what it cannot translate."""

from __future__ import annotations

from pathlib import Path

import pytest
from experta import MATCH, P, Rule

from hipscreen.cases.files import discover, load_case
from hipscreen.knowledge.intake import Intake
from hipscreen.review import Baseline, checkin_facts, review
from hipscreen.rules.facts import Deficit, Planned
from hipscreen.rules.registry import rules
from hipscreen.screening import answers, fields_the_rules_read, screen
from tests.clips_helpers import (
    ALL_STAGES,
    FRAGMENTS,
    SCREENING_STAGES,
    ClipsScreen,
    UntranslatableRule,
    generate,
    outcome_of,
    outcome_of_review,
)
from tests.synth_helpers import generate as synthetic
from tests.synth_helpers import synthetic_checkins

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def port() -> ClipsScreen:
    pytest.importorskip("clips")
    return ClipsScreen()


@pytest.fixture(scope="module")
def review_port() -> ClipsScreen:
    pytest.importorskip("clips")
    return ClipsScreen(generate(ALL_STAGES))


def _agree(port: ClipsScreen, intake: Intake) -> list[str]:
    read = fields_the_rules_read()
    clips = port.screen(f for f in answers(intake) if f["field"] in read)
    return outcome_of(screen(intake)).differences(clips)


def test_the_source_has_every_screening_rule_and_only_those() -> None:
    screening = [r.id for r in rules().values() if r.stage in SCREENING_STAGES]
    source = generate()
    text = source.text()
    assert sorted(source.rule_ids) == sorted(screening)
    for rule_id in screening:
        assert f"(defrule {rule_id} " in text
    assert text.count("(defrule ") == len(screening)


def test_with_the_review_stage_the_source_has_every_rule() -> None:
    source = generate(ALL_STAGES)
    assert sorted(source.rule_ids) == sorted(rules())


def test_salience_and_catalogue_data_come_from_the_rules_and_the_catalogue() -> None:
    text = generate().text()
    info = rules()["hip_shift_suggests_unstable_hip"]
    rule = text[text.index("(defrule hip_shift_suggests_unstable_hip "):]
    rule = rule[:rule.index("\n\n")] if "\n\n" in rule else rule
    assert f"(declare (salience {info.salience}))" in rule
    assert f"(weight {info.weight})" in rule


def test_every_fragment_belongs_to_a_rule() -> None:
    assert set(FRAGMENTS) <= set(rules())


@pytest.mark.parametrize("path", discover([ROOT / "cases"])[0], ids=lambda p: p.stem)
def test_agrees_with_screen_on_every_case_file(port: ClipsScreen, path: Path) -> None:
    assert _agree(port, load_case(path).intake) == []


def test_agrees_with_screen_on_synthetic_intakes(port: ClipsScreen) -> None:
    wrong = {}
    for i, data in enumerate(synthetic(300, seed=11)):
        differences = _agree(port, Intake.model_validate(data))
        if differences:
            wrong[i] = differences
    assert wrong == {}


def test_the_review_stage_agrees_with_review_on_every_check_in_case(review_port: ClipsScreen) -> None:
    wrong = {}
    for path in discover([ROOT / "cases"])[0]:
        case = load_case(path)
        if case.checkin is None:
            continue
        baseline = Baseline.of_result(screen(case.intake), psfs=case.psfs)
        for i, checkin in enumerate([*case.earlier_checkins, case.checkin]):
            done = review(checkin, baseline)
            differences = outcome_of_review(done).differences(
                review_port.review(checkin_facts(checkin, baseline)))
            if differences:
                wrong[f"{path.stem} #{i}"] = differences
            baseline = Baseline.of_review(done)
    assert wrong == {}


def test_the_review_stage_agrees_with_review_on_synthetic_check_ins(review_port: ClipsScreen) -> None:
    wrong = {}
    for i, (checkin, baseline) in enumerate(synthetic_checkins(150, seed=12)):
        differences = outcome_of_review(review(checkin, baseline)).differences(
            review_port.review(checkin_facts(checkin, baseline)))
        if differences:
            wrong[i] = differences
    assert wrong == {}


def test_an_aggregate_body_without_its_fragment_is_refused_by_name() -> None:
    fragments = {k: v for k, v in FRAGMENTS.items() if k != "evidence_combines_into_deficits"}
    with pytest.raises(UntranslatableRule, match="evidence_combines_into_deficits"):
        generate(fragments=fragments)


class _LoopRules:
    @Rule(Deficit(id=MATCH.deficit), salience=10)
    def a_new_rule_with_a_loop(self, deficit):
        """Plans a drill per deficit, in a loop the generator cannot read."""
        for fact in self.facts_of(Deficit):
            self.declare(Planned(drill=fact["id"], side="both"))


class _OpaqueRules:
    @Rule(Planned(drill=MATCH.drill & P(lambda d: d.endswith("_hinge"))), salience=10)
    def a_new_rule_with_an_unnamed_test(self, drill):
        """Blocks hinges, through a test the generator cannot see into."""
        self.block(drill, "pinch_with_no_easier_variant")


def test_a_body_it_cannot_translate_is_refused_by_name() -> None:
    with pytest.raises(UntranslatableRule, match="a_new_rule_with_a_loop"):
        generate(classes={_LoopRules: "prescribe"})


def test_a_fragment_stands_in_for_a_body_it_cannot_translate() -> None:
    fragment = {"a_new_rule_with_a_loop":
                lambda port: port.assert_fact("Planned", drill="?deficit", side="both")}
    text = generate(classes={_LoopRules: "prescribe"}, fragments=fragment).text()
    assert "(defrule a_new_rule_with_a_loop " in text
    assert "(assert (Planned (drill ?deficit) (side both)))" in text


def test_an_unnamed_predicate_is_refused_by_name() -> None:
    with pytest.raises(UntranslatableRule, match="a_new_rule_with_an_unnamed_test.*predicate"):
        generate(classes={_OpaqueRules: "prescribe"})
