"""Clinician intake: every intake field on one dense, keyboard-friendly form, objective tests with
sides and degrees, and the triage level at a glance once it is screened."""

from __future__ import annotations

import streamlit as st

from hipscreen.app import language, widgets
from hipscreen.app.intake_form import hinge_answer, measured_ir_rule_words, screen_values
from hipscreen.app.questions import (
    EMERGENCY_QUESTIONS,
    HEALTH_QUESTIONS,
    NOT_TESTED,
    movement_options,
    side_name,
)
from hipscreen.i18n import _, decimal
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Activity, Aggravator, HingeFault, Location, Movement
from hipscreen.words import (
    ACTIVITY_LABELS,
    AGGRAVATOR_LABELS,
    CLINICIAN_HINGE_FAULT_LABELS,
    CLINICIAN_MOVEMENT_LABELS,
    CLINICIAN_SAFETY_LABELS,
    HAMSTRING_LABELS,
    HIP_SURGERY_LABELS,
    LOCATION_LABELS,
    SEX_LABELS,
    field_label,
)

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

STORE = "clinician_answers"
PREFIX = "cl:"
ERRORS = "clinician_errors"
# st.session_state: the result of the valid answers when the form has errors and a red flag at
# emergency or urgent (a red flag always wins: it is shown beside the field errors).
STOP = "clinician_stop"
SUBMITS = "clinician_submits"  # how often the form was screened: the glance is shown once for each
GLANCE_KEY = "clinician_glance"
HINGE_TESTED = "ui.hinge_tested"
SIDE_TESTS = [n for n in Movement.model_fields if n not in ("hinge_faults", "hip_ir_degrees")]

store: dict = st.session_state.setdefault(STORE, {})
errors: dict = st.session_state.get(ERRORS, {})


@language.in_session_language
def submit() -> None:
    """Read the form, build the intake and screen it; keep field errors for the next run."""
    values = {key[len(PREFIX):]: value for key, value in st.session_state.items()
              if str(key).startswith(PREFIX) and not str(key).startswith(PREFIX + "ui.")}
    values["mode"] = "clinician"
    values["movement.hinge_faults"] = hinge_answer(
        st.session_state.get(PREFIX + HINGE_TESTED, False),
        st.session_state.get(PREFIX + "movement.hinge_faults", []))
    screened = screen_values(values)
    st.session_state[SUBMITS] = st.session_state.get(SUBMITS, 0) + 1
    st.session_state[ERRORS] = screened.errors
    st.session_state[STOP] = screened.result if screened.errors and screened.stops else None
    if screened.complete:
        st.session_state[widgets.RESULT_KEY] = screened.result
        st.session_state[widgets.RESULT_FROM_KEY] = "clinician"
        widgets.new_result()


labels: dict[str, str] = {}  # the label of each field on the form by intake path, for the errors


def field(widget, path: str, default, label: str, **kwargs):
    labels[path] = label
    value = widgets.bound(widget, store, path, default, prefix=PREFIX, label=label, **kwargs)
    widgets.field_error(errors, path)
    return value


widgets.page_header(_("Clinician intake"), _("Every intake field on one form. Movement tests default "
                                        "to 'not tested'; Tab moves between fields."))

result = st.session_state.get(widgets.RESULT_KEY)
stop = st.session_state.get(STOP)
# the triage at a glance (and, with a red flag, beside the errors), brought into view and
# focused after each _("Screen this intake"), wherever the button was
glance = st.container(key=GLANCE_KEY)
with glance:
    if errors and stop is not None:  # a red flag always wins: shown first, beside the errors
        widgets.triage_banner(stop.triage, clinician=True)
        st.caption(_("From the answers that are valid; fix the fields named below for the full "
                   "screen."))
    summary = st.container()  # the errors, listed once the form has drawn (and named) its fields
mine = result is not None and st.session_state.get(widgets.RESULT_FROM_KEY) == "clinician"
if mine and not errors:
    with glance:
        widgets.triage_banner(result.triage, compact=True, clinician=True)
        found = "; ".join(f"{d.label} ({side_name(d.side)}, {_(d.confidence)}, "
                          + _("CF {certainty}", certainty=decimal(d.certainty)) + ")"
                          for d in result.deficits) or _("none")
        drills = ", ".join(f"{p.name} ({side_name(p.side)})" for p in result.plan) or _("none")
        st.markdown(_("**Deficits:** {found}  \n**Plan:** {drills}", found=found, drills=drills))
        st.page_link("pages/result.py", label=_("Open the full result: note to paste, reasoning "
                                              "and downloads"))
if st.session_state.get(SUBMITS):
    widgets.reveal(GLANCE_KEY, f"screened-{st.session_state[SUBMITS]}")

side_words = {NOT_TESTED: _("not tested"), "none": _("none"), "left": _("left"),
              "right": _("right"), "both": _("both")}
drills = {key: d.name for key, d in catalogue().drills.items()}

