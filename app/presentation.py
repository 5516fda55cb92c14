"""What the app needs that is not a widget: the self-screening steps, building an Intake from
form values, the body map, the knowledge tables and an intake as a case file. Answers in plain
words (hipscreen.words) and the reasoning picture (hipscreen.picture) live in the package, shared
with the reports; their names are re-exported here for the pages.

Nothing here decides anything clinical: every conclusion still comes from `screen()`'s Result.
The Streamlit pages (hipscreen.app) only call these functions and draw widgets.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, get_args

import yaml
from pydantic import ValidationError

from hipscreen.app.plain import md
from hipscreen.cases import CaseError, CaseFile, CaseResult, load_case_text
from hipscreen.documents import FieldProblem, InputError, decode, field_problems
from hipscreen.explain import HowNode
from hipscreen.i18n import N_, _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Intake, Movement

# The reasoning picture and the plain words for answers live in the package (shared with the
# PDF reports); the pages still reach them as pr.<name>, so they are re-exported here.
from hipscreen.picture import (  # noqa: F401
    PictureError,
    dot_to_svg,
    reasoning_dot,
    reasoning_graph,
    reasoning_summary,
)
from hipscreen.render import clinician_note
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result
from hipscreen.rules.registry import rules
from hipscreen.screening import screen_safety_first
from hipscreen.words import (  # noqa: F401
    ACTIVITY_LABELS,
    AGGRAVATOR_LABELS,
    CLINICIAN_HINGE_FAULT_LABELS,
    CLINICIAN_MOVEMENT_LABELS,
    CLINICIAN_SAFETY_LABELS,
    CONFIDENCE_WORDS,
    HAMSTRING_LABELS,
    HINGE_FAULT_LABELS,
    HIP_SURGERY_LABELS,
    LEVEL_WORDS,
    LOCATION_LABELS,
    SEX_LABELS,
    SIDE_WORDS,
    answer_line_words,
    answer_text,
    certainty_scale,
    field_label,
    value_words,
)

if TYPE_CHECKING:  # pandas is imported by the functions that build a table, not by every page
    import pandas as pd

# -- plain words for answer values ------------------------------------------------------------
NOT_TESTED = "not_tested"
"""The widget value of a movement test that was skipped; it becomes None (left out) in the
Intake, which the result reports as a skipped test. It is never the same as "none"."""


def measured_ir_rule_words() -> str:
    """How measured IR angles decide limited IR, with the knowledge base's own numbers."""
    return catalogue().with_numbers(_(
        "When both angles are given they decide limited IR (a hip {hip_ir_limited_below_degrees}, "
        "or one that trails the other side by {hip_ir_side_difference_degrees}), whatever the IR "
        "choice above says."))

WHY_NOT_STATUS_WORDS = {
    "met": N_("met"),
    "missing": N_("not met"),
    "not_tested": N_("not tested (the test was skipped)"),
    "blocked": N_("blocked by another rule"),
}


# -- the self-screening steps --------------------------------------------------------------
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


# -- building an Intake from form values ----------------------------------------------------
_LIST_FIELDS = {"activities", "symptoms.locations", "symptoms.worse_with",
                "movement.hinge_faults", "drill_response.low_back_pinch",
                "drill_response.hamstring_cramp"}


