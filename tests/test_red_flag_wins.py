"""A red flag always wins (docs/design.md, Safety): an error in another field never hides the triage
of the safety answers. screen_safety_first salvages a bad intake for its red flags."""

from __future__ import annotations

import copy

import pydantic
import pytest

from hipscreen.knowledge.catalogue import catalogue
from hipscreen.rules.registry import rules
from hipscreen.screening import screen, screen_safety_first

# A minimal intake for every rule that raises an emergency or urgent row: the rule id, the
# intake, and whether the rule needs the age (a bad age then cannot keep it).
EXAMPLES: dict[str, list[tuple[dict, bool]]] = {
    "bladder_bowel_saddle_or_sexual_change_means_cauda_equina_emergency": [
        ({"age": 40, "safety": {name: True}}, False)
        for name in ("bladder_or_bowel_change", "saddle_numbness", "sexual_function_change")],
    "new_symptoms_in_both_legs_mean_cauda_equina_emergency": [
        *(({"age": 40, "safety": {name: True}}, False)
          for name in ("both_legs_numb_or_weak", "both_legs_pain_or_tingling")),
        ({"age": 40, "safety": {},
          "symptoms": {"locations": ["below_knee_left", "below_knee_right"]}}, False)],
    "longstanding_symptoms_in_both_legs_are_urgent": [
        ({"age": 40, "safety": {"both_legs_pain_or_tingling": True},
          "symptoms": {"leg_symptoms_weeks": 6}}, False),
        ({"age": 40, "safety": {}, "symptoms": {
            "leg_symptoms_weeks": 6, "locations": ["below_knee_left", "below_knee_right"]}},
         False)],
    "trauma_and_cannot_bear_weight_means_fracture_emergency": [
        ({"age": 40, "safety": {"cannot_bear_weight": True, "significant_trauma": True}}, False),
        ({"age": 40, "safety": {"cannot_bear_weight": True, "recent_fall_or_injury": True}},
         False)],
    "older_person_who_cannot_bear_weight_may_have_a_broken_hip": [
        ({"age": 70, "safety": {"cannot_bear_weight": True}}, True)],
    "fragile_bones_and_cannot_bear_weight_may_be_a_broken_hip": [
        ({"age": 40, "safety": {"cannot_bear_weight": True, "osteoporosis_or_steroids": True}},
         False)],
    "hot_swollen_hip_means_infection_emergency": [
        ({"age": 40, "safety": {"hot_swollen_hip": True}}, False)],
    "operated_hip_with_fever_means_infection_emergency": [
        ({"age": 40, "safety": {"hip_surgery": "over_12_weeks", "fever_or_unwell": True}}, False),
        ({"age": 40, "safety": {"hip_surgery": "under_12_weeks", "fever_or_unwell": True}},
         False)],
    "sudden_severe_pain_with_collapse_means_call_an_ambulance": [
        ({"age": 40, "safety": {"sudden_severe_pain": True, "faint_clammy_or_collapsed": True}},
         False)],
    "sudden_severe_pain_at_50_or_over_is_urgent": [
        ({"age": 60, "safety": {"sudden_severe_pain": True}}, True)],
    "worsening_leg_weakness_is_urgent": [
        ({"age": 40, "safety": {"worsening_leg_weakness": True}}, False)],
    "fever_with_back_pain_is_urgent": [({"age": 40, "safety": {"fever_or_unwell": True}}, False)],
    "trauma_or_cannot_bear_weight_is_urgent": [
        ({"age": 40, "safety": {"significant_trauma": True}}, False),
        ({"age": 40, "safety": {"cannot_bear_weight": True}}, False)],
    "recent_fall_with_fragile_bones_is_urgent": [
        ({"age": 70, "safety": {"recent_fall_or_injury": True}}, True),
        ({"age": 40, "safety": {"recent_fall_or_injury": True, "osteoporosis_or_steroids": True}},
         False)],
    "cancer_with_weight_loss_or_night_pain_is_urgent": [
        ({"age": 40, "safety": {"cancer_history": True, "unexplained_weight_loss": True}}, False),
        ({"age": 40, "safety": {"cancer_history": True, "constant_night_pain": True}}, False)],
    "child_with_hip_thigh_or_knee_pain_is_urgent": [
        ({"age": 12, "safety": {}, "symptoms": {"locations": [place]}}, True)
        for place in ("groin_left", "front_hip_right", "thigh_front_left", "knee_right")],
    "child_with_a_limp_is_urgent": [({"age": 12, "safety": {"new_limp": True}}, True)],
    "child_with_a_limp_and_fever_means_infection_emergency": [
        ({"age": 12, "safety": {"new_limp": True, "fever_or_unwell": True}}, True)],
    "child_whose_hip_will_not_turn_in_is_urgent": [
        ({"age": 12, "safety": {}, "movement": {"hip_ir_limited": "left"}}, True)],
}


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _set(key: str, value):
    def apply(raw: dict) -> dict:
        return _merge(raw, {key: value})
    return apply


