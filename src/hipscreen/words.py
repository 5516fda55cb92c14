"""Intake answers in plain words: field and value labels for the app, the picture and the reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from hipscreen.i18n import N_, SOURCE_LANGUAGE, Words, _, current_language, ngettext, translate
from hipscreen.knowledge.catalogue import catalogue, source_catalogue
from hipscreen.knowledge.intake import DrillResponse, Intake, Movement, Safety, Symptoms
from hipscreen.result import HIP_IR_FIELD, NOT_ASKED_FIELD, Answer  # noqa: F401  (NOT_ASKED_FIELD: read from here too)

SIDE_WORDS = Words({"left": N_("Left"), "right": N_("Right"), "both": N_("Both sides"),
                    "none": N_("Neither side")})

LOCATION_LABELS: Mapping[str, str] = Words({
    "low_back_left": N_("Low back, left"),
    "low_back_right": N_("Low back, right"),
    "low_back_central": N_("Low back, middle"),
    "si_left": N_("Back of the pelvis (SI joint), left"),
    "si_right": N_("Back of the pelvis (SI joint), right"),
    "deep_glute_left": N_("Deep in the buttock, left"),
    "deep_glute_right": N_("Deep in the buttock, right"),
    "front_hip_left": N_("Front of the hip, left"),
    "front_hip_right": N_("Front of the hip, right"),
    "groin_left": N_("Groin, left"),
    "groin_right": N_("Groin, right"),
    "hamstring_left": N_("Back of the thigh (hamstring), left"),
    "hamstring_right": N_("Back of the thigh (hamstring), right"),
    "below_knee_left": N_("Below the knee, left"),
    "below_knee_right": N_("Below the knee, right"),
    "thigh_front_left": N_("Front of the thigh, left"),
    "thigh_front_right": N_("Front of the thigh, right"),
    "knee_left": N_("Knee, left"),
    "knee_right": N_("Knee, right"),
    "belly": N_("Belly"),
})

ACTIVITY_LABELS: Mapping[str, str] = Words({
    "running": N_("Running"),
    "lifting": N_("Weight training (lifting)"),
    "golf": N_("Golf"),
    "crossfit": N_("CrossFit"),
    "field_sports": N_("Field sports (football, rugby, hockey ...)"),
    "lifting_kids": N_("Lifting children"),
    "desk_work": N_("Desk work, sitting a lot"),
    "manual_work": N_("Manual work"),
})

AGGRAVATOR_LABELS: Mapping[str, str] = Words({
    "after_leg_day": N_("After a leg day in the gym"),
    "sitting_then_training": N_("Sitting all day, then training"),
    "bending_lifting": N_("Bending and lifting"),
    "rotation": N_("Turning or twisting (golf, throwing)"),
    "running": N_("Running"),
    "stairs": N_("Stairs"),
    "getting_out_of_car": N_("Getting out of a car"),
    "lifting_kids": N_("Lifting children"),
})

HINGE_FAULT_LABELS: Mapping[str, str] = Words({
    "back_rounds": N_("The stick leaves my lower back (my back rounds)"),
    "back_arches": N_("A big gap opens at my lower back (my back arches)"),
    "turns_into_squat": N_("My knees bend a lot - it turns into a squat"),
    "shifts_to_one_side": N_("My weight shifts to one side"),
    "no_hamstring_load": N_("I feel nothing in the back of my thighs"),
    "back_pain": N_("It hurts my back"),
})

HIP_SURGERY_LABELS: Mapping[str, str] = Words({
    "none": N_("No hip surgery"),
    "under_12_weeks": N_("Yes, less than 12 weeks ago"),
    "over_12_weeks": N_("Yes, 12 weeks ago or more"),
})

SEX_LABELS: Mapping[str | None, str] = Words({
    None: N_("Not given"),
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "undisclosed": N_("Prefer not to say"),
})
"""Sex in words. A form offers the four answers (None is what an unanswered question reads as,
never an option next to "Prefer not to say")."""

CLINICIAN_HINGE_FAULT_LABELS: Mapping[str, str] = Words({
    "back_rounds": N_("Lumbar flexion (back rounds)"),
    "back_arches": N_("Lumbar hyperextension (back arches)"),
    "turns_into_squat": N_("Knee-dominant (turns into a squat)"),
    "shifts_to_one_side": N_("Lateral weight shift"),
    "no_hamstring_load": N_("No hamstring loading"),
    "back_pain": N_("Back pain on hinging"),
})
"""Hinge faults in a clinician's words (HINGE_FAULT_LABELS are the person's own words)."""

HAMSTRING_LABELS: Mapping[str, str] = Words({
    "none": N_("No"), "left": N_("Yes, left"), "right": N_("Yes, right"), "both": N_("Yes, both sides")})

CONFIDENCE_WORDS = Words({"likely": N_("Likely"), "possible": N_("Possible")})


def certainty_scale() -> str:
    """Where 'possible' and 'likely' start, from the thresholds in the knowledge base. A
    certainty factor is not a probability, so it is never written as a percentage."""
    thresholds = catalogue().thresholds
    return _("'possible' from a certainty of {possible}, 'likely' from {likely}",
             possible=thresholds["possible_certainty"].number(),
             likely=thresholds["likely_certainty"].number())


CLINICIAN_SAFETY_LABELS: Mapping[str, str] = Words({
    "bladder_or_bowel_change": N_("Bladder or bowel change"),
    "saddle_numbness": N_("Saddle numbness"),
    "both_legs_numb_or_weak": N_("Both legs numb or weak"),
    "worsening_leg_weakness": N_("Worsening leg weakness"),
    "cannot_bear_weight": N_("Cannot bear weight"),
    "significant_trauma": N_("Significant trauma"),
    "hot_swollen_hip": N_("Hot, swollen hip"),
    "fever_or_unwell": N_("Fever or systemically unwell"),
    "cancer_history": N_("History of cancer"),
    "unexplained_weight_loss": N_("Unexplained weight loss"),
    "constant_night_pain": N_("Constant night pain"),
    "osteoporosis_or_steroids": N_("Osteoporosis or long-term steroids"),
    "immunosuppressed": N_("Immunosuppressed or injects drugs"),
    "morning_stiffness_over_30_min": N_("Morning stiffness over 30 min"),
    "pregnant": N_("Pregnant"),
    "both_legs_pain_or_tingling": N_("Bilateral leg pain or paraesthesia"),
    "sexual_function_change": N_("Change in sexual function"),
    "recent_fall_or_injury": N_("Fall or injury in the last 2 weeks"),
    "sudden_severe_pain": N_("Sudden severe back or abdominal pain"),
    "faint_clammy_or_collapsed": N_("Faint, clammy or collapsed"),
    "new_limp": N_("New limp"),
    "recent_infection": N_("Infection in the last 6 weeks"),
    "wakes_second_half_of_night": N_("Night waking, second half of night"),
    "better_with_movement": N_("Back pain better with movement"),
    "better_with_anti_inflammatories": N_("Anti-inflammatories help within 48 h"),
    "family_spondyloarthritis": N_("Family history of spondyloarthritis"),
    "arthritis_history": N_("Arthritis, now or past"),
    "enthesitis_history": N_("Enthesitis, now or past"),
    "psoriasis_history": N_("Psoriasis, now or past"),
})
"""Short labels for the clinician's dense form and report (the full wording is the field's help
text)."""


_SECTIONS: dict[str, type[BaseModel]] = {
    "safety": Safety, "symptoms": Symptoms, "movement": Movement, "drill_response": DrillResponse}


_SHORT_LABELS = Words({
    "safety.hip_surgery": N_("Hip surgery (replacement or other)"),
    "movement.hinge_faults": N_("In a hip hinge"),
    "movement.pelvic_drop": N_("Standing on that leg, the hip of the lifted leg sinks"),
    "movement.hip_ir_limited": N_("The hip turns in less far on that side"),
    "movement.front_hip_pinch": N_("Pinch at the front of the hip, knee to chest"),
    "movement.hip_ir_degrees": N_("Hip internal rotation measured"),
    "sex": N_("Sex"),
    "activities": N_("Regular activities"),
    "symptoms.pain_now": N_("Pain now"),
    "symptoms.pain_worst_week": N_("Worst pain in the last week"),
    "symptoms.weeks": N_("This episode has lasted"),
    "mode": N_("Filled in by"),
})


def field_label(path: str, *, clinician: bool = False) -> str:
    """The plain-words label of an intake field, from its description ("safety.pregnant" ->
    "Pregnant now"); the dotted path itself when the field is unknown. `clinician`: the short
    label of a clinician's dense form and report where there is one (CLINICIAN_SAFETY_LABELS,
    CLINICIAN_MOVEMENT_LABELS), the person's label otherwise. The one reading of a field's label."""
    if clinician:
        section, _dot, name = path.partition(".")
        table = {"safety": CLINICIAN_SAFETY_LABELS, "movement": CLINICIAN_MOVEMENT_LABELS}.get(section)
        if table is not None and name in table:
            return table[name]
    if path in _SHORT_LABELS:
        return _SHORT_LABELS[path]
    section, _, name = path.partition(".")
    if name and section in _SECTIONS:
        model = _SECTIONS[section]
    else:
        model, name = Intake, section
    field = model.model_fields.get(name)
    return translate(field.description) if field is not None and field.description else path


NOT_ASKED = N_("Not asked")
"""A safety question never asked (None): never shown as "No" (docs/design.md, "Not asked is not
'no'")."""


def value_words(field: str, value: Any) -> str:
    """One answer value in plain words, for the field it belongs to. None is 'Not asked' for a
    safety question, 'Not tested' for a movement test, 'Not given' for anything else."""
    name = field.rpartition(".")[2]
    if value is None:
        if field.startswith("safety."):
            return translate(NOT_ASKED)
        return _("Not tested") if field.startswith("movement.") else _("Not given")
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if field == "movement.hip_ir_degrees":
        if isinstance(value, Mapping):
            left, right = value["left"], value["right"]
        elif hasattr(value, "left"):  # the HipIRDegrees model itself
            left, right = value.left, value.right
        else:
            left, right = value
        return _("left {left} degrees, right {right} degrees", left=left, right=right)
    if isinstance(value, list | tuple):
        return ", ".join(value_words(field, v) for v in value) or _("nothing chosen")
    tables: dict[str, Mapping] = {
        "locations": LOCATION_LABELS, "activities": ACTIVITY_LABELS,
        "worse_with": AGGRAVATOR_LABELS, "hinge_faults": HINGE_FAULT_LABELS,
        "hip_surgery": HIP_SURGERY_LABELS, "sex": SEX_LABELS,
        "recurring_hamstring_strain": HAMSTRING_LABELS,
        "mode": Words({"self": N_("The person themselves"), "clinician": N_("A clinician")}),
    }
    if name in tables and value in tables[name]:
        return tables[name][value]
    if field.startswith("drill_response.") and value in catalogue().drills:
        return catalogue().drills[value].name
    if field.startswith("movement.") and value in SIDE_WORDS:
        return SIDE_WORDS[value]
    if name in ("pain_now", "pain_worst_week"):
        return _("{value} out of 10", value=value)
    if name == "weeks":
        return ngettext("{n} week", "{n} weeks", value) if isinstance(value, int) else str(value)
    return str(value)


def answer_text(field: str, value: Any) -> str:
    """An intake answer in words: "Where it hurts: Low back, right"."""
    return _("{label}: {value}", label=field_label(field), value=value_words(field, value))


def answer_words(answer: Answer) -> str:
    """An answer behind a conclusion in plain words: Answer("safety.saddle_numbness", True) ->
    "Numbness around the genitals, back passage or inner thighs: Yes"; a safety question never
    asked -> "...: Not asked"."""
    if answer.not_asked:
        return answer_text(answer.field, None)
    if answer.field == HIP_IR_FIELD or answer.field not in _known_fields():
        return _("{label}: {value}", label=field_label(answer.field), value=answer.value_text())
    return answer_text(answer.field, answer.value)


def answer_line_words(line: str | Answer) -> str:
    """`answer_words` of an answer, or of a line as a result saved before answers were structured
    wrote it ("safety.saddle_numbness = True"); a text that is no such line is returned as is."""
    if isinstance(line, Answer):
        return answer_words(line)
    answer = Answer.of_line(line)
    return answer_words(answer) if answer.line() == line else line


def flag_answer_words(answers: Sequence[Answer]) -> list[str]:
    """The answers behind a red flag in plain words, the safety questions never asked named
    once as such ("Not asked: ...", or "No safety question was asked"), never as a "No"."""
    words = [answer_words(a) for a in answers if not a.not_asked]
    unasked = [a.name for a in answers if a.not_asked]
    if unasked and set(unasked) >= set(Safety.model_fields):
        words.append(_("No safety question was asked"))
    elif unasked:
        words.append(_("Not asked: {questions}",
                       questions="; ".join(field_label(f"safety.{n}") for n in unasked)))
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
    "hip_stability_deficit": (N_("your {side} hip is not steadying your pelvis well"),
                              N_("your hips are not steadying your pelvis well")),
    "hinge_pattern_deficit": (N_("when you bend forward, your low back does work your hips should do"),
                              N_("when you bend forward, your low back does work your hips should do")),
    "hip_ir_control_deficit": (
        N_("your {side} hip does not control turning inward under load, so your low back twists "
        "instead"),
        N_("your hips do not control turning inward under load, so your low back twists instead")),
    "rotational_control_deficit": (N_("your low back takes the turning your {side} hip should take"),
                                   N_("your low back takes the turning your hips should take")),
    "glute_underuse": (
        N_("your {side} buttock muscles are not doing their share yet, so the hamstring takes over"),
        N_("your buttock muscles are not doing their share yet, so the hamstrings take over")),
    "protective_tension": (
        N_("your tight muscles on the {side} are bracing to protect the hip, so more stretching "
        "will not fix them"),
        N_("your tight muscles are bracing to protect the hip, so more stretching will not fix them")),
}

