"""The Intake model: every answer a person or clinician can give, validated (docs/design.md "The intake")."""

from __future__ import annotations

import types
import typing
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)

Mode = Literal["self", "clinician"]
Sex = Literal["female", "male", "other", "undisclosed"]
OneSide = Literal["none", "left", "right"]
AnySide = Literal["none", "left", "right", "both"]
HipSurgery = Literal["none", "under_12_weeks", "over_12_weeks"]
# Strict: a yes/no is true or false, a number is a whole number. `1`, `"yes"` or `1.0` for a
# yes, or `true` for a pain score, is an error rather than an answer nobody gave.
YesNo = Annotated[bool, Strict()]
# A safety answer: yes, no, or None for a question that was never asked (the person stopped
# before its step, or the intake has no safety block). Not asked is never read as "no".
Asked = Annotated[bool | None, Strict()]


class Activity(StrEnum):
    running = "running"
    lifting = "lifting"
    golf = "golf"
    crossfit = "crossfit"
    field_sports = "field_sports"
    lifting_kids = "lifting_kids"
    desk_work = "desk_work"
    manual_work = "manual_work"


class Location(StrEnum):
    low_back_left = "low_back_left"
    low_back_right = "low_back_right"
    low_back_central = "low_back_central"
    si_left = "si_left"
    si_right = "si_right"
    deep_glute_left = "deep_glute_left"
    deep_glute_right = "deep_glute_right"
    front_hip_left = "front_hip_left"
    front_hip_right = "front_hip_right"
    groin_left = "groin_left"
    groin_right = "groin_right"
    hamstring_left = "hamstring_left"
    hamstring_right = "hamstring_right"
    below_knee_left = "below_knee_left"
    below_knee_right = "below_knee_right"
    thigh_front_left = "thigh_front_left"
    thigh_front_right = "thigh_front_right"
    knee_left = "knee_left"
    knee_right = "knee_right"
    belly = "belly"


class Aggravator(StrEnum):
    after_leg_day = "after_leg_day"
    sitting_then_training = "sitting_then_training"
    bending_lifting = "bending_lifting"
    rotation = "rotation"
    running = "running"
    stairs = "stairs"
    getting_out_of_car = "getting_out_of_car"
    lifting_kids = "lifting_kids"


class HingeFault(StrEnum):
    back_rounds = "back_rounds"
    back_arches = "back_arches"
    turns_into_squat = "turns_into_squat"
    shifts_to_one_side = "shifts_to_one_side"
    no_hamstring_load = "no_hamstring_load"
    back_pain = "back_pain"


