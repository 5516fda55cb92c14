"""Check-in: how the plan went since the last record. The safety questions again first, then
pain, the PSFS activities, and per planned drill what happened; the rules review it and the
updated plan says, drill by drill, what changed and why. Saved only when asked.

A problem with the activities (PSFS) never stops the review: the safety answers and the drills
are reviewed without the activities, and the problem is shown beside the review with what to do.
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from hipscreen.app import language, records_ui, widgets
from hipscreen.app.intake_form import stops_here
from hipscreen.app.plain import md
from hipscreen.app.questions import EMERGENCY_GROUPS, HEALTH_GROUPS, SAFETY_HELP, side_name
from hipscreen.app.reasoning import how_markdown
from hipscreen.documents import field_problems
from hipscreen.i18n import N_, _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.checkin import CheckIn, Sign
from hipscreen.knowledge.intake import Safety
from hipscreen.records import DatabaseError, RecordError
from hipscreen.review import DECISION_WORDS, SIGN_WORDS, CheckInMismatch, decision_how, review
from hipscreen.screening import screen_safety_first
from hipscreen.words import HIP_SURGERY_LABELS, field_label

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

REVIEW_KEY = "checkin_review"
PSFS_PROBLEM_KEY = "checkin_psfs_problem"
PREFIX = "ci:"
SAFETY_NAMES = [n for n in Safety.model_fields if n != "hip_surgery"]
SAFETY_GROUPS = (*EMERGENCY_GROUPS, *HEALTH_GROUPS)
_GROUPED = {n for _, names in SAFETY_GROUPS for n in names}
if [n for n in SAFETY_NAMES if n not in _GROUPED]:  # a question added to the model: still asked
    SAFETY_GROUPS += ((N_("Other questions"), tuple(n for n in SAFETY_NAMES if n not in _GROUPED)),)

widgets.page_header(_("Check-in"), _("How did the plan go since your last record? The answers "
                                     "are reviewed by the same rules as your screening."))
records_ui.require_records_access()
store = records_ui.store()

label = st.text_input(_("Your label (the one you saved your screening with)"),
                      key=PREFIX + "label", max_chars=60)
if not label.strip():
    st.stop()
baseline = records_ui.read_or_stop(lambda: store.baseline(label))
if baseline is None:
    st.info(_("Nothing is saved under this label yet. Save a screening first: at the end of a "
              "self-screening, 'Save on this computer'."), icon=":material/search_off:")
    st.page_link("pages/self_screening.py", label=_("Start a self-screening"))
    st.stop()

drills = catalogue().drills
planned = list(baseline.plan) if baseline.drills_allowed else []
st.header(_("Safety first"))
st.write(_("Since your last record, have you had any of these? Tick any that are true."))
safety = {}
for group, (heading, names) in enumerate(SAFETY_GROUPS):
    st.markdown(f"**{_(heading)}**")
    with widgets.questions(f"checkin_{group}"):  # one column: each question wraps, never cut
        for name in names:
            safety[name] = st.checkbox(field_label(f"safety.{name}"),
                                       key=f"{PREFIX}safety.{name}",
                                       help=_(SAFETY_HELP.get(name)))
safety["hip_surgery"] = st.selectbox(_("Hip surgery (replacement or other)"),
                                     options=list(HIP_SURGERY_LABELS),
                                     format_func=HIP_SURGERY_LABELS.__getitem__,
                                     key=PREFIX + "safety.hip_surgery")

st.header(_("Pain"))
left, right = st.columns(2)
pain_now = left.slider(_("Pain now (0 = none, 10 = worst imaginable)"), 0, 10, 0,
                       key=PREFIX + "pain_now")
worst = right.slider(_("Worst pain in the last week"), 0, 10, 0, key=PREFIX + "pain_worst_week")

st.header(_("Your activities"))
psfs = records_ui.psfs_inputs(PREFIX, baseline.psfs or None)

st.header(_("Your drills"))
reports = {}
if not planned:
    st.write(_("No plan was under review: your last record gave no drills."))
for item in planned:
    with st.container(border=True):
        name = drills[item.drill].name
        st.subheader(f"{name} ({side_name(item.side)})")
        if not st.checkbox(_("I tried the {drill}", drill=name.lower()),
                           key=f"{PREFIX}tried.{item.drill}"):
            continue
        c1, c2 = st.columns(2)
        sessions = c1.number_input(_("Sessions since the last record"), 1, 200, 6,
                                   key=f"{PREFIX}sessions.{item.drill}")
        pain = c2.slider(_("Worst pain during it (0-10)"), 0, 10, 0,
                         key=f"{PREFIX}pain_during.{item.drill}")
        settled = st.checkbox(_("Any pain from it had settled by the next morning"), value=True,
                              key=f"{PREFIX}settled.{item.drill}")
        felt = st.multiselect(_("I felt (things you should not feel)"),
                              options=[s.value for s in Sign], format_func=SIGN_WORDS.get,
                              key=f"{PREFIX}felt.{item.drill}")
        easy = st.checkbox(_("It has become too easy"), key=f"{PREFIX}too_easy.{item.drill}")
        reports[item.drill] = {"sessions": int(sessions), "pain_during": pain,
                               "settled_next_morning": settled, "felt": felt, "too_easy": easy}
submitted = st.button(_("Review my check-in"), key="review_checkin", type="primary")
st.caption(_("After changing an answer, press the button again."))

def checked(data: dict) -> tuple[CheckIn, list[str]]:
    """The check-in, and what is wrong with its activities (PSFS). A problem only there leaves
    the activities out, so the safety answers and the drills are still reviewed; any other
    problem raises pydantic's ValidationError."""
    try:
        return CheckIn.model_validate(data), []
    except ValidationError as exc:
        problems = field_problems(exc, CheckIn)
        if not problems or any(p.field.split(".")[0] != "psfs" for p in problems):
            raise
        return (CheckIn.model_validate({**data, "psfs": {}}),
                [f"{p.field}: {p.what}" for p in problems])