FINDING_SENTENCES: dict[str, tuple[str, str]] = {
    "hip_shift": (N_("your hips drifted to the {side} when you squatted or bent forward"),
                  N_("your hips drifted to one side when you squatted or bent forward")),
    "knee_collapse": (N_("your {side} knee caved inward"), N_("your knees caved inward")),
    "one_sided_low_back_tightness": (N_("your low back hurts on the {side}"),
                                     N_("your low back hurts on one side")),
    "pinchy_hip": (N_("you feel a pinch at the front of your {side} hip"),
                   N_("you feel a pinch at the front of your hips")),
    "recurring_hamstring_strain": (N_("you keep straining the back of your {side} thigh"),
                                   N_("you keep straining the backs of your thighs")),
    "si_irritation": (N_("it hurts at the back of your pelvis on the {side}"),
                      N_("it hurts at the back of your pelvis")),
    "deep_glute_ache": (N_("you ache deep in your {side} buttock"), N_("you ache deep in your buttocks")),
    "poor_single_leg_balance": (N_("you could not keep your balance on your {side} leg"),
                                N_("you could not keep your balance on one leg")),
    "pelvic_drop": (N_("your pelvis dropped when you stood on your {side} leg"),
                    N_("your pelvis dropped when you stood on one leg")),
    "hinge_spine_takes_over": (N_("your low back rounded or arched when you bent forward"),
                               N_("your low back rounded or arched when you bent forward")),
    "hinge_weight_shifts": (N_("your weight shifted to one side when you bent forward"),
                            N_("your weight shifted to one side when you bent forward")),
    "hinge_turns_into_squat": (N_("your bend forward turned into a squat"),
                               N_("your bend forward turned into a squat")),
    "hamstrings_never_load": (N_("you felt nothing at the back of your thighs when you bent forward"),
                              N_("you felt nothing at the back of your thighs when you bent forward")),
    "pain_when_hinging": (N_("bending forward or lifting hurts your back"),
                          N_("bending forward or lifting hurts your back")),
    "feels_stuck_in_hip": (N_("your {side} hip feels stuck"), N_("your hips feel stuck")),
    "back_pain_after_leg_day": (N_("your back hurts after leg days"), N_("your back hurts after leg days")),
    "limited_hip_ir": (N_("your {side} hip turns inward less far than it should"),
                       N_("your hips turn inward less far than they should")),
    "pain_with_rotation": (N_("turning or twisting hurts"), N_("turning or twisting hurts")),
    "hamstring_cramp_in_single_leg_hinge": (
        N_("your hamstring cramped in the single-leg hinge"),
        N_("your hamstring cramped in the single-leg hinge")),
    "stretching_relief_does_not_last": (N_("stretching helps only for a while"),
                                        N_("stretching helps only for a while")),
    "keeps_coming_back": (N_("the pain keeps coming back"), N_("the pain keeps coming back")),
}