def intake_data(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Form values keyed by dotted intake path as the nested data the Intake model reads, and
    the errors found before validation ({field path: message in words}).

    Movement answers equal to NOT_TESTED (or None) are left out: not tested. The clinician's
    IR angles come as "movement.hip_ir_degrees.left" and ".right"; both or neither must be given
    (one alone is an error, and is left out of the data)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    degrees: dict[str, Any] = {}
    for path, value in values.items():
        if path.startswith("movement.hip_ir_degrees."):
            if value is not None:
                degrees[path.rpartition(".")[2]] = value
            continue
        if path.startswith("movement.") and value in (NOT_TESTED, None):
            continue
        if path in _LIST_FIELDS:
            value = list(value or [])
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    if len(degrees) == 1:
        missing = "right" if "left" in degrees else "left"
        errors[f"movement.hip_ir_degrees.{missing}"] = _(
            "Give the angle for both hips, or leave both empty if IR was not measured.")
    elif len(degrees) == 2:
        data.setdefault("movement", {})["hip_ir_degrees"] = degrees
    return data, errors


def form_errors(exc: ValidationError) -> dict[str, str]:
    """An Intake's validation errors as {field path: message in words}, one per field."""
    errors: dict[str, str] = {}
    for problem in field_problems(exc, Intake):
        path = ".".join(str(p) for p in problem.loc if not isinstance(p, int)) or "intake"
        message = _plain_message(problem)
        named = _PATH_AT_START.match(message) if path == "intake" else None
        if named:  # a check across fields names the field it is about first: show it there
            path, message = named[1], named[2][:1].upper() + named[2][1:]
        errors.setdefault(path, _plain_check(message))
    return errors


_PLAIN_CHECKS = (
    (re.compile(r"the worst pain of the last week \((\d+);[^)]*\) cannot be less than the pain "
                r"now \((\d+)\).*", re.IGNORECASE),
     N_("It is {worst} out of 10, but it cannot be less than the pain now ({now}): pain now is "
        "part of the last week. Move one of the two."), ("worst", "now")),
    (re.compile(r"the age when back pain first began \((\d+)\) cannot be more than the age now "
                r"\((\d+)\).*", re.IGNORECASE),
     N_("It is {first}, more than the age now ({age}). Check both ages."), ("first", "age")),
)


def _plain_check(message: str) -> str:
    """A check across two answers in the words of a form: what is wrong and what to do."""
    for pattern, words, names in _PLAIN_CHECKS:
        found = pattern.fullmatch(message.strip())
        if found:
            return _(words, **dict(zip(names, found.groups(), strict=True)))
    return message


_PATH_AT_START = re.compile(r"^([a-z_]+(?:\.[a-z_]+)*): (.+)$", re.DOTALL)


def build_intake(values: Mapping[str, Any]) -> tuple[Intake | None, dict[str, str]]:
    """Turn form values keyed by dotted intake path into an Intake (see intake_data).

    Returns (intake, {}) or (None, {field path: message in words}) so a page can show each
    message next to its field.
    """
    data, errors = intake_data(values)
    if errors:
        return None, errors
    try:
        return Intake.model_validate(data), {}
    except ValidationError as exc:
        return None, form_errors(exc)


@dataclass(frozen=True)
class Screened:
    """Form values screened with a red flag first: `result` is the full result when `errors`
    is empty; with errors it screens only the answers that are valid (hipscreen.screening.
    screen_safety_first), for its red flags alone, and is None when nothing could be screened."""

    result: Result | None
    errors: dict[str, str]

    @property
    def complete(self) -> bool:
        return self.result is not None and not self.errors

    @property
    def stops(self) -> bool:
        """An emergency or urgent red flag, whatever else is wrong: the screen stops here."""
        return self.result is not None and stops_here(self.result)


def screen_values(values: Mapping[str, Any]) -> Screened:
    """Screen form values so that an error in any other field never hides a red flag (docs/design.md,
    Safety: a red flag always wins). The errors of the form (a half-given angle, a worst pain
    below the pain now...) come back in words beside the result of the answers that are valid."""
    data, errors = intake_data(values)
    result, exc = screen_safety_first(data)
    if exc is not None:
        errors = {**errors, **{k: v for k, v in form_errors(exc).items() if k not in errors}}
    return Screened(result, errors)


def _plain_message(problem: FieldProblem) -> str:
    """A validation problem in the words of a form: what to do, next to the field."""
    if problem.kind == "missing":
        return _("Please answer this question.")
    if problem.kind in ("greater_than_equal", "less_than_equal"):
        if "ge" in problem.limits:
            return _("Enter a value of at least {limit}.", limit=problem.limits["ge"])
        return _("Enter a value of at most {limit}.", limit=problem.limits.get("le"))
    if problem.kind in ("int_type", "int_parsing"):
        return _("Enter a whole number.")
    return problem.what


def hinge_answer(tested: bool, faults: Iterable[str]) -> list[str] | str:
    """The hinge_faults answer from a "tested?" switch and the faults seen: the faults (an
    empty list is a clean hinge) when tested or when any fault is marked, else NOT_TESTED."""
    faults = list(faults or [])
    return faults if tested or faults else NOT_TESTED


def with_drill_response(intake: Intake, low_back_pinch: Iterable[str],
                        hamstring_cramp: Iterable[str]) -> Intake:
    """The same intake with a drill response (what was felt during which drills)."""
    data = intake.model_dump()
    data["drill_response"] = {"low_back_pinch": list(low_back_pinch),
                              "hamstring_cramp": list(hamstring_cramp)}
    return Intake.model_validate(data)


def stops_here(result: Result) -> bool:
    """True when the answers so far reach a level that stops the screen (emergency, urgent)."""
    return result.triage.level in LEVELS_THAT_STOP_DRILLS


# -- conclusions, HOW and WHY NOT in words -----------------------------------------------------
def conclusions(result: Result) -> list[tuple[str, str]]:
    """Every conclusion of a result that has a HOW tree: (id, label), triage first."""
    cat = catalogue()
    out = [(result.triage.level, _("Triage: {label}", label=result.triage.label))]
    out += [(flag.id, _("Red flag: {label}", label=flag.label))
            for flag in result.triage.red_flags]
    seen = set()
    for deficit in result.deficits:
        if deficit.id not in seen:
            seen.add(deficit.id)
            out.append((deficit.id, _("Deficit: {label}", label=cat.deficits[deficit.id].label)))
    out += [(item.drill, _("Drill: {label}", label=item.name)) for item in result.plan]
    return out


def why_not_choices() -> list[tuple[str, str]]:
    """Every deficit and drill id a why-not question can ask about, with its label."""
    cat = catalogue()
    return ([(key, _("Deficit: {label}", label=d.label)) for key, d in cat.deficits.items()]
            + [(key, _("Drill: {label}", label=d.name)) for key, d in cat.drills.items()])


def how_markdown(nodes: list[HowNode], depth: int = 0, *, clinician: bool = False) -> str:
    """Justification trees as a nested Markdown list: each fact, the rule that concluded it
    (its text and source), then its premises, down to the intake answers."""
    lines: list[str] = []
    pad = "    " * depth
    for node in nodes:
        lines.append(f"{pad}- **{_md(node.text)}**")
        if node.rule:
            lines.append(f"{pad}    - " + _("because of rule `{rule}`: {text}", rule=node.rule,
                                                 text=_md(node.rule_text or "")))
            if node.source:
                lines.append(f"{pad}    - " + _("source: {source}", source=_md(node.source)))
        else:
            lines.append(f"{pad}    - " + (_("an intake answer") if clinician
                                           else _("your answer")))
        if node.premises:
            lines.append(how_markdown(node.premises, depth + 1, clinician=clinician))
    return "\n".join(lines)


_DOT_CERTAINTY = re.compile(r"(likely|possible),(?:\\n| )\d+\.\d+")
_DOT_WEIGHT = re.compile(r" \[label=\"weight [\d.]+\"\]")
_PERSON_COLUMN_TITLES = {"Your answers": "Answers", "Your plan": "Plan"}
_SIDE_AFTER_BRACKETS = re.compile(r"\(([^()]*)\)(\s|\\n)\((left|right|both)\)")


def one_bracket(text: str) -> str:
    """'A pinchy hip on one side (front of the hip) (right)' -> '... (front of the hip, right)':
    a side added to a label that already ends in brackets goes inside them."""
    return _SIDE_AFTER_BRACKETS.sub(r"(\1, \3)", text)


def reasoning_words(text: str, *, clinician: bool) -> str:
    """The reasoning picture's DOT or its summary with one pair of brackets per label, and in a
    clinician's words the column titles say 'Answers' and 'Plan', not 'Your answers' and 'Your
    plan'."""
    text = one_bracket(text)
    if not clinician:  # the person's picture: "likely" or "possible", no numbers (issue 20)
        text = _DOT_CERTAINTY.sub(r"\1", text)
        return _DOT_WEIGHT.sub("", text)
    for person, neutral in _PERSON_COLUMN_TITLES.items():
        text = text.replace(f'label="{person}"', f'label="{neutral}"')
        text = text.replace(f"{person}: ", f"{neutral}: ")
    return text


_CERTAINTY_IN_SUMMARY = re.compile(r"\b(likely|possible), \d+(\.\d+)?")
_NOT_ASKED_IN_SUMMARY = re.compile(r"(?:; )?safety\.not_asked: \w+")
_LINKS_IN_SUMMARY = re.compile(r"\s*\d+ links?\.")
_TRIAGE_IN_SUMMARY = re.compile(r"Triage: ([a-z ]+)\.")


def person_summary(summary: str) -> str:
    """The reasoning picture in words for the person: no certainty numbers ("likely, 0.60" ->
    "likely"), no count of the picture's links, and the level in their words."""
    text = _CERTAINTY_IN_SUMMARY.sub(r"\1", summary)
    unasked = len(_NOT_ASKED_IN_SUMMARY.findall(text))
    if unasked:  # the ids of the questions never asked: counted, in words
        text = _NOT_ASKED_IN_SUMMARY.sub("", text).replace("; .", ".").replace(": .", ":")
        text = text.replace("Your answers: ", f"Your answers: {unasked} health questions were not "
                                             "asked; ", 1)
    text = _LINKS_IN_SUMMARY.sub("", text)
    text = text.replace("Likely and possible deficits:", "What we think is going on:")
    text = text.replace("What they show:", "What your answers show:")
    return _TRIAGE_IN_SUMMARY.sub(
        lambda m: f"What to do: {LEVEL_WORDS.get(m[1].replace(' ', '_'), m[1])}.", text)


def note_to_paste(result: Result) -> str:
    """The clinician note (hipscreen.render.clinician_note) with the safety-netting the person
    was given, so the note holds the "see a clinician if" list its triage line speaks of."""
    note = clinician_note(result)
    if not result.safety_net or result.triage.level in LEVELS_THAT_STOP_DRILLS:
        return note
    body, sep, footer = note.rstrip("\n").rpartition("\n\n")
    lines = [_("Safety-netting given (see a clinician if):"),
             *(f"  - {' '.join(text.split())}" for text in result.safety_net)]
    return f"{body}\n" + "\n".join(lines) + f"{sep}{footer}\n"


def _md(text: str) -> str:
    """A sentence that may quote a person's words (a PSFS activity) as Markdown that renders as
    exactly this text."""
    return md(text)


# -- pictures ----------------------------------------------------------------------------------------
@functools.cache
def _shipped_picture(name: str) -> str | None:
    path = resources.files("hipscreen.knowledge") / "data" / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def picture_svg(name: str) -> str | None:
    """A picture of the knowledge base as SVG text ("pictures/hip_airplane.svg", relative to
    knowledge/data); None when there is no such file. Only .svg files inside the data folder."""
    rel = PurePosixPath(name)
    if rel.suffix != ".svg" or rel.is_absolute() or ".." in rel.parts:
        return None
    return _shipped_picture(str(rel))


@functools.lru_cache(maxsize=64)
def _reasoning_svg(dot: str) -> str | None:
    try:
        return dot_to_svg(dot)
    except PictureError:
        return None


def reasoning_picture_img(result: Result, *, alt: str, clinician: bool = False) -> str | None:
    """The reasoning picture as an <img> of its SVG (a data URI, so nothing is fetched), at its
    own size so its text stays readable (11 pt) however narrow the screen; None when it cannot
    be drawn. The page puts it in a box that scrolls sideways."""
    svg = _reasoning_svg(reasoning_words(reasoning_dot(result), clinician=clinician))
    if svg is None:
        return None
    size = re.search(r'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', svg)
    width = f"{float(size[1]) * 4 / 3:.0f}px" if size else "100%"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" '
            f'style="width:{width}; max-width:none; height:auto; display:block">')


