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

from hipscreen.app import presentation as pr
from hipscreen.app import records_ui, widgets
from hipscreen.pdf import report_pdf
from hipscreen.render import clinician_note, clinician_reasons, to_markdown
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result
from hipscreen.screening import screen

result: Result | None = st.session_state.get(widgets.RESULT_KEY)
clinician = st.session_state.get(widgets.RESULT_FROM_KEY) == "clinician"
widgets.page_header("Screening result" if clinician else "Your result")
if result is None:
    st.write("There is no result yet in this browser session. Start a screening first:")
    st.page_link("pages/self_screening.py", label="Self-screening, one step at a time")
    st.page_link("pages/clinician_intake.py", label="Clinician intake form")
    st.stop()

stops = result.triage.level in LEVELS_THAT_STOP_DRILLS


def note_section() -> None:
    st.header("Note for the record")
    st.write("Ready to paste into a clinical record: use the copy button at the top right of the "
             "box.")
    st.code(clinician_note(result), language=None, wrap_lines=True)


def findings_section() -> None:
    st.header("Deficits" if clinician else "What we found")
    if not result.deficits:
        st.write("No deficit was concluded from the answers given.")
    elif clinician:
        reasons = clinician_reasons(result)
        for deficit in result.deficits:
            widgets.deficit_row(deficit, reasons.get((deficit.id, deficit.side)))
    else:
        widgets.person_findings(result)


def reasoning_picture() -> None:
    st.header("How we got here")
    whose = "an answer" if clinician else "one of your answers"
    st.write(f"Each box is {whose} or something the rules concluded from it; arrows go from a "
             "reason to what follows. A dashed box is a drill left out for safety. On a small "
             "screen, slide the picture sideways.")
    summary = pr.reasoning_words(pr.reasoning_summary(result), clinician=clinician)
    picture = pr.reasoning_picture_img(result, alt=summary, clinician=clinician)
    if picture:  # at its own size, so its words stay readable on a phone; it scrolls sideways
        st.html(f'<div class="hipscreen-reasoning" style="overflow-x:auto; max-width:100%; '
                f'-webkit-overflow-scrolling:touch" tabindex="0" '
                f'aria-label="The reasoning picture; scroll sideways">{picture}</div>')
    else:
        st.graphviz_chart(pr.reasoning_words(pr.reasoning_dot(result), clinician=clinician),
                          width="stretch")
    with st.expander("The picture in words"):
        st.write(summary)


def how_and_why_not(*, nested: bool) -> None:
    """HOW for each conclusion (rule ids, texts, sources) and the why-not picker."""
    for conclusion, label in pr.conclusions(result):
        if nested:
            with st.expander(label):
                st.markdown(pr.how_markdown(result.how(conclusion), clinician=True))
        else:
            st.markdown(f"**{label}**")
            st.markdown(pr.how_markdown(result.how(conclusion)))
    st.subheader("Why not ...?")
    choices = dict(pr.why_not_choices())
    asked = st.selectbox("Ask why a deficit or drill was or was not concluded",
                         options=list(choices), format_func=choices.__getitem__, index=None,
                         placeholder="Choose a deficit or a drill", key="why_not_pick")
    if asked:
        answer = result.why_not(asked)
        (st.success if answer.concluded else st.info)(answer.summary)
        for rule in answer.rules:
            fired = "fired" if rule.fired else "did not fire"
            with st.container(border=True):
                st.markdown(f"**Rule `{rule.rule}`** ({fired}): {rule.rule_text}  \n"
                            f"*Source: {rule.source}*")
                st.markdown("\n".join(
                    f"- {pr.WHY_NOT_STATUS_WORDS[c.status].capitalize()}: {c.text}"
                    for c in rule.conditions))


widgets.triage_banner(result.triage, clinician=clinician)
if stops and not clinician:  # a clinician has the note below to refer with
    widgets.what_to_tell(result)
if clinician:
    note_section()
if not stops:
    findings_section()
    widgets.plan_section(result, clinician=clinician)
    widgets.skipped_and_safety_net(result, clinician=clinician)
    reasoning_picture()
    if clinician:
        st.subheader("How was each conclusion reached?")
        how_and_why_not(nested=True)
    else:
        with st.expander("The full reasoning, for a clinician: rules, ids and weights"):
            how_and_why_not(nested=False)

st.header("Downloads")
st.write("Nothing is saved unless you download it here.")
cols = st.columns(3)
cols[0].download_button("Report (Markdown)", to_markdown(result), file_name="hipscreen-report.md",
                        mime="text/markdown", key="dl_markdown", on_click="ignore")
cols[1].download_button("Result (JSON)", result.model_dump_json(indent=2),
                        file_name="hipscreen-result.json", mime="application/json",
                        key="dl_json", on_click="ignore")
cols[2].download_button("Intake as a case file (YAML)", pr.case_file_yaml(result),
                        file_name="new-case.yaml", mime="application/x-yaml", key="dl_case",
                        on_click="ignore",
                        help="Turn this intake into a documented case for cases/")
pdfs = st.columns(3)
# the PDF is made only when its button is clicked (a callable), not on every rerun
pdfs[0].download_button("Clinician report (PDF)", partial(report_pdf, result, "clinician"),
                        file_name="hipscreen-clinician-report.pdf", mime="application/pdf",
                        key="dl_pdf_clinician", on_click="ignore",
                        help="Answers, triage, deficits with their reasoning, the plan, the picture")
pdfs[1].download_button("Plan for the person (PDF)", partial(report_pdf, result, "plan"),
                        file_name="hipscreen-plan.pdf", mime="application/pdf",
                        key="dl_pdf_plan", on_click="ignore",
                        help="Each drill with its steps and cues, and when to see a clinician")
records_ui.save_widget(result)

if result.plan:
    st.header("Drill response (follow-up)" if clinician
              else "Tried the plan? Tell us how it felt")
    names = {item.drill: item.name for item in result.plan}
    with st.form("drill_response"):
        current = result.intake.drill_response
        pinch = st.multiselect("Low back pinch during" if clinician
                               else "I felt a low back pinch during", options=list(names),
                               default=[d for d in current.low_back_pinch if d in names],
                               format_func=names.__getitem__, select_all=False,
                               key="response_pinch")
        cramp = st.multiselect("Hamstring cramp during" if clinician
                               else "My hamstring cramped during", options=list(names),
                               default=[d for d in current.hamstring_cramp if d in names],
                               format_func=names.__getitem__, select_all=False,
                               key="response_cramp")
        if st.form_submit_button("Update the plan" if clinician else "Update my plan",
                                 key="response_update"):
            # drills reported earlier and since swapped out of the plan keep their answer
            earlier_pinch = [d for d in current.low_back_pinch if d not in names]
            earlier_cramp = [d for d in current.hamstring_cramp if d not in names]
            st.session_state[widgets.RESULT_KEY] = screen(pr.with_drill_response(
                result.intake, earlier_pinch + pinch, earlier_cramp + cramp))
            st.rerun()