_SIDE_IN_A_SENTENCE = Words({"left": N_("left side"), "right": N_("right side")})
"""A side inside a sentence, in a language other than English ('su cadera del lado izquierdo'):
English says 'your left hip' with the side id itself."""


def _clause(table: Mapping[str, tuple[str, str]], key: str, side: str) -> str:
    sided, sideless = table[key]
    if side not in ("left", "right"):
        return translate(sideless)
    word = side if current_language() == SOURCE_LANGUAGE else _SIDE_IN_A_SENTENCE[side]
    return translate(sided).format(side=word)


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
    return _("{first} and {last}", first=", ".join(parts[:-1]), last=parts[-1])


def supporting_findings(result: Any, deficit_id: str, side: str) -> list[tuple[str, str]]:
    """(finding id, side) behind one concluded deficit and side, in the order its evidence found
    them (`DeficitResult.findings`)."""
    return [(f.id, f.side) for d in result.deficits if (d.id, d.side) == (deficit_id, side)
            for f in d.findings()]


_SPINE_FAULT_WORDS = Words({("back_rounds",): N_("your low back rounded when you bent forward"),
                            ("back_arches",): N_("your low back arched when you bent forward")})


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
    reasons = list(dict.fromkeys(_finding_words_for(result, f.id, f.side)
                                 for f in deficit.findings()))
    if deficit.confidence == "likely":
        if reasons:
            return _("We think {what}, because {reasons}.", what=what, reasons=_join(reasons))
        return _("We think {what}.", what=what)
    if reasons:
        return _("It is possible that {what}, because {reasons}.", what=what,
                 reasons=_join(reasons))
    return _("It is possible that {what}.", what=what)