# -- the body map ------------------------------------------------------------------------------
# Regions on two outline figures, 200 x 400 each: the back view (the person's left is on the
# viewer's left) and the front view (the person's left is on the viewer's right).
_BACK_REGIONS: dict[str, tuple[str, float, float, float, float]] = {
    # location: (shape, cx, cy, rx, ry) on the back figure
    "low_back_left": ("ellipse", 82, 150, 14, 14),
    "low_back_central": ("ellipse", 100, 150, 6, 16),
    "low_back_right": ("ellipse", 118, 150, 14, 14),
    "si_left": ("ellipse", 90, 178, 8, 8),
    "si_right": ("ellipse", 110, 178, 8, 8),
    "deep_glute_left": ("ellipse", 78, 196, 14, 12),
    "deep_glute_right": ("ellipse", 122, 196, 14, 12),
    "hamstring_left": ("ellipse", 80, 250, 12, 30),
    "hamstring_right": ("ellipse", 120, 250, 12, 30),
    "below_knee_left": ("ellipse", 80, 330, 10, 36),
    "below_knee_right": ("ellipse", 120, 330, 10, 36),
}
_FRONT_REGIONS: dict[str, tuple[str, float, float, float, float]] = {
    "front_hip_left": ("ellipse", 124, 186, 12, 10),
    "front_hip_right": ("ellipse", 76, 186, 12, 10),
    "groin_left": ("ellipse", 108, 210, 8, 10),
    "groin_right": ("ellipse", 92, 210, 8, 10),
    "belly": ("ellipse", 100, 138, 22, 18),
    "thigh_front_left": ("ellipse", 119, 254, 11, 26),
    "thigh_front_right": ("ellipse", 81, 254, 11, 26),
    "knee_left": ("ellipse", 118, 302, 10, 11),
    "knee_right": ("ellipse", 82, 302, 10, 11),
}
_OUTLINE = (
    # head, trunk, arms, legs of a simple standing figure, 200 wide
    '<circle cx="100" cy="40" r="24"/>'
    '<path d="M70 72 Q100 62 130 72 L136 170 Q138 200 132 212 L68 212 Q62 200 64 170 Z"/>'
    '<path d="M70 76 L48 160 L56 164 L76 100 Z"/><path d="M130 76 L152 160 L144 164 L124 100 Z"/>'
    '<path d="M68 210 L66 300 L70 380 L92 380 L96 300 L99 214 Z"/>'
    '<path d="M132 210 L134 300 L130 380 L108 380 L104 300 L101 214 Z"/>'
)


