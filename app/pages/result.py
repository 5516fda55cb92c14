"""The result, shared by self-screening and clinician intake: triage, deficits, the plan, skipped
tests, safety-netting, the reasoning (picture, HOW, WHY NOT) and downloads.

Two levels of explanation: a person reads plain sentences ("We think your right hip ...") with
the full reasoning (rule ids, weights, the HOW tree) in one expander; a clinician (a result from
the clinician intake) gets the certainty factors, the evidence and the HOW trees directly, and a
note ready to paste into a record. At emergency or urgent only what matters is shown: the action,
why, and what to tell the service."""

from __future__ import annotations

from functools import partial

import streamlit as st

from hipscreen.app import language, records_ui, widgets
from hipscreen.app.case_files import case_file_yaml
from hipscreen.app.clinician_note import note_to_paste
from hipscreen.app.intake_form import with_drill_response
from hipscreen.app.pictures import reasoning_picture_img
from hipscreen.app.reasoning import (
    WHY_NOT_STATUS_WORDS,
    conclusions,
    how_markdown,
    person_summary,
    reasoning_words,
    why_not_choices,
)
from hipscreen.explain import how, why_not
from hipscreen.i18n import _
from hipscreen.pdf import report_pdf
from hipscreen.picture import reasoning_dot, reasoning_summary
from hipscreen.render import clinician_reasons, to_markdown
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result
from hipscreen.screening import screen

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

result: Result | None = st.session_state.get(widgets.RESULT_KEY)
clinician = st.session_state.get(widgets.RESULT_FROM_KEY) == "clinician"
TITLE = _("Screening result") if clinician else _("Your result")
widgets.page_header(TITLE)
if result is None:
    st.write(_("There is no result yet in this browser session. Start a screening first:"))
    st.page_link("pages/self_screening.py", label=_("Self-screening, one step at a time"))
    st.page_link("pages/clinician_intake.py", label=_("Clinician intake form"))
    st.stop()
# a new screening opens at the top of the page, the focus on its title (once per screening)
widgets.focus_heading(TITLE, f"result-{st.session_state.get(widgets.RESULT_NONCE_KEY, 0)}",
                      tag="h1", top=True)

stops = result.triage.level in LEVELS_THAT_STOP_DRILLS

# the sections of a long result, and their anchors: "On this page" jumps to each
SECTIONS = {"note": _("Note for the record"),
            "found": _("Deficits") if clinician else _("What we found"),
            "safety-net": _("See a clinician if..."),
            "plan": _("Plan") if clinician else _("Your plan"),
            "skipped": _("Tests not done") if clinician else _("Tests you skipped"),
            "reasoning": _("How we got here"), "downloads": _("Downloads"),
            "save": _("Save on this computer")}


def header(section: str) -> None:
    st.header(SECTIONS[section], anchor=section)


def on_this_page() -> None:
    """Links to the sections of the page, so a phone reaches "See a clinician if..." in a tap."""
    shown = [s for s in SECTIONS if s != "note" or clinician]
    if not result.skipped_tests:
        shown.remove("skipped")
    if not records_ui.records_allowed()[0] and not clinician:
        shown.remove("save")
    st.markdown(_("**On this page:**") + " " + " · ".join(f"[{SECTIONS[s]}](#{s})" for s in shown))


def note_section() -> None:
    header("note")
    st.write(_("Ready to paste into a clinical record: use the copy button at the top right of "
               "the box."))
    st.code(note_to_paste(result), language=None, wrap_lines=True)


def findings_section() -> None:
    header("found")
    if not result.deficits:
        st.write(_("No deficit was concluded from the answers given."))
    elif clinician:
        reasons = clinician_reasons(result)
        for deficit in result.deficits:
            widgets.deficit_row(deficit, reasons.get((deficit.id, deficit.side)))
    else:
        widgets.person_findings(result)


def reasoning_picture() -> None:
    header("reasoning")
    st.write(_("Each box is an answer or something the rules concluded from it; arrows go from "
               "a reason to what follows. A dashed box is a drill left out for safety. On a small "
               "screen, slide the picture sideways.") if clinician else
             _("Each box is one of your answers or something the rules concluded from it; arrows "
               "go from a reason to what follows. A dashed box is a drill left out for safety. On "
               "a small screen, slide the picture sideways."))
    summary = reasoning_words(reasoning_summary(result), clinician=clinician)
    if not clinician:
        summary = person_summary(summary)
    picture = reasoning_picture_img(result, alt=summary, clinician=clinician)
    if picture:  # at its own size, so its words stay readable on a phone; it scrolls sideways
        st.html(f'<div class="hipscreen-reasoning" style="overflow-x:auto; max-width:100%; '
                f'-webkit-overflow-scrolling:touch" tabindex="0" role="region" '
                f'aria-label="{_("The reasoning picture; scroll sideways")}">{picture}</div>')
    else:
        st.graphviz_chart(reasoning_words(reasoning_dot(result), clinician=clinician),
                          width="stretch")
    with st.expander(_("The picture in words")):
        st.write(summary)


