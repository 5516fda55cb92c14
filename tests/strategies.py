"""Hypothesis strategies for random, valid intakes."""

from hypothesis import strategies as st

from hipscreen.knowledge.intake import (
    Activity,
    Aggravator,
    DrillId,
    HingeFault,
    Location,
    Safety,
)

ONE_SIDE = st.sampled_from(["none", "left", "right"])
ANY_SIDE = st.sampled_from(["none", "left", "right", "both"])
# every yes/no safety question (True, False, or None = never asked)
SAFETY_FLAGS = [name for name, f in Safety.model_fields.items() if f.annotation == bool | None]
assert len(SAFETY_FLAGS) == 29, SAFETY_FLAGS


def _subset(enum):
    return st.lists(st.sampled_from([e.value for e in enum]), unique=True, max_size=4)


def _optional(**fields):
    """A dict strategy where every key may be left out."""
    return st.fixed_dictionaries({}, optional=fields)


def _pain_now_within_worst_week(symptoms: dict) -> dict:
    """Pain now is part of the last week: the worst of the week is at least pain now."""
    now = symptoms.get("pain_now", 0)
    if now > symptoms.get("pain_worst_week", 0):
        symptoms = {**symptoms, "pain_worst_week": now}
    return symptoms


def _first_episode_not_after_now(intake: dict) -> dict:
    symptoms = intake.get("symptoms", {})
    if symptoms.get("first_episode_age", 0) > intake["age"]:
        intake = {**intake, "symptoms": {**symptoms, "first_episode_age": intake["age"]}}
    return intake


def safety(flag_probability_high: bool = False):
    # mostly asked (yes or no), sometimes never asked (None)
    answer = st.one_of(st.booleans(), st.booleans(), st.booleans(), st.none())
    flags = {name: answer for name in SAFETY_FLAGS}
    return _optional(**flags, hip_surgery=st.sampled_from(["none", "under_12_weeks", "over_12_weeks"]))


intakes = st.fixed_dictionaries(
    {"age": st.integers(8, 110)},
    optional={
        "mode": st.sampled_from(["self", "clinician"]),
        "sex": st.sampled_from(["female", "male", "other", "undisclosed"]),
        "activities": _subset(Activity),
        "safety": safety(),
        "symptoms": _optional(
            pain_now=st.integers(0, 10), pain_worst_week=st.integers(0, 10),
            weeks=st.integers(0, 520), keeps_coming_back=st.booleans(),
            locations=_subset(Location), pins_and_needles_below_knee=st.booleans(),
            worse_with=_subset(Aggravator), stretching_only_temporary_relief=st.booleans(),
            recurring_hamstring_strain=ANY_SIDE,
            first_episode_age=st.integers(0, 110)).map(_pain_now_within_worst_week),
        "movement": _optional(
            hip_shift=ONE_SIDE, knee_collapse=ANY_SIDE, single_leg_balance_poor=ANY_SIDE,
            pelvic_drop=ANY_SIDE, hinge_faults=_subset(HingeFault), hip_ir_limited=ANY_SIDE,
            hip_ir_degrees=st.fixed_dictionaries(
                {"left": st.integers(0, 90), "right": st.integers(0, 90)}),
            front_hip_pinch=ANY_SIDE, feels_stuck_in_hip=ANY_SIDE),
        "drill_response": _optional(low_back_pinch=_subset(DrillId),
                                    hamstring_cramp=_subset(DrillId)),
    },
).map(_first_episode_not_after_now)