def drill_purpose_words(result: Any, serves: list[str], side: str) -> list[str]:
    """Why a drill is in the plan, for the person: what it trains, in plain words."""
    out = []
    for deficit in result.deficits:
        if deficit.id in serves and (side in (deficit.side, "both") or deficit.side == "both"):
            line = _("It trains what we found: {what}.",
                     what=deficit_words(deficit.id, deficit.side))
            if line not in out:
                out.append(line)
    return out


def tell_the_service(result: Any) -> list[str]:
    """What to tell the emergency department, a GP or NHS 111 when the screen stops: who, what
    was noticed (the red-flag answers in plain words), and that a screening aid sent you."""
    intake = result.intake
    weeks = intake.symptoms.weeks
    if intake.age is not None and weeks:
        first = _("I am {age} years old and I have low back or hip pain (this time for {weeks} "
                  "weeks).", age=intake.age, weeks=weeks)
    elif intake.age is not None:
        first = _("I am {age} years old and I have low back or hip pain.", age=intake.age)
    elif weeks:
        first = _("I have low back or hip pain (this time for {weeks} weeks).", weeks=weeks)
    else:
        first = _("I have low back or hip pain.")
    lines = [first]
    noticed: list[str] = []
    for flag in result.triage.red_flags:
        for answer in flag.answers:
            if answer.field == "age" or answer.not_asked or answer.value is False:
                continue  # not noticed: the age is said above; a question not asked
            if answer.value is True:
                words = field_label(answer.field)
            elif answer.field == "symptoms.locations":
                words = _("Pain: {where}", where=LOCATION_LABELS.get(answer.value, answer.value))
            else:
                words = answer_words(answer)
            if words not in noticed:
                noticed.append(words)
    if noticed:
        lines.append(_("What I noticed: {noticed}.", noticed="; ".join(noticed)))
    lines.append(_("A screening aid (hipscreen) said: {action}", action=result.triage.action))
    return lines


