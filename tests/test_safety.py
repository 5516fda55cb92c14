"""Safety: every red-flag row of DESIGN.md gives its triage level, and no emergency or urgent
intake (nor surgery under 12 weeks) ever gets a drill."""

import pytest
from hypothesis import HealthCheck, given, settings

from hipscreen.knowledge.intake import Intake
from hipscreen.screening import screen
from tests.strategies import SAFETY_FLAGS, intakes

# An intake that, with no red flag, would get a full plan: proof that a red flag removes drills.
PLAN_INTAKE = {
    "age": 40,
    "symptoms": {"locations": ["low_back_left"], "keeps_coming_back": True},
    "movement": {"hip_shift": "left", "single_leg_balance_poor": "left",
                 "hinge_faults": ["back_rounds"], "hip_ir_limited": "left"},
}

# DESIGN.md's Safety table, one row per line: the answers and the level they must give.
RED_FLAG_ROWS = [
    ({"safety": {"bladder_or_bowel_change": True}}, "emergency", "cauda_equina"),
    ({"safety": {"saddle_numbness": True}}, "emergency", "cauda_equina"),
    ({"safety": {"both_legs_numb_or_weak": True}}, "emergency", "cauda_equina"),
    ({"safety": {"cannot_bear_weight": True, "significant_trauma": True}}, "emergency",
     "hip_fracture"),
    ({"safety": {"hot_swollen_hip": True, "fever_or_unwell": True}}, "emergency",
     "joint_infection"),
    ({"safety": {"worsening_leg_weakness": True}}, "urgent", "worsening_leg_weakness"),
    ({"safety": {"fever_or_unwell": True}}, "urgent", "fever_with_back_pain"),
    ({"safety": {"significant_trauma": True}}, "urgent", "trauma_or_weight_bearing_or_hot_hip"),
    ({"safety": {"cannot_bear_weight": True}}, "urgent", "trauma_or_weight_bearing_or_hot_hip"),
    ({"safety": {"hot_swollen_hip": True}}, "urgent", "trauma_or_weight_bearing_or_hot_hip"),
    ({"safety": {"cancer_history": True, "unexplained_weight_loss": True}}, "urgent",
     "cancer_with_warning_signs"),
    ({"safety": {"cancer_history": True, "constant_night_pain": True}}, "urgent",
     "cancer_with_warning_signs"),
    ({"age": 15, "symptoms": {"locations": ["groin_left"]}}, "urgent", "child_hip_or_groin_pain"),
    ({"age": 12, "symptoms": {"locations": ["front_hip_right"]}}, "urgent",
     "child_hip_or_groin_pain"),
    ({"safety": {"cancer_history": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"unexplained_weight_loss": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"constant_night_pain": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"osteoporosis_or_steroids": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"morning_stiffness_over_30_min": True}}, "clinician_review",
     "inflammatory_back_pain"),
    ({"symptoms": {"pins_and_needles_below_knee": True}}, "clinician_review",
     "nerve_or_severe_pain"),
    ({"symptoms": {"pain_worst_week": 8}}, "clinician_review", "nerve_or_severe_pain"),
    ({"safety": {"hip_surgery": "under_12_weeks"}}, "clinician_review", "recent_hip_surgery"),
    ({"safety": {"immunosuppressed": True}}, "clinician_review", "infection_risk"),
]


def _with(extra: dict) -> dict:
    intake = {k: dict(v) if isinstance(v, dict) else v for k, v in PLAN_INTAKE.items()}
    for key, value in extra.items():
        if isinstance(value, dict):
            intake[key] = {**intake.get(key, {}), **value}
        else:
            intake[key] = value
    return intake


def test_the_plan_intake_gets_drills_without_red_flags():
    result = screen(PLAN_INTAKE)
    assert result.triage.level == "self_care"
    assert len(result.plan) >= 3


@pytest.mark.parametrize(("answers", "level", "flag"), RED_FLAG_ROWS,
                         ids=[f"{row[2]}-{i}" for i, row in enumerate(RED_FLAG_ROWS)])
def test_each_red_flag_row_gives_its_triage_level(answers, level, flag):
    result = screen(_with(answers))
    assert result.triage.level == level
    assert flag in [f.id for f in result.triage.red_flags]
    assert result.triage.action
    if level in ("emergency", "urgent") or flag == "recent_hip_surgery":
        assert result.plan == []
        assert not result.triage.drills_allowed
    else:
        assert result.plan, "clinician_review keeps the plan, marked to start once a clinician agrees"
        assert result.triage.plan_note == "Start the plan once a clinician agrees."


@pytest.mark.parametrize("flag", SAFETY_FLAGS)
def test_every_single_safety_answer_alone(flag):
    """Each yes/no safety answer on its own: the level follows the table; pregnancy alone is a
    precaution, not a red flag."""
    result = screen(_with({"safety": {flag: True}}))
    expected = {row[1] for row in RED_FLAG_ROWS if row[0] == {"safety": {flag: True}}}
    if flag == "pregnant":
        assert result.triage.level == "self_care"
    else:
        assert result.triage.level == (min(expected, key=["emergency", "urgent",
                                                          "clinician_review"].index))
    if result.triage.level in ("emergency", "urgent"):
        assert result.plan == []


def test_most_urgent_flag_wins_and_all_flags_are_listed():
    result = screen(_with({"safety": {"saddle_numbness": True, "cancer_history": True,
                                      "fever_or_unwell": True}}))
    assert result.triage.level == "emergency"
    assert {"cauda_equina", "fever_with_back_pain", "serious_pathology_risk"} <= {
        f.id for f in result.triage.red_flags}
    assert result.triage.red_flags[0].level == "emergency"
    assert "emergency department" in result.triage.action.lower()


@pytest.mark.parametrize(("age", "level"), [(15, "urgent"), (16, "self_care")])
def test_age_boundary_for_groin_pain(age, level):
    assert screen({"age": age, "symptoms": {"locations": ["groin_right"]}}).triage.level == level


@pytest.mark.parametrize(("pain", "level"), [(7, "self_care"), (8, "clinician_review"),
                                             (9, "clinician_review")])
def test_worst_pain_boundary(pain, level):
    assert screen({"age": 40, "symptoms": {"pain_worst_week": pain}}).triage.level == level


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes)
def test_no_drill_ever_at_emergency_or_urgent_or_recent_surgery(data):
    intake = Intake.model_validate(data)
    result = screen(intake)
    if result.triage.level in ("emergency", "urgent") or intake.safety.hip_surgery == "under_12_weeks":
        assert result.plan == []
    stopping = {"bladder_or_bowel_change", "saddle_numbness", "both_legs_numb_or_weak",
                "worsening_leg_weakness", "fever_or_unwell", "significant_trauma",
                "cannot_bear_weight", "hot_swollen_hip"}
    if any(getattr(intake.safety, name) for name in stopping):
        assert result.triage.level in ("emergency", "urgent")
        assert result.plan == []


@settings(max_examples=150, deadline=None)
@given(intakes)
def test_result_is_internally_consistent(data):
    """Any valid intake screens without error; every planned drill serves a concluded deficit."""
    result = screen(data)
    concluded = {d.id for d in result.deficits}
    for item in result.plan:
        assert set(item.serves) <= concluded and item.serves
    assert result.disclaimer
