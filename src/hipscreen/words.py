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
    "thigh_front_left": "Front of the thigh, left",
    "thigh_front_right": "Front of the thigh, right",
    "knee_left": "Knee, left",
    "knee_right": "Knee, right",
    "belly": "Belly",
}

ACTIVITY_LABELS: dict[str, str] = {
    "running": "Running",
    "lifting": "Weight training (lifting)",
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
    None: "Not given",
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "undisclosed": "Prefer not to say",
}
"""Sex in words. A form offers the four answers (None is what an unanswered question reads as,
never an option next to "Prefer not to say")."""

CLINICIAN_HINGE_FAULT_LABELS: dict[str, str] = {
    "back_rounds": "Lumbar flexion (back rounds)",
    "back_arches": "Lumbar hyperextension (back arches)",
    "turns_into_squat": "Knee-dominant (turns into a squat)",
    "shifts_to_one_side": "Lateral weight shift",
    "no_hamstring_load": "No hamstring loading",
    "back_pain": "Back pain on hinging",
}
"""Hinge faults in a clinician's words (HINGE_FAULT_LABELS are the person's own words)."""

HAMSTRING_LABELS: dict[str, str] = {
    "none": "No", "left": "Yes, left", "right": "Yes, right", "both": "Yes, both sides"}

CONFIDENCE_WORDS = {"likely": "Likely", "possible": "Possible"}


def certainty_scale() -> str:
    """Where 'possible' and 'likely' start, from the thresholds in the knowledge base. A
    certainty factor is not a probability, so it is never written as a percentage."""
    thresholds = catalogue().thresholds
    return (f"'possible' from a certainty of {thresholds['possible_certainty'].number()}, "
            f"'likely' from {thresholds['likely_certainty'].number()}")


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
    "both_legs_pain_or_tingling": "Bilateral leg pain or paraesthesia",
    "sexual_function_change": "Change in sexual function",
    "recent_fall_or_injury": "Fall or injury in the last 2 weeks",
    "sudden_severe_pain": "Sudden severe back or abdominal pain",
    "faint_clammy_or_collapsed": "Faint, clammy or collapsed",
    "new_limp": "New limp",
    "recent_infection": "Infection in the last 6 weeks",
    "wakes_second_half_of_night": "Night waking, second half of night",
    "better_with_movement": "Back pain better with movement",
    "better_with_anti_inflammatories": "Anti-inflammatories help within 48 h",
    "family_spondyloarthritis": "Family history of spondyloarthritis",
    "arthritis_history": "Arthritis, now or past",
    "enthesitis_history": "Enthesitis, now or past",
    "psoriasis_history": "Psoriasis, now or past",
}
"""Short labels for the clinician's dense form and report (the full wording is the field's help
text)."""


_SECTIONS: dict[str, type[BaseModel]] = {
    "safety": Safety, "symptoms": Symptoms, "movement": Movement, "drill_response": DrillResponse}