# -- a clinician's words, for the note and the clinician views ------------------------------------
SIDE_ABBREVIATIONS = Words({"left": N_("L"), "right": N_("R"), "both": N_("bilateral"), "none": N_("none")})

CLINICIAN_LOCATION_LABELS: Mapping[str, str] = Words({
    "low_back_left": N_("Low back L"),
    "low_back_right": N_("Low back R"),
    "low_back_central": N_("Low back, central"),
    "si_left": N_("SI joint L"),
    "si_right": N_("SI joint R"),
    "deep_glute_left": N_("Deep gluteal L"),
    "deep_glute_right": N_("Deep gluteal R"),
    "front_hip_left": N_("Anterior hip L"),
    "front_hip_right": N_("Anterior hip R"),
    "groin_left": N_("Groin L"),
    "groin_right": N_("Groin R"),
    "hamstring_left": N_("Posterior thigh (hamstring) L"),
    "hamstring_right": N_("Posterior thigh (hamstring) R"),
    "below_knee_left": N_("Below the knee L"),
    "below_knee_right": N_("Below the knee R"),
    "thigh_front_left": N_("Anterior thigh L"),
    "thigh_front_right": N_("Anterior thigh R"),
    "knee_left": N_("Knee L"),
    "knee_right": N_("Knee R"),
    "belly": N_("Abdomen"),
})

