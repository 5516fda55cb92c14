"""The self-screening's questions: the safety question groups, the guided self-tests and the
words of their answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from hipscreen.i18n import N_, _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Movement
from hipscreen.words import SIDE_WORDS

NOT_TESTED = "not_tested"
"""The widget value of a movement test that was skipped; it becomes None (left out) in the
Intake, which the result reports as a skipped test. It is never the same as "none"."""


QuestionGroup = tuple[str, tuple[str, ...]]
"""A heading in plain words and the safety questions under it."""

EMERGENCY_GROUPS: tuple[QuestionGroup, ...] = (
    (N_("Bladder, bowel, sex and both legs"), (
        "bladder_or_bowel_change",
        "saddle_numbness",
        "sexual_function_change",
        "both_legs_pain_or_tingling",
        "both_legs_numb_or_weak",
        "worsening_leg_weakness",
    )),
    (N_("Falls and walking"), (
        "recent_fall_or_injury",
        "significant_trauma",
        "cannot_bear_weight",
        "osteoporosis_or_steroids",
        "new_limp",
    )),
    (N_("Heat, fever and sudden pain"), (
        "hot_swollen_hip",
        "fever_or_unwell",
        "sudden_severe_pain",
        "faint_clammy_or_collapsed",
    )),
)
"""The first step: every question that on its own, or with another question, can raise an
emergency or same-day (urgent) row at some age (a fall with no weight through the leg is a
possible broken hip; a new limp is urgent in a child; sudden, very bad pain is urgent at 50 or
over and an emergency with feeling faint). A question that turns an urgent answer of this step
into an emergency is asked here too, so an urgent stop never hides an emergency: thin bones or
steroids (with no weight through the leg) and hip surgery (with a fever)."""

HEALTH_GROUPS: tuple[QuestionGroup, ...] = (
    (N_("Your health"), (
        "cancer_history",
        "unexplained_weight_loss",
        "constant_night_pain",
        "immunosuppressed",
        "recent_infection",
        "pregnant",
    )),
    (N_("How your back pain behaves"), (
        "morning_stiffness_over_30_min",
        "wakes_second_half_of_night",
        "better_with_movement",
        "better_with_anti_inflammatories",
    )),
    (N_("Joints, skin and family"), (
        "arthritis_history",
        "enthesitis_history",
        "psoriasis_history",
        "family_spondyloarthritis",
    )),
)
"""The "More health questions" step: risk signs that ask for a clinician, and NICE NG65's signs
of inflammatory back pain."""

EMERGENCY_QUESTIONS: tuple[str, ...] = tuple(n for _, names in EMERGENCY_GROUPS for n in names)
"""Safety questions asked first: the ones whose rows are emergency or same-day (urgent)."""

HEALTH_QUESTIONS: tuple[str, ...] = tuple(n for _, names in HEALTH_GROUPS for n in names)
"""The remaining yes/no safety questions (hip_surgery, a choice, is asked on the first step)."""

SAFETY_HELP: dict[str, str] = {
    "saddle_numbness": N_("The skin you would sit on in a saddle: between your legs and around "
                       "your bottom. It feels numb or different."),
    "sexual_function_change": N_("Something new. You feel less, or things do not work as before."),
    "both_legs_pain_or_tingling": N_("In both legs at the same time, not just one."),
    "significant_trauma": N_("A big accident, not a small trip."),
    "cannot_bear_weight": N_("You cannot stand or walk on the leg."),
    "sudden_severe_pain": N_("It came on all at once, within minutes."),
    "faint_clammy_or_collapsed": N_("Clammy means cold, pale and sweaty skin."),
    "hot_swollen_hip": N_("The skin over the hip feels warm and looks puffy."),
    "immunosuppressed": N_("Such as medicine after a transplant, or cancer treatment."),
    "osteoporosis_or_steroids": N_("Osteoporosis means thin, weak bones. Prednisolone is a "
                                "steroid tablet."),
    "better_with_anti_inflammatories": N_("Ibuprofen and naproxen count. Paracetamol does "
                                       "not."),
    "family_spondyloarthritis": N_("A kind of arthritis that makes the back stiff."),
    "enthesitis_history": N_("For example a sore heel or the back of the heel, with no injury."),
}
"""A short extra line for a question with a hard word, shown as the question's help."""


def safety_step_of(name: str) -> str:
    """The self-screening step that asks a safety question: "safety" or "health"."""
    return "safety" if name in EMERGENCY_QUESTIONS or name == "hip_surgery" else "health"


@dataclass(frozen=True)
class SelfTest:
    """One guided self-test: a title, what to look for, and the movement fields it answers."""

    key: str
    title: str
    look_for: str
    fields: tuple[str, ...]

    def how_to(self) -> list[str]:
        """The catalogue's instructions for each field of the test (no duplicates)."""
        tests = catalogue().movement_tests
        out: list[str] = []
        for name in self.fields:
            if tests[name].how_to not in out:
                out.append(tests[name].how_to)
        return out

    def would_check(self) -> list[str]:
        return [catalogue().movement_tests[name].would_check for name in self.fields]

    def parts(self) -> list[tuple[str, str, str]]:
        """(how to do it, picture, the picture's alt text) for each field of the test, in order,
        a field that shares its instructions and picture with the one before left out."""
        tests = catalogue().movement_tests
        out: list[tuple[str, str, str]] = []
        for name in self.fields:
            part = (tests[name].how_to, tests[name].picture, tests[name].picture_alt)
            if part not in out:
                out.append(part)
        return out