if submitted:
    data = {"safety": safety, "pain_now": pain_now, "pain_worst_week": worst, "psfs": psfs,
            "drills": reports}
    st.session_state.pop(PSFS_PROBLEM_KEY, None)
    try:
        checkin, psfs_problems = checked(data)
        st.session_state[REVIEW_KEY] = (label, review(checkin, baseline))
        if psfs_problems:
            st.session_state[PSFS_PROBLEM_KEY] = (label, psfs_problems)
    except (ValidationError, CheckInMismatch) as exc:
        st.session_state.pop(REVIEW_KEY, None)
        # a red flag always wins: the safety answers are triaged on their own, beside the errors
        flagged, _problem = screen_safety_first({"safety": safety})
        if flagged is not None and stops_here(flagged):
            widgets.triage_banner(flagged.triage)
            st.markdown(_("**Please act on this now. Then fix the answers below.**"))
        if isinstance(exc, CheckInMismatch):
            st.error(_("{problem}. Your plan changed since this page was opened: reload the page "
                       "and answer again.", problem=md(exc)), icon=":material/edit:")
        else:
            for problem in field_problems(exc, CheckIn):
                st.error(md(f"{problem.field}: {problem.what}"), icon=":material/edit:")

held = st.session_state.get(REVIEW_KEY)
if held is None or held[0] != label:
    st.stop()
done = held[1]

REVIEW_BOX = "checkin_review_box"
review_box = st.container(key=REVIEW_BOX)
review_box.header(_("What the review says"))
with review_box:
    widgets.triage_banner(done.triage)
if submitted:  # the review opens in view, wherever the button was
    widgets.reveal(REVIEW_BOX, f"review-{id(done)}")
psfs_problem = st.session_state.get(PSFS_PROBLEM_KEY)
if psfs_problem is not None and psfs_problem[0] == label:
    st.warning(_("**Your activities are left out of this review** (the safety answers, pain and "
                 "drills are reviewed): {problems}. Fix them under 'Your activities' and press "
                 "'Review my check-in' again, or save this check-in without them.",
                 problems="; ".join(md(p) for p in psfs_problem[1])),
               icon=":material/edit_note:")
for note in done.notes:
    st.warning(md(note), icon=":material/trending_down:")
st.subheader(_("Drill by drill"))
for decision in done.decisions:
    show = st.error if decision.see_clinician else st.info
    show(f"**{md(decision.name)} ({side_name(decision.side)}): "
         f"{DECISION_WORDS[decision.decision]}.** {md(decision.text)}")
    with st.expander(_("How was this decided? ({drill})", drill=md(decision.name))):
        st.markdown(how_markdown(decision_how(done, decision.drill)))
if done.triage.drills_allowed and done.plan:
    st.subheader(_("Your updated plan"))
    for number, item in enumerate(done.plan, 1):
        widgets.drill_card(number, item)
st.subheader(_("See a clinician if..."))
st.markdown("\n".join(f"- {md(text)}" for text in done.safety_net))

st.header(_("Save this check-in"))
saved = st.session_state.setdefault(records_ui.SAVED_KEY, {})
if id(done) in saved:
    st.success(_("Saved as record {number}.", number=saved[id(done)][0]),
               icon=":material/check_circle:")
    st.page_link("pages/progress.py", label=_("See your progress"))
elif st.button(_("Save this check-in"), key="save_checkin", type="primary"):
    try:
        record_id = store.save_checkin(done, person=label, follows=done.baseline.record_id)
    except (RecordError, DatabaseError) as exc:
        records_ui.show_problem(exc)
    else:
        saved[id(done)] = (record_id, label)
        st.rerun()
else:
    st.caption(_("Nothing is saved unless you press the button."))