with st.form("clinician_intake"):
    st.header(_("Patient"))
    c1, c2, c3 = st.columns([1, 1, 3])
    with c1:
        field(st.number_input, "age", None, _("Age (years)"), min_value=8, max_value=110, step=1)
    with c2:
        field(st.selectbox, "sex", None, _("Sex"), options=[k for k in SEX_LABELS if k],
              format_func=SEX_LABELS.__getitem__, placeholder=_("Not given"))
    with c3:
        field(st.multiselect, "activities", [], _("Activities"), options=[a.value for a in Activity],
              format_func=ACTIVITY_LABELS.__getitem__, select_all=False)

    st.header(_("Red flags and precautions"))
    for caption, names in (
            (_("Emergency and same-day"), EMERGENCY_QUESTIONS),
            (_("Risk factors, NG65 features (inflammatory back pain), precautions"),
             HEALTH_QUESTIONS)):
        st.caption(caption)
        columns = st.columns(3)
        for index, name in enumerate(names):
            with columns[index % 3]:
                field(st.checkbox, f"safety.{name}", False, CLINICIAN_SAFETY_LABELS[name],
                      help=field_label(f"safety.{name}"))
    field(st.selectbox, "safety.hip_surgery", "none", _("Hip surgery (replacement or other)"),
          options=list(HIP_SURGERY_LABELS), format_func=HIP_SURGERY_LABELS.__getitem__)

    st.header(_("Symptoms"))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        field(st.number_input, "symptoms.pain_now", 0, _("Pain now (0-10)"), min_value=0,
              max_value=10, step=1)
    with c2:
        field(st.number_input, "symptoms.pain_worst_week", 0, _("Worst pain, last week (0-10)"),
              min_value=0, max_value=10, step=1)
    with c3:
        field(st.number_input, "symptoms.weeks", 0, _("Episode length (weeks)"), min_value=0,
              max_value=520, step=1)
    with c4:
        field(st.selectbox, "symptoms.recurring_hamstring_strain", "none",
              _("Recurring hamstring strain"), options=list(HAMSTRING_LABELS),
              format_func=HAMSTRING_LABELS.__getitem__)
    field(st.multiselect, "symptoms.locations", [], _("Pain locations"),
          options=[loc.value for loc in Location], format_func=LOCATION_LABELS.__getitem__,
          select_all=False)
    field(st.multiselect, "symptoms.worse_with", [], _("Worse with"),
          options=[a.value for a in Aggravator], format_func=AGGRAVATOR_LABELS.__getitem__,
          select_all=False)
    c1, _gap = st.columns([1, 3])
    with c1:
        field(st.number_input, "symptoms.first_episode_age", None,
              _("First back pain at age (optional)"), min_value=0, max_value=110, step=1,
              help=field_label("symptoms.first_episode_age"))
    c1, c2, c3 = st.columns(3)
    with c1:
        field(st.checkbox, "symptoms.keeps_coming_back", False, _("Keeps coming back"))
    with c2:
        field(st.checkbox, "symptoms.pins_and_needles_below_knee", False,
              _("Paraesthesia below the knee"), help=_("Pins and needles or numbness below the knee"))
    with c3:
        field(st.checkbox, "symptoms.stretching_only_temporary_relief", False,
              _("Stretching gives only temporary relief"))

    st.header(_("Objective tests"))
    columns = st.columns(4)
    for index, name in enumerate(SIDE_TESTS):
        with columns[index % 4]:
            field(st.selectbox, f"movement.{name}", NOT_TESTED,
                  CLINICIAN_MOVEMENT_LABELS[name], options=movement_options(name),
                  format_func=side_words.__getitem__, help=field_label(f"movement.{name}"))
    c1, c2, c3 = st.columns([1, 1, 3])
    with c1:
        field(st.number_input, "movement.hip_ir_degrees.left", None, _("Left hip IR (degrees)"),
              min_value=0, max_value=90, step=1, help=_("Leave both empty if not measured."))
    with c2:
        field(st.number_input, "movement.hip_ir_degrees.right", None, _("Right hip IR (degrees)"),
              min_value=0, max_value=90, step=1, help=_("Leave both empty if not measured."))
    with c3:
        st.caption(measured_ir_rule_words())
    c1, c2 = st.columns([1, 3])
    with c1:
        field(st.checkbox, HINGE_TESTED, False, _("Hip hinge tested"))
    with c2:
        field(st.multiselect, "movement.hinge_faults", [],
              _("Hinge faults (tested with none chosen = clean hinge)"),
              options=[f.value for f in HingeFault],
              format_func=CLINICIAN_HINGE_FAULT_LABELS.__getitem__, select_all=False,
              placeholder=_("None: a clean hinge"))

    st.header(_("Drill response (follow-up visits)"))
    c1, c2 = st.columns(2)
    with c1:
        field(st.multiselect, "drill_response.low_back_pinch", [], _("Low back pinch during"),
              options=list(drills), format_func=drills.__getitem__, select_all=False)
    with c2:
        field(st.multiselect, "drill_response.hamstring_cramp", [], _("Hamstring cramp during"),
              options=list(drills), format_func=drills.__getitem__, select_all=False)

    st.form_submit_button(_("Screen this intake"), type="primary", on_click=submit)

if errors:
    with summary:
        st.error(_("Some answers need fixing (see the messages next to the fields):") + "\n"
                 + "\n".join(f"- {labels.get(path) or field_label(path)}: {message}"
                             for path, message in errors.items()), icon=":material/edit:")