_SHORT_LABELS = {
    "safety.hip_surgery": "Hip surgery (replacement or other)",
    "movement.hinge_faults": "In a hip hinge",
    "movement.pelvic_drop": "Standing on that leg, the hip of the lifted leg sinks",
    "movement.hip_ir_limited": "The hip turns in less far on that side",
    "movement.front_hip_pinch": "Pinch at the front of the hip, knee to chest",
    "movement.hip_ir_degrees": "Hip internal rotation measured",
    "sex": "Sex",
    "activities": "Regular activities",
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


NOT_ASKED = "Not asked"
"""A safety question never asked (None): never shown as "No" (docs/design.md, "Not asked is not
'no'")."""
NOT_ASKED_FIELD = "safety.not_asked"
"""The answer the engine declares for each safety question never asked (its value: the name)."""


def value_words(field: str, value: Any) -> str:
    """One answer value in plain words, for the field it belongs to. None is 'Not asked' for a
    safety question, 'Not tested' for a movement test, 'Not given' for anything else."""
    name = field.rpartition(".")[2]
    if value is None:
        if field.startswith("safety."):
            return NOT_ASKED
        return "Not tested" if field.startswith("movement.") else "Not given"
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
    if field == NOT_ASKED_FIELD:  # "safety.not_asked = saddle_numbness"
        return answer_text(f"safety.{value}", None)
    shown: Any = {"True": True, "False": False}.get(value, value)
    if field == "movement.hip_ir_degrees" or field not in _known_fields():
        return f"{field_label(field)}: {value}"
    return answer_text(field, shown)


def flag_answer_words(answers: list[str] | tuple[str, ...]) -> list[str]:
    """The answers behind a red flag in plain words, the safety questions never asked named
    once as such ("Not asked: ...", or "No safety question was asked"), never as a "No"."""
    prefix = f"{NOT_ASKED_FIELD} = "
    words = [answer_line_words(a) for a in answers if not a.startswith(prefix)]
    unasked = [a.removeprefix(prefix) for a in answers if a.startswith(prefix)]
    if unasked and set(unasked) >= set(Safety.model_fields):
        words.append("No safety question was asked")
    elif unasked:
        words.append("Not asked: " + "; ".join(field_label(f"safety.{n}") for n in unasked))
    return words


def _known_fields() -> set[str]:
    known = {name for name in Intake.model_fields}
    known |= {f"{section}.{name}" for section, model in _SECTIONS.items()
              for name in model.model_fields}
    return known


# -- the reasons, in a person's words ---------------------------------------------------------
# No rule ids, field paths or numbers: each deficit and finding as a plain clause. A pair is
# (words for one side, with {side} for "left" or "right"; words without a side, or for both).
DEFICIT_SENTENCES: dict[str, tuple[str, str]] = {
    "hip_stability_deficit": ("your {side} hip is not steadying your pelvis well",
                              "your hips are not steadying your pelvis well"),
    "hinge_pattern_deficit": ("when you bend forward, your low back does work your hips should do",
                              "when you bend forward, your low back does work your hips should do"),
    "hip_ir_control_deficit": (
        "your {side} hip does not control turning inward under load, so your low back twists "
        "instead",
        "your hips do not control turning inward under load, so your low back twists instead"),
    "rotational_control_deficit": ("your low back takes the turning your {side} hip should take",
                                   "your low back takes the turning your hips should take"),
    "glute_underuse": (
        "your {side} buttock muscles are not doing their share yet, so the hamstring takes over",
        "your buttock muscles are not doing their share yet, so the hamstrings take over"),
    "protective_tension": (
        "your tight muscles on the {side} are bracing to protect the hip, so more stretching "
        "will not fix them",
        "your tight muscles are bracing to protect the hip, so more stretching will not fix them"),
}

FINDING_SENTENCES: dict[str, tuple[str, str]] = {
    "hip_shift": ("your hips drifted to the {side} when you squatted or bent forward",
                  "your hips drifted to one side when you squatted or bent forward"),
    "knee_collapse": ("your {side} knee caved inward", "your knees caved inward"),
    "one_sided_low_back_tightness": ("your low back hurts on the {side}",
                                     "your low back hurts on one side"),
    "pinchy_hip": ("you feel a pinch at the front of your {side} hip",
                   "you feel a pinch at the front of your hips"),
    "recurring_hamstring_strain": ("you keep straining the back of your {side} thigh",
                                   "you keep straining the backs of your thighs"),
    "si_irritation": ("it hurts at the back of your pelvis on the {side}",
                      "it hurts at the back of your pelvis"),
    "deep_glute_ache": ("you ache deep in your {side} buttock", "you ache deep in your buttocks"),
    "poor_single_leg_balance": ("you could not keep your balance on your {side} leg",
                                "you could not keep your balance on one leg"),
    "pelvic_drop": ("your pelvis dropped when you stood on your {side} leg",
                    "your pelvis dropped when you stood on one leg"),
    "hinge_spine_takes_over": ("your low back rounded or arched when you bent forward",
                               "your low back rounded or arched when you bent forward"),
    "hinge_weight_shifts": ("your weight shifted to one side when you bent forward",
                            "your weight shifted to one side when you bent forward"),
    "hinge_turns_into_squat": ("your bend forward turned into a squat",
                               "your bend forward turned into a squat"),
    "hamstrings_never_load": ("you felt nothing at the back of your thighs when you bent forward",
                              "you felt nothing at the back of your thighs when you bent forward"),
    "pain_when_hinging": ("bending forward or lifting hurts your back",
                          "bending forward or lifting hurts your back"),
    "feels_stuck_in_hip": ("your {side} hip feels stuck", "your hips feel stuck"),
    "back_pain_after_leg_day": ("your back hurts after leg days", "your back hurts after leg days"),
    "limited_hip_ir": ("your {side} hip turns inward less far than it should",
                       "your hips turn inward less far than they should"),
    "pain_with_rotation": ("turning or twisting hurts", "turning or twisting hurts"),
    "hamstring_cramp_in_single_leg_hinge": (
        "your hamstring cramped in the single-leg hinge",
        "your hamstring cramped in the single-leg hinge"),
    "stretching_relief_does_not_last": ("stretching helps only for a while",
                                        "stretching helps only for a while"),
    "keeps_coming_back": ("the pain keeps coming back", "the pain keeps coming back"),
}


def _clause(table: Mapping[str, tuple[str, str]], key: str, side: str) -> str:
    sided, sideless = table[key]
    return sided.format(side=side) if side in ("left", "right") else sideless


def deficit_words(deficit_id: str, side: str) -> str:
    """What a deficit means for the person, on its side: 'your right hip is not steadying your
    pelvis well'."""
    return _clause(DEFICIT_SENTENCES, deficit_id, side)


def finding_words(finding_id: str, side: str) -> str:
    """A finding as the person would say it: 'your hips drifted to the right when you squatted
    or bent forward'."""
    return _clause(FINDING_SENTENCES, finding_id, side)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def supporting_findings(result: Any, deficit_id: str, side: str) -> list[tuple[str, str]]:
    """(finding id, side) behind one concluded deficit and side, read from the trace, in the
    order they were found; empty without the trace."""
    steps = {s.fact_id: s for s in result.trace}
    found: list[tuple[str, str]] = []
    for step in result.trace:
        if step.kind != "Deficit" or (step.data["id"], step.data["side"]) != (deficit_id, side):
            continue
        for premises in [step.premises] + [a.get("premises", []) for a in step.also_by]:
            for evidence in (steps.get(p) for p in premises):
                if evidence is None or evidence.kind != "Evidence":
                    continue
                for f in (steps.get(p) for p in evidence.premises):
                    if f is not None and f.kind == "Finding":
                        key = (f.data["id"], f.data["side"])
                        if key not in found:
                            found.append(key)
    return found


_SPINE_FAULT_WORDS = {("back_rounds",): "your low back rounded when you bent forward",
                      ("back_arches",): "your low back arched when you bent forward"}


def _finding_words_for(result: Any, finding_id: str, side: str) -> str:
    """finding_words, said as the person answered: 'rounded' when only a rounding back was
    ticked, not 'rounded or arched'."""
    if finding_id == "hinge_spine_takes_over":
        faults = tuple(f for f in (getattr(result.intake.movement, "hinge_faults", None) or ())
                       if f in ("back_rounds", "back_arches"))
        if faults in _SPINE_FAULT_WORDS:
            return _SPINE_FAULT_WORDS[faults]
    return finding_words(finding_id, side)


def person_sentence(result: Any, deficit: Any) -> str:
    """One concluded deficit for the person, in a plain sentence with its reasons: 'We think
    your right hip is not steadying your pelvis well, because your hips drifted to the right
    when you squatted or bent forward and your low back hurts on the right.' Likely / possible
    in words; no ids, fields or numbers."""
    what = deficit_words(deficit.id, deficit.side)
    opening = "We think" if deficit.confidence == "likely" else "It is possible that"
    reasons = list(dict.fromkeys(_finding_words_for(result, f, s) for f, s in
                                 supporting_findings(result, deficit.id, deficit.side)))
    because = f", because {_join(reasons)}" if reasons else ""
    return f"{opening} {what}{because}."


def drill_purpose_words(result: Any, serves: list[str], side: str) -> list[str]:
    """Why a drill is in the plan, for the person: what it trains, in plain words."""
    out = []
    for deficit in result.deficits:
        if deficit.id in serves and (side in (deficit.side, "both") or deficit.side == "both"):
            line = f"It trains what we found: {deficit_words(deficit.id, deficit.side)}."
            if line not in out:
                out.append(line)
    return out


def tell_the_service(result: Any) -> list[str]:
    """What to tell the emergency department, a GP or NHS 111 when the screen stops: who, what
    was noticed (the red-flag answers in plain words), and that a screening aid sent you."""
    intake = result.intake
    who = f"I am {intake.age} years old and I" if intake.age is not None else "I"
    lines = [f"{who} have low back or hip pain"
             + (f" (this time for {intake.symptoms.weeks} weeks)." if intake.symptoms.weeks
                else ".")]
    noticed: list[str] = []
    for flag in result.triage.red_flags:
        for line in flag.answers:
            field, _, value = line.partition(" = ")
            if field in ("age", NOT_ASKED_FIELD) or value == "False":  # not noticed: not asked
                continue
            if value == "True":
                words = field_label(field)
            elif field == "symptoms.locations":
                words = "Pain: " + LOCATION_LABELS.get(value, value)
            else:
                words = answer_line_words(line)
            if words not in noticed:
                noticed.append(words)
    if noticed:
        lines.append("What I noticed: " + "; ".join(noticed) + ".")
    lines.append(f"A screening aid (hipscreen) said: {result.triage.action}")
    return lines


# -- a clinician's words, for the note and the clinician views ------------------------------------
SIDE_ABBREVIATIONS = {"left": "L", "right": "R", "both": "bilateral", "none": "none"}

CLINICIAN_LOCATION_LABELS: dict[str, str] = {
    "low_back_left": "Low back L",
    "low_back_right": "Low back R",
    "low_back_central": "Low back, central",
    "si_left": "SI joint L",
    "si_right": "SI joint R",
    "deep_glute_left": "Deep gluteal L",
    "deep_glute_right": "Deep gluteal R",
    "front_hip_left": "Anterior hip L",
    "front_hip_right": "Anterior hip R",
    "groin_left": "Groin L",
    "groin_right": "Groin R",
    "hamstring_left": "Posterior thigh (hamstring) L",
    "hamstring_right": "Posterior thigh (hamstring) R",
    "below_knee_left": "Below the knee L",
    "below_knee_right": "Below the knee R",
    "thigh_front_left": "Anterior thigh L",
    "thigh_front_right": "Anterior thigh R",
    "knee_left": "Knee L",
    "knee_right": "Knee R",
    "belly": "Abdomen",
}

CLINICIAN_ACTIVITY_LABELS: dict[str, str] = {
    "running": "running",
    "lifting": "weight training",
    "golf": "golf",
    "crossfit": "CrossFit",
    "field_sports": "field sports",
    "lifting_kids": "lifting children",
    "desk_work": "desk work",
    "manual_work": "manual work",
}

CLINICIAN_AGGRAVATOR_LABELS: dict[str, str] = {
    "after_leg_day": "after lower-limb training",
    "sitting_then_training": "training after prolonged sitting",
    "bending_lifting": "bending and lifting",
    "rotation": "rotation (golf, throwing)",
    "running": "running",
    "stairs": "stairs",
    "getting_out_of_car": "getting out of a car",
    "lifting_kids": "lifting children",
}

CLINICIAN_MOVEMENT_LABELS: dict[str, str] = {
    "hip_shift": "Lateral hip shift (squat or hinge)",
    "knee_collapse": "Dynamic knee valgus (squat or step-down)",
    "single_leg_balance_poor": "Single-leg stance failed",
    "pelvic_drop": "Contralateral pelvic drop in single-leg stance (stance leg)",
    "hinge_faults": "Hip hinge",
    "hip_ir_limited": "Hip IR limited (observed)",
    "hip_ir_degrees": "Hip IR",
    "front_hip_pinch": "Anterior hip pinch in deep flexion",
    "feels_stuck_in_hip": "Hip feels stuck",
}

LEVEL_WORDS = {"emergency": "Emergency", "urgent": "Urgent",
               "clinician_review": "See a clinician", "self_care": "Self-care"}
"""Triage levels in the person's words (lists and tables)."""

CLINICIAN_LEVEL_WORDS = {"emergency": "EMERGENCY", "urgent": "URGENT (same day)",
                         "clinician_review": "CLINICIAN REVIEW", "self_care": "SELF-CARE"}


def clinician_value_words(field: str, value: Any) -> str:
    """An answer value in a clinician's words: sides as L / R / bilateral, hinge faults and
    locations in clinical terms, IR as '22 deg L / 38 deg R'."""
    name = field.rpartition(".")[2]
    if field == "movement.hip_ir_degrees":
        left, right = ((value["left"], value["right"]) if isinstance(value, Mapping)
                       else (value.left, value.right))
        return f"{left} deg L / {right} deg R"
    if field == "movement.hinge_faults":
        return ", ".join(CLINICIAN_HINGE_FAULT_LABELS[v] for v in value) or "clean hinge"
    if isinstance(value, list | tuple):
        table = {"locations": CLINICIAN_LOCATION_LABELS, "worse_with": CLINICIAN_AGGRAVATOR_LABELS,
                 "activities": CLINICIAN_ACTIVITY_LABELS}.get(name)
        if table is not None:
            return ", ".join(table[v] for v in value) or "none"
        return ", ".join(clinician_value_words(field, v) for v in value) or "none"
    if field.startswith("movement.") or name == "recurring_hamstring_strain":
        return SIDE_ABBREVIATIONS.get(value, str(value))
    return value_words(field, value)
