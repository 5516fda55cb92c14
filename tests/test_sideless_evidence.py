"""Evidence without a side (a finding that has none, such as back pain after leg days or a hinge
fault) supports a deficit on the side other evidence shows, or is reported once without a side;
it never puts a deficit on a side nothing points to (issue 10)."""

from pathlib import Path

import pytest

from hipscreen import Intake, screen
from hipscreen.cases import load_case_text
from hipscreen.rules.deficits import has_a_side

CASES = Path(__file__).resolve().parents[1] / "cases"


def sides(result, deficit: str) -> set[str]:
    return {d.side for d in result.deficits if d.id == deficit}


def case_result(case_id: str):
    path = CASES / f"{case_id}.yaml"
    case = load_case_text(path.read_text(encoding="utf-8"), path.name)
    return screen(case.intake)


@pytest.mark.parametrize("case_id", ["lifter-right-side-only-leg-day", "runner-right-shift",
                                     "lifter-stuck-pinchy-right-hip",
                                     "clinician-ir-side-gap-10-degrees"])
def test_complaints_all_on_the_right_conclude_nothing_on_the_left(case_id):
    result = case_result(case_id)
    assert result.deficits
    assert {d.side for d in result.deficits if d.id != "protective_tension"} <= {"right"}
    assert all(item.side in ("right", "both") for item in result.plan)
    assert "internal_rotation_hinge" in result.drill_ids()
    assert {p.side for p in result.plan if p.drill == "internal_rotation_hinge"} == {"right"}


def test_sideless_evidence_adds_to_the_side_already_shown():
    result = case_result("lifter-right-side-only-leg-day")
    (ir,) = [d for d in result.deficits if d.id == "hip_ir_control_deficit"]
    assert ir.side == "right"
    assert "leg_day_back_pain_suggests_poor_ir_control" in ir.evidence
    without = screen(Intake.model_validate({
        **result.intake.model_dump(), "symptoms": {**result.intake.symptoms.model_dump(),
                                                   "worse_with": []}}))
    (alone,) = [d for d in without.deficits if d.id == "hip_ir_control_deficit"]
    assert alone.side == "right" and alone.certainty < ir.certainty


def test_sideless_evidence_alone_is_reported_once_without_a_side():
    result = case_result("lifter-leg-day-pain-no-side")
    assert [(d.id, d.side) for d in result.deficits] == [("hip_ir_control_deficit", "both")]


def test_a_sideless_hinge_shift_adds_to_the_hip_shift_side_only():
    result = case_result("mover-hinge-shift-with-left-hip-shift")
    assert sides(result, "hip_ir_control_deficit") == {"left"}
    assert sides(result, "hinge_pattern_deficit") == {"both"}


def test_a_finding_seen_on_both_sides_still_counts_on_each_side():
    result = screen({"safety": {}, "age": 30, "movement": {"knee_collapse": "both"},
                     "symptoms": {"worse_with": ["after_leg_day"]}})
    assert sides(result, "hip_stability_deficit") == {"both"}
    left_only = screen({"safety": {}, "age": 30, "movement": {"knee_collapse": "both", "hip_shift": "left"}})
    assert sides(left_only, "hip_stability_deficit") == {"left", "right"}


def test_which_evidence_rules_have_a_side():
    assert has_a_side("hip_shift_suggests_unstable_hip")
    assert has_a_side("rotation_pain_with_limited_ir_suggests_poor_rotational_control")
    assert not has_a_side("leg_day_back_pain_suggests_poor_ir_control")
    assert not has_a_side("hinge_weight_shift_suggests_poor_ir_control")
    assert not has_a_side("short_relief_and_recurrence_suggest_protective_tension")
