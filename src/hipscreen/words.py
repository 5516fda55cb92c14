"""Intake answers in plain words: field and value labels for the app, the picture and the reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import DrillResponse, Intake, Movement, Safety, Symptoms

SIDE_WORDS = {"left": "Left", "right": "Right", "both": "Both sides", "none": "Neither side"}

LOCATION_LABELS: dict[str, str] = {
    "low_back_left": "Low back, left",
    "low_back_right": "Low back, right",
    "low_back_central": "Low back, middle",
    "si_left": "Back of the pelvis (SI joint), left",
    "si_right": "Back of the pelvis (SI joint), right",
    "deep_glute_left": "Deep in the buttock, left",
    "deep_glute_right": "Deep in the buttock, right",
    "front_hip_left": "Front of the hip, left",
    "front_hip_right": "Front of the hip, right",
    "groin_left": "Groin, left",
    "groin_right": "Groin, right",
    "hamstring_left": "Back of the thigh (hamstring), left",
    "hamstring_right": "Back of the thigh (hamstring), right",
    "below_knee_left": "Below the knee, left",
    "below_knee_right": "Below the knee, right",
}

ACTIVITY_LABELS: dict[str, str] = {
    "running": "Running",
    "lifting": "Lifting weights",
    "golf": "Golf",
    "crossfit": "CrossFit",
    "field_sports": "Field sports (football, rugby, hockey ...)",
    "lifting_kids": "Lifting children",
    "desk_work": "Desk work, sitting a lot",
    "manual_work": "Manual work",
}

AGGRAVATOR_LABELS: dict[str, str] = {
    "after_leg_day": "After a leg day in the gym",
    "sitting_then_training": "Sitting all day, then training",
    "bending_lifting": "Bending and lifting",
    "rotation": "Turning or twisting (golf, throwing)",
    "running": "Running",
    "stairs": "Stairs",
    "getting_out_of_car": "Getting out of a car",
    "lifting_kids": "Lifting children",
}

HINGE_FAULT_LABELS: dict[str, str] = {
    "back_rounds": "The stick leaves my lower back (my back rounds)",
    "back_arches": "A big gap opens at my lower back (my back arches)",
    "turns_into_squat": "My knees bend a lot - it turns into a squat",
    "shifts_to_one_side": "My weight shifts to one side",
    "no_hamstring_load": "I feel nothing in the back of my thighs",
    "back_pain": "It hurts my back",
}

HIP_SURGERY_LABELS: dict[str, str] = {
    "none": "No hip surgery",
    "under_12_weeks": "Yes, less than 12 weeks ago",
    "over_12_weeks": "Yes, 12 weeks ago or more",
}

SEX_LABELS: dict[str | None, str] = {
    None: "Prefer not to say",
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "undisclosed": "Undisclosed",
}

HAMSTRING_LABELS: dict[str, str] = {
    "none": "No", "left": "Yes, left", "right": "Yes, right", "both": "Yes, both sides"}

CONFIDENCE_WORDS = {"likely": "Likely", "possible": "Possible"}


def certainty_scale() -> str:
    """Where 'possible' and 'likely' start, from the thresholds in the knowledge base."""
    thresholds = catalogue().thresholds
    return (f"'possible' from {thresholds['possible_certainty'].value:.0%}, "
            f"'likely' from {thresholds['likely_certainty'].value:.0%}")


CLINICIAN_SAFETY_LABELS: dict[str, str] = {
    "bladder_or_bowel_change": "Bladder or bowel change",
    "saddle_numbness": "Saddle numbness",
    "both_legs_numb_or_weak": "Both legs numb or weak",
    "worsening_leg_weakness": "Worsening leg weakness",
    "cannot_bear_weight": "Cannot bear weight",
    "significant_trauma": "Significant trauma",
    "hot_swollen_hip": "Hot, swollen hip",
    "fever_or_unwell": "Fever or systemically unwell",
    "cancer_history": "History of cancer",
    "unexplained_weight_loss": "Unexplained weight loss",
    "constant_night_pain": "Constant night pain",
    "osteoporosis_or_steroids": "Osteoporosis or long-term steroids",
    "immunosuppressed": "Immunosuppressed or injects drugs",
    "morning_stiffness_over_30_min": "Morning stiffness over 30 min",
    "pregnant": "Pregnant",
}
"""Short labels for the clinician's dense form and report (the full wording is the field's help
text)."""


_SECTIONS: dict[str, type[BaseModel]] = {
    "safety": Safety, "symptoms": Symptoms, "movement": Movement, "drill_response": DrillResponse}


_SHORT_LABELS = {
    "safety.hip_surgery": "Hip surgery (replacement or other)",
    "movement.hinge_faults": "In a hip hinge",
    "movement.hip_ir_degrees": "Hip internal rotation measured",
    "sex": "Sex",
    "symptoms.pain_now": "Pain now",
    "symptoms.pain_worst_week": "Worst pain in the last week",
    "symptoms.weeks": "This episode has lasted",
    "mode": "Filled in by",
}


def field_label(path: str) -> str:
    """The plain-words label of an intake field, from its description ("safety.pregnant" ->
    "Pregnant now"); the dotted path itself when the field is unknown."""
    if path in _SHORT_LABELS:
        return _SHORT_LABELS[path]
    section, _, name = path.partition(".")
    if name and section in _SECTIONS:
        model = _SECTIONS[section]
    else:
        model, name = Intake, section
    field = model.model_fields.get(name)
    return field.description if field is not None and field.description else path


def value_words(field: str, value: Any) -> str:
    """One answer value in plain words, for the field it belongs to."""
    name = field.rpartition(".")[2]
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if field == "movement.hip_ir_degrees":
        if isinstance(value, Mapping):
            left, right = value["left"], value["right"]
        elif hasattr(value, "left"):  # the HipIRDegrees model itself
            left, right = value.left, value.right
        else:
            left, right = value
        return f"left {left} degrees, right {right} degrees"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(field, v) for v in value) or "nothing chosen"
    tables: dict[str, Mapping] = {
        "locations": LOCATION_LABELS, "activities": ACTIVITY_LABELS,
        "worse_with": AGGRAVATOR_LABELS, "hinge_faults": HINGE_FAULT_LABELS,
        "hip_surgery": HIP_SURGERY_LABELS, "sex": SEX_LABELS,
        "recurring_hamstring_strain": HAMSTRING_LABELS,
        "mode": {"self": "The person themselves", "clinician": "A clinician"},
    }
    if name in tables and value in tables[name]:
        return tables[name][value]
    if field.startswith("drill_response.") and value in catalogue().drills:
        return catalogue().drills[value].name
    if field.startswith("movement.") and value in SIDE_WORDS:
        return SIDE_WORDS[value]
    if name in ("pain_now", "pain_worst_week"):
        return f"{value} out of 10"
    if name == "weeks":
        return f"{value} weeks"
    return str(value)


def answer_text(field: str, value: Any) -> str:
    """An intake answer in words: "Where it hurts: Low back, right"."""
    return f"{field_label(field)}: {value_words(field, value)}"


def answer_line_words(line: str) -> str:
    """An answer as the engine states it ("safety.saddle_numbness = True") in plain words
    ("Numbness around the genitals, back passage or inner thighs: Yes")."""
    field, sep, value = line.partition(" = ")
    if not sep:
        return line
    shown: Any = {"True": True, "False": False}.get(value, value)
    if field == "movement.hip_ir_degrees" or field not in _known_fields():
        return f"{field_label(field)}: {value}"
    return answer_text(field, shown)


def _known_fields() -> set[str]:
    known = {name for name in Intake.model_fields}
    known |= {f"{section}.{name}" for section, model in _SECTIONS.items()
              for name in model.model_fields}
    return known