def _without_age(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k != "age"}


# Each kind of error unrelated to the safety answers: (name, make it, touches the age).
ERRORS = [
    ("pain contradiction", _set("symptoms", {"pain_now": 5, "pain_worst_week": 0}), False),
    ("bad movement value", _set("movement", {"hip_shift": "both"}), False),
    ("bad hip IR degrees", _set("movement", {"hip_ir_degrees": {"left": 200, "right": 30}}),
     False),
    ("unknown key", _set("favourite_colour", "blue"), False),
    ("unknown symptom key", _set("symptoms", {"pain_colour": "red"}), False),
    ("wrong type of a symptom", _set("symptoms", {"keeps_coming_back": "yes"}), False),
    ("bad list item", _set("symptoms", {"worse_with": ["stairs", "sneezing"]}), False),
    ("bad mode", _set("mode", "robot"), False),
    ("bad age", _set("age", "forty"), True),
    ("missing age", _without_age, True),
    ("age out of range", _set("age", 300), True),
]


def _emergency_and_urgent_rules() -> dict[str, str]:
    cat = catalogue()
    out = {}
    for rule in rules().values():
        for row in rule.concludes:
            entry = cat.red_flags.get(row)
            if entry is not None and entry.level in ("emergency", "urgent"):
                out[rule.id] = row
    return out


def _cases():
    for rule_id, examples in EXAMPLES.items():
        for i, (raw, needs_age) in enumerate(examples):
            for name, make, touches_age in ERRORS:
                if needs_age and touches_age:
                    continue
                yield pytest.param(rule_id, raw, make, id=f"{rule_id}[{i}]-{name}")


def test_every_emergency_and_urgent_row_and_rule_has_an_example():
    wanted = _emergency_and_urgent_rules()
    assert set(wanted) == set(EXAMPLES)
    rows = {k for k, e in catalogue().red_flags.items() if e.level in ("emergency", "urgent")}
    assert rows == set(wanted.values())


@pytest.mark.parametrize(("rule_id", "raw"), [
    pytest.param(rule_id, raw, id=f"{rule_id}[{i}]")
    for rule_id, examples in EXAMPLES.items() for i, (raw, _) in enumerate(examples)])
def test_each_example_raises_its_row_when_valid(rule_id, raw):
    row = _emergency_and_urgent_rules()[rule_id]
    result, error = screen_safety_first(raw)
    assert error is None
    assert result.triage.level == catalogue().red_flags[row].level
    assert row in {h.id for h in result.triage.red_flags}
    assert rule_id in result.rules_fired
    assert result.triage.model_dump() == screen(raw).triage.model_dump()


@pytest.mark.parametrize(("rule_id", "raw", "make"), list(_cases()))
def test_the_red_flag_wins_over_an_unrelated_error(rule_id, raw, make):
    row = _emergency_and_urgent_rules()[rule_id]
    bad = make(raw)
    with pytest.raises(pydantic.ValidationError):
        screen(bad)
    result, error = screen_safety_first(bad)
    assert isinstance(error, pydantic.ValidationError)
    assert result is not None
    assert result.triage.level == catalogue().red_flags[row].level
    assert row in {h.id for h in result.triage.red_flags}
    assert not result.triage.drills_allowed