class DrillId(StrEnum):
    """Every drill id of the catalogue; the catalogue loader checks the two agree."""

    single_leg_stability = "single_leg_stability"
    single_leg_hip_hinge = "single_leg_hip_hinge"
    internal_rotation_hinge = "internal_rotation_hinge"
    hip_airplane = "hip_airplane"
    supported_single_leg_stability = "supported_single_leg_stability"
    kickstand_hinge = "kickstand_hinge"
    dowel_hip_hinge = "dowel_hip_hinge"
    glute_bridge = "glute_bridge"
    supported_hip_airplane = "supported_hip_airplane"
    supported_internal_rotation_hinge = "supported_internal_rotation_hinge"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class Safety(_Strict):
    """Red-flag questions, asked first. In a safety block that is present, a question left out
    was answered no; a question given as null (None) was never asked. A missing block means none
    was asked (Intake.safety_not_asked lists them)."""

    bladder_or_bowel_change: Asked = Field(
        False, description="New trouble passing urine, leaking, or loss of bowel control")
    saddle_numbness: Asked = Field(
        False, description="Numbness around the genitals, back passage or inner thighs")
    both_legs_numb_or_weak: Asked = Field(False, description="Both legs numb or weak")
    worsening_leg_weakness: Asked = Field(
        False, description="Leg weakness getting worse, e.g. a foot that starts to drop or catch")
    fever_or_unwell: Asked = Field(False, description="Fever, or feeling generally unwell")
    cancer_history: Asked = Field(False, description="Any past cancer")
    unexplained_weight_loss: Asked = Field(False, description="Weight loss you cannot explain")
    constant_night_pain: Asked = Field(
        False, description="Constant pain at night, not eased by changing position")
    significant_trauma: Asked = Field(
        False,
        description="A fall from height, a road accident, or a fall with osteoporosis")
    osteoporosis_or_steroids: Asked = Field(
        False, description="Osteoporosis, or steroid tablets for 3 months or more")
    cannot_bear_weight: Asked = Field(False, description="Cannot put weight through the leg")
    hot_swollen_hip: Asked = Field(False, description="A hot, swollen hip")
    immunosuppressed: Asked = Field(
        False, description="A weakened immune system, or injects drugs")
    morning_stiffness_over_30_min: Asked = Field(
        False, description="Back stiffness on waking that lasts more than 30 minutes")
    pregnant: Asked = Field(False, description="Pregnant now")
    hip_surgery: HipSurgery | None = Field(
        "none", description="Hip surgery (replacement or other): none, under or over 12 weeks ago")
    # -- added with the reviewed red-flag table (docs/safety.md); each extends, none renames --
    both_legs_pain_or_tingling: Asked = Field(
        False, description="New pain, tingling or pins and needles going down both legs")
    sexual_function_change: Asked = Field(
        False, description="A new change in sex: numb down there, or trouble with erections "
                           "or feeling")
    recent_fall_or_injury: Asked = Field(
        False, description="A fall, trip or knock in the last 2 weeks, even a small one")
    sudden_severe_pain: Asked = Field(
        False, description="Sudden, very bad pain in the back or belly, not like your usual pain")
    faint_clammy_or_collapsed: Asked = Field(
        False, description="Feeling faint, cold and sweaty (clammy), or you passed out")
    new_limp: Asked = Field(False, description="A new limp")
    recent_infection: Asked = Field(
        False, description="An infection in the last 6 weeks, such as a water or chest infection")
    wakes_second_half_of_night: Asked = Field(
        False, description="Back pain wakes you in the second half of the night")
    better_with_movement: Asked = Field(
        False, description="Back pain gets better when you move about")
    better_with_anti_inflammatories: Asked = Field(
        False, description="Back pain gets much better within 2 days of anti-inflammatory "
                           "tablets such as ibuprofen")
    family_spondyloarthritis: Asked = Field(
        False, description="A parent, brother, sister or child with spondyloarthritis "
                           "(such as ankylosing spondylitis)")
    arthritis_history: Asked = Field(
        False, description="Now or ever: swollen, painful joints (arthritis)")
    enthesitis_history: Asked = Field(
        False, description="Now or ever: pain where a tendon joins the bone, such as the heel "
                           "(enthesitis)")
    psoriasis_history: Asked = Field(
        False, description="Now or ever: psoriasis (a skin problem with red, scaly patches)")

    @classmethod
    def not_asked(cls) -> Safety:
        """A safety block of which no question was asked."""
        return cls(**dict.fromkeys(cls.model_fields))


class Symptoms(_Strict):
    """What hurts, where, how much and when."""

    pain_now: Annotated[
        int, Field(strict=True, ge=0, le=10, description="Pain now, 0 to 10")] = 0
    pain_worst_week: Annotated[
        int, Field(strict=True, ge=0, le=10, validate_default=True,
                   description="Worst pain in the last week, 0 to 10")] = 0
    weeks: Annotated[
        int, Field(strict=True, ge=0, le=520,
                   description="How long this episode has lasted, in weeks")] = 0
    keeps_coming_back: YesNo = Field(False, description="The pain keeps coming back")
    locations: tuple[Location, ...] = Field((), description="Where it hurts")
    pins_and_needles_below_knee: YesNo = Field(
        False, description="Pins and needles or numbness below the knee")
    worse_with: tuple[Aggravator, ...] = Field((), description="What makes it worse")
    stretching_only_temporary_relief: YesNo = Field(
        False, description="Stretching helps only for a while, and the tightness comes back")
    recurring_hamstring_strain: AnySide = Field(
        "none", description="Hamstring strains that keep coming back, and on which side")
    leg_symptoms_weeks: Annotated[
        int | None, Field(strict=True, ge=0, le=520,
                          description="How many weeks the leg pain, tingling, numbness or "
                                      "weakness has lasted; left out = not asked")] = None
    first_episode_age: Annotated[
        int | None, Field(strict=True, ge=0, le=110,
                          description="Age when back pain first began (this episode, if it is "
                                      "the first); left out = not asked")] = None

    @field_validator("pain_worst_week")
    @classmethod
    def _worst_week_holds_pain_now(cls, worst: int, info: ValidationInfo) -> int:
        now = info.data.get("pain_now")
        if now is not None and worst < now:
            raise ValueError(f"the worst pain of the last week ({worst}; 0 when left out) cannot "
                             f"be less than the pain now ({now}): pain now is part of that week")
        return worst