CLINICIAN_ACTIVITY_LABELS: Mapping[str, str] = Words({
    "running": N_("running"),
    "lifting": N_("weight training"),
    "golf": N_("golf"),
    "crossfit": N_("CrossFit"),
    "field_sports": N_("field sports"),
    "lifting_kids": N_("lifting children"),
    "desk_work": N_("desk work"),
    "manual_work": N_("manual work"),
})

CLINICIAN_AGGRAVATOR_LABELS: Mapping[str, str] = Words({
    "after_leg_day": N_("after lower-limb training"),
    "sitting_then_training": N_("training after prolonged sitting"),
    "bending_lifting": N_("bending and lifting"),
    "rotation": N_("rotation (golf, throwing)"),
    "running": N_("running"),
    "stairs": N_("stairs"),
    "getting_out_of_car": N_("getting out of a car"),
    "lifting_kids": N_("lifting children"),
})

CLINICIAN_MOVEMENT_LABELS: Mapping[str, str] = Words({
    "hip_shift": N_("Lateral hip shift (squat or hinge)"),
    "knee_collapse": N_("Dynamic knee valgus (squat or step-down)"),
    "single_leg_balance_poor": N_("Single-leg stance failed"),
    "pelvic_drop": N_("Contralateral pelvic drop in single-leg stance (stance leg)"),
    "hinge_faults": N_("Hip hinge"),
    "hip_ir_limited": N_("Hip IR limited (observed)"),
    "hip_ir_degrees": N_("Hip IR"),
    "front_hip_pinch": N_("Anterior hip pinch in deep flexion"),
    "feels_stuck_in_hip": N_("Hip feels stuck"),
})

# -- the triage level: its words, for each audience, and its colours -------------------------------
LEVEL_WORDS = Words({"emergency": N_("Emergency"), "urgent": N_("Urgent"),
                     "clinician_review": N_("See a clinician"), "self_care": N_("Self-care")})