def body_map_alt(selected: Iterable[str]) -> str:
    """The body map in words, for its alt text: which places are marked."""
    chosen = set(selected)
    described = "; ".join(LOCATION_LABELS[loc] for loc in LOCATION_LABELS if loc in chosen)
    return _("Body map: the body from behind and from the front. Where it hurts: {places}.",
             places=described or _("nothing marked yet"))


def body_map_svg(selected: Iterable[str]) -> str:
    """An SVG of the body from behind and from the front with each pain location drawn as a
    region; selected locations are filled. Every region has a <title> in words."""
    chosen = set(selected)
    unknown = chosen - set(LOCATION_LABELS)
    if unknown:
        raise ValueError(f"unknown pain locations: {sorted(unknown)}")

    def regions(table, dx: int) -> str:
        out = []
        for loc, (_shape, cx, cy, rx, ry) in table.items():
            on = loc in chosen
            out.append(
                f'<ellipse id="{loc}" class="{"selected" if on else "region"}" '
                f'cx="{cx + dx}" cy="{cy}" rx="{rx}" ry="{ry}" '
                f'fill="{"#d62728" if on else "#ffffff"}" fill-opacity="{0.85 if on else 0.6}" '
                f'stroke="{"#7f0000" if on else "#888888"}" stroke-width="{2 if on else 1}">'
                f"<title>{LOCATION_LABELS[loc]}{_(' (hurts)') if on else ''}</title></ellipse>")
        return "".join(out)

    title = body_map_alt(chosen)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 440 430" width="440" height="430" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        '<rect width="440" height="430" fill="#ffffff"/>'
        f'<g fill="#eeeeee" stroke="#999999" stroke-width="1.5">{_OUTLINE}</g>'
        f'<g transform="translate(240 0)" fill="#eeeeee" stroke="#999999" stroke-width="1.5">'
        f"{_OUTLINE}</g>"
        f"{regions(_BACK_REGIONS, 0)}{regions(_FRONT_REGIONS, 240)}"
        '<g font-family="Helvetica, Arial, sans-serif" font-size="13" fill="#222222" '
        'text-anchor="middle">'
        f'<text x="100" y="405">{_("From behind")}</text>'
        f'<text x="340" y="405">{_("From the front")}</text>'
        '<text x="30" y="150">L</text><text x="170" y="150">R</text>'
        '<text x="270" y="150">R</text><text x="410" y="150">L</text></g></svg>')