class HipIRDegrees(_Strict):
    """Hip internal rotation measured by a clinician, in degrees per side."""

    left: Annotated[int, Field(strict=True, ge=0, le=90, description="Left hip IR in degrees")]
    right: Annotated[int, Field(strict=True, ge=0, le=90, description="Right hip IR in degrees")]


class Movement(_Strict):
    """Movement tests. A test left out was not tested, which differs from 'none'."""

    hip_shift: OneSide | None = Field(
        None, description="Hips drift to that side in a squat or hinge")
    knee_collapse: AnySide | None = Field(
        None, description="Knee caves inward in a squat or step-down")
    single_leg_balance_poor: AnySide | None = Field(
        None, description="Cannot hold 30 s standing on that leg")
    pelvic_drop: AnySide | None = Field(
        None, description="Standing on that leg, the opposite hip drops")
    hinge_faults: tuple[HingeFault, ...] | None = Field(
        None, description="What goes wrong in a hip hinge; [] means a clean hinge")
    hip_ir_limited: AnySide | None = Field(
        None, description="Hip internal rotation limited on that side")
    hip_ir_degrees: HipIRDegrees | None = Field(
        None, description="Clinician: hip IR in degrees; when given it decides hip_ir_limited")
    front_hip_pinch: AnySide | None = Field(
        None, description="Pinch at the front of the hip in deep flexion")
    feels_stuck_in_hip: AnySide | None = Field(
        None, description="The hip feels stuck")


class DrillResponse(_Strict):
    """Optional follow-up after trying the plan: what was felt during which drills."""

    low_back_pinch: tuple[DrillId, ...] = Field(
        (), description="Felt a low back pinch during these drills")
    hamstring_cramp: tuple[DrillId, ...] = Field(
        (), description="Hamstring cramped during these drills")


class Intake(_Strict):
    """One screening intake. Unknown keys are rejected."""

    mode: Mode = Field("self", description="Who fills it in: the person (self) or a clinician")
    age: Annotated[int, Field(strict=True, ge=8, le=110, description="Age in years")]
    sex: Sex | None = Field(None, description="Optional")
    activities: tuple[Activity, ...] = Field((), description="What the person does")
    safety: Safety = Field(
        default_factory=lambda: Safety.not_asked(),
        description="Red-flag questions. Present = asked (a question left out = no); "
                    "missing = not asked, which is never self-care")
    symptoms: Symptoms = Field(default_factory=Symptoms)
    movement: Movement = Field(default_factory=Movement)
    drill_response: DrillResponse = Field(default_factory=DrillResponse)

    @property
    def safety_not_asked(self) -> tuple[str, ...]:
        """The safety questions never asked (None), in the order of the Safety model."""
        return tuple(name for name, value in vars(self.safety).items() if value is None)

    @model_validator(mode="after")
    def _first_episode_not_after_now(self) -> Intake:
        first = self.symptoms.first_episode_age
        if first is not None and first > self.age:
            raise ValueError(f"symptoms.first_episode_age: the age when back pain first began "
                             f"({first}) cannot be more than the age now ({self.age})")
        return self

    @model_validator(mode="after")
    def _no_duplicates(self) -> Intake:
        for path, values in (
            ("activities", self.activities),
            ("symptoms.locations", self.symptoms.locations),
            ("symptoms.worse_with", self.symptoms.worse_with),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"{path}: each value may appear once")
        return self


MOVEMENT_TESTS = tuple(Movement.model_fields)


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    """`X | None` as (X, True); any other annotation as (it, False)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def choices_of(annotation: Any) -> tuple[str, ...] | None:
    """The fixed values a field's type allows (a Literal or an Enum), or None."""
    if typing.get_origin(annotation) is Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(m.value) for m in annotation)
    return None