"""Triage levels in the person's words (lists, tables; `.upper()` where a line shouts it). The
one table of a level's words for the person: a Result's `triage.label` adds what to do."""

CLINICIAN_LEVEL_WORDS = Words({"emergency": N_("Emergency"), "urgent": N_("Urgent"),
                               "clinician_review": N_("Clinician review"),
                               "self_care": N_("Self-care")})
"""Triage levels in a clinician's words (the note, the clinician report, the reasoning picture,
the knowledge tables; `.lower()` inside a sentence, `.upper()` for the note's triage line)."""


LEVEL_COLOURS: Mapping[str, tuple[str, str]] = {
    "emergency": ("#f8d7da", "#a61b29"), "urgent": ("#fde2c8", "#b54708"),
    "clinician_review": ("#fff3cd", "#8a6d00"), "self_care": ("#d1e7dd", "#146c43")}
"""Each triage level's colours, (fill, stroke): the PDF's triage box and the reasoning picture.
Never colour alone: the level is always in words beside it."""


# -- no plan, and a drill's variant ------------------------------------------------------------------
NO_DRILLS_AT_THIS_LEVEL = N_("No drills are given at this level.")
"""The sentence that says the triage stopped the plan (the PDF's and the app's triage box, the
clinician's note)."""


def no_plan_words(result: Any) -> str:
    """Why a result has no drill, in one sentence (empty when it has drills): the triage stopped
    the plan (its action follows), the precautions took every drill out, or the answers point to
    no deficit. The text, the Markdown, the PDFs and the app all say it with these words."""
    if result.plan:
        return ""
    if not result.triage.drills_allowed:
        return _("No drills: {action}", action=result.triage.action)
    if result.deficits:
        return _("No drills: the precautions took every drill out of the plan.")
    return _("No drills: the answers given do not point to a hip stability or hinge problem. "
             "Doing more of the self-tests may change that.")


VARIANT_WORDS = Words({"supported": N_("supported version"), "regressed": N_("easier version")})
"""A planned drill's variant, after its name: the article's own drills ("standard") and the
glute bridge ("support") need no words."""


def variant_words(item: Any) -> str:
    """A plan item's variant in words ("easier version"), or "" when it needs none or its name
    says it already (no "Supported single-leg stability (supported version)"). The name is read
    in English, so the answer is the same in every language."""
    if item.variant not in VARIANT_WORDS:
        return ""
    drills = source_catalogue().drills
    english_name = (drills[item.drill].name if item.drill in drills else item.name).lower()
    if VARIANT_WORDS.source()[item.variant].split()[0] in english_name:
        return ""
    return VARIANT_WORDS[item.variant]


def clinician_value_words(field: str, value: Any) -> str:
    """An answer value in a clinician's words: sides as L / R / bilateral, hinge faults and
    locations in clinical terms, IR as '22 deg L / 38 deg R'."""
    name = field.rpartition(".")[2]
    if field == "movement.hip_ir_degrees":
        left, right = ((value["left"], value["right"]) if isinstance(value, Mapping)
                       else (value.left, value.right))
        return _("{left} deg L / {right} deg R", left=left, right=right)
    if field == "movement.hinge_faults":
        return ", ".join(CLINICIAN_HINGE_FAULT_LABELS[v] for v in value) or _("clean hinge")
    if isinstance(value, list | tuple):
        table = {"locations": CLINICIAN_LOCATION_LABELS, "worse_with": CLINICIAN_AGGRAVATOR_LABELS,
                 "activities": CLINICIAN_ACTIVITY_LABELS}.get(name)
        if table is not None:
            return ", ".join(table[v] for v in value) or _("none")
        return ", ".join(clinician_value_words(field, v) for v in value) or _("none")
    if field.startswith("movement.") or name == "recurring_hamstring_strain":
        return SIDE_ABBREVIATIONS.get(value, str(value))
    return value_words(field, value)