# -- the knowledge tables ----------------------------------------------------------------------
def condition_words(cond: Any) -> str:
    """A rule condition in words ("finding: Hip shift in a squat or hinge", "answer: In a hip
    hinge is My weight shifts to one side", "no red flag") instead of its pattern code."""
    if cond.alternatives:
        return " or ".join(condition_words(a) for a in cond.alternatives)
    fields = dict(cond.fields)
    cat = catalogue()

    def literal(name: str) -> Any:
        value = fields.get(name)
        return value if isinstance(value, str | bool | int) else None

    ident = literal("id")
    if cond.kind == "Finding" and ident in cat.findings:
        words = f"finding: {cat.findings[ident].label}"
        if "side" in fields and cat.findings[ident].sided:
            words += " (on its side)" if literal("side") is None else f" ({fields['side']})"
    elif cond.kind == "Answer" and literal("field"):
        field, value = literal("field"), fields.get("value")
        words = f"answer: {field_label(field)}"
        if isinstance(value, str | bool | int):
            words += f" is {value_words(field, value)}"
        elif value is not None:
            shown = cond.text().split("value=", 1)[1].rstrip(")")
            if "<test>" not in shown and "?" not in shown:
                words += f" {shown}"
            elif "?" not in shown:
                words += " (see the rule text)"
    elif cond.kind == "RedFlag":
        words = (f"red flag: {cat.red_flags[ident].label}" if ident in cat.red_flags
                 else "a red flag" + (" that stops drills" if fields.get("stops_drills") else ""))
    elif cond.kind == "Deficit":
        words = f"deficit: {cat.deficits[ident].label}" if ident in cat.deficits else "a deficit"
    elif cond.kind in ("Candidate", "Planned", "Blocked", "Replaced"):
        drill = literal("drill")
        words = (f"{cond.kind.lower()} drill: {cat.drills[drill].name}" if drill in cat.drills
                 else f"a {cond.kind.lower()} drill")
    elif cond.kind == "Evidence":
        words = "any evidence for a deficit"
    else:
        words = cond.text()
    return f"no {words}" if cond.negated and not words.startswith("no ") else words