@pytest.mark.parametrize(("name", "make"), [(name, make) for name, make, _ in ERRORS])
def test_no_red_flag_is_invented(name, make):
    """Nothing ticked and an error elsewhere: the salvage raises no red flag."""
    result, error = screen_safety_first(make({"age": 40, "safety": {}}))
    assert error is not None
    assert result.triage.red_flags == []
    assert result.triage.level == "self_care"


def test_a_bad_safety_answer_is_not_asked_never_no():
    result, error = screen_safety_first({"age": 40, "safety": {"saddle_numbness": "yes"}})
    assert error.errors()[0]["loc"] == ("safety", "saddle_numbness")
    assert result.intake.safety.saddle_numbness is None
    assert result.intake.safety.hot_swollen_hip is False  # the block was asked
    assert [h.id for h in result.triage.red_flags] == ["safety_not_asked"]


def test_a_bad_safety_answer_does_not_hide_another():
    result, _ = screen_safety_first(
        {"age": 40, "safety": {"saddle_numbness": 1, "hot_swollen_hip": True}})
    assert result.triage.level == "emergency"
    assert {h.id for h in result.triage.red_flags} == {"joint_infection", "safety_not_asked"}


def test_an_unknown_safety_key_leaves_the_unsaid_questions_not_asked():
    """`saddle_numbnes: true` may be a misspelt yes: the questions the block does not give are
    not asked (never no), and those it gives still count."""
    result, error = screen_safety_first(
        {"age": 40, "safety": {"saddle_numbnes": True, "fever_or_unwell": True}})
    assert error.errors()[0]["type"] == "extra_forbidden"
    safety = result.intake.safety
    assert safety.saddle_numbness is None and safety.fever_or_unwell is True
    assert result.triage.level == "urgent"
    assert "safety_not_asked" in {h.id for h in result.triage.red_flags}


def test_a_safety_block_of_the_wrong_type_is_not_asked():
    result, _ = screen_safety_first({"age": 40, "safety": ["saddle_numbness"]})
    assert all(v is None for v in vars(result.intake.safety).values())
    assert [h.id for h in result.triage.red_flags] == ["safety_not_asked"]


def test_no_safety_block_is_not_asked_also_in_the_salvage():
    result, _ = screen_safety_first({"age": 40, "movement": {"hip_shift": "both"}})
    assert [h.id for h in result.triage.red_flags] == ["safety_not_asked"]


def test_a_pain_contradiction_drops_both_pain_answers():
    result, error = screen_safety_first({"age": 40, "safety": {}, "symptoms": {
        "pain_now": 9, "pain_worst_week": 2, "weeks": 3}})
    assert error.errors()[0]["loc"] == ("symptoms", "pain_worst_week")
    s = result.intake.symptoms
    assert (s.pain_now, s.pain_worst_week, s.weeks) == (0, 0, 3)


def test_a_bad_item_is_dropped_alone():
    result, _ = screen_safety_first({"age": 12, "safety": {}, "symptoms": {
        "locations": ["groin_left", "elbow", "groin_left"]}})
    assert result.intake.symptoms.locations == ("groin_left",)
    assert result.triage.level == "urgent"


def test_a_first_episode_after_the_age_now_is_dropped_not_the_age():
    result, error = screen_safety_first({"age": 30, "safety": {"hot_swollen_hip": True},
                                         "symptoms": {"first_episode_age": 60}})
    assert error is not None
    assert result.intake.age == 30 and result.intake.symptoms.first_episode_age is None
    assert result.triage.level == "emergency"


def test_without_an_age_no_age_rule_fires():
    """A bad age: the rest is screened without one. A child's urgent row cannot fire, and the
    adult hip-joint pattern (which needs 'not a child') is left out rather than guessed."""
    child = {"safety": {}, "symptoms": {"locations": ["groin_left"]},
             "movement": {"front_hip_pinch": "left"}}
    result, error = screen_safety_first({**child, "age": "twelve"})
    assert error.errors()[0]["loc"] == ("age",)
    assert result.intake.age is None
    assert result.triage.red_flags == []
    # with an adult age the same answers raise the hip-joint pattern
    assert [h.id for h in screen({**child, "age": 30}).triage.red_flags] == ["hip_joint_pattern"]