def how_and_why_not(*, nested: bool) -> None:
    """HOW for each conclusion (rule ids, texts, sources) and the why-not picker."""
    for conclusion, label in conclusions(result):
        if nested:
            with st.expander(label):
                st.markdown(how_markdown(how(result, conclusion), clinician=True))
        else:
            st.markdown(f"**{label}**")
            st.markdown(how_markdown(how(result, conclusion)))
    (st.subheader if nested else st.markdown)(_("Why not ...?") if nested
                                              else "**" + _("Why not ...?") + "**")
    choices = dict(why_not_choices())
    asked = st.selectbox(_("Ask why a deficit or drill was or was not concluded"),
                         options=list(choices), format_func=choices.__getitem__, index=None,
                         placeholder=_("Choose a deficit or a drill"), key="why_not_pick")
    if asked:
        answer = why_not(result, asked)
        (st.success if answer.concluded else st.info)(answer.summary)
        for rule in answer.rules:
            fired = _("fired") if rule.fired else _("did not fire")
            with st.container(border=True):
                st.markdown(_("**Rule `{rule}`** ({fired}): {text}  \n*Source: {source}*",
                              rule=rule.rule, fired=fired, text=rule.rule_text,
                              source=rule.source))
                st.markdown("\n".join(
                    f"- {_(WHY_NOT_STATUS_WORDS[c.status]).capitalize()}: {c.text}"
                    for c in rule.conditions))


def downloads() -> None:
    header("downloads")
    st.write(_("Nothing is saved unless you download it here."))
    # the PDF is made only when its button is clicked (a callable), not on every rerun
    if not clinician:  # the person's own plan; the files for records are in the clinician view
        st.download_button(_("Your plan (PDF)") if not stops else _("What to do now (PDF)"),
                           partial(report_pdf, result, "plan"), file_name="hipscreen-plan.pdf",
                           mime="application/pdf", key="dl_pdf_plan", on_click="ignore",
                           help=_("What to do now, on one page") if stops else
                           _("Each drill with its steps and cues, and when to see a clinician"))
        return
    cols = st.columns(3)
    cols[0].download_button(_("Report (Markdown)"), to_markdown(result),
                            file_name="hipscreen-report.md", mime="text/markdown",
                            key="dl_markdown", on_click="ignore")
    cols[1].download_button(_("Result (JSON)"), result.model_dump_json(indent=2),
                            file_name="hipscreen-result.json", mime="application/json",
                            key="dl_json", on_click="ignore")
    cols[2].download_button(_("Intake as a case file (YAML)"), case_file_yaml(result),
                            file_name="new-case.yaml", mime="application/x-yaml", key="dl_case",
                            on_click="ignore",
                            help=_("Turn this intake into a documented case for cases/"))
    pdfs = st.columns(3)
    pdfs[0].download_button(_("Clinician report (PDF)"), partial(report_pdf, result, "clinician"),
                            file_name="hipscreen-clinician-report.pdf", mime="application/pdf",
                            key="dl_pdf_clinician", on_click="ignore",
                            help=_("Answers, triage, deficits with their reasoning, the plan, "
                                   "the picture"))
    pdfs[1].download_button(_("Plan for the person (PDF)"), partial(report_pdf, result, "plan"),
                            file_name="hipscreen-plan.pdf", mime="application/pdf",
                            key="dl_pdf_plan", on_click="ignore",
                            help=_("Each drill with its steps and cues, and when to see a "
                                   "clinician"))


widgets.triage_banner(result.triage, clinician=clinician)
if stops and not clinician:  # a clinician has the note below to refer with
    widgets.what_to_tell(result, heading=st.header)
if not stops:
    on_this_page()
if clinician:
    note_section()
if not stops:
    findings_section()
    header("safety-net")
    widgets.safety_net(result)
    widgets.plan_section(result, clinician=clinician, anchor="plan")
    widgets.skipped_tests(result, clinician=clinician, anchor="skipped")
    reasoning_picture()
    if clinician:
        st.subheader(_("How was each conclusion reached?"))
        how_and_why_not(nested=True)
    else:
        with st.expander(_("The full reasoning, for a clinician: rules, ids and weights")):
            how_and_why_not(nested=False)

downloads()
if clinician or not stops:  # a person at a stop acts on it first: nothing to save or score
    records_ui.save_widget(result, clinician=clinician, anchor="save")

if result.plan:
    st.header(_("Drill response (follow-up)") if clinician
              else _("Tried the plan? Tell us how it felt"))
    names = {item.drill: item.name for item in result.plan}
    current = result.intake.drill_response
    # tick boxes, not drop-down lists: one tap each on a phone, Space on a keyboard
    with st.form("drill_response", enter_to_submit=False):
        felt = {}
        for field, words, earlier in (
                ("pinch", _("Low back pinch during") if clinician
                 else _("I felt a low back pinch during"), current.low_back_pinch),
                ("cramp", _("Hamstring cramp during") if clinician
                 else _("My hamstring cramped during"), current.hamstring_cramp)):
            st.markdown(f"**{words}:**")
            with widgets.questions(f"response_{field}"):
                felt[field] = [drill for drill, name in names.items()
                               if st.checkbox(name, value=drill in earlier,
                                              key=f"response_{field}:{drill}")]
        if st.form_submit_button(_("Update the plan") if clinician else _("Update my plan"),
                                 key="response_update"):
            # drills reported earlier and since swapped out of the plan keep their answer
            earlier_pinch = [d for d in current.low_back_pinch if d not in names]
            earlier_cramp = [d for d in current.hamstring_cramp if d not in names]
            st.session_state[widgets.RESULT_KEY] = screen(with_drill_response(
                result.intake, earlier_pinch + felt["pinch"], earlier_cramp + felt["cramp"]))
            st.rerun()
