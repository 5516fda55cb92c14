"""Unit tests per reasoning stage: interpret thresholds, certainty factors, prescribe and
precautions, and the not-tested / none distinction."""

import pytest

from hipscreen.explain import why_not
from hipscreen.rules.deficits import combine_certainty
from hipscreen.screening import screen


def _findings(result):
    return {(s.data["id"], s.data["side"]) for s in result.trace if s.kind == "Finding"}


# -- interpret --------------------------------------------------------------------------------
@pytest.mark.parametrize(("left", "right", "limited"), [
    (29, 35, {"left"}), (30, 35, set()), (31, 35, set()),
    (30, 40, {"left"}),          # exactly 10 less than the other side
    (31, 40, set()),             # 9 less
    (20, 22, {"both"}), (45, 45, set()),
])
def test_measured_ir_limits(left, right, limited):
    result = screen({"safety": {}, "age": 40, "mode": "clinician",
                     "movement": {"hip_ir_degrees": {"left": left, "right": right}}})
    assert {side for fid, side in _findings(result) if fid == "limited_hip_ir"} == limited


def test_degrees_override_a_reported_limit():
    result = screen({"safety": {}, "age": 40, "mode": "clinician", "movement": {
        "hip_ir_limited": "right", "hip_ir_degrees": {"left": 40, "right": 38}}})
    assert not any(fid == "limited_hip_ir" for fid, _ in _findings(result))


def test_low_back_pain_on_both_sides_is_not_one_sided():
    result = screen({"safety": {}, "age": 40, "symptoms": {"locations": ["low_back_left", "low_back_right"]}})
    assert not any(fid == "one_sided_low_back_tightness" for fid, _ in _findings(result))


# -- deficits -----------------------------------------------------------------------------------
def test_certainty_factors_combine_and_commute():
    assert combine_certainty([0.5, 0.4]) == pytest.approx(0.7)
    assert combine_certainty([0.4, 0.5]) == pytest.approx(0.7)
    assert combine_certainty([]) == 0
    assert combine_certainty([0.3]) == pytest.approx(0.3)


def test_likely_and_possible_cut_offs():
    one_weak = screen({"safety": {}, "age": 40, "symptoms": {"locations": ["si_left"]}})  # 0.3
    [deficit] = [d for d in one_weak.deficits if d.id == "hip_stability_deficit"]
    assert deficit.confidence == "possible" and deficit.certainty == pytest.approx(0.3)
    two = screen({"safety": {}, "age": 40, "symptoms": {"locations": ["si_left"]},
                  "movement": {"hip_shift": "left"}})  # 0.5 + 0.3*0.5 = 0.65
    [deficit] = [d for d in two.deficits if d.id == "hip_stability_deficit"]
    assert deficit.confidence == "likely" and deficit.certainty == pytest.approx(0.65)


# -- not tested vs none ------------------------------------------------------------------------
def test_not_tested_is_reported_and_none_is_not():
    tested = screen({"safety": {}, "age": 40, "movement": {"hip_shift": "none"}})
    untested = screen({"safety": {}, "age": 40})
    assert "movement.hip_shift" not in {s.field for s in tested.skipped_tests}
    assert "movement.hip_shift" in {s.field for s in untested.skipped_tests}
    why = why_not(untested, "hip_stability_deficit")
    statuses = {c.status for r in why.rules for c in r.conditions}
    assert "not_tested" in statuses
    why_none = why_not(tested, "hip_stability_deficit")
    shift_rule = next(r for r in why_none.rules if r.rule == "hip_shift_suggests_unstable_hip")
    assert shift_rule.conditions[0].status == "missing"
    assert "movement.hip_shift = none" in shift_rule.conditions[0].text


# -- prescribe and precautions -----------------------------------------------------------------
IR_AND_STABILITY = {"safety": {}, "age": 55, "movement": {"hip_ir_limited": "left", "pelvic_drop": "left"},
                    "symptoms": {"worse_with": ["rotation"]}}


def test_without_precautions_the_article_drills_are_planned():
    drills = screen(IR_AND_STABILITY).drill_ids()
    assert {"internal_rotation_hinge", "hip_airplane", "single_leg_stability",
            "single_leg_hip_hinge"} <= set(drills)