def test_a_valid_intake_is_screened_as_it_is():
    raw = {"age": 40, "safety": {}, "symptoms": {"pain_now": 2, "pain_worst_week": 4}}
    result, error = screen_safety_first(raw)
    assert error is None
    assert result.model_dump(exclude={"trace"}) == screen(raw).model_dump(exclude={"trace"})


def test_not_a_mapping_gives_the_error_alone():
    result, error = screen_safety_first(["age", 40])  # type: ignore[arg-type]
    assert result is None and isinstance(error, pydantic.ValidationError)


def test_the_raw_answers_are_not_changed():
    raw = {"age": "x", "safety": {"saddle_numbness": True},
           "symptoms": {"pain_now": 5, "pain_worst_week": 0, "locations": ["x"]}}
    before = copy.deepcopy(raw)
    screen_safety_first(raw)
    assert raw == before


def test_many_errors_at_once_still_converge():
    raw = {"age": None, "mode": 3, "sex": "x", "colour": 1, "activities": ["golf", "golf", 7],
           "safety": {"cauda": 1, "bladder_or_bowel_change": True, "hip_surgery": "soon"},
           "symptoms": {"pain_now": 11, "pain_worst_week": -1, "weeks": "many",
                        "locations": [{}], "first_episode_age": 200},
           "movement": {"hip_ir_degrees": "tight", "hinge_faults": ["x"], "wobble": True},
           "drill_response": {"low_back_pinch": ["nope"], "x": 1}}
    result, error = screen_safety_first(raw)
    assert error.error_count() > 10
    assert result.triage.level == "emergency"
    assert result.triage.red_flags[0].id == "cauda_equina"


ALWAYS_BAD = ("x", -5, 999, 1.5, [1, {}], {"a": 1})  # no field of the intake takes any of these


def _leaf_paths() -> list[tuple[str, ...]]:
    from hipscreen.knowledge.intake import DrillResponse, Intake, Movement, Safety, Symptoms

    sections = {"safety": Safety, "symptoms": Symptoms, "movement": Movement,
                "drill_response": DrillResponse}
    paths = [(name,) for name in Intake.model_fields if name not in sections]
    paths += [(section, name) for section, model in sections.items() for name in model.model_fields]
    return paths + [("unknown_key",), ("symptoms", "unknown_key")]


def _given(raw: dict) -> set[tuple[str, ...]]:
    return {(k,) for k in raw} | {(k, n) for k, v in raw.items() if isinstance(v, dict)
                                  for n in v}


@pytest.mark.parametrize(("rule_id", "raw", "needs_age"), [
    pytest.param(rule_id, raw, needs_age, id=f"{rule_id}[{i}]")
    for rule_id, examples in EXAMPLES.items() for i, (raw, needs_age) in enumerate(examples)])
def test_random_bad_answers_elsewhere_never_hide_the_row(rule_id, raw, needs_age):
    import random

    row = _emergency_and_urgent_rules()[rule_id]
    level = catalogue().red_flags[row].level
    given = _given(raw)
    free = [p for p in _leaf_paths() if p not in given and not (p == ("age",) and needs_age)
            and not (len(p) == 2 and (p[0],) in given and not isinstance(raw[p[0]], dict))]
    rng = random.Random(rule_id)
    for _ in range(12):
        bad = copy.deepcopy(raw)
        for path in rng.sample(free, rng.randint(1, 5)):
            holder = bad
            for key in path[:-1]:
                holder = holder.setdefault(key, {})
            holder[path[-1]] = copy.deepcopy(rng.choice(ALWAYS_BAD))
        result, error = screen_safety_first(bad)
        assert error is not None, bad
        assert result.triage.level == level, bad
        assert row in {h.id for h in result.triage.red_flags}, bad


def test_a_bad_age_with_a_first_episode_age_still_salvages():
    """The first-episode age is checked against the age: without an age it is left out too."""
    result, error = screen_safety_first({"age": "old", "safety": {"hot_swollen_hip": True},
                                         "symptoms": {"first_episode_age": 60}})
    assert error is not None
    assert result.intake.age is None and result.intake.symptoms.first_episode_age is None
    assert result.triage.level == "emergency"
