"""Safety: every row of the reviewed red-flag table gives its triage level, no emergency or urgent
intake (nor surgery under 12 weeks, nor unasked safety questions) ever gets a drill, and a
question never asked is never read as "no". Checked by enumeration and by random intakes."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings

from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Intake, Safety
from hipscreen.screening import screen
from tests.strategies import SAFETY_FLAGS, intakes

LEVELS = ["emergency", "urgent", "clinician_review", "self_care"]
ROTATION_DRILLS = {"internal_rotation_hinge", "supported_internal_rotation_hinge", "hip_airplane",
                   "supported_hip_airplane"}

# An intake that, with no red flag, would get a full plan: proof that a red flag removes drills.
# The safety block is present (asked) and the pain keeps coming back (not one long episode).
PLAN_INTAKE = {
    "age": 40,
    "safety": {},
    "symptoms": {"locations": ["low_back_left"], "keeps_coming_back": True, "weeks": 3},
    "movement": {"hip_shift": "left", "single_leg_balance_poor": "left",
                 "hinge_faults": ["back_rounds"], "hip_ir_limited": "left"},
}

NG65_THREE = {"wakes_second_half_of_night": True, "better_with_movement": True,
              "psoriasis_history": True}

# The red-flag table, one presentation per line: the answers and the level they must give.
RED_FLAG_ROWS = [
    ({"safety": {"bladder_or_bowel_change": True}}, "emergency", "cauda_equina"),
    ({"safety": {"saddle_numbness": True}}, "emergency", "cauda_equina"),
    ({"safety": {"both_legs_numb_or_weak": True}}, "emergency", "cauda_equina"),
    ({"safety": {"both_legs_pain_or_tingling": True}}, "emergency", "cauda_equina"),
    ({"safety": {"sexual_function_change": True}}, "emergency", "cauda_equina"),
    ({"symptoms": {"locations": ["below_knee_left", "below_knee_right"], "weeks": 0}},
     "emergency", "cauda_equina"),
    ({"symptoms": {"locations": ["below_knee_left", "below_knee_right"], "weeks": 2}},
     "emergency", "cauda_equina"),
    ({"symptoms": {"locations": ["below_knee_left", "below_knee_right"], "weeks": 30}},
     "emergency", "cauda_equina"),  # how long the legs have hurt was not asked: new
    ({"symptoms": {"locations": ["below_knee_left", "below_knee_right"], "weeks": 30,
                   "leg_symptoms_weeks": 2}}, "emergency", "cauda_equina"),
    ({"symptoms": {"locations": ["below_knee_left", "below_knee_right"],
                   "leg_symptoms_weeks": 3}}, "urgent", "both_legs_longstanding"),
    ({"safety": {"both_legs_numb_or_weak": True}, "symptoms": {"leg_symptoms_weeks": 8}},
     "urgent", "both_legs_longstanding"),
    ({"safety": {"cannot_bear_weight": True, "significant_trauma": True}}, "emergency",
     "hip_fracture"),
    ({"safety": {"cannot_bear_weight": True, "recent_fall_or_injury": True}}, "emergency",
     "hip_fracture"),
    ({"age": 65, "safety": {"cannot_bear_weight": True}}, "emergency", "hip_fracture"),
    ({"age": 84, "safety": {"cannot_bear_weight": True}}, "emergency", "hip_fracture"),
    ({"safety": {"cannot_bear_weight": True, "osteoporosis_or_steroids": True}}, "emergency",
     "hip_fracture"),
    ({"safety": {"hot_swollen_hip": True}}, "emergency", "joint_infection"),
    ({"safety": {"hot_swollen_hip": True, "fever_or_unwell": True}}, "emergency",
     "joint_infection"),
    ({"safety": {"hip_surgery": "over_12_weeks", "fever_or_unwell": True}}, "emergency",
     "joint_infection"),
    ({"age": 9, "safety": {"new_limp": True, "fever_or_unwell": True}}, "emergency",
     "joint_infection"),
    ({"age": 71, "safety": {"sudden_severe_pain": True, "faint_clammy_or_collapsed": True}},
     "emergency", "aortic_aneurysm"),
    ({"age": 45, "safety": {"sudden_severe_pain": True, "faint_clammy_or_collapsed": True}},
     "emergency", "aortic_aneurysm"),
    ({"age": 50, "safety": {"sudden_severe_pain": True}}, "urgent", "sudden_severe_pain_older"),
    ({"safety": {"worsening_leg_weakness": True}}, "urgent", "worsening_leg_weakness"),
    ({"safety": {"fever_or_unwell": True}}, "urgent", "fever_with_back_pain"),
    ({"safety": {"significant_trauma": True}}, "urgent", "trauma_or_weight_bearing_or_hot_hip"),
    ({"safety": {"cannot_bear_weight": True}}, "urgent", "trauma_or_weight_bearing_or_hot_hip"),
    ({"age": 70, "safety": {"recent_fall_or_injury": True}}, "urgent", "fall_with_fragile_bones"),
    ({"safety": {"recent_fall_or_injury": True, "osteoporosis_or_steroids": True}}, "urgent",
     "fall_with_fragile_bones"),
    ({"safety": {"cancer_history": True, "unexplained_weight_loss": True}}, "urgent",
     "cancer_with_warning_signs"),
    ({"safety": {"cancer_history": True, "constant_night_pain": True}}, "urgent",
     "cancer_with_warning_signs"),
    ({"age": 15, "symptoms": {"locations": ["groin_left"]}}, "urgent", "child_hip_or_groin_pain"),
    ({"age": 16, "symptoms": {"locations": ["groin_left"]}}, "urgent", "child_hip_or_groin_pain"),
    ({"age": 12, "symptoms": {"locations": ["front_hip_right"]}}, "urgent",
     "child_hip_or_groin_pain"),
    ({"age": 12, "symptoms": {"locations": ["thigh_front_left"]}}, "urgent",
     "child_hip_or_groin_pain"),
    ({"age": 8, "symptoms": {"locations": ["knee_right"]}}, "urgent", "child_hip_or_groin_pain"),
    ({"age": 13, "safety": {"new_limp": True}}, "urgent", "child_hip_or_groin_pain"),
    ({"age": 16, "movement": {"hip_ir_limited": "right"}}, "urgent", "child_hip_or_groin_pain"),
    ({"age": 12, "mode": "clinician",
      "movement": {"hip_ir_limited": None, "hip_ir_degrees": {"left": 10, "right": 35}}},
     "urgent", "child_hip_or_groin_pain"),
    ({"safety": {"cancer_history": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"unexplained_weight_loss": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"constant_night_pain": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"osteoporosis_or_steroids": True}}, "clinician_review", "serious_pathology_risk"),
    ({"safety": {"immunosuppressed": True}}, "clinician_review", "infection_risk"),
    ({"safety": {"recent_infection": True}}, "clinician_review", "infection_risk"),
    ({"safety": NG65_THREE}, "clinician_review", "inflammatory_back_pain"),
    ({"age": 50, "safety": {"better_with_movement": True, "family_spondyloarthritis": True,
                            "arthritis_history": True},
      "symptoms": {"first_episode_age": 30, "locations": ["deep_glute_left"]}},
     "clinician_review", "inflammatory_back_pain"),
    ({"age": 30, "symptoms": {"locations": ["groin_right"]},
      "movement": {"hip_ir_limited": "right", "front_hip_pinch": "right"}},
     "clinician_review", "hip_joint_pattern"),
    ({"age": 63, "symptoms": {"locations": ["groin_left", "low_back_left"]},
      "movement": {"hip_ir_limited": "left"}}, "clinician_review", "hip_joint_pattern"),
    ({"age": 24, "symptoms": {"locations": ["front_hip_left"]},
      "movement": {"front_hip_pinch": "left"}}, "clinician_review", "hip_joint_pattern"),
    ({"symptoms": {"keeps_coming_back": False, "weeks": 12}}, "clinician_review", "not_settling"),
    ({"age": 55, "symptoms": {"first_episode_age": 50}}, "clinician_review",
     "first_episode_older"),
    ({"age": 15, "movement": {"hip_ir_limited": "none"}}, "clinician_review", "young_back_pain"),
    ({"symptoms": {"pins_and_needles_below_knee": True}}, "clinician_review",
     "nerve_or_severe_pain"),
    ({"symptoms": {"pain_worst_week": 8}}, "clinician_review", "nerve_or_severe_pain"),
    ({"safety": {"hip_surgery": "under_12_weeks"}}, "clinician_review", "recent_hip_surgery"),
    ({"safety": {"saddle_numbness": None}}, "clinician_review", "safety_not_asked"),
]

# Look-alikes that must stay self-care: over-triage has a cost too.
SELF_CARE_ROWS = [
    ({"age": 17}, "17 is past the child rows (but no rotation loading, see below)"),
    ({"age": 16, "movement": {"hip_ir_limited": "none"}}, "16 with back pain only, hips turn in"),
    ({"age": 64, "safety": {"cannot_bear_weight": False, "recent_fall_or_injury": True}},
     "a trip at 64, walking fine"),
    ({"age": 49, "safety": {"sudden_severe_pain": True}}, "sudden pain under 50, no collapse"),
    ({"age": 49, "symptoms": {"first_episode_age": 49}}, "first episode at 49"),
    ({"age": 60, "symptoms": {"first_episode_age": 30}}, "recurring since 30, now 60"),
    ({"safety": {"morning_stiffness_over_30_min": True}}, "morning stiffness alone (not NG65)"),
    ({"safety": {"wakes_second_half_of_night": True, "better_with_movement": True}},
     "two NG65 criteria only"),
    ({"age": 50, "safety": NG65_THREE}, "NG65 criteria but back pain began at 50 (not before 45)"),
    ({"symptoms": {"keeps_coming_back": True, "weeks": 20}}, "come-and-go for 20 weeks"),
    ({"symptoms": {"keeps_coming_back": False, "weeks": 11}}, "one episode of 11 weeks"),
    ({"age": 35, "symptoms": {"locations": ["low_back_right", "front_hip_right"]},
      "movement": {"front_hip_pinch": "right", "hip_ir_limited": "right"}},
     "low back pain with a front-of-hip pinch: the article's own pattern"),
    ({"symptoms": {"locations": ["below_knee_left"], "weeks": 1}}, "pain below one knee only"),
    ({"age": 50, "symptoms": {"locations": ["low_back_left", "front_hip_left"]},
      "movement": {"front_hip_pinch": "left"}},
     "front-of-hip pinch with low back pain at 50: not groin pain"),
    ({"symptoms": {"pain_worst_week": 7}}, "worst pain 7"),
    ({"safety": {"pregnant": True}}, "pregnancy is a precaution, not a red flag"),
    ({"safety": {"hip_surgery": "over_12_weeks"}}, "hip surgery long ago, no fever"),
]


def _with(extra: dict) -> dict:
    intake = {k: dict(v) if isinstance(v, dict) else v for k, v in PLAN_INTAKE.items()}
    for key, value in extra.items():
        if isinstance(value, dict):
            intake[key] = {**intake.get(key, {}), **value}
        else:
            intake[key] = value
    return intake


def _ids(flags) -> set[str]:
    return {f.id for f in flags}


def test_the_plan_intake_gets_drills_without_red_flags():
    result = screen(PLAN_INTAKE)
    assert result.triage.level == "self_care"
    assert len(result.plan) >= 3


def test_every_row_of_the_red_flag_table_has_a_presentation_here():
    """A new row in red_flags.yaml must come with its presentation in RED_FLAG_ROWS."""
    assert set(catalogue().red_flags) == {row[2] for row in RED_FLAG_ROWS}


@pytest.mark.parametrize(("answers", "level", "flag"), RED_FLAG_ROWS,
                         ids=[f"{row[2]}-{i}" for i, row in enumerate(RED_FLAG_ROWS)])
def test_each_red_flag_row_gives_its_triage_level(answers, level, flag):
    result = screen(_with(answers))
    assert result.triage.level == level
    assert flag in _ids(result.triage.red_flags)
    assert result.triage.action
    if catalogue().red_flags[flag].stops_drills:
        assert result.plan == []
        assert not result.triage.drills_allowed
    else:
        assert result.plan, "clinician_review keeps the plan, marked to start once a clinician agrees"
        assert result.triage.plan_note


@pytest.mark.parametrize(("answers", "why"), SELF_CARE_ROWS, ids=[r[1] for r in SELF_CARE_ROWS])
def test_self_care_look_alikes_stay_self_care(answers, why):
    result = screen(_with(answers))
    assert result.triage.level == "self_care", (why, _ids(result.triage.red_flags))
    assert result.plan


@pytest.mark.parametrize("flag", SAFETY_FLAGS)
def test_every_single_safety_answer_alone(flag):
    """Each yes/no safety answer on its own gives the most urgent level its rows give; a
    question that needs a second answer (a faint feeling, an NG65 feature) gives none alone."""
    result = screen(_with({"safety": {flag: True}}))
    expected = [row[1] for row in RED_FLAG_ROWS if row[0] == {"safety": {flag: True}}]
    if expected:
        assert result.triage.level == min(expected, key=LEVELS.index)
    if result.triage.level in ("emergency", "urgent"):
        assert result.plan == []


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(SAFETY_FLAGS, 2)))
def test_two_yes_answers_never_lower_the_triage_and_never_leave_drills(first, second):
    """Every pair of yes answers (406 pairs): the level is at least as urgent as each answer
    alone, and an emergency or urgent level never comes with a drill."""
    both = screen(_with({"safety": {first: True, second: True}}))
    for alone in (first, second):
        level = screen(_with({"safety": {alone: True}})).triage.level
        assert LEVELS.index(both.triage.level) <= LEVELS.index(level)
    if both.triage.level in ("emergency", "urgent"):
        assert both.plan == [] and not both.triage.drills_allowed


@pytest.mark.parametrize("flag", SAFETY_FLAGS)
def test_a_question_not_asked_is_not_a_no(flag):
    """One question never asked (None) is never self-care and never gives drills; the result
    names it as not asked."""
    result = screen(_with({"safety": {flag: None}}))
    assert result.triage.level != "self_care"
    assert "safety_not_asked" in _ids(result.triage.red_flags)
    assert result.plan == []
    assert flag in result.intake.safety_not_asked


def test_an_intake_without_a_safety_block_is_not_self_care():
    intake = {k: v for k, v in PLAN_INTAKE.items() if k != "safety"}
    result = screen(intake)
    assert result.triage.level == "clinician_review"
    assert result.plan == []
    assert set(result.intake.safety_not_asked) == set(Safety.model_fields)


def test_an_empty_safety_block_means_asked_and_nothing_ticked():
    assert Intake.model_validate({"age": 40, "safety": {}}).safety_not_asked == ()


def test_an_emergency_still_wins_when_other_questions_were_not_asked():
    result = screen({"age": 40, "safety": {**dict.fromkeys(Safety.model_fields),
                                           "saddle_numbness": True}})
    assert result.triage.level == "emergency"


def test_most_urgent_flag_wins_and_all_flags_are_listed():
    result = screen(_with({"safety": {"saddle_numbness": True, "cancer_history": True,
                                      "fever_or_unwell": True}}))
    assert result.triage.level == "emergency"
    assert {"cauda_equina", "fever_with_back_pain", "serious_pathology_risk"} <= _ids(
        result.triage.red_flags)
    assert result.triage.red_flags[0].level == "emergency"
    assert "emergency department" in result.triage.action.lower()


@pytest.mark.parametrize(("age", "level"), [(8, "urgent"), (15, "urgent"), (16, "urgent"),
                                            (17, "clinician_review"), (45, "clinician_review"),
                                            (44, "clinician_review")])
def test_age_edges_for_groin_pain_with_a_stiff_hip(age, level):
    """8-16: a slipped growth plate first (urgent); from 17 the adult hip-joint row."""
    result = screen(_with({"age": age, "symptoms": {"locations": ["groin_right"]},
                           "movement": {"hip_ir_limited": "right"}}))
    assert result.triage.level == level


@pytest.mark.parametrize(("age", "level"), [(15, "clinician_review"), (16, "self_care")])
def test_age_edge_for_back_pain_in_a_child(age, level):
    """(A hip that will not turn in would make any age up to 16 urgent; here it turns in.)"""
    assert screen(_with({"age": age, "movement": {"hip_ir_limited": "none"}})).triage.level == level


@pytest.mark.parametrize(("age", "blocked"), [(16, True), (17, True), (18, False)])
def test_no_rotation_loading_under_18(age, blocked):
    """Under 18 no drill loads internal rotation without clearance, even at self-care."""
    result = screen(_with({"age": age, "symptoms": {"locations": ["low_back_left"]},
                           "movement": {"hip_ir_limited": "none", "hip_shift": "left",
                                        "feels_stuck_in_hip": "left"}}))
    planned = {item.drill for item in result.plan}
    assert bool(planned & ROTATION_DRILLS) is (not blocked)
    if blocked and result.plan:
        assert "young_no_rotation_load" in {p.id for p in result.precautions}


def test_hip_joint_pattern_withholds_rotation_drills_but_keeps_the_rest():
    result = screen(_with({"age": 63, "symptoms": {"locations": ["groin_left"]},
                           "movement": {"hip_ir_limited": "left", "front_hip_pinch": "left"}}))
    assert result.triage.level == "clinician_review"
    planned = {item.drill for item in result.plan}
    assert planned and not planned & ROTATION_DRILLS
    assert "hip_joint_no_rotation_load" in {p.id for p in result.precautions}


@pytest.mark.parametrize(("age", "level"), [(64, "urgent"), (65, "emergency")])
def test_age_edge_for_cannot_bear_weight(age, level):
    assert screen(_with({"age": age, "safety": {"cannot_bear_weight": True}})).triage.level == level


@pytest.mark.parametrize(("first", "level"), [(49, "self_care"), (50, "clinician_review")])
def test_age_edge_for_a_first_episode(first, level):
    assert screen(_with({"age": 60, "symptoms": {"first_episode_age": first}})).triage.level == level


@pytest.mark.parametrize(("pain", "level"), [(7, "self_care"), (8, "clinician_review"),
                                             (9, "clinician_review")])
def test_worst_pain_boundary(pain, level):
    assert screen(_with({"symptoms": {"pain_worst_week": pain}})).triage.level == level


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes)
def test_no_drill_ever_at_emergency_or_urgent_or_recent_surgery_or_unasked(data):
    intake = Intake.model_validate(data)
    result = screen(intake)
    if result.triage.level in ("emergency", "urgent") or intake.safety.hip_surgery == "under_12_weeks":
        assert result.plan == []
    if intake.safety_not_asked:
        assert result.triage.level != "self_care" and result.plan == []
    stopping = {"bladder_or_bowel_change", "saddle_numbness", "both_legs_numb_or_weak",
                "both_legs_pain_or_tingling", "sexual_function_change",
                "worsening_leg_weakness", "fever_or_unwell", "significant_trauma",
                "cannot_bear_weight", "hot_swollen_hip"}
    if any(getattr(intake.safety, name) for name in stopping):
        assert result.triage.level in ("emergency", "urgent")
        assert result.plan == []
    if intake.age < 18:
        assert not {item.drill for item in result.plan} & ROTATION_DRILLS


@settings(max_examples=150, deadline=None)
@given(intakes)
def test_result_is_internally_consistent(data):
    """Any valid intake screens without error; every planned drill serves a concluded deficit."""
    result = screen(data)
    concluded = {d.id for d in result.deficits}
    for item in result.plan:
        assert set(item.serves) <= concluded and item.serves
    assert result.disclaimer