def test_over_12_weeks_after_hip_surgery_no_ir_hinge_and_no_airplane():
    intake = {**IR_AND_STABILITY, "safety": {"hip_surgery": "over_12_weeks"}}
    result = screen(intake)
    drills = set(result.drill_ids())
    assert not drills & {"internal_rotation_hinge", "hip_airplane",
                         "supported_internal_rotation_hinge", "supported_hip_airplane"}
    assert {"single_leg_stability", "single_leg_hip_hinge"} <= drills
    assert "hip_surgery_no_rotation_load" in {p.id for p in result.precautions}
    assert "hip surgery" in why_not(result, "hip_airplane").summary


def test_under_12_weeks_after_hip_surgery_no_drills_at_all():
    result = screen({**IR_AND_STABILITY, "safety": {"hip_surgery": "under_12_weeks"}})
    assert result.triage.level == "clinician_review"
    assert result.plan == []
    assert "surgery team" in result.triage.action


@pytest.mark.parametrize("trigger", [{"safety": {"pregnant": True}},
                                     {"movement": {"single_leg_balance_poor": "right"}}])
def test_pregnancy_or_poor_balance_start_balance_drills_supported(trigger):
    intake = {"safety": {}, "age": 30, "movement": {"hip_shift": "right", **trigger.get("movement", {})},
              **({"safety": trigger["safety"]} if "safety" in trigger else {})}
    drills = screen(intake).drill_ids()
    assert "supported_single_leg_stability" in drills and "single_leg_stability" not in drills
    assert "kickstand_hinge" in drills and "single_leg_hip_hinge" not in drills
    assert "supported_hip_airplane" in drills and "hip_airplane" not in drills


def test_low_back_pinch_regresses_that_drill_only():
    result = screen({"safety": {}, "age": 30,
                     "movement": {"hinge_faults": ["back_rounds"], "hip_shift": "left"},
                     "drill_response": {"low_back_pinch": ["single_leg_hip_hinge"]}})
    drills = result.drill_ids()
    assert "kickstand_hinge" in drills and "single_leg_hip_hinge" not in drills
    assert "single_leg_stability" in drills


def test_pinch_in_the_kickstand_regresses_to_the_dowel_hinge():
    result = screen({"safety": {}, "age": 30, "movement": {"hinge_faults": ["back_rounds"],
                                             "single_leg_balance_poor": "left"},
                     "drill_response": {"low_back_pinch": ["kickstand_hinge"]}})
    assert "dowel_hip_hinge" in result.drill_ids()
    assert "kickstand_hinge" not in result.drill_ids()


def test_hamstring_cramp_puts_glute_work_first():
    result = screen({"safety": {}, "age": 30, "movement": {"hinge_faults": ["no_hamstring_load"]},
                     "drill_response": {"hamstring_cramp": ["single_leg_hip_hinge"]}})
    assert result.plan[0].drill == "glute_bridge"
    assert "hamstring_cramp_glute_first" in {p.id for p in result.precautions}


def test_plan_items_are_dosed_and_explained():
    result = screen({"safety": {}, "age": 30, "movement": {"hip_shift": "right"}})
    for item in result.plan:
        assert item.dose.sets >= 1 and (item.dose.reps or item.dose.hold_seconds)
        assert item.steps and item.cues and item.feel and item.dont_feel and item.why
    hinge = next(p for p in result.plan if p.drill == "single_leg_hip_hinge")
    assert "Low back pinch" in hinge.dont_feel
    assert hinge.side == "right"


def test_pinch_in_a_drill_with_no_easier_variant_takes_it_out():
    result = screen({"safety": {}, "age": 30, "movement": {"hinge_faults": ["back_rounds"]},
                     "drill_response": {"low_back_pinch": ["single_leg_hip_hinge", "kickstand_hinge",
                                                           "dowel_hip_hinge"]}})
    assert result.plan == []
    assert "pinch_with_no_easier_variant" in {p.id for p in result.precautions}
    assert "clinician" in why_not(result, "dowel_hip_hinge").summary