SELF_TESTS: tuple[SelfTest, ...] = (
    SelfTest("balance", N_("Single-leg balance: 30 seconds on each leg"),
             N_("Can you hold 30 seconds without touching down? Does the hip of the lifted leg sink?"),
             ("single_leg_balance_poor", "pelvic_drop")),
    SelfTest("squat", N_("A squat in front of a mirror"),
             N_("Does your belt buckle drift to one side? Does a knee cave inward?"),
             ("hip_shift", "knee_collapse")),
    SelfTest("hinge", N_("A hip hinge with a broom handle along your back"),
             N_("Does the stick stay on your head, upper back and tailbone? Where do you feel it?"),
             ("hinge_faults",)),
    SelfTest("rotation", N_("Seated hip rotation, comparing sides"),
             N_("Does one foot swing out clearly less far than the other?"),
             ("hip_ir_limited",)),
    SelfTest("pinch", N_("Knee to chest, and does a hip feel stuck?"),
             N_("A pinch in the crease at the front of the hip; a hip that feels blocked."),
             ("front_hip_pinch", "feels_stuck_in_hip")),
)

MOVEMENT_QUESTIONS: dict[str, tuple[str, str]] = {
    # field: (the question, the words for "none")
    "single_leg_balance_poor": (N_("On which leg could you NOT stand for 30 seconds?"),
                                N_("I held 30 seconds on each leg")),
    "pelvic_drop": (N_("Did the hip of your lifted leg sink? Pick the leg you stood on."),
                    N_("No, my hips stayed level")),
    "hip_shift": (N_("Which way did your belt buckle drift? Use your own left and right, not the "
                  "mirror's."), N_("No drift: it stayed in the middle")),
    "knee_collapse": (N_("Which knee caved inward?"), N_("Neither knee")),
    "hip_ir_limited": (N_("Which foot swung out clearly less far?"),
                       N_("Both feet swung out about the same")),
    "front_hip_pinch": (N_("On which side was there a pinch at the front of the hip?"), N_("No pinch")),
    "feels_stuck_in_hip": (N_("Which hip feels stuck?"), N_("Neither hip")),
}

MOVEMENT_REVIEW_LABELS: dict[str, str] = {
    # field: what the answer is about, on the "Check your answers" list
    "single_leg_balance_poor": N_("Could not stand for 30 seconds on"),
    "pelvic_drop": N_("Did the hip of the lifted leg sink"),
    "hip_shift": N_("Belt buckle drifted"),
    "knee_collapse": N_("Knee caved inward"),
    "hip_ir_limited": N_("Foot that swung out less far"),
    "front_hip_pinch": N_("Pinch at the front of the hip"),
    "feels_stuck_in_hip": N_("Hip that feels stuck"),
}

MOVEMENT_SIDE_WORDS: dict[str, dict[str, str]] = {
    # field: the words of each side answer, so each answer fits its own question
    "single_leg_balance_poor": {"left": N_("My left leg"), "right": N_("My right leg"),
                                "both": N_("Both legs: I could not hold either")},
    "pelvic_drop": {"left": N_("Yes, when I stood on my left leg"),
                    "right": N_("Yes, when I stood on my right leg"),
                    "both": N_("Yes, whichever leg I stood on")},
    "hip_shift": {"left": N_("To my left"), "right": N_("To my right")},
    "knee_collapse": {"left": N_("My left knee"), "right": N_("My right knee"), "both": N_("Both knees")},
    "hip_ir_limited": {"left": N_("My left foot"), "right": N_("My right foot"),
                       "both": N_("Both feet hardly swung out at all")},
    "front_hip_pinch": {"left": N_("My left hip"), "right": N_("My right hip"), "both": N_("Both hips")},
    "feels_stuck_in_hip": {"left": N_("My left hip"), "right": N_("My right hip"), "both": N_("Both hips")},
}


def movement_options(field: str) -> list[str]:
    """The answers a movement field allows, "not tested" first (the default)."""
    annotation = Movement.model_fields[field].annotation
    for arg in get_args(annotation):
        values = get_args(arg)
        if values and all(isinstance(v, str) for v in values):
            return [NOT_TESTED, *values]
    raise ValueError(f"movement.{field} is not a side choice")


def movement_option_words(field: str, option: str) -> str:
    """A self-test answer in the words of its own question ("My right leg", "To my left")."""
    if option == NOT_TESTED:
        return _("Not tested - I skipped this")
    if option == "none":
        return _(MOVEMENT_QUESTIONS.get(field, ("", N_("None")))[1])
    words = MOVEMENT_SIDE_WORDS.get(field, {}).get(option)
    return _(words) if words else SIDE_WORDS[option]


_SIDE_NAMES = {"left": N_("left"), "right": N_("right"), "both": N_("both"), "none": N_("none")}


def side_name(side: str) -> str:
    """A side as one lower-case word in the current language ("left", "both")."""
    return _(_SIDE_NAMES[side]) if side in _SIDE_NAMES else side