def knowledge_tables() -> dict[str, pd.DataFrame]:
    """Rules, findings, deficits, drills, red flags, precautions and self-tests as tables; the
    id, the words and the source come first, so a narrow screen shows what matters."""
    import pandas as pd

    cat = catalogue()
    cite = cat.cite
    tables = {
        N_("Rules"): pd.DataFrame([
            {"id": r.id, "text": " ".join(r.text.split()), "source": cite(r.source),
             "stage": r.stage, "when": "; ".join(condition_words(c) for c in r.conditions
                                                 if c.kind != "InitialFact"),
             "concludes": ", ".join(r.concludes),
             "weight": "" if r.weight is None else f"{r.weight:g}"}
            for r in rules().values()]),
        N_("Findings"): pd.DataFrame([
            {"id": k, "label": f.label, "source": cite(f.source),
             "sided": "yes" if f.sided else "no", "from answers": ", ".join(
                 field_label(a) for a in f.answers)} for k, f in cat.findings.items()]),
        N_("Deficits"): pd.DataFrame([
            {"id": k, "label": d.label, "text": " ".join(d.text.split()),
             "source": cite(d.source), "drills": ", ".join(cat.drills[x].name for x in d.drills)}
            for k, d in cat.deficits.items()]),
        N_("Drills"): pd.DataFrame([
            {"id": k, "name": d.name, "purpose": " ".join(d.purpose.split()),
             "source": cite(d.source), "variant": d.variant, "dose": d.dose.text(),
             "easier": d.regression, "harder": d.progression}
            for k, d in sorted(cat.drills.items(), key=lambda kv: kv[1].order)]),
        N_("Red flags"): pd.DataFrame([
            {"id": k, "label": f.label, "action": f.action, "source": cite(f.source),
             "level": f.level.replace("_", " "), "when": f.when,
             "stops drills": "yes" if f.stops_drills else "no"}
            for k, f in cat.red_flags.items()]),
        N_("Precautions"): pd.DataFrame([
            {"id": k, "label": p.label, "text": " ".join(p.text.split()),
             "source": cite(p.source)} for k, p in cat.precautions.items()]),
        N_("Self-tests"): pd.DataFrame([
            {"id": k, "label": t.label, "how to": t.how_to, "source": cite(t.source),
             "would check": t.would_check} for k, t in cat.movement_tests.items()]),
    }
    return tables


def filter_table(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows in which every word of the query appears somewhere (case-insensitive)."""
    import pandas as pd

    words = query.lower().split()
    if not words or table.empty:
        return table
    haystack = table.apply(lambda row: " ".join(str(v) for v in row).lower(), axis=1)
    mask = pd.Series(True, index=table.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return table[mask]


# -- an intake as a case file ------------------------------------------------------------------
_CASE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def case_id_from(text: str) -> str:
    """A case id (lowercase words joined by hyphens) from any title."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "new-case"


def case_file_yaml(result: Result, *, case_id: str = "new-case",
                   title: str = "Intake saved from the app",
                   story: str = "Describe the case in words before adding it to cases/.",
                   source: str = "hipscreen app intake") -> str:
    """The result's intake as a case-file YAML (docs/design.md "Case files"), with `expect` filled
    from what the screen concluded, for a clinician to check and turn into a documented case."""
    if not _CASE_ID.match(case_id):
        raise ValueError(f"case id {case_id!r}: use lowercase words joined by hyphens")
    intake = result.intake.model_dump(mode="json", exclude_defaults=True)
    intake = {"mode": result.intake.mode, **intake}
    expect: dict[str, Any] = {"triage": result.triage.level}
    deficits = list(dict.fromkeys(result.deficit_ids()))
    if deficits:
        expect["deficits"] = deficits
    if result.plan:
        expect["drills"] = result.drill_ids()
    doc = {"id": case_id, "title": title, "story": story, "source": source,
           "intake": intake, "expect": expect}
    header = ("# Drafted by hipscreen from an intake. Check the story and what `expect` says\n"
              "# before you add it to cases/ (the file stem must equal the id).\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


# -- the case lab --------------------------------------------------------------------------------
def default_cases_dir() -> Path | None:
    """The case folder to offer first: ./cases where the app was started, else the checkout's
    cases/, else the case files installed with hipscreen; None when there are none."""
    from hipscreen.cases import default_cases_dir as cases_dir

    folder = cases_dir()
    return folder if folder.is_dir() else None


def case_from_upload(name: str, data: bytes) -> CaseFile:
    """Validate an uploaded case file in memory (nothing is written to disk); raise CaseError
    naming the file, the field and what was expected, as the case runner does for a path."""
    try:
        text = decode(data, name)
    except InputError as exc:
        raise CaseError(str(exc)) from None
    return load_case_text(text, name)


def differences_frame(result: CaseResult) -> pd.DataFrame:
    """One row per expectation a case does not meet: field, id, expected, actual, and the rule
    base's explanation."""
    import pandas as pd

    return pd.DataFrame(
        [{"field": d.field, "id": d.id or "", "expected": d.expected, "actual": d.actual,
          "explanation": d.explanation or ""} for d in result.differences],
        columns=["field", "id", "expected", "actual", "explanation"])
